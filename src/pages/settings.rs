use hongling_sync::OpenError;
use leptos::prelude::*;

use crate::components::BackupForm;
use crate::i18n::{Key, Lang, Msg, t};
use crate::local_data::{repaint, unsent_count, wipe};
use crate::state::AppCtx;

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_048_576.0)
}

/// 设置: language, account, backup, storage, logout.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let storage = LocalResource::new(crate::local_data::estimate);
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
            let unsent = unsent_count().await;
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
            let outcome = crate::local_data::import_backup(&session.actor(), backup).await;
            import_file.set(None);
            import_passphrase.set(String::new());
            match outcome {
                Ok(r) => notice.set(Some(crate::i18n::tr(
                    lang,
                    Msg::ImportedSummary {
                        queued: &r.queued,
                        kept: &r.kept,
                    },
                ))),
                Err(e) => notice.set(Some(crate::i18n::tr(lang, Msg::StorageFailed { why: &e }))),
            }
            ctx.data_changed();
            ctx.request_sync();
        });
    };
    let passphrase_form = move || {
        export_then_logout.get().map(|logout_after| {
            let label = if logout_after {
                Key::ExportAndLogout
            } else {
                Key::BackupSeal
            };
            view! {
                <BackupForm label=label on_done=move |()| {
                    export_then_logout.set(None);
                    if logout_after {
                        leptos::task::spawn_local(wipe(ctx));
                    }
                } />
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
                        on:click=move |_| set_lang(Lang::Zh)>{ctx.t(Key::LangZhName)}</button>
                    <button class="btn" class:on=move || ctx.lang.get() == Lang::En data-testid="lang-en"
                        on:click=move |_| set_lang(Lang::En)>"English"</button>
                </div>
            </div>
            // The committee's administration, grouped here so the tabs fit the screen.
            <Show when=move || ctx.may(hongling_core::permission::Action::Administer)>
                <div class="card">
                    <h2>{move || ctx.t(Key::Administration)}</h2>
                    <nav class="subnav" aria-label=move || ctx.t(Key::Administration)>
                        <a class="btn" href="/admin/accounts" data-testid="open-accounts">{move || ctx.t(Key::Accounts)}</a>
                        <a class="btn" href="/admin/security-log">{move || ctx.t(Key::SecurityLog)}</a>
                        <a class="btn" href="/admin/recovery">{move || ctx.t(Key::Recovery)}</a>
                        <a class="btn" href="/admin/import">{move || ctx.t(Key::ImportExport)}</a>
                    </nav>
                </div>
            </Show>
            <div class="card">
                <h2>{move || ctx.t(Key::Account)}</h2>
                <p>{move || ctx.session.with(|s| s.as_ref().map(|s| ctx.tr(Msg::NameAndPlace { name: &s.account.display_name, place: &s.account.username })))}</p>
                <p class="muted">{move || ctx.t(Key::Device)} {ctx.t(Key::Colon)} {move || ctx.session.with(|s| s.as_ref().map(|s| s.device_id.to_string()))}</p>
                <p class="muted">{move || ctx.session.with(|s| s.as_ref().map(|s| ctx.tr(Msg::OfflineUntilTime { time: &s.grace_until().with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M") })))}</p>
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
                <crate::components::PasswordForm change=ctx.change_password() />
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
