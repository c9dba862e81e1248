//! Shows an attachment photo: from this device, else fetched once from the server
//! (online) and kept (`crate::photo::load`), else a note that it is not here yet.

use hongling_core::BlobRef;
use leptos::prelude::*;

use crate::i18n::Key;
use crate::state::AppCtx;

/// An object URL showing `bytes`, revoked when the view goes away.
fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

#[component]
pub fn PhotoView(
    /// The photo to show; `None` shows nothing.
    photo: Signal<Option<BlobRef>>,
    /// A drawn signature rather than a photo: shown small, and named so.
    #[prop(optional)]
    autograph: bool,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    // What to show: an object URL, or `Err(())` when the bytes are not on this device.
    let shown = LocalResource::new(move || {
        let sha = photo.get();
        let online = ctx.online.get();
        let token = ctx.token();
        async move {
            let sha = sha?;
            Some(
                match crate::photo::load(&sha, token.filter(|_| online)).await {
                    Some((bytes, mime)) => object_url(&bytes, &mime).ok_or(()),
                    None => Err(()),
                },
            )
        }
    });
    Effect::new(move |previous: Option<Option<String>>| {
        let current = shown.get().flatten().and_then(Result::ok);
        if let Some(Some(old)) = previous
            && Some(&old) != current.as_ref()
        {
            let _ = web_sys::Url::revoke_object_url(&old);
        }
        current
    });

    view! {
        {move || match shown.get().flatten() {
            Some(Ok(url)) => view! {
                <img class=if autograph { "autograph" } else { "photo" } src=url
                    alt=move || ctx.t(if autograph { Key::HandwrittenSignature } else { Key::Photo })
                    data-testid=if autograph { "autograph" } else { "photo" } />
            }.into_any(),
            Some(Err(())) => view! {
                <p class="muted" data-testid="photo-missing">{ctx.t(Key::PhotoNotHere)}</p>
            }.into_any(),
            None => ().into_any(),
        }}
    }
}
