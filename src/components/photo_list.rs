//! Several photos on a form (a site visit): each chosen picture is compressed to the
//! programme's limit and kept in IndexedDB at once, so the draft keeps it; a picture
//! that cannot be kept says why, next to the field.

use hongling_core::BlobRef;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::PhotoView;
use crate::i18n::{Key, Msg};
use crate::state::AppCtx;

#[component]
pub fn PhotoList(
    /// The photos the form holds, in order.
    photos: RwSignal<Vec<BlobRef>>,
    /// The most a compressed photo may weigh, in KiB.
    max_kib: Signal<u32>,
    /// The most photos allowed.
    max_count: usize,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let errors = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(0usize);
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().expect("input").unchecked_into();
        let Some(list) = input.files() else {
            return;
        };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        errors.set(Vec::new());
        let room = max_count.saturating_sub(photos.with_untracked(Vec::len));
        if files.len() > room {
            errors.update(|e| e.push(ctx.tr(Msg::TooManyPhotosMax { max: &max_count })));
        }
        for file in files.into_iter().take(room) {
            busy.update(|b| *b += 1);
            let limit = max_kib.get_untracked();
            leptos::task::spawn_local(async move {
                match crate::photo::keep(&file, limit).await {
                    Ok(sha) => photos.update(|p| {
                        if !p.contains(&sha) {
                            p.push(sha);
                        }
                    }),
                    Err(e) => errors.update(|list| {
                        list.push(ctx.tr(Msg::FileProblem {
                            file: &file.name(),
                            problem: &e.text(ctx.lang.get_untracked()),
                        }))
                    }),
                }
                busy.update(|b| *b -= 1);
            });
        }
    };
    view! {
        <div class="field photo-list" data-testid="photo-list">
            <span class="label">{move || ctx.t(Key::SitePhotos)}</span>
            <div class="thumbs">
                <For each=move || photos.get() key=|sha| sha.clone() let:sha>
                    {
                        let gone = sha.clone();
                        view! {
                            <div class="thumb" data-testid="photo-thumb">
                                <PhotoView photo=Signal::derive(move || Some(sha.clone())) />
                                <button type="button" class="btn" aria-label=move || ctx.t(Key::RemovePhoto)
                                    on:click=move |_| photos.update(|p| p.retain(|x| *x != gone))>"✕"</button>
                            </div>
                        }
                    }
                </For>
            </div>
            <label class="btn">
                {move || if busy.get() > 0 { ctx.t(Key::Compressing) } else { ctx.t(Key::AddPhotos) }}
                <input type="file" accept="image/*" multiple class="visually-hidden"
                    data-testid="photos-input" on:change=choose />
            </label>
            <span class="muted">{move || ctx.tr(Msg::PhotoLimitKib { kib: &max_kib.get() })}</span>
            {move || errors.get().into_iter().map(|m| view! { <p class="field-error" role="alert">{m}</p> }).collect_view()}
        </div>
    }
}
