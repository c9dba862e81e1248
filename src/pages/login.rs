use hongling_core::wire::LoginRequest;
use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::state::AppCtx;
use crate::sync::Session;
use crate::sync::api::{self, ApiError};

/// 登录: the first login needs the network; after it the app works offline.
#[component]
pub fn LoginPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit =
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let mut req = LoginRequest {
                username: username.get_untracked().trim().to_owned(),
                password: password.get_untracked(),
                device_id: Session::device_id(),
                device_key: None,
            };
            leptos::task::spawn_local(async move {
                req.device_key = crate::state::device_public_key().await;
                let lang = ctx.lang.get_untracked();
                match api::login(&req).await {
                    Ok(reply) => {
                        let session = Session::from_login(reply, req.device_id);
                        session.save();
                        ctx.session.set(Some(session));
                        ctx.request_sync();
                    }
                    Err(ApiError::Network(_)) => {
                        error.set(Some(t(lang, Key::LoginNeedsNetwork).to_owned()))
                    }
                    Err(ApiError::Server { body, .. }) => error.set(Some(
                        crate::labels::refusal_text(lang, &body.code, &body.message),
                    )),
                    Err(e) => error.set(Some(e.to_string())),
                }
                busy.set(false);
            });
        };
    view! {
        <section class="login">
            <form class="form card" on:submit=submit data-testid="login-form">
                <h1 class="login-title">
                    <span class="brand-mark" aria-hidden="true">{ctx.t(Key::BrandMark)}</span>
                    {move || ctx.t(Key::AppName)}
                </h1>
                // Said before the user tries: without a network nobody can log in here.
                <Show when=move || !ctx.online.get()>
                    <p class="notice-box" role="status" data-testid="login-offline">{move || ctx.t(Key::LoginOffline)}</p>
                </Show>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Username)}</span>
                    <input name="username" type="text" autocomplete="username" autocapitalize="off"
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Password)}</span>
                    <input name="password" type="password" autocomplete="current-password"
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <button type="submit" class="btn btn-primary btn-block" data-testid="login" disabled=move || busy.get()>
                    {move || if busy.get() { ctx.t(Key::LoggingIn) } else { ctx.t(Key::Login) }}
                </button>
            </form>
        </section>
    }
}
