//! App-wide reactive state and the sync runner.
//!
//! [`AppCtx`] is provided once at the root; components take the signals they need. The
//! database handle is not `Send`, so it lives in a thread-local (the app has one thread).

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Key, Lang, t};
use crate::storage::{Db, StorageError};
use crate::sync::Session;
use crate::sync::api::{ApiError, FetchTransport};
use hongling_core::wire::SessionEnding;
use hongling_sync::{Backoff, Progress, SyncError, SyncReport};

/// Everything the screens share. Every field is a copyable signal.
#[derive(Debug, Clone, Copy)]
pub struct AppCtx {
    pub lang: RwSignal<Lang>,
    pub session: RwSignal<Option<Session>>,
    pub online: RwSignal<bool>,
    /// Mutations waiting in the outbox.
    pub pending: RwSignal<u32>,
    /// Mutations the server refused (kept on this device).
    pub rejected: RwSignal<u32>,
    /// 身份证号重复 items waiting for the committee (other devices hold none).
    pub duplicates: RwSignal<u32>,
    pub last_sync: RwSignal<Option<DateTime<Utc>>>,
    pub syncing: RwSignal<bool>,
    /// A sync was asked for while one ran (a save, an import): run another right after,
    /// so the change does not wait for the next minute.
    pub sync_again: RwSignal<bool>,
    pub sync_error: RwSignal<Option<String>>,
    /// Bumped whenever local data changes, so lists reload.
    pub data_rev: RwSignal<u64>,
    /// A new version of the app is installed and waiting.
    pub update_ready: RwSignal<bool>,
    /// Where the running sync is, for the progress bar.
    pub progress: RwSignal<Option<Progress>>,
    /// Failed syncs in a row; the next retry waits longer.
    pub failures: RwSignal<u32>,
    /// When the next automatic retry happens, if one is scheduled.
    pub retry_at: RwSignal<Option<DateTime<Utc>>>,
    /// The time, refreshed every minute, for deadlines on screen.
    pub now: RwSignal<DateTime<Utc>>,
}

impl AppCtx {
    pub fn new() -> AppCtx {
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        AppCtx {
            lang: RwSignal::new(Lang::load()),
            session: RwSignal::new(Session::load()),
            online: RwSignal::new(online),
            pending: RwSignal::new(0),
            rejected: RwSignal::new(0),
            duplicates: RwSignal::new(0),
            last_sync: RwSignal::new(None),
            syncing: RwSignal::new(false),
            sync_again: RwSignal::new(false),
            sync_error: RwSignal::new(None),
            data_rev: RwSignal::new(0),
            update_ready: RwSignal::new(false),
            progress: RwSignal::new(None),
            failures: RwSignal::new(0),
            retry_at: RwSignal::new(None),
            now: RwSignal::new(Utc::now()),
        }
    }

