use hongling_core::wire::AccountSummary;
use hongling_core::{Grant, Township};
use leptos::prelude::*;
use uuid::Uuid;

use super::{GrantLabel, GrantPicker};
use crate::act::Act;
use crate::i18n::Key;
use crate::state::AppCtx;

/// What an account card can do; the accounts page says how (the server's admin API) and
/// reloads the list after each.
#[derive(Clone)]
pub struct AccountActs {
    /// (username, the grants it keeps).
    pub set_grants: Act<(String, Vec<Grant>)>,
    /// (username, disabled).
    pub set_disabled: Act<(String, bool)>,
    /// (username, the new password).
    pub set_password: Act<(String, String)>,
    pub revoke_device: Act<Uuid>,
}

/// One account: grants (add, remove), status, password reset and devices.
#[component]
pub fn AccountCard(
    /// The account as the server lists it.
    summary: AccountSummary,
    /// Township names for grants.
    #[prop(into)]
    townships: Signal<Vec<(Uuid, Township)>>,
    acts: AccountActs,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let username = summary.account.username.clone();
    let grants = summary.account.grants.clone();
    let disabled = summary.disabled;
    let message = RwSignal::new(None::<String>);
    let new_password = RwSignal::new(String::new());
    let report = move |outcome: Result<(), String>| match outcome {
        Ok(()) => message.set(Some(ctx.t(Key::Done).to_owned())),
        Err(m) => message.set(Some(m)),
    };
    let set_grants = {
        let (username, act) = (username.clone(), acts.set_grants.clone());
        move |next: Vec<Grant>| {
            let (username, act) = (username.clone(), act.clone());
            leptos::task::spawn_local(async move {
                report(act.run((username, next)).await);
            });
        }
    };
    let add = {
        let (grants, set_grants) = (grants.clone(), set_grants.clone());
        Callback::new(move |g: Grant| {
            let mut next = grants.clone();
            if !next.contains(&g) {
                next.push(g);
                set_grants(next);
            }
        })
    };
    let toggle = {
        let (username, act) = (username.clone(), acts.set_disabled.clone());
        move |_| {
            let (username, act) = (username.clone(), act.clone());
            leptos::task::spawn_local(async move {
                report(act.run((username, !disabled)).await);
            });
        }
    };
    let reset = {
        let (username, act) = (username.clone(), acts.set_password.clone());
        move |_| {
            let (username, act) = (username.clone(), act.clone());
            let password = new_password.get_untracked();
            leptos::task::spawn_local(async move {
                report(act.run((username, password)).await);
                new_password.set(String::new());
            });
        }
    };
    view! {
        <li class="card account-card" data-testid=format!("account-{username}")>
            <div class="account-head">
                <strong>{summary.account.display_name.clone()}</strong>
                <span class="muted">" " {username.clone()}</span>
                {disabled.then(|| view! { <span class="tag tag-pending">{move || ctx.t(Key::Disabled)}</span> })}
            </div>
            <div class="tags">
                {grants.iter().map(|g| {
                    let g = *g;
                    let rest: Vec<Grant> = grants.iter().copied().filter(|x| *x != g).collect();
                    let set_grants = set_grants.clone();
                    view! {
                        <span class="grant">
                            <GrantLabel grant=g townships />
                            <button class="btn btn-small" title=move || ctx.t(Key::Remove)
                                on:click=move |_| set_grants(rest.clone())>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <GrantPicker townships on_pick=add />
            <div class="account-actions">
                <button class="btn" data-testid="toggle-disabled" on:click=toggle>
                    {move || if disabled { ctx.t(Key::EnableAccount) } else { ctx.t(Key::DisableAccount) }}
                </button>
                <input type="password" autocomplete="new-password" placeholder=move || ctx.t(Key::NewPassword)
                    prop:value=move || new_password.get() on:input=move |ev| new_password.set(event_target_value(&ev)) />
                <button class="btn" data-testid="reset-password" on:click=reset>{move || ctx.t(Key::ResetPassword)}</button>
            </div>
            <details>
                <summary>{move || ctx.t(Key::Devices)} " (" {summary.devices.len()} ")"</summary>
                <ul class="device-list">
                    {summary.devices.iter().map(|d| {
                        let id = d.id;
                        let revoked = d.revoked;
                        let revoke = acts.revoke_device.clone();
                        view! {
                            <li>
                                <code>{id.to_string()[..8].to_owned()}</code> " " {d.created_at[..10].to_owned()}
                                {if revoked {
                                    view! { <span class="tag">{move || ctx.t(Key::Revoked)}</span> }.into_any()
                                } else {
                                    view! {
                                        <button class="btn btn-small btn-danger" on:click=move |_| {
                                            let revoke = revoke.clone();
                                            leptos::task::spawn_local(async move {
                                                report(revoke.run(id).await);
                                            });
                                        }>{move || ctx.t(Key::RevokeDevice)}</button>
                                    }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </details>
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
        </li>
    }
}
