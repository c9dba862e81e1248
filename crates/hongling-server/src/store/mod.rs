//! Server storage, behind the [`Store`] trait so the router does not know the database.
//!
//! One implementation per database, each with its own migrations: SQLite (embedded, the
//! default) now; PostgreSQL joins when several server instances must share a database.
//! The protocol rules that do not depend on the database (duplicate and gap detection)
//! live in [`plan_batch`] so every implementation shares them.

use std::future::Future;

use chrono::{DateTime, Utc};
use hongling_core::wire::{
    AccountInfo, PullResponse, PushResponse, PushedMutation, RecoveryItem, Replay,
};
use hongling_core::{Actor, Grant, Record};
use uuid::Uuid;

pub mod sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the device is bound to another account")]
    DeviceBound,
    #[error("the device is not registered for this account")]
    UnknownDevice,
    #[error("the device was revoked")]
    DeviceRevoked,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("mutation ids skip ahead of the last applied id {last_applied}")]
    Gap { last_applied: u64 },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// An account as stored, with its password hash (PHC string).
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub info: AccountInfo,
    pub password_hash: String,
    pub disabled: bool,
    /// Someone else chose the password: the user must set their own first.
    pub must_change_password: bool,
}

/// One line to add to the 安全日志 (see `hongling_core::wire::SecurityLogEntry`).
#[derive(Debug, Clone, Copy)]
pub struct SecurityLine<'a> {
    pub event: hongling_core::wire::SecurityEvent,
    pub actor: &'a str,
    pub subject: &'a str,
    pub address: &'a str,
    pub detail: &'a str,
}

/// What an upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobPut {
    Created,
    AlreadyHere,
    /// The account's uploads of the last 24 hours would pass the quota: nothing stored.
    OverQuota,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account: AccountInfo,
    pub device_id: Uuid,
    /// Bumped when the account's grants change.
    pub grants_version: u64,
    /// Someone else chose the password: only the password change is allowed.
    pub must_change_password: bool,
}

impl SessionRow {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.account.id,
            grants: self.account.grants.clone(),
        }
    }
}

/// What a bearer token turned out to be.
#[derive(Debug, Clone)]
pub enum SessionLookup {
    Live(SessionRow),
    Unknown,
    /// Past its 30 days, logged out, unused too long, or its account was disabled since.
    Ended,
    AccountDisabled,
    DeviceRevoked,
    /// The account's password changed since this session began.
    PasswordChanged,
}

pub use hongling_core::wire::{AccountSummary, DeviceSummary, HistoryEntry};

/// A new account, for seeding and the admin screens.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub grants: Vec<Grant>,
    /// Someone else chose the password (`create-admin`): the first login must change it.
    pub must_change_password: bool,
}

/// A freshly made signing key, to be published. Its secret half is in the key file only.
#[derive(Debug, Clone)]
pub struct NewSigningKey {
    pub key_id: String,
    pub public: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// A demo database's key: published as one, so what it signs is a 演示证书.
    pub demo: bool,
}

/// A signing key the database expects the key file to hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRow {
    pub key_id: String,
    pub retired: bool,
    pub demo: bool,
}

