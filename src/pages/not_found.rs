use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::state::AppCtx;

/// Shown for an address the app does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    view! {
        <section class="page empty-state">
            <h1>{move || ctx.t(Key::NotFoundPage)}</h1>
            <A href="/" attr:class="btn btn-primary">{move || ctx.t(Key::BackHome)}</A>
        </section>
    }
}
