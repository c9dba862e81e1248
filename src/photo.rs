//! Site photos: compressed on the tablet before they are stored, so a visit with a few
//! photos stays small in IndexedDB and quick to upload over a weak network.
//!
//! The browser decodes the picture (`createImageBitmap`) and re-encodes it as JPEG on a
//! canvas, at a smaller size or lower quality until it fits the programme's limit
//! (`ProgrammeSettings::photo_max_kib`). A photo that cannot be decoded or made small
//! enough is refused with a message, never dropped without a word.

use base64::Engine;
use hongling_core::BlobRef;
use sha2::Digest;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::state::db;

/// The longest side a stored photo keeps.
const MAX_SIDE: f64 = 2048.0;
/// Below this longest side a photo is no longer useful; compression gives up.
const MIN_SIDE: f64 = 320.0;

/// Why a photo was not kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("无法读取这张照片（不是图片，或格式不受支持）")]
    Unreadable,
    #[error("照片无法压缩到 {0} KB 以内")]
    TooLarge(u32),
    #[error("照片未能保存到本设备：{0}")]
    Storage(String),
}

impl PhotoError {
    /// The reason in the user's language (`Display` is the Chinese, for logs).
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::{Key, Msg, t, tr};
        match self {
            PhotoError::Unreadable => t(lang, Key::PhotoErrorUnreadable).to_owned(),
            PhotoError::TooLarge(kib) => tr(lang, Msg::PhotoErrorTooLarge { kib }),
            PhotoError::Storage(why) => tr(lang, Msg::PhotoErrorStorage { why }),
        }
    }
}

/// Compresses `file` to at most `max_kib` KiB of JPEG; a JPEG already small enough is
/// kept as it is. Returns the bytes and their media type.
pub async fn compress(file: &web_sys::File, max_kib: u32) -> Result<(Vec<u8>, String), PhotoError> {
    let max = max_kib as usize * 1024;
    if file.type_() == "image/jpeg" && (file.size() as usize) <= max {
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| PhotoError::Unreadable)?;
        return Ok((
            js_sys::Uint8Array::new(&buffer).to_vec(),
            "image/jpeg".into(),
        ));
    }
    let window = web_sys::window().ok_or(PhotoError::Unreadable)?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(file)
            .map_err(|_| PhotoError::Unreadable)?,
    )
    .await
    .map_err(|_| PhotoError::Unreadable)?
    .unchecked_into();
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    if w < 1.0 || h < 1.0 {
        return Err(PhotoError::Unreadable);
    }
    let document = window.document().ok_or(PhotoError::Unreadable)?;
    let canvas: web_sys::HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(|_| PhotoError::Unreadable)?
        .unchecked_into();
    let mut scale = (MAX_SIDE / w.max(h)).min(1.0);
    loop {
        let (cw, ch) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
        canvas.set_width(cw as u32);
        canvas.set_height(ch as u32);
        let context: web_sys::CanvasRenderingContext2d = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .ok_or(PhotoError::Unreadable)?
            .unchecked_into();
        // JPEG has no transparency: paint white under it.
        context.set_fill_style_str("#fff");
        context.fill_rect(0.0, 0.0, cw, ch);
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, cw, ch)
            .map_err(|_| PhotoError::Unreadable)?;
        for quality in [0.85, 0.7, 0.55, 0.4] {
            let url = canvas
                .to_data_url_with_type_and_encoder_options("image/jpeg", &quality.into())
                .map_err(|_| PhotoError::Unreadable)?;
            let encoded = url.split_once(',').map_or("", |(_, b)| b);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|_| PhotoError::Unreadable)?;
            if bytes.len() <= max {
                bitmap.close();
                return Ok((bytes, "image/jpeg".into()));
            }
        }
        scale *= 0.7;
        if w.max(h) * scale < MIN_SIDE {
            bitmap.close();
            return Err(PhotoError::TooLarge(max_kib));
        }
    }
}

/// Compresses `file` and keeps it in IndexedDB as a blob waiting for upload; returns
/// its address for the form to name.
pub async fn keep(file: &web_sys::File, max_kib: u32) -> Result<BlobRef, PhotoError> {
    let (bytes, mime) = compress(file, max_kib).await?;
    keep_bytes(bytes, mime).await
}

