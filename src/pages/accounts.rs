use leptos::prelude::*;

use crate::components::{AccountCard, NewAccountForm};
use crate::i18n::Key;
use crate::read_model::Directory;
use crate::state::AppCtx;
use crate::sync::api::admin;

/// 账号与权限 (district committee): accounts, grants, devices. Online only: these are
/// decisions the server makes at once, not intents to queue.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let reload = RwSignal::new(0u32);
    let accounts = LocalResource::new(move || {
        reload.get();
        let token = ctx
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
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
    let changed = Callback::new(move |()| reload.update(|n| *n += 1));
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
            <NewAccountForm townships changed />
            {move || match accounts.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="account-list" data-testid="account-list">
                        {list
                            .into_iter()
                            .map(|summary| view! { <AccountCard summary townships changed /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
        </section>
    }
}
