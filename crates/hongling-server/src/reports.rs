//! Reports the district office downloads: the monthly stipend roster and a contest's
//! published results, as CSV or XLSX.
//!
//! The numbers come from `hongling_core::stipend`, the same code the app uses to show
//! the roster on a tablet; this module only reads the records and writes the files.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hongling_core::certification::{ProgrammeSettings, SETTINGS_ID};
use hongling_core::csv::write as csv;
use hongling_core::stipend::{parse_month, roster};
use hongling_core::{RecordKind, Township};
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Authenticated, Committee};
use crate::error::AppError;
use crate::store::Store;

#[derive(Debug, serde::Deserialize)]
pub struct StipendQuery {
    month: String,
    #[serde(default)]
    format: Option<String>,
}

/// Writes `rows` from row `top`: the first in bold (the header), then each cell from
/// column `numbers_from` on that reads as a number as a number, so the office can sum
/// them in Excel.
fn write_rows(
    ws: &mut rust_xlsxwriter::Worksheet,
    top: u32,
    rows: &[Vec<String>],
    numbers_from: u16,
) -> Result<(), AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!(e));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (header, at, c) = (r == 0, top + r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if !header && c >= numbers_from => ws.write_number(at, c, n),
                _ if header => ws.write_string_with_format(at, c, cell, &bold),
                _ => ws.write_string(at, c, cell),
            }
            .map_err(fail)?;
        }
    }
    Ok(())
}

/// Rows as an XLSX workbook with one sheet.
pub fn xlsx(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!(e));
    ws.set_name(sheet).map_err(fail)?;
    write_rows(ws, 0, rows, 2)?;
    ws.set_column_width(0, 12).map_err(fail)?;
    ws.set_column_width(1, 14).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

/// `GET /api/v1/reports/stipends?month=2026-11&format=csv|xlsx` (district committee).
pub async fn stipends<S: Store>(
    State(state): State<AppState<S>>,
    Committee(session): Committee,
    ext: axum::http::Extensions,
    Query(q): Query<StipendQuery>,
) -> Result<Response, AppError> {
    let Some((year, month)) = parse_month(&q.month) else {
        return Err(AppError::bad_request(
            "invalid_month",
            "月份格式应为 2026-11",
        ));
    };
    let format = q.format.as_deref().unwrap_or("csv");
    if !matches!(format, "csv" | "xlsx") {
        return Err(AppError::bad_request(
            "invalid_format",
            "导出格式应为 csv 或 xlsx",
        ));
    }
    let settings: ProgrammeSettings = state
        .store
        .records_of(RecordKind::Settings)
        .await?
        .into_iter()
        .find(|r| r.id == SETTINGS_ID)
        .and_then(|r| r.decode().ok())
        .unwrap_or_default();
    let certificates = hongling_core::certificate::with_status(
        &state.store.records_of(RecordKind::Certificate).await?,
        &state
            .store
            .records_of(RecordKind::CertificateStatus)
            .await?,
    );
    let townships: Vec<(Uuid, Township)> = state
        .store
        .records_of(RecordKind::Township)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect();
    let name = |id: Uuid| {
        townships
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, t)| t.name.clone())
            .unwrap_or_default()
    };
    let rows = roster(year, month, &settings, &certificates).rows(&settings, &name);
    // A list of people and money: its download goes in the 安全日志, like the lists'.
    crate::api::security(
        &state,
        hongling_core::wire::SecurityEvent::Export,
        &session.account.username,
        &format!("stipends-{year}-{month:02}"),
        &ext,
        &format!("{} 行，{format}", rows.len().saturating_sub(1)),
    )
    .await?;
    rows_file(
        format,
        &format!("stipends-{year}-{month:02}"),
        &format!("{year}年{month}月岗位津贴"),
        &rows,
    )
}

