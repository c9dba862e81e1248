//! 年审 and 晋级: every valid certificate's inspection for a year, with the facts and the
//! suggestion `hongling-core` computes from this device's records (trainings, duty
//! assessments, honours); the committee records the decision. Below, promotion requests:
//! a guidance station files, the committee approves or declines.

use chrono::Datelike;
use hongling_core::Op;
use hongling_core::certificate;
use hongling_core::inspection::{
    InspectionRecordV1, Outcome, PromotionDecideV1, PromotionRequestV1, inspection_id, suggest,
    year_record,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::read_model::Programme;
use crate::state::AppCtx;

fn outcome_key(o: Outcome) -> Key {
    match o {
        Outcome::Keep => Key::OutcomeKeep,
        Outcome::Promote => Key::OutcomePromote,
        Outcome::Downgrade => Key::OutcomeDowngrade,
        Outcome::Revoke => Key::OutcomeRevoke,
    }
}

fn outcome_css(o: Outcome) -> &'static str {
    match o {
        Outcome::Keep => "keep",
        Outcome::Promote => "promote",
        Outcome::Downgrade => "downgrade",
        Outcome::Revoke => "revoke",
    }
}

/// One certificate to inspect in the chosen year.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    certificate_id: Uuid,
    number: String,
    name: String,
    township: String,
    grade_name: String,
    facts: hongling_core::inspection::YearRecord,
    suggestion: Outcome,
    reasons: Vec<hongling_core::inspection::Reason>,
    decided: Option<hongling_core::inspection::Inspection>,
}

