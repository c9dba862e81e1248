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

/// Rows as an XLSX workbook with one sheet.
pub fn xlsx(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!(e));
    ws.set_name(sheet).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            // Numbers stay numbers, so the office can sum them in Excel.
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && c > 1 => ws.write_number(r, c, n).map_err(fail)?,
                _ if r == 0 => ws
                    .write_string_with_format(r, c, cell, &bold)
                    .map_err(fail)?,
                _ => ws.write_string(r, c, cell).map_err(fail)?,
            };
        }
    }
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