/// Rows as a CSV or XLSX download named `stem.format`.
fn rows_file(
    format: &str,
    stem: &str,
    sheet: &str,
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    let disposition = format!("attachment; filename=\"{stem}.{format}\"");
    Ok(if format == "csv" {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            csv(rows),
        )
            .into_response()
    } else {
        (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            xlsx(sheet, rows)?,
        )
            .into_response()
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct FormatQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/v1/reports/contests/{id}?format=csv|xlsx`: a contest's published results
/// (public once published: any signed-in account).
pub async fn contest<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(_session): Authenticated,
    axum::extract::Path(id): axum::extract::Path<Uuid>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, AppError> {
    let format = q.format.as_deref().unwrap_or("csv");
    if !matches!(format, "csv" | "xlsx") {
        return Err(AppError::bad_request(
            "invalid_format",
            "导出格式应为 csv 或 xlsx",
        ));
    }
    let results: hongling_core::contest::ContestResults = state
        .store
        .records_of(RecordKind::ContestResults)
        .await?
        .into_iter()
        .find(|r| r.id == id && !r.deleted)
        .and_then(|r| r.decode().ok())
        .ok_or_else(|| {
            AppError::client(StatusCode::NOT_FOUND, "not_found", "该比赛结果尚未公布")
        })?;
    let rows = hongling_core::contest::result_rows(&results);
    rows_file(
        format,
        &format!("contest-{}", results.date),
        "比赛结果",
        &rows,
    )
}

#[derive(Debug, serde::Deserialize)]
pub struct AnnualQuery {
    year: i32,
    #[serde(default)]
    format: Option<String>,
}

/// Every decoded record of `kind`, with its id.
async fn decoded<S: Store, T: serde::de::DeserializeOwned>(
    state: &AppState<S>,
    kind: RecordKind,
) -> Result<Vec<(Uuid, T)>, AppError> {
    Ok(state
        .store
        .records_of(kind)
        .await?
        .into_iter()
        .filter(|r| !r.deleted)
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect())
}

fn values<T>(v: Vec<(Uuid, T)>) -> Vec<T> {
    v.into_iter().map(|(_, t)| t).collect()
}

/// The annual report of `year` from everything the server holds.
pub async fn annual_report<S: Store>(
    state: &AppState<S>,
    year: i32,
    today: chrono::NaiveDate,
) -> Result<hongling_core::report::AnnualReport, AppError> {
    use hongling_core::report::{Sources, annual};
    let settings: ProgrammeSettings = state
        .store
        .records_of(RecordKind::Settings)
        .await?
        .into_iter()
        .find(|r| r.id == SETTINGS_ID)
        .and_then(|r| r.decode().ok())
        .unwrap_or_default();
    let townships: Vec<(Uuid, Township)> = decoded(state, RecordKind::Township).await?;
    let inputs = hongling_core::indicators::Inputs {
        townships: townships.into_iter().map(|(id, t)| (id, t.name)).collect(),
        workers: decoded(state, RecordKind::Worker).await?,
        certificates: decoded(state, RecordKind::Certificate).await?,
        statuses: decoded(state, RecordKind::CertificateStatus).await?,
        pool: values(decoded(state, RecordKind::PoolEntry).await?),
        attendance: values(decoded(state, RecordKind::Attendance).await?),
        visits: values(decoded(state, RecordKind::Visit).await?),
        mentors: values(decoded(state, RecordKind::Mentor).await?),
        pairs: values(decoded(state, RecordKind::MentorPair).await?),
        inspections: values(decoded(state, RecordKind::Inspection).await?),
        grades: settings.grades.clone(),
    };
    let applications = decoded(state, RecordKind::Application).await?;
    let batches = decoded(state, RecordKind::Batch).await?;
    let sessions = decoded(state, RecordKind::TrainingSession).await?;
    let studios = decoded(state, RecordKind::Studio).await?;
    let results = values(decoded(state, RecordKind::ContestResults).await?);
    let honours = values(decoded(state, RecordKind::Honour).await?);
    let recommendations = values(decoded(state, RecordKind::Recommendation).await?);
    Ok(annual(
        Sources {
            indicators: &inputs,
            applications: &applications,
            batches: &batches,
            sessions: &sessions,
            studios: &studios,
            results: &results,
            honours: &honours,
            recommendations: &recommendations,
        },
        year,
        today,
    ))
}

/// The report as a Word document on A4: title, issuing office and date, then each
/// section's heading and table, in a Chinese font WPS and Word both have.
pub fn docx(report: &hongling_core::report::AnnualReport) -> Result<Vec<u8>, AppError> {
    use docx_rs::{
        AlignmentType, Docx, Paragraph, Run, RunFonts, Table, TableCell, TableRow, WidthType,
    };
    let song = || RunFonts::new().east_asia("宋体").ascii("Times New Roman");
    let text = |s: &str, size: usize, bold: bool| {
        let run = Run::new().add_text(s).size(size).fonts(song());
        if bold { run.bold() } else { run }
    };
    let mut doc = Docx::new()
        // A4 in twentieths of a point.
        .page_size(11906, 16838)
        .default_fonts(song())
        .default_size(24)
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&report.title_zh(), 40, true))
                .align(AlignmentType::Center),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(text(hongling_core::report::ISSUER_ZH, 28, false))
                .align(AlignmentType::Center),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(text(&report.date_zh(), 28, false))
                .align(AlignmentType::Center),
        );
    let sections = report.sections_zh();
    let count = sections.len();
    for (n, section) in sections.into_iter().enumerate() {
        doc = doc.add_paragraph(Paragraph::new().add_run(text(&section.heading, 30, true)));
        if let Some(table) = report.chart_of(n, count) {
            let (legend, chart) = docx_chart(table);
            doc = doc.add_paragraph(legend).add_table(chart);
        }
        let rows = section
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                TableRow::new(
                    row.iter()
                        .map(|cell| {
                            TableCell::new().add_paragraph(Paragraph::new().add_run(text(
                                cell,
                                21,
                                i == 0,
                            )))
                        })
                        .collect(),
                )
            })
            .collect();
        doc = doc.add_table(Table::new(rows).width(9000, WidthType::Dxa));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("docx: {e}")))?;
    Ok(out.into_inner())
}

/// Grid columns a full bar spans in a `.docx` chart, and their width (twentieths of a
/// point): the bar's length is its share of the chart's scale in fiftieths.
const BAR_STEPS: usize = 50;
const BAR_STEP_DXA: usize = 110;

/// An indicator table as a bar chart Word and WPS both draw and print: a table without
/// borders whose shaded cells are the bars (one row per township and column, a cell
/// spanning as many grid columns as the value's share of the scale), the township's name
/// on its first row and the number after each bar; and the legend above it. Text, not a
/// picture, so the Chinese names need no font on the server and stay searchable.
fn docx_chart(table: &hongling_core::indicators::Table) -> (docx_rs::Paragraph, docx_rs::Table) {
    use docx_rs::{
        Paragraph, Run, RunFonts, Shading, ShdType, Table, TableBorders, TableCell,
        TableCellBorders, TableRow, WidthType,
    };
    use hongling_core::indicators::CHART_COLOURS;
    let colour = |j: usize| CHART_COLOURS[j % CHART_COLOURS.len()].to_uppercase();
    let small = |s: &str| {
        Run::new()
            .add_text(s)
            .size(18)
            .fonts(RunFonts::new().east_asia("宋体").ascii("Times New Roman"))
    };
    let mut legend = Paragraph::new();
    for (j, c) in table.columns.iter().enumerate() {
        legend = legend
            .add_run(small("■ ").color(colour(j)))
            .add_run(small(&format!("{c}    ")));
    }
    let cell = |span: usize| {
        TableCell::new()
            .grid_span(span)
            .width(span * BAR_STEP_DXA, WidthType::Dxa)
            .set_borders(TableCellBorders::with_empty())
    };
    let max = table.chart_max();
    let unit = if table.percent { "%" } else { "" };
    let mut rows = Vec::new();
    for (town, values) in table.chart_rows() {
        for (j, v) in values.iter().enumerate() {
            let steps = (BAR_STEPS as i64 * (*v).clamp(0, max) / max) as usize;
            let mut cells = vec![
                TableCell::new()
                    .width(1800, WidthType::Dxa)
                    .set_borders(TableCellBorders::with_empty())
                    .add_paragraph(Paragraph::new().add_run(small(if j == 0 { town } else { "" }))),
            ];
            if steps > 0 {
                cells.push(
                    cell(steps)
                        .shading(Shading::new().shd_type(ShdType::Clear).fill(colour(j)))
                        .add_paragraph(Paragraph::new()),
                );
            }
            if steps < BAR_STEPS {
                cells.push(cell(BAR_STEPS - steps).add_paragraph(Paragraph::new()));
            }
            cells.push(
                TableCell::new()
                    .width(900, WidthType::Dxa)
                    .set_borders(TableCellBorders::with_empty())
                    .add_paragraph(Paragraph::new().add_run(small(&format!("{v}{unit}")))),
            );
            rows.push(TableRow::new(cells));
        }
    }
    let grid = std::iter::once(1800)
        .chain(std::iter::repeat_n(BAR_STEP_DXA, BAR_STEPS))
        .chain(std::iter::once(900))
        .collect();
    let chart = Table::new(rows)
        .set_grid(grid)
        .set_borders(TableBorders::with_empty())
        .width(1800 + BAR_STEPS * BAR_STEP_DXA + 900, WidthType::Dxa);
    (legend, chart)
}

/// The report as a workbook: the title sheet's facts, then one sheet per section.
pub fn report_xlsx(report: &hongling_core::report::AnnualReport) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!(e));
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let cover = book.add_worksheet();
    cover.set_name("报告").map_err(fail)?;
    cover
        .write_string_with_format(0, 0, report.title_zh(), &bold)
        .map_err(fail)?;
    cover
        .write_string(1, 0, hongling_core::report::ISSUER_ZH)
        .map_err(fail)?;
    cover.write_string(2, 0, report.date_zh()).map_err(fail)?;
    for (n, section) in report.sections_zh().into_iter().enumerate() {
        let ws = book.add_worksheet();
        // Sheet names are short and unique: the section's number.
        ws.set_name(format!("{}", n + 1)).map_err(fail)?;
        ws.write_string_with_format(0, 0, &section.heading, &bold)
            .map_err(fail)?;
        write_rows(ws, 1, &section.rows, 0)?;
        ws.set_column_width(0, 28).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}

/// `GET /api/v1/reports/annual?year=2026&format=docx|xlsx` (district committee): the
/// 年度工作报告 as a Word document or a workbook.
pub async fn annual<S: Store>(
    State(state): State<AppState<S>>,
    Committee(session): Committee,
    ext: axum::http::Extensions,
    Query(q): Query<AnnualQuery>,
) -> Result<Response, AppError> {
    let today = hongling_core::china_today(chrono::Utc::now());
    if !(2000..=chrono::Datelike::year(&today)).contains(&q.year) {
        return Err(AppError::bad_request(
            "invalid_year",
            "年份应在 2000 年至今年之间",
        ));
    }
    let format = q.format.as_deref().unwrap_or("docx");
    let (body, mime) = match format {
        "docx" => (
            docx(&annual_report(&state, q.year, today).await?)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            report_xlsx(&annual_report(&state, q.year, today).await?)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => {
            return Err(AppError::bad_request(
                "invalid_format",
                "导出格式应为 docx 或 xlsx",
            ));
        }
    };
    crate::api::security(
        &state,
        hongling_core::wire::SecurityEvent::Export,
        &session.account.username,
        &format!("annual-report-{}", q.year),
        &ext,
        format,
    )
    .await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"annual-report-{}.{format}\"", q.year),
            ),
        ],
        body,
    )
        .into_response())
}
