//! 指标看板: the programme's indicators by township, computed by
//! `hongling_core::indicators` from what this device holds (the committee's device holds
//! the whole district). Each chart exports its numbers as CSV.

use leptos::prelude::*;

use crate::components::BarChart;
use crate::i18n::Key;
use crate::read_model::Programme;
use crate::state::AppCtx;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Dashboard)}</h1>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <div class="charts">
                {move || data.get().flatten().map(|d| {
                    let today = hongling_core::china_today(ctx.now.get());
                    let lang = ctx.lang.get();
                    hongling_core::indicators::dashboard(&d.inputs(), today).into_iter().map(|mut table| {
                        // The CSV is the district's document, in Chinese; the screen speaks
                        // the user's language.
                        let csv = table.csv();
                        table.title = crate::labels::heading_text(lang, &table.heading);
                        table.columns = table.column_kinds.iter().map(|c| crate::labels::column_text(lang, c)).collect();
                        if let Some(total) = table.rows.last_mut() {
                            total.0 = ctx.t(Key::Total).to_owned();
                        }
                        let name = format!("{}-{today}.csv", table.title);
                        let id = format!("indicator-{}", table.id);
                        let title = table.title.clone();
                        let total = table.total().iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                        view! {
                            <section class="card indicator" data-testid=id data-total=total>
                                <div class="page-head">
                                    <h2>{title}</h2>
                                    <button type="button" class="btn btn-small" data-testid="download-csv"
                                        on:click=move |_| if let Err(e) = crate::download::save(&name, "text/csv;charset=utf-8", csv.as_bytes()) {
                                            error.set(Some(format!("{e:?}")));
                                        }>
                                        {ctx.t(Key::DownloadCsv)}
                                    </button>
                                </div>
                                <BarChart table />
                            </section>
                        }
                    }).collect_view()
                })}
            </div>
        </section>
    }
}
