//! One indicator as an SVG bar chart: a group of bars per township (one bar per column),
//! with its numbers written beside each bar and the total under the chart. Drawn by hand
//! in SVG so it prints, scales and needs no chart library in the wasm.

use hongling_core::indicators::{CHART_COLOURS, Table};
use leptos::prelude::*;

use crate::i18n::{Key, Msg};
use crate::state::AppCtx;

const LABEL_W: f64 = 112.0;
const BAR_H: f64 = 16.0;
const GAP: f64 = 10.0;
const WIDTH: f64 = 560.0;

/// The bar colour of column `j`.
fn colour(j: usize) -> String {
    format!("#{}", CHART_COLOURS[j % CHART_COLOURS.len()])
}

#[component]
pub fn BarChart(table: Table) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let towns: Vec<(String, Vec<i64>)> = table.chart_rows().to_vec();
    let cols = table.columns.len().max(1);
    let max = table.chart_max();
    let group_h = BAR_H * cols as f64 + GAP;
    let height = group_h * towns.len() as f64 + GAP;
    let plot_w = WIDTH - LABEL_W - 48.0;
    let bars = towns
        .iter()
        .enumerate()
        .flat_map(|(i, (town, values))| {
            let y0 = GAP + group_h * i as f64;
            let label = view! {
                <text x=LABEL_W - 6.0 y=y0 + BAR_H * cols as f64 / 2.0 + 4.0 text-anchor="end" class="chart-label">{town.clone()}</text>
            }
            .into_any();
            let mut parts = vec![label];
            for (j, v) in values.iter().enumerate() {
                let w = plot_w * (*v).max(0) as f64 / max as f64;
                let y = y0 + BAR_H * j as f64;
                let unit = if table.percent { "%" } else { "" };
                parts.push(
                    view! {
                        <g>
                            <rect x=LABEL_W y=y width=w.max(1.0) height=BAR_H - 2.0 fill=colour(j) />
                            <text x=LABEL_W + w + 4.0 y=y + BAR_H - 5.0 class="chart-value">{format!("{v}{unit}")}</text>
                        </g>
                    }
                    .into_any(),
                );
            }
            parts
        })
        .collect_view();
    let legend = table
        .columns
        .iter()
        .enumerate()
        .map(|(j, c)| {
            view! {
                <span class="legend-item"><span class="swatch" style=format!("background:{}", colour(j))></span>{c.clone()}</span>
            }
        })
        .collect_view();
    let total = table
        .total()
        .iter()
        .zip(&table.columns)
        .map(|(v, c)| format!("{c} {v}{}", if table.percent { "%" } else { "" }))
        .collect::<Vec<_>>()
        .join(ctx.t(Key::ItemSeparator));
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=table.title.clone()
                width="100%" preserveAspectRatio="xMinYMin meet">
                <line x1=LABEL_W y1=0 x2=LABEL_W y2=height class="chart-axis" />
                {bars}
            </svg>
            <figcaption>
                <span class="legend">{legend}</span>
                <span class="chart-total" data-testid="chart-total">{ctx.tr(Msg::TotalIs { total: &total })}</span>
            </figcaption>
        </figure>
    }
}
