//! 走访登记: a visit to an organisation, with photos, and the duty assessment of each
//! certified worker there against their quarter's tasks.
//!
//! Made for standing in an enterprise with a tablet and no network: everything typed is
//! kept as a draft on every change (local storage; photos in IndexedDB), so a closed tab
//! or a flat battery loses nothing; saving is one mutation with its photos.

use chrono::NaiveDate;
use hongling_core::fieldwork::AssessmentResult;
use hongling_core::fieldwork::{
    ASSESSORS, DutyAssessment, MAX_PHOTOS, TaskRating, VISITORS, VisitRecordV1,
};
use hongling_core::grant::{holds_in_township, townships_for};
use hongling_core::tasks::Quarter;
use hongling_core::{BlobRef, Op};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::components::PhotoList;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::Programme;
use crate::state::AppCtx;

const DRAFT: &str = "visit.new";

/// One worker's assessment as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AssessDraft {
    worker_id: Uuid,
    ratings: Vec<(String, Option<TaskRating>)>,
    result: Option<AssessmentResult>,
    comment: String,
}

/// The whole form, as the draft keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct VisitDraft {
    id: Option<Uuid>,
    organization_id: Option<Uuid>,
    date: Option<NaiveDate>,
    people_met: String,
    notes: String,
    photos: Vec<BlobRef>,
    assessments: Vec<AssessDraft>,
}