    /// Whether the account may start `action` (reactive): the core's one answer, which
    /// decides every tab and button that leads to an intent.
    pub fn may(&self, action: hongling_core::permission::Action) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| hongling_core::permission::may(&s.account.grants, action))
        })
    }

    /// The account's home, the first screen and tab (reactive): the core's answer.
    pub fn home(&self) -> hongling_core::permission::Home {
        self.session.with(|s| {
            s.as_ref()
                .map_or(hongling_core::permission::Home::Today, |s| {
                    hongling_core::permission::home(&s.account.grants)
                })
        })
    }

    /// Whether the account is the district committee (reactive).
    pub fn is_committee(&self) -> bool {
        self.session.with(|s| {
            s.as_ref()
                .is_some_and(|s| hongling_core::grant::is_committee(&s.account.grants))
        })
    }

    /// Decides `op` with the shared rules and, when they accept it, stores it with its
    /// outbox entry, refreshes the screens and asks for a sync: the one way a form
    /// saves. A refusal comes back whole (code, field, message) so the form can put it
    /// next to the field it is about.
    pub async fn save(self, op: hongling_core::Op) -> Result<(), Refusal> {
        self.save_fixing(op, None).await
    }

    /// [`AppCtx::save`], or, with `fixing`, the corrected form of the refused mutation
    /// `fixing` (from 待处理), which takes its place in the outbox.
    pub async fn save_fixing(
        self,
        op: hongling_core::Op,
        fixing: Option<u64>,
    ) -> Result<(), Refusal> {
        let Some(actor) = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.actor()))
        else {
            return Err(Refusal::storage(self.t(Key::ErrorStorage).to_owned()));
        };
        let outcome = match (db().await, fixing) {
            (Ok(db), Some(id)) => db.resubmit(&actor, id, op, Utc::now(), &[]).await,
            (Ok(db), None) => db.commit_local(&actor, op, Utc::now()).await,
            (Err(e), _) => Err(e),
        };
        match outcome {
            Ok(Ok(_)) => {
                self.data_changed();
                if self.online.get_untracked() {
                    self.request_sync();
                }
                Ok(())
            }
            Ok(Err(rejection)) => Err(Refusal {
                code: Some(rejection.code),
                field: rejection.field,
                message: crate::labels::refusal_text(
                    self.lang.get_untracked(),
                    rejection.code.as_str(),
                    &rejection.message,
                ),
            }),
            Err(e) => Err(Refusal::storage(crate::i18n::tr(
                self.lang.get_untracked(),
                crate::i18n::Msg::StorageFailed { why: &e },
            ))),
        }
    }

    /// Who is signed in, for the shared rules (reactive).
    pub fn actor(&self) -> Option<hongling_core::Actor> {
        self.session.with(|s| s.as_ref().map(|s| s.actor()))
    }

    /// The session's bearer token for an online call, if signed in (not reactive).
    pub fn token(&self) -> Option<String> {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
    }

    /// True when the offline grace period is over (reactive).
    pub fn grace_expired(&self) -> bool {
        let now = self.now.get();
        self.session
            .with(|s| s.as_ref().is_some_and(|s| now > s.grace_until()))
    }

    /// The text of `key` in the current language (reactive).
    pub fn t(&self, key: Key) -> &'static str {
        t(self.lang.get(), key)
    }

    /// 修改密码, for the password form: the server checks the old password and its list
    /// of common ones; on success the session goes on (the server ends the account's
    /// other sessions) and a forced change is done.
    pub fn change_password(self) -> crate::act::Act<hongling_core::wire::ChangePasswordRequest> {
        let ctx = self;
        crate::act::Act::new(
            move |req: hongling_core::wire::ChangePasswordRequest| async move {
                let lang = ctx.lang.get_untracked();
                let Some(mut session) = ctx.session.get_untracked() else {
                    return Err(t(lang, Key::NeedsNetwork).to_owned());
                };
                crate::sync::api::change_password(&session.token, &req)
                    .await
                    .map_err(|e| crate::labels::api_error_text(lang, &e, Key::NeedsNetwork))?;
                session.must_change_password = false;
                session.save();
                ctx.session.set(Some(session));
                ctx.request_sync();
                Ok(())
            },
        )
    }

    /// The text of `msg`, its parameters filled in, in the current language (reactive).
    pub fn tr(&self, msg: crate::i18n::Msg<'_>) -> String {
        crate::i18n::tr(self.lang.get(), msg)
    }

    /// Reloads the counters shown in the header from IndexedDB.
    pub fn refresh_counts(self) {
        // Without a login there is no user data, and no database should be made.
        if self.session.with_untracked(Option::is_none) {
            return;
        }
        spawn_local(async move {
            if let Ok(db) = db().await {
                if let Ok(n) = db.pending_count().await {
                    self.pending.set(n);
                }
                if let Ok(r) = db.rejected().await {
                    self.rejected.set(r.len() as u32);
                }
                if let Ok(d) = db.list(hongling_core::RecordKind::IdCardDuplicate).await {
                    self.duplicates.set(d.len() as u32);
                }
                if let Ok(at) = db.last_sync().await {
                    self.last_sync.set(at);
                }
            }
        });
    }

    /// Local data changed: reload lists and counters.
    pub fn data_changed(self) {
        self.data_rev.update(|n| *n += 1);
        self.refresh_counts();
    }

    /// The server ended the session: every screen locks, the data stays, and the lock is
    /// kept with the session so a reload keeps it.
    pub fn lock(self, ending: SessionEnding) {
        self.session.update(|s| {
            if let Some(s) = s {
                s.ended = Some(ending);
                s.save();
            }
        });
    }

    /// Starts a sync cycle unless one is running or nobody is logged in.
    pub fn request_sync(self) {
        let signed_in = self
            .session
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.ended.is_none()));
        if !signed_in {
            return;
        }
        if self.syncing.get_untracked() {
            self.sync_again.set(true);
            return;
        }
        spawn_local(async move {
            let _ = self.sync_now().await;
        });
    }

    /// Runs one sync cycle now and reports how it went (also in the header). Returns
    /// `None` when one is already running or nobody is logged in.
    pub async fn sync_now(self) -> Option<Result<SyncReport, SyncError>> {
        if self.syncing.get_untracked() {
            return None;
        }
        let mut session = self.session.get_untracked()?;
        if session.ended.is_some() {
            return None;
        }
        self.syncing.set(true);
        let transport = FetchTransport {
            token: session.token.clone(),
        };
        let progress = self.progress;
        let outcome = match db().await {
            Ok(db) => {
                let device = session.device_id;
                let actor = session.actor();
                hongling_sync::sync_once(&db, &transport, device, &actor, |p| progress.set(Some(p)))
                    .await
            }
            Err(e) => Err(SyncError::Store(e)),
        };
        self.progress.set(None);
        // Retry by itself after a failure the network or the server may get over.
        let retry = matches!(
            &outcome,
            Err(SyncError::Transport(ApiError::Network(_)))
                | Err(SyncError::Transport(ApiError::Server { status: 500.., .. }))
        );
        let lang = self.lang.get_untracked();
        match &outcome {
            Ok(_) => {
                self.sync_error.set(None);
                // The server answered: the offline grace period starts again.
                session.last_online = Utc::now();
                session.save();
                self.session.set(Some(session));
            }
            Err(SyncError::Transport(ApiError::Network(_))) => {
                self.sync_error
                    .set(Some(t(lang, Key::ErrorNetwork).to_owned()));
            }
            Err(SyncError::Transport(ApiError::Server { body, .. })) => {
                self.sync_error.set(Some(crate::labels::refusal_text(
                    lang,
                    &body.code,
                    &body.message,
                )));
                // The server no longer takes this session: lock the screens, keep the data.
                if let Some(ending) = SessionEnding::from_code(&body.code) {
                    self.lock(ending);
                }
            }
            Err(e) => self
                .sync_error
                .set(Some(format!("{}：{e}", t(lang, Key::SyncFailed)))),
        }
        self.syncing.set(false);
        // A cycle that moved nothing (the minute's sync, most of the day) reloads no
        // screen: only the header's counters and the time of the last sync.
        let moved = match &outcome {
            Ok(r) => r.pushed > 0 || r.pulled > 0 || r.replayed > 0 || r.rewound,
            Err(_) => true,
        };
        if moved {
            self.data_changed();
        } else {
            self.refresh_counts();
        }
        if retry {
            self.schedule_retry();
        } else {
            self.failures.set(0);
            self.retry_at.set(None);
            if self.sync_again.get_untracked() {
                self.sync_again.set(false);
                self.request_sync();
            }
        }
        Some(outcome)
    }

    /// Schedules the next attempt with exponential backoff and full jitter.
    fn schedule_retry(self) {
        let attempt = self.failures.get_untracked();
        self.failures.set(attempt + 1);
        let delay = Backoff::default().delay_ms(attempt, js_sys::Math::random());
        self.retry_at.set(Some(
            Utc::now() + chrono::Duration::milliseconds(delay as i64),
        ));
        set_timeout(
            move || {
                self.retry_at.set(None);
                if self.online.get_untracked() {
                    self.request_sync();
                }
            },
            std::time::Duration::from_millis(delay),
        );
    }
}

