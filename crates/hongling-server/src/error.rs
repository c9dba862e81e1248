//! The one error type at the HTTP edge.
//!
//! Every failure leaves as JSON `{code, message}` with a fitting 4xx or 5xx status. The
//! message is Chinese, for the person looking at the tablet; internal errors are logged
//! and never described to the client.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hongling_core::wire::{ErrorBody, SessionEnding};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Client {
        status: StatusCode,
        code: &'static str,
        message: String,
        last_applied: Option<u64>,
    },
    /// Too many failed logins from this pair: 429 with `Retry-After`, answered at once.
    #[error("held for {wait_secs} s")]
    Held { wait_secs: u64 },
    /// Too many password hashes already waiting: 503 with `Retry-After`, answered at once.
    #[error("busy")]
    Busy,
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn client(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Client {
            status,
            code,
            message: message.into(),
            last_applied: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::client(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::DeviceBound => AppError::client(
                StatusCode::CONFLICT,
                "device_bound",
                "此设备已绑定其他账号，请先在该账号下退出登录",
            ),
            StoreError::UnknownDevice => AppError::client(
                StatusCode::FORBIDDEN,
                "unknown_device",
                "此设备未在本账号下登录，请重新登录",
            ),
            StoreError::DeviceRevoked => AppError::client(
                StatusCode::FORBIDDEN,
                SessionEnding::DeviceRevoked.code(),
                "此设备已被停用，请联系区委非公工委",
            ),
            StoreError::UsernameTaken => {
                AppError::client(StatusCode::CONFLICT, "username_taken", "该用户名已被使用")
            }
            StoreError::Gap { last_applied } => AppError::Client {
                status: StatusCode::CONFLICT,
                code: "gap",
                message: format!(
                    "服务器只收到第 {last_applied} 条之前的变更，请从第 {} 条起重新发送",
                    last_applied + 1
                ),
                last_applied: Some(last_applied),
            },
            StoreError::Database(e) => AppError::Internal(e.into()),
            StoreError::Other(e) => AppError::Internal(e),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        let status = r.status();
        let (code, message) = match &r {
            JsonRejection::JsonSyntaxError(_) => ("malformed_json", "请求内容不是有效的 JSON"),
            JsonRejection::JsonDataError(_) => ("invalid_body", "请求内容的字段不正确"),
            JsonRejection::MissingJsonContentType(_) => {
                ("unsupported_media_type", "请求须为 application/json")
            }
            _ if status == StatusCode::PAYLOAD_TOO_LARGE => {
                ("body_too_large", "请求内容过大，请分批发送")
            }
            _ => ("invalid_body", "无法读取请求内容"),
        };
        AppError::client(status, code, format!("{message}（{}）", r.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        AppError::bad_request(
            "invalid_query",
            format!("查询参数不正确（{}）", r.body_text()),
        )
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Client {
                status,
                code,
                message,
                last_applied,
            } => (
                status,
                Json(ErrorBody {
                    code: code.to_owned(),
                    message,
                    last_applied,
                }),
            )
                .into_response(),
            AppError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(axum::http::header::RETRY_AFTER, "2".to_owned())],
                Json(ErrorBody {
                    code: "busy".to_owned(),
                    message: "服务器繁忙，请稍后再试".to_owned(),
                    last_applied: None,
                }),
            )
                .into_response(),
            AppError::Held { wait_secs } => {
                let minutes = wait_secs.div_ceil(60).max(1);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(
                        axum::http::header::RETRY_AFTER,
                        wait_secs.max(1).to_string(),
                    )],
                    Json(ErrorBody {
                        code: "too_many_attempts".to_owned(),
                        message: format!("登录失败次数过多，请 {minutes} 分钟后再试"),
                        last_applied: None,
                    }),
                )
                    .into_response()
            }
            AppError::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(ErrorBody {
                        code: "internal".to_owned(),
                        message: "服务器内部错误，请稍后重试".to_owned(),
                        last_applied: None,
                    }),
                )
                    .into_response()
            }
        }
    }
}

/// `axum::Json`, with rejections in our envelope.
#[derive(Debug, Clone, Copy, Default, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
