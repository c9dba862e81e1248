use chrono::Utc;
use hongling_sync::{OpenError, SealError};
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
    // End the session on the server first (best effort: offline, the token still lapses
    // after --session-idle-days unused).
    if let Some(session) = ctx.session.get_untracked()
        && ctx.online.get_untracked()
    {
        let _ = crate::sync::api::logout(&session.token).await;
    }
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

/// Lets the page repaint (a busy label) before a second of scrypt on the main thread.
async fn repaint() {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
}

/// The backup of everything not yet on the server, sealed with `passphrase`, as a file
/// download.
async fn export(ctx: AppCtx, passphrase: &str) -> Result<(), String> {
    let lang = ctx.lang.get_untracked();
    let session = ctx.session.get_untracked().ok_or("no session")?;
    let db = db().await.map_err(|e| e.to_string())?;
    let now = Utc::now();
    let backup =
        hongling_sync::export_backup(&db, &session.account.username, session.device_id, now)
            .await
            .map_err(|e| e.to_string())?;
    // The passphrase rule is the sync crate's; only its message is the app's.
    let sealed = hongling_sync::seal_backup(&backup, passphrase).map_err(|e| match e {
        SealError::ShortPassphrase => t(lang, Key::PassphraseTooShort).to_owned(),
        e => e.to_string(),
    })?;
    let name = format!(
        "红领认证备份-{}-{}.age",
        session.account.username,
        now.with_timezone(&chrono::Local).format("%Y%m%d-%H%M")
    );
    crate::download::save(&name, "application/octet-stream", &sealed).map_err(|e| format!("{e:?}"))
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
    // The passphrase form of an export: `Some(true)` logs out after it.
    let export_then_logout = RwSignal::new(None::<bool>);
    let passphrase = RwSignal::new(String::new());
    let passphrase_again = RwSignal::new(String::new());
    let sealing = RwSignal::new(false);
    let seal_error = RwSignal::new(None::<String>);
    let seal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = ctx.lang.get_untracked();
        let (typed, again) = (passphrase.get_untracked(), passphrase_again.get_untracked());
        if typed != again {
            seal_error.set(Some(t(lang, Key::PassphraseMismatch).to_owned()));
            return;
        }
        let logout_after = export_then_logout.get_untracked() == Some(true);
        sealing.set(true);
        seal_error.set(None);
        leptos::task::spawn_local(async move {
            repaint().await;
            let outcome = export(ctx, &typed).await;
            sealing.set(false);
            match outcome {
                Ok(()) => {
                    passphrase.set(String::new());
                    passphrase_again.set(String::new());
                    export_then_logout.set(None);
                    if logout_after {
                        wipe(ctx).await;
                    }
                }
                Err(e) => seal_error.set(Some(e)),
            }
        });
    };
    // An import: the chosen file's bytes wait for their passphrase.
    let import_file = RwSignal::new(None::<Vec<u8>>);
    let import_passphrase = RwSignal::new(String::new());
    let opening = RwSignal::new(false);
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                .await
                .map(|b| js_sys::Uint8Array::new(&b).to_vec());
            match bytes {
                Ok(bytes) => {
                    notice.set(None);
                    import_file.set(Some(bytes));
                }
                Err(_) => notice.set(Some(ctx.t(Key::BadBackup).to_owned())),
            }
        });
    };
    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = import_file.get_untracked() else {
            return;
        };
        let typed = import_passphrase.get_untracked();
        opening.set(true);
        leptos::task::spawn_local(async move {
            let lang = ctx.lang.get_untracked();
            repaint().await;
            let opened = hongling_sync::open_backup(&file, &typed);
            opening.set(false);
            let backup = match opened {
                Ok(b) => b,
                Err(OpenError::WrongPassphrase) => {
                    notice.set(Some(t(lang, Key::WrongPassphrase).to_owned()));
                    return;
                }
                Err(OpenError::NotABackup) => {
                    import_file.set(None);
                    notice.set(Some(t(lang, Key::BadBackup).to_owned()));
                    return;
                }
            };
            let Some(session) = ctx.session.get_untracked() else {
                return;
            };
            let outcome = match db().await {
                Ok(db) => hongling_sync::import_backup(&db, &session.actor(), backup).await,
                Err(e) => Err(e),
            };
            import_file.set(None);
            import_passphrase.set(String::new());
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
    let passphrase_form = move || {
        export_then_logout.get().is_some().then(|| {
            view! {
                <form class="form" data-testid="backup-form" on:submit=seal>
                    <p class="muted">{move || ctx.t(Key::BackupPassphraseHint)}</p>
                    <label>
                        <span class="label">{move || ctx.t(Key::BackupPassphrase)}</span>
                        <input type="password" autocomplete="new-password" data-testid="backup-passphrase"
                            prop:value=move || passphrase.get()
                            on:input=move |ev| passphrase.set(event_target_value(&ev)) />
                    </label>
                    <label>
                        <span class="label">{move || ctx.t(Key::BackupPassphraseAgain)}</span>
                        <input type="password" autocomplete="new-password" data-testid="backup-passphrase-again"
                            prop:value=move || passphrase_again.get()
                            on:input=move |ev| passphrase_again.set(event_target_value(&ev)) />
                    </label>
                    {move || seal_error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="backup-error">{m}</p> })}
                    <button class="btn btn-primary" type="submit" data-testid="backup-seal" disabled=move || sealing.get()>
                        {move || if sealing.get() { ctx.t(Key::BackupSealing) } else if export_then_logout.get() == Some(true) { ctx.t(Key::ExportAndLogout) } else { ctx.t(Key::BackupSeal) }}
                    </button>
                </form>
            }
        })
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
                    <button class="btn btn-primary" data-testid="export-logout"
                        on:click=move |_| export_then_logout.set(Some(true))>
                        {move || ctx.t(Key::ExportAndLogout)}
                    </button>
                </Show>
                {move || (export_then_logout.get() == Some(true)).then(passphrase_form)}
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::ChangePassword)}</h2>
                <crate::components::PasswordForm />
            </div>
            <div class="card">
                <h2>{move || ctx.t(Key::Backup)}</h2>
                <p class="muted">{move || ctx.t(Key::ImportBackupHint)}</p>
                <div class="segmented">
                    <button class="btn" data-testid="export" on:click=move |_| export_then_logout.set(Some(false))>{move || ctx.t(Key::ExportBackup)}</button>
                    <label class="btn">
                        {move || ctx.t(Key::ImportBackup)}
                        <input type="file" accept=".age,application/octet-stream" class="visually-hidden"
                            data-testid="import" on:change=choose />
                    </label>
                </div>
                {move || (export_then_logout.get() == Some(false)).then(passphrase_form)}
                {move || import_file.with(Option::is_some).then(|| view! {
                    <form class="form" data-testid="import-form" on:submit=import>
                        <label>
                            <span class="label">{move || ctx.t(Key::BackupPassphrase)}</span>
                            <input type="password" autocomplete="off" data-testid="import-passphrase"
                                prop:value=move || import_passphrase.get()
                                on:input=move |ev| import_passphrase.set(event_target_value(&ev)) />
                        </label>
                        <button class="btn btn-primary" type="submit" data-testid="import-open" disabled=move || opening.get()>
                            {move || if opening.get() { ctx.t(Key::ImportOpening) } else { ctx.t(Key::ImportOpen) }}
                        </button>
                    </form>
                })}
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
