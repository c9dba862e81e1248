use hongling_core::{Grant, Scope, Township};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;

/// A grant as people read it: role and where, e.g. "党建工作指导员 · 古井镇".
#[component]
pub fn GrantLabel(
    /// The grant to show.
    grant: Grant,
    /// Township names, to name a township scope.
    #[prop(into)]
    townships: Signal<Vec<(Uuid, Township)>>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let place = move || match grant.scope {
        Scope::District => ctx.t(Key::WholeDistrict).to_owned(),
        Scope::Township(id) => townships
            .with(|t| {
                t.iter()
                    .find(|(t, _)| *t == id)
                    .map(|(_, t)| t.name.clone())
            })
            .unwrap_or_else(|| id.to_string()),
        Scope::Contest(id) | Scope::Worker(id) => id.to_string(),
    };
    view! { <span class="tag">{move || ctx.t(grant.role.key())} " · " {place}</span> }
}
