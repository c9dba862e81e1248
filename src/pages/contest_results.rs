//! 比赛结果: the published results, immutable — printable on A4 (each judge's total, the
//! dropped ones struck through) and exported as CSV (on the tablet) or XLSX (from the
//! server). Before publication this page says the results are not out yet.

use hongling_core::contest::{Place, result_lines, result_rows};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::PhotoView;
use crate::i18n::{Key, Msg};
use crate::pages::contests::contest_of_route;
use crate::state::AppCtx;

#[component]
pub fn ContestResultsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    let error = RwSignal::new(None::<String>);
    let xlsx = move |id: Uuid| {
        let Some(token) = ctx.token() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match crate::sync::api::get_file(&token, &format!("/reports/contests/{id}?format=xlsx"))
                .await
            {
                Ok(bytes) => {
                    let _ = crate::download::save(
                        &format!("{}.xlsx", ctx.t(Key::ResultsFileName)),
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
                    // The CSV is the district's document, in Chinese like the server's
                    // Excel file; the screen speaks the user's language.
                    let csv = hongling_core::csv::write(&result_rows(&r));
                    let lines = result_lines(&r);
                    let id = d.id;
                    let judges: Vec<String> = r.judges.iter().map(|j| j.name.clone()).collect();
                    view! {
                        <div class="page-head">
                            <h1>{r.title.clone()} " · " {ctx.t(Key::Results)}</h1>
                            <span class="muted">{r.date.to_string()} " · " {ctx.t(Key::Published)} " " {r.published.on.to_string()}</span>
                        </div>
                        <div class="inline-form no-print">
                            <button type="button" class="btn" data-testid="print" on:click=move |_| { let _ = window().print(); }>{ctx.t(Key::Print)}</button>
                            <button type="button" class="btn" data-testid="results-csv" on:click=move |_| {
                                if let Err(e) = crate::download::save(&format!("{}.csv", ctx.t(Key::ResultsFileName)), "text/csv;charset=utf-8", csv.as_bytes()) {
                                    error.set(Some(format!("{e:?}")));
                                }
                            }>{ctx.t(Key::DownloadCsv)}</button>
                            <button type="button" class="btn" data-testid="results-xlsx" disabled=move || !ctx.online.get()
                                on:click=move |_| xlsx(id)>{ctx.t(Key::DownloadXlsx)}</button>
                        </div>
                        {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        <table class="table results-table" data-testid="results">
                            <thead><tr>
                                <th>{ctx.t(Key::PlaceHeader)}</th><th>{ctx.t(Key::ContestantHeader)}</th><th>{ctx.t(Key::OrganizationHeader)}</th>
                                {judges.into_iter().map(|h| view! { <th>{h}</th> }).collect_view()}
                                <th>{ctx.t(Key::FinalScoreHeader)}</th>
                            </tr></thead>
                            <tbody>
                                {lines.into_iter().map(|line| view! {
                                    <tr data-testid="result-row">
                                        <td>{match line.place {
                                            Place::Absent => ctx.t(Key::PlaceAbsent).to_owned(),
                                            Place::Ranked { rank, shared: true } => ctx.tr(Msg::SharedRank { rank: &rank }),
                                            Place::Ranked { rank, .. } => rank.to_string(),
                                            Place::None => String::new(),
                                        }}</td>
                                        <td>{line.name}</td>
                                        <td>{line.organization}</td>
                                        // Each total with the judge's handwritten
                                        // signature of the sheet beneath it.
                                        {line.totals.into_iter().map(|t| match t {
                                            Some(t) => {
                                                let autograph = t.autograph.clone();
                                                let shown = if t.dropped { view! { <s>{t.shown}</s> }.into_any() } else { view! { <span>{t.shown}</span> }.into_any() };
                                                view! {
                                                    <td class="num" class:dropped=t.dropped>
                                                        {shown}
                                                        {autograph.map(|a| view! { <PhotoView photo=Signal::stored(Some(a)) autograph=true /> })}
                                                    </td>
                                                }.into_any()
                                            }
                                            None => view! { <td></td> }.into_any(),
                                        }).collect_view()}
                                        <td>{line.score.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="muted">{ctx.t(Key::DroppedNote)}</p>
                        // Each sheet's device signature, checkable against the judge's
                        // published device key.
                        {(!r.signatures.is_empty()).then(|| {
                            let names = r.clone();
                            view! {
                                <h2>{ctx.t(Key::SheetSignatures)}</h2>
                                <table class="table signatures-table" data-testid="signatures">
                                    <thead><tr>
                                        <th>{ctx.t(Key::Judge)}</th><th>{ctx.t(Key::ContestantHeader)}</th>
                                        <th>{ctx.t(Key::Revision)}</th><th>{ctx.t(Key::HandwrittenSignature)}</th><th>{ctx.t(Key::SigningDevice)}</th><th>{ctx.t(Key::Signature)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {r.signatures.iter().map(|s| view! {
                                            <tr data-testid="signature-row">
                                                <td>{names.judges.iter().find(|j| j.account_id == s.judge_id).map(|j| j.name.clone()).unwrap_or_default()}</td>
                                                <td>{names.standings.iter().find(|x| x.contestant_id == s.contestant_id).map(|x| x.name.clone()).unwrap_or_default()}</td>
                                                <td class="num">{s.revision}</td>
                                                <td>{names.autograph(s.judge_id, s.contestant_id).cloned().map(|a| view! { <PhotoView photo=Signal::stored(Some(a)) autograph=true /> })}</td>
                                                <td class="mono">{s.signature.device_id.to_string()}</td>
                                                <td class="mono signature">{s.signature.signature.clone()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }
                        })}
                    }.into_any()
                }
            })}
        </section>
    }
}
