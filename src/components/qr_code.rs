//! A QR code drawn as SVG, sharp at any size and in print.

use leptos::prelude::*;

/// The QR code of `text` as an SVG document.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[component]
pub fn QrCode(
    /// What the code says.
    #[prop(into)]
    text: String,
    /// The wrapper's class, which sets its size.
    #[prop(into, default = "qr".to_owned())]
    class: String,
) -> impl IntoView {
    let svg = qr_svg(&text);
    view! { <div class=class data-testid="qr" data-qr=text inner_html=svg></div> }
}
