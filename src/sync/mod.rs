//! The client side of the sync protocol in the browser; the only code that talks to the
//! server.
//!
//! The cycle itself (push the outbox in batches, pull pages, rebase, cursor) is
//! `hongling_sync::sync_once`, shared with the native fault-injection tests; this module
//! gives it a `fetch` transport and keeps the session. See `docs/sync-protocol.md`.

pub mod api;
mod session;

pub use session::Session;