/// Keeps `file` as it is (a scan, already small), as [`keep`] does.
pub async fn keep_original(file: &web_sys::File) -> Result<BlobRef, PhotoError> {
    if file.size() > hongling_core::MAX_BLOB_BYTES as f64 {
        return Err(PhotoError::TooLarge(
            (hongling_core::MAX_BLOB_BYTES / 1024) as u32,
        ));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| PhotoError::Unreadable)?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    keep_bytes(bytes, file.type_()).await
}

/// The photo `sha` to show: from this device, or else (with a `token`, online) fetched
/// once from the server and kept. `None` when it is on neither.
pub async fn load(sha: &BlobRef, token: Option<String>) -> Option<(Vec<u8>, String)> {
    let db = db().await.ok()?;
    if let Ok(Some(b)) = db.blob(sha).await {
        return Some((b.bytes, b.mime));
    }
    // Not here yet (taken on another tablet): fetch it once and keep it.
    let bytes = crate::sync::api::get_blob(&token?, sha).await.ok()?;
    // Photos are JPEG; drawn signatures are PNG.
    let mime = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else {
        "image/jpeg"
    };
    let _ = db
        .keep_downloaded_blob(sha.clone(), mime.to_owned(), bytes.clone())
        .await;
    Some((bytes, mime.to_owned()))
}

/// Stores `bytes` under their SHA-256 (once) as a blob waiting for upload (a drawn
/// signature's PNG goes this way too).
pub async fn keep_bytes(bytes: Vec<u8>, mime: String) -> Result<BlobRef, PhotoError> {
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sha = BlobRef::parse(&hex).ok_or_else(|| PhotoError::Storage("hash".into()))?;
    let db = db().await.map_err(|e| PhotoError::Storage(e.to_string()))?;
    if db
        .blob(&sha)
        .await
        .map_err(|e| PhotoError::Storage(e.to_string()))?
        .is_none()
    {
        db.keep_local_blob(sha.clone(), mime, bytes)
            .await
            .map_err(|e| PhotoError::Storage(e.to_string()))?;
    }
    Ok(sha)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// A `side`×`side` PNG of noise (which compresses badly), as a file a tablet picks.
    fn noisy_png(side: u32) -> web_sys::File {
        let document = web_sys::window().unwrap().document().unwrap();
        let canvas: web_sys::HtmlCanvasElement =
            document.create_element("canvas").unwrap().unchecked_into();
        canvas.set_width(side);
        canvas.set_height(side);
        let context: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").unwrap().unwrap().unchecked_into();
        let mut seed = 7u32;
        let mut pixels = vec![0u8; (side * side * 4) as usize];
        for p in pixels.chunks_mut(4) {
            for c in &mut p[..3] {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *c = (seed >> 16) as u8;
            }
            p[3] = 255;
        }
        let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
            wasm_bindgen::Clamped(&pixels),
            side,
            side,
        )
        .unwrap();
        context.put_image_data(&data, 0.0, 0.0).unwrap();
        let url = canvas.to_data_url().unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(url.split_once(',').unwrap().1)
            .unwrap();
        file(&png, "image/png")
    }

    fn file(bytes: &[u8], mime: &str) -> web_sys::File {
        let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
        let options = web_sys::FilePropertyBag::new();
        options.set_type(mime);
        web_sys::File::new_with_u8_array_sequence_and_options(&parts, "现场.png", &options).unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_large_photo_is_compressed_to_the_limit_as_jpeg() {
        let big = noisy_png(1200);
        assert!(big.size() > 1024.0 * 1024.0, "the test photo is large");
        let (bytes, mime) = compress(&big, 200).await.unwrap();
        assert_eq!(mime, "image/jpeg");
        assert_eq!(&bytes[..2], &[0xFF, 0xD8], "JPEG bytes");
        assert!(bytes.len() <= 200 * 1024, "{} bytes", bytes.len());
    }

    #[wasm_bindgen_test]
    async fn a_file_that_is_not_a_picture_is_refused_with_a_reason() {
        let text = file("不是照片".as_bytes(), "image/png");
        assert_eq!(compress(&text, 800).await, Err(PhotoError::Unreadable));
        assert!(PhotoError::Unreadable.to_string().contains("无法读取"));
    }
}
