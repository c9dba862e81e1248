//! The store a client keeps its records, outbox and cursor in.

use chrono::{DateTime, Utc};
use hongling_core::wire::{Mutation, MutationStatus, Origin, PushedMutation};
use hongling_core::{BlobRef, Op, Record, RecordKey, RecordKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The underlying store failed (IndexedDB error, quota, …).
    #[error("storage: {0}")]
    Backend(String),
    /// Stored data could not be decoded.
    #[error("stored data could not be read: {0}")]
    Decode(String),
    /// The transaction was aborted or did not commit.
    #[error("the transaction did not commit")]
    NotCommitted,
}

/// Which copy of the records: what the screens show, or the server's last word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The server's copy with this device's pending mutations applied on top.
    View,
    /// The server's copy as last known, of the records a pending mutation wrote (a
    /// record it created has a tombstone there, `deleted: true`). Every other record's
    /// view is the server's copy as it is, so a pulled page that touches no pending
    /// mutation is written once, not twice; the base empties when the outbox does.
    Base,
}

/// A mutation waiting for the server, with the records it changed on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
    /// Keys (`kind/id`) this mutation wrote locally, for rebasing.
    pub touched: Vec<String>,
    /// Made on another device and imported from its backup: by whom and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl OutboxEntry {
    pub fn mutation(&self) -> PushedMutation {
        PushedMutation {
            mutation: Mutation {
                id: self.id,
                at: self.at,
                op: self.op.clone(),
            },
            origin: self.origin.clone(),
        }
    }
}

/// A mutation the server refused, kept for the user to fix and resend, or discard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

/// An attachment kept on the device: the bytes a mutation names by hash. It is written
/// in the transaction that queues the mutation, and stays after upload so that the
/// screens can show it offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobEntry {
    pub sha256: BlobRef,
    /// The media type, e.g. `image/jpeg`.
    pub mime: String,
    #[serde(with = "serde_bytes")]
    pub bytes: Vec<u8>,
    /// Whether the server has confirmed it holds the bytes.
    pub uploaded: bool,
}

/// A mutation the server answered, as the device's journal keeps it (for 30 days by
/// default, apart from the conflicts inbox): what it sends again if the server is
/// rewound. The op carries no full ID-card number (`Op::without_id_card`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
    pub status: MutationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A full ID-card number was taken out of the op.
    #[serde(default)]
    pub id_card_removed: bool,
    /// When the answer came, for the journal window.
    pub answered_at: DateTime<Utc>,
    /// Made on another device and imported from its backup: by whom and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// One atomic unit of work. Nothing is visible to other transactions until `commit`;
