//! The database's lock file: one process at a time may serve a database, or rotate its
//! key, or (later) restore it.
//!
//! Why a lock beside the file and not SQLite's own locking: SQLite lets many processes
//! write one database, which is right for `backup` and `create-admin` but wrong for a
//! second `serve` (two servers would hand out change numbers from two write locks) and
//! for a key rotation under a running server (it would go on signing with the retired
//! key). The lock is the operating system's (`flock`), so it goes with the process, even
//! on `kill -9`.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
    pub path: PathBuf,
}

/// The lock file of a database: `hongling.sqlite.lock` beside `hongling.sqlite`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl DbLock {
    /// Takes the lock of `db`, or says that a server holds it.
    pub fn acquire(db: &Path) -> anyhow::Result<DbLock> {
        if let Some(dir) = db.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the data folder {}", dir.display()))?;
        }
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(DbLock { _file: file, path }),
            Err(TryLockError::WouldBlock) => anyhow::bail!(
                "a server is using {} (it holds {}): stop it first (systemctl stop hongling)",
                db.display(),
                path.display()
            ),
            Err(TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}
