//! 年度工作报告 (`/reports/annual?year=2026`, district committee): the year's report as
//! the office sends it upward, printed on A4 from this tablet (its own print styles, the
//! CJK font) or downloaded from the server as `.docx` (WPS, Word) and XLSX. Always in
//! Chinese: the sections, rows and numbers are the core's (`hongling_core::report`), the
//! same the server writes, with a chart beside each indicator table.

use chrono::Datelike;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::BarChart;
use crate::i18n::{Key, Msg};
use crate::read_model::load_annual_report;
use crate::state::AppCtx;

/// The years a report can be asked for: this one and the four before.
const YEARS: i32 = 5;

#[component]
pub fn AnnualReportPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let query = use_query_map();
    let navigate = use_navigate();
    let today = hongling_core::china_today(chrono::Utc::now());
    let year = move || {
        query
            .with(|m| m.get("year").and_then(|y| y.parse::<i32>().ok()))
            .filter(|y| (today.year() - YEARS + 1..=today.year()).contains(y))
            .unwrap_or(today.year())
    };
    let error = RwSignal::new(None::<String>);
    let report = LocalResource::new(move || {
        ctx.data_rev.get();
        let y = year();
        async move { load_annual_report(y, today).await.ok() }
    });
    let download = move |format: &'static str, mime: &'static str| {
        let Some(token) = ctx.token() else {
            return;
        };
        let y = year();
        error.set(None);
        leptos::task::spawn_local(async move {
            let path = format!("/reports/annual?year={y}&format={format}");
            match crate::sync::api::get_file(&token, &path).await {
                Ok(bytes) => {
                    if let Err(e) =
                        crate::download::save(&format!("annual-report-{y}.{format}"), mime, &bytes)
                    {
                        error.set(Some(format!("{e:?}")));
                    }
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <section class="page report-page">
            <div class="page-head no-print">
                <h1>{move || ctx.t(Key::AnnualReport)}</h1>
                <select name="year" data-testid="report-year" on:change=move |ev| {
                    navigate(&format!("/reports/annual?year={}", event_target_value(&ev)), NavigateOptions { replace: true, ..Default::default() });
                }>
                    {(0..YEARS).map(|n| today.year() - n).map(|y| view! {
                        <option value=y.to_string() selected=move || year() == y>{y}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="inline-form no-print">
                <button class="btn btn-primary" data-testid="print-report" on:click=print>{move || ctx.t(Key::Print)}</button>
                <button class="btn" data-testid="report-docx" disabled=move || !ctx.online.get()
                    on:click=move |_| download("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")>
                    {move || ctx.t(Key::ExportDocx)}
                </button>
                <button class="btn" data-testid="report-xlsx" disabled=move || !ctx.online.get()
                    on:click=move |_| download("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")>
                    {move || ctx.t(Key::ExportXlsx)}
                </button>
            </div>
            <Show when=move || !ctx.online.get()>
                <p class="muted no-print">{move || ctx.t(Key::ReportDownloadsOnline)}</p>
            </Show>
            {move || error.get().map(|m| view! { <p class="field-error no-print" role="alert">{ctx.tr(Msg::DownloadFailed { why: &m })}</p> })}
            {move || report.get().flatten().map(|r| {
                let sections = r.sections_zh();
                let count = sections.len();
                let charts: Vec<_> = (0..count).map(|n| r.chart_of(n, count).cloned()).collect();
                view! {
                    <article class="report" lang="zh-CN" data-testid="annual-report" data-year=r.year.to_string()>
                        <header class="report-head">
                            <h1 class="report-title" data-testid="report-title">{r.title_zh()}</h1>
                            <p class="report-issuer">{hongling_core::report::ISSUER_ZH}</p>
                            <p class="report-date">{r.date_zh()}</p>
                        </header>
                        {sections.into_iter().enumerate().map(|(n, s)| {
                            let chart = charts[n].clone();
                            view! {
                                <section class="report-section" data-testid="report-section" data-heading=s.heading.clone()>
                                    <h2>{s.heading.clone()}</h2>
                                    {chart.map(|table| view! { <BarChart table /> })}
                                    <table class="table">
                                        <thead><tr>{s.rows[0].iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                                        <tbody>
                                            {s.rows[1..].iter().map(|row| view! {
                                                <tr data-testid="report-row" data-label=row[0].clone()>
                                                    {row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            }
                        }).collect_view()}
                    </article>
                }
            })}
        </section>
    }
}
