//! HTTP calls to `/api/v1`, through the browser's `fetch`.

use hongling_core::wire::{
    ErrorBody, LoginRequest, LoginResponse, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse,
    PushRequest, PushResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use hongling_sync::TransportError as ApiError;

fn js_err(e: JsValue) -> ApiError {
    ApiError::Network(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// Sends one request; a reply that is not 2xx becomes the server's `{code, message}`.
async fn send(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(&JsValue, &str)>,
) -> Result<web_sys::Response, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    let headers = web_sys::Headers::new().map_err(js_err)?;
    headers
        .set(PROTOCOL_HEADER, &PROTOCOL_VERSION.to_string())
        .map_err(js_err)?;
    if let Some(token) = token {
        headers
            .set("authorization", &format!("Bearer {token}"))
            .map_err(js_err)?;
    }
    if let Some((body, content_type)) = body {
        headers.set("content-type", content_type).map_err(js_err)?;
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&format!("/api/v1{path}"), &init)
        .map_err(js_err)?;
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_err)?
        .unchecked_into();
    if response.ok() {
        return Ok(response);
    }
    let text = JsFuture::from(response.text().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    let text = text.as_string().unwrap_or_default();
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or(ErrorBody {
        code: "http".into(),
        message: format!("服务器返回 {}", response.status()),
        last_applied: None,
    });
    Err(ApiError::Server {
        status: response.status(),
        body,
    })
}

async fn call<B: Serialize, R: DeserializeOwned>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<R, ApiError> {
    let text = match body {
        Some(body) => Some(JsValue::from_str(
            &serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?,
        )),
        None => None,
    };
    let response = send(
        method,
        path,
        token,
        text.as_ref().map(|t| (t, "application/json")),
    )
    .await?;
    let text = JsFuture::from(response.text().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    serde_json::from_str(&text.as_string().unwrap_or_default())
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// A file the server makes (`GET /api/v1{path}`), as bytes.
pub async fn get_file(token: &str, path: &str) -> Result<Vec<u8>, ApiError> {
    let response = send("GET", path, Some(token), None).await?;
    let buffer = JsFuture::from(response.array_buffer().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Previews (`commit: false`) or imports a list file; a report comes back either way.
pub async fn import_list(
    token: &str,
    what: &str,
    commit: bool,
    file: &[u8],
) -> Result<hongling_core::wire::ImportReply, ApiError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(js_err)?;
    headers
        .set(PROTOCOL_HEADER, &PROTOCOL_VERSION.to_string())
        .map_err(js_err)?;
    headers
        .set("authorization", &format!("Bearer {token}"))
        .map_err(js_err)?;
    init.set_headers(&headers);
    init.set_body(&js_sys::Uint8Array::from(file).into());
    let url = format!("/api/v1/admin/import/{what}?commit={commit}");
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js_err)?;
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_err)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    if let Ok(reply) = serde_json::from_str(&text) {
        return Ok(reply);
    }
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or(ErrorBody {
        code: "http".into(),
        message: format!("服务器返回 {}", response.status()),
        last_applied: None,
    });
    Err(ApiError::Server {
        status: response.status(),
        body,
    })
}

/// Downloads an attachment's bytes (`GET /api/v1/blobs/{sha256}`).
pub async fn get_blob(token: &str, sha256: &hongling_core::BlobRef) -> Result<Vec<u8>, ApiError> {
    let response = send("GET", &format!("/blobs/{sha256}"), Some(token), None).await?;
    let buffer = JsFuture::from(response.array_buffer().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    call("POST", "/auth/login", None, Some(req)).await
}

/// `POST /auth/password`: the user's own new password. The reply has no body.
pub async fn change_password(
    token: &str,
    req: &hongling_core::wire::ChangePasswordRequest,
) -> Result<(), ApiError> {
    let body = serde_json::to_string(req).map_err(|e| ApiError::Decode(e.to_string()))?;
    send(
        "POST",
        "/auth/password",
        Some(token),
        Some((&JsValue::from_str(&body), "application/json")),
    )
    .await
    .map(|_| ())
}

/// `POST /auth/logout`: ends this session on the server too, so the token is worth
/// nothing if it was copied. The reply has no body.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    send("POST", "/auth/logout", Some(token), None)
        .await
        .map(|_| ())
}

/// The protocol over the browser's `fetch`, for `hongling_sync::sync_once`.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    pub token: String,
}

impl hongling_sync::Transport for FetchTransport {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, ApiError> {
        call("POST", "/sync/push", Some(&self.token), Some(req)).await
    }

    async fn pull(&self, query: &hongling_core::wire::PullQuery) -> Result<PullResponse, ApiError> {
        let path = format!("/sync/pull?{}", query.to_query());
        call::<(), _>("GET", &path, Some(&self.token), None).await
    }

    async fn put_blob(&self, blob: &hongling_sync::BlobEntry) -> Result<(), ApiError> {
        let bytes = js_sys::Uint8Array::from(blob.bytes.as_slice());
        send(
            "PUT",
            &format!("/blobs/{}", blob.sha256),
            Some(&self.token),
            Some((&bytes.into(), "application/octet-stream")),
        )
        .await
        .map(|_| ())
    }
}

/// The district committee's account administration (online only).
pub mod admin {
    use hongling_core::Grant;
    use hongling_core::wire::{AccountSummary, HistoryEntry};
    use serde::Serialize;
    use serde::de::IgnoredAny;

    use super::{ApiError, call};

    /// Calls that answer with no body (204) decode to this.
    async fn act<B: Serialize>(
        method: &str,
        path: &str,
        token: &str,
        body: Option<&B>,
    ) -> Result<(), ApiError> {
        match call::<B, IgnoredAny>(method, path, Some(token), body).await {
            Ok(_) | Err(ApiError::Decode(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn accounts(token: &str) -> Result<Vec<AccountSummary>, ApiError> {
        call::<(), _>("GET", "/admin/accounts", Some(token), None).await
    }

    /// Lines of the 安全日志 the screen asks for at a time.
    pub const SECURITY_LOG_PAGE: usize = 100;

    /// The 安全日志, newest first: a page of lines older than line `before`.
    pub async fn security_log(
        token: &str,
        before: Option<u64>,
    ) -> Result<Vec<hongling_core::wire::SecurityLogEntry>, ApiError> {
        let mut path = format!("/admin/security-log?limit={SECURITY_LOG_PAGE}");
        if let Some(id) = before {
            path.push_str(&format!("&before={id}"));
        }
        call::<(), _>("GET", &path, Some(token), None).await
    }

    /// 恢复核对: what the committee checks after the server was restored.
    pub async fn recovery(token: &str) -> Result<Vec<hongling_core::wire::RecoveryItem>, ApiError> {
        call::<(), _>("GET", "/admin/recovery", Some(token), None).await
    }

    #[derive(Debug, Serialize)]
    pub struct NewAccount {
        pub username: String,
        pub display_name: String,
        pub password: String,
        pub grants: Vec<Grant>,
    }

    pub async fn create(token: &str, account: &NewAccount) -> Result<(), ApiError> {
        act("POST", "/admin/accounts", token, Some(account)).await
    }

    pub async fn set_disabled(token: &str, username: &str, disabled: bool) -> Result<(), ApiError> {
        act(
            "PUT",
            &format!("/admin/accounts/{username}/disabled"),
            token,
            Some(&disabled),
        )
        .await
    }

    pub async fn set_password(token: &str, username: &str, password: &str) -> Result<(), ApiError> {
        #[derive(Serialize)]
        struct Body<'a> {
            password: &'a str,
        }
        act(
            "PUT",
            &format!("/admin/accounts/{username}/password"),
            token,
            Some(&Body { password }),
        )
        .await
    }

    pub async fn set_grants(token: &str, username: &str, grants: &[Grant]) -> Result<(), ApiError> {
        act(
            "PUT",
            &format!("/admin/accounts/{username}/grants"),
            token,
            Some(&grants),
        )
        .await
    }

    pub async fn revoke_device(token: &str, device: uuid::Uuid) -> Result<(), ApiError> {
        act::<()>(
            "POST",
            &format!("/admin/devices/{device}/revoke"),
            token,
            None,
        )
        .await
    }

    pub async fn history(
        token: &str,
        kind: &str,
        id: uuid::Uuid,
    ) -> Result<Vec<HistoryEntry>, ApiError> {
        call::<(), _>(
            "GET",
            &format!("/admin/history/{kind}/{id}"),
            Some(token),
            None,
        )
        .await
    }
}

/// A judge a contest administrator may put on a panel.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct JudgeSummary {
    pub account_id: uuid::Uuid,
    pub username: String,
    pub name: String,
}

/// The judge roster (contest administrators, online).
pub async fn contest_judges(token: &str) -> Result<Vec<JudgeSummary>, ApiError> {
    call::<(), _>("GET", "/contest/judges", Some(token), None).await
}

/// 赛前检查: whether the draw is done and every judge holds a tablet ready for a day
/// with no network (contest administrators, online).
pub async fn contest_readiness(
    token: &str,
    contest: uuid::Uuid,
) -> Result<hongling_core::contest::readiness::Readiness, ApiError> {
    call::<(), _>(
        "GET",
        &format!("/contests/{contest}/readiness"),
        Some(token),
        None,
    )
    .await
}