fn items(data: &Programme, year: i32) -> Vec<Item> {
    let top = data
        .settings
        .grades
        .iter()
        .map(|g| g.level)
        .max()
        .unwrap_or(1);
    let visits: Vec<_> = data.visits.iter().map(|(_, v)| v.clone()).collect();
    let mut out: Vec<Item> = data
        .certificates
        .iter()
        .filter_map(|(id, c)| {
            let decided = data
                .inspections
                .iter()
                .find(|(i, _)| *i == inspection_id(*id, year))
                .map(|(_, i)| i.clone());
            let valid = certificate::standing(data.status(*id)).is_valid();
            // A certificate decided this year stays listed with its decision.
            if !valid && decided.is_none() || c.issued_on.year() > year {
                return None;
            }
            let facts = year_record(c.worker_id, year, &data.attendance, &visits, &data.honours);
            let s = suggest(&facts, c.grade, top);
            Some(Item {
                certificate_id: *id,
                number: c.number.clone(),
                name: c.holder_name.clone(),
                township: data.dir.township_name(c.township_id),
                grade_name: c.grade_name.clone(),
                facts,
                suggestion: s.outcome,
                reasons: s.reasons,
                decided,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.decided
            .is_some()
            .cmp(&b.decided.is_some())
            .then_with(|| hongling_core::text::name_order(&a.name, &b.name))
    });
    out
}

#[component]
pub fn InspectionsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let today = hongling_core::china_today(chrono::Utc::now());
    let year = RwSignal::new(today.year());
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let loaded = move || data.get().flatten();
    let error = RwSignal::new(None::<String>);
    let save = move |op: Op| {
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(m) = ctx.save(op).await {
                error.set(Some(m.message));
            }
        });
    };
    let may_file = move || ctx.may(hongling_core::permission::Action::Inspect);
    let committee = move || ctx.is_committee();
    let promo_cert = RwSignal::new(None::<Uuid>);
    let promo_reason = RwSignal::new(String::new());

    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Inspections)}</h1>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="inspection-error">{m}</p> })}
            <label class="field inline">
                <span class="label">{move || ctx.t(Key::Year)}</span>
                <select on:change=move |ev| if let Ok(y) = event_target_value(&ev).parse() { year.set(y) }>
                    {(today.year() - 4..=today.year()).rev().map(|y| view! {
                        <option value=y.to_string() selected=y == today.year()>{y}</option>
                    }).collect_view()}
                </select>
            </label>
            <ul class="card-list" data-testid="inspections">
                {move || {
                    let list = loaded().map(|d| items(&d, year.get())).unwrap_or_default();
                    if list.is_empty() {
                        return view! { <li class="empty-state">{ctx.t(Key::NoneToInspect)}</li> }.into_any();
                    }
                    list.into_iter().map(|item| {
                        let note = RwSignal::new(String::new());
                        let cert = item.certificate_id;
                        let facts = item.facts.clone();
                        let y = year.get_untracked();
                        let decide = move |outcome: Outcome| save(Op::InspectionRecordV1(InspectionRecordV1 {
                            certificate_id: cert,
                            year: y,
                            facts: facts.clone(),
                            outcome,
                            note: note.get_untracked(),
                            decided_on: today,
                        }));
                        view! {
                            <li class="card inspection" data-testid="inspection" data-name=item.name.clone()
                                data-suggested=outcome_css(item.suggestion)>
                                <div class="row-main">
                                    <strong>{item.name.clone()}</strong>
                                    <span class="muted">{item.number.clone()} " · " {item.grade_name.clone()} " · " {item.township.clone()}</span>
                                </div>
                                <p>{ctx.t(Key::Suggestion)} {ctx.t(Key::Colon)}
                                    <strong class=format!("outcome {}", outcome_css(item.suggestion)) data-testid="suggestion">
                                        {ctx.t(outcome_key(item.suggestion))}
                                    </strong>
                                </p>
                                <ul class="reasons" data-testid="reasons">
                                    {item.reasons.iter().map(|r| view! { <li>{crate::labels::reason_text(ctx.lang.get(), *r)}</li> }).collect_view()}
                                </ul>
                                {match item.decided.clone() {
                                    Some(done) => view! {
                                        <p class="decided" data-testid="decided">{ctx.t(Key::Decided)}
                                            <strong>{ctx.t(outcome_key(done.outcome))}</strong>
                                            " · " {done.decided_on.to_string()}
                                            {(!done.note.is_empty()).then(|| format!(" · {}", done.note))}
                                        </p>
                                    }.into_any(),
                                    None => view! {
                                        <Show when=committee>
                                            <div class="decide-actions">
                                                <input type="text" maxlength="200" placeholder=move || ctx.t(Key::InspectionNote)
                                                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                                                {[Outcome::Keep, Outcome::Promote, Outcome::Downgrade, Outcome::Revoke].into_iter().map(|o| {
                                                    let decide = decide.clone();
                                                    view! {
                                                        <button type="button"
                                                            class=if matches!(o, Outcome::Downgrade | Outcome::Revoke) { "btn btn-danger" } else { "btn" }
                                                            data-testid=format!("decide-{}", outcome_css(o))
                                                            on:click=move |_| decide(o)>
                                                            {ctx.t(outcome_key(o))}
                                                        </button>
                                                    }
                                                }).collect_view()}
                                            </div>
                                        </Show>
                                    }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>

            <h2>{move || ctx.t(Key::Promotions)}</h2>
            <ul class="card-list" data-testid="promotions">
                {move || loaded().map(|d| {
                    let mut list = d.promotions.clone();
                    list.sort_by(|a, b| a.1.decision.is_some().cmp(&b.1.decision.is_some()).then(b.1.filed_on.cmp(&a.1.filed_on)));
                    list.into_iter().map(|(id, p)| {
                        let grade_name = |l: u8| d.settings.grades.iter().find(|g| g.level == l).map(|g| g.name.clone()).unwrap_or_else(|| l.to_string());
                        view! {
                            <li class="card" data-testid="promotion" data-name=d.worker_name(p.worker_id)>
                                <div class="row-main">
                                    <strong>{d.worker_name(p.worker_id)}</strong>
                                    <span>{grade_name(p.from_grade)} " → " {grade_name(p.to_grade)}</span>
                                    <span class="muted">{p.filed_on.to_string()}</span>
                                </div>
                                <p>{p.reason.clone()}</p>
                                {match p.decision.clone() {
                                    Some(dec) => view! {
                                        <p data-testid="promotion-decided">{ctx.t(Key::Decided)}
                                            {if dec.approve { ctx.t(Key::Approve) } else { ctx.t(Key::Disapprove) }}
                                            " · " {dec.on.to_string()}</p>
                                    }.into_any(),
                                    None => view! {
                                        <Show when=committee>
                                            <div class="decide-actions">
                                                <button type="button" class="btn btn-primary" data-testid="approve-promotion"
                                                    on:click=move |_| save(Op::PromotionDecideV1(PromotionDecideV1 { id, approve: true, note: String::new(), decided_on: today }))>
                                                    {ctx.t(Key::Approve)}
                                                </button>
                                                <button type="button" class="btn" data-testid="decline-promotion"
                                                    on:click=move |_| save(Op::PromotionDecideV1(PromotionDecideV1 { id, approve: false, note: String::new(), decided_on: today }))>
                                                    {ctx.t(Key::Disapprove)}
                                                </button>
                                            </div>
                                        </Show>
                                    }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
            <Show when=may_file>
                <form class="form card" data-testid="promotion-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let Some(certificate_id) = promo_cert.get_untracked() else { return };
                    let Some(d) = loaded() else { return };
                    let Some(grade) = d.certificates.iter().find(|(i, _)| *i == certificate_id).map(|(_, c)| c.grade) else { return };
                    save(Op::PromotionRequestV1(PromotionRequestV1 {
                        id: Uuid::new_v4(),
                        certificate_id,
                        to_grade: grade + 1,
                        reason: promo_reason.get_untracked(),
                        filed_on: today,
                    }));
                    promo_reason.set(String::new());
                }>
                    <select data-testid="promotion-cert" on:change=move |ev| promo_cert.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || ctx.t(Key::RequestPromotion)}</option>
                        {move || loaded().map(|d| {
                            let top = d.settings.grades.iter().map(|g| g.level).max().unwrap_or(1);
                            d.certificates.iter()
                                .filter(|(id, c)| c.grade < top && certificate::standing(d.status(*id)).is_valid())
                                .map(|(id, c)| view! { <option value=id.to_string()>{format!("{}{}", c.holder_name, ctx.tr(Msg::Parenthetical { text: &format!("{} · {}", c.number, c.grade_name) }))}</option> })
                                .collect_view()
                        })}
                    </select>
                    <textarea rows="2" data-testid="promotion-reason" placeholder=move || ctx.t(Key::Reasons)
                        prop:value=move || promo_reason.get() on:input=move |ev| promo_reason.set(event_target_value(&ev))></textarea>
                    <button type="submit" class="btn btn-primary" data-testid="file-promotion">{move || ctx.t(Key::RequestPromotion)}</button>
                </form>
            </Show>
        </section>
    }
}
