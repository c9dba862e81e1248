//! The server's certificate signing keys (Ed25519).
//!
//! The server signs each certificate it issues; any tablet verifies the signature
//! offline with the public keys it pulled. A signed payload names its key by `key_id`,
//! so keys can rotate: `--rotate-signing-key` retires the active key (it stays published,
//! and what it signed still verifies) and makes a new one. The secret half never leaves
//! the database.

use chrono::Utc;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};

use crate::store::{NewSigningKey, Store, StoreError};

/// A key's id: the first 16 hex digits of the SHA-256 of its public key.
pub fn key_id(public: &[u8]) -> String {
    hex::encode(Sha256::digest(public))[..16].to_owned()
}

fn generate() -> NewSigningKey {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let public = key.verifying_key().to_bytes().to_vec();
    NewSigningKey {
        key_id: key_id(&public),
        secret: key.to_bytes().to_vec(),
        public,
        created_at: Utc::now(),
    }
}

/// Makes a signing key if the database has none yet; returns the active key's id.
pub async fn ensure<S: Store>(store: &S) -> Result<String, StoreError> {
    if let Some((key_id, _)) = store.active_signing_key().await? {
        return Ok(key_id);
    }
    rotate(store).await
}

/// Retires the active key and makes a new one; returns the new key's id.
pub async fn rotate<S: Store>(store: &S) -> Result<String, StoreError> {
    let key = generate();
    let id = key.key_id.clone();
    store.add_signing_key(key).await?;
    Ok(id)
}

/// The active key, for signing.
pub async fn active<S: Store>(store: &S) -> Result<Option<(String, SigningKey)>, StoreError> {
    Ok(store.active_signing_key().await?.and_then(|(id, secret)| {
        let bytes: [u8; 32] = secret.try_into().ok()?;
        Some((id, SigningKey::from_bytes(&bytes)))
    }))
}
