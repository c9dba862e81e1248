use chrono::Utc;
use hongling_sync::{BACKUP_FORMAT, Backup};
use leptos::prelude::*;

use crate::i18n::{Key, Lang, t};
use crate::state::{AppCtx, db, forget_db};
use crate::storage::estimate;
use crate::sync::Session;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// Removes everything of the user from this browser: the database, cached API data
/// (the app shell stays cached), the session and the device id.
async fn wipe(ctx: AppCtx) {
    if let Ok(db) = db().await {
        let _ = db.clear_all().await;
    }
    forget_db();
    if let Ok(caches) = window().caches()
        && let Ok(keys) = wasm_bindgen_futures::JsFuture::from(caches.keys()).await
    {
        {
            for key in js_sys::Array::from(&keys).iter() {
                let name = key.as_string().unwrap_or_default();
                if !name.starts_with("hongling-shell-") {
                    let _ = wasm_bindgen_futures::JsFuture::from(caches.delete(&name)).await;
                }
            }
        }
    }
    crate::drafts::clear_all();
    Session::clear();
    ctx.session.set(None);
    ctx.pending.set(0);
    ctx.rejected.set(0);
    ctx.duplicates.set(0);
    ctx.last_sync.set(None);
    ctx.sync_error.set(None);
    // Start afresh from the app shell: nothing of the last user stays in memory either.
    let _ = window().location().replace("/");
}

/// The backup of everything not yet on the server, as a file download.
async fn export(ctx: AppCtx) -> Result<(), String> {
    let session = ctx.session.get_untracked().ok_or("no session")?;
    let db = db().await.map_err(|e| e.to_string())?;
    let now = Utc::now();
    let backup =
        hongling_sync::export_backup(&db, &session.account.username, session.device_id, now)
            .await
            .map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&backup).map_err(|e| e.to_string())?;
    let name = format!(
        "红领认证备份-{}-{}.json",
        session.account.username,
        now.with_timezone(&chrono::Local).format("%Y%m%d-%H%M")
    );
    crate::download::save(&name, "application/json", text.as_bytes()).map_err(|e| format!("{e:?}"))
}

/// 设置: language, account, backup, storage, logout.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let storage = LocalResource::new(estimate);
    let logout_blocked = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let set_lang = move |lang: Lang| {
        lang.remember();
        ctx.lang.set(lang);
    };
    let logout = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            // Push first: logging out must never throw away what this device holds.
            if ctx.online.get_untracked() {
                let _ = ctx.sync_now().await;
            }
            let unsent = match db().await {
                Ok(db) => {
                    let pending = db.pending_count().await.unwrap_or(1);
                    let refused = db.rejected().await.map(|r| r.len() as u32).unwrap_or(1);
                    pending + refused
                }
                Err(_) => 1,
            };
            busy.set(false);
            if unsent > 0 {
                logout_blocked.set(true);
                return;
            }
            wipe(ctx).await;
        });
    };
    let export_and_logout = move |_| {
        leptos::task::spawn_local(async move {
            match export(ctx).await {
                Ok(()) => wipe(ctx).await,
                Err(e) => notice.set(Some(e)),
            }
        });
    };
    let export_only = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = export(ctx).await {
                notice.set(Some(e));
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let lang = ctx.lang.get_untracked();
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let backup = text
                .ok()
                .and_then(|t| t.as_string())
                .and_then(|t| serde_json::from_str::<Backup>(&t).ok())
                .filter(|b| b.format == BACKUP_FORMAT);
            let (Some(backup), Some(session)) = (backup, ctx.session.get_untracked()) else {
                notice.set(Some(t(lang, Key::BadBackup).to_owned()));
                return;
            };
            let outcome = match db().await {
                Ok(db) => hongling_sync::import_backup(&db, &session.actor(), backup).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(r) => notice.set(Some(format!(
                    "{}：{} {}，{} {}",
                    t(lang, Key::Imported),
                    r.queued,
                    t(lang, Key::ImportQueued),
                    r.kept,
                    t(lang, Key::ImportKept)
                ))),
                Err(e) => notice.set(Some(format!("{}{e}", t(lang, Key::ErrorStorage)))),
            }
            ctx.data_changed();
            ctx.request_sync();
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
                <p class="muted">{move || ctx.t(Key::OfflineUntil)} " " {move || ctx.session.with(|s| s.as_ref().map(|s| s.grace_until().with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M").to_string()))}</p>
                <button class="btn btn-danger" data-testid="logout" disabled=move || busy.get() on:click=logout>
                    {move || if busy.get() { ctx.t(Key::LoggingOut) } else { ctx.t(Key::Logout) }}
                </button>
                <Show when=move || logout_blocked.get()>
                    <p class="field-error" role="alert" data-testid="logout-blocked">{move || ctx.t(Key::LogoutBlocked)}</p>
                    <button class="btn btn-primary" data-testid="export-logout" on:click=export_and_logout>
                        {move || ctx.t(Key::ExportAndLogout)}
                    </button>
                </Show>
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::ChangePassword)}</h2>
                <crate::components::PasswordForm />
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::Backup)}</h2>
                <p class="muted">{move || ctx.t(Key::ImportBackupHint)}</p>
                <div class="segmented">
                    <button class="btn" data-testid="export" on:click=export_only>{move || ctx.t(Key::ExportBackup)}</button>
                    <label class="btn">
                        {move || ctx.t(Key::ImportBackup)}
                        <input type="file" accept="application/json,.json" class="visually-hidden"
                            data-testid="import" on:change=import />
                    </label>
                </div>
                {move || notice.get().map(|m| view! { <p role="status" data-testid="notice">{m}</p> })}
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