pub trait Store: Clone + Send + Sync + 'static {
    /// Applies an import's ops as one new device's batch, all or nothing: if any is
    /// refused, nothing is kept and the reply says which and why.
    fn import(
        &self,
        actor: &Actor,
        ops: Vec<hongling_core::Op>,
    ) -> impl Future<Output = Result<PushResponse, StoreError>> + Send;

    /// Every live record of a kind (reports and exports).
    fn records_of(
        &self,
        kind: hongling_core::RecordKind,
    ) -> impl Future<Output = Result<Vec<Record>, StoreError>> + Send;

    /// Every signing key the database knows, oldest first: the ids the key file must hold.
    fn signing_keys(&self) -> impl Future<Output = Result<Vec<SigningKeyRow>, StoreError>> + Send;

    /// Marks every signing key a demo key and publishes the change (a demo database
    /// whose keys were made before keys said so).
    fn mark_signing_keys_demo(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Retires the active signing key (if any) and makes `key` the active one, publishing
    /// both changes as `signing_key` records in one transaction.
    fn add_signing_key(
        &self,
        key: NewSigningKey,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn account_by_username(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<AccountRow>, StoreError>> + Send;

    fn create_account(
        &self,
        account: NewAccount,
    ) -> impl Future<Output = Result<Uuid, StoreError>> + Send;

    /// Binds `device_id` to the account (first login) and stores a session for it. A
    /// `device_key` (checked by the caller) is registered in the same transaction as the
    /// record `device_key`, published only when it is new or changed.
    fn create_session(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        device_key: Option<&str>,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The session of a token hash, and whether it may still be used. A live session
    /// unused for longer than `idle` ends here (`idle`); a used one is marked used (at
    /// most once an hour, to keep reads from writing).
    fn session(
        &self,
        token_hash: &str,
        idle: chrono::Duration,
    ) -> impl Future<Output = Result<SessionLookup, StoreError>> + Send;

    /// Ends one session (`why`: `logged_out`). False when it was not live.
    fn end_session(
        &self,
        token_hash: &str,
        why: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every account with its devices, for the admin screens.
    fn list_accounts(&self)
    -> impl Future<Output = Result<Vec<AccountSummary>, StoreError>> + Send;

    /// Disables or re-enables an account; disabling ends its sessions for good
    /// (`account_disabled`). False when there is no such account.
    fn set_disabled(
        &self,
        username: &str,
        disabled: bool,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Sets a new password hash and ends the account's sessions (they then answer
    /// `password_changed`), except `keep` (the session of a user changing their own).
    /// `must_change`: the password is temporary, chosen by someone else. False when
    /// there is no such account.
    fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        must_change: bool,
        keep: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The newest migration applied; an error when the database does not answer.
    fn schema_version(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// A fact about the database as a whole (see the `meta` table).
    fn meta(&self, key: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Records a fact about the database as a whole.
    fn set_meta(
        &self,
        key: &str,
        value: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Notes that a device's pull reached change `seq` (its last page): 赛前检查 reads it.
    /// Writes only when something changed, or at most once an hour.
    fn note_pulled(
        &self,
        device_id: Uuid,
        seq: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// What the server knows of every device of these accounts (赛前检查).
    fn device_contacts(
        &self,
        accounts: &[Uuid],
    ) -> impl Future<
        Output = Result<Vec<hongling_core::contest::readiness::DeviceContact>, StoreError>,
    > + Send;

    /// Revokes a device: its sessions stop working, it may not log in again, and its
    /// `device_key` record is marked revoked (its signatures are refused from then on).
    fn revoke_device(
        &self,
        device_id: Uuid,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Stores an attachment under the hex SHA-256 of its bytes (checked by the caller) and
    /// notes `device_id` as one of its uploaders. New bytes count against the account's
    /// uploads of the last 24 hours, which may not pass `quota` bytes; bytes already here
    /// count for nothing (the call is idempotent).
    fn put_blob(
        &self,
        sha256: &str,
        bytes: Vec<u8>,
        session: &SessionRow,
        quota: u64,
    ) -> impl Future<Output = Result<BlobPut, StoreError>> + Send;

    /// An attachment's bytes, for an account that may see a record naming it, or for a
    /// device that uploaded it while no record names it yet. `None` to anyone else, as
    /// for bytes the server does not hold.
    fn get_blob(
        &self,
        sha256: &str,
        session: &SessionRow,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;

    /// Adds a line to the 安全日志.
    fn log_security(
        &self,
        line: SecurityLine<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The 安全日志, newest first: at most `limit` lines older than line `before`.
    fn security_log(
        &self,
        before: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<hongling_core::wire::SecurityLogEntry>, StoreError>> + Send;

    /// Removes the 安全日志's lines from before `before`; returns how many went.
    fn prune_security_log(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Removes attachments that no record names and that came before `before`; returns
    /// how many went.
    fn collect_blobs(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Every mutation about one record, applied or refused, oldest first.
    fn history(
        &self,
        key: hongling_core::RecordKey,
    ) -> impl Future<Output = Result<Vec<HistoryEntry>, StoreError>> + Send;

    /// Applies a batch (ascending, contiguous ids) exactly once, in one transaction.
    fn push(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: Vec<PushedMutation>,
        replay: Option<Replay>,
    ) -> impl Future<Output = Result<PushResponse, StoreError>> + Send;

    /// What the committee checks after a rewind (恢复核对), oldest first.
    fn recovery(&self) -> impl Future<Output = Result<Vec<RecoveryItem>, StoreError>> + Send;

    /// After a rewind, certificates wait until a committee device has synced (its
    /// journal and the certificates it holds are back): ends the wait and issues what
    /// waits. Returns how many were issued; nothing happens when nothing was held.
    fn release_certificate_hold(
        &self,
    ) -> impl Future<Output = Result<Option<usize>, StoreError>> + Send;

    /// Records the session may see that changed after `cursor`, oldest change first, and
    /// deletions of records that left its scope. When `scope` is not the account's
    /// current grants version, the reply is a reset: everything from zero. `tag` is the
    /// tag the device got with `cursor` and `epoch` the last epoch it saw: when this
    /// server does not know the pair, or is in another epoch, it was rewound and the
    /// reply is a reset marked `rewound`.
    fn pull(
        &self,
        session: &SessionRow,
        cursor: u64,
        limit: u32,
        scope: u64,
        tag: Option<&str>,
        epoch: Option<&str>,
    ) -> impl Future<Output = Result<PullResponse, StoreError>> + Send;

    /// Replaces an account's grants; its devices reset at their next pull. Returns
    /// false when there is no such account.
    fn set_grants(
        &self,
        username: &str,
        grants: Vec<Grant>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Writes records on the server's own authority (seeding, imports).
    fn put_records(
        &self,
        records: Vec<Record>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Issues the certificate of every application that waits for one (the demo's
    /// seeded applications), each in its own transaction. Returns how many.
    fn issue_waiting(&self) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// True when no account exists yet (a new database).
    fn is_empty(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// What to do with each mutation of a batch, given the device's last applied id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Already handled: acknowledge, do not apply.
    Duplicate,
    /// New: apply.
    Apply,
}

/// Decides, before anything is written, which mutations of a batch are duplicates and
/// which are new. The batch's ids must already be ascending and contiguous. A first new
/// id above `last_applied + 1` is a gap: the whole batch is refused.
pub fn plan_batch(last_applied: u64, ids: &[u64]) -> Result<Vec<Step>, StoreError> {
    if let Some(&first) = ids.first()
        && first > last_applied + 1
    {
        return Err(StoreError::Gap { last_applied });
    }
    Ok(ids
        .iter()
        .map(|&id| {
            if id <= last_applied {
                Step::Duplicate
            } else {
                Step::Apply
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_split_into_duplicates_and_new_mutations() {
        assert_eq!(
            plan_batch(3, &[2, 3, 4, 5]).unwrap(),
            vec![Step::Duplicate, Step::Duplicate, Step::Apply, Step::Apply]
        );
        assert_eq!(plan_batch(0, &[1]).unwrap(), vec![Step::Apply]);
        assert!(plan_batch(0, &[]).unwrap().is_empty());
    }

    #[test]
    fn a_batch_that_skips_ahead_is_a_gap() {
        assert!(matches!(
            plan_batch(3, &[5, 6]),
            Err(StoreError::Gap { last_applied: 3 })
        ));
    }
}
