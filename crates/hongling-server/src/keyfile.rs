//! The signing key file: the certificate signing keys' secret halves, outside the
//! database.
//!
//! Why a file of its own: whoever holds a signing key can forge certificates that every
//! tablet accepts, so the key must not travel with every copy of the database (backups,
//! a copy handed to a colleague to look at a problem). The database keeps only the public
//! halves and the ids of the keys it expects, so a server whose key file went missing
//! refuses to start instead of quietly making a new key (which would leave every
//! certificate issued so far signed by a key nobody holds any more).
//!
//! The file only ever gains keys: a rotation appends a line, and nothing removes one,
//! because a retired key may still be needed to re-sign or to check what it signed. Each
//! line is one JSON object; lines starting with `#` are comments. The file is mode 0600
//! and a key file that others can read is refused, as ssh refuses such a private key.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::signing::key_id;

const HEADER: &str = "# hongling certificate signing keys: one Ed25519 key per line.\n\
# Whoever holds this file can sign certificates: keep it and its copies secret, mode 0600.\n\
# Never remove a line: the database names the keys it expects.\n";

/// One signing key: its id (derived from its public half), its secret, when it was made.
#[derive(Clone)]
pub struct KeyEntry {
    pub key_id: String,
    pub key: SigningKey,
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret, not even in a debug print.
        f.debug_struct("KeyEntry")
            .field("key_id", &self.key_id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl KeyEntry {
    /// A new random key.
    pub fn generate() -> KeyEntry {
        KeyEntry::from_key(SigningKey::generate(&mut rand::rngs::OsRng), Utc::now())
    }

    /// The entry of a key made earlier.
    pub fn from_key(key: SigningKey, created_at: DateTime<Utc>) -> KeyEntry {
        KeyEntry {
            key_id: key_id(key.verifying_key().as_bytes()),
            key,
            created_at,
        }
    }

    /// The 32-byte public half.
    pub fn public(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }
}

#[derive(Serialize, Deserialize)]
struct Line {
    key_id: String,
    /// The 32-byte Ed25519 secret, standard base64.
    secret: String,
    created_at: DateTime<Utc>,
}

/// The key file as read from disk, and where it lives.
#[derive(Debug)]
pub struct KeyFile {
    path: PathBuf,
    entries: Vec<KeyEntry>,
}

impl KeyFile {
    /// Where the key file of a database lives unless told otherwise: beside it, with the
    /// extension `keys` (`data/hongling.sqlite` → `data/hongling.keys`).
    pub fn default_path(db: &Path) -> PathBuf {
        db.with_extension("keys")
    }

    /// Reads the key file; one that does not exist yet holds no keys.
    pub fn load(path: &Path) -> anyhow::Result<KeyFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(KeyFile {
                    path: path.to_owned(),
                    entries: Vec::new(),
                });
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the key file {}", path.display()));
            }
        };
        check_private(path)?;
        let entries =
            parse(&text).with_context(|| format!("the key file {} is damaged", path.display()))?;
        Ok(KeyFile {
            path: path.to_owned(),
            entries,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists on disk (it is made with the first key).
    pub fn exists(&self) -> bool {
        self.path.is_file()
    }

    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    pub fn get(&self, key_id: &str) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.key_id == key_id)
    }

    /// Adds a key at the end of the file and waits until it is on disk. A key the file
    /// holds already is not written twice.
    pub fn append(&mut self, entry: KeyEntry) -> anyhow::Result<()> {
        if self.get(&entry.key_id).is_some() {
            return Ok(());
        }
        let new = !self.path.exists();
        if let Some(dir) = self.path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(&self.path)
            .with_context(|| format!("cannot write the key file {}", self.path.display()))?;
        let mut text = String::new();
        if new {
            text.push_str(HEADER);
        }
        text.push_str(&line(&entry));
        // One write of whole lines: a crash leaves the file without the line, never with
        // half of one.
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if new && let Some(dir) = self.path.parent() {
            // The new file's name must be on disk too before the database names the key.
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            std::fs::File::open(dir)?.sync_all()?;
        }
        self.entries.push(entry);
        Ok(())
    }

