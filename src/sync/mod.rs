//! The client side of the sync protocol; the only code that talks to the server.
//!
//! One cycle: push the whole outbox in batches (the server acknowledges each mutation
//! as applied, duplicate or rejected), then pull pages until `more` is false, re-laying
//! the pending mutations on top of each page, then record the time. See
//! `docs/sync-protocol.md`.

pub mod api;
mod engine;
mod session;

pub use engine::{SyncError, SyncReport, sync_once};
pub use session::Session;