impl Default for AppCtx {
    fn default() -> Self {
        AppCtx::new()
    }
}

thread_local! {
    static DB: RefCell<Option<Db>> = const { RefCell::new(None) };
    /// The app's state, for what another tab's writes must refresh.
    static CTX: RefCell<Option<AppCtx>> = const { RefCell::new(None) };
}

impl AppCtx {
    /// Makes this the state that another tab's writes to the database refresh (the
    /// screens reload as after a local save).
    pub fn hear_other_tabs(self) {
        CTX.with(|c| *c.borrow_mut() = Some(self));
    }
}

/// The database being opened, which every caller meanwhile awaits too.
type Opening =
    futures::future::Shared<futures::future::LocalBoxFuture<'static, Result<Db, StorageError>>>;

thread_local! {
    static OPENING: RefCell<Option<Opening>> = const { RefCell::new(None) };
}

/// The app's database, opened on first use. The screens of the first page ask for it
/// together; they share one connection (and so one in-memory copy of the view).
pub async fn db() -> Result<Db, StorageError> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let opening = OPENING.with(|o| {
        o.borrow_mut()
            .get_or_insert_with(|| {
                use futures::FutureExt;
                async {
                    let db = Db::open(crate::storage::DB_NAME).await?;
                    db.on_foreign_change(|| {
                        if let Some(ctx) = CTX.with(|c| *c.borrow()) {
                            ctx.data_changed();
                        }
                    });
                    Ok(db)
                }
                .boxed_local()
                .shared()
            })
            .clone()
    });
    let opened = opening.await;
    OPENING.with(|o| *o.borrow_mut() = None);
    let db = opened?;
    DB.with(|d| {
        d.borrow_mut().get_or_insert_with(|| db.clone());
    });
    Ok(db)
}

