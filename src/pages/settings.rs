use leptos::prelude::*;

use crate::i18n::{Key, Lang};
use crate::state::{AppCtx, db, forget_db};
use crate::storage::{DB_NAME, Db, estimate};
use crate::sync::Session;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// 设置: language, account, storage, logout.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let storage = LocalResource::new(estimate);
    let logout_error = RwSignal::new(None::<&'static str>);
    let set_lang = move |lang: Lang| {
        lang.remember();
        ctx.lang.set(lang);
    };
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            // Never throw away what this device has not sent yet.
            let pending = match db().await {
                Ok(db) => db.pending_count().await.unwrap_or(1),
                Err(_) => 1,
            };
            if pending > 0 {
                logout_error.set(Some(crate::i18n::t(
                    ctx.lang.get_untracked(),
                    Key::LogoutBlocked,
                )));
                return;
            }
            forget_db();
            let _ = Db::delete(DB_NAME).await;
            Session::clear();
            ctx.session.set(None);
            ctx.data_changed();
        });
    };
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Settings)}</h1>
            <div class="card">
                <h2>{move || ctx.t(Key::Language)}</h2>
                <div class="segmented">
                    <button class="btn" class:on=move || ctx.lang.get() == Lang::Zh data-testid="lang-zh"
                        on:click=move |_| set_lang(Lang::Zh)>"简体中文"</button>
                    <button class="btn" class:on=move || ctx.lang.get() == Lang::En data-testid="lang-en"
                        on:click=move |_| set_lang(Lang::En)>"English"</button>
                </div>
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::Account)}</h2>
                <p>{move || ctx.session.with(|s| s.as_ref().map(|s| format!("{}（{}）", s.account.display_name, s.account.username)))}</p>
                <p class="muted">{move || ctx.t(Key::Device)} "：" {move || ctx.session.with(|s| s.as_ref().map(|s| s.device_id.to_string()))}</p>
                <button class="btn btn-danger" data-testid="logout" on:click=logout>{move || ctx.t(Key::Logout)}</button>
                {move || logout_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::StorageUsed)}</h2>
                {move || storage.get().flatten().map(|e| view! {
                    <p>{megabytes(e.usage)} " / " {megabytes(e.quota)}</p>
                    <p class="muted">{if e.persisted { ctx.t(Key::PersistGranted) } else { ctx.t(Key::PersistNotGranted) }}</p>
                })}
            </div>
        </section>
    }
}
