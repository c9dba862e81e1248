//! The HTTP handlers of `/api/v1`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use hongling_core::wire::{
    LoginRequest, LoginResponse, MAX_PULL_LIMIT, MAX_PUSH_BATCH, Mutation, PROTOCOL_HEADER,
    PROTOCOL_VERSION, PullResponse, PushResponse, PushedMutation, SessionEnding,
};
use hongling_core::{Grant, Op, RecordKey, RecordKind, Role};
use serde::Deserialize;
use sha2::Digest;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{
    Authenticated, Committee, hash_password, new_token, token_hash, verify_password,
};
use crate::error::{ApiJson, AppError};
use crate::store::{AccountSummary, BlobPut, HistoryEntry, NewAccount, SecurityLine, Store};
use hongling_core::wire::SecurityEvent;

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

/// The client's address (through a trusted proxy, the one it forwarded for), when the
/// server knows it.
fn client_address(ext: &axum::http::Extensions) -> String {
    ext.get::<crate::running::ClientAddr>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.to_string())
}

/// Adds a line to the 安全日志; a line that cannot be written fails the request, so
/// nothing it should record happens unrecorded.
pub(crate) async fn security<S: Store>(
    state: &AppState<S>,
    event: SecurityEvent,
    actor: &str,
    subject: &str,
    ext: &axum::http::Extensions,
    detail: &str,
) -> Result<(), AppError> {
    state
        .store
        .log_security(SecurityLine {
            event,
            actor,
            subject,
            address: &client_address(ext),
            detail,
        })
        .await?;
    Ok(())
}

pub async fn login<S: Store>(
    State(state): State<AppState<S>>,
    ext: axum::http::Extensions,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<ApiJson<LoginResponse>, AppError> {
    use hongling_core::password::{MAX_BYTES, MAX_LOGIN_USERNAME_BYTES};
    if req.username.len() > MAX_LOGIN_USERNAME_BYTES || req.password.len() > MAX_BYTES {
        return Err(AppError::bad_request(
            "too_long",
            format!(
                "用户名不能超过 {MAX_LOGIN_USERNAME_BYTES} 字节，密码不能超过 {MAX_BYTES} 字节"
            ),
        ));
    }
    if let Some(key) = &req.device_key {
        hongling_core::contest::signing::check_public_key(key).map_err(|_| {
            AppError::bad_request(
                "bad_device_key",
                "设备公钥无效：应为 Ed25519 公钥（32 字节）的 base64",
            )
        })?;
    }
    let address = client_address(&ext);
    let username = req.username.trim().to_owned();
    // Counted before the hash: attempts sent at once get no more guesses than allowed.
    state
        .limiter
        .lock()
        .map_err(|_| AppError::Internal(anyhow::anyhow!("limiter poisoned")))?
        .attempt(&username, &address, std::time::Instant::now())
        .map_err(|wait| AppError::Held {
            wait_secs: wait.as_secs_f64().ceil() as u64,
        })?;
    let account = state.store.account_by_username(&username).await?;
    let password = req.password.clone();
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let ok = crate::auth::slow_hash(&state.hashing, move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            let _ = hash_password(&password);
            false
        }
    })
    .await?;
    let Some(account) = account.filter(|_| ok) else {
        // Whether this failure held the pair: the delay goes in the log once, as it
        // starts, and the refusals during it (which hash nothing) are not logged.
        let held = state
            .limiter
            .lock()
            .ok()
            .and_then(|l| l.held_for(&username, &address, std::time::Instant::now()));
        let detail = held.map_or_else(String::new, |d| {
            format!("密码错误次数过多，暂停 {} 秒", d.as_secs_f64().ceil())
        });
        security(
            &state,
            SecurityEvent::LoginFailed,
            &username,
            "",
            &ext,
            &detail,
        )
        .await?;
        return Err(AppError::unauthorized("用户名或密码不正确"));
    };
    if let Ok(mut l) = state.limiter.lock() {
        l.succeeded(&username, &address);
    }
    if account.disabled {
        security(
            &state,
            SecurityEvent::LoginFailed,
            &username,
            "",
            &ext,
            "账号已停用",
        )
        .await?;
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            SessionEnding::AccountDisabled.code(),
            "该账号已停用，请联系区委非公工委",
        ));
    }
    security(
        &state,
        SecurityEvent::LoginSucceeded,
        &username,
        &req.device_id.to_string(),
        &ext,
        "",
    )
    .await?;
    let token = new_token();
    let expires = Utc::now() + Duration::days(SESSION_DAYS);
    state
        .store
        .create_session(
            account.info.id,
            req.device_id,
            req.device_key.as_deref(),
            &token_hash(&token),
            expires,
        )
        .await?;
    Ok(ApiJson(LoginResponse {
        token,
        account: account.info,
        offline_grace_days: state.offline_grace_days,
        must_change_password: account.must_change_password,
        demo: crate::seed::is_demo(&state.store).await?,
    }))
}

