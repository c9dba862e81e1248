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
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="9" cy="8" r="3.5" />
                    <path d="M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5" />
                    <circle cx="17" cy="9" r="2.5" />
                    <path d="M16 13.6c3 .3 5.5 2.8 5.5 6.4" />
                </svg>
                <span>{move || ctx.t(Key::NavWorkers)}</span>
            </A>
            <A href="/inbox">
                <span class="nav-icon-wrap">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3.5 13.5 6 5.5h12l2.5 8v5h-17z" />
                        <path d="M3.5 13.5h5l1 2h5l1-2h5" />
                    </svg>
                    <Show when=move || ctx.rejected.get() != 0>
                        <span class="red-dot" data-testid="inbox-dot" aria-label="有被退回的变更"></span>
                    </Show>
                </span>
                <span>{move || ctx.t(Key::NavInbox)}</span>
            </A>
            <Show when=move || ctx.is_committee()>
                <A href="/admin/accounts">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <circle cx="12" cy="8" r="3.5" />
                        <path d="M5 20c0-3.9 3.1-7 7-7s7 3.1 7 7" />
                        <path d="M18 4.5l1.5 1.5 2.5-3" />
                    </svg>
                    <span>{move || ctx.t(Key::NavAccounts)}</span>
                </A>
            </Show>
            <A href="/settings">
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="12" cy="12" r="3.2" />
                    <path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" />
                </svg>
                <span>{move || ctx.t(Key::NavSettings)}</span>
            </A>
        </nav>
    }
}
