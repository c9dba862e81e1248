use leptos::prelude::*;
use leptos_router::components::A;

use hongling_core::permission::Action;

use crate::i18n::Key;
use crate::state::AppCtx;

/// Navigation: a bottom tab bar in portrait, a side rail in landscape (by CSS).
#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    view! {
        <nav class="nav" aria-label=move || ctx.t(Key::MainNavigation)>
            <A href="/" exact=true>
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="9" cy="8" r="3.5" />
                    <path d="M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5" />
                    <circle cx="17" cy="9" r="2.5" />
                    <path d="M16 13.6c3 .3 5.5 2.8 5.5 6.4" />
                </svg>
                <span>{move || ctx.t(Key::NavWorkers)}</span>
            </A>
            <Show when=move || ctx.may(Action::WorkOnProgramme)>
                <A href="/applications">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M6 2.5h9l4 4v15H6z" />
                        <path d="M15 2.5v4h4M9 11h7M9 15h7M9 19h4" />
                    </svg>
                    <span>{move || ctx.t(Key::NavApplications)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Review)>
                <A href="/queue">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <rect x="3.5" y="4.5" width="17" height="16" rx="2" />
                        <path d="M8 2.5v4M16 2.5v4M7.5 13l3 3 6-6" />
                    </svg>
                    <span>{move || ctx.t(Key::NavQueue)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::WorkOnProgramme)>
                <A href="/field" attr:data-testid="nav-field">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 21.5s-6.5-6-6.5-11a6.5 6.5 0 0 1 13 0c0 5-6.5 11-6.5 11z" />
                        <circle cx="12" cy="10.5" r="2.3" />
                    </svg>
                    <span>{move || ctx.t(Key::NavField)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Inspect)>
                <A href="/inspections" attr:data-testid="nav-inspections">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <rect x="4.5" y="3.5" width="15" height="18" rx="2" />
                        <path d="M8 3.5v-1h8v1M8.5 12l2.5 2.5 4.5-5" />
                    </svg>
                    <span>{move || ctx.t(Key::NavInspections)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::SeeIndicators)>
                <A href="/dashboard" attr:data-testid="nav-dashboard">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3.5 20.5h17M6.5 17v-5M11 17V7M15.5 17v-8M20 17v-3" />
                    </svg>
                    <span>{move || ctx.t(Key::NavDashboard)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Administer)>
                <A href="/notices">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M4 9.5h3l8-5v15l-8-5H4z" />
                        <path d="M18 9a4 4 0 0 1 0 6" />
                    </svg>
                    <span>{move || ctx.t(Key::NavNotices)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Administer)>
                <A href="/admin/programme">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <circle cx="12" cy="9" r="5.5" />
                        <path d="M8.5 13.5 7 21.5l5-2.5 5 2.5-1.5-8" />
                    </svg>
                    <span>{move || ctx.t(Key::NavProgramme)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Administer)>
                <A href="/stipends">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <rect x="3" y="6" width="18" height="12" rx="2" />
                        <circle cx="12" cy="12" r="2.5" />
                    </svg>
                    <span>{move || ctx.t(Key::NavStipends)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::SeeContests)>
                <A href="/contests" attr:data-testid="nav-contests">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M7 3.5h10v5a5 5 0 0 1-10 0z" />
                        <path d="M7 5.5H4v1.5a3 3 0 0 0 3 3M17 5.5h3v1.5a3 3 0 0 1-3 3M12 13.5v4M8 20.5h8" />
                    </svg>
                    <span>{move || ctx.t(Key::NavContests)}</span>
                </A>
            </Show>
            <A href="/verify">
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 2.5l8 3v6c0 5-3.4 8.6-8 10-4.6-1.4-8-5-8-10v-6z" />
                    <path d="M8.5 12l2.5 2.5 4.5-5" />
                </svg>
                <span>{move || ctx.t(Key::NavVerify)}</span>
            </A>
            <A href="/inbox">
                <span class="nav-icon-wrap">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3.5 13.5 6 5.5h12l2.5 8v5h-17z" />
                        <path d="M3.5 13.5h5l1 2h5l1-2h5" />
                    </svg>
                    <Show when=move || ctx.rejected.get() + ctx.duplicates.get() != 0>
                        <span class="red-dot" data-testid="inbox-dot" aria-label=move || ctx.t(Key::InboxHasItems)></span>
                    </Show>
                </span>
                <span>{move || ctx.t(Key::NavInbox)}</span>
            </A>
            <Show when=move || ctx.may(Action::Administer)>
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
