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

async fn call<B: Serialize, R: DeserializeOwned>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&B>,
) -> Result<R, ApiError> {
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
    if let Some(body) = body {
        headers
            .set("content-type", "application/json")
            .map_err(js_err)?;
        let text = serde_json::to_string(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        init.set_body(&JsValue::from_str(&text));
    }
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&format!("/api/v1{path}"), &init)
        .map_err(js_err)?;
    let window = web_sys::window().ok_or_else(|| ApiError::Network("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_err)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(js_err)?)
        .await
        .map_err(js_err)?;
    let text = text.as_string().unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
    } else {
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
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    call("POST", "/auth/login", None, Some(req)).await
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

    async fn pull(&self, cursor: u64, limit: u32, scope: u64) -> Result<PullResponse, ApiError> {
        let path = format!("/sync/pull?cursor={cursor}&limit={limit}&scope={scope}");
        call::<(), _>("GET", &path, Some(&self.token), None).await
    }
}
