//! `hongling-server backup`: a consistent copy of a live database.
//!
//! Why `VACUUM INTO` and not a file copy: the server runs SQLite in WAL mode, so the
//! latest commits may live only in `hongling.sqlite-wal` until a checkpoint; copying the
//! main file alone loses them, and copying both while the server writes can tear.
//! `VACUUM INTO` writes the whole database as one read transaction sees it, while the
//! server goes on. The copy is checked with `integrity_check` before it takes its final
//! name, so a backup in the folder is always a whole one.
//!
//! The signing keys are not in the database (see `keyfile`). A backup takes them only
//! encrypted, as an age file (scrypt passphrase, the format of the `age` tool, so an IT
//! person can open it without this program) beside the database copy: a plain copy of
//! the keys in every backup would let anyone who finds one forge certificates.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, bail};

use crate::keyfile::{KeyEntry, KeyFile};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The name every backup file starts with; rotation only ever removes such files.
pub const PREFIX: &str = "hongling-";
/// The name every backup file ends with.
pub const SUFFIX: &str = ".sqlite";
/// The name of a backup's encrypted signing keys ends with this instead of [`SUFFIX`].
pub const KEYS_SUFFIX: &str = ".keys.age";

/// What a backup did.
#[derive(Debug)]
pub struct Report {
    pub file: PathBuf,
    pub bytes: u64,
    /// The encrypted signing keys beside it, when a passphrase was given.
    pub keys: Option<PathBuf>,
    /// Older backups removed to keep the newest `keep`.
    pub removed: usize,
}

/// The encrypted signing keys that belong to a backup file.
pub fn keys_of(backup: &Path) -> PathBuf {
    let name = backup
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    backup.with_file_name(format!(
        "{}{KEYS_SUFFIX}",
        name.strip_suffix(SUFFIX).unwrap_or(name)
    ))
}

/// Reads a passphrase from the first line of a file that others cannot read (systemd's
/// credentials may be group-readable through an ACL; the world never).
pub fn read_passphrase(path: &Path) -> anyhow::Result<SecretString> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the passphrase file {}", path.display()))?;
    crate::keyfile::check_mode(path, 0o007)?;
    let line = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if line.chars().count() < 12 {
        bail!(
            "the passphrase in {} is shorter than 12 characters",
            path.display()
        );
    }
    Ok(SecretString::from(line.to_owned()))
}

/// Opens a backup's encrypted signing keys with the passphrase.
pub fn decrypt_keys(file: &Path, passphrase: &SecretString) -> anyhow::Result<Vec<KeyEntry>> {
    let sealed = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let identity = age::scrypt::Identity::new(passphrase.clone());
    let plain = age::decrypt(&identity, &sealed).map_err(|e| {
        anyhow::anyhow!(
            "cannot open {} ({e}): is it the passphrase it was made with?",
            file.display()
        )
    })?;
    let text = String::from_utf8(plain).context("the decrypted keys are not text")?;
    crate::keyfile::parse(&text)
}

/// Backs `db` up into the folder `out`, keeping the newest `keep` backups there; with
/// `keys`, the key file goes in too, encrypted with the passphrase.
pub async fn backup(
    db: &Path,
    out: &Path,
    keep: usize,
    keys: Option<&(KeyFile, SecretString)>,
) -> anyhow::Result<Report> {
    if keep == 0 {
        bail!("--keep must be at least 1");
    }
    if !db.is_file() {
        bail!("{} does not exist", db.display());
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the backup folder {}", out.display()))?;
    restrict(out, 0o700)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let name = format!("{PREFIX}{stamp}{SUFFIX}");
    let partial = out.join(format!(".{name}.partial"));
    let file = out.join(&name);
    let _ = std::fs::remove_file(&partial);
    let mut conn = SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .busy_timeout(std::time::Duration::from_secs(30))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", db.display()))?;
    let target = partial
        .to_str()
        .context("the backup folder's path must be UTF-8")?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(&mut conn)
        .await
        .context("VACUUM INTO failed")?;
    conn.close().await?;
    restrict(&partial, 0o600)?;
    // The copy says when it was taken, for `restore`'s journal-window check (a copy of
    // a schema older than the `meta` table cannot; restore then reads its file name).
    let mut copy = SqliteConnectOptions::new()
        .filename(&partial)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", partial.display()))?;
    sqlx::query("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)")
        .bind(crate::restore::TAKEN_AT)
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(&mut copy)
        .await
        .ok();
    copy.close().await?;
    check_integrity(&partial).await?;
    // The keys first: a database copy in the folder always has its keys beside it.
    let keys = match keys {
        Some((file_of_keys, passphrase)) => {
            if file_of_keys.entries().is_empty() {
                bail!(
                    "the signing key file {} holds no key: give the server's --signing-keys",
                    file_of_keys.path().display()
                );
            }
            let target = keys_of(&file);
            let sealed = age::encrypt(
                &age::scrypt::Recipient::new(passphrase.clone()),
                file_of_keys.to_text().as_bytes(),
            )
            .context("cannot encrypt the signing keys")?;
            let partial_keys = out.join(format!(".{}.partial", name_of(&target)));
            write_private(&partial_keys, &sealed)?;
            std::fs::rename(&partial_keys, &target)?;
            Some(target)
        }
        None => None,
    };
    std::fs::rename(&partial, &file)?;
    let bytes = std::fs::metadata(&file)?.len();
    let removed = rotate(out, keep)?;
    Ok(Report {
        file,
        bytes,
        keys,
        removed,
    })
}

/// Runs SQLite's `integrity_check` on a database file.
pub async fn check_integrity(file: &Path) -> anyhow::Result<()> {
    let mut conn = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .with_context(|| format!("cannot open {}", file.display()))?;
    let result: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    if result != "ok" {
        bail!("{} failed integrity_check: {result}", file.display());
    }
    Ok(())
}

/// The backups in `out`, oldest first (their names sort by time).
pub fn list(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn rotate(out: &Path, keep: usize) -> anyhow::Result<usize> {
    let files = list(out)?;
    let extra = files.len().saturating_sub(keep);
    for old in &files[..extra] {
        std::fs::remove_file(old).with_context(|| format!("cannot remove {}", old.display()))?;
        let keys = keys_of(old);
        if keys.exists() {
            std::fs::remove_file(&keys)
                .with_context(|| format!("cannot remove {}", keys.display()))?;
        }
    }
    Ok(extra)
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes a file that is mode 0600 from its first byte.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

#[cfg(unix)]
pub(crate) fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot restrict {}", path.display()))
}

#[cfg(not(unix))]
pub(crate) fn restrict(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}
