//! The client side of the sync protocol, written once.
//!
//! Why a crate of its own: the outbox, batching, duplicate and gap handling, rebase and
//! cursor logic must be the same code in the browser (on IndexedDB) and in the native
//! fault-injection tests (on [`memory::MemoryStore`] against the real server). So the
//! logic here is generic over two small traits: [`ClientStore`], a transactional store,
//! and [`Transport`], the HTTP calls. It does no I/O itself and builds for wasm32.
//!
//! Every function that changes the store does it in one [`StoreTx`], which the store
//! commits atomically. An IndexedDB transaction commits by itself when control returns to
//! the browser with no request pending, so the functions here await nothing but the
//! store's own methods while a transaction is open.

mod backoff;
mod backup;
mod engine;
pub mod memory;
mod store;

pub use backoff::Backoff;
pub use backup::{
    BACKUP_FORMAT, BACKUP_WORK_FACTOR, Backup, ImportReport, MIN_PASSPHRASE_CHARS, OpenError,
    SealError, export_backup, import_backup, open as open_backup, seal as seal_backup,
};
pub use engine::{
    JOURNAL_DAYS, PULL_PAGE, PUSH_BATCH, Progress, SyncError, SyncReport, Transport,
    TransportError, acknowledge, apply_pull, blob, commit_local, commit_with_blobs, cursor,
    discard, keep_blob, last_sync, resubmit, scope_version, set_journal_days, sync_once, trim_base,
};
pub use store::{
    Area, BlobEntry, ClientStore, JournalEntry, OutboxEntry, RejectedEntry, StoreError, StoreTx,
};
