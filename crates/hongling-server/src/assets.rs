//! The built app (Trunk's `dist/`), served from memory, precompressed.
//!
//! Why from memory and not from the disk at each request: the release binary carries the
//! app inside it (the `embedded-app` feature), so a district deploys one file; `--static
//! DIR` reads a folder the same way at start. Either way the files are loaded once, with
//! the brotli and gzip copies that `cargo xtask dist` made beside them (`x.br`, `x.gz`),
//! so no request pays for compression and a tablet on 4G gets 1.1 MB of brotli instead
//! of 4 MB of wasm.
//!
//! Caching: the files Trunk names by their content hash never change, so they are
//! `immutable` for a year (a service worker's precache then fills from the HTTP cache
//! instead of downloading again); `index.html`, `sw.js` and the other fixed names are
//! `no-cache` (revalidated with their ETag each time), so a new version is seen at once.
//! Any path without a file extension is a route of the app and gets `index.html`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One file in its encodings.
#[derive(Debug)]
struct Asset {
    content_type: HeaderValue,
    immutable: bool,
    /// The SHA-256 of the uncompressed bytes, the base of each encoding's ETag.
    tag: String,
    identity: Bytes,
    br: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// The app's files by path (without the leading `/`).
#[derive(Debug)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

/// Which copy of a file a response carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Br,
    Gzip,
    Identity,
}

impl Assets {
    /// Reads a built app from a folder (`--static DIR`).
    pub fn from_dir(dir: &Path) -> anyhow::Result<Assets> {
        let mut found = Vec::new();
        read_tree(dir, dir, &mut found)?;
        Assets::from_files(found).with_context(|| format!("{} is not a built app", dir.display()))
    }

    /// The app built into this binary, if it was built with the `embedded-app` feature.
    /// A binary whose built-in app is broken (no `index.html`, say) is an error, not "no
    /// app": it would otherwise serve the API alone and leave the tablets a blank page.
    pub fn embedded() -> anyhow::Result<Option<Assets>> {
        #[cfg(feature = "embedded-app")]
        {
            let files = Embedded::iter()
                .filter_map(|path| {
                    Embedded::get(&path).map(|f| (path.into_owned(), f.data.into_owned()))
                })
                .collect();
            Assets::from_files(files)
                .map(Some)
                .map_err(|e| e.context("the app built into this binary is broken"))
        }
        #[cfg(not(feature = "embedded-app"))]
        {
            Ok(None)
        }
    }

    fn from_files(found: Vec<(String, Vec<u8>)>) -> anyhow::Result<Assets> {
        let mut compressed: HashMap<String, Vec<u8>> = HashMap::new();
        let mut plain = Vec::new();
        for (path, bytes) in found {
            if path.ends_with(".br") || path.ends_with(".gz") {
                compressed.insert(path, bytes);
            } else {
                plain.push((path, bytes));
            }
        }
        let mut files = HashMap::new();
        for (path, identity) in plain {
            let name = path.rsplit('/').next().unwrap_or(&path);
            let content_type = mime_guess::from_path(&path)
                .first_raw()
                .map(|m| match m {
                    // Text types say their charset: the app's text is Chinese.
                    "text/html" | "text/css" | "text/javascript" | "application/javascript" => {
                        format!("{m}; charset=utf-8")
                    }
                    _ => m.to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            let asset = Asset {
                content_type: HeaderValue::from_str(&content_type)?,
                immutable: is_content_hashed(name),
                tag: hex::encode(&Sha256::digest(&identity)[..12]),
                br: compressed.remove(&format!("{path}.br")).map(Bytes::from),
                gzip: compressed.remove(&format!("{path}.gz")).map(Bytes::from),
                identity: Bytes::from(identity),
            };
            files.insert(path, asset);
        }
        if !files.contains_key("index.html") {
            bail!("it has no index.html");
        }
        Ok(Assets { files })
    }

    /// The bytes of `index.html` (the security headers allow its inline script by hash).
    pub fn index_html(&self) -> &[u8] {
        &self.files["index.html"].identity
    }

    /// How many files, and their bytes uncompressed and as brotli (for the start banner).
    pub fn summary(&self) -> (usize, usize, usize) {
        let raw = self.files.values().map(|a| a.identity.len()).sum();
        let br = self
            .files
            .values()
            .map(|a| a.br.as_ref().map_or(a.identity.len(), Bytes::len))
            .sum();
        (self.files.len(), raw, br)
    }
}

/// Trunk's content-hashed names: `name-<16 hex digits>` before `.ext` or `_bg.wasm`.
fn is_content_hashed(name: &str) -> bool {
    name.match_indices('-').any(|(i, _)| {
        let rest = &name[i + 1..];
        rest.len() > 16
            && rest[..16].bytes().all(|b| b.is_ascii_hexdigit())
            && matches!(rest.as_bytes()[16], b'.' | b'_')
    })
}

fn read_tree(root: &Path, dir: &Path, found: &mut Vec<(String, Vec<u8>)>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            read_tree(root, &path, found)?;
        } else {
            let rel = path
                .strip_prefix(root)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            found.push((rel, std::fs::read(&path)?));
        }
    }
    Ok(())
}

