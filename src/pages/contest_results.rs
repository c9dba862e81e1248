//! 比赛结果: the published results, immutable — printable on A4 (each judge's total, the
//! dropped ones struck through) and exported as CSV (on the tablet) or XLSX (from the
//! server). Before publication this page says the results are not out yet.

use hongling_core::contest::result_rows;
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::Key;
use crate::pages::contests::contest_of_route;
use crate::state::AppCtx;

#[component]
pub fn ContestResultsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    let error = RwSignal::new(None::<String>);
    let xlsx = move |id: Uuid| {
        let Some(token) = ctx
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match crate::sync::api::get_file(&token, &format!("/reports/contests/{id}?format=xlsx"))
                .await
            {
                Ok(bytes) => {
                    let _ = crate::download::save(
                        "比赛结果.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        &bytes,
                    );
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="page contest-results">
            {move || data.get().flatten().map(|d| match d.results.clone() {
                None => view! { <p class="empty-state" data-testid="not-published">{ctx.t(Key::NotPublishedYet)}</p> }.into_any(),
                Some(r) => {
                    let rows = result_rows(&r);
                    let csv = hongling_core::csv::write(&rows);
                    let id = d.id;
                    let header = rows[0].clone();
                    view! {
                        <div class="page-head">
                            <h1>{r.title.clone()} " · " {ctx.t(Key::Results)}</h1>
                            <span class="muted">{r.date.to_string()} " · " {ctx.t(Key::Published)} " " {r.published.on.to_string()}</span>
                        </div>
                        <div class="inline-form no-print">
                            <button type="button" class="btn" data-testid="print" on:click=move |_| { let _ = window().print(); }>{ctx.t(Key::Print)}</button>
                            <button type="button" class="btn" data-testid="results-csv" on:click=move |_| {
                                if let Err(e) = crate::download::save("比赛结果.csv", "text/csv;charset=utf-8", csv.as_bytes()) {
                                    error.set(Some(format!("{e:?}")));
                                }
                            }>{ctx.t(Key::DownloadCsv)}</button>
                            <button type="button" class="btn" data-testid="results-xlsx" disabled=move || !ctx.online.get()
                                on:click=move |_| xlsx(id)>{ctx.t(Key::DownloadXlsx)}</button>
                        </div>
                        {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        <table class="table results-table" data-testid="results">
                            <thead><tr>{header.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {rows.into_iter().skip(1).map(|row| view! {
                                    <tr data-testid="result-row">
                                        {row.into_iter().map(|cell| match cell.strip_suffix("（去掉）") {
                                            Some(v) => view! { <td class="num dropped"><s>{v.to_owned()}</s></td> }.into_any(),
                                            None => view! { <td>{cell}</td> }.into_any(),
                                        }).collect_view()}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="muted">{ctx.t(Key::DroppedNote)}</p>
                    }.into_any()
                }
            })}
        </section>
    }
}