/// A push as it arrives: ops are parsed one by one so an unknown one can be named.
#[derive(Debug, Deserialize)]
pub struct RawPush {
    device_id: Uuid,
    mutations: Vec<RawMutation>,
    #[serde(default)]
    replay: Option<hongling_core::wire::Replay>,
}

#[derive(Debug, Deserialize)]
struct RawMutation {
    id: u64,
    at: DateTime<Utc>,
    op: serde_json::Value,
    #[serde(default)]
    origin: Option<hongling_core::wire::Origin>,
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
    // Ids are stored as SQLite integers: one past i64::MAX is no id a device hands out.
    if let Some(m) = raw.mutations.iter().find(|m| i64::try_from(m.id).is_err()) {
        return Err(AppError::bad_request(
            "batch_not_contiguous",
            format!("变更编号 {} 超出范围", m.id),
        ));
    }
    for pair in raw.mutations.windows(2) {
        if pair[0].id.checked_add(1) != Some(pair[1].id) {
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
        if m.origin.as_ref().is_some_and(|o| !o.is_valid()) {
            return Err(AppError::bad_request(
                "invalid_op",
                format!(
                    "第 {} 条变更的来源不正确：用户名须为 1 到 {} 字节、不含控制字符",
                    m.id,
                    hongling_core::password::MAX_LOGIN_USERNAME_BYTES
                ),
            ));
        }
        mutations.push(PushedMutation {
            mutation: Mutation {
                id: m.id,
                at: m.at,
                op,
            },
            origin: m.origin,
        });
    }
    let reply = state
        .store
        .push(&session.actor(), session.device_id, mutations, raw.replay)
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
    /// The tag the device got with `cursor` (absent before its first pull).
    tag: Option<String>,
    /// The server epoch the device last saw.
    epoch: Option<String>,
}

/// For the test that a panic answers 500 and the server goes on: in debug builds,
/// `HONGLING_PANIC_ON_PULL=1` makes the first pull since start panic.
fn deliberate_panic() {
    #[cfg(debug_assertions)]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static DONE: AtomicBool = AtomicBool::new(false);
        if std::env::var_os("HONGLING_PANIC_ON_PULL").is_some()
            && !DONE.swap(true, Ordering::SeqCst)
        {
            panic!("deliberate panic (HONGLING_PANIC_ON_PULL)");
        }
    }
}

pub async fn pull<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<ApiJson<PullResponse>, AppError> {
    deliberate_panic();
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(500);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(AppError::bad_request(
            "invalid_query",
            format!("limit 应在 1 到 {MAX_PULL_LIMIT} 之间"),
        ));
    }
    let reply = state
        .store
        .pull(
            &session,
            params.cursor,
            limit,
            params.scope,
            params.tag.as_deref(),
            params.epoch.as_deref(),
        )
        .await?;
    // The device holds everything up to the cursor of its last page (赛前检查).
    if !reply.more {
        state
            .store
            .note_pulled(session.device_id, reply.cursor)
            .await?;
    }
    // After a rewind, certificates wait for a committee device to have synced: it has
    // replayed its journal and sent back what it holds before it pulls to the end.
    if !reply.more
        && !reply.rewound
        && hongling_core::grant::is_committee(&session.account.grants)
        && let Some(issued) = state.store.release_certificate_hold().await?
    {
        tracing::info!(
            issued,
            "a committee device synced after the rewind: certificates are issued again"
        );
    }
    Ok(ApiJson(reply))
}

