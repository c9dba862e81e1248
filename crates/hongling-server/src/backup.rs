//! `hongling-server backup`: a consistent copy of a live database.
//!
//! Why `VACUUM INTO` and not a file copy: the server runs SQLite in WAL mode, so the
//! latest commits may live only in `hongling.sqlite-wal` until a checkpoint; copying the
//! main file alone loses them, and copying both while the server writes can tear.
//! `VACUUM INTO` writes the whole database as one read transaction sees it, while the
//! server goes on. The copy is checked with `integrity_check` before it takes its final
//! name, so a backup in the folder is always a whole one.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// The name every backup file starts with; rotation only ever removes such files.
pub const PREFIX: &str = "hongling-";
/// The name every backup file ends with.
pub const SUFFIX: &str = ".sqlite";

/// What a backup did.
#[derive(Debug)]
pub struct Report {
    pub file: PathBuf,
    pub bytes: u64,
    /// Older backups removed to keep the newest `keep`.
    pub removed: usize,
}

/// Backs `db` up into the folder `out`, keeping the newest `keep` backups there.
pub async fn backup(db: &Path, out: &Path, keep: usize) -> anyhow::Result<Report> {
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
    check_integrity(&partial).await?;
    std::fs::rename(&partial, &file)?;
    let bytes = std::fs::metadata(&file)?.len();
    let removed = rotate(out, keep)?;
    Ok(Report {
        file,
        bytes,
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
    }
    Ok(extra)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot restrict {}", path.display()))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}
