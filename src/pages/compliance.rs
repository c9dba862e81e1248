//! 年度参训情况: who among the certified has not trained yet this year, by township —
//! the "at least once a year" rule of 红领学院, computed by `hongling-core`.

use chrono::Datelike;
use hongling_core::training::{coverage_percent, untrained_by_township};
use leptos::prelude::*;

use crate::i18n::Key;
use crate::read_model::Programme;
use crate::state::AppCtx;

/// One township's line.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    township: String,
    holders: usize,
    untrained: Vec<String>,
}

fn lines(data: &Programme, year: i32) -> Vec<Line> {
    let holders = data.holders();
    let pairs: Vec<_> = holders
        .iter()
        .map(|h| (h.worker_id, h.township_id))
        .collect();
    let attended: Vec<_> = data
        .attendance
        .iter()
        .filter(|a| a.mark.attended())
        .map(|a| (a.worker_id, a.date))
        .collect();
    let untrained = untrained_by_township(&pairs, &attended, year);
    data.dir
        .townships
        .iter()
        .filter_map(|(id, t)| {
            let count = holders.iter().filter(|h| h.township_id == *id).count();
            (count > 0).then(|| Line {
                township: t.name.clone(),
                holders: count,
                untrained: untrained
                    .get(id)
                    .map(|ws| ws.iter().map(|w| data.worker_name(*w)).collect())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let this_year = hongling_core::china_today(chrono::Utc::now()).year();
    let year = RwSignal::new(this_year);
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let rows = move || match data.get() {
        Some(Some(d)) => lines(&d, year.get()),
        _ => Vec::new(),
    };
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Compliance)}</h1>
            <label class="field inline">
                <span class="label">{move || ctx.t(Key::Year)}</span>
                <select data-testid="compliance-year"
                    on:change=move |ev| if let Ok(y) = event_target_value(&ev).parse() { year.set(y) }>
                    {(this_year - 4..=this_year).rev().map(|y| view! {
                        <option value=y.to_string() selected=y == this_year>{y}</option>
                    }).collect_view()}
                </select>
            </label>
            <table class="table" data-testid="compliance">
                <thead><tr>
                    <th>{move || ctx.t(Key::Township)}</th>
                    <th class="num">{move || ctx.t(Key::HoldersCount)}</th>
                    <th class="num">{move || ctx.t(Key::TrainedCount)}</th>
                    <th class="num">"%"</th>
                    <th>{move || ctx.t(Key::NotTrainedYet)}</th>
                </tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|l| {
                        let trained = l.holders - l.untrained.len();
                        let pct = coverage_percent(l.holders, l.untrained.len()).unwrap_or(0);
                        view! {
                            <tr data-testid="compliance-row" data-township=l.township.clone()>
                                <td>{l.township.clone()}</td>
                                <td class="num">{l.holders}</td>
                                <td class="num" data-testid="trained">{trained}</td>
                                <td class="num">{pct} "%"</td>
                                <td data-testid="untrained">{if l.untrained.is_empty() {
                                    "—".to_owned()
                                } else {
                                    l.untrained.join(ctx.t(Key::ListSeparator))
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
