//! The 红领认证 sync server: accounts, `POST /api/v1/sync/push`, `GET /api/v1/sync/pull`,
//! and the built PWA as static files.
//!
//! The router is generic over [`store::Store`] so the same handlers run on SQLite and,
//! later, PostgreSQL; [`app`] builds it so tests can drive it with `oneshot` and the
//! binary can serve it.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post, put};
use tower_http::set_header::SetResponseHeaderLayer;

pub mod api;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod error;
pub mod headers;
pub mod import_export;
pub mod install;
pub mod keyfile;
pub mod limit;
pub mod lock;
pub mod password;
pub mod reports;
pub mod restore;
pub mod running;
pub mod seed;
pub mod signing;
pub mod store;
pub mod tls;

/// Largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Days a session may go unused before it ends, unless `--session-idle-days` says otherwise.
pub const DEFAULT_SESSION_IDLE_DAYS: u32 = 14;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState<S> {
    pub store: S,
    pub limiter: std::sync::Arc<std::sync::Mutex<limit::LoginLimiter>>,
    /// Where argon2id hashes wait their turn (`auth::slow_hash`).
    pub hashing: std::sync::Arc<auth::Hashing>,
    /// Days a tablet keeps working offline after its last sync.
    pub offline_grace_days: u32,
    /// Days a session may go unused before it ends (never below `offline_grace_days`).
    pub session_idle_days: u32,
    /// The local CA that `/install` and `/ca.crt` give to tablets, and the app's https
    /// address (`serve --public-url`) that a non-secure origin shows.
    pub install: install::Install,
    /// The reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: running::TrustedProxies,
    /// Most bytes of new attachments one account may upload in 24 hours
    /// (`--blob-quota-mib`).
    pub blob_quota_bytes: u64,
}

impl<S> AppState<S> {
    pub fn new(store: S) -> AppState<S> {
        AppState {
            store,
            limiter: Default::default(),
            hashing: std::sync::Arc::new(auth::Hashing::for_this_machine()),
            offline_grace_days: hongling_core::wire::DEFAULT_GRACE_DAYS,
            session_idle_days: DEFAULT_SESSION_IDLE_DAYS,
            install: install::Install {
                ca: None,
                public_url: None,
            },
            trusted_proxies: Default::default(),
            blob_quota_bytes: hongling_core::blob::DEFAULT_DAILY_QUOTA_BYTES,
        }
    }
}

/// The whole HTTP application. `assets`, when given, is the built PWA (`dist/`).
pub fn app<S: store::Store>(
    state: AppState<S>,
    assets: Option<std::sync::Arc<assets::Assets>>,
) -> Router {
    let install = state.install.clone();
    let proxies = state.trusted_proxies.clone();
    let api = Router::new()
        .route("/auth/login", post(api::login::<S>))
        .route("/auth/password", post(api::change_own_password::<S>))
        .route("/auth/logout", post(api::logout::<S>))
        .route("/sync/push", post(api::push::<S>))
        .route("/sync/pull", get(api::pull::<S>))
        .route(
            "/admin/accounts",
            get(api::list_accounts::<S>).post(api::create_account::<S>),
        )
        .route(
            "/admin/accounts/{username}/grants",
            put(api::set_grants::<S>),
        )
        .route(
            "/admin/accounts/{username}/disabled",
            put(api::set_disabled::<S>),
        )
        .route(
            "/admin/accounts/{username}/password",
            put(api::set_password::<S>),
        )
        .route("/admin/devices/{id}/revoke", post(api::revoke_device::<S>))
        .route("/admin/recovery", get(api::recovery::<S>))
        .route("/admin/security-log", get(api::security_log::<S>))
        .route("/admin/history/{kind}/{id}", get(api::history::<S>))
        .route(
            "/blobs/{sha256}",
            put(api::put_blob::<S>)
                .get(api::get_blob::<S>)
                .layer(DefaultBodyLimit::max(api::MAX_BLOB_BYTES)),
        )
        .layer(axum::middleware::from_fn(api::require_protocol))
        .route("/reports/stipends", get(reports::stipends::<S>))
        .route("/reports/contests/{id}", get(reports::contest::<S>))
        .route("/reports/annual", get(reports::annual::<S>))
        .route("/contest/judges", get(api::contest_judges::<S>))
        .route("/contests/{id}/readiness", get(api::contest_readiness::<S>))
        .route("/admin/import/{what}", post(import_export::import::<S>))
        .route("/admin/export/{what}", get(import_export::export::<S>))
        .route(
            "/admin/security-log/export",
            get(api::security_log_export::<S>),
        )
        .route("/health", get(api::health::<S>))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(state);
    let router = Router::new()
        .nest("/api/v1", api)
        .merge(install::routes(install));
    let csp = headers::content_security_policy(assets.as_ref().map(|a| a.index_html()));
    let router = match assets {
        Some(assets) => router.fallback(get(assets::serve).with_state(assets)),
        None => router.fallback(api::not_found),
    };
    headers::secure(router, &csp)
        .layer(axum::middleware::from_fn(running::deadline))
        .layer(axum::middleware::from_fn(running::log_request))
        .layer(axum::middleware::from_fn_with_state(
            proxies,
            running::client_addr,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            running::panic_response,
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            running::MAX_IN_FLIGHT,
        ))
}
