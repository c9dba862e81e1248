//! Reading QR codes from camera frames, in the app itself: `rqrr` (pure Rust) decodes
//! the grey levels of a frame, so check-in works in every browser, with no
//! `BarcodeDetector` and no network.

/// The texts of every QR code found in a greyscale image of `width` × `height`.
pub fn decode_luma(width: usize, height: usize, luma: &[u8]) -> Vec<String> {
    if width == 0 || height == 0 || luma.len() < width * height {
        return Vec::new();
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The grey level of each RGBA pixel (ITU-R BT.601 weights, in integers).
pub fn rgba_to_luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn a_certificate_qr_drawn_in_grey_is_read_back() {
        let text = "HLC1.k1.eyJ2IjoxLCJubyI6IkhMMjAyNi0wMDAwMSJ9.c2lnbmF0dXJl";
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let modules = code.width();
        let (scale, quiet) = (4, 4);
        let side = (modules + 2 * quiet) * scale;
        let colors = code.to_colors();
        let mut luma = vec![255u8; side * side];
        for (i, c) in colors.iter().enumerate() {
            if *c == qrcode::Color::Dark {
                let (mx, my) = (i % modules + quiet, i / modules + quiet);
                for dy in 0..scale {
                    for dx in 0..scale {
                        luma[(my * scale + dy) * side + mx * scale + dx] = 20;
                    }
                }
            }
        }
        assert_eq!(decode_luma(side, side, &luma), [text]);
        // A blank frame has nothing; a short buffer is not read past its end.
        assert!(decode_luma(side, side, &vec![255; side * side]).is_empty());
        assert!(decode_luma(side, side, &[0; 10]).is_empty());
        assert_eq!(rgba_to_luma(&[255, 255, 255, 255, 0, 0, 0, 255]), [255, 0]);
    }
}
