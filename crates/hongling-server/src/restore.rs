//! `hongling-server restore`: put a backup back, so that no device skips or loses work.
//!
//! Why more than a file copy: devices hold cursors and acknowledged mutation ids of the
//! history the backup no longer has. The restored database gets a new epoch (see
//! `0006_rewind.sql`), so every device sees the rewind at its next sync, pulls from zero
//! and sends again, from its journal, what the server lost (`docs/sync-protocol.md`).
//! Until a committee device has synced, no certificate is issued, so the numbers it
//! hands back are never given twice. A backup older than the devices' journal window
//! is refused without `--force`: the devices no longer hold what it lacks.
//!
//! The old `-wal` and `-shm` files go, or SQLite would replay the old commits onto the
//! restored file. The database being replaced is itself backed up first (into
//! `pre-restore/` beside it), so a restore of the wrong file can be undone.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::keyfile::KeyFile;

/// How many days devices keep their journal unless told otherwise.
pub const DEFAULT_JOURNAL_DAYS: u32 = 30;

/// The meta key a backup copy carries: when it was taken (RFC 3339).
pub const TAKEN_AT: &str = "backup_taken_at";

/// What to restore, and how.
#[derive(Debug)]
pub struct Plan<'a> {
    pub db: &'a Path,
    pub backup: &'a Path,
    pub key_file: &'a Path,
    pub passphrase: Option<SecretString>,
    pub journal_days: u32,
    pub force: bool,
}

/// What a restore did.
#[derive(Debug)]
pub struct Report {
    pub taken_at: DateTime<Utc>,
    pub epoch: String,
    /// The replaced database's own backup, when there was one.
    pub previous: Option<PathBuf>,
    pub keys_added: usize,
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// When the backup was taken: the time it carries, else the time in its file name.
pub async fn taken_at(backup: &Path) -> anyhow::Result<DateTime<Utc>> {
    let mut conn = SqliteConnectOptions::new()
        .filename(backup)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", backup.display()))?;
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(TAKEN_AT)
        .fetch_optional(&mut conn)
        .await
        .unwrap_or(None);
    conn.close().await?;
    if let Some(at) = stored.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()) {
        return Ok(at.with_timezone(&Utc));
    }
    let name = backup
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stamp = name
        .strip_prefix(crate::backup::PREFIX)
        .and_then(|n| n.strip_suffix(crate::backup::SUFFIX))
        .unwrap_or_default();
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%S%.3fZ")
        .map(|t| t.and_utc())
        .with_context(|| {
            format!(
                "{} does not say when it was taken: is it a backup made by `hongling-server backup`?",
                backup.display()
            )
        })
}

/// Restores `plan.backup` over `plan.db`. The caller holds the database's lock.
pub async fn restore(plan: Plan<'_>) -> anyhow::Result<Report> {
    if !plan.backup.is_file() {
        bail!("{} does not exist", plan.backup.display());
    }
    crate::backup::check_integrity(plan.backup).await?;
    let taken_at = taken_at(plan.backup).await?;
    let age = Utc::now() - taken_at;
    if age > chrono::Duration::days(i64::from(plan.journal_days)) && !plan.force {
        bail!(
            "the backup was taken {} days ago, longer than the devices keep their journal \
             ({} days): what they did since is no longer on them to send again. Give --force \
             to restore it anyway and redo that work by hand",
            age.num_days(),
            plan.journal_days
        );
    }
    // The keys first: a database is never put back without the keys it expects.
    let mut keys = KeyFile::load(plan.key_file)?;
    let sealed = crate::backup::keys_of(plan.backup);
    let keys_added = if sealed.is_file() {
        match &plan.passphrase {
            Some(passphrase) => {
                let entries = crate::backup::decrypt_keys(&sealed, passphrase)?;
                keys.merge(&entries)?
            }
            None => 0,
        }
    } else {
        0
    };
    let expected: Vec<String> = {
        let mut conn = SqliteConnectOptions::new()
            .filename(plan.backup)
            .read_only(true)
            .connect()
            .await?;
        let ids = sqlx::query_scalar("SELECT key_id FROM signing_keys")
            .fetch_all(&mut conn)
            .await?;
        conn.close().await?;
        ids
    };
    let missing = keys.missing(expected.iter().map(String::as_str));
    if !missing.is_empty() {
        let how = if sealed.is_file() && plan.passphrase.is_none() {
            format!(
                "give --key-passphrase-file to take them from {}",
                sealed.display()
            )
        } else {
            format!("put them into {} first", plan.key_file.display())
        };
        bail!(
            "the backup's database expects signing key(s) {} that {} lacks: {how}",
            missing.into_iter().collect::<Vec<_>>().join(", "),
            plan.key_file.display()
        );
    }
    let previous = if plan.db.is_file() {
        let folder = plan
            .db
            .parent()
            .unwrap_or(Path::new("."))
            .join("pre-restore");
        Some(crate::backup::backup(plan.db, &folder, 5, None).await?.file)
    } else {
        None
    };
    // The copy takes its place whole, and no old log is left to be replayed onto it.
    let partial = sidecar(plan.db, ".restoring");
    std::fs::copy(plan.backup, &partial)
        .with_context(|| format!("cannot copy {}", plan.backup.display()))?;
    crate::backup::restrict(&partial, 0o600)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        match std::fs::remove_file(sidecar(plan.db, suffix)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).context(format!("cannot remove the old {suffix} file")),
        }
    }
    std::fs::rename(&partial, plan.db)?;
    // The restored database is a new epoch of its history, and issues no certificate
    // until a committee device has synced.
    let store = crate::store::sqlite::SqliteStore::open(plan.db).await?;
    let epoch = crate::store::sqlite::random_tag();
    for (key, value) in [
        ("epoch", epoch.as_str()),
        (crate::store::sqlite::HOLD_CERTIFICATES, "1"),
        ("restored_from", &taken_at.to_rfc3339()),
    ] {
        crate::store::Store::set_meta(&store, key, value).await?;
    }
    sqlx::query("DELETE FROM meta WHERE key = ?")
        .bind(TAKEN_AT)
        .execute(store.pool())
        .await?;
    store.close().await;
    Ok(Report {
        taken_at,
        epoch,
        previous,
        keys_added,
    })
}
