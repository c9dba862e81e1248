use leptos::prelude::*;

use crate::i18n::Key;
use crate::pwa;
use crate::state::AppCtx;

/// "新版本可用，点击更新": shown when a new version of the app is waiting.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    view! {
        <Show when=move || ctx.update_ready.get()>
            <button class="update-banner" data-testid="update" on:click=move |_| pwa::apply_update()>
                {move || ctx.t(Key::UpdateAvailable)}
            </button>
        </Show>
    }
}
