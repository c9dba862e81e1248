//! A worker's record in the programme, as staff see it on the worker's page and the
//! worker sees it on their own home: this quarter's tasks, the chain of grades and
//! decisions (certificates, inspections, promotion requests) and the training log.

use chrono::Datelike;
use hongling_core::tasks::Quarter;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::{Key, Lang, Msg, t, tr};
use crate::labels::Label;
use crate::read_model::Programme;
use crate::state::AppCtx;

/// One step of the grade chain, in date order.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    date: chrono::NaiveDate,
    text: String,
    link: Option<String>,
}

fn chain(data: &Programme, worker: Uuid, lang: Lang) -> Vec<Step> {
    let mut steps = Vec::new();
    for (id, c) in data
        .certificates
        .iter()
        .filter(|(_, c)| c.worker_id == worker)
    {
        let status = data
            .status(*id)
            .map(|s| {
                let status = s.status.label(lang);
                match &s.replaced_by {
                    Some(by) => tr(
                        lang,
                        Msg::CertReplacedBy {
                            status: &status,
                            by,
                        },
                    ),
                    None => status.to_owned(),
                }
            })
            .unwrap_or_default();
        steps.push(Step {
            date: c.issued_on,
            text: tr(
                lang,
                Msg::CertIssuedStep {
                    number: &c.number,
                    grade: &c.grade_name,
                    status: &status,
                },
            ),
            link: Some(format!("/certificates/{id}")),
        });
    }
    for (_, i) in data
        .inspections
        .iter()
        .filter(|(_, i)| i.worker_id == worker)
    {
        let mut text = tr(
            lang,
            Msg::InspectionStep {
                year: &i.year,
                outcome: &i.outcome.label(lang),
            },
        );
        if !i.note.is_empty() {
            text.push_str(&tr(lang, Msg::Parenthetical { text: &i.note }));
        }
        steps.push(Step {
            date: i.decided_on,
            text,
            link: None,
        });
    }
    for (_, p) in data
        .promotions
        .iter()
        .filter(|(_, p)| p.worker_id == worker)
    {
        let decision = match &p.decision {
            Some(d) if d.approve => t(lang, Key::PromotionApproved),
            Some(_) => t(lang, Key::PromotionDeclined),
            None => t(lang, Key::PromotionPending),
        };
        steps.push(Step {
            date: p.filed_on,
            text: tr(
                lang,
                Msg::PromotionStep {
                    from: &p.from_grade,
                    to: &p.to_grade,
                    decision: &decision,
                },
            ),
            link: None,
        });
    }
    steps.sort_by_key(|s| s.date);
    steps
}

#[component]
pub fn WorkerRecord(worker_id: Uuid) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let today = hongling_core::china_today(chrono::Utc::now());
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    view! {
        {move || data.get().flatten().map(|d| {
            let quarter = Quarter::of(today);
            let holder = d.holders().into_iter().find(|h| h.worker_id == worker_id);
            let kind = d.worker(worker_id).and_then(|w| {
                d.dir.organizations.iter().find(|o| o.0 == w.organization_id).map(|o| o.1.kind)
            });
            let tasks = match (&holder, kind) {
                (Some(h), Some(k)) => d.tasks(quarter, k, h.grade),
                _ => Vec::new(),
            };
            let steps = chain(&d, worker_id, ctx.lang.get());
            let mut log: Vec<_> = d.attendance.iter().filter(|a| a.worker_id == worker_id).cloned().collect();
            log.sort_by_key(|a| std::cmp::Reverse(a.date));
            let title_of = |s: Uuid| d.sessions.iter().find(|x| x.0 == s).map(|x| x.1.title.clone()).unwrap_or_default();
            let trained_this_year = log.iter().any(|a| a.mark.attended() && a.date.year() == today.year());
            view! {
                <div class="card worker-record" data-testid="worker-record">
                    {holder.is_some().then(|| view! {
                        <h2>{ctx.t(Key::MyTasks)} <span class="muted">" " {String::from(quarter)}</span></h2>
                        {if tasks.is_empty() {
                            view! { <p class="muted">{ctx.t(Key::NoTasksThisQuarter)}</p> }.into_any()
                        } else {
                            view! { <ol data-testid="my-tasks">{tasks.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ol> }.into_any()
                        }}
                    })}
                    <h2>{ctx.t(Key::GradeChain)}</h2>
                    <ol class="decisions" data-testid="grade-chain">
                        {steps.into_iter().map(|s| view! {
                            <li><span class="muted">{s.date.to_string()}</span> " "
                                {match s.link {
                                    Some(href) => view! { <A href=href>{s.text}</A> }.into_any(),
                                    None => s.text.into_any(),
                                }}
                            </li>
                        }).collect_view()}
                    </ol>
                    <h2>{ctx.t(Key::TrainingLog)}
                        {(!trained_this_year && holder.is_some()).then(|| view! {
                            <span class="tag tag-pending" data-testid="not-trained">" " {ctx.t(Key::NotTrainedYet)}</span>
                        })}
                    </h2>
                    {if log.is_empty() {
                        view! { <p class="muted">{ctx.t(Key::NoTrainingYet)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="decisions" data-testid="training-log">
                                {log.into_iter().map(|a| view! {
                                    <li>{a.date.to_string()} " · " {ctx.t(a.kind.key())} " · " {title_of(a.session_id)}
                                        // A contest is logged without hours.
                                        {(a.hours_tenths > 0).then(|| format!(" · {} h", hongling_core::training::hours_text(a.hours_tenths)))}
                                        " · " {ctx.t(a.mark.key())}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
            }
        })}
    }
}