#[component]
pub fn VisitFormPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let navigate = use_navigate();
    let today = hongling_core::china_today(chrono::Utc::now());
    let draft: VisitDraft = crate::drafts::load(DRAFT).unwrap_or_default();
    let restored = draft != VisitDraft::default();
    let id = draft.id.unwrap_or_else(Uuid::new_v4);
    let org = RwSignal::new(draft.organization_id);
    let date = RwSignal::new(draft.date.unwrap_or(today));
    let people = RwSignal::new(draft.people_met);
    let notes = RwSignal::new(draft.notes);
    let photos = RwSignal::new(draft.photos);
    let assessments = RwSignal::new(draft.assessments);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);

    // Autosave: every change writes the draft.
    Effect::new(move |_| {
        let d = VisitDraft {
            id: Some(id),
            organization_id: org.get(),
            date: Some(date.get()),
            people_met: people.get(),
            notes: notes.get(),
            photos: photos.get(),
            assessments: assessments.get(),
        };
        if d.organization_id.is_some()
            || !d.people_met.is_empty()
            || !d.notes.is_empty()
            || !d.photos.is_empty()
        {
            crate::drafts::save(DRAFT, &d);
        }
    });

    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let max_kib = Signal::derive(move || {
        data.get()
            .flatten()
            .map_or(hongling_core::certification::DEFAULT_PHOTO_MAX_KIB, |p| {
                p.settings.photo_max_kib
            })
    });

    // The certified workers of the chosen organisation, with their quarter's tasks.
    let holders_here = Memo::new(move |_| {
        let (Some(p), Some(org_id)) = (data.get().flatten(), org.get()) else {
            return Vec::new();
        };
        let Some(kind) = p
            .dir
            .organizations
            .iter()
            .find(|o| o.0 == org_id)
            .map(|o| o.1.kind)
        else {
            return Vec::new();
        };
        let quarter = Quarter::of(date.get());
        p.holders()
            .into_iter()
            .filter_map(|h| {
                let w = p.worker(h.worker_id)?;
                (w.organization_id == org_id)
                    .then(|| (h.worker_id, w.name.clone(), p.tasks(quarter, kind, h.grade)))
            })
            .collect::<Vec<_>>()
    });
    // Keep one assessment draft per holder, with the tasks of the quarter.
    Effect::new(move |_| {
        let holders = holders_here.get();
        assessments.update(|list| {
            list.retain(|a| holders.iter().any(|h| h.0 == a.worker_id));
            for (worker_id, _, tasks) in &holders {
                match list.iter_mut().find(|a| a.worker_id == *worker_id) {
                    Some(a) => {
                        let old = std::mem::take(&mut a.ratings);
                        a.ratings = tasks
                            .iter()
                            .map(|t| {
                                let kept = old.iter().find(|(o, _)| o == t).and_then(|(_, r)| *r);
                                (t.clone(), kept)
                            })
                            .collect();
                    }
                    None => list.push(AssessDraft {
                        worker_id: *worker_id,
                        ratings: tasks.iter().map(|t| (t.clone(), None)).collect(),
                        ..Default::default()
                    }),
                }
            }
        });
    });
    let may_assess = move || {
        let (Some(p), Some(org_id), Some(actor)) = (data.get().flatten(), org.get(), ctx.actor())
        else {
            return false;
        };
        p.dir
            .organizations
            .iter()
            .find(|o| o.0 == org_id)
            .is_some_and(|o| holds_in_township(&actor.grants, &ASSESSORS, o.1.township_id))
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(organization_id) = org.get_untracked() else {
            error.set(Some(ctx.t(Key::ChooseOrganization).to_owned()));
            return;
        };
        let names = holders_here.get_untracked();
        let mut chosen = Vec::new();
        for a in assessments.get_untracked() {
            let Some(result) = a.result else { continue };
            let name = names
                .iter()
                .find(|h| h.0 == a.worker_id)
                .map(|h| h.1.clone())
                .unwrap_or_default();
            match DutyAssessment::for_visit(
                a.worker_id,
                date.get_untracked(),
                a.ratings,
                result,
                a.comment,
            ) {
                Ok(assessment) => chosen.push(assessment),
                Err(_) => {
                    error.set(Some(ctx.tr(Msg::RateEveryTaskFor { name: &name })));
                    return;
                }
            }
        }
        let op = Op::VisitRecordV1(VisitRecordV1 {
            id,
            organization_id,
            date: date.get_untracked(),
            people_met: people.get_untracked(),
            notes: notes.get_untracked(),
            photos: photos.get_untracked(),
            assessments: chosen,
        });
        saving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ctx.save(op).await {
                Ok(()) => {
                    crate::drafts::remove(DRAFT);
                    navigate("/visits", Default::default());
                }
                Err(m) => error.set(Some(m.message)),
            }
            saving.set(false);
        });
    };
    let discard = move |_| {
        crate::drafts::remove(DRAFT);
        org.set(None);
        people.set(String::new());
        notes.set(String::new());
        photos.set(Vec::new());
        assessments.set(Vec::new());
        date.set(today);
    };

    let rating_buttons = move |worker: Uuid, index: usize| {
        TaskRating::ALL
            .into_iter()
            .map(|r| {
                let on = move || {
                    assessments.with(|l| {
                        l.iter()
                            .find(|a| a.worker_id == worker)
                            .and_then(|a| a.ratings.get(index))
                            .is_some_and(|x| x.1 == Some(r))
                    })
                };
                view! {
                    <button type="button" class="seg" class:on=on aria-pressed=move || on().to_string()
                        data-rating=format!("{r:?}")
                        on:click=move |_| assessments.update(|l| {
                            if let Some(x) = l.iter_mut().find(|a| a.worker_id == worker).and_then(|a| a.ratings.get_mut(index)) {
                                x.1 = Some(r);
                            }
                        })>{ctx.t(r.key())}</button>
                }
            })
            .collect_view()
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || ctx.t(Key::NewVisit)}</h1>
                <button type="button" class="btn" data-testid="discard-visit" on:click=discard>{move || ctx.t(Key::DiscardDraft)}</button>
            </div>
            {restored.then(|| view! { <p class="ok" data-testid="draft-restored">{move || ctx.t(Key::DraftRestored)}</p> })}
            <form class="form card" on:submit=save data-testid="visit-form">
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Organization)}</span>
                    <select name="organization" on:change=move |ev| org.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || ctx.t(Key::ChooseOrganization)}</option>
                        {move || data.get().flatten().map(|p| {
                            let mine = ctx.actor().map(|a| townships_for(&a.grants, &VISITORS));
                            p.dir.organizations.iter()
                                .filter(|o| mine.as_ref().is_some_and(|m| m.as_ref().is_none_or(|t| t.contains(&o.1.township_id))))
                                .map(|(id, o)| {
                                    let id = *id;
                                    view! { <option value=id.to_string() selected=move || org.get() == Some(id)>{o.name.clone()}</option> }
                                }).collect_view()
                        })}
                    </select>
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::VisitDate)}</span>
                    <input type="date" name="date" prop:value=move || date.get().to_string()
                        on:input=move |ev| if let Ok(d) = event_target_value(&ev).parse() { date.set(d) } />
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::PeopleMet)}</span>
                    <input type="text" name="people_met" maxlength="200" prop:value=move || people.get()
                        on:input=move |ev| people.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::VisitNotes)}</span>
                    <textarea name="notes" rows="4" prop:value=move || notes.get()
                        on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
                </label>
                <PhotoList photos=photos max_kib=max_kib max_count=MAX_PHOTOS />
                <Show when=move || may_assess() && !holders_here.with(Vec::is_empty)>
                    <fieldset class="field">
                        <legend class="label">{move || ctx.t(Key::DutyAssessment)}</legend>
                        <p class="muted">{move || ctx.t(Key::AssessHint)}</p>
                        <For each=move || holders_here.get() key=|h| (h.0, h.2.clone()) let:holder>
                            {
                                let (worker, name, tasks) = holder;
                                view! {
                                    <div class="card assess" data-testid="assessment" data-worker=name.clone()>
                                        <h3>{name.clone()}</h3>
                                        {if tasks.is_empty() {
                                            view! { <p class="muted">{move || ctx.t(Key::NoTasksThisQuarter)}</p> }.into_any()
                                        } else {
                                            tasks.into_iter().enumerate().map(|(i, t)| view! {
                                                <div class="task-row" data-testid="task-row">
                                                    <span>{t}</span>
                                                    <span class="segs">{rating_buttons(worker, i)}</span>
                                                </div>
                                            }).collect_view().into_any()
                                        }}
                                        <div class="task-row">
                                            <strong>{move || ctx.t(Key::OverallResult)}</strong>
                                            <span class="segs">
                                                {AssessmentResult::ALL.into_iter().map(|r| {
                                                    let on = move || assessments.with(|l| l.iter().any(|a| a.worker_id == worker && a.result == Some(r)));
                                                    view! {
                                                        <button type="button" class="seg" class:on=on aria-pressed=move || on().to_string()
                                                            data-result=format!("{r:?}")
                                                            on:click=move |_| assessments.update(|l| {
                                                                if let Some(a) = l.iter_mut().find(|a| a.worker_id == worker) {
                                                                    a.result = if a.result == Some(r) { None } else { Some(r) };
                                                                }
                                                            })>{ctx.t(r.key())}</button>
                                                    }
                                                }).collect_view()}
                                            </span>
                                        </div>
                                        <input type="text" name="comment" placeholder=move || ctx.t(Key::AssessComment)
                                            prop:value=move || assessments.with(|l| l.iter().find(|a| a.worker_id == worker).map(|a| a.comment.clone()).unwrap_or_default())
                                            on:input=move |ev| { let v = event_target_value(&ev); assessments.update(|l| if let Some(a) = l.iter_mut().find(|a| a.worker_id == worker) { a.comment = v; }); } />
                                    </div>
                                }
                            }
                        </For>
                    </fieldset>
                </Show>
                {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="visit-error">{m}</p> })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary btn-block" data-testid="save-visit" disabled=move || saving.get()>
                        {move || ctx.t(Key::Save)}
                    </button>
                </div>
            </form>
        </section>
    }
}
