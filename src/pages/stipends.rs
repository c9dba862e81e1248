use hongling_core::RecordKind;
use hongling_core::csv::write as csv;
use hongling_core::stipend::{month_of, parse_month, roster};
use leptos::prelude::*;

use crate::i18n::{Key, Msg};
use crate::read_model::{Directory, load_settings};
use crate::state::AppCtx;

/// 岗位津贴 (district committee): a month's roster, prorated by the days each grade was
/// held, computed on the device from the certificates it holds; CSV offline, XLSX from
/// the server.
#[component]
pub fn StipendsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let month = RwSignal::new(month_of(hongling_core::china_today(chrono::Utc::now())));
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        let month = month.get();
        async move {
            let (year, m) = parse_month(&month)?;
            let settings = load_settings().await.ok()?;
            let certs = hongling_core::certificate::with_status(
                &crate::read_model::records(RecordKind::Certificate)
                    .await
                    .ok()?,
                &crate::read_model::records(RecordKind::CertificateStatus)
                    .await
                    .ok()?,
            );
            let dir = Directory::load().await.ok()?;
            let roster = roster(year, m, &settings, &certs);
            let grades: Vec<String> = settings.grades.iter().map(|g| g.name.clone()).collect();
            Some((roster.rows(&settings, &|t| dir.township_name(t)), grades))
        }
    });
    let save_csv = move |_| {
        // The CSV is the district's document, in Chinese like the server's Excel file.
        if let Some(Some((rows, _))) = data.get_untracked() {
            let name = format!("stipends-{}.csv", month.get_untracked());
            if let Err(e) = crate::download::save(&name, "text/csv", csv(&rows).as_bytes()) {
                error.set(Some(format!("{e:?}")));
            }
        }
    };
    let save_xlsx = move |_| {
        let Some(token) = ctx.token() else {
            return;
        };
        let m = month.get_untracked();
        leptos::task::spawn_local(async move {
            let path = format!("/reports/stipends?month={m}&format=xlsx");
            match crate::sync::api::get_file(&token, &path).await {
                Ok(bytes) => {
                    let _ = crate::download::save(
                        &format!("stipends-{m}.xlsx"),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        &bytes,
                    );
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="page">
            <div class="page-head no-print">
                <h1>{move || ctx.t(Key::Stipends)}</h1>
                <input type="month" name="month" prop:value=move || month.get()
                    on:input=move |ev| month.set(event_target_value(&ev)) />
            </div>
            <div class="inline-form no-print">
                <button class="btn" data-testid="csv" on:click=save_csv>{move || ctx.t(Key::ExportCsv)}</button>
                <button class="btn" data-testid="xlsx" disabled=move || !ctx.online.get() on:click=save_xlsx>
                    {move || ctx.t(Key::ExportXlsx)}
                </button>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || data.get().flatten().map(|(rows, grades)| {
                let mut head = vec![ctx.t(Key::RosterName).to_owned(), ctx.t(Key::RosterTownship).to_owned()];
                head.extend(grades.iter().map(|g| ctx.tr(Msg::RosterGradeDays { grade: g })));
                head.extend([ctx.t(Key::RosterDaysInMonth).to_owned(), ctx.t(Key::RosterStipend).to_owned()]);
                let mut body = rows.get(1..).unwrap_or_default().to_vec();
                // The last line is the total.
                if let Some(cell) = body.last_mut().and_then(|r| r.first_mut()) {
                    *cell = ctx.t(Key::Total).to_owned();
                }
                view! {
                    <table class="table" data-testid="roster">
                        <thead><tr>{head.into_iter().map(|c| view! { <th>{c}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {body.into_iter().map(|r| view! {
                                <tr>{r.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
            <p class="muted">{move || ctx.t(Key::StipendRule)} " "</p>
        </section>
    }
}
