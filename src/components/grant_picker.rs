use hongling_core::{Grant, Role, Scope, Township};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;

/// A role and a scope (the whole district or one township), and a button to add them.
#[component]
pub fn GrantPicker(
    /// Township names for the scope list.
    #[prop(into)]
    townships: Signal<Vec<(Uuid, Township)>>,
    /// Called with the chosen grant.
    on_pick: Callback<Grant>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let role = RwSignal::new(Role::Instructor);
    let scope = RwSignal::new(String::from("district"));
    let add = move |_| {
        let scope = match scope.get_untracked().parse::<Uuid>() {
            Ok(id) => Scope::Township(id),
            Err(_) => Scope::District,
        };
        on_pick.run(Grant {
            role: role.get_untracked(),
            scope,
        });
    };
    view! {
        <div class="grant-picker">
            <select data-testid="grant-role" on:change=move |ev| {
                let i: usize = event_target_value(&ev).parse().unwrap_or(0);
                role.set(Role::ALL[i.min(Role::ALL.len() - 1)]);
            }>
                {Role::ALL.iter().enumerate().map(|(i, r)| {
                    let r = *r;
                    view! { <option value=i.to_string() selected=move || role.get() == r>{move || ctx.t(r.key())}</option> }
                }).collect_view()}
            </select>
            <select data-testid="grant-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                <option value="district">{move || ctx.t(Key::WholeDistrict)}</option>
                {move || townships.get().into_iter().map(|(id, t)| view! {
                    <option value=id.to_string()>{t.name}</option>
                }).collect_view()}
            </select>
            <button type="button" class="btn" data-testid="grant-add" on:click=add>{move || ctx.t(Key::AddGrant)}</button>
        </div>
    }
}
