use hongling_core::{Grant, Township};
use leptos::prelude::*;
use uuid::Uuid;

use super::{GrantLabel, GrantPicker};
use crate::i18n::Key;
use crate::state::AppCtx;
use crate::sync::api::admin;

/// 新建账号: username, name, first password and grants.
#[component]
pub fn NewAccountForm(
    /// Township names for the grant picker.
    #[prop(into)]
    townships: Signal<Vec<(Uuid, Township)>>,
    /// Called after the account was created.
    changed: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let grants = RwSignal::new(Vec::<Grant>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(token) = ctx
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
        else {
            return;
        };
        let account = admin::NewAccount {
            username: username.get_untracked().trim().to_owned(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            grants: grants.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match admin::create(&token, &account).await {
                Ok(()) => {
                    message.set(Some((
                        true,
                        format!("{} {}", ctx.t(Key::Done), account.username),
                    )));
                    username.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    grants.set(Vec::new());
                    changed.run(());
                }
                Err(crate::sync::api::ApiError::Server { body, .. }) => {
                    message.set(Some((
                        false,
                        crate::labels::refusal_text(
                            ctx.lang.get_untracked(),
                            &body.code,
                            &body.message,
                        ),
                    )));
                }
                Err(_) => message.set(Some((false, ctx.t(Key::ErrorNetwork).to_owned()))),
            }
        });
    };
    let pick = Callback::new(move |g: Grant| {
        grants.update(|gs| {
            if !gs.contains(&g) {
                gs.push(g);
            }
        })
    });
    view! {
        <form class="card form" on:submit=submit data-testid="new-account">
            <h2>{move || ctx.t(Key::NewAccount)}</h2>
            <label class="field">
                <span class="label">{move || ctx.t(Key::Username)}</span>
                <input name="new-username" type="text" autocapitalize="off" prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="label">{move || ctx.t(Key::DisplayName)}</span>
                <input name="new-name" type="text" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="label">{move || ctx.t(Key::NewPassword)}</span>
                <input name="new-password" type="password" autocomplete="new-password" prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev)) />
            </label>
            <div class="field">
                <span class="label">{move || ctx.t(Key::Grants)}</span>
                <div class="tags">
                    {move || grants.get().into_iter().map(|grant| view! { <GrantLabel grant townships /> }).collect_view()}
                </div>
                <GrantPicker townships on_pick=pick />
            </div>
            {move || message.get().map(|(ok, m)| view! {
                <p class:field-error=!ok role="status" data-testid="new-account-message">{m}</p>
            })}
            <button type="submit" class="btn btn-primary" data-testid="create-account">{move || ctx.t(Key::Create)}</button>
        </form>
    }
}
