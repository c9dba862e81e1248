//! A note for a tablet that opened the app inside WeChat (a link sent in a chat): that
//! browser keeps no offline data and cannot install the app, so whatever is typed there
//! could be lost. The note says to open the system browser instead.

use leptos::prelude::*;

use crate::i18n::Key;
use crate::state::AppCtx;

/// True inside WeChat's built-in browser (its user agent says `MicroMessenger`).
pub fn in_wechat() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|ua| ua.contains("MicroMessenger"))
}

#[component]
pub fn InAppBrowserNotice() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    in_wechat().then(|| {
        view! {
            <div class="notice-box in-app-browser" role="alert" data-testid="in-app-browser">
                {move || ctx.t(Key::InAppBrowser)}
            </div>
        }
    })
}