/// dropping a transaction without committing it must change nothing.
#[allow(async_fn_in_trait)]
pub trait StoreTx {
    async fn get(&mut self, area: Area, key: &RecordKey) -> Result<Option<Record>, StoreError>;
    async fn put(&mut self, area: Area, record: Record) -> Result<(), StoreError>;
    async fn delete(&mut self, area: Area, key: &RecordKey) -> Result<(), StoreError>;
    /// Empties both areas (a scope reset).
    async fn clear_records(&mut self) -> Result<(), StoreError>;
    /// The oldest `limit` outbox entries, in id order.
    async fn outbox(&mut self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError>;
    async fn outbox_get(&mut self, id: u64) -> Result<Option<OutboxEntry>, StoreError>;
    async fn outbox_put(&mut self, entry: &OutboxEntry) -> Result<(), StoreError>;
    async fn outbox_delete(&mut self, id: u64) -> Result<(), StoreError>;
    async fn rejected_put(&mut self, entry: &RejectedEntry) -> Result<(), StoreError>;
    async fn rejected_get(&mut self, id: u64) -> Result<Option<RejectedEntry>, StoreError>;
    async fn rejected_all(&mut self) -> Result<Vec<RejectedEntry>, StoreError>;
    async fn rejected_delete(&mut self, id: u64) -> Result<(), StoreError>;
    async fn blob_get(&mut self, sha256: &BlobRef) -> Result<Option<BlobEntry>, StoreError>;
    async fn blob_put(&mut self, entry: &BlobEntry) -> Result<(), StoreError>;
    /// Every attachment kept on the device.
    async fn blob_all(&mut self) -> Result<Vec<BlobEntry>, StoreError>;
    /// The live records of a kind in the view.
    async fn view_of_kind(&mut self, kind: RecordKind) -> Result<Vec<Record>, StoreError>;
    async fn journal_put(&mut self, entry: &JournalEntry) -> Result<(), StoreError>;
    /// The journal's entries with an id above `after`, in id order.
    async fn journal_after(&mut self, after: u64) -> Result<Vec<JournalEntry>, StoreError>;
    async fn journal_delete(&mut self, id: u64) -> Result<(), StoreError>;
    async fn meta_get(&mut self, key: &str) -> Result<Option<serde_json::Value>, StoreError>;
    async fn meta_put(&mut self, key: &str, value: serde_json::Value) -> Result<(), StoreError>;
    async fn commit(self) -> Result<(), StoreError>;

    // Many at once. A store may issue these together (IndexedDB sends every request before
    // awaiting the first answer, where one at a time costs a round trip each); the
    // defaults do them one by one.

    /// Writes `records` into `area`.
    async fn put_many(&mut self, area: Area, records: Vec<Record>) -> Result<(), StoreError> {
        for r in records {
            self.put(area, r).await?;
        }
        Ok(())
    }
    /// Removes `keys` from `area`.
    async fn delete_many(&mut self, area: Area, keys: &[RecordKey]) -> Result<(), StoreError> {
        for k in keys {
            self.delete(area, k).await?;
        }
        Ok(())
    }
    /// The outbox entries with an id from `first` to `last`, in id order.
    async fn outbox_between(
        &mut self,
        first: u64,
        last: u64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut all = self.outbox(u32::MAX).await?;
        all.retain(|e| (first..=last).contains(&e.id));
        Ok(all)
    }
    /// Removes the outbox entries `ids` (an answered push batch).
    async fn outbox_delete_many(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        for id in ids {
            self.outbox_delete(*id).await?;
        }
        Ok(())
    }
    /// How many entries the outbox holds.
    async fn outbox_count(&mut self) -> Result<u32, StoreError> {
        Ok(self.outbox(u32::MAX).await?.len() as u32)
    }
    /// Removes the journal entries `ids`.
    async fn journal_delete_many(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        for id in ids {
            self.journal_delete(*id).await?;
        }
        Ok(())
    }
    /// The keys the base holds (few: those of pending mutations).
    async fn base_keys(&mut self) -> Result<Vec<RecordKey>, StoreError>;
    /// Empties the base (the outbox is empty, so nothing needs it).
    async fn clear_base(&mut self) -> Result<(), StoreError> {
        let keys = self.base_keys().await?;
        self.delete_many(Area::Base, &keys).await
    }
    /// Writes `entries` into the journal.
    async fn journal_put_many(&mut self, entries: &[JournalEntry]) -> Result<(), StoreError> {
        for e in entries {
            self.journal_put(e).await?;
        }
        Ok(())
    }
}

/// A client store: hands out read-write transactions over all of its data.
pub trait ClientStore {
    type Tx<'a>: StoreTx
    where
        Self: 'a;

    fn begin(&self) -> Result<Self::Tx<'_>, StoreError>;
}

/// Keys of the `meta` area.
pub(crate) mod meta {
    pub const NEXT_ID: &str = "next_mutation_id";
    pub const CURSOR: &str = "cursor";
    pub const LAST_SYNC: &str = "last_sync";
    pub const SCOPE: &str = "scope_version";
    pub const NEXT_IMPORTED: &str = "next_imported_id";
    /// The server's epoch as last pulled.
    pub const EPOCH: &str = "server_epoch";
    /// The tag of the cursor.
    pub const TAG: &str = "cursor_tag";
    /// Set once the base holds only what pending mutations need (`Area::Base`); a
    /// device whose data predates that has its base trimmed once.
    pub const BASE_TRIMMED: &str = "base_trimmed";
    /// The highest mutation id the server has answered.
    pub const ANSWERED: &str = "answered_id";
    /// When the journal was last pruned.
    pub const JOURNAL_PRUNED: &str = "journal_pruned_at";
    /// How many days the journal keeps answered mutations.
    pub const JOURNAL_DAYS: &str = "journal_days";
}
