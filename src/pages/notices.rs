use std::collections::BTreeSet;

use chrono::NaiveDate;
use hongling_core::certification::{Notice, NoticeCloseV1, NoticeOpenV1, Stage};
use hongling_core::{Op, RecordKind};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::{ApplicationRow, load_applications, load_batches};
use crate::state::AppCtx;

/// Today in China, the programme's business calendar.
fn today() -> NaiveDate {
    hongling_core::china_today(chrono::Utc::now())
}

/// 公示 (district committee): put approved names of a batch on notice, and end a notice
/// that has run its course so the server issues the certificates.
#[component]
pub fn NoticesPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    let starts_on = RwSignal::new(today().to_string());
    let closed_on = RwSignal::new(today().to_string());
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let apps = load_applications().await.ok()?;
            let batches = load_batches().await.ok()?;
            let notices: Vec<(Uuid, Notice)> =
                crate::read_model::all(RecordKind::Notice).await.ok()?;
            Some((apps, batches, notices))
        }
    });
    let run = move |op: Op| {
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    error.set(None);
                    chosen.set(BTreeSet::new());
                }
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    let date = |s: String| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();

    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Notices)}</h1>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || data.get().flatten().map(|(apps, batches, notices)| {
                let waiting: Vec<ApplicationRow> =
                    apps.iter().filter(|r| r.app.stage == Stage::AwaitingNotice).cloned().collect();
                let open: Vec<(Uuid, Notice)> =
                    notices.into_iter().filter(|(_, n)| n.closed_on.is_none()).collect();
                let names: Vec<(Uuid, String)> =
                    apps.iter().map(|r| (r.id, r.worker_name.clone())).collect();
                let name_of = move |id: Uuid| {
                    names.iter().find(|r| r.0 == id).map(|r| r.1.clone()).unwrap_or_default()
                };
                view! {
                    <div class="card" data-testid="awaiting-notice">
                        <h2>{move || ctx.t(Key::AwaitingNotice)}</h2>
                        {if waiting.is_empty() {
                            view! { <p class="muted">{move || ctx.t(Key::NothingAwaitingNotice)}</p> }.into_any()
                        } else {
                            batches.iter().filter_map(|(bid, batch)| {
                                let bid = *bid;
                                let rows: Vec<ApplicationRow> =
                                    waiting.iter().filter(|r| r.app.batch_id == bid).cloned().collect();
                                (!rows.is_empty()).then(|| {
                                    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                                    view! {
                                        <h3>{batch.name.clone()} " · " {ctx.t(batch.category.key())}</h3>
                                        <ul class="pick-list">
                                            {rows.into_iter().map(|r| {
                                                let id = r.id;
                                                view! {
                                                    <li><label class="check">
                                                        <input type="checkbox" data-testid="pick"
                                                            prop:checked=move || chosen.with(|c| c.contains(&id))
                                                            on:change=move |ev| {
                                                                let on = event_target_checked(&ev);
                                                                chosen.update(|c| { if on { c.insert(id); } else { c.remove(&id); } });
                                                            } />
                                                        {r.worker_name} <span class="muted">{r.township}</span>
                                                    </label></li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                        <div class="inline-form">
                                            <label>{move || ctx.t(Key::StartsOn)} " "
                                                <input type="date" name="starts_on" prop:value=move || starts_on.get()
                                                    on:input=move |ev| starts_on.set(event_target_value(&ev)) />
                                            </label>
                                            <button class="btn btn-primary" data-testid="open-notice" on:click=move |_| {
                                                let picked: Vec<Uuid> = chosen.with_untracked(|c| {
                                                    ids.iter().filter(|i| c.contains(i)).copied().collect()
                                                });
                                                let Some(starts_on) = date(starts_on.get_untracked()) else { return };
                                                run(Op::NoticeOpenV1(NoticeOpenV1 {
                                                    id: Uuid::new_v4(),
                                                    batch_id: bid,
                                                    starts_on,
                                                    application_ids: picked,
                                                }));
                                            }>{move || ctx.t(Key::OpenNotice)}</button>
                                        </div>
                                    }
                                })
                            }).collect_view().into_any()
                        }}
                    </div>
                    <div class="card" data-testid="open-notices">
                        <h2>{move || ctx.t(Key::OpenNotices)}</h2>
                        {if open.is_empty() {
                            view! { <p class="muted">{move || ctx.t(Key::NoOpenNotices)}</p> }.into_any()
                        } else {
                            open.into_iter().map(|(nid, n)| { let listed: Vec<(Uuid, String)> = n.application_ids.iter().map(|a| (*a, name_of(*a))).collect(); view! {
                                <div class="notice" data-testid="notice">
                                    <p>
                                        {n.starts_on.to_string()} " — " {n.ends_on.to_string()}
                                        {ctx.t(Key::OpenParen)} {move || ctx.t(Key::EndsOn)} " " {n.ends_on.to_string()} {ctx.t(Key::CloseParen)}
                                    </p>
                                    <ul>
                                        {listed.into_iter().map(|(a, name)| view! {
                                            <li><A href=format!("/applications/{a}")>{name}</A></li>
                                        }).collect_view()}
                                    </ul>
                                    <div class="inline-form">
                                        <label>{move || ctx.t(Key::ClosedOn)} " "
                                            <input type="date" name="closed_on" prop:value=move || closed_on.get()
                                                on:input=move |ev| closed_on.set(event_target_value(&ev)) />
                                        </label>
                                        <button class="btn btn-primary" data-testid="close-notice" on:click=move |_| {
                                            let Some(closed_on) = date(closed_on.get_untracked()) else { return };
                                            run(Op::NoticeCloseV1(NoticeCloseV1 { id: nid, closed_on }));
                                        }>{move || ctx.t(Key::CloseNotice)}</button>
                                    </div>
                                </div>
                            }}).collect_view().into_any()
                        }}
                    </div>
                }
            })}
        </section>
    }
}