/// The public half of this device's signing key, for the login to register; `None` when
/// storage fails (the app then signs sheets as older apps did, `sheet.sign@1`).
pub async fn device_public_key() -> Option<String> {
    let secret = db().await.ok()?.device_secret().await.ok()?;
    Some(hongling_core::contest::signing::public_key_of(&secret))
}

/// This device's signing key, when the server has registered it for `account` and it is
/// still good: the judge's sheets are then signed with it (`sheet.sign@2`).
pub async fn registered_device_secret(account: uuid::Uuid) -> Option<[u8; 32]> {
    use hongling_core::contest::signing::{DeviceKey, registered};
    let db = db().await.ok()?;
    let secret = db.device_secret().await.ok()?;
    let device = crate::sync::Session::device_id();
    let record = db
        .get(hongling_core::RecordKey::new(
            hongling_core::RecordKind::DeviceKey,
            device,
        ))
        .await
        .ok()??;
    let key: DeviceKey = record.decode().ok()?;
    registered(&key, &secret, account).then_some(secret)
}

/// Closes and forgets the database handle (before deleting it at logout).
pub fn forget_db() {
    if let Some(db) = DB.with(|d| d.borrow_mut().take()) {
        db.close();
    }
}

/// Why a save did not happen: the shared rules' refusal (with its code and the field it
/// is about), or a storage failure (no code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: Option<hongling_core::RejectCode>,
    pub field: Option<String>,
    pub message: String,
}

impl Refusal {
    fn storage(message: String) -> Refusal {
        Refusal {
            code: None,
            field: None,
            message,
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Refusal> for String {
    fn from(r: Refusal) -> String {
        r.message
    }
}
