use hongling_core::certification::{
    Application, ApplicationFileV1, ApplicationResubmitV1, Assessment, BackgroundCheck, Check,
    Rating, may_file,
};
use hongling_core::{Op, RecordKey, RecordKind, Worker};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::drafts;
use crate::i18n::{Key, Msg};
use crate::read_model::{load_batches, load_settings};
use crate::state::AppCtx;

/// What the form holds, as typed (a draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Draft {
    worker: String,
    batch: String,
    grade: u8,
    /// None until the reviewer chooses: a factor is never rated for them. (A draft saved
    /// before the ratings could be empty reads back with its ratings.)
    ratings: [Option<Rating>; 5],
    notes: String,
    checks: [(bool, String); 4],
}

impl Default for Draft {
    fn default() -> Draft {
        Draft {
            worker: String::new(),
            batch: String::new(),
            grade: 1,
            ratings: [None; 5],
            notes: String::new(),
            checks: Default::default(),
        }
    }
}

const FACTORS: [Key; 5] = [
    Key::FactorPolitical,
    Key::FactorProfessional,
    Key::FactorTenure,
    Key::FactorPerformance,
    Key::FactorRecognition,
];
const CHECKS: [Key; 4] = [
    Key::FactorPolitical,
    Key::CheckEthics,
    Key::CheckAbility,
    Key::CheckHonours,
];
const RATINGS: [(Rating, Key, &str); 4] = [
    (Rating::Excellent, Key::RatingExcellent, "excellent"),
    (Rating::Good, Key::RatingGood, "good"),
    (Rating::Pass, Key::RatingPass, "pass"),
    (Rating::Fail, Key::RatingFail, "fail"),
];

/// The application's parts, or the first factor left unrated.
fn to_parts(d: &Draft) -> Result<(Assessment, BackgroundCheck), usize> {
    let c = |i: usize| Check {
        passed: d.checks[i].0,
        note: d.checks[i].1.trim().to_owned(),
    };
    let r = |i: usize| d.ratings[i].ok_or(i);
    Ok((
        Assessment {
            political: r(0)?,
            professional: r(1)?,
            tenure: r(2)?,
            performance: r(3)?,
            recognition: r(4)?,
            notes: d.notes.trim().to_owned(),
        },
        BackgroundCheck {
            political: c(0),
            ethics: c(1),
            ability: c(2),
            honours: c(3),
        },
    ))
}

fn from_app(app: &Application) -> Draft {
    let a = &app.assessment;
    let b = &app.background;
    let c = |c: &Check| (c.passed, c.note.clone());
    Draft {
        worker: app.worker_id.to_string(),
        batch: app.batch_id.to_string(),
        grade: app.requested_grade,
        ratings: [
            Some(a.political),
            Some(a.professional),
            Some(a.tenure),
            Some(a.performance),
            Some(a.recognition),
        ],
        notes: a.notes.clone(),
        checks: [c(&b.political), c(&b.ethics), c(&b.ability), c(&b.honours)],
    }
}

