use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::state::AppCtx;

/// Navigation: a bottom tab bar in portrait, a side rail in landscape (by CSS).
#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    view! {
        <nav class="nav" aria-label="主导航">
            <A href="/" exact=true>
                <span class="nav-icon" aria-hidden="true">"👥"</span>
                <span>{move || ctx.t(Key::NavWorkers)}</span>
            </A>
            <A href="/settings">
                <span class="nav-icon" aria-hidden="true">"⚙"</span>
                <span>{move || ctx.t(Key::NavSettings)}</span>
            </A>
        </nav>
    }
}
