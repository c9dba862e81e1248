//! 实时排名: every contestant's rank, final score and the judges whose sheets are still
//! missing, from the sheets this device holds. On the contest's page (with 缺赛 for the
//! administrator) and on the contest administrator's home.

use hongling_core::contest::standings;
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::read_model::ContestData;
use crate::state::AppCtx;

#[component]
pub fn RankingTable(
    data: ContestData,
    /// Marks a contestant absent (缺赛); without it the table only shows.
    #[prop(optional)]
    on_absent: Option<Callback<Uuid>>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let c = data.contest.clone();
    let published = c.published.is_some();
    let lines = standings(&c, &data.sheets);
    view! {
        <table class="table" data-testid="ranking">
            <thead><tr>
                <th>{ctx.t(Key::Rank)}</th><th>{ctx.t(Key::Contestant)}</th>
                <th class="num">{ctx.t(Key::FinalScore)}</th><th>{ctx.t(Key::MissingSheets)}</th>
                {on_absent.is_some().then(|| view! { <th></th> })}
            </tr></thead>
            <tbody>
                {lines.into_iter().map(|l| {
                    let missing = l.missing.iter().map(|j| c.judge_name(*j)).collect::<Vec<_>>().join(ctx.t(Key::ListSeparator));
                    let who = l.contestant_id;
                    view! {
                        <tr data-testid="ranking-row" data-name=l.name.clone()
                            data-rank=l.rank.map(|r| r.to_string()).unwrap_or_default()
                            data-score=l.score.clone().unwrap_or_default()>
                            <td class="num">{if l.absent { ctx.t(Key::Absent).to_owned() } else {
                                l.rank.map(|r| if l.shared { ctx.tr(Msg::SharedRank { rank: &r }) } else { r.to_string() }).unwrap_or_default()
                            }}</td>
                            <td>{l.name.clone()}</td>
                            <td class="num">{l.score.clone().unwrap_or_default()}
                                {(!l.missing.is_empty() && l.result.is_some()).then(|| view! { <span class="muted">" " {ctx.t(Key::Provisional)}</span> })}</td>
                            <td class="muted">{missing}</td>
                            {on_absent.map(|absent| view! {
                                <td>{(!published && !l.absent).then(|| view! {
                                    <button type="button" class="btn btn-small" data-testid="mark-absent-contestant"
                                        on:click=move |_| absent.run(who)>
                                        {ctx.t(Key::Absent)}
                                    </button>
                                })}</td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
