//! The tablet camera as a QR reader: frames are drawn on a canvas a few times a second
//! and decoded in Rust ([`crate::scan`]). Each new text is handed to `on_text`; the same
//! code held in front of the camera is reported once every few seconds, not per frame.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Msg;
use crate::state::AppCtx;

/// How often a frame is read, in milliseconds.
const EVERY_MS: u64 = 250;
/// Frames are read at most this wide.
const MAX_WIDTH: u32 = 800;

async fn open_camera(video: &web_sys::HtmlVideoElement) -> Result<web_sys::MediaStream, String> {
    let devices = web_sys::window()
        .ok_or("no window")?
        .navigator()
        .media_devices()
        .map_err(|_| "no camera API".to_owned())?;
    let constraints = web_sys::MediaStreamConstraints::new();
    let video_constraints = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &video_constraints,
        &"facingMode".into(),
        &"environment".into(),
    );
    constraints.set_video(&video_constraints);
    constraints.set_audio(&false.into());
    let stream: web_sys::MediaStream = JsFuture::from(
        devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|e| format!("{e:?}"))?,
    )
    .await
    .map_err(|e| format!("{e:?}"))?
    .unchecked_into();
    video.set_src_object(Some(&stream));
    let _ = video.play();
    Ok(stream)
}

fn stop(stream: &web_sys::MediaStream) {
    for track in stream.get_tracks().iter() {
        let track: web_sys::MediaStreamTrack = track.unchecked_into();
        track.stop();
    }
}

/// Reads one frame of `video` and decodes it.
fn read_frame(
    video: &web_sys::HtmlVideoElement,
    canvas: &web_sys::HtmlCanvasElement,
) -> Vec<String> {
    let (vw, vh) = (video.video_width(), video.video_height());
    if vw == 0 || vh == 0 || video.ready_state() < 2 {
        return Vec::new();
    }
    let scale = (f64::from(MAX_WIDTH) / f64::from(vw)).min(1.0);
    let (w, h) = (
        (f64::from(vw) * scale).round() as u32,
        (f64::from(vh) * scale).round() as u32,
    );
    canvas.set_width(w);
    canvas.set_height(h);
    let Some(context) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .map(|c| c.unchecked_into::<web_sys::CanvasRenderingContext2d>())
    else {
        return Vec::new();
    };
    if context
        .draw_image_with_html_video_element_and_dw_and_dh(
            video,
            0.0,
            0.0,
            f64::from(w),
            f64::from(h),
        )
        .is_err()
    {
        return Vec::new();
    }
    let Ok(image) = context.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)) else {
        return Vec::new();
    };
    let luma = crate::scan::rgba_to_luma(&image.data());
    crate::scan::decode_luma(w as usize, h as usize, &luma)
}

#[component]
pub fn QrScanner(
    /// Called with each text read.
    on_text: Callback<String>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let video_ref = NodeRef::<leptos::html::Video>::new();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let error = RwSignal::new(None::<String>);
    let stream = StoredValue::new_local(None::<web_sys::MediaStream>);
    let last = StoredValue::new((String::new(), 0.0f64));
    Effect::new(move |_| {
        let Some(video) = video_ref.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match open_camera(&video).await {
                Ok(s) => stream.set_value(Some(s)),
                Err(e) => error.set(Some(ctx.tr(Msg::CameraUnavailableBecause { why: &e }))),
            }
        });
    });
    let timer = set_interval_with_handle(
        move || {
            let (Some(video), Some(canvas)) =
                (video_ref.get_untracked(), canvas_ref.get_untracked())
            else {
                return;
            };
            for text in read_frame(&video, &canvas) {
                let now = js_sys::Date::now();
                let (previous, at) = last.get_value();
                if previous == text && now - at < 3000.0 {
                    continue;
                }
                last.set_value((text.clone(), now));
                on_text.run(text);
            }
        },
        std::time::Duration::from_millis(EVERY_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
        if let Some(s) = stream.get_value() {
            stop(&s);
        }
    });
    view! {
        <div class="qr-scanner" data-testid="qr-scanner">
            <video node_ref=video_ref autoplay=true muted=true playsinline=true></video>
            <canvas node_ref=canvas_ref class="visually-hidden"></canvas>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}
