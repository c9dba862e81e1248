//! The only code that touches IndexedDB.
//!
//! Stores (database `hongling`, version 1):
//! - `records`: what the screens show: the server's copy with this device's pending
//!   mutations applied on top (key `kind/id`, index `by_kind`);
//! - `base`: the server's copy as last pulled;
//! - `outbox`: mutations not yet acknowledged by the server, by mutation id;
//! - `rejected`: mutations the server refused, kept with the reason (nothing is lost);
//! - `meta`: the next mutation id, the pull cursor and the last sync time.
//!
//! Rule: inside a transaction we await nothing but IndexedDB requests, because the
//! browser commits a transaction as soon as control returns to it with no request
//! pending. A record and its outbox entry are written in one transaction, and the
//! mutation id is allocated in that same transaction, so two tabs never share an id.

mod db;

pub use db::{DB_NAME, Db, IdbTx, StorageError, StorageEstimate, estimate, persist};
pub use hongling_sync::{OutboxEntry, RejectedEntry};