/// `GET /api/v1/admin/recovery`: 恢复核对, what the committee checks after a rewind.
pub async fn recovery<S: Store>(
    State(state): State<AppState<S>>,
    Committee(_): Committee,
) -> Result<ApiJson<Vec<hongling_core::wire::RecoveryItem>>, AppError> {
    Ok(ApiJson(state.store.recovery().await?))
}

/// `PUT /api/v1/admin/accounts/{username}/grants`: replaces an account's grants. Its
/// devices drop what they may no longer see at their next pull.
pub async fn set_grants<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
    Path(username): Path<String>,
    ApiJson(grants): ApiJson<Vec<Grant>>,
) -> Result<StatusCode, AppError> {
    let detail = grants
        .iter()
        .map(|g| format!("{} {}", g.role.label_zh(), g.scope.to_text()))
        .collect::<Vec<_>>()
        .join("、");
    let done = found(state.store.set_grants(&username, grants).await?, &username)?;
    let detail = if detail.is_empty() {
        "无权限".to_owned()
    } else {
        detail
    };
    security(
        &state,
        SecurityEvent::GrantsChanged,
        &me.account.username,
        &username,
        &ext,
        &detail,
    )
    .await?;
    Ok(done)
}

fn found(ok: bool, what: &str) -> Result<StatusCode, AppError> {
    if ok {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::client(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("没有 {what}"),
        ))
    }
}

/// `GET /api/v1/admin/accounts`: every account with its grants and devices.
pub async fn list_accounts<S: Store>(
    State(state): State<AppState<S>>,
    Committee(_): Committee,
) -> Result<ApiJson<Vec<AccountSummary>>, AppError> {
    Ok(ApiJson(state.store.list_accounts().await?))
}

/// One judge a contest administrator may put on a panel.
#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct JudgeSummary {
    pub account_id: Uuid,
    pub username: String,
    pub name: String,
}

/// `GET /api/v1/contests/{id}/readiness`: 赛前检查 before a contest day with no network,
/// for a contest administrator: the draw, and each judge's tablets (key registered, the
/// contest as it stands, still in the offline grace period on the day).
pub async fn contest_readiness<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    Path(id): Path<Uuid>,
) -> Result<ApiJson<hongling_core::contest::readiness::Readiness>, AppError> {
    use hongling_core::contest::signing::DeviceKey;
    contest_admin(&session)?;
    let record = state
        .store
        .records_of(hongling_core::RecordKind::Contest)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::client(StatusCode::NOT_FOUND, "not_found", "该比赛不存在"))?;
    let contest: hongling_core::contest::Contest = record
        .decode()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("contest {id}: {e}")))?;
    let judges: Vec<Uuid> = contest.all_judges().iter().map(|j| j.account_id).collect();
    let devices = state.store.device_contacts(&judges).await?;
    let keys: Vec<(Uuid, DeviceKey)> = state
        .store
        .records_of(hongling_core::RecordKind::DeviceKey)
        .await?
        .into_iter()
        .filter_map(|r| Some((r.id, r.decode().ok()?)))
        .collect();
    Ok(ApiJson(hongling_core::contest::readiness::check(
        id,
        &contest,
        record.version,
        &devices,
        &keys,
        state.offline_grace_days,
    )))
}

fn contest_admin(session: &crate::store::SessionRow) -> Result<(), AppError> {
    if session
        .account
        .grants
        .iter()
        .any(|g| hongling_core::contest::CONTEST_ADMINS.contains(&g.role))
    {
        Ok(())
    } else {
        Err(AppError::client(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只有比赛管理员可以进行此操作",
        ))
    }
}

/// `GET /api/v1/contest/judges`: the enabled accounts with a judge grant, for a contest
/// administrator setting a contest up (online, in the office).
pub async fn contest_judges<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
) -> Result<ApiJson<Vec<JudgeSummary>>, AppError> {
    let admin = session
        .account
        .grants
        .iter()
        .any(|g| hongling_core::contest::CONTEST_ADMINS.contains(&g.role));
    if !admin {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "forbidden",
            "只有比赛管理员可以查看评委名单",
        ));
    }
    let judges = state
        .store
        .list_accounts()
        .await?
        .into_iter()
        .filter(|a| !a.disabled && a.account.grants.iter().any(|g| g.role == Role::Judge))
        .map(|a| JudgeSummary {
            account_id: a.account.id,
            username: a.account.username,
            name: a.account.display_name,
        })
        .collect();
    Ok(ApiJson(judges))
}

