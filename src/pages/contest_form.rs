//! 新建比赛 (`/contests/new`): a contest administrator sets a contest up — rubric (criteria
//! with maximum, weight and step), contestants chosen from the workers this device holds,
//! judges from the server's judge roster (fetched once online), the panel rule and the
//! tie-breaks. 修改比赛设置 (`/contests/:id/edit`): the same form, filled from the contest,
//! corrects the setup until the first sheet is saved (`contest.update@1`).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use hongling_core::Op;
use hongling_core::contest::{ContestCreateV1, Contestant, DEFAULT_TRIM_FROM, Judge};
use hongling_core::scoring::{Criterion, hundredths, parse_mark};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::read_model::Programme;
use crate::state::AppCtx;
use crate::sync::api::JudgeSummary;

/// A rubric row as typed.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    key: u32,
    name: String,
    max: String,
    weight: String,
    step: String,
    tie_break: bool,
}

/// The rubric a new contest starts from, named in the user's language.
fn default_rows(ctx: AppCtx) -> Vec<Row> {
    [
        (ctx.t(Key::DefaultCriterionContent), "40", true),
        (ctx.t(Key::DefaultCriterionDelivery), "30", true),
        (ctx.t(Key::DefaultCriterionInnovation), "30", false),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (name, max, tie_break))| Row {
        key: i as u32,
        name: name.into(),
        max: max.into(),
        weight: "1".into(),
        step: "0.5".into(),
        tie_break,
    })
    .collect()
}

