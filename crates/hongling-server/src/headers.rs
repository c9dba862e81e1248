//! The security headers of every response, API and app alike.
//!
//! Why the inline script is allowed by its hash: Trunk writes the module loader of the
//! wasm into `index.html` as an inline `<script type="module">`. The policy allows that
//! one script by its SHA-256, read from the served `index.html` at start, and nothing
//! else inline: an injected script cannot run. Styles keep `'unsafe-inline'` because the
//! charts and Leptos set `style` attributes; styles cannot run code.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The `'sha256-…'` sources of the inline scripts of an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &after[body_start + close..];
    }
    hashes
}

/// The Content-Security-Policy, allowing the inline scripts of `index` (if any).
pub fn content_security_policy(index: Option<&[u8]>) -> String {
    let hashes = index
        .map(|html| inline_script_hashes(&String::from_utf8_lossy(html)))
        .unwrap_or_default();
    let mut script = String::from("script-src 'self' 'wasm-unsafe-eval'");
    for h in &hashes {
        script.push(' ');
        script.push_str(h);
    }
    [
        "default-src 'self'",
        &script,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' blob: data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
    .join("; ")
}

/// Adds the security headers to every response of `router`.
pub fn secure(router: Router, csp: &str) -> Router {
    let set =
        |name: HeaderName, value: HeaderValue| SetResponseHeaderLayer::overriding(name, value);
    router
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(csp).expect("the policy is ASCII"),
        ))
        .layer(set(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(set(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(set(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
            ),
        ))
        .layer(set(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script type="module">import init from '/a.js';</script>
            <script src="/b.js"></script><script>  </script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let csp = content_security_policy(None);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'"));
    }
}
