//! `/install` and `/ca.crt`: how a tablet comes to trust the office's local CA.
//!
//! Why a server page and not a screen of the app: a tablet that does not trust the CA yet
//! cannot open the app over https at all, and over plain http the app does not run (see
//! the app's non-secure screen). So this page is plain HTML with no script, served over
//! http too (`--redirect-http` leaves it alone). It shows the CA's SHA-256 fingerprint to
//! compare with the poster in the office before trusting, the steps for Android and
//! iPad in Chinese, and a QR code of its own address so the next tablet can open it.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

/// The local CA, as `/install` and `/ca.crt` give it.
#[derive(Debug, Clone)]
pub struct LocalCa {
    /// The CA certificate, PEM.
    pub pem: String,
    /// Its SHA-256 fingerprint, `AB:CD:…`.
    pub fingerprint: String,
}

/// What the install pages know.
#[derive(Debug, Clone)]
pub struct Install {
    pub ca: Option<LocalCa>,
    /// The app's https address (`--public-url`).
    pub public_url: Option<String>,
}

impl Install {
    /// Reads the CA at `path` (PEM).
    pub fn with_ca_file(
        path: &std::path::Path,
        public_url: Option<String>,
    ) -> anyhow::Result<Install> {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the CA {}: {e}", path.display()))?;
        let der = crate::tls::pem_der(&pem)?;
        Ok(Install {
            ca: Some(LocalCa {
                fingerprint: crate::tls::fingerprint(&der),
                pem,
            }),
            public_url,
        })
    }
}

/// `/install` and `/ca.crt`.
pub fn routes(install: Install) -> Router {
    Router::new()
        .route("/install", get(page))
        .route("/ca.crt", get(ca_cert))
        .with_state(install)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The host the tablet asked for (`Host`), with its port if it gave one.
fn requested_host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
}

/// The address of this page as the tablet should open it.
fn page_url(install: &Install, headers: &HeaderMap) -> String {
    match &install.public_url {
        Some(u) => format!("{}/install", u.trim_end_matches('/')),
        None => format!("https://{}/install", requested_host(headers)),
    }
}

async fn page(State(install): State<Install>, headers: HeaderMap) -> Response {
    let url = page_url(&install, &headers);
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    let ca = match &install.ca {
        Some(ca) => {
            let groups: Vec<&str> = ca.fingerprint.split(':').collect();
            let lines: Vec<String> = groups.chunks(8).map(|c| c.join(" ")).collect();
            format!(
                "<h2>第一步：核对指纹</h2>\
                 <p>本服务器证书颁发机构的 SHA-256 指纹如下。安装前请与办公室张贴的指纹逐组核对；\
                 <strong>不一致请勿安装</strong>，并告知信息管理员。</p>\
                 <pre data-testid=\"fingerprint\">{}</pre>\
                 <p><a href=\"/ca.crt\" download=\"hongling-ca.crt\">下载证书（ca.crt）</a></p>",
                lines.join("\n")
            )
        }
        None => {
            "<p>本服务器使用公共证书，平板无需安装任何证书，直接打开应用地址即可。</p>".to_owned()
        }
    };
    let app = install
        .public_url
        .as_deref()
        .map(|u| {
            format!(
                "<h2>最后：打开应用</h2><p><a href=\"{0}\">{0}</a></p>",
                escape(u)
            )
        })
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>红领认证 安装证书</title>\
         <style>body{{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.6}}\
         h1{{color:#b3121f}}pre{{font-size:1.1rem;background:#f5f5f5;padding:.5rem}}</style></head><body>\
         <h1>红领认证：平板首次使用</h1>{ca}\
         <h2>第二步：安装并信任证书</h2>\
         <h3>安卓平板</h3><ol><li>下载 ca.crt。</li><li>打开 设置 → 安全 → 加密与凭据 → 安装证书 → CA 证书（各品牌名称略有不同）。</li>\
         <li>选择下载的 ca.crt，核对显示的指纹后确认安装。</li></ol>\
         <h3>iPad</h3><ol><li>用 Safari 打开本页并下载 ca.crt，允许下载描述文件。</li>\
         <li>打开 设置 → 已下载描述文件 → 安装。</li>\
         <li>打开 设置 → 通用 → 关于本机 → 证书信任设置，打开“红领认证 本地证书颁发机构”。</li></ol>\
         {app}<h2>其他平板</h2><p>用相机扫描下面的二维码打开本页：</p>\
         <div data-testid=\"install-qr\">{qr}</div><p>{url}</p></body></html>",
        url = escape(&url),
    );
    Html(html).into_response()
}

async fn ca_cert(State(install): State<Install>) -> Response {
    match install.ca {
        Some(ca) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-x509-ca-cert"),
            )],
            ca.pem,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(hongling_core::wire::ErrorBody {
                code: "not_found".into(),
                message: "本服务器使用公共证书，无需安装".into(),
                last_applied: None,
            }),
        )
            .into_response(),
    }
}

/// The plain-http side of `--redirect-http`: `/install` and `/ca.crt` as they are, every
/// other request redirected to https (to `--public-url` when given, else to the same
/// host on `https_port`).
pub fn redirect_router(install: Install, https_port: u16) -> Router {
    let public = install.public_url.clone();
    routes(install).fallback(move |headers: HeaderMap, uri: axum::http::Uri| {
        let public = public.clone();
        async move {
            let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
            let target = match public {
                Some(u) => format!("{}{path}", u.trim_end_matches('/')),
                None => {
                    let host = requested_host(&headers);
                    // Drop a port, keeping an IPv6 address whole.
                    let name = match host.rsplit_once(':') {
                        Some((h, p))
                            if !h.ends_with(']')
                                && p.chars().all(|c| c.is_ascii_digit())
                                && !h.contains(':') =>
                        {
                            h
                        }
                        Some((h, _)) if h.ends_with(']') => h,
                        _ => host,
                    };
                    if https_port == 443 {
                        format!("https://{name}{path}")
                    } else {
                        format!("https://{name}:{https_port}{path}")
                    }
                }
            };
            Redirect::permanent(&target)
        }
    })
}