/// 新建申请 (`/applications/new`) and 修改后重新提交 (`/applications/:id/resubmit`): the
/// five-factor assessment and the background check, filed offline.
#[component]
pub fn ApplicationFormPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let params = use_params_map();
    let navigate = use_navigate();
    let resubmitting = move || params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok()));
    let draft = RwSignal::new(Draft::default());
    let error = RwSignal::new(None::<(Option<String>, String)>);
    let saving = RwSignal::new(false);
    let touched = RwSignal::new(false);
    let draft_key = move || match resubmitting() {
        Some(id) => format!("application/{id}"),
        None => "application/new".to_owned(),
    };

    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let workers: Vec<(Uuid, Worker)> =
                crate::read_model::all(RecordKind::Worker).await.ok()?;
            Some((
                workers,
                load_batches().await.ok()?,
                load_settings().await.ok()?,
            ))
        }
    });

    // Fill from the application being resubmitted, then from a saved draft.
    Effect::new(move |_| {
        let id = resubmitting();
        let key = draft_key();
        leptos::task::spawn_local(async move {
            if let Some(id) = id
                && let Ok(Some(app)) = crate::read_model::one::<Application>(RecordKey::new(
                    RecordKind::Application,
                    id,
                ))
                .await
            {
                draft.set(from_app(&app));
            }
            if let Some(d) = drafts::load::<Draft>(&key) {
                draft.set(d);
            }
        });
    });
    Effect::new(move |_| {
        let d = draft.get();
        if touched.get() {
            drafts::save(&draft_key(), &d);
        }
    });
    let edit = move |f: &dyn Fn(&mut Draft)| {
        touched.set(true);
        draft.update(|d| f(d));
    };

    let workers = move || {
        let actor = ctx.actor()?;
        let (workers, _, _) = data.get().flatten()?;
        let mut w: Vec<(Uuid, Worker)> = workers
            .into_iter()
            .filter(|(_, w)| may_file(&actor, w.township_id))
            .collect();
        w.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        Some(w)
    };
    let chosen_worker = move || {
        let id = draft.with(|d| d.worker.clone());
        workers()?.into_iter().find(|(w, _)| w.to_string() == id)
    };
    let batches = move || {
        let (_, batches, _) = data.get().flatten()?;
        let role = chosen_worker().map(|(_, w)| w.role);
        Some(
            batches
                .into_iter()
                .filter(|(_, b)| !b.closed && Some(b.category) == role)
                .collect::<Vec<_>>(),
        )
    };
    let grades = move || {
        data.get()
            .flatten()
            .map(|(_, _, s)| s.grades)
            .unwrap_or_default()
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let (assessment, background) = match to_parts(&d) {
            Ok(parts) => parts,
            Err(i) => {
                error.set(Some((
                    Some("assessment".into()),
                    ctx.tr(Msg::RateFactor {
                        factor: &ctx.t(FACTORS[i]),
                    }),
                )));
                return;
            }
        };
        let op = match resubmitting() {
            Some(id) => Op::ApplicationResubmitV1(ApplicationResubmitV1 {
                id,
                requested_grade: d.grade,
                assessment,
                background,
            }),
            None => {
                let Ok(worker_id) = d.worker.parse::<Uuid>() else {
                    error.set(Some((
                        Some("worker_id".into()),
                        ctx.t(Key::ChooseWorker).to_owned(),
                    )));
                    return;
                };
                let Ok(batch_id) = d.batch.parse::<Uuid>() else {
                    error.set(Some((
                        Some("batch_id".into()),
                        ctx.t(Key::ChooseBatch).to_owned(),
                    )));
                    return;
                };
                Op::ApplicationFileV1(ApplicationFileV1 {
                    id: Uuid::new_v4(),
                    worker_id,
                    batch_id,
                    requested_grade: d.grade,
                    assessment,
                    background,
                })
            }
        };
        let target = op.target().id;
        saving.set(true);
        let navigate = navigate.clone();
        let key = draft_key();
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            saving.set(false);
            match outcome {
                Ok(()) => {
                    drafts::remove(&key);
                    navigate(&format!("/applications/{target}"), Default::default());
                }
                Err(r) => error.set(Some((r.field, r.message))),
            }
        });
    };
    let error_for = move |field: &'static str| {
        move || {
            error.get().and_then(|(f, m)| {
                (f.as_deref() == Some(field))
                    .then(|| view! { <p class="field-error" role="alert">{m}</p> })
            })
        }
    };

    view! {
        <section class="page">
            <h1>{move || if resubmitting().is_some() { ctx.t(Key::ResubmitApplication) } else { ctx.t(Key::NewApplication) }}</h1>
            <form class="form" on:submit=submit novalidate=true data-testid="application-form">
                <Show when=move || resubmitting().is_none()>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::Worker)} <em class="req">{move || ctx.t(Key::Required)}</em></span>
                        <select name="worker" prop:value=move || draft.with(|d| d.worker.clone())
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(&|d| { d.worker = v.clone(); d.batch.clear(); });
                            }>
                            <option value="">{move || ctx.t(Key::ChooseWorker)}</option>
                            {move || workers().unwrap_or_default().into_iter().map(|(id, w)| {
                                let id = id.to_string();
                                let selected = draft.with_untracked(|d| d.worker == id);
                                view! { <option value=id selected=selected>{w.name}</option> }
                            }).collect_view()}
                        </select>
                        {error_for("worker_id")}
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::Batch)} <em class="req">{move || ctx.t(Key::Required)}</em></span>
                        <select name="batch" prop:value=move || draft.with(|d| d.batch.clone())
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(&|d| d.batch = v.clone());
                            }>
                            <option value="">{move || if batches().is_some_and(|b| b.is_empty()) && chosen_worker().is_some() {
                                ctx.t(Key::NoBatch)
                            } else {
                                ctx.t(Key::ChooseBatch)
                            }}</option>
                            {move || batches().unwrap_or_default().into_iter().map(|(id, b)| {
                                let id = id.to_string();
                                let selected = draft.with_untracked(|d| d.batch == id);
                                view! { <option value=id selected=selected>{b.name}</option> }
                            }).collect_view()}
                        </select>
                        {error_for("batch_id")}
                    </label>
                </Show>
                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::RequestedGrade)}</legend>
                    <div class="segmented">
                        {move || grades().into_iter().map(|g| {
                            let level = g.level;
                            view! {
                                <label class:on=move || draft.with(|d| d.grade == level)>
                                    <input type="radio" name="grade" value=level.to_string()
                                        prop:checked=move || draft.with(|d| d.grade == level)
                                        on:change=move |_| edit(&|d| d.grade = level) />
                                    {g.name}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    {error_for("requested_grade")}
                </fieldset>
                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::FiveFactors)}</legend>
                    {FACTORS.into_iter().enumerate().map(|(i, key)| view! {
                        <div class="factor">
                            <span class="factor-name">{move || ctx.t(key)}</span>
                            <div class="segmented">
                                {RATINGS.into_iter().map(|(rating, label, value)| view! {
                                    <label class:on=move || draft.with(|d| d.ratings[i] == Some(rating))>
                                        <input type="radio" name=format!("factor{i}") value=value
                                            prop:checked=move || draft.with(|d| d.ratings[i] == Some(rating))
                                            on:change=move |_| edit(&|d| d.ratings[i] = Some(rating)) />
                                        {move || ctx.t(label)}
                                    </label>
                                }).collect_view()}
                            </div>
                        </div>
                    }).collect_view()}
                    {error_for("assessment")}
                    <textarea name="notes" rows="2" placeholder=move || ctx.t(Key::Notes)
                        prop:value=move || draft.with(|d| d.notes.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.notes = v.clone()); }></textarea>
                </fieldset>
                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::Background)}</legend>
                    {CHECKS.into_iter().enumerate().map(|(i, key)| view! {
                        <div class="factor">
                            <label class="check">
                                <input type="checkbox" name=format!("check{i}")
                                    prop:checked=move || draft.with(|d| d.checks[i].0)
                                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|d| d.checks[i].0 = on); } />
                                {move || ctx.t(key)} " "
                                <span class="muted">{move || if draft.with(|d| d.checks[i].0) { ctx.t(Key::CheckPassed) } else { ctx.t(Key::CheckFailed) }}</span>
                            </label>
                            <input type="text" class="check-note" placeholder=move || ctx.t(Key::Notes)
                                prop:value=move || draft.with(|d| d.checks[i].1.clone())
                                on:input=move |ev| { let v = event_target_value(&ev); edit(&|d| d.checks[i].1 = v.clone()); } />
                        </div>
                    }).collect_view()}
                </fieldset>
                {move || error.get().and_then(|(f, m)| {
                    let shown = matches!(f.as_deref(), Some("worker_id" | "batch_id" | "requested_grade"));
                    (!shown).then(|| view! { <p class="field-error" role="alert">{m}</p> })
                })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary btn-block" data-testid="save" disabled=move || saving.get()>
                        {move || if resubmitting().is_some() { ctx.t(Key::ResubmitApplication) } else { ctx.t(Key::SubmitApplication) }}
                    </button>
                </div>
            </form>
        </section>
    }
}
