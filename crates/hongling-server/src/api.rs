//! The HTTP handlers of `/api/v1`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use hongling_core::wire::{
    LoginRequest, LoginResponse, MAX_PULL_LIMIT, MAX_PUSH_BATCH, Mutation, PROTOCOL_HEADER,
    PROTOCOL_VERSION, PullResponse, PushResponse,
};
use hongling_core::{Grant, Op, Role, Scope};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{Authenticated, hash_password, new_token, token_hash, verify_password};
use crate::error::{ApiJson, AppError};
use crate::store::Store;

/// How long a session token stays valid.
const SESSION_DAYS: i64 = 30;

/// Refuses requests from an app that speaks another protocol version.
pub async fn require_protocol(
    headers: HeaderMap,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    use axum::response::IntoResponse;
    match headers.get(PROTOCOL_HEADER).and_then(|v| v.to_str().ok()) {
        None => AppError::bad_request(
            "protocol_missing",
            format!("请求缺少协议版本头 {PROTOCOL_HEADER}"),
        )
        .into_response(),
        Some(v) if v.trim() == PROTOCOL_VERSION.to_string() => next.run(req).await,
        Some(v) => AppError::client(
            StatusCode::UPGRADE_REQUIRED,
            "protocol_unsupported",
            format!("应用版本（协议 {v}）与服务器（协议 {PROTOCOL_VERSION}）不一致，请更新应用"),
        )
        .into_response(),
    }
}

pub async fn login<S: Store>(
    State(state): State<AppState<S>>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, AppError> {
    let wrong = || AppError::unauthorized("用户名或密码不正确");
    let account = state.store.account_by_username(req.username.trim()).await?;
    // The hash is deliberately slow: keep it off the async workers.
    let password = req.password.clone();
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            let _ = hash_password(&password);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let Some(account) = account.filter(|_| ok) else {
        return Err(wrong());
    };
    if account.disabled {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "该账号已停用，请联系区委非公工委",
        ));
    }
    let token = new_token();
    let expires = Utc::now() + Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(account.info.id, req.device_id, &token_hash(&token), expires)
        .await?;
    Ok(ApiJson(LoginResponse {
        token,
        account: account.info,
    }))
}

/// A push as it arrives: ops are parsed one by one so an unknown one can be named.
#[derive(Debug, Deserialize)]
pub struct RawPush {
    device_id: Uuid,
    mutations: Vec<RawMutation>,
}

#[derive(Debug, Deserialize)]
struct RawMutation {
    id: u64,
    at: DateTime<Utc>,
    op: serde_json::Value,
}

pub async fn push<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    ApiJson(raw): ApiJson<RawPush>,
) -> Result<ApiJson<PushResponse>, AppError> {
    if raw.device_id != session.device_id {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "device_mismatch",
            "推送的设备与登录的设备不一致，请重新登录",
        ));
    }
    if raw.mutations.len() > MAX_PUSH_BATCH {
        return Err(AppError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("一次最多推送 {MAX_PUSH_BATCH} 条变更"),
        ));
    }
    for pair in raw.mutations.windows(2) {
        if pair[1].id != pair[0].id + 1 {
            return Err(AppError::bad_request(
                "batch_not_contiguous",
                format!(
                    "变更编号须连续递增：第 {} 条之后是第 {} 条",
                    pair[0].id, pair[1].id
                ),
            ));
        }
    }
    if raw.mutations.first().is_some_and(|m| m.id == 0) {
        return Err(AppError::bad_request(
            "batch_not_contiguous",
            "变更编号从 1 开始",
        ));
    }
    let mut mutations = Vec::with_capacity(raw.mutations.len());
    for m in raw.mutations {
        let op: Op = serde_json::from_value(m.op).map_err(|e| {
            let text = e.to_string();
            if text.contains("unknown variant") {
                AppError::bad_request(
                    "unknown_op",
                    format!("第 {} 条变更的操作类型无法识别，请更新应用（{text}）", m.id),
                )
            } else {
                AppError::bad_request(
                    "invalid_op",
                    format!("第 {} 条变更的内容不正确（{text}）", m.id),
                )
            }
        })?;
        mutations.push(Mutation {
            id: m.id,
            at: m.at,
            op,
        });
    }
    let reply = state
        .store
        .push(&session.actor(), session.device_id, mutations)
        .await?;
    Ok(ApiJson(reply))
}

#[derive(Debug, Deserialize)]
pub struct PullParams {
    #[serde(default)]
    cursor: u64,
    limit: Option<u32>,
    /// The scope version the device last pulled under (0 before its first pull).
    #[serde(default)]
    scope: u64,
}

pub async fn pull<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<ApiJson<PullResponse>, AppError> {
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(500);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(AppError::bad_request(
            "invalid_query",
            format!("limit 应在 1 到 {MAX_PULL_LIMIT} 之间"),
        ));
    }
    Ok(ApiJson(
        state
            .store
            .pull(&session, params.cursor, limit, params.scope)
            .await?,
    ))
}

/// `PUT /api/v1/admin/accounts/{username}/grants`: replaces an account's grants
/// (district committee only). Its devices drop what they may no longer see at their next
/// pull.
pub async fn set_grants<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    axum::extract::Path(username): axum::extract::Path<String>,
    ApiJson(grants): ApiJson<Vec<Grant>>,
) -> Result<StatusCode, AppError> {
    let admin = Grant {
        role: Role::DistrictCommittee,
        scope: Scope::District,
    };
    if !session.account.grants.contains(&admin) {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只有区委非公工委可以调整权限",
        ));
    }
    if state.store.set_grants(&username, grants).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::client(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("没有账号 {username}"),
        ))
    }
}

#[derive(Debug, serde::Serialize)]
pub struct Health {
    status: &'static str,
    protocol: u32,
}

pub async fn health() -> ApiJson<Health> {
    ApiJson(Health {
        status: "ok",
        protocol: PROTOCOL_VERSION,
    })
}

pub async fn not_found() -> AppError {
    AppError::client(StatusCode::NOT_FOUND, "not_found", "没有这个接口")
}