#[component]
pub fn ContestFormPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let navigate = use_navigate();
    let today = hongling_core::china_today(chrono::Utc::now());
    let title = RwSignal::new(String::new());
    let date = RwSignal::new(today);
    let venue = RwSignal::new(String::new());
    let rows = RwSignal::new(default_rows(ctx));
    let next_key = RwSignal::new(3u32);
    let trim_from = RwSignal::new(DEFAULT_TRIM_FROM.to_string());
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(BTreeSet::<Uuid>::new());
    let judges = RwSignal::new(None::<Result<Vec<JudgeSummary>, String>>);
    let chosen_judges = RwSignal::new(BTreeSet::<Uuid>::new());
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || async move { Programme::load().await.ok() });
    // Editing: the contest named by the route, its setup filled in once it is read.
    let params = use_params_map();
    let editing = params.with_untracked(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()));
    if let Some(id) = editing {
        leptos::task::spawn_local(async move {
            let Some(d) = crate::read_model::ContestData::load(id).await else {
                return;
            };
            let c = d.contest;
            title.set(c.title.clone());
            date.set(c.date);
            venue.set(c.venue.clone());
            rows.set(
                c.rubric
                    .iter()
                    .enumerate()
                    .map(|(i, r)| Row {
                        key: i as u32,
                        name: r.name.clone(),
                        max: hundredths(r.max),
                        weight: hundredths(r.weight),
                        step: hundredths(r.step),
                        tie_break: c.tie_break.contains(&i),
                    })
                    .collect(),
            );
            next_key.set(c.rubric.len() as u32);
            trim_from.set(c.trim_from.to_string());
            chosen.set(c.contestants.iter().map(|x| x.worker_id).collect());
            chosen_judges.set(c.judges.iter().map(|j| j.account_id).collect());
        });
    }

    let fetch_judges = move || {
        let Some(token) = ctx.token() else {
            return;
        };
        leptos::task::spawn_local(async move {
            judges.set(Some(
                crate::sync::api::contest_judges(&token)
                    .await
                    .map_err(|e| e.to_string()),
            ));
        });
    };
    fetch_judges();

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut rubric = Vec::new();
        let mut tie_break = Vec::new();
        for (i, r) in rows.get_untracked().into_iter().enumerate() {
            let (Some(max), Some(weight), Some(step)) = (
                parse_mark(&r.max),
                parse_mark(&r.weight),
                parse_mark(&r.step),
            ) else {
                error.set(Some(ctx.tr(Msg::RubricInvalidFor { name: &r.name })));
                return;
            };
            if r.tie_break {
                tie_break.push(i);
            }
            rubric.push(Criterion {
                name: r.name.trim().to_owned(),
                max,
                weight,
                step,
            });
        }
        let Some(Some(d)) = data.get_untracked() else {
            return;
        };
        let contestants: Vec<Contestant> = d
            .workers
            .iter()
            .filter(|(id, _)| chosen.get_untracked().contains(id))
            .map(|(id, w)| Contestant {
                worker_id: *id,
                name: w.name.clone(),
                organization: d.dir.organization_name(w.organization_id),
            })
            .collect();
        let panel: Vec<Judge> = match judges.get_untracked() {
            Some(Ok(list)) => list
                .into_iter()
                .filter(|j| chosen_judges.get_untracked().contains(&j.account_id))
                .map(|j| Judge {
                    account_id: j.account_id,
                    name: j.name,
                })
                .collect(),
            _ => Vec::new(),
        };
        let Ok(trim) = trim_from.get_untracked().trim().parse::<u32>() else {
            error.set(Some(ctx.t(Key::TrimFromInvalid).to_owned()));
            return;
        };
        let id = editing.unwrap_or_else(Uuid::new_v4);
        let setup = ContestCreateV1 {
            id,
            title: title.get_untracked(),
            date: date.get_untracked(),
            venue: venue.get_untracked(),
            rubric,
            contestants,
            judges: panel,
            trim_from: trim,
            tie_break,
        };
        let op = match editing {
            Some(_) => Op::ContestUpdateV1(setup.into()),
            None => Op::ContestCreateV1(setup),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ctx.save(op).await {
                Ok(()) => navigate(&format!("/contests/{id}"), Default::default()),
                Err(m) => error.set(Some(m.message)),
            }
        });
    };

    let row_field = move |key: u32,
                          get: fn(&Row) -> String,
                          set: fn(&mut Row, String),
                          name: &'static str| {
        view! {
            <input type="text" name=name
                prop:value=move || rows.with(|l| l.iter().find(|r| r.key == key).map(get).unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    rows.update(|l| if let Some(r) = l.iter_mut().find(|r| r.key == key) { set(r, v) });
                } />
        }
    };

    view! {
        <section class="page">
            <h1>{move || ctx.t(if editing.is_some() { Key::EditContest } else { Key::NewContest })}</h1>
            <form class="form card" data-testid="contest-form" on:submit=save>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::ContestTitle)}</span>
                    <input type="text" name="title" maxlength="100" prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev)) />
                </label>
                <div class="inline-form">
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::Date)}</span>
                        <input type="date" name="date" prop:value=move || date.get().to_string()
                            on:change=move |ev| {
                                if let Ok(d) = event_target_value(&ev).parse::<NaiveDate>() {
                                    date.set(d);
                                }
                            } />
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::Venue)}</span>
                        <input type="text" name="venue" maxlength="100" prop:value=move || venue.get()
                            on:input=move |ev| venue.set(event_target_value(&ev)) />
                    </label>
                </div>

                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::Rubric)}</legend>
                    <table class="table rubric">
                        <thead><tr>
                            <th>{move || ctx.t(Key::Criterion)}</th>
                            <th>{move || ctx.t(Key::MaxPoints)}</th>
                            <th>{move || ctx.t(Key::Weight)}</th>
                            <th>{move || ctx.t(Key::Step)}</th>
                            <th>{move || ctx.t(Key::TieBreak)}</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            <For each=move || rows.get() key=|r| r.key let:row>
                                {
                                    let key = row.key;
                                    view! {
                                        <tr data-testid="rubric-row">
                                            <td>{row_field(key, |r| r.name.clone(), |r, v| r.name = v, "criterion")}</td>
                                            <td>{row_field(key, |r| r.max.clone(), |r, v| r.max = v, "max")}</td>
                                            <td>{row_field(key, |r| r.weight.clone(), |r, v| r.weight = v, "weight")}</td>
                                            <td>{row_field(key, |r| r.step.clone(), |r, v| r.step = v, "step")}</td>
                                            <td><input type="checkbox" name="tie_break"
                                                prop:checked=move || rows.with(|l| l.iter().any(|r| r.key == key && r.tie_break))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    rows.update(|l| if let Some(r) = l.iter_mut().find(|r| r.key == key) { r.tie_break = on });
                                                } /></td>
                                            <td><button type="button" class="btn btn-small"
                                                on:click=move |_| rows.update(|l| l.retain(|r| r.key != key))>"✕"</button></td>
                                        </tr>
                                    }
                                }
                            </For>
                        </tbody>
                    </table>
                    <button type="button" class="btn btn-small" data-testid="add-criterion" on:click=move |_| {
                        let key = next_key.get_untracked();
                        next_key.set(key + 1);
                        rows.update(|l| l.push(Row { key, name: String::new(), max: "10".into(), weight: "1".into(), step: "0.5".into(), tie_break: false }));
                    }>{ctx.t(Key::Plus)} " " {move || ctx.t(Key::Criterion)}</button>
                    <p class="muted">{move || ctx.t(Key::TieBreakHint)}</p>
                </fieldset>

                <label class="field inline">
                    <span class="label">{move || ctx.t(Key::TrimFrom)}</span>
                    <input type="number" name="trim_from" min="3" max="50" prop:value=move || trim_from.get()
                        on:input=move |ev| trim_from.set(event_target_value(&ev)) />
                </label>

                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::Judges)}</legend>
                    {move || match judges.get() {
                        None => view! { <p class="muted">"…"</p> }.into_any(),
                        Some(Err(e)) => view! {
                            <p class="field-error">{ctx.t(Key::JudgesNeedNetwork)} " " {e}</p>
                            <button type="button" class="btn btn-small" on:click=move |_| fetch_judges()>{ctx.t(Key::Retry)}</button>
                        }.into_any(),
                        Some(Ok(list)) => list.into_iter().map(|j| {
                            let id = j.account_id;
                            view! {
                                <label class="check" data-testid="judge-choice">
                                    <input type="checkbox" name="judge" value=j.username.clone()
                                        prop:checked=move || chosen_judges.with(|s| s.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen_judges.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                        } />
                                    {j.name.clone()} <span class="muted">" " {j.username.clone()}</span>
                                </label>
                            }
                        }).collect_view().into_any(),
                    }}
                </fieldset>

                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::Contestants)} " " {move || chosen.with(BTreeSet::len)}</legend>
                    <input type="search" class="search" data-testid="contestant-search"
                        placeholder=move || ctx.t(Key::SearchNameOrInitials)
                        prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                    <div class="pick-list contestant-picks">
                        {move || data.get().flatten().map(|d| {
                            let q = query.get();
                            d.workers.iter()
                                .filter(|(_, w)| q.trim().is_empty() || hongling_core::text::matches_name(&w.name, q.trim()))
                                .map(|(id, w)| {
                                    let id = *id;
                                    view! {
                                        <label class="check" data-testid="contestant-choice" data-name=w.name.clone()>
                                            <input type="checkbox"
                                                prop:checked=move || chosen.with(|s| s.contains(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    chosen.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                                                } />
                                            {w.name.clone()} <span class="muted">" " {d.dir.organization_name(w.organization_id)}</span>
                                        </label>
                                    }
                                }).collect_view()
                        })}
                    </div>
                </fieldset>
                {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="contest-error">{m}</p> })}
                <button type="submit" class="btn btn-primary btn-block" data-testid="save-contest">{move || ctx.t(Key::Save)}</button>
            </form>
        </section>
    }
}