#[derive(Debug, Deserialize)]
pub struct NewAccountRequest {
    username: String,
    display_name: String,
    password: String,
    #[serde(default)]
    grants: Vec<Grant>,
}

async fn hash(state_hashing: &crate::auth::Hashing, password: String) -> Result<String, AppError> {
    crate::auth::slow_hash(state_hashing, move || hash_password(&password))
        .await?
        .map_err(AppError::Internal)
}

/// `POST /api/v1/admin/accounts`: creates an account.
pub async fn create_account<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
    ApiJson(req): ApiJson<NewAccountRequest>,
) -> Result<StatusCode, AppError> {
    let username = req.username.trim().to_owned();
    if !hongling_core::password::username_is_valid(&username) {
        return Err(AppError::bad_request(
            "invalid_username",
            hongling_core::password::USERNAME_RULE,
        ));
    }
    if req.display_name.trim().is_empty() {
        return Err(AppError::bad_request("invalid_display_name", "请填写姓名"));
    }
    crate::password::check_api(&username, &req.password)?;
    let password_hash = hash(&state.hashing, req.password).await?;
    state
        .store
        .create_account(NewAccount {
            username: username.clone(),
            display_name: req.display_name.trim().to_owned(),
            password_hash,
            grants: req.grants,
            must_change_password: false,
        })
        .await?;
    security(
        &state,
        SecurityEvent::AccountCreated,
        &me.account.username,
        &username,
        &ext,
        "",
    )
    .await?;
    Ok(StatusCode::CREATED)
}

/// `PUT /api/v1/admin/accounts/{username}/disabled` with `true` or `false`.
pub async fn set_disabled<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
    Path(username): Path<String>,
    ApiJson(disabled): ApiJson<bool>,
) -> Result<StatusCode, AppError> {
    if disabled && me.account.username == username {
        return Err(AppError::bad_request("self_disable", "不能停用自己的账号"));
    }
    let done = found(
        state.store.set_disabled(&username, disabled).await?,
        &username,
    )?;
    let event = if disabled {
        SecurityEvent::AccountDisabled
    } else {
        SecurityEvent::AccountEnabled
    };
    security(&state, event, &me.account.username, &username, &ext, "").await?;
    Ok(done)
}

#[derive(Debug, Deserialize)]
pub struct PasswordRequest {
    password: String,
}

/// `PUT /api/v1/admin/accounts/{username}/password`: resets a password and ends the
/// account's sessions.
pub async fn set_password<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
    Path(username): Path<String>,
    ApiJson(req): ApiJson<PasswordRequest>,
) -> Result<StatusCode, AppError> {
    crate::password::check_api(&username, &req.password)?;
    let password_hash = hash(&state.hashing, req.password).await?;
    // The administrator knows this password: the user must choose their own first.
    let done = found(
        state
            .store
            .set_password(&username, &password_hash, true, None)
            .await?,
        &username,
    )?;
    security(
        &state,
        SecurityEvent::PasswordReset,
        &me.account.username,
        &username,
        &ext,
        "",
    )
    .await?;
    Ok(done)
}

