//! What keeps the server up for years: a panic in a handler answers 500 and the server
//! goes on, requests have deadlines, the number under way is bounded, and each request
//! leaves one structured log line.
//!
//! The log line says method, route (the matched pattern, so no ID-card number or token
//! in a path reaches the log), status, milliseconds, account and client address: never a
//! body, a token or a password.

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

/// The address a request came from: the peer's, or, when the peer is a trusted reverse
/// proxy (`serve --trusted-proxy`), the one that proxy says it forwarded for. The login
/// limits and the request log use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<ipnet::IpNet>>);

impl TrustedProxies {
    fn trusts(&self, ip: std::net::IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request from `peer` with these `X-Forwarded-For` values.
    ///
    /// Only a trusted peer's header counts. Each proxy appends the address it received
    /// from, so the header is read from the right, past the trusted proxies, to the
    /// first address none of them is: whatever a client wrote further left is its own
    /// claim and proves nothing.
    pub fn client<'a>(
        &self,
        peer: std::net::IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> std::net::IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.trim().parse::<std::net::IpAddr>() else {
                break;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// Parses `--trusted-proxy`: an address range (`10.0.0.0/8`) or one address.
pub fn parse_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    text.parse::<ipnet::IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{text} is neither an address nor an address/prefix range"))
}

/// Puts the request's [`ClientAddr`] into its extensions (when the peer is known).
pub async fn client_addr(
    axum::extract::State(proxies): axum::extract::State<TrustedProxies>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = proxies.client(
            peer,
            req.headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok()),
        );
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// Logs one line per request.
pub async fn log_request(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(static)".to_owned(), |p| p.as_str().to_owned());
    let client = req
        .extensions()
        .get::<ClientAddr>()
        .map_or_else(|| "-".to_owned(), |c| c.0.to_string());
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
        client,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(nets: &[&str]) -> TrustedProxies {
        TrustedProxies(Arc::new(
            nets.iter().map(|n| parse_proxy(n).unwrap()).collect(),
        ))
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_from_the_right() {
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let p = proxies(&["10.0.0.0/8", "192.168.1.1"]);
        // Straight from a client: its header is its own claim.
        assert_eq!(
            p.client(ip("203.0.113.9"), ["1.2.3.4"].into_iter()),
            ip("203.0.113.9")
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            p.client(ip("10.0.0.2"), ["203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
        // A client that forged a header in front: the proxy's entry is the rightmost.
        assert_eq!(
            p.client(ip("10.0.0.2"), ["6.6.6.6, 203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
        // Two proxies in a row, over two header lines.
        assert_eq!(
            p.client(ip("10.0.0.2"), ["203.0.113.9", "192.168.1.1"].into_iter()),
            ip("203.0.113.9")
        );
        // Nothing usable: the proxy itself.
        assert_eq!(
            p.client(ip("10.0.0.2"), ["garbage"].into_iter()),
            ip("10.0.0.2")
        );
        assert_eq!(p.client(ip("10.0.0.2"), std::iter::empty()), ip("10.0.0.2"));
        assert!(parse_proxy("10.0.0.0/33").is_err());
    }
}
