//! One contest. A judge sees their contestants in running order with each sheet's state
//! and, before publication, only their own marks and ranking. An administrator draws
//! the running order, records absences, recusals and substitute judges, watches the live
//! ranking with the sheets still missing, re-opens a signed sheet with a reason, and
//! publishes.

use hongling_core::Op;
use hongling_core::contest::{
    ContestAbsentV1, ContestDrawV2, ContestJudgeAbsentV1, ContestPublishV1, ContestRecuseV1,
    ContestSubstituteV1, Judge, SheetReopenV2,
};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::{MySheets, QrCode, RankingTable};
use crate::i18n::{Key, Msg};
use crate::pages::contests::{contest_of_route, is_contest_admin};
use crate::state::AppCtx;

#[component]
pub fn ContestPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    let error = RwSignal::new(None::<String>);
    let save = move |op: Op| {
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(m) = ctx.save(op).await {
                error.set(Some(m.message));
            }
        });
    };
    let today = hongling_core::china_today(chrono::Utc::now());
    let me = ctx.actor().map(|a| a.account_id).unwrap_or_default();

    // The administrator's forms.
    let recuse_judge = RwSignal::new(None::<Uuid>);
    let recuse_contestant = RwSignal::new(None::<Uuid>);
    let recuse_reason = RwSignal::new(String::new());
    let sub_out = RwSignal::new(None::<Uuid>);
    let sub_in = RwSignal::new(None::<Uuid>);
    let roster = RwSignal::new(Vec::<crate::sync::api::JudgeSummary>::new());
    let reopen_reason = RwSignal::new(String::new());
    let absent_judge = RwSignal::new(None::<Uuid>);
    let seed = RwSignal::new(String::new());
    // The last re-opening as a signed code for the judge's tablet, with whom it is for.
    let reopen_code = RwSignal::new(None::<(String, String)>);
    let reopen = move |op: SheetReopenV2, whom: String| {
        error.set(None);
        reopen_code.set(None);
        leptos::task::spawn_local(async move {
            if let Err(m) = ctx.save(Op::SheetReopenV2(op.clone())).await {
                error.set(Some(m.message));
                return;
            }
            // A device whose key the server has registered signs the re-opening, so a
            // judge's tablet with no network can take it from the screen.
            if let Some(secret) = crate::state::registered_device_secret(me).await {
                let device = crate::sync::Session::device_id();
                let signed = hongling_core::contest::signing::sign_reopen(&op, device, &secret);
                reopen_code.set(Some((
                    hongling_core::contest::relay::reopen_code(&signed),
                    whom,
                )));
            }
        });
    };
    let readiness =
        RwSignal::new(None::<Result<hongling_core::contest::readiness::Readiness, String>>);
    if let Some(token) = ctx.token()
        && is_contest_admin(&ctx)
        && ctx.online.get_untracked()
    {
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::sync::api::contest_judges(&token).await {
                roster.set(list);
            }
        });
    }

    let check_readiness = move |id: Uuid| {
        let Some(token) = ctx.token() else {
            return;
        };
        if !ctx.online.get_untracked() {
            readiness.set(Some(Err(ctx.t(Key::ReadinessNeedsNetwork).to_owned())));
            return;
        }
        leptos::task::spawn_local(async move {
            let answer = crate::sync::api::contest_readiness(&token, id)
                .await
                .map_err(|e| e.to_string());
            readiness.set(Some(answer));
        });
    };

    view! {
        <section class="page contest">
            {move || data.get().flatten().map(|d| {
                let c = d.contest.clone();
                let id = d.id;
                let admin = is_contest_admin(&ctx);
                let published = c.published.is_some();
                view! {
                    <div class="page-head">
                        <h1 data-testid="contest-title">{c.title.clone()}</h1>
                        <span class="muted">{c.date.to_string()} " · " {c.venue.clone()}</span>
                    </div>
                    <div class="inline-form">
                        {admin.then(|| view! {
                            <A href=format!("/contests/{id}/screen") attr:class="btn" attr:data-testid="open-screen">{ctx.t(Key::BigScreen)}</A>
                        })}
                        {(admin && !published).then(|| view! {
                            <button type="button" class="btn" data-testid="check-readiness"
                                on:click=move |_| check_readiness(id)>
                                {ctx.t(Key::PreContestCheck)}
                            </button>
                        })}
                        // A venue without network: sheets travel from screen to camera.
                        {(admin && !published).then(|| view! {
                            <A href=format!("/contests/{id}/collect") attr:class="btn" attr:data-testid="open-collect">{ctx.t(Key::CollectSheets)}</A>
                        })}
                        {(!published && !c.sheets_of(me).is_empty()).then(|| view! {
                            <A href=format!("/contests/{id}/hand-over") attr:class="btn" attr:data-testid="open-hand-over">{ctx.t(Key::HandOver)}</A>
                        })}
                        // The setup stays correctable until the first sheet is saved.
                        {(admin && !published && d.sheets.is_empty()).then(|| view! {
                            <A href=format!("/contests/{id}/edit") attr:class="btn" attr:data-testid="edit-contest">{ctx.t(Key::EditContest)}</A>
                        })}
                        {published.then(|| view! {
                            <A href=format!("/contests/{id}/results") attr:class="btn btn-primary" attr:data-testid="open-results">{ctx.t(Key::Results)}</A>
                        })}
                    </div>
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="contest-error">{m}</p> })}
                    {move || readiness.get().map(|r| view! { <ReadinessReport readiness=r /> })}

                    // The judge's own sheets.
                    <MySheets data=d.clone() />

                    // The administrator's desk.
                    {admin.then(|| {
                        let contestants = c.running_order().into_iter().cloned().collect::<Vec<_>>();
                        let judges: Vec<Judge> = c.all_judges().into_iter().cloned().collect();
                        let signed: Vec<_> = d.sheets.iter().filter(|s| s.lock.is_signed()).cloned().collect();
                        view! {
                            <h2>{ctx.t(Key::LiveRanking)}</h2>
                            // 公开抽签: the seed drawn in public, typed in; the order follows from it.
                            {(c.order.is_empty() && !published).then(|| view! {
                                <form class="inline-form" data-testid="draw-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    save(Op::ContestDrawV2(ContestDrawV2 { id, seed: seed.get_untracked() }));
                                }>
                                    <input type="text" name="seed" maxlength="64" data-testid="draw-seed"
                                        placeholder=ctx.t(Key::DrawSeedHint)
                                        prop:value=move || seed.get() on:input=move |ev| seed.set(event_target_value(&ev)) />
                                    <button type="submit" class="btn" data-testid="draw">{ctx.t(Key::DrawLots)}</button>
                                </form>
                            })}
                            {c.seed.clone().map(|s| view! {
                                <p class="muted" data-testid="draw-seed-shown">{ctx.tr(Msg::DrawnWithSeed { seed: &s })}</p>
                            })}
                            <RankingTable data=d.clone() on_absent=Callback::new(move |who: Uuid| {
                                save(Op::ContestAbsentV1(ContestAbsentV1 { id, contestant_id: who }))
                            }) />
                            {(!published).then(|| {
                                let judges2 = judges.clone();
                                let judges3 = judges.clone();
                                let judges4 = judges.clone();
                                let contestants2 = contestants.clone();
                                view! {
                                    <button type="button" class="btn btn-primary" data-testid="publish"
                                        on:click=move |_| {
                                            let ok = window().confirm_with_message(ctx.t(Key::PublishConfirm)).unwrap_or(false);
                                            if ok {
                                                save(Op::ContestPublishV1(ContestPublishV1 { id, published_on: today }));
                                            }
                                        }>
                                        {ctx.t(Key::Publish)}
                                    </button>

                                    <h2>{ctx.t(Key::SignedSheets)}</h2>
                                    <input type="text" placeholder=ctx.t(Key::ReopenReason) data-testid="reopen-reason"
                                        prop:value=move || reopen_reason.get() on:input=move |ev| reopen_reason.set(event_target_value(&ev)) />
                                    <ul class="decisions" data-testid="signed-sheets">
                                        {signed.into_iter().map(|s| {
                                            let name = contestants2.iter().find(|x| x.worker_id == s.contestant_id).map(|x| x.name.clone()).unwrap_or_default();
                                            let (judge_id, contestant_id, revision) = (s.judge_id, s.contestant_id, s.lock.revision);
                                            let whom = format!("{} → {}", c.judge_name(judge_id), name);
                                            view! {
                                                <li data-testid="signed-sheet">
                                                    {c.judge_name(judge_id)} " → " {name} " · " {ctx.t(Key::Revision)} " " {revision}
                                                    <button type="button" class="btn btn-small" data-testid="reopen"
                                                        on:click=move |_| reopen(SheetReopenV2 {
                                                            contest_id: id, judge_id, contestant_id, reason: reopen_reason.get_untracked(), revision,
                                                        }, whom.clone())>
                                                        {ctx.t(Key::Reopen)}
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {move || reopen_code.get().map(|(code, whom)| view! {
                                        <div class="card hand-over-card" data-testid="reopen-code">
                                            <p class="muted">{ctx.tr(Msg::ReopenCodeHint { whom: &whom })}</p>
                                            <QrCode text=code class="qr qr-relay" />
                                        </div>
                                    })}

                                    <h2>{ctx.t(Key::Recusal)}</h2>
                                    <form class="inline-form" data-testid="recuse-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                        ev.prevent_default();
                                        let (Some(judge_id), Some(contestant_id)) = (recuse_judge.get_untracked(), recuse_contestant.get_untracked()) else { return };
                                        save(Op::ContestRecuseV1(ContestRecuseV1 { id, judge_id, contestant_id, reason: recuse_reason.get_untracked() }));
                                    }>
                                        <select on:change=move |ev| recuse_judge.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::Judge)}</option>
                                            {judges2.iter().map(|j| view! { <option value=j.account_id.to_string()>{j.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <select on:change=move |ev| recuse_contestant.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::Contestant)}</option>
                                            {contestants.iter().map(|x| view! { <option value=x.worker_id.to_string()>{x.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <input type="text" placeholder=ctx.t(Key::Reasons)
                                            prop:value=move || recuse_reason.get() on:input=move |ev| recuse_reason.set(event_target_value(&ev)) />
                                        <button type="submit" class="btn">{ctx.t(Key::Recuse)}</button>
                                    </form>

                                    <h2>{ctx.t(Key::Substitute)}</h2>
                                    <form class="inline-form" data-testid="substitute-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                        ev.prevent_default();
                                        let (Some(out), Some(new)) = (sub_out.get_untracked(), sub_in.get_untracked()) else { return };
                                        let Some(j) = roster.get_untracked().into_iter().find(|j| j.account_id == new) else { return };
                                        save(Op::ContestSubstituteV1(ContestSubstituteV1 { id, out, judge: Judge { account_id: j.account_id, name: j.name } }));
                                    }>
                                        <select on:change=move |ev| sub_out.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::Judge)}</option>
                                            {judges3.iter().map(|j| view! { <option value=j.account_id.to_string()>{j.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <select on:change=move |ev| sub_in.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::SubstituteJudge)}</option>
                                            {move || roster.get().into_iter().map(|j| view! { <option value=j.account_id.to_string()>{j.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="btn">{ctx.t(Key::Substitute)}</button>
                                    </form>

                                    <h2>{ctx.t(Key::JudgeAbsent)}</h2>
                                    <form class="inline-form" data-testid="judge-absent-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                        ev.prevent_default();
                                        let Some(judge_id) = absent_judge.get_untracked() else { return };
                                        save(Op::ContestJudgeAbsentV1(ContestJudgeAbsentV1 { id, judge_id }));
                                    }>
                                        <select on:change=move |ev| absent_judge.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::Judge)}</option>
                                            {judges4.iter().map(|j| view! { <option value=j.account_id.to_string()>{j.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="btn">{ctx.t(Key::JudgeAbsent)}</button>
                                    </form>
                                }
                            })}
                        }
                    })}
                }
            })}
        </section>
    }
}

/// 赛前检查: what the server knows of each judge's tablets, by the core's check.
#[component]
fn ReadinessReport(
    readiness: Result<hongling_core::contest::readiness::Readiness, String>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let r = match readiness {
        Ok(r) => r,
        Err(m) => {
            return view! { <p class="field-error" role="alert" data-testid="readiness-error">{m}</p> }
                .into_any();
        }
    };
    let ready = r.ready();
    let yes_no = move |ok: bool, yes: Key, no: Key| {
        let class = if ok { "ok" } else { "field-error" };
        view! { <span class=class>{ctx.t(if ok { yes } else { no })}</span> }
    };
    view! {
        <div class="card readiness" data-testid="readiness" data-ready=ready.to_string()>
            <h2>{ctx.t(Key::PreContestCheck)}</h2>
            <p data-testid="readiness-verdict">
                {ctx.t(if ready { Key::ReadinessReady } else { Key::ReadinessNotReady })}
            </p>
            {(!r.drawn).then(|| view! { <p class="field-error">{ctx.t(Key::ReadinessNotDrawn)}</p> })}
            <table class="table">
                <thead>
                    <tr>
                        <th>{ctx.t(Key::Judge)}</th>
                        <th>{ctx.t(Key::SigningDevice)}</th>
                        <th>{ctx.t(Key::DeviceKeyColumn)}</th>
                        <th>{ctx.t(Key::DeviceDataColumn)}</th>
                        <th>{ctx.t(Key::DeviceGraceColumn)}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.judges.into_iter().map(|j| {
                        let judge_ready = j.ready().to_string();
                        if j.devices.is_empty() {
                            return view! {
                                <tr data-testid="readiness-judge" data-ready=judge_ready>
                                    <td>{j.name}</td>
                                    <td colspan="4" class="field-error">{ctx.t(Key::ReadinessNoDevice)}</td>
                                </tr>
                            }.into_any();
                        }
                        j.devices.into_iter().map(|d| {
                            let until = d.works_until.map(|u| ctx.tr(Msg::WorksUntil { date: &u.to_string() })).unwrap_or_default();
                            let short = d.device_id.to_string()[..8].to_owned();
                            view! {
                                <tr data-testid="readiness-judge" data-ready=judge_ready.clone()>
                                    <td>{j.name.clone()}</td>
                                    <td class="mono">{short}</td>
                                    <td>{yes_no(d.key, Key::DeviceKeyRegistered, Key::DeviceKeyMissing)}</td>
                                    <td>{yes_no(d.current, Key::DeviceCurrent, Key::DeviceStale)}</td>
                                    <td>{yes_no(d.in_grace, Key::DeviceInGrace, Key::DeviceOutOfGrace)} " " <span class="muted">{until}</span></td>
                                </tr>
                            }
                        }).collect_view().into_any()
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
