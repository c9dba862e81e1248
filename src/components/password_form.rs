use hongling_core::wire::ChangePasswordRequest;
use leptos::prelude::*;

use crate::act::Act;
use crate::i18n::{Key, t};
use crate::state::AppCtx;

/// 修改密码: old password, new password twice. The length and username rules are the
/// core's, checked as the user types; the common-password list is the server's, whose
/// answer is shown as it comes. On success the session goes on (the server ends the
/// account's other sessions) and a forced change is done.
#[component]
pub fn PasswordForm(
    /// Changes the password (the page asks the server and keeps the session).
    change: Act<ChangePasswordRequest>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let lang = ctx.lang.get_untracked();
        let Some(session) = ctx.session.get_untracked() else {
            return;
        };
        done.set(false);
        let new_password = new.get_untracked();
        if new_password != again.get_untracked() {
            error.set(Some(t(lang, Key::PasswordsDiffer).to_owned()));
            return;
        }
        if let Err(p) =
            hongling_core::password::check(&session.account.username, &new_password, |_| false)
        {
            error.set(Some(crate::labels::password_problem_text(lang, p)));
            return;
        }
        error.set(None);
        busy.set(true);
        let req = ChangePasswordRequest {
            old_password: old.get_untracked(),
            new_password,
        };
        let change = change.clone();
        leptos::task::spawn_local(async move {
            match change.run(req).await {
                Ok(()) => {
                    old.set(String::new());
                    new.set(String::new());
                    again.set(String::new());
                    done.set(true);
                }
                Err(m) => error.set(Some(m)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="form" on:submit=submit data-testid="password-form">
            <label class="field">
                <span class="label">{move || ctx.t(Key::OldPassword)}</span>
                <input name="old-password" type="password" autocomplete="current-password"
                    prop:value=move || old.get()
                    on:input=move |ev| old.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="label">{move || ctx.t(Key::NewPassword)}</span>
                <input name="new-password" type="password" autocomplete="new-password"
                    prop:value=move || new.get()
                    on:input=move |ev| new.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span class="label">{move || ctx.t(Key::RepeatPassword)}</span>
                <input name="repeat-password" type="password" autocomplete="new-password"
                    prop:value=move || again.get()
                    on:input=move |ev| again.set(event_target_value(&ev)) />
            </label>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="password-error">{m}</p> })}
            <Show when=move || done.get()>
                <p role="status" data-testid="password-changed">{move || ctx.t(Key::PasswordChanged)}</p>
            </Show>
            <button type="submit" class="btn btn-primary" data-testid="change-password" disabled=move || busy.get()>
                {move || if busy.get() { ctx.t(Key::Saving) } else { ctx.t(Key::ChangePassword) }}
            </button>
        </form>
    }
}
