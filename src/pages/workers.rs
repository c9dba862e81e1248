use hongling_core::permission::Action;
use hongling_core::text::matches_name;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::WorkerItem;
use crate::i18n::{Key, Msg};
use crate::read_model::{WorkerRow, load_worker_rows};
use crate::state::AppCtx;

/// Whether the search `q` finds the row: the name (also by pinyin or its initials, `zhm`
/// finds 张红梅), the organisation or the township.
fn matches(row: &WorkerRow, q: &str) -> bool {
    let q = q.trim();
    matches_name(&row.worker.name, q) || row.organization.contains(q) || row.township.contains(q)
}

/// 人员 (`/workers`): the list of 党务工作者 on this device, with search (kept in the URL)
/// and count.
#[component]
pub fn WorkersPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let query = use_query_map();
    let navigate = use_navigate();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let rows = LocalResource::new(move || {
        ctx.data_rev.get();
        load_worker_rows()
    });
    let on_search = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let url = if value.is_empty() {
            "/workers".to_owned()
        } else {
            format!("/workers?q={}", js_sys::encode_uri_component(&value))
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let filtered = move || {
        let q = q();
        rows.get().map(|r| {
            r.map(|rows| {
                rows.into_iter()
                    .filter(|r| matches(r, &q))
                    .collect::<Vec<_>>()
            })
        })
    };
    let total = move || rows.get().and_then(|r| r.ok()).map_or(0, |r| r.len());

    view! {
        <section class="page">
            <div class="page-head">
                <h1>
                    {move || ctx.t(Key::Workers)}
                    <span class="count" data-testid="worker-count">
                        {move || filtered().and_then(|r| r.ok()).map_or(0, |r| r.len())}
                        " " {move || ctx.t(Key::WorkersCount)}
                    </span>
                </h1>
                <Show when=move || ctx.may(Action::Administer)>
                    <A href="/admin/import" attr:class="btn" attr:data-testid="import-export">
                        {move || ctx.t(Key::ImportExport)}
                    </A>
                </Show>
                <Show when=move || ctx.may(Action::EditWorkers)>
                    <A href="/workers/new" attr:class="btn btn-primary" attr:data-testid="add-worker">
                        {ctx.t(Key::Plus)} " " {move || ctx.t(Key::AddWorker)}
                    </A>
                </Show>
            </div>
            <input
                class="search"
                type="search"
                data-testid="search"
                placeholder=move || ctx.t(Key::Search)
                prop:value=q
                on:input=on_search
            />
            {move || match filtered() {
                None => ().into_any(),
                Some(Err(e)) => view! {
                    <p class="error" role="alert">{ctx.tr(Msg::StorageFailed { why: &e })}</p>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty-state" data-testid="empty">
                        {if total() == 0 { ctx.t(Key::NoWorkers) } else { ctx.t(Key::NoMatch) }}
                    </p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="worker-list" data-testid="worker-list">
                        {list.into_iter().map(|row| view! { <WorkerItem row /> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}