/// `POST /auth/logout`: ends this session on the server; its token answers
/// `session_ended` from then on.
pub async fn logout<S: Store>(
    State(state): State<AppState<S>>,
    crate::auth::AnySession(_, token): crate::auth::AnySession,
) -> Result<StatusCode, AppError> {
    state
        .store
        .end_session(&token_hash(&token), "logged_out")
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/auth/password`: a user sets their own password (the old one is
/// required). Their other sessions end with `password_changed`; this one goes on, and
/// a forced change is then done.
pub async fn change_own_password<S: Store>(
    State(state): State<AppState<S>>,
    ext: axum::http::Extensions,
    crate::auth::AnySession(session, token): crate::auth::AnySession,
    ApiJson(req): ApiJson<hongling_core::wire::ChangePasswordRequest>,
) -> Result<StatusCode, AppError> {
    let username = session.account.username.clone();
    let account = state
        .store
        .account_by_username(&username)
        .await?
        .ok_or_else(|| AppError::unauthorized("登录已失效，请重新登录"))?;
    let old = req.old_password.clone();
    let stored = account.password_hash.clone();
    let ok = crate::auth::slow_hash(&state.hashing, move || verify_password(&old, &stored)).await?;
    if !ok {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "原密码不正确",
        ));
    }
    if req.new_password == req.old_password {
        return Err(AppError::bad_request(
            "weak_password",
            "新密码不能与原密码相同",
        ));
    }
    crate::password::check_api(&username, &req.new_password)?;
    let password_hash = hash(&state.hashing, req.new_password).await?;
    state
        .store
        .set_password(&username, &password_hash, false, Some(&token_hash(&token)))
        .await?;
    security(
        &state,
        SecurityEvent::PasswordChanged,
        &username,
        &username,
        &ext,
        "",
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/devices/{id}/revoke`.
pub async fn revoke_device<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, AppError> {
    let done = found(state.store.revoke_device(id).await?, "该设备")?;
    security(
        &state,
        SecurityEvent::DeviceRevoked,
        &me.account.username,
        &id.to_string(),
        &ext,
        "",
    )
    .await?;
    Ok(done)
}

#[derive(Debug, Deserialize)]
pub struct SecurityLogQuery {
    /// Lines older than this one (the `id` of the last line of the page before).
    #[serde(default)]
    before: Option<u64>,
    #[serde(default)]
    limit: Option<u32>,
}

/// Most lines of the 安全日志 in one page.
pub const SECURITY_LOG_PAGE: u32 = 500;

/// `GET /api/v1/admin/security-log?before=ID&limit=N`: the 安全日志, newest first.
pub async fn security_log<S: Store>(
    State(state): State<AppState<S>>,
    Committee(_): Committee,
    axum::extract::Query(q): axum::extract::Query<SecurityLogQuery>,
) -> Result<ApiJson<Vec<hongling_core::wire::SecurityLogEntry>>, AppError> {
    let limit = q.limit.unwrap_or(100).clamp(1, SECURITY_LOG_PAGE);
    Ok(ApiJson(state.store.security_log(q.before, limit).await?))
}

/// `GET /api/v1/admin/security-log/export`: the whole 安全日志 as CSV (its export is a
/// line of its own).
pub async fn security_log_export<S: Store>(
    State(state): State<AppState<S>>,
    Committee(me): Committee,
    ext: axum::http::Extensions,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    security(
        &state,
        SecurityEvent::Export,
        &me.account.username,
        "security-log",
        &ext,
        "安全日志",
    )
    .await?;
    let mut rows = vec![
        ["时间（北京时间）", "事件", "操作人", "对象", "地址", "说明"]
            .map(str::to_owned)
            .to_vec(),
    ];
    let mut before = None;
    loop {
        let page = state.store.security_log(before, SECURITY_LOG_PAGE).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        rows.extend(page.into_iter().map(|e| {
            let at = DateTime::parse_from_rfc3339(&e.at).map_or(e.at.clone(), |t| {
                hongling_core::china_time(t.with_timezone(&Utc))
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            });
            vec![
                at,
                e.event.label_zh().to_owned(),
                e.actor,
                e.subject,
                e.address,
                e.detail,
            ]
        }));
    }
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"security-log.csv\"".to_owned(),
            ),
        ],
        hongling_core::csv::write(&rows),
    )
        .into_response())
}

/// `GET /api/v1/admin/history/{kind}/{id}`: every mutation about one record.
pub async fn history<S: Store>(
    State(state): State<AppState<S>>,
    Committee(_): Committee,
    Path((kind, id)): Path<(String, Uuid)>,
) -> Result<ApiJson<Vec<HistoryEntry>>, AppError> {
    let kind = RecordKind::parse(&kind)
        .ok_or_else(|| AppError::bad_request("unknown_kind", format!("没有这类记录：{kind}")))?;
    Ok(ApiJson(
        state.store.history(RecordKey::new(kind, id)).await?,
    ))
}

pub use hongling_core::MAX_BLOB_BYTES;

