//! 我的评分: a judge's contestants in running order with each sheet's state and, until
//! the results are published, the judge's own ranking (a panel of one, their signed
//! sheets only). On the contest's page and on the judge's home.

use hongling_core::contest::{Judge, standings};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::Key;
use crate::read_model::ContestData;
use crate::state::AppCtx;

/// A sheet's state as a judge sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetState {
    NotStarted,
    Draft,
    Signed,
    Synced,
}

impl SheetState {
    pub fn of(data: &ContestData, judge: Uuid, contestant: Uuid) -> SheetState {
        match data.sheet(judge, contestant) {
            None => SheetState::NotStarted,
            Some(s) if !s.lock.is_signed() => SheetState::Draft,
            Some(_) if data.sheet_pending(judge, contestant) => SheetState::Signed,
            Some(_) => SheetState::Synced,
        }
    }

    pub fn key(self) -> Key {
        match self {
            SheetState::NotStarted => Key::SheetNotStarted,
            SheetState::Draft => Key::SheetDraft,
            SheetState::Signed => Key::SheetSigned,
            SheetState::Synced => Key::SheetSynced,
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            SheetState::NotStarted => "not-started",
            SheetState::Draft => "draft",
            SheetState::Signed => "signed",
            SheetState::Synced => "synced",
        }
    }
}

#[component]
pub fn MySheets(
    /// The contest, with the sheets this device holds.
    data: ContestData,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let me = ctx.actor().map(|a| a.account_id).unwrap_or_default();
    let c = data.contest.clone();
    let id = data.id;
    let mine: Vec<_> = c.sheets_of(me).into_iter().cloned().collect();
    if mine.is_empty() {
        return None;
    }
    let published = c.published.is_some();
    let own: Vec<_> = data
        .sheets
        .iter()
        .filter(|s| s.judge_id == me)
        .cloned()
        .collect();
    let mut solo = c.clone();
    solo.judges = vec![Judge {
        account_id: me,
        name: String::new(),
    }];
    solo.substitutions.clear();
    solo.judge_absences.clear();
    solo.recusals.retain(|r| r.judge_id == me);
    let own_lines = standings(&solo, &own);
    Some(view! {
        <h2>{ctx.t(Key::MySheets)}</h2>
        <ol class="card-list" data-testid="my-sheets">
            {mine.into_iter().map(|x| {
                let state = SheetState::of(&data, me, x.worker_id);
                let href = format!("/contests/{id}/sheet/{}", x.worker_id);
                let (name, org) = (x.name, x.organization);
                let label = name.clone();
                view! {
                    <li class="card sheet-item" data-testid="sheet-item" data-name=name data-state=state.css()>
                        <A href=href>
                            <strong>{label}</strong>
                            <span class="muted">" " {org}</span>
                        </A>
                        <span class=format!("tag sheet-{}", state.css())>{ctx.t(state.key())}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
        {(!published).then(|| view! {
            <h2>{ctx.t(Key::MyRanking)}</h2>
            <table class="table" data-testid="my-ranking">
                <tbody>
                    {own_lines.into_iter().filter(|l| l.complete()).map(|l| view! {
                        <tr><td class="num">{l.rank}</td><td>{l.name.clone()}</td><td class="num">{l.score.clone()}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
    })
}
