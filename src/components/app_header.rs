use leptos::prelude::*;

use super::SyncBadge;
use crate::i18n::Key;
use crate::state::AppCtx;

/// The header on every screen: programme name, the account, and the sync badge.
#[component]
pub fn AppHeader() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let account = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.account.display_name.clone()))
    };
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">{ctx.t(Key::BrandMark)}</span>
                <span class="brand-name">{move || ctx.t(Key::AppName)}</span>
            </div>
            <div class="account" data-testid="account">{account}</div>
            <SyncBadge />
        </header>
    }
}
