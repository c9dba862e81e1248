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
use hongling_core::wire::{ImportReply, MutationStatus};
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

/// Rows of text from an XLSX (first sheet) or a CSV file (UTF-8, or GB18030 as Excel
/// saves it on Chinese Windows).
pub fn read_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    if bytes.starts_with(b"PK") {
        let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e| {
                AppError::bad_request("unreadable_file", format!("无法读取 Excel 文件（{e}）"))
            })?;
        let sheet = book
            .worksheet_range_at(0)
            .ok_or_else(|| AppError::bad_request("unreadable_file", "Excel 文件中没有工作表"))?
            .map_err(|e| {
                AppError::bad_request("unreadable_file", format!("无法读取工作表（{e}）"))
            })?;
        return Ok(sheet
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect());
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.map(|r| r.iter().map(|c| c.trim().to_owned()).collect())
                .map_err(|e| {
                    AppError::bad_request("unreadable_file", format!("CSV 格式有误（{e}）"))
                })
        })
        .collect()
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
    Path(what): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let rows = read_rows(&body)?;
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
    Committee(_session): Committee,
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
    match format {
        "csv" => Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            csv(&rows),
        )
            .into_response()),
        "xlsx" => Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            xlsx_text(sheet, &rows)?,
        )
            .into_response()),
        _ => Err(AppError::bad_request(
            "invalid_format",
            "导出格式应为 csv 或 xlsx",
        )),
    }
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
