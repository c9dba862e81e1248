//! The embedded SQLite store.
//!
//! Durability: WAL with `synchronous = FULL`, so a push that was acknowledged survives a
//! power cut or `kill -9`. Writers are serialised by one async mutex: SQLite has one
//! writer anyway, and taking the lock before `BEGIN` avoids the busy errors of upgrading
//! a read transaction, and makes change numbers commit in the order they are handed out
//! (so a pull can never skip a change that commits late).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use hongling_core::contest::signing::DeviceKey;
use hongling_core::grant::{EVERY_TOWNSHIP, own_workers, visible_columns};
use hongling_core::record::Reader;
use hongling_core::wire::{
    AccountInfo, Mutation, MutationResult, MutationStatus, Origin, PullResponse, PushResponse,
    PushedMutation, RecoveryItem, Replay,
};
use hongling_core::{
    Actor, Change, Grant, MissRecorder, Record, RecordKey, RecordKind, Role, Scope,
    SigningPublicKey, apply, visibility,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use tokio::sync::Mutex;
use uuid::Uuid;

use super::{
    AccountRow, AccountSummary, BlobPut, DeviceSummary, HistoryEntry, NewAccount, NewSigningKey,
    SecurityLine, SessionLookup, SessionRow, Step, Store, StoreError, plan_batch,
};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Mutex<()>>,
    /// The secret signing keys, from the key file (see `signing::start`).
    keys: crate::signing::Keyring,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Starts a write transaction that takes SQLite's write lock at once (`BEGIN
    /// IMMEDIATE`). A deferred transaction reads first and asks for the lock at its first
    /// write; when another connection holds the lock then (another process such as
    /// `backup` or `create-admin`, or a one-statement write of this one), SQLite refuses
    /// the upgrade at once instead of waiting out the busy timeout, and the request would
    /// answer 500. Every transaction here writes, so every one starts this way.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Applies a batch in one transaction. `atomic`: if any mutation is refused, nothing
    /// is kept (the reply still says which and why).
    async fn push_batch(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: Vec<PushedMutation>,
        atomic: bool,
        replay: Option<&Replay>,
    ) -> Result<PushResponse, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        if let Some(replay) = replay {
            keep_returned_certificates(&mut tx, &replay.certificates).await?;
        }
        // After a rewind, no certificate is issued until a committee device has synced.
        let held = meta_in(&mut tx, HOLD_CERTIFICATES).await?.as_deref() == Some("1");
        let last: Option<i64> =
            sqlx::query_scalar("SELECT last_applied FROM devices WHERE id = ? AND account_id = ?")
                .bind(device_id.to_string())
                .bind(actor.account_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        let mut last_applied = last.ok_or(StoreError::UnknownDevice)? as u64;
        let ids: Vec<u64> = mutations.iter().map(|m| m.mutation.id).collect();
        let steps = plan_batch(last_applied, &ids)?;
        let received_at = now();
        let mut results = Vec::with_capacity(mutations.len());
        let mut seq = load_seq(&mut tx).await?;
        let mut state = MissRecorder::new();
        for (pushed, step) in mutations.iter().zip(steps) {
            let (m, origin) = (&pushed.mutation, pushed.origin.as_ref());
            if step == Step::Duplicate {
                // Already handled: give the answer it got the first time, so a refusal
                // whose reply was lost still reaches its author.
                let first: Option<LoggedOutcome> =
                    sqlx::query_as(
                        "SELECT outcome, code, message, field FROM mutations WHERE device_id = ? AND id = ?",
                    )
                    .bind(device_id.to_string())
                    .bind(m.id as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
                results.push(match first {
                    Some((outcome, code, message, field)) if outcome == "rejected" => {
                        MutationResult {
                            id: m.id,
                            status: MutationStatus::Rejected,
                            code,
                            message,
                            field,
                        }
                    }
                    _ => MutationResult {
                        id: m.id,
                        status: MutationStatus::Duplicate,
                        code: None,
                        message: None,
                        field: None,
                    },
                });
                continue;
            }
            // An attachment the mutation names must already be here: a record never
            // points at bytes the server does not hold.
            let mut refused_before = None;
            for blob in m.op.blobs() {
                let held: Option<i64> = sqlx::query_scalar("SELECT 1 FROM blobs WHERE sha256 = ?")
                    .bind(blob.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if held.is_none() {
                    refused_before = Some(hongling_core::blob::missing(blob));
                    break;
                }
            }
            // A panel only of enabled accounts that may judge this contest: accounts are
            // not records, so this is vetted here, with the core's rule, before `apply`.
            if refused_before.is_none()
                && let Some(panel) = m.op.panel()
            {
                for account in &panel.accounts {
                    let account = account.to_string();
                    let enabled: Option<bool> =
                        sqlx::query_scalar("SELECT disabled = 0 FROM accounts WHERE id = ?")
                            .bind(&account)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let grants = load_grants(&mut tx, &account).await?;
                    if enabled != Some(true)
                        || !hongling_core::contest::may_judge(&grants, panel.contest)
                    {
                        refused_before = Some(hongling_core::contest::not_a_judge(&panel));
                        break;
                    }
                }
            }
            // Run the shared rules, loading whatever records they ask for. What was loaded
            // or written stays known for the rest of the batch.
            let outcome = if let Some(refusal) = refused_before {
                Err(refusal)
            } else {
                loop {
                    let outcome = apply(&state, actor, &m.op);
                    let missed = state.take_missed();
                    if missed.is_empty() {
                        break outcome;
                    }
                    for key in missed {
                        let found = load_record(&mut tx, key).await?;
                        state.learn(key, found);
                    }
                }
            };
            let result = match outcome {
                Ok(changes) => {
                    for change in &changes {
                        let known = Known::from(&state, &change.key);
                        let written = write_change(&mut tx, &mut seq, change, known).await?;
                        state.learn(change.key, Some(written));
                    }
                    // An application the mutation made ready for its certificate (待发证)
                    // gets it now, in the same transaction.
                    for change in &changes {
                        if change.key.kind == RecordKind::Application && !held {
                            issue_certificate(
                                &mut tx,
                                &self.keys,
                                &mut seq,
                                &mut state,
                                change.key.id,
                            )
                            .await?;
                        }
                    }
                    MutationResult {
                        id: m.id,
                        status: MutationStatus::Applied,
                        code: None,
                        message: None,
                        field: None,
                    }
                }
                Err(rejection) => MutationResult {
                    id: m.id,
                    status: MutationStatus::Rejected,
                    code: Some(rejection.code.as_str().to_owned()),
                    message: Some(rejection.message.clone()),
                    field: rejection.field.clone(),
                },
            };
            let outcome_name = status_name(result.status);
            let first = replay.and_then(|r| r.answers.iter().find(|a| a.id == m.id));
            if let Some(first) = first {
                let same = (first.status == MutationStatus::Rejected)
                    == (result.status == MutationStatus::Rejected);
                if !same || first.id_card_removed {
                    sqlx::query(
                        "INSERT OR REPLACE INTO recovery (device_id, id, account_id, op_type, target, summary,
                           first_outcome, first_code, outcome, code, message, id_card_removed, created_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(device_id.to_string())
                    .bind(m.id as i64)
                    .bind(actor.account_id.to_string())
                    .bind(m.op.type_name())
                    .bind(m.op.target().storage_key())
                    .bind(m.op.describe_zh())
                    .bind(status_name(first.status))
                    .bind(&first.code)
                    .bind(outcome_name)
                    .bind(&result.code)
                    .bind(&result.message)
                    .bind(first.id_card_removed)
                    .bind(&received_at)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query(
                "INSERT INTO mutations (device_id, id, account_id, client_at, received_at, op_type, target, op, outcome, code, message, field, replayed,
                                        origin_username, origin_device, origin_mutation)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(device_id.to_string())
            .bind(m.id as i64)
            .bind(actor.account_id.to_string())
            .bind(m.at.to_rfc3339())
            .bind(&received_at)
            .bind(m.op.type_name())
            .bind(m.op.target().storage_key())
            .bind(serde_json::to_string(&m.op).map_err(|e| StoreError::Other(e.into()))?)
            .bind(outcome_name)
            .bind(&result.code)
            .bind(&result.message)
            .bind(&result.field)
            .bind(replay.is_some())
            .bind(origin.map(|o| o.username.as_str()))
            .bind(origin.map(|o| o.device_id.to_string()))
            .bind(origin.map(|o| o.mutation_id as i64))
            .execute(&mut *tx)
            .await?;
            last_applied = m.id;
            results.push(result);
        }
        if atomic
            && results
                .iter()
                .any(|r: &MutationResult| r.status == MutationStatus::Rejected)
        {
            // Dropping the transaction rolls it back.
            return Ok(PushResponse {
                last_applied: 0,
                results,
            });
        }
        save_seq(&mut tx, seq).await?;
        sqlx::query("UPDATE devices SET last_applied = ? WHERE id = ?")
            .bind(last_applied as i64)
            .bind(device_id.to_string())
            .execute(&mut *tx)
            .await?;
        crash_point::reached(crash_point::Point::BeforeCommit);
        tx.commit().await?;
        crash_point::reached(crash_point::Point::AfterCommit);
        Ok(PushResponse {
            last_applied,
            results,
        })
    }

    /// Opens (creating if needed) the database file and runs pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let newest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        // A table that is not there yet is a new database: nothing to keep.
        let current: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&pool)
                .await
                .unwrap_or(None);
        if let Some(current) = current
            && current < newest
        {
            // A new version never changes a district's data without a copy from before.
            let folder = path
                .parent()
                .unwrap_or(Path::new("."))
                .join("pre-migration");
            let report = crate::backup::backup(path, &folder, 5, None)
                .await
                .context("cannot back up the database before migrating it")?;
            println!(
                "backed up the database (schema {current}) to {} before migrating it to schema {newest}",
                report.file.display()
            );
        }
        migrator
            .run(&pool)
            .await
            .context("cannot migrate the database")?;
        Ok(SqliteStore {
            pool,
            writer: Arc::new(Mutex::new(())),
            keys: crate::signing::Keyring::default(),
        })
    }

    /// The keys this store signs with; `signing::start` fills them from the key file.
    pub fn keyring(&self) -> &crate::signing::Keyring {
        &self.keys
    }

    /// Moves signing secrets that a database made before the key file existed kept in its
    /// `signing_keys` table into the key file, then blanks them; returns how many moved.
    pub async fn move_secrets_to(
        &self,
        file: &mut crate::keyfile::KeyFile,
    ) -> anyhow::Result<usize> {
        let rows: Vec<(String, Vec<u8>, String)> = sqlx::query_as(
            "SELECT key_id, secret, created_at FROM signing_keys WHERE length(secret) > 0 \
             ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        for (key_id, secret, created_at) in &rows {
            let secret: [u8; 32] = secret
                .as_slice()
                .try_into()
                .with_context(|| format!("signing key {key_id} in the database is damaged"))?;
            let created_at = DateTime::parse_from_rfc3339(created_at)?.with_timezone(&Utc);
            let entry = crate::keyfile::KeyEntry::from_key(
                ed25519_dalek::SigningKey::from_bytes(&secret),
                created_at,
            );
            anyhow::ensure!(
                &entry.key_id == key_id,
                "signing key {key_id} in the database does not match its secret"
            );
            file.append(entry)?;
        }
        if !rows.is_empty() {
            // Only once the file holds them all (append waits for the disk).
            sqlx::query("UPDATE signing_keys SET secret = x'' WHERE length(secret) > 0")
                .execute(&self.pool)
                .await?;
        }
        Ok(rows.len())
    }

    /// Closes every connection, so SQLite checkpoints the WAL into the main file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The pool, for tests that inspect the file directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Deliberate crashes for the fault-injection tests, in debug builds only.
///
/// `HONGLING_CRASH=before_commit:N` (or `after_commit:N`) aborts the process at that point
/// of the N-th push since start: the tests then restart the server on the same file and
/// check that nothing was lost or applied twice.
mod crash_point {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Point {
        BeforeCommit,
        AfterCommit,
    }

    #[cfg(debug_assertions)]
    pub fn reached(point: Point) {
        use std::sync::OnceLock;
        use std::sync::atomic::{AtomicU64, Ordering};
        static PLAN: OnceLock<Option<(Point, u64)>> = OnceLock::new();
        static PUSHES: AtomicU64 = AtomicU64::new(0);
        let plan = PLAN.get_or_init(|| {
            let v = std::env::var("HONGLING_CRASH").ok()?;
            let (p, n) = v.split_once(':')?;
            let p = match p {
                "before_commit" => Point::BeforeCommit,
                "after_commit" => Point::AfterCommit,
                _ => return None,
            };
            Some((p, n.parse().ok()?))
        });
        let Some((at, nth)) = *plan else { return };
        if point == Point::BeforeCommit {
            PUSHES.fetch_add(1, Ordering::SeqCst);
        }
        if point == at && PUSHES.load(Ordering::SeqCst) == nth {
            eprintln!("HONGLING_CRASH: aborting {point:?} push {nth}");
            std::process::abort();
        }
    }

    #[cfg(not(debug_assertions))]
    pub fn reached(_point: Point) {}
}

/// The id of the account called `username`, if there is one.
async fn account_id_of(
    conn: &mut SqliteConnection,
    username: &str,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM accounts WHERE username = ?")
            .bind(username)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

async fn load_grants(
    conn: &mut SqliteConnection,
    account_id: &str,
) -> Result<Vec<Grant>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT role, scope FROM grants WHERE account_id = ? ORDER BY role, scope")
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut grants = Vec::with_capacity(rows.len());
    for (role, scope) in rows {
        let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
            .map_err(|_| StoreError::Other(anyhow::anyhow!("unknown role {role:?}")))?;
        let scope = Scope::parse(&scope)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("bad scope {scope:?}")))?;
        grants.push(Grant { role, scope });
    }
    Ok(grants)
}

fn role_text(role: Role) -> String {
    serde_json::to_value(role)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// What the writer already knows of a record's previous state.
#[derive(Debug, Clone, Copy)]
enum Known<'a> {
    Record(&'a Record),
    Absent,
    Unknown,
}

impl<'a> Known<'a> {
    fn from(state: &'a MissRecorder, key: &RecordKey) -> Known<'a> {
        match state.known.get(key) {
            Some(r) => Known::Record(r),
            None if state.absent.contains(key) => Known::Absent,
            None => Known::Unknown,
        }
    }
}

/// A row of `history`.
type HistoryRow = (
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// A logged outcome: outcome, code, message, field.
type LoggedOutcome = (String, Option<String>, Option<String>, Option<String>);

fn now() -> String {
    Utc::now().to_rfc3339()
}

fn parse_uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|e| StoreError::Other(anyhow::anyhow!("bad uuid {s:?}: {e}")))
}

fn row_to_record(row: &sqlx::sqlite::SqliteRow) -> Result<Record, StoreError> {
    let kind: String = row.try_get("kind")?;
    let id: String = row.try_get("id")?;
    let version: i64 = row.try_get("version")?;
    let deleted: bool = row.try_get("deleted")?;
    let body: String = row.try_get("body")?;
    Ok(Record {
        kind: RecordKind::parse(&kind)
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("unknown kind {kind:?}")))?,
        id: parse_uuid(&id)?,
        version: version as u64,
        deleted,
        body: serde_json::from_str(&body)
            .map_err(|e| StoreError::Other(anyhow::anyhow!("bad body: {e}")))?,
    })
}

async fn load_record(
    conn: &mut SqliteConnection,
    key: RecordKey,
) -> Result<Option<Record>, StoreError> {
    let row = sqlx::query(
        "SELECT kind, id, version, deleted, body FROM records WHERE kind = ? AND id = ?",
    )
    .bind(key.kind.as_str())
    .bind(key.id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(row_to_record).transpose()
}

/// Writes one change with the next change number. `seq` is the last number handed out;
/// the caller stores it back with [`save_seq`] before committing.
async fn write_change(
    conn: &mut SqliteConnection,
    seq: &mut i64,
    change: &Change,
    known: Known<'_>,
) -> Result<Record, StoreError> {
    *seq += 1;
    let version = *seq;
    let scope = visibility(change.key.kind, &change.body).column();
    // The scope it had: from what the batch already read, else from the table.
    let old: Option<Option<String>> = match known {
        Known::Record(r) => Some(visibility(r.kind, &r.body).column()),
        Known::Absent => None,
        Known::Unknown => {
            sqlx::query_scalar("SELECT scope FROM records WHERE kind = ? AND id = ?")
                .bind(change.key.kind.as_str())
                .bind(change.key.id.to_string())
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    if let Some(Some(from)) = old
        && scope.as_ref() != Some(&from)
    {
        sqlx::query("INSERT INTO scope_moves (version, kind, id, from_scope) VALUES (?, ?, ?, ?)")
            .bind(version)
            .bind(change.key.kind.as_str())
            .bind(change.key.id.to_string())
            .bind(&from)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO records (kind, id, version, deleted, body, scope) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version,
           deleted = excluded.deleted, body = excluded.body, scope = excluded.scope",
    )
    .bind(change.key.kind.as_str())
    .bind(change.key.id.to_string())
    .bind(version)
    .bind(change.deleted)
    .bind(change.body.to_string())
    .bind(&scope)
    .execute(&mut *conn)
    .await?;
    // The attachments the record names now: who may fetch them follows the record.
    if !change.key.kind.attachment_fields().is_empty() {
        sqlx::query("DELETE FROM blob_refs WHERE kind = ? AND id = ?")
            .bind(change.key.kind.as_str())
            .bind(change.key.id.to_string())
            .execute(&mut *conn)
            .await?;
        let named = if change.deleted {
            Vec::new()
        } else {
            hongling_core::blob::named_by(change.key.kind, &change.body)
        };
        for blob in named {
            sqlx::query("INSERT OR IGNORE INTO blob_refs (sha256, kind, id) VALUES (?, ?, ?)")
                .bind(blob.as_str())
                .bind(change.key.kind.as_str())
                .bind(change.key.id.to_string())
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(Record {
        kind: change.key.kind,
        id: change.key.id,
        version: version as u64,
        deleted: change.deleted,
        body: change.body.clone(),
    })
}

#[derive(sqlx::FromRow)]
struct RecoveryRow {
    username: String,
    device_id: String,
    id: i64,
    summary: String,
    target: String,
    first_outcome: String,
    outcome: String,
    code: Option<String>,
    message: Option<String>,
    id_card_removed: bool,
    created_at: String,
}

/// The meta key that holds certificate issuing after a rewind (`1` while held).
pub(crate) const HOLD_CERTIFICATES: &str = "certificates_held";

fn status_name(status: MutationStatus) -> &'static str {
    match status {
        MutationStatus::Applied => "applied",
        MutationStatus::Duplicate => "duplicate",
        MutationStatus::Rejected => "rejected",
    }
}

fn status_of(name: &str) -> MutationStatus {
    match name {
        "rejected" => MutationStatus::Rejected,
        "duplicate" => MutationStatus::Duplicate,
        _ => MutationStatus::Applied,
    }
}

async fn meta_in(conn: &mut SqliteConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Keeps, for re-issue, the certificates a replaying device holds that this server
/// signed and no longer has, and moves each year's counter past their numbers so no
/// number is ever given twice. One that does not verify is left out.
async fn keep_returned_certificates(
    conn: &mut SqliteConnection,
    certificates: &[Record],
) -> Result<(), StoreError> {
    if certificates.is_empty() {
        return Ok(());
    }
    let published: Vec<String> =
        sqlx::query_scalar("SELECT body FROM records WHERE kind = 'signing_key' AND deleted = 0")
            .fetch_all(&mut *conn)
            .await?;
    let keys: Vec<hongling_core::SigningPublicKey> = published
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect();
    for record in certificates {
        if record.kind != RecordKind::Certificate {
            continue;
        }
        let Ok(certificate) = record.decode::<hongling_core::certificate::Certificate>() else {
            continue;
        };
        let Ok(returned) = hongling_core::certificate::Returned::check(&certificate, &keys) else {
            tracing::warn!(certificate = %record.id, "a returned certificate does not verify; left out");
            continue;
        };
        let Some((year, seq)) = hongling_core::certificate::parse_number(&certificate.number)
        else {
            continue;
        };
        sqlx::query(
            "INSERT INTO certificate_numbers (year, last) VALUES (?, ?)
             ON CONFLICT (year) DO UPDATE SET last = max(last, excluded.last)",
        )
        .bind(year)
        .bind(i64::from(seq))
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO returned_certificates (id, key_id, payload, signature)
             SELECT ?, ?, ?, ? WHERE NOT EXISTS
               (SELECT 1 FROM records WHERE kind = 'certificate' AND id = ?)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(record.id.to_string())
        .bind(&returned.key_id)
        .bind(&returned.payload)
        .bind(returned.signature.as_slice())
        .bind(record.id.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Publishes a device's key record, unless it already says exactly this.
async fn set_device_key(
    conn: &mut SqliteConnection,
    device_id: Uuid,
    body: serde_json::Value,
) -> Result<(), StoreError> {
    let key = RecordKey::new(RecordKind::DeviceKey, device_id);
    let found = load_record(&mut *conn, key).await?;
    if found.as_ref().is_some_and(|r| !r.deleted && r.body == body) {
        return Ok(());
    }
    let mut seq = load_seq(&mut *conn).await?;
    let known = match &found {
        Some(r) => Known::Record(r),
        None => Known::Absent,
    };
    let change = Change {
        key,
        deleted: false,
        body,
    };
    write_change(&mut *conn, &mut seq, &change, known).await?;
    save_seq(&mut *conn, seq).await
}

async fn load_seq(conn: &mut SqliteConnection) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT value FROM change_seq WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Stores the last change number handed out and, when the commit wrote changes, gives
/// it a fresh random tag (see `0006_rewind.sql`).
async fn save_seq(conn: &mut SqliteConnection, seq: i64) -> Result<(), StoreError> {
    if load_seq(&mut *conn).await? == seq {
        return Ok(());
    }
    sqlx::query("UPDATE change_seq SET value = ? WHERE id = 1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO commit_tags (last_seq, tag) VALUES (?, ?)")
        .bind(seq)
        .bind(random_tag())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// 64 random bits in hex: a commit tag or an epoch.
pub(crate) fn random_tag() -> String {
    let bytes: [u8; 8] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tag of change number `seq`: that of the first commit that reached it.
async fn tag_of(conn: &mut SqliteConnection, seq: u64) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT tag FROM commit_tags WHERE last_seq >= ? ORDER BY last_seq LIMIT 1",
    )
    .bind(seq as i64)
    .fetch_optional(&mut *conn)
    .await?)
}

/// A signing key's row, as its `signing_key` record publishes it.
#[derive(sqlx::FromRow)]
struct KeyPublication {
    key_id: String,
    record_id: String,
    public: Vec<u8>,
    created_at: String,
    retired_at: Option<String>,
    demo: bool,
}

impl KeyPublication {
    fn record(&self) -> Result<Change, StoreError> {
        signing_record(
            &self.record_id,
            &self.key_id,
            &self.public,
            &self.created_at,
            self.retired_at.as_deref(),
            self.demo,
        )
    }
}

fn signing_record(
    record_id: &str,
    key_id: &str,
    public: &[u8],
    created_at: &str,
    retired_at: Option<&str>,
    demo: bool,
) -> Result<Change, StoreError> {
    use base64::Engine;
    let parse = |t: &str| {
        DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Other(e.into()))
    };
    let body = SigningPublicKey {
        key_id: key_id.to_owned(),
        algorithm: "ed25519".to_owned(),
        public_key: base64::engine::general_purpose::STANDARD.encode(public),
        created_at: parse(created_at)?,
        retired_at: retired_at.map(parse).transpose()?,
        demo,
    };
    Ok(Change {
        key: RecordKey::new(RecordKind::SigningKey, parse_uuid(record_id)?),
        deleted: false,
        body: serde_json::to_value(body).map_err(|e| StoreError::Other(e.into()))?,
    })
}

/// Issues the certificate of application `id` if it waits for one: the next number of
/// the year, today's date in China, the active signing key. The rules are
/// `hongling_core::certificate::issue`; this only supplies what needs the server.
async fn issue_certificate(
    conn: &mut SqliteConnection,
    keys: &crate::signing::Keyring,
    seq: &mut i64,
    state: &mut MissRecorder,
    id: Uuid,
) -> Result<(), StoreError> {
    use ed25519_dalek::Signer;
    use hongling_core::certification::{Application, Stage, settings};

    let key = RecordKey::new(RecordKind::Application, id);
    let Some(record) = hongling_core::State::get(&*state, key) else {
        return Ok(());
    };
    let Ok(app) = record.decode::<Application>() else {
        return Ok(());
    };
    if app.stage != Stage::AwaitingIssue || app.certificate_id.is_some() {
        return Ok(());
    }
    let worker_key = RecordKey::new(RecordKind::Worker, app.worker_id);
    let settings_key = RecordKey::new(
        RecordKind::Settings,
        hongling_core::certification::SETTINGS_ID,
    );
    for k in [worker_key, settings_key] {
        if !state.known.contains_key(&k) && !state.absent.contains(&k) {
            let found = load_record(&mut *conn, k).await?;
            state.learn(k, found);
        }
    }
    let Some(worker) = hongling_core::State::get(&*state, worker_key)
        .and_then(|r| r.decode::<hongling_core::Worker>().ok())
    else {
        return Err(StoreError::Other(anyhow::anyhow!(
            "application {id} names a worker that does not exist"
        )));
    };
    let settings = settings(&*state);
    let key_id: String = sqlx::query_scalar(
        "SELECT key_id FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::Other(anyhow::anyhow!("no active signing key")))?;
    let signer = keys.get(&key_id).ok_or_else(|| {
        StoreError::Other(anyhow::anyhow!(
            "signing key {key_id} is not in the key file"
        ))
    })?;
    // A certificate sent back after a rewind is given again as it was.
    let cert_id = hongling_core::certificate::certificate_id(id, app.issued + 1);
    let returned: Option<(String, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT key_id, payload, signature FROM returned_certificates WHERE id = ?")
            .bind(cert_id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    let returned = returned.and_then(|(key_id, payload, signature)| {
        let signed: hongling_core::certificate::Payload = serde_json::from_slice(&payload).ok()?;
        let signature: [u8; 64] = signature.try_into().ok()?;
        let signer = keys.get(&key_id)?;
        Some((key_id, payload, signature, signed, signer))
    });
    let (number, issued_on, key_id, signer, kept) = match returned {
        Some((key_id, payload, signature, signed, signer)) => (
            signed.no,
            signed.issued,
            key_id,
            signer,
            Some((payload, signature)),
        ),
        None => {
            let today = hongling_core::china_today(chrono::Utc::now());
            let year = chrono::Datelike::year(&today);
            let number: i64 = sqlx::query_scalar(
                "INSERT INTO certificate_numbers (year, last) VALUES (?, 1)
                 ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
            )
            .bind(year)
            .fetch_one(&mut *conn)
            .await?;
            let number = hongling_core::certificate::number(year, number as u32);
            (number, today, key_id, signer, None)
        }
    };
    // The same bytes keep their first signature; anything else is signed afresh.
    let sign = |bytes: &[u8]| match &kept {
        Some((payload, signature)) if payload.as_slice() == bytes => *signature,
        _ => signer.sign(bytes).to_bytes(),
    };
    let changes = hongling_core::certificate::issue(
        id,
        &app,
        &worker,
        &settings,
        hongling_core::certificate::Issuer {
            number,
            issued_on,
            key_id: &key_id,
            sign: &sign,
        },
    );
    for change in &changes {
        let known = Known::from(state, &change.key);
        let written = write_change(&mut *conn, seq, change, known).await?;
        state.learn(change.key, Some(written));
    }
    Ok(())
}

impl Store for SqliteStore {
    async fn records_of(&self, kind: RecordKind) -> Result<Vec<Record>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, id, version, deleted, body FROM records WHERE kind = ? AND deleted = 0",
        )
        .bind(kind.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_record).collect()
    }

    async fn signing_keys(&self) -> Result<Vec<super::SigningKeyRow>, StoreError> {
        let rows: Vec<(String, bool, bool)> = sqlx::query_as(
            "SELECT key_id, retired_at IS NOT NULL, demo FROM signing_keys ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(key_id, retired, demo)| super::SigningKeyRow {
                key_id,
                retired,
                demo,
            })
            .collect())
    }

    async fn mark_signing_keys_demo(&self) -> Result<(), StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let mut seq = load_seq(&mut tx).await?;
        let rows: Vec<KeyPublication> = sqlx::query_as(
            "UPDATE signing_keys SET demo = 1 WHERE demo = 0
             RETURNING key_id, record_id, public, created_at, retired_at, demo",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in rows {
            write_change(&mut tx, &mut seq, &row.record()?, Known::Unknown).await?;
        }
        save_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_signing_key(&self, key: NewSigningKey) -> Result<(), StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let mut seq = load_seq(&mut tx).await?;
        let retired_at = key.created_at.to_rfc3339();
        let active: Vec<KeyPublication> = sqlx::query_as(
            "SELECT key_id, record_id, public, created_at, retired_at, demo FROM signing_keys WHERE retired_at IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?;
        for mut row in active {
            sqlx::query("UPDATE signing_keys SET retired_at = ? WHERE key_id = ?")
                .bind(&retired_at)
                .bind(&row.key_id)
                .execute(&mut *tx)
                .await?;
            row.retired_at = Some(retired_at.clone());
            write_change(&mut tx, &mut seq, &row.record()?, Known::Unknown).await?;
        }
        let record_id = Uuid::new_v4().to_string();
        // The secret column stays empty: the secret is in the key file (migration 0005).
        sqlx::query(
            "INSERT INTO signing_keys (key_id, record_id, secret, public, created_at, demo) VALUES (?, ?, x'', ?, ?, ?)",
        )
        .bind(&key.key_id)
        .bind(&record_id)
        .bind(&key.public)
        .bind(&retired_at)
        .bind(key.demo)
        .execute(&mut *tx)
        .await?;
        let change = signing_record(
            &record_id,
            &key.key_id,
            &key.public,
            &retired_at,
            None,
            key.demo,
        )?;
        write_change(&mut tx, &mut seq, &change, Known::Absent).await?;
        save_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn account_by_username(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, display_name, password_hash, disabled, must_change_password FROM accounts WHERE username = ?",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get("id")?;
        let grants = load_grants(&mut *self.pool.acquire().await?, &id).await?;
        Ok(Some(AccountRow {
            info: AccountInfo {
                id: parse_uuid(&id)?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                grants,
            },
            password_hash: row.try_get("password_hash")?,
            disabled: row.try_get("disabled")?,
            must_change_password: row.try_get("must_change_password")?,
        }))
    }

    async fn create_account(&self, account: NewAccount) -> Result<Uuid, StoreError> {
        let _w = self.writer.lock().await;
        let id = Uuid::new_v4();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO accounts (id, username, display_name, password_hash, created_at, must_change_password) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(&account.username)
        .bind(&account.display_name)
        .bind(&account.password_hash)
        .bind(now())
        .bind(account.must_change_password)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::UsernameTaken,
            _ => StoreError::Database(e),
        })?;
        for g in &account.grants {
            sqlx::query("INSERT INTO grants (account_id, role, scope) VALUES (?, ?, ?)")
                .bind(id.to_string())
                .bind(role_text(g.role))
                .bind(g.scope.to_text())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn create_session(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        device_key: Option<&str>,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let owner: Option<(String, bool)> =
            sqlx::query_as("SELECT account_id, revoked FROM devices WHERE id = ?")
                .bind(device_id.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        match owner {
            Some((owner, _)) if owner != account_id.to_string() => {
                return Err(StoreError::DeviceBound);
            }
            Some((_, true)) => return Err(StoreError::DeviceRevoked),
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO devices (id, account_id, created_at) VALUES (?, ?, ?)")
                    .bind(device_id.to_string())
                    .bind(account_id.to_string())
                    .bind(now())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(account_id.to_string())
        .bind(device_id.to_string())
        .bind(now())
        .bind(expires_at.to_rfc3339())
        .execute(&mut *tx)
        .await?;
        if let Some(public_key) = device_key {
            let body = serde_json::to_value(DeviceKey::new(account_id, public_key))
                .map_err(|e| StoreError::Other(e.into()))?;
            set_device_key(&mut tx, device_id, body).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        idle: chrono::Duration,
    ) -> Result<SessionLookup, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.username, a.display_name, a.grants_version, a.disabled, d.revoked,
                    s.device_id, s.expires_at, s.ended, a.must_change_password,
                    COALESCE(s.last_used_at, s.created_at) AS used
             FROM sessions s JOIN accounts a ON a.id = s.account_id
             JOIN devices d ON d.id = s.device_id
             WHERE s.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(SessionLookup::Unknown);
        };
        if row.try_get::<bool, _>("disabled")? {
            return Ok(SessionLookup::AccountDisabled);
        }
        if row.try_get::<bool, _>("revoked")? {
            return Ok(SessionLookup::DeviceRevoked);
        }
        match row.try_get::<Option<String>, _>("ended")?.as_deref() {
            None => {}
            Some("password_changed") => return Ok(SessionLookup::PasswordChanged),
            Some(_) => return Ok(SessionLookup::Ended),
        }
        let time = |column: &str| -> Result<DateTime<Utc>, StoreError> {
            let text: String = row.try_get(column)?;
            DateTime::parse_from_rfc3339(&text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StoreError::Other(anyhow::anyhow!("bad {column}: {e}")))
        };
        let now = Utc::now();
        if time("expires_at")? < now {
            return Ok(SessionLookup::Ended);
        }
        let used = time("used")?;
        if now - used > idle {
            self.end_session(token_hash, "idle").await?;
            return Ok(SessionLookup::Ended);
        }
        if now - used > chrono::Duration::hours(1) {
            let _w = self.writer.lock().await;
            sqlx::query("UPDATE sessions SET last_used_at = ? WHERE token_hash = ?")
                .bind(now.to_rfc3339())
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        let id: String = row.try_get("id")?;
        let grants_version: i64 = row.try_get("grants_version")?;
        let grants = load_grants(&mut *self.pool.acquire().await?, &id).await?;
        Ok(SessionLookup::Live(SessionRow {
            account: AccountInfo {
                id: parse_uuid(&id)?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                grants,
            },
            device_id: parse_uuid(row.try_get("device_id")?)?,
            grants_version: grants_version as u64,
            must_change_password: row.try_get("must_change_password")?,
        }))
    }

    async fn list_accounts(&self) -> Result<Vec<AccountSummary>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
            "SELECT id, username, display_name, disabled FROM accounts ORDER BY username",
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, username, display_name, disabled) in rows {
            let grants = load_grants(&mut conn, &id).await?;
            let devices: Vec<(String, String, bool, i64)> = sqlx::query_as(
                "SELECT id, created_at, revoked, last_applied FROM devices WHERE account_id = ? ORDER BY created_at",
            )
            .bind(&id)
            .fetch_all(&mut *conn)
            .await?;
            out.push(AccountSummary {
                account: AccountInfo {
                    id: parse_uuid(&id)?,
                    username,
                    display_name,
                    grants,
                },
                disabled,
                devices: devices
                    .into_iter()
                    .map(|(id, created_at, revoked, last)| {
                        Ok(DeviceSummary {
                            id: parse_uuid(&id)?,
                            created_at,
                            revoked,
                            last_applied: last as u64,
                        })
                    })
                    .collect::<Result<_, StoreError>>()?,
            });
        }
        Ok(out)
    }

    async fn end_session(&self, token_hash: &str, why: &str) -> Result<bool, StoreError> {
        let _w = self.writer.lock().await;
        let done =
            sqlx::query("UPDATE sessions SET ended = ? WHERE token_hash = ? AND ended IS NULL")
                .bind(why)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_disabled(&self, username: &str, disabled: bool) -> Result<bool, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE accounts SET disabled = ? WHERE username = ?")
            .bind(disabled)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if disabled {
            // Ended for good: re-enabling the account must not revive a stolen token.
            sqlx::query(
                "UPDATE sessions SET ended = 'account_disabled'
                 WHERE ended IS NULL
                   AND account_id = (SELECT id FROM accounts WHERE username = ?)",
            )
            .bind(username)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
    ) -> Result<bool, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let Some(id) = account_id_of(&mut tx, username).await? else {
            return Ok(false);
        };
        sqlx::query("UPDATE accounts SET password_hash = ?, must_change_password = ? WHERE id = ?")
            .bind(password_hash)
            .bind(must_change)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        // Ended sessions stay, marked, so their tablets learn why (`password_changed`).
        sqlx::query(
            "UPDATE sessions SET ended = 'password_changed'
             WHERE account_id = ? AND ended IS NULL AND token_hash IS NOT ?",
        )
        .bind(&id)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn note_pulled(&self, device_id: Uuid, seq: u64) -> Result<(), StoreError> {
        let now = Utc::now();
        let hour_ago = (now - chrono::Duration::hours(1)).to_rfc3339();
        let id = device_id.to_string();
        // Read first, without the writer's lock: most pulls change nothing here.
        let stale: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM devices WHERE id = ?
               AND (pulled_seq <> ? OR pulled_at IS NULL OR pulled_at < ?)",
        )
        .bind(&id)
        .bind(seq as i64)
        .bind(&hour_ago)
        .fetch_optional(&self.pool)
        .await?;
        if stale.is_none() {
            return Ok(());
        }
        let _w = self.writer.lock().await;
        sqlx::query("UPDATE devices SET pulled_seq = ?, pulled_at = ? WHERE id = ?")
            .bind(seq as i64)
            .bind(now.to_rfc3339())
            .bind(&id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn device_contacts(
        &self,
        accounts: &[Uuid],
    ) -> Result<Vec<hongling_core::contest::readiness::DeviceContact>, StoreError> {
        /// id, account, pulled_seq, revoked, pulled_at, the last session use.
        type Row = (String, String, i64, bool, Option<String>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT d.id, d.account_id, d.pulled_seq, d.revoked, d.pulled_at,
                        (SELECT MAX(COALESCE(s.last_used_at, s.created_at)) FROM sessions s
                          WHERE s.device_id = d.id)
                   FROM devices d ORDER BY d.created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        let time = |t: Option<String>| {
            t.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let mut out = Vec::new();
        for (id, account, seq, revoked, pulled_at, used_at) in rows {
            let account_id = parse_uuid(&account)?;
            if !accounts.contains(&account_id) {
                continue;
            }
            out.push(hongling_core::contest::readiness::DeviceContact {
                account_id,
                device_id: parse_uuid(&id)?,
                pulled_seq: seq.max(0) as u64,
                last_contact: time(pulled_at).max(time(used_at)),
                revoked,
            });
        }
        Ok(out)
    }

    async fn revoke_device(&self, device_id: Uuid) -> Result<bool, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE devices SET revoked = 1 WHERE id = ?")
            .bind(device_id.to_string())
            .execute(&mut *tx)
            .await?;
        let key = RecordKey::new(RecordKind::DeviceKey, device_id);
        if let Some(record) = load_record(&mut tx, key).await?
            && !record.deleted
        {
            let mut body = record.body;
            body["revoked"] = serde_json::Value::Bool(true);
            set_device_key(&mut tx, device_id, body).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn put_blob(
        &self,
        sha256: &str,
        bytes: Vec<u8>,
        session: &SessionRow,
        quota: u64,
    ) -> Result<BlobPut, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let held: Option<i64> = sqlx::query_scalar("SELECT 1 FROM blobs WHERE sha256 = ?")
            .bind(sha256)
            .fetch_optional(&mut *tx)
            .await?;
        let account = session.account.id.to_string();
        let outcome = if held.is_some() {
            BlobPut::AlreadyHere
        } else {
            let since = (Utc::now() - chrono::Duration::hours(24)).to_rfc3339();
            let lately: i64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(size), 0) FROM blobs WHERE account_id = ? AND created_at > ?",
            )
            .bind(&account)
            .bind(since)
            .fetch_one(&mut *tx)
            .await?;
            if lately as u64 + bytes.len() as u64 > quota {
                return Ok(BlobPut::OverQuota);
            }
            sqlx::query(
                "INSERT INTO blobs (sha256, size, data, account_id, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(sha256)
            .bind(bytes.len() as i64)
            .bind(bytes)
            .bind(&account)
            .bind(now())
            .execute(&mut *tx)
            .await?;
            BlobPut::Created
        };
        sqlx::query("INSERT OR IGNORE INTO blob_uploaders (sha256, device_id) VALUES (?, ?)")
            .bind(sha256)
            .bind(session.device_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn get_blob(
        &self,
        sha256: &str,
        session: &SessionRow,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let naming: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT r.kind, r.id, r.body FROM blob_refs b
               JOIN records r ON r.kind = b.kind AND r.id = b.id
              WHERE b.sha256 = ? AND r.deleted = 0",
        )
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        let naming: Vec<(RecordKind, Uuid, serde_json::Value)> = naming
            .into_iter()
            .filter_map(|(kind, id, body)| {
                Some((
                    RecordKind::parse(&kind)?,
                    Uuid::parse_str(&id).ok()?,
                    serde_json::from_str(&body).ok()?,
                ))
            })
            .collect();
        let uploaded: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM blob_uploaders WHERE sha256 = ? AND device_id = ?")
                .bind(sha256)
                .bind(session.device_id.to_string())
                .fetch_optional(&self.pool)
                .await?;
        let allowed = hongling_core::blob::may_fetch(
            session.account.id,
            &session.account.grants,
            &naming,
            uploaded.is_some(),
        );
        if !allowed {
            return Ok(None);
        }
        Ok(
            sqlx::query_scalar("SELECT data FROM blobs WHERE sha256 = ?")
                .bind(sha256)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn log_security(&self, line: SecurityLine<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_log (at, event, actor, subject, address, detail)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(now())
        .bind(line.event.as_str())
        .bind(line.actor)
        .bind(line.subject)
        .bind(line.address)
        .bind(line.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn security_log(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<hongling_core::wire::SecurityLogEntry>, StoreError> {
        type Row = (i64, String, String, String, String, String, String);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, at, event, actor, subject, address, detail FROM security_log
              WHERE id < ? ORDER BY id DESC LIMIT ?",
        )
        .bind(before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, at, event, actor, subject, address, detail)| {
                let event = hongling_core::wire::SecurityEvent::parse(&event).ok_or_else(|| {
                    StoreError::Other(anyhow::anyhow!("unknown security event {event:?}"))
                })?;
                Ok(hongling_core::wire::SecurityLogEntry {
                    id: id as u64,
                    at,
                    event,
                    actor,
                    subject,
                    address,
                    detail,
                })
            })
            .collect()
    }

    async fn prune_security_log(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM security_log WHERE at < ?")
            .bind(before.to_rfc3339())
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn collect_blobs(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let gone = sqlx::query(
            "DELETE FROM blobs WHERE created_at < ?
               AND NOT EXISTS (SELECT 1 FROM blob_refs r WHERE r.sha256 = blobs.sha256)",
        )
        .bind(before.to_rfc3339())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "DELETE FROM blob_uploaders
              WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.sha256 = blob_uploaders.sha256)",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(gone)
    }

    async fn history(&self, key: RecordKey) -> Result<Vec<HistoryEntry>, StoreError> {
        let rows: Vec<HistoryRow> = sqlx::query_as(
            "SELECT a.username, a.display_name, m.device_id, m.id, m.client_at, m.received_at,
                    m.op, m.outcome, m.code, m.message,
                    m.origin_username, m.origin_device, m.origin_mutation
             FROM mutations m JOIN accounts a ON a.id = m.account_id
             WHERE m.target = ? ORDER BY m.received_at, m.device_id, m.id",
        )
        .bind(key.storage_key())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(HistoryEntry {
                    username: r.0,
                    display_name: r.1,
                    device_id: parse_uuid(&r.2)?,
                    mutation_id: r.3 as u64,
                    client_at: r.4,
                    received_at: r.5,
                    op: serde_json::from_str(&r.6).map_err(|e| StoreError::Other(e.into()))?,
                    outcome: r.7,
                    code: r.8,
                    message: r.9,
                    origin: match (r.10, r.11, r.12) {
                        (Some(username), Some(device), Some(id)) => Some(Origin {
                            username,
                            device_id: parse_uuid(&device)?,
                            mutation_id: id as u64,
                        }),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    async fn push(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: Vec<PushedMutation>,
        replay: Option<Replay>,
    ) -> Result<PushResponse, StoreError> {
        self.push_batch(actor, device_id, mutations, false, replay.as_ref())
            .await
    }

    async fn recovery(&self) -> Result<Vec<RecoveryItem>, StoreError> {
        let rows: Vec<RecoveryRow> = sqlx::query_as(
            "SELECT a.username, r.device_id, r.id, r.summary, r.target, r.first_outcome,
                    r.outcome, r.code, r.message, r.id_card_removed, r.created_at
               FROM recovery r JOIN accounts a ON a.id = r.account_id
              ORDER BY r.created_at, r.device_id, r.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(RecoveryItem {
                    username: r.username,
                    device_id: parse_uuid(&r.device_id)?,
                    mutation_id: r.id as u64,
                    summary: r.summary,
                    target: r.target,
                    first_outcome: status_of(&r.first_outcome),
                    outcome: status_of(&r.outcome),
                    code: r.code,
                    message: r.message,
                    id_card_removed: r.id_card_removed,
                    at: r.created_at,
                })
            })
            .collect()
    }

    async fn release_certificate_hold(&self) -> Result<Option<usize>, StoreError> {
        {
            let _w = self.writer.lock().await;
            let done = sqlx::query("DELETE FROM meta WHERE key = ? AND value = '1'")
                .bind(HOLD_CERTIFICATES)
                .execute(&self.pool)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(None);
            }
        }
        Ok(Some(self.issue_waiting().await?))
    }

    async fn import(
        &self,
        actor: &Actor,
        ops: Vec<hongling_core::Op>,
    ) -> Result<PushResponse, StoreError> {
        // An import is a device of its own: its mutations are numbered 1, 2, … and
        // appear in the audit trail like any other.
        let device_id = Uuid::new_v4();
        sqlx::query("INSERT INTO devices (id, account_id, created_at) VALUES (?, ?, ?)")
            .bind(device_id.to_string())
            .bind(actor.account_id.to_string())
            .bind(now())
            .execute(&self.pool)
            .await?;
        let at = Utc::now();
        let mutations = ops
            .into_iter()
            .enumerate()
            .map(|(i, op)| {
                PushedMutation::from(Mutation {
                    id: i as u64 + 1,
                    at,
                    op,
                })
            })
            .collect();
        self.push_batch(actor, device_id, mutations, true, None)
            .await
    }

    async fn pull(
        &self,
        session: &SessionRow,
        cursor: u64,
        limit: u32,
        scope: u64,
        tag: Option<&str>,
        epoch: Option<&str>,
    ) -> Result<PullResponse, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let current_epoch = meta_in(&mut conn, "epoch").await?;
        // A cursor whose tag this server does not know was handed out by a history the
        // server no longer has (a snapshot put back); another epoch is a restore.
        let rewound = match tag {
            Some(tag) if cursor > 0 => tag_of(&mut conn, cursor).await?.as_deref() != Some(tag),
            _ => false,
        } || epoch.is_some_and(|e| current_epoch.as_deref() != Some(e));
        let reset = rewound || scope != session.grants_version;
        let cursor = if reset { 0 } else { cursor };
        // Which scoped records the account may see: all (the committee), every township,
        // or those of some townships.
        let cols = visible_columns(&session.account.grants);
        let every_township = cols
            .as_ref()
            .is_some_and(|c| c.iter().any(|c| c == EVERY_TOWNSHIP));
        let binds: Vec<String> = cols
            .clone()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c != EVERY_TOWNSHIP)
            .collect();
        let sees = |col: &str| {
            if cols.is_none() {
                return "1".to_owned();
            }
            let mut parts = Vec::new();
            if every_township {
                parts.push(format!("{col} LIKE 'township:%'"));
            }
            if !binds.is_empty() {
                parts.push(format!("{col} IN ({})", vec!["?"; binds.len()].join(", ")));
            }
            if parts.is_empty() {
                "0".to_owned()
            } else {
                format!("({})", parts.join(" OR "))
            }
        };
        // A worker's own account also sees its own record, certificates, trainings and
        // inspections, wherever they live.
        let own: Vec<String> = own_workers(&session.account.grants)
            .iter()
            .map(Uuid::to_string)
            .collect();
        // A judge also sees their own score sheets (the last placeholder: the account).
        // Which kinds each of these covers comes from the kinds' declared readers.
        let kinds_read_by = |reader: Reader| {
            RecordKind::read_by(reader)
                .map(|k| format!("'{}'", k.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (itself, named, judged) = (
            kinds_read_by(Reader::TheWorkerItIs),
            kinds_read_by(Reader::TheWorkerNamed),
            kinds_read_by(Reader::TheJudge),
        );
        let own_sql = |kind: &str, id: &str, body: &str| match own.len() {
            0 => format!("({kind} IN ({judged}) AND json_extract({body}, '$.judge_id') = ?)"),
            n => {
                let list = vec!["?"; n].join(", ");
                format!(
                    "(({kind} IN ({itself}) AND {id} IN ({list})) OR \
                     ({kind} IN ({named}) AND json_extract({body}, '$.worker_id') IN ({list})) OR \
                     ({kind} IN ({judged}) AND json_extract({body}, '$.judge_id') = ?))"
                )
            }
        };
        let sql = format!(
            "SELECT kind, id, version, deleted, body FROM records
               WHERE version > ? AND (scope IS NULL OR {records} OR {own_record})
             UNION ALL
             SELECT m.kind, m.id, m.version, 1 AS deleted, '{{}}' AS body
               FROM scope_moves m JOIN records r ON r.kind = m.kind AND r.id = m.id
               WHERE m.version > ? AND {moved} AND NOT (r.scope IS NULL OR {now} OR {own_now})
             ORDER BY version LIMIT ?",
            records = sees("scope"),
            own_record = own_sql("kind", "id", "body"),
            moved = sees("m.from_scope"),
            now = sees("r.scope"),
            own_now = own_sql("r.kind", "r.id", "r.body"),
        );
        // Placeholders in the order they appear above.
        let account = session.account.id.to_string();
        let mut q = sqlx::query(&sql).bind(cursor as i64);
        for b in binds.iter().chain(&own).chain(&own) {
            q = q.bind(b);
        }
        q = q.bind(&account).bind(cursor as i64);
        for b in binds.iter().chain(&binds).chain(&own).chain(&own) {
            q = q.bind(b);
        }
        q = q.bind(&account);
        let rows = q.bind(i64::from(limit) + 1).fetch_all(&mut *conn).await?;
        let more = rows.len() > limit as usize;
        let reader = session.actor();
        let records = rows
            .iter()
            .take(limit as usize)
            .map(|row| {
                let mut r = row_to_record(row)?;
                if r.kind == RecordKind::Contest {
                    r.body = hongling_core::contest::as_seen_by(&reader, r.body);
                }
                Ok(r)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next = records.last().map_or(cursor, |r| r.version);
        let tag = if next > 0 {
            tag_of(&mut conn, next).await?
        } else {
            None
        };
        let last_applied: Option<i64> =
            sqlx::query_scalar("SELECT last_applied FROM devices WHERE id = ?")
                .bind(session.device_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        Ok(PullResponse {
            records,
            cursor: next,
            more,
            reset,
            scope: session.grants_version,
            epoch: current_epoch,
            tag,
            last_applied: last_applied.map(|n| n as u64),
            rewound,
        })
    }

    async fn set_grants(&self, username: &str, grants: Vec<Grant>) -> Result<bool, StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let Some(id) = account_id_of(&mut tx, username).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM grants WHERE account_id = ?")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        for g in &grants {
            sqlx::query("INSERT OR IGNORE INTO grants (account_id, role, scope) VALUES (?, ?, ?)")
                .bind(&id)
                .bind(role_text(g.role))
                .bind(g.scope.to_text())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("UPDATE accounts SET grants_version = grants_version + 1 WHERE id = ?")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn put_records(&self, records: Vec<Record>) -> Result<(), StoreError> {
        let _w = self.writer.lock().await;
        let mut tx = self.write_tx().await?;
        let mut seq = load_seq(&mut tx).await?;
        for r in records {
            let change = Change {
                key: r.key(),
                deleted: r.deleted,
                body: r.body,
            };
            write_change(&mut tx, &mut seq, &change, Known::Unknown).await?;
        }
        save_seq(&mut tx, seq).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn issue_waiting(&self) -> Result<usize, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM records WHERE kind = 'application' AND deleted = 0
               AND json_extract(body, '$.stage') = 'awaiting_issue' ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?;
        for id in &ids {
            let _w = self.writer.lock().await;
            let mut tx = self.write_tx().await?;
            let mut seq = load_seq(&mut tx).await?;
            let mut state = MissRecorder::new();
            let key = RecordKey::new(RecordKind::Application, parse_uuid(id)?);
            let found = load_record(&mut tx, key).await?;
            state.learn(key, found);
            issue_certificate(&mut tx, &self.keys, &mut seq, &mut state, key.id).await?;
            save_seq(&mut tx, seq).await?;
            tx.commit().await?;
        }
        Ok(ids.len())
    }

    async fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let _w = self.writer.lock().await;
        sqlx::query("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }
}
