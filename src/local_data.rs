//! What this tablet holds of its user, taken away or removed: the sealed backup of what
//! the server has not taken, and the wipe at logout. Settings (退出登录, 导出备份) and the
//! locked screen of an ended session share them, so both behave alike.

use chrono::Utc;
use hongling_sync::SealError;
use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::state::{AppCtx, db, forget_db};
use crate::sync::Session;

/// Changes on this device the server has not taken: pending in the outbox or refused and
/// not yet dealt with. When it cannot tell, it says one, so nothing is wiped unseen.
pub async fn unsent_count() -> u32 {
    match db().await {
        Ok(db) => {
            let pending = db.pending_count().await.unwrap_or(1);
            let refused = db.rejected().await.map(|r| r.len() as u32).unwrap_or(1);
            pending + refused
        }
        Err(_) => 1,
    }
}

/// Queues the changes of a sealed backup (from this user on another tablet) as this
/// device's own, keeping the ones the rules refuse in 待处理.
pub async fn import_backup(
    actor: &hongling_core::Actor,
    backup: hongling_sync::Backup,
) -> Result<hongling_sync::ImportReport, crate::storage::StorageError> {
    hongling_sync::import_backup(&db().await?, actor, backup).await
}

/// How much the browser lets this site keep, and whether it is kept for good.
pub use crate::storage::estimate;

/// Drops a refused change from 待处理 (the user read it and lets it go).
pub async fn discard(id: u64) {
    if let Ok(db) = db().await {
        let _ = db.discard(id).await;
    }
}

/// Removes everything of the user from this browser: the database, cached API data
/// (the app shell stays cached), the session and the device id.
pub async fn wipe(ctx: AppCtx) {
    // End the session on the server first (best effort: offline, the token still lapses
    // after --session-idle-days unused; an ended one is refused, which changes nothing).
    if let Some(session) = ctx.session.get_untracked()
        && ctx.online.get_untracked()
        && session.ended.is_none()
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
        for key in js_sys::Array::from(&keys).iter() {
            let name = key.as_string().unwrap_or_default();
            if !name.starts_with("hongling-shell-") {
                let _ = wasm_bindgen_futures::JsFuture::from(caches.delete(&name)).await;
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
pub async fn repaint() {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
}

/// The backup of everything not yet on the server, sealed with `passphrase`, as a file
/// download. Works offline and after the server ended the session: it reads only this
/// device.
pub async fn export(ctx: AppCtx, passphrase: &str) -> Result<(), String> {
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