fn check_hash(sha256: &str) -> Result<(), AppError> {
    if hongling_core::BlobRef::parse(sha256).is_some() {
        Ok(())
    } else {
        Err(AppError::bad_request(
            "invalid_hash",
            "附件地址应为 64 位小写十六进制的 SHA-256",
        ))
    }
}

/// `PUT /api/v1/blobs/{sha256}`: stores an attachment before the push that names it.
/// Idempotent: 201 the first time, 200 after; the bytes must hash to the address.
pub async fn put_blob<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    Path(sha256): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<StatusCode, AppError> {
    check_hash(&sha256)?;
    if !hongling_core::blob::may_upload(&session.account.grants) {
        return Err(AppError::client(
            StatusCode::FORBIDDEN,
            "forbidden",
            "此账号的角色不上传附件",
        ));
    }
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::client(
                StatusCode::PAYLOAD_TOO_LARGE,
                "blob_too_large",
                format!(
                    "附件不能超过 {} MB，请压缩后再上传",
                    MAX_BLOB_BYTES / 1024 / 1024
                ),
            )
        } else {
            AppError::bad_request("invalid_body", format!("无法读取附件（{}）", r.body_text()))
        }
    })?;
    let actual = hex::encode(sha2::Sha256::digest(&body));
    if actual != sha256 {
        return Err(AppError::bad_request(
            "hash_mismatch",
            format!("附件内容与地址不符（内容的 SHA-256 是 {actual}），请重新上传"),
        ));
    }
    match state
        .store
        .put_blob(&sha256, body.to_vec(), &session, state.blob_quota_bytes)
        .await?
    {
        BlobPut::Created => Ok(StatusCode::CREATED),
        BlobPut::AlreadyHere => Ok(StatusCode::OK),
        BlobPut::OverQuota => Err(AppError::client(
            StatusCode::TOO_MANY_REQUESTS,
            "blob_quota",
            format!(
                "今天上传的附件已达上限（24 小时内 {} MB），请明天再上传，或联系区委非公工委",
                state.blob_quota_bytes / 1024 / 1024
            ),
        )),
    }
}

/// `GET /api/v1/blobs/{sha256}`: an attachment's bytes.
pub async fn get_blob<S: Store>(
    State(state): State<AppState<S>>,
    Authenticated(session): Authenticated,
    Path(sha256): Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    check_hash(&sha256)?;
    // Bytes the account may not see are answered as bytes the server lacks.
    match state.store.get_blob(&sha256, &session).await? {
        Some(bytes) => Ok((
            [
                (axum::http::header::CONTENT_TYPE, "application/octet-stream"),
                (
                    axum::http::header::CACHE_CONTROL,
                    "private, max-age=31536000, immutable",
                ),
            ],
            bytes,
        )
            .into_response()),
        None => Err(AppError::client(
            StatusCode::NOT_FOUND,
            "blob_missing",
            "服务器上没有这个附件",
        )),
    }
}

#[derive(Debug, serde::Serialize)]
pub struct Health {
    status: &'static str,
    protocol: u32,
    /// The server's version.
    version: &'static str,
    /// The newest migration applied to the database.
    schema: Option<i64>,
    /// `ok` when the database answered, `unavailable` when it did not (then 503).
    database: &'static str,
    /// The https address of the app (`serve --public-url`), for the non-secure screen.
    #[serde(skip_serializing_if = "Option::is_none")]
    public_url: Option<String>,
}

pub async fn health<S: Store>(State(state): State<AppState<S>>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let schema = state.store.schema_version().await;
    let body = Health {
        status: if schema.is_ok() { "ok" } else { "degraded" },
        protocol: PROTOCOL_VERSION,
        version: env!("CARGO_PKG_VERSION"),
        schema: schema.as_ref().ok().copied(),
        database: if schema.is_ok() { "ok" } else { "unavailable" },
        public_url: state.install.public_url.clone(),
    };
    if let Err(e) = &schema {
        tracing::error!(error = %e, "health: the database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, ApiJson(body)).into_response();
    }
    ApiJson(body).into_response()
}

pub async fn not_found() -> AppError {
    AppError::client(StatusCode::NOT_FOUND, "not_found", "没有这个接口")
}