#[cfg(feature = "embedded-app")]
#[derive(rust_embed::RustEmbed)]
#[folder = "../../dist"]
struct Embedded;

/// The encoding to send: brotli, else gzip, when the client accepts it and a copy exists.
fn negotiate(headers: &HeaderMap, asset: &Asset) -> Encoding {
    let accepted = |wanted: &str| {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .filter_map(|q| q.trim().parse::<f32>().ok())
                    .next()
                    .unwrap_or(1.0);
                name.eq_ignore_ascii_case(wanted) && q > 0.0
            })
    };
    if asset.br.is_some() && accepted("br") {
        Encoding::Br
    } else if asset.gzip.is_some() && accepted("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Answers a GET or HEAD for a file of the app.
pub async fn serve(State(assets): State<Arc<Assets>>, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = req.uri().path().trim_start_matches('/');
    let last = path.rsplit('/').next().unwrap_or("");
    let asset = match assets.files.get(path) {
        Some(a) => a,
        // A route of the app (no extension): the shell, whose router picks the screen.
        None if path.is_empty() || !last.contains('.') => &assets.files["index.html"],
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    let encoding = negotiate(req.headers(), asset);
    let (bytes, coding, suffix) = match encoding {
        Encoding::Br => (asset.br.clone().unwrap_or_default(), Some("br"), "-br"),
        Encoding::Gzip => (asset.gzip.clone().unwrap_or_default(), Some("gzip"), "-gz"),
        Encoding::Identity => (asset.identity.clone(), None, ""),
    };
    let etag = format!("\"{}{suffix}\"", asset.tag);
    let mut res = Response::builder()
        .header(header::VARY, "Accept-Encoding")
        .header(header::ETAG, &etag)
        .header(
            header::CACHE_CONTROL,
            if asset.immutable {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            },
        );
    let fresh = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == etag || t.trim() == "*");
    if fresh {
        return res
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    res = res
        .header(header::CONTENT_TYPE, asset.content_type.clone())
        .header(header::CONTENT_LENGTH, bytes.len());
    if let Some(coding) = coding {
        res = res.header(header::CONTENT_ENCODING, coding);
    }
    let body = if req.method() == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    res.body(body)
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_names_by_hash_are_immutable_and_fixed_names_are_not() {
        assert!(is_content_hashed("hongling-3f1e2d4c5b6a7980_bg.wasm"));
        assert!(is_content_hashed("hongling-3f1e2d4c5b6a7980.js"));
        assert!(is_content_hashed("style-0123456789abcdef.css"));
        assert!(!is_content_hashed("index.html"));
        assert!(!is_content_hashed("sw.js"));
        assert!(!is_content_hashed("icon-192.png"));
        assert!(!is_content_hashed("manifest.webmanifest"));
    }

    fn asset(br: bool, gzip: bool) -> Asset {
        Asset {
            content_type: HeaderValue::from_static("application/wasm"),
            immutable: true,
            tag: "t".into(),
            identity: Bytes::from_static(&[0; 10]),
            br: br.then(|| Bytes::from_static(&[1])),
            gzip: gzip.then(|| Bytes::from_static(&[2])),
        }
    }

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn brotli_is_sent_only_to_a_client_that_accepts_it() {
        let both = asset(true, true);
        assert_eq!(
            negotiate(&accept("gzip, deflate, br, zstd"), &both),
            Encoding::Br
        );
        // Chromium over plain http to a non-localhost origin asks for gzip only.
        assert_eq!(negotiate(&accept("gzip, deflate"), &both), Encoding::Gzip);
        assert_eq!(
            negotiate(&accept("br;q=0, gzip;q=0.5"), &both),
            Encoding::Gzip
        );
        assert_eq!(negotiate(&HeaderMap::new(), &both), Encoding::Identity);
        assert_eq!(
            negotiate(&accept("br"), &asset(false, true)),
            Encoding::Identity
        );
    }
}
