//! One contest. A judge sees their contestants in running order with each sheet's state
//! and, before publication, only their own marks and ranking. An administrator draws
//! the running order, records absences, recusals and substitute judges, watches the live
//! ranking with the sheets still missing, re-opens a signed sheet with a reason, and
//! publishes.

use hongling_core::Op;
use hongling_core::contest::{
    ContestAbsentV1, ContestDrawV2, ContestJudgeAbsentV1, ContestPublishV1, ContestRecuseV1,
    ContestSubstituteV1, Judge, SheetReopenV1,
};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::{MySheets, RankingTable};
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
    if let Some(token) = ctx
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        && is_contest_admin(&ctx)
        && ctx.online.get_untracked()
    {
        leptos::task::spawn_local(async move {
            if let Ok(list) = crate::sync::api::contest_judges(&token).await {
                roster.set(list);
            }
        });
    }

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
                                            let (judge_id, contestant_id) = (s.judge_id, s.contestant_id);
                                            view! {
                                                <li data-testid="signed-sheet">
                                                    {c.judge_name(judge_id)} " → " {name} " · " {ctx.t(Key::Revision)} " " {s.lock.revision}
                                                    <button type="button" class="btn btn-small" data-testid="reopen"
                                                        on:click=move |_| save(Op::SheetReopenV1(SheetReopenV1 {
                                                            contest_id: id, judge_id, contestant_id, reason: reopen_reason.get_untracked(),
                                                        }))>
                                                        {ctx.t(Key::Reopen)}
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>

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
