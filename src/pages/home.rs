//! 首页: the first screen after login and the first tab, one for each role
//! (`hongling_core::permission::home`): the committee's 总览, a reviewer's 待办, the field
//! staff's 今日, the contest administrator's live ranking, a judge's 我的评分 and a
//! worker's 我的. Each shows what that person does next, from what this tablet holds.

use hongling_core::permission::{Action, Home};
use hongling_core::tasks::Quarter;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{MyCertificates, MySheets, RankingTable, RemindersCard, StageCounts};
use crate::drafts::Open;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::pages::{ContestsPage, QueuePage};
use crate::read_model::{ContestData, Programme, load_contests, values};
use crate::state::AppCtx;

#[component]
pub fn HomePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    move || match ctx.home() {
        Home::Overview => view! { <OverviewHome /> }.into_any(),
        Home::Queue => view! { <QueueHome /> }.into_any(),
        Home::Today => view! { <TodayHome /> }.into_any(),
        Home::Contests => view! { <ContestsHome /> }.into_any(),
        Home::Judging => view! { <JudgingHome /> }.into_any(),
        Home::Mine => view! { <MineHome /> }.into_any(),
    }
}

/// 总览: the headline indicators, the queues of every stage, the reminders.
#[component]
fn OverviewHome() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let headline = move || {
        data.get().flatten().map(|d| {
            let today = hongling_core::china_today(ctx.now.get());
            (
                hongling_core::indicators::headline(&d.inputs(), &values(d.studios.clone()), today),
                today,
            )
        })
    };
    view! {
        <section class="page home" data-testid="home-overview">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Overview)}</h1>
                <div class="inline-form">
                    <A href="/dashboard" attr:class="btn" attr:data-testid="all-indicators">{move || ctx.t(Key::AllIndicators)}</A>
                    <A href="/reports/annual" attr:class="btn" attr:data-testid="annual-report-link">{move || ctx.t(Key::AnnualReport)}</A>
                </div>
            </div>
            {move || headline().map(|(h, today)| {
                let certified_total: i64 = h.certified.iter().map(|(_, n)| n).sum();
                let by_grade = h.certified.iter().map(|(name, n)| format!("{name} {n}")).collect::<Vec<_>>().join(ctx.t(Key::ListSeparator));
                view! {
                    <div class="tiles" data-testid="headline">
                        <Tile id="pool" label=ctx.t(Key::HeadingPool).to_owned() value=h.pool.to_string() />
                        <Tile id="certified" label=ctx.t(Key::HeadlineCertified).to_owned() value=certified_total.to_string() detail=by_grade />
                        <Tile id="management" label=ctx.t(Key::HeadlineManagement).to_owned() value=ctx.tr(Msg::PercentValue { n: &h.management_percent }) />
                        <Tile id="training" label=ctx.tr(Msg::HeadingTraining { year: &chrono::Datelike::year(&today) }) value=ctx.tr(Msg::PercentValue { n: &h.training_percent }) />
                        <Tile id="pairs" label=ctx.t(Key::HeadlinePairs).to_owned() value=h.pairs.to_string() />
                        <Tile id="studios" label=ctx.t(Key::HeadlineStudios).to_owned() value=h.studios.to_string() />
                    </div>
                }
            })}
            <StageCounts />
            <RemindersCard />
        </section>
    }
}

/// One headline figure.
#[component]
fn Tile(
    id: &'static str,
    label: String,
    value: String,
    #[prop(optional)] detail: String,
) -> impl IntoView {
    let shown = value.clone();
    view! {
        <div class="tile" data-testid=format!("headline-{id}") data-value=value>
            <span class="tile-value">{shown}</span>
            <span class="tile-label">{label}</span>
            {(!detail.is_empty()).then(|| view! { <span class="tile-detail muted">{detail}</span> })}
        </div>
    }
}

/// 待办 for a reviewer: the queue first, oldest first, then the counts per stage.
#[component]
fn QueueHome() -> impl IntoView {
    view! {
        <div class="home" data-testid="home-queue">
            <QueuePage />
            <section class="page">
                <StageCounts />
                <RemindersCard />
            </section>
        </div>
    }
}