    /// Adds every key of `other` this file lacks (a restore: keys made since the backup
    /// stay); returns how many were added.
    pub fn merge(&mut self, other: &[KeyEntry]) -> anyhow::Result<usize> {
        let mut added = 0;
        for entry in other {
            if self.get(&entry.key_id).is_none() {
                self.append(entry.clone())?;
                added += 1;
            }
        }
        Ok(added)
    }

    /// The ids among `expected` that this file lacks.
    pub fn missing<'a>(&self, expected: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
        expected
            .into_iter()
            .filter(|id| self.get(id).is_none())
            .map(str::to_owned)
            .collect()
    }

    /// The file's text, as it would be written from scratch (for an encrypted backup).
    pub fn to_text(&self) -> String {
        let mut text = HEADER.to_owned();
        for entry in &self.entries {
            text.push_str(&line(entry));
        }
        text
    }
}

fn line(entry: &KeyEntry) -> String {
    let line = Line {
        key_id: entry.key_id.clone(),
        secret: STANDARD.encode(entry.key.to_bytes()),
        created_at: entry.created_at,
    };
    let mut text = serde_json::to_string(&line).expect("a key line is plain JSON");
    text.push('\n');
    text
}

/// Reads the keys of a key file's text (from disk or from a decrypted backup).
pub fn parse(text: &str) -> anyhow::Result<Vec<KeyEntry>> {
    let mut entries: Vec<KeyEntry> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let line: Line =
            serde_json::from_str(raw).with_context(|| format!("line {} is not a key", n + 1))?;
        let secret: [u8; 32] = STANDARD
            .decode(&line.secret)
            .ok()
            .and_then(|s| s.try_into().ok())
            .with_context(|| format!("line {}: the secret is not 32 bytes of base64", n + 1))?;
        let entry = KeyEntry::from_key(SigningKey::from_bytes(&secret), line.created_at);
        if entry.key_id != line.key_id {
            bail!(
                "line {}: key {} does not match its secret (it would be {})",
                n + 1,
                line.key_id,
                entry.key_id
            );
        }
        if !entries.iter().any(|e| e.key_id == entry.key_id) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// Refuses a secret file that anyone but its owner may read.
pub fn check_private(path: &Path) -> anyhow::Result<()> {
    check_mode(path, 0o077)
}

/// Refuses a secret file whose mode has any of the `forbidden` permission bits.
#[cfg(unix)]
pub fn check_mode(path: &Path, forbidden: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & forbidden != 0 {
        bail!(
            "{} can be read by others (mode {:o}): it holds secrets; run chmod 600 {} first",
            path.display(),
            mode & 0o777,
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_mode(_path: &Path, _forbidden: u32) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_only_gains_keys_and_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.keys");
        let mut file = KeyFile::load(&path).unwrap();
        assert!(!file.exists());
        let a = KeyEntry::generate();
        let b = KeyEntry::generate();
        file.append(a.clone()).unwrap();
        file.append(b.clone()).unwrap();
        file.append(a.clone()).unwrap();
        let again = KeyFile::load(&path).unwrap();
        let ids: Vec<_> = again.entries().iter().map(|e| e.key_id.clone()).collect();
        assert_eq!(ids, vec![a.key_id.clone(), b.key_id.clone()]);
        assert_eq!(again.get(&b.key_id).unwrap().public(), b.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(parse(&again.to_text()).unwrap().len(), 2);
    }

    #[test]
    fn a_line_whose_id_does_not_match_its_secret_is_refused() {
        let a = KeyEntry::generate();
        let text = line(&a).replace(&a.key_id, "0000000000000000");
        let err = parse(&text).unwrap_err();
        assert!(
            format!("{err:#}").contains("does not match its secret"),
            "{err:#}"
        );
    }
}
