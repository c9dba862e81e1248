//! The district office's Excel lists: import organisations and workers from XLSX or CSV
//! with a preview and a per-row report, all or nothing; export the same columns.
//!
//! Reading the file is here; deciding each row is `hongling_core::import`, which turns
//! rows into the ops a form would make and runs them through `apply`.

use std::io::Cursor;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use calamine::{Data, Reader};
use hongling_core::csv::write as csv;
use hongling_core::import::{
    Records, organization_rows, plan_organizations, plan_workers, worker_rows,
};
use hongling_core::wire::{ImportReply, MutationStatus, SecurityEvent};
use hongling_core::{Actor, RecordKind};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Committee;
use crate::error::AppError;
use crate::store::Store;

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    commit: bool,
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_owned(),
    }
}

/// Most data rows an import may hold (the header row comes on top).
pub const MAX_IMPORT_ROWS: usize = 20_000;
/// Most columns an import sheet may declare or use; the lists have about ten.
pub const MAX_IMPORT_COLUMNS: u32 = 64;
/// Most bytes all the parts of an XLSX file may hold once inflated: a list of 20,000
/// rows is a few MiB, a zip bomb is gigabytes.
pub const MAX_XLSX_INFLATED: u64 = 64 * 1024 * 1024;

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::client(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn too_many_rows(rows: usize) -> AppError {
    refused(
        "file_too_large",
        format!("文件有 {rows} 行数据，一次最多导入 {MAX_IMPORT_ROWS} 行；请分成几个文件导入"),
    )
}

/// Inflates every part of the archive into nothing, counting: refuses a file whose parts
/// hold more than [`MAX_XLSX_INFLATED`] bytes, whatever sizes its directory claims.
fn check_inflated_size(bytes: &[u8]) -> Result<(), AppError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::bad_request("unreadable_file", format!("无法读取 Excel 文件（{e}）"))
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let mut left = MAX_XLSX_INFLATED;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(|e| unreadable(&e))?;
        let read = std::io::copy(
            &mut std::io::Read::take(part, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| unreadable(&e))?;
        if read > left {
            return Err(refused(
                "file_too_large",
                format!(
                    "Excel 文件解压后超过 {} MiB，不像一份名单；请另存为新文件或分成几个文件导入",
                    MAX_XLSX_INFLATED / 1024 / 1024
                ),
            ));
        }
        left -= read;
    }
    Ok(())
}

/// The first sheet's cells as rows of text. The sheet's declared range is checked before
/// a cell is read, and every cell against the same bounds, so nothing is allocated for
/// a cell in XFD1048576.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    check_inflated_size(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
            AppError::bad_request("unreadable_file", format!("无法读取 Excel 文件（{e}）"))
        })?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::bad_request("unreadable_file", "Excel 文件中没有工作表"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| AppError::bad_request("unreadable_file", format!("无法读取工作表（{e}）")))?;
    let max_row = MAX_IMPORT_ROWS as u32; // 0-based: the header and 20,000 rows.
    let declared = cells.dimensions();
    if declared.end.0 > max_row || declared.end.1 >= MAX_IMPORT_COLUMNS {
        return Err(refused(
            "sheet_too_large",
            format!(
                "工作表声明的范围有 {} 行、{} 列，超过上限（{MAX_IMPORT_ROWS} 行数据、{MAX_IMPORT_COLUMNS} 列）；请只保留名单所在的区域，另存后重新导入",
                u64::from(declared.end.0) + 1,
                u64::from(declared.end.1) + 1
            ),
        ));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| AppError::bad_request("unreadable_file", format!("无法读取工作表（{e}）")))?
    {
        let (row, col) = cell.get_position();
        let value = Data::from(cell.get_value().clone());
        if value == Data::Empty {
            continue;
        }
        if col >= MAX_IMPORT_COLUMNS {
            return Err(refused(
                "sheet_too_large",
                format!(
                    "工作表第 {} 列有内容，一次最多导入 {MAX_IMPORT_COLUMNS} 列",
                    col + 1
                ),
            ));
        }
        if row > max_row {
            return Err(too_many_rows(row as usize));
        }
        let (row, col) = (row as usize, col as usize);
        if rows.len() <= row {
            rows.resize_with(row + 1, Vec::new);
        }
        if rows[row].len() <= col {
            rows[row].resize(col + 1, String::new());
        }
        rows[row][col] = cell_text(&value);
    }
    Ok(rows)
}

/// Rows of text from an XLSX (first sheet) or a CSV file (UTF-8, or GB18030 as Excel
/// saves it on Chinese Windows). CPU-bound: run it on a blocking thread.
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let rows = if bytes.starts_with(b"PK") {
        read_xlsx(bytes)?
    } else {
        read_csv(bytes)?
    };
    // The header row comes on top of the data rows.
    if rows.len() > MAX_IMPORT_ROWS + 1 {
        return Err(too_many_rows(rows.len() - 1));
    }
    Ok(rows)
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            AppError::bad_request("unreadable_file", format!("CSV 格式有误（{e}）"))
        })?;
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(too_many_rows(rows.len()));
        }
        if record.len() > MAX_IMPORT_COLUMNS as usize {
            return Err(refused(
                "sheet_too_large",
                format!(
                    "第 {} 行有 {} 列，一次最多导入 {MAX_IMPORT_COLUMNS} 列",
                    rows.len() + 1,
                    record.len()
                ),
            ));
        }
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(rows)
}

