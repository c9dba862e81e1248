//! 季度清单任务: the district committee sets each quarter's tasks per kind of
//! organisation and grade; setting a list again replaces it (its id follows from the
//! three). Everyone else reads them here and each holder sees their own on their home.

use hongling_core::tasks::{Quarter, TasksSetV1};
use hongling_core::{Op, OrgKind};
use leptos::prelude::*;

use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::Programme;
use crate::state::AppCtx;

#[component]
pub fn TasksPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let today = hongling_core::china_today(chrono::Utc::now());
    let quarter = RwSignal::new(Quarter::of(today));
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let loaded = move || data.get().flatten();
    let error = RwSignal::new(None::<(OrgKind, u8, String)>);
    let saved = RwSignal::new(None::<(OrgKind, u8)>);
    let quarters = move || {
        // Next quarter first, so the committee can prepare it.
        let mut q = Quarter::of(today).next();
        (0..6)
            .map(|_| {
                let this = q;
                q = q.previous();
                this
            })
            .collect::<Vec<_>>()
    };
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Tasks)}</h1>
            <label class="field inline">
                <span class="label">{move || ctx.t(Key::Quarter)}</span>
                <select data-testid="tasks-quarter" on:change=move |ev| if let Some(q) = Quarter::parse(&event_target_value(&ev)) { quarter.set(q) }>
                    {quarters().into_iter().map(|q| view! {
                        <option value=String::from(q) selected=q == Quarter::of(today)>{String::from(q)}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || loaded().map(|d| {
                let q = quarter.get();
                [OrgKind::Enterprise, OrgKind::SocialOrg].into_iter().flat_map(|kind| {
                    d.settings.grades.iter().map(move |g| (kind, g.level, g.name.clone())).collect::<Vec<_>>()
                }).map(|(kind, grade, grade_name)| {
                    let current = d.tasks(q, kind, grade);
                    let text = RwSignal::new(current.join("\n"));
                    let submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let tasks: Vec<String> = text.get_untracked().lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect();
                        let op = Op::TasksSetV1(TasksSetV1 { quarter: q, org_kind: kind, grade, tasks });
                        error.set(None);
                        saved.set(None);
                        leptos::task::spawn_local(async move {
                            match ctx.save(op).await {
                                Ok(()) => saved.set(Some((kind, grade))),
                                Err(m) => error.set(Some((kind, grade, m.message))),
                            }
                        });
                    };
                    view! {
                        <form class="card form" data-testid="task-list" data-kind=format!("{kind:?}") data-grade=grade.to_string() on:submit=submit>
                            <h2>{ctx.t(kind.key())} " · " {grade_name}</h2>
                            <Show when=move || ctx.is_committee() fallback=move || view! {
                                <ol>{text.get_untracked().lines().map(|l| view! { <li>{l.to_owned()}</li> }).collect_view()}</ol>
                            }>
                                <textarea rows="5" placeholder=move || ctx.t(Key::TasksHint)
                                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                                {move || error.get().filter(|e| e.0 == kind && e.1 == grade).map(|e| view! { <p class="field-error" role="alert">{e.2}</p> })}
                                {move || (saved.get() == Some((kind, grade))).then(|| view! { <p class="muted" role="status">"✓"</p> })}
                                <button type="submit" class="btn" data-testid="save-tasks">{move || ctx.t(Key::Save)}</button>
                            </Show>
                        </form>
                    }
                }).collect_view()
            })}
        </section>
    }
}
