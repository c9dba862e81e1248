use hongling_core::certification::decidable;
use hongling_core::permission::Action;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::{ApplicationItem, stage_css};
use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::load_applications;
use crate::state::AppCtx;

/// The stages the list can be filtered by, in the order an application meets them.
const FILTERS: [&str; 8] = [
    "township",
    "district",
    "committee",
    "notice",
    "awaiting-issue",
    "issued",
    "returned",
    "rejected",
];

fn filter_label(f: &str) -> Key {
    use hongling_core::certification::{ReviewStage, Stage};
    match f {
        "township" => ReviewStage::Township.key(),
        "district" => ReviewStage::District.key(),
        "committee" => ReviewStage::Committee.key(),
        "notice" => Key::FilterNotice,
        "awaiting-issue" => Stage::AwaitingIssue.key(),
        "issued" => Stage::Issued.key(),
        "returned" => Stage::Returned.key(),
        _ => Stage::Rejected.key(),
    }
}

/// 申请: every certification application this device holds, filtered by stage (kept in
/// the URL) and searched by name.
#[component]
pub fn ApplicationsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let query = use_query_map();
    let navigate = use_navigate();
    let stage = move || query.with(|m| m.get("stage").unwrap_or_default());
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let rows = LocalResource::new(move || {
        ctx.data_rev.get();
        load_applications()
    });
    let go = move |stage: String, q: String| {
        let mut parts = Vec::new();
        if !stage.is_empty() {
            parts.push(format!("stage={stage}"));
        }
        if !q.is_empty() {
            parts.push(format!("q={}", js_sys::encode_uri_component(&q)));
        }
        let url = if parts.is_empty() {
            "/applications".to_owned()
        } else {
            format!("/applications?{}", parts.join("&"))
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let go2 = go.clone();
    let list = move || {
        let (stage, q) = (stage(), q());
        rows.get().and_then(|r| r.ok()).map(|rows| {
            let mut rows: Vec<_> = rows
                .into_iter()
                .filter(|r| stage.is_empty() || stage_css(r.app.stage) == stage)
                .filter(|r| q.trim().is_empty() || r.worker_name.contains(q.trim()))
                .collect();
            rows.reverse();
            rows
        })
    };
    let can_file = move || ctx.may(Action::FileApplication);
    view! {
        <section class="page">
            <div class="page-head">
                <h1>
                    {move || ctx.t(Key::Applications)}
                    <span class="count" data-testid="application-count">
                        {move || list().map_or(0, |l| l.len())} " " {move || ctx.t(Key::ApplicationsCount)}
                    </span>
                </h1>
                <Show when=can_file>
                    <A href="/applications/new" attr:class="btn btn-primary" attr:data-testid="new-application">
                        {ctx.t(Key::Plus)} " " {move || ctx.t(Key::NewApplication)}
                    </A>
                </Show>
            </div>
            // What the 认证 tab groups, for those who may open it.
            <nav class="subnav" aria-label=move || ctx.t(Key::CertificationSections)>
                <A href="/pool" attr:class="btn" attr:data-testid="pool">
                    {move || ctx.t(Key::Pool)}
                </A>
                <A href="/recommendations" attr:class="btn" attr:data-testid="recommendations">
                    {move || ctx.t(Key::Recommendations)}
                </A>
                <Show when=move || ctx.may(Action::Administer)>
                    <A href="/notices" attr:class="btn" attr:data-testid="open-notices">
                        {move || ctx.t(Key::NavNotices)}
                    </A>
                </Show>
                <Show when=move || ctx.may(Action::Inspect)>
                    <A href="/inspections" attr:class="btn" attr:data-testid="open-inspections">
                        {move || ctx.t(Key::NavInspections)}
                    </A>
                </Show>
                <Show when=move || ctx.may(Action::Administer)>
                    <A href="/admin/programme" attr:class="btn" attr:data-testid="open-programme">
                        {move || ctx.t(Key::ProgrammeSettings)}
                    </A>
                    <A href="/stipends" attr:class="btn" attr:data-testid="open-stipends">
                        {move || ctx.t(Key::Stipends)}
                    </A>
                </Show>
            </nav>
            <input class="search" type="search" data-testid="search"
                placeholder=move || ctx.t(Key::Search)
                prop:value=q
                on:input=move |ev| go(stage(), event_target_value(&ev)) />
            <div class="chips" role="group">
                <button class="chip" class:on=move || stage().is_empty()
                    on:click={let go = go2.clone(); move |_| go(String::new(), q())}>
                    {move || ctx.t(Key::AllStages)}
                </button>
                {FILTERS.into_iter().map(|f| {
                    let go = go2.clone();
                    view! {
                        <button class="chip" class:on=move || stage() == f data-testid=format!("filter-{f}")
                            on:click=move |_| go(f.to_owned(), q())>
                            {move || ctx.t(filter_label(f))}
                        </button>
                    }
                }).collect_view()}
            </div>
            {move || match list() {
                None => ().into_any(),
                Some(l) if l.is_empty() => view! {
                    <p class="empty-state">{ctx.t(Key::NoApplications)}</p>
                }.into_any(),
                Some(l) => view! {
                    <ul class="application-list" data-testid="application-list">
                        {l.into_iter().map(|row| view! { <ApplicationItem row /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

/// 待办: what waits for this account's decision, oldest first.
#[component]
pub fn QueuePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let rows = LocalResource::new(move || {
        ctx.data_rev.get();
        load_applications()
    });
    let mine = move || {
        let actor = ctx.actor()?;
        rows.get().and_then(|r| r.ok()).map(|rows| {
            rows.into_iter()
                .filter(|r| decidable(&actor, &r.app).is_some())
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>
                    {move || ctx.t(Key::Queue)}
                    <span class="count" data-testid="queue-count">
                        {move || mine().map_or(0, |l| l.len())}
                    </span>
                </h1>
                <span class="muted">{move || ctx.t(Key::QueueHint)}</span>
            </div>
            {move || match mine() {
                None => ().into_any(),
                Some(l) if l.is_empty() => view! {
                    <p class="empty-state" data-testid="queue-empty">{ctx.t(Key::QueueEmpty)}</p>
                }.into_any(),
                Some(l) => view! {
                    <ul class="application-list" data-testid="queue">
                        {l.into_iter().map(|row| view! { <ApplicationItem row /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
