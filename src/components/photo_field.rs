//! A photo on a form: shows the current one, takes a new one from the camera or the
//! gallery, or removes it.
//!
//! A chosen photo is written to IndexedDB at once (as a blob not yet uploaded), and the
//! form only keeps its hash. So a photo taken on site survives a closed tab with the
//! rest of the draft, and the sync uploads it before the mutation that names it.

use hongling_core::BlobRef;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::PhotoView;
use crate::i18n::Key;
use crate::photo::PhotoError;
use crate::state::AppCtx;

#[component]
pub fn PhotoField(
    /// The photo the form holds: `None` for none.
    photo: RwSignal<Option<BlobRef>>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().expect("input").unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match crate::photo::keep_original(&file).await {
                Ok(sha) => photo.set(Some(sha)),
                Err(PhotoError::TooLarge(_)) => {
                    error.set(Some(ctx.t(Key::PhotoTooLarge).to_owned()))
                }
                Err(e) => error.set(Some(e.text(ctx.lang.get_untracked()))),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="field photo-field" data-testid="photo-field">
            <span class="label">{move || ctx.t(Key::Photo)}</span>
            <PhotoView photo=Signal::from(photo) />
            <div class="photo-actions">
                <label class="btn">
                    {move || ctx.t(Key::ChoosePhoto)}
                    <input type="file" accept="image/*" capture="environment" class="visually-hidden"
                        data-testid="photo-input" disabled=move || busy.get() on:change=choose />
                </label>
                <Show when=move || photo.with(Option::is_some)>
                    <button type="button" class="btn" data-testid="photo-remove"
                        on:click=move |_| photo.set(None)>
                        {move || ctx.t(Key::RemovePhoto)}
                    </button>
                </Show>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}
