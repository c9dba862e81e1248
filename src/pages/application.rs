use hongling_core::certification::{
    Application, ApplicationDecideV1, NoticeObjectV1, Outcome, Rating, Stage, decidable, may_file,
};
use hongling_core::{Op, RecordKey, RecordKind, Worker};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::stage_css;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::{load_batches, one};
use crate::state::AppCtx;

fn rating_key(r: Rating) -> Key {
    match r {
        Rating::Excellent => Key::RatingExcellent,
        Rating::Good => Key::RatingGood,
        Rating::Pass => Key::RatingPass,
        Rating::Fail => Key::RatingFail,
    }
}

/// One application: what was filed, every decision, and what this account may do next
/// (decide its stage, record an objection, resubmit, open the certificate).
#[component]
pub fn ApplicationPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok()));
    let comment = RwSignal::new(String::new());
    let objection = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        let id = id();
        async move {
            let id = id?;
            let app: Application = one(RecordKey::new(RecordKind::Application, id))
                .await
                .ok()??;
            let worker: Option<Worker> = one(RecordKey::new(RecordKind::Worker, app.worker_id))
                .await
                .ok()
                .flatten();
            let batch = load_batches()
                .await
                .ok()?
                .into_iter()
                .find(|b| b.0 == app.batch_id)
                .map(|b| b.1.name);
            let grade_name = crate::read_model::load_settings()
                .await
                .ok()?
                .grade(app.requested_grade)
                .map_or_else(|| app.requested_grade.to_string(), |g| g.name.clone());
            Some((id, app, worker, batch, grade_name))
        }
    });

    let run = move |op: Op| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            busy.set(false);
            match outcome {
                Ok(()) => {
                    error.set(None);
                    comment.set(String::new());
                    objection.set(String::new());
                }
                Err(m) => error.set(Some(m.message)),
            }
        });
    };

    view! {
        <section class="page" data-testid="application">
            {move || data.get().flatten().map(|(id, app, worker, batch, grade_name)| {
                let actor = ctx.actor();
                let stage = actor.as_ref().and_then(|a| decidable(a, &app));
                let committee = actor
                    .as_ref()
                    .is_some_and(|a| hongling_core::grant::is_committee(&a.grants));
                let filer = actor.as_ref().is_some_and(|a| may_file(a, app.township_id));
                let name = worker.as_ref().map(|w| w.name.clone()).unwrap_or_default();
                let round = app.round;
                let a = app.assessment.clone();
                let factors = [
                    (Key::FactorPolitical, a.political),
                    (Key::FactorProfessional, a.professional),
                    (Key::FactorTenure, a.tenure),
                    (Key::FactorPerformance, a.performance),
                    (Key::FactorRecognition, a.recognition),
                ];
                let b = app.background.clone();
                let checks = [
                    (Key::FactorPolitical, b.political),
                    (Key::CheckEthics, b.ethics),
                    (Key::CheckAbility, b.ability),
                    (Key::CheckHonours, b.honours),
                ];
                view! {
                    <div class="page-head">
                        <h1>{name.clone()}</h1>
                        <span class=format!("tag stage stage-{}", stage_css(app.stage)) data-testid="stage">
                            {ctx.t(app.stage.key())}
                        </span>
                    </div>
                    <p class="muted">
                        {batch.unwrap_or_default()} " · " {move || ctx.t(Key::RequestedGrade)} " "
                        {grade_name} " · "
                        {move || ctx.tr(Msg::Round { n: &round })}
                    </p>
                    {(app.stage == Stage::AwaitingIssue).then(|| view! {
                        <p class="notice-box" data-testid="awaiting-issue">{move || ctx.t(Key::AwaitingIssueNote)}</p>
                    })}
                    {app.certificate_id.map(|cid| view! {
                        <A href=format!("/certificates/{cid}") attr:class="btn btn-primary" attr:data-testid="view-certificate">
                            {move || ctx.t(Key::ViewCertificate)}
                        </A>
                    })}
                    <div class="card">
                        <h2>{move || ctx.t(Key::FiveFactors)}</h2>
                        <dl class="facts">
                            {factors.into_iter().map(|(k, r)| view! {
                                <dt>{move || ctx.t(k)}</dt><dd>{move || ctx.t(rating_key(r))}</dd>
                            }).collect_view()}
                        </dl>
                        {(!a.notes.is_empty()).then(|| view! { <p>{a.notes.clone()}</p> })}
                        <h2>{move || ctx.t(Key::Background)}</h2>
                        <dl class="facts">
                            {checks.into_iter().map(|(k, c)| view! {
                                <dt>{move || ctx.t(k)}</dt>
                                <dd>
                                    {move || if c.passed { ctx.t(Key::CheckPassed) } else { ctx.t(Key::CheckFailed) }}
                                    {(!c.note.is_empty()).then(|| ctx.tr(Msg::Parenthetical { text: &c.note }))}
                                </dd>
                            }).collect_view()}
                        </dl>
                    </div>
                    <div class="card">
                        <h2>{move || ctx.t(Key::ReviewHistory)}</h2>
                        {if app.decisions.is_empty() {
                            view! { <p class="muted">{move || ctx.t(Key::NoDecisions)}</p> }.into_any()
                        } else {
                            view! {
                                <ol class="decisions" data-testid="decisions">
                                    {app.decisions.clone().into_iter().map(|d| view! {
                                        <li>
                                            {ctx.t(d.stage.key())} " · "
                                            {ctx.tr(Msg::Round { n: &d.round })} " · "
                                            <strong>{match d.outcome {
                                                Outcome::Approve => ctx.t(Key::OutcomeApprove),
                                                Outcome::Return => ctx.t(Key::OutcomeReturn),
                                                Outcome::Reject => ctx.t(Key::OutcomeReject),
                                            }}</strong>
                                            {(!d.comment.is_empty()).then(|| format!("{}{}", ctx.t(Key::Colon), d.comment))}
                                        </li>
                                    }).collect_view()}
                                </ol>
                            }.into_any()
                        }}
                        {(!app.objections.is_empty()).then(|| view! {
                            <h2>{move || ctx.t(Key::Objections)}</h2>
                            <ul>{app.objections.clone().into_iter().map(|o| view! { <li>{o.text}</li> }).collect_view()}</ul>
                        })}
                    </div>
                    {stage.map(|stage| {
                        let decide = move |outcome: Outcome| {
                            run(Op::ApplicationDecideV1(ApplicationDecideV1 {
                                id,
                                stage,
                                round,
                                outcome,
                                comment: comment.get_untracked(),
                            }));
                        };
                        view! {
                            <div class="card decide" data-testid="decide">
                                <h2>{ctx.t(stage.key())}</h2>
                                <textarea rows="3" name="comment" placeholder=move || ctx.t(Key::CommentHint)
                                    prop:value=move || comment.get()
                                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                                <div class="decide-actions">
                                    <button class="btn btn-primary" data-testid="approve" disabled=move || busy.get()
                                        on:click=move |_| decide(Outcome::Approve)>{move || ctx.t(Key::Approve)}</button>
                                    <button class="btn" data-testid="return" disabled=move || busy.get()
                                        on:click=move |_| decide(Outcome::Return)>{move || ctx.t(Key::ReturnForChanges)}</button>
                                    <button class="btn btn-danger" data-testid="reject" disabled=move || busy.get()
                                        on:click=move |_| decide(Outcome::Reject)>{move || ctx.t(Key::Reject)}</button>
                                </div>
                            </div>
                        }
                    })}
                    {(committee && app.stage == Stage::InNotice).then(|| view! {
                        <div class="card" data-testid="object">
                            <h2>{move || ctx.t(Key::Objections)}</h2>
                            <textarea rows="2" placeholder=move || ctx.t(Key::ObjectionHint)
                                prop:value=move || objection.get()
                                on:input=move |ev| objection.set(event_target_value(&ev))></textarea>
                            <button class="btn" disabled=move || busy.get() on:click=move |_| run(Op::NoticeObjectV1(NoticeObjectV1 {
                                application_id: id,
                                text: objection.get_untracked(),
                            }))>{move || ctx.t(Key::RecordObjection)}</button>
                        </div>
                    })}
                    {(filer && app.stage == Stage::Returned).then(|| view! {
                        <A href=format!("/applications/{id}/resubmit") attr:class="btn btn-primary" attr:data-testid="resubmit">
                            {move || ctx.t(Key::ResubmitApplication)}
                        </A>
                    })}
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                }
            })}
        </section>
    }
}
