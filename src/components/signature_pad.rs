//! A box to sign in by hand with a finger or a stylus, as a judge signs a paper score
//! sheet. Pointer events cover touch, pen and mouse alike; `touch-action: none` (in the
//! style sheet) keeps the stroke from scrolling the page. The drawing leaves as a PNG
//! ([`png`]), which travels as an attachment.

use base64::Engine;
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, PointerEvent};

/// The canvas' own pixels (three to one, like the signature line of a paper sheet); the
/// style sheet scales it to the card's width.
const WIDTH: u32 = 600;
const HEIGHT: u32 = 200;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// The point of `ev` in the canvas' own pixels, whatever size it is shown at.
fn point(canvas: &HtmlCanvasElement, ev: &PointerEvent) -> (f64, f64) {
    let (w, h) = (
        f64::from(canvas.client_width().max(1)),
        f64::from(canvas.client_height().max(1)),
    );
    (
        f64::from(ev.offset_x()) * f64::from(WIDTH) / w,
        f64::from(ev.offset_y()) * f64::from(HEIGHT) / h,
    )
}

/// The drawing as PNG bytes; `None` if the canvas cannot be read.
pub fn png(canvas: &HtmlCanvasElement) -> Option<Vec<u8>> {
    let url = canvas.to_data_url_with_type("image/png").ok()?;
    let data = url.split_once(',')?.1;
    base64::engine::general_purpose::STANDARD.decode(data).ok()
}

/// Empties the box.
pub fn clear(canvas: &HtmlCanvasElement) {
    if let Some(ctx) = context(canvas) {
        ctx.clear_rect(0.0, 0.0, f64::from(WIDTH), f64::from(HEIGHT));
    }
}

#[component]
pub fn SignaturePad(
    /// The canvas, for [`png`] and [`clear`].
    canvas: NodeRef<Canvas>,
    /// Set once anything has been drawn (the parent clears it with the box).
    drawn: RwSignal<bool>,
    /// What the box is, for screen readers.
    label: String,
) -> impl IntoView {
    // The last point of the stroke under way, if one is.
    let last = StoredValue::new(None::<(f64, f64)>);
    let down = move |ev: PointerEvent| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        ev.prevent_default();
        let _ = c.set_pointer_capture(ev.pointer_id());
        let p = point(&c, &ev);
        if let Some(ctx) = context(&c) {
            ctx.begin_path();
            let _ = ctx.arc(p.0, p.1, 1.5, 0.0, std::f64::consts::TAU);
            ctx.fill();
        }
        last.set_value(Some(p));
        drawn.set(true);
    };
    let moved = move |ev: PointerEvent| {
        let (Some(c), Some(from)) = (canvas.get_untracked(), last.get_value()) else {
            return;
        };
        let to = point(&c, &ev);
        if let Some(ctx) = context(&c) {
            ctx.set_line_width(3.0);
            ctx.set_line_cap("round");
            ctx.set_line_join("round");
            ctx.begin_path();
            ctx.move_to(from.0, from.1);
            ctx.line_to(to.0, to.1);
            ctx.stroke();
        }
        last.set_value(Some(to));
    };
    let up = move |_: PointerEvent| last.set_value(None);
    view! {
        <canvas node_ref=canvas class="signature-pad" data-testid="signature-pad"
            width=WIDTH height=HEIGHT role="img" aria-label=label
            on:pointerdown=down on:pointermove=moved on:pointerup=up on:pointercancel=up>
        </canvas>
    }
}
