use hongling_core::wire::{LoginRequest, SessionEnding};
use leptos::prelude::*;

use crate::components::BackupForm;
use crate::i18n::{Key, Msg, t};
use crate::local_data::{unsent_count, wipe};
use crate::state::AppCtx;
use crate::sync::Session;
use crate::sync::api::{self, ApiError};

/// The title and the explanation of each ending.
fn words(ending: SessionEnding) -> (Key, Key) {
    match ending {
        SessionEnding::SessionEnded => (Key::EndedSession, Key::EndedSessionText),
        SessionEnding::PasswordChanged => (Key::EndedPassword, Key::EndedPasswordText),
        SessionEnding::AccountDisabled => (Key::EndedDisabled, Key::EndedDisabledText),
        SessionEnding::DeviceRevoked => (Key::EndedRevoked, Key::EndedRevokedText),
    }
}

/// The one screen of a tablet whose session the server ended. Nothing of the data is
/// shown or changed here, and nothing is lost: the user may log in again where the
/// ending allows it, export what was not synced, and remove the local data only after
/// that export (or when there is nothing to export).
#[component]
pub fn LockedPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let ending = move || ctx.session.with(|s| s.as_ref().and_then(|s| s.ended));
    let unsent = LocalResource::new(unsent_count);
    let exported = RwSignal::new(false);
    let exporting = RwSignal::new(false);
    let confirm = RwSignal::new(false);
    let removing = RwSignal::new(false);
    let may_remove = move || exported.get() || unsent.get() == Some(0);

    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let log_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(session) = ctx.session.get_untracked() else {
            return;
        };
        busy.set(true);
        error.set(None);
        let mut req = LoginRequest {
            username: session.account.username.clone(),
            password: password.get_untracked(),
            device_id: session.device_id,
            device_key: None,
        };
        leptos::task::spawn_local(async move {
            req.device_key = crate::state::device_public_key().await;
            let lang = ctx.lang.get_untracked();
            match api::login(&req).await {
                // The same account again: the data on this device is its own, so it stays.
                Ok(reply) if reply.account.id == session.account.id => {
                    let session = Session::from_login(reply, session.device_id);
                    session.save();
                    password.set(String::new());
                    ctx.sync_error.set(None);
                    ctx.session.set(Some(session));
                    ctx.request_sync();
                }
                Ok(_) => error.set(Some(t(lang, Key::AnotherAccount).to_owned())),
                Err(ApiError::Network(_)) => {
                    error.set(Some(t(lang, Key::LoginNeedsNetwork).to_owned()))
                }
                Err(ApiError::Server { body, .. }) => {
                    // Disabled or revoked meanwhile: say so on this screen.
                    if let Some(now) = SessionEnding::from_code(&body.code) {
                        ctx.lock(now);
                    }
                    error.set(Some(crate::labels::refusal_text(
                        lang,
                        &body.code,
                        &body.message,
                    )));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let remove = move |_| {
        if !confirm.get_untracked() {
            confirm.set(true);
            return;
        }
        removing.set(true);
        leptos::task::spawn_local(wipe(ctx));
    };

    view! {
        <section class="login">
            <div class="card form" data-testid="locked" data-ending=move || ending().map(SessionEnding::code)>
                <h1>{move || ending().map(|e| ctx.t(words(e).0))}</h1>
                <p role="alert">{move || ending().map(|e| ctx.t(words(e).1))}</p>
                <p class="muted">
                    {move || ctx.session.with(|s| s.as_ref().map(|s| ctx.tr(Msg::NameAndPlace { name: &s.account.display_name, place: &s.account.username })))}
                </p>
                <p>
                    {move || ctx.t(Key::UnsyncedChanges)} {ctx.t(Key::Colon)}
                    <strong data-testid="locked-unsent">{move || unsent.get().map(|n| n.to_string())}</strong>
                </p>

                <Show when=move || ending().is_some_and(SessionEnding::may_log_in_again)>
                    <form class="form" data-testid="relogin-form" on:submit=log_in>
                        <label class="field">
                            <span class="label">{move || ctx.t(Key::Password)}</span>
                            <input name="password" type="password" autocomplete="current-password" data-testid="relogin-password"
                                prop:value=move || password.get()
                                on:input=move |ev| password.set(event_target_value(&ev)) />
                        </label>
                        {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="relogin-error">{m}</p> })}
                        <button type="submit" class="btn btn-primary btn-block" data-testid="relogin" disabled=move || busy.get()>
                            {move || if busy.get() { ctx.t(Key::LoggingIn) } else { ctx.t(Key::LogInAgain) }}
                        </button>
                    </form>
                </Show>

                <Show when=move || unsent.get().is_some_and(|n| n > 0)>
                    <button class="btn btn-primary" data-testid="export-unsynced"
                        on:click=move |_| exporting.set(true)>
                        {move || ctx.t(Key::ExportUnsynced)}
                    </button>
                </Show>
                {move || exporting.get().then(|| view! {
                    <BackupForm label=Key::ExportUnsynced on_done=move |()| {
                        exporting.set(false);
                        exported.set(true);
                    } />
                })}
                <Show when=move || exported.get()>
                    <p role="status" data-testid="exported">{move || ctx.t(Key::Exported)}</p>
                </Show>

                <p class="muted">{move || ctx.t(Key::RemoveLocalDataHint)}</p>
                <button class="btn btn-danger" data-testid="remove-local-data"
                    disabled=move || !may_remove() || removing.get() on:click=remove>
                    {move || if confirm.get() { ctx.t(Key::ConfirmRemoveLocalData) } else { ctx.t(Key::RemoveLocalData) }}
                </button>
            </div>
        </section>
    }
}
