//! The server's certificate signing keys (Ed25519).
//!
//! The server signs each certificate it issues; any tablet verifies the signature
//! offline with the public keys it pulled. A signed payload names its key by `key_id`,
//! so keys can rotate: `rotate-signing-key` retires the active key (it stays published,
//! and what it signed before its retirement still verifies) and makes a new one.
//!
//! The secret halves live in the key file ([`crate::keyfile`]), never in the database;
//! the database publishes the public halves, says which key is active, and so names
//! every key the key file must hold. [`start`] checks that before the server serves.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use anyhow::bail;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::keyfile::{KeyEntry, KeyFile};
use crate::store::{NewSigningKey, Store};

/// A key's id: the first 16 hex digits of the SHA-256 of its public key.
pub fn key_id(public: &[u8]) -> String {
    hex::encode(Sha256::digest(public))[..16].to_owned()
}

/// The secret keys a running server may sign with, by id: the key file's, once checked.
#[derive(Clone, Default)]
pub struct Keyring(Arc<RwLock<HashMap<String, SigningKey>>>);

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<String> = self
            .0
            .read()
            .map(|keys| keys.keys().cloned().collect())
            .unwrap_or_default();
        f.debug_tuple("Keyring").field(&ids).finish()
    }
}

impl Keyring {
    /// Holds every key of the file.
    pub fn fill(&self, file: &KeyFile) {
        let mut keys = self.0.write().unwrap_or_else(|e| e.into_inner());
        for entry in file.entries() {
            keys.insert(entry.key_id.clone(), entry.key.clone());
        }
    }

    pub fn get(&self, key_id: &str) -> Option<SigningKey> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key_id)
            .cloned()
    }
}

/// Makes a new key, writes it to the key file (first: the database must never name a
/// key the file lacks) and then publishes it as the active one, retiring the old.
pub async fn rotate<S: Store>(store: &S, file: &mut KeyFile, demo: bool) -> anyhow::Result<String> {
    let entry = KeyEntry::generate();
    let id = entry.key_id.clone();
    let public = entry.public().to_vec();
    let created_at = entry.created_at;
    file.append(entry)?;
    store
        .add_signing_key(NewSigningKey {
            key_id: id.clone(),
            public,
            created_at,
            demo,
        })
        .await?;
    Ok(id)
}

/// What [`start`] found and did.
#[derive(Debug)]
pub struct Started {
    /// The key that signs from now on.
    pub active: String,
    /// A key was made (a new database, or a rotation).
    pub made: bool,
}

/// Checks the key file against the keys the database expects, makes the first key of a
/// new database (or a new one when `rotate`), and fills `keyring`. A demo database's keys
/// are published as demo keys, so what they sign never passes as genuine.
pub async fn start<S: Store>(
    store: &S,
    file: &mut KeyFile,
    keyring: &Keyring,
    demo: bool,
    rotate_now: bool,
) -> anyhow::Result<Started> {
    let expected = store.signing_keys().await?;
    let missing = file.missing(expected.iter().map(|k| k.key_id.as_str()));
    if !missing.is_empty() {
        let ids: Vec<String> = missing.into_iter().collect();
        bail!(
            "the signing key file {} does not hold the key(s) {} that this database's \
             certificates are signed with{}. Put the key file back (from where you keep \
             its copy, or `restore` an encrypted backup of it) and start again; the server \
             does not make a new key, since the certificates issued so far would then be \
             signed by a key nobody holds",
            file.path().display(),
            ids.join(", "),
            if file.exists() {
                ""
            } else {
                " (the file does not exist)"
            },
        );
    }
    if demo && expected.iter().any(|k| !k.demo) {
        store.mark_signing_keys_demo().await?;
    }
    let active = expected
        .iter()
        .find(|k| !k.retired)
        .map(|k| k.key_id.clone());
    let (active, made) = match active {
        Some(id) if !rotate_now => (id, false),
        _ => (rotate(store, file, demo).await?, true),
    };
    keyring.fill(file);
    Ok(Started { active, made })
}
