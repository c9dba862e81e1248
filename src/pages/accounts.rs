use leptos::prelude::*;

use hongling_core::Grant;

use crate::act::Act;
use crate::components::{AccountActs, AccountCard, NewAccount, NewAccountForm};
use crate::i18n::Key;
use crate::labels::api_error_text;
use crate::read_model::Directory;
use crate::state::AppCtx;
use crate::sync::api::{ApiError, admin};

/// 账号与权限 (district committee): accounts, grants, devices. Online only: these are
/// decisions the server makes at once, not intents to queue.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let reload = RwSignal::new(0u32);
    let accounts = LocalResource::new(move || {
        reload.get();
        let token = ctx.token();
        async move {
            match token {
                Some(token) => admin::accounts(&token).await.map_err(|e| e.to_string()),
                None => Ok(Vec::new()),
            }
        }
    });
    let directory = LocalResource::new(Directory::load);
    let townships = Signal::derive(move || {
        directory
            .get()
            .and_then(|d| d.ok())
            .map(|d| d.townships)
            .unwrap_or_default()
    });
    // Every change is a call to the server, then the list again; a refusal comes back as
    // the text to show.
    let token = move || ctx.token().unwrap_or_default();
    let done = move |outcome: Result<(), ApiError>| match outcome {
        Ok(()) => {
            reload.update(|n| *n += 1);
            Ok(())
        }
        Err(e) => Err(api_error_text(
            ctx.lang.get_untracked(),
            &e,
            Key::ErrorNetwork,
        )),
    };
    let acts = AccountActs {
        set_grants: Act::new(move |(username, grants): (String, Vec<Grant>)| async move {
            done(admin::set_grants(&token(), &username, &grants).await)
        }),
        set_disabled: Act::new(move |(username, disabled): (String, bool)| async move {
            done(admin::set_disabled(&token(), &username, disabled).await)
        }),
        set_password: Act::new(move |(username, password): (String, String)| async move {
            done(admin::set_password(&token(), &username, &password).await)
        }),
        revoke_device: Act::new(
            move |id| async move { done(admin::revoke_device(&token(), id).await) },
        ),
    };
    let create = Act::new(move |a: NewAccount| async move {
        let account = admin::NewAccount {
            username: a.username,
            display_name: a.display_name,
            password: a.password,
            grants: a.grants,
        };
        done(admin::create(&token(), &account).await)
    });
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Accounts)}</h1>
            <p>
                <a class="btn" href="/admin/recovery" data-testid="open-recovery">
                    {move || ctx.t(Key::Recovery)}
                </a>
                " "
                <a class="btn" href="/admin/security-log" data-testid="open-security-log">
                    {move || ctx.t(Key::SecurityLog)}
                </a>
            </p>
            <Show when=move || !ctx.online.get()>
                <p class="error" role="alert">{move || ctx.t(Key::NeedsNetwork)}</p>
            </Show>
            <NewAccountForm townships create />
            {move || match accounts.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="account-list" data-testid="account-list">
                        {list
                            .into_iter()
                            .map(|summary| view! { <AccountCard summary townships acts=acts.clone() /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
        </section>
    }
}
