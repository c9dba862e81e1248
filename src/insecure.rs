//! The screen of a non-secure origin (a tablet opening `http://<server>:8080`).
//!
//! Why a screen of its own and not the app: service workers, persistent storage and the
//! camera need a secure context, and IndexedDB belongs to the origin, so anything typed
//! at the http address would be stranded there, never reaching the https one. The app
//! therefore takes no data here: it says where to go instead (`serve --public-url`,
//! read from `/api/v1/health`) and links to `/install` for the office's certificate.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::i18n::{Key, Lang, t};

/// True when the page runs in a secure context (https, or localhost).
pub fn is_secure_context() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("isSecureContext")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The https address the server announces, if it was given one.
async fn public_url() -> Option<String> {
    use wasm_bindgen::JsCast;
    let window = web_sys::window()?;
    let res = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str("/api/v1/health"))
        .await
        .ok()?;
    let res: web_sys::Response = res.dyn_into().ok()?;
    let text = wasm_bindgen_futures::JsFuture::from(res.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    let health: serde_json::Value = serde_json::from_str(&text).ok()?;
    health["public_url"]
        .as_str()
        .filter(|u| u.starts_with("https://"))
        .map(str::to_owned)
}

/// One Chinese screen: this address cannot be used, the https one to use, `/install`.
#[component]
pub fn InsecureOrigin() -> impl IntoView {
    let lang = Lang::load();
    let url = LocalResource::new(public_url);
    view! {
        <section class="login">
            <div class="card insecure" role="alert" data-testid="insecure-origin">
                <h1>{t(lang, Key::InsecureTitle)}</h1>
                <p>{t(lang, Key::InsecureBody)}</p>
                <Suspense fallback=|| ()>
                    {move || url.get().map(|u| match u {
                        Some(u) => view! {
                            <p class="insecure-url"><a href=u.clone() data-testid="public-url">{u.clone()}</a></p>
                        }.into_any(),
                        None => view! { <p>{t(lang, Key::InsecureNoUrl)}</p> }.into_any(),
                    })}
                </Suspense>
                <p><a class="btn" href="/install" data-testid="install-link">{t(lang, Key::InsecureInstall)}</a></p>
            </div>
        </section>
    }
}
