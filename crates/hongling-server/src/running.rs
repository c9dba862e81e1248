//! What keeps the server up for years: a panic in a handler answers 500 and the server
//! goes on, requests have deadlines, the number under way is bounded, and each request
//! leaves one structured log line.
//!
//! The log line says method, route (the matched pattern, so no ID-card number or token
//! in a path reaches the log), status, milliseconds and account: never a body, a token
//! or a password.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hongling_core::wire::ErrorBody;

/// Most requests under way at once; more wait for a place.
pub const MAX_IN_FLIGHT: usize = 256;

/// The deadline of an ordinary API request (a pull page, a push batch, a report).
pub const API_TIMEOUT: Duration = Duration::from_secs(60);

/// The deadline of an attachment upload or download: a photo over a township's 4G link
/// may take minutes.
pub const BLOB_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Where the bearer-token extractor writes the account of a request, for its log line.
#[derive(Debug, Clone, Default)]
pub struct AccountSlot(pub Arc<Mutex<Option<String>>>);

impl AccountSlot {
    pub fn set(&self, username: &str) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(username.to_owned());
        }
    }
}

/// Logs one line per request.
pub async fn log_request(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(static)".to_owned(), |p| p.as_str().to_owned());
    let slot = AccountSlot::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    let account = slot.0.lock().ok().and_then(|s| s.clone());
    let ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        target: "hongling_server::request",
        %method,
        route,
        status = res.status().as_u16(),
        ms,
        account = account.as_deref().unwrap_or("-"),
    );
    res
}

/// The answer to a handler that panicked: 500 JSON, and the server goes on.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    tracing::error!(panic = what, "a handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        axum::Json(ErrorBody {
            code: "internal".into(),
            message: "服务器内部错误，已记录，请稍后重试".into(),
            last_applied: None,
        }),
    )
        .into_response()
}

/// The answer to a request past its deadline.
pub fn timeout_response() -> Response {
    (
        StatusCode::REQUEST_TIMEOUT,
        axum::Json(ErrorBody {
            code: "timeout".into(),
            message: "请求超时，请检查网络后重试".into(),
            last_applied: None,
        }),
    )
        .into_response()
}

/// Gives each request its deadline: attachments get minutes, everything else one minute.
pub async fn deadline(req: Request, next: Next) -> Response {
    let limit = if req.uri().path().starts_with("/api/v1/blobs/") {
        BLOB_TIMEOUT
    } else {
        API_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => timeout_response(),
    }
}