async fn records<S: Store>(store: &S) -> Result<Records, AppError> {
    let mut records = Records::new();
    for kind in [
        RecordKind::Township,
        RecordKind::Organization,
        RecordKind::Worker,
        RecordKind::IdCard,
        RecordKind::IdCardIndex,
    ] {
        for r in store.records_of(kind).await? {
            records.insert(r.key(), r);
        }
    }
    Ok(records)
}

/// `POST /api/v1/admin/import/{organizations|workers}?commit=false|true`: the body is
/// the file. Without `commit` it only previews.
pub async fn import<S: Store>(
    State(state): State<AppState<S>>,
    Committee(session): Committee,
    ext: axum::http::Extensions,
    Path(what): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    // Parsing a spreadsheet is CPU work: off the async threads, so other users' syncs go on.
    let rows = tokio::task::spawn_blocking(move || read_rows(&body))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import parsing panicked: {e}")))??;
    let actor: Actor = session.actor();
    let mut records = records(&state.store).await?;
    let mut new_id = Uuid::new_v4;
    let plan = match what.as_str() {
        "organizations" => plan_organizations(&rows, &mut records, &actor, &mut new_id),
        "workers" => plan_workers(&rows, &mut records, &actor, &mut new_id),
        _ => {
            return Err(AppError::client(
                StatusCode::NOT_FOUND,
                "not_found",
                "只能导入 organizations 或 workers",
            ));
        }
    };
    let bad = plan.rows.iter().filter(|r| !r.errors.is_empty()).count();
    let mut reply = ImportReply {
        code: "ok".into(),
        message: format!("共 {} 行，全部可以导入", plan.rows.len()),
        rows: plan.rows.clone(),
        file_errors: plan.file_errors.clone(),
        imported: 0,
    };
    if !plan.is_clean() {
        reply.code = "import_invalid".into();
        reply.message = if plan.file_errors.is_empty() {
            format!("有 {bad} 行有错误，请改正后重新导入；未导入任何数据")
        } else {
            format!("{}；未导入任何数据", plan.file_errors.join("；"))
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(reply)).into_response());
    }
    if q.commit {
        let n = plan.ops.len();
        let result = state.store.import(&actor, plan.ops).await?;
        if let Some(refused) = result
            .results
            .iter()
            .find(|r| r.status == MutationStatus::Rejected)
        {
            // The data changed between the preview and now: nothing was kept.
            reply.code = "import_conflict".into();
            reply.message = format!(
                "第 {} 行未能导入（{}）；未导入任何数据，请重新预览",
                reply.rows[refused.id as usize - 1].row,
                refused.message.clone().unwrap_or_default()
            );
            return Ok((StatusCode::CONFLICT, Json(reply)).into_response());
        }
        reply.imported = n;
        reply.message = format!("已导入 {n} 条");
        crate::api::security(
            &state,
            SecurityEvent::Import,
            &session.account.username,
            &what,
            &ext,
            &reply.message,
        )
        .await?;
    }
    Ok(Json(reply).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /api/v1/admin/export/{organizations|workers}?format=csv|xlsx`: the same columns
/// the import reads.
pub async fn export<S: Store>(
    State(state): State<AppState<S>>,
    Committee(session): Committee,
    ext: axum::http::Extensions,
    Path(what): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let records = records(&state.store).await?;
    let (rows, sheet) = match what.as_str() {
        "organizations" => (organization_rows(&records), "单位"),
        "workers" => (worker_rows(&records), "党务工作者"),
        _ => {
            return Err(AppError::client(
                StatusCode::NOT_FOUND,
                "not_found",
                "只能导出 organizations 或 workers",
            ));
        }
    };
    let format = q.format.as_deref().unwrap_or("csv");
    let disposition = format!("attachment; filename=\"{what}.{format}\"");
    let response = match format {
        "csv" => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            csv(&rows),
        )
            .into_response(),
        "xlsx" => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            xlsx_text(sheet, &rows)?,
        )
            .into_response(),
        _ => {
            return Err(AppError::bad_request(
                "invalid_format",
                "导出格式应为 csv 或 xlsx",
            ));
        }
    };
    crate::api::security(
        &state,
        SecurityEvent::Export,
        &session.account.username,
        &what,
        &ext,
        &format!("{} 行，{format}", rows.len().saturating_sub(1)),
    )
    .await?;
    Ok(response)
}

/// Rows as an XLSX workbook, every cell as text (ID numbers must not become numbers).
fn xlsx_text(sheet: &str, rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!(e));
    ws.set_name(sheet).map_err(fail)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, cell).map_err(fail)?;
        }
    }
    ws.set_column_width(0, 16).map_err(fail)?;
    ws.set_column_width(1, 22).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}
