use hongling_core::{Grant, Township};
use leptos::prelude::*;
use uuid::Uuid;

use super::{GrantLabel, GrantPicker};
use crate::act::Act;
use crate::i18n::Key;
use crate::state::AppCtx;

/// What the form asks the page to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub grants: Vec<Grant>,
}

/// 新建账号: username, name, first password and grants.
#[component]
pub fn NewAccountForm(
    /// Township names for the grant picker.
    #[prop(into)]
    townships: Signal<Vec<(Uuid, Township)>>,
    /// Creates the account (the page calls the server and reloads its list).
    create: Act<NewAccount>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let grants = RwSignal::new(Vec::<Grant>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let account = NewAccount {
            username: username.get_untracked().trim().to_owned(),
            display_name: name.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            grants: grants.get_untracked(),
        };
        let create = create.clone();
        leptos::task::spawn_local(async move {
            let who = account.username.clone();
            match create.run(account).await {
                Ok(()) => {
                    message.set(Some((true, format!("{} {who}", ctx.t(Key::Done)))));
                    username.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    grants.set(Vec::new());
                }
                Err(m) => message.set(Some((false, m))),
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