/// 今日 for the field staff.
#[component]
fn TodayHome() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let today = move || hongling_core::china_today(ctx.now.get());
    // Drafts live in local storage: read again when the screen or the data changes.
    let drafts = move || {
        ctx.data_rev.get();
        crate::drafts::open()
    };
    view! {
        <section class="page home" data-testid="home-today">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Today)}</h1>
                <span class="muted">{move || today().to_string()}</span>
            </div>
            <div class="home-grid">
                // Today's training sessions, with the roll a tap away.
                <section class="card" data-testid="today-trainings">
                    <h2>{move || ctx.t(Key::TodayTrainings)}</h2>
                    {move || data.get().flatten().map(|d| {
                        let day = today();
                        let mut sessions: Vec<_> = d.sessions.iter().filter(|(_, s)| s.date == day).cloned().collect();
                        sessions.sort_by(|a, b| a.1.title.cmp(&b.1.title));
                        if sessions.is_empty() {
                            return view! { <p class="muted">{ctx.t(Key::NoTrainingToday)}</p> }.into_any();
                        }
                        view! {
                            <ul class="link-list">
                                {sessions.into_iter().map(|(id, s)| view! {
                                    <li data-testid="today-training">
                                        <span>{s.title.clone()} <span class="muted">" · " {s.place.clone()}</span></span>
                                        <A href=format!("/trainings/{id}") attr:class="btn btn-primary btn-small" attr:data-testid="check-in">{ctx.t(Key::CheckIn)}</A>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </section>

                // The visits of this week.
                <section class="card" data-testid="week-visits">
                    <div class="page-head">
                        <h2>{move || ctx.t(Key::ThisWeekVisits)}</h2>
                        <Show when=move || ctx.may(Action::Visit)>
                            <A href="/visits/new" attr:class="btn btn-small">{move || ctx.t(Key::NewVisit)}</A>
                        </Show>
                    </div>
                    {move || data.get().flatten().map(|d| {
                        let week = hongling_core::week_of(today());
                        let mut visits: Vec<_> = d.visits.iter().filter(|(_, v)| week.contains(&v.date)).cloned().collect();
                        visits.sort_by_key(|(_, v)| std::cmp::Reverse(v.date));
                        if visits.is_empty() {
                            return view! { <p class="muted">{ctx.t(Key::NoVisitsThisWeek)}</p> }.into_any();
                        }
                        view! {
                            <ul class="link-list">
                                {visits.into_iter().map(|(id, v)| {
                                    let pending = d.is_pending(hongling_core::RecordKind::Visit, id);
                                    view! {
                                        <li data-testid="week-visit">
                                            <span>{v.date.to_string()} " · " {d.dir.organization_name(v.organization_id)}</span>
                                            {pending.then(|| view! { <span class="tag">{ctx.t(Key::NotSynced)}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    })}
                </section>

                // Forms left half-filled on this tablet.
                <section class="card" data-testid="home-drafts">
                    <h2>{move || ctx.t(Key::Drafts)}</h2>
                    {move || {
                        let list = drafts();
                        if list.is_empty() {
                            return view! { <p class="muted">{ctx.t(Key::NoDrafts)}</p> }.into_any();
                        }
                        let names = data.get().flatten();
                        view! {
                            <ul class="link-list">
                                {list.into_iter().map(|open| {
                                    let text = match &open {
                                        Open::Visit => ctx.t(Key::NewVisit).to_owned(),
                                        Open::NewWorker => ctx.t(Key::AddWorker).to_owned(),
                                        Open::Worker(id) => ctx.tr(Msg::DraftWorker {
                                            name: &names.as_ref().map(|d| d.worker_name(*id)).unwrap_or_default(),
                                        }),
                                        Open::Inbox(_) => ctx.t(Key::DraftInbox).to_owned(),
                                        Open::NewApplication => ctx.t(Key::NewApplication).to_owned(),
                                        Open::Resubmission(_) => ctx.t(Key::DraftResubmission).to_owned(),
                                    };
                                    view! { <li data-testid="home-draft"><A href=open.href()>{text}</A></li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>

                // What waits to sync.
                <section class="card" data-testid="home-sync">
                    <h2>{move || ctx.t(Key::SyncHeading)}</h2>
                    <p data-testid="home-pending" data-count=move || ctx.pending.get().to_string()>
                        {move || match ctx.pending.get() {
                            0 => ctx.t(Key::AllSynced).to_owned(),
                            n => ctx.tr(Msg::WaitingToSync { n: &n }),
                        }}
                    </p>
                    <Show when=move || ctx.pending.get() != 0 && ctx.online.get()>
                        <button type="button" class="btn" on:click=move |_| ctx.request_sync()>{move || ctx.t(Key::SyncNow)}</button>
                    </Show>
                </section>

                // The quarter's tasks and who has been assessed against them.
                <section class="card" data-testid="home-tasks">
                    {move || data.get().flatten().map(|d| {
                        let quarter = Quarter::of(today());
                        let q = String::from(quarter);
                        let assessed = hongling_core::fieldwork::assessed_in(&values(d.visits.clone()), quarter);
                        let holders = d.holders();
                        let done = holders.iter().filter(|h| assessed.contains(&h.worker_id)).count();
                        let mut lists: Vec<_> = d.task_lists.iter().filter(|l| l.quarter == quarter).cloned().collect();
                        lists.sort_by_key(|l| (l.org_kind != hongling_core::OrgKind::Enterprise, l.grade));
                        view! {
                            <div class="page-head">
                                <h2>{ctx.tr(Msg::QuarterTasks { quarter: &q })}</h2>
                                <A href="/tasks" attr:class="btn btn-small">{ctx.t(Key::Open)}</A>
                            </div>
                            <p data-testid="home-assessed" data-done=done.to_string() data-total=holders.len().to_string()>
                                {ctx.tr(Msg::AssessedCount { done: &done, total: &holders.len() })}
                            </p>
                            {if lists.is_empty() {
                                view! { <p class="muted">{ctx.tr(Msg::NoTaskLists { quarter: &q })}</p> }.into_any()
                            } else {
                                view! {
                                    <ul>
                                        {lists.into_iter().map(|l| {
                                            let grade = d.settings.grade(l.grade).map_or_else(|| l.grade.to_string(), |g| g.name.clone());
                                            view! { <li>{ctx.tr(Msg::TaskListLine { kind: &ctx.t(l.org_kind.key()), grade: &grade, n: &l.tasks.len() })}</li> }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }
                    })}
                </section>
            </div>
            <RemindersCard />
        </section>
    }
}

/// The contest administrator's home: the running contest's live ranking, else the list.
#[component]
fn ContestsHome() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let running = LocalResource::new(move || {
        ctx.data_rev.get();
        let today = hongling_core::china_today(ctx.now.get_untracked());
        async move {
            let contests = load_contests().await;
            match hongling_core::contest::running(&contests, today) {
                Some(id) => ContestData::load(id).await,
                None => None,
            }
        }
    });
    move || match running.get() {
        None => ().into_any(),
        Some(None) => view! { <ContestsPage /> }.into_any(),
        Some(Some(d)) => {
            let id = d.id;
            view! {
                <section class="page home" data-testid="home-contest">
                    <div class="page-head">
                        <h1>{d.contest.title.clone()}</h1>
                        <span class="muted">{d.contest.date.to_string()} " · " {d.contest.venue.clone()}</span>
                    </div>
                    <div class="inline-form">
                        <A href=format!("/contests/{id}") attr:class="btn btn-primary">{ctx.t(Key::OpenContest)}</A>
                        <A href=format!("/contests/{id}/screen") attr:class="btn">{ctx.t(Key::BigScreen)}</A>
                        <A href="/contests" attr:class="btn">{ctx.t(Key::AllContests)}</A>
                    </div>
                    <h2>{ctx.t(Key::LiveRanking)}</h2>
                    <RankingTable data=d />
                </section>
            }.into_any()
        }
    }
}

/// 我的评分: the contest the judge judges (today's, else the next), in running order.
#[component]
fn JudgingHome() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let contest = LocalResource::new(move || {
        ctx.data_rev.get();
        let today = hongling_core::china_today(ctx.now.get_untracked());
        async move {
            let contests = load_contests().await;
            match hongling_core::contest::next_to_judge(&contests, today) {
                Some(id) => ContestData::load(id).await,
                None => None,
            }
        }
    });
    view! {
        <section class="page home" data-testid="home-judging">
            <h1>{move || ctx.t(Key::MyScoring)}</h1>
            {move || contest.get().map(|d| match d {
                None => view! { <p class="empty-state">{ctx.t(Key::NoContestToJudge)}</p> }.into_any(),
                Some(d) => view! {
                    <div class="page-head">
                        <h2 data-testid="contest-title">{d.contest.title.clone()}</h2>
                        <span class="muted">{d.contest.date.to_string()} " · " {d.contest.venue.clone()}</span>
                    </div>
                    <MySheets data=d />
                }.into_any(),
            })}
        </section>
    }
}

/// 我的 for a worker: the certificate with its QR code, the record, the quarter's tasks.
#[component]
fn MineHome() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    view! {
        <section class="page home" data-testid="home-mine">
            <h1>{move || ctx.t(Key::Mine)}</h1>
            <MyCertificates />
        </section>
    }
}
