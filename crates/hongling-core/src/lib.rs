//! The domain of 红领认证, shared by the tablet app and the sync server.
//!
//! Why one crate: every business rule must be decided the same way on the tablet
//! (optimistically, offline) and on the server (authoritatively). Both sides call
//! [`apply`] with the same [`Op`] and their own [`State`]; neither side has rules of
//! its own.
//!
//! This crate does no I/O and depends on nothing that needs an operating system, so it
//! builds for `wasm32-unknown-unknown` as well as natively. CI checks both.

// The kernel: records, state, decisions, grants, conflicts, attachments. It imports no
// domain module.
pub mod kernel;

// The domain, by area. An area imports the kernel and areas below it, never one that
// imports it back (`tests/tidy.rs` checks both).
pub mod certification;
pub mod contest;
pub mod development;
pub mod fieldwork;
pub mod people;

// Above the areas: the op table (the dispatcher, the one place that knows every area),
// `apply`, and what reads across areas.
pub mod apply;
pub mod import;
pub mod indicators;
pub mod limits;
pub mod op;
pub mod password;
pub mod permission;
#[cfg(feature = "arbitrary")]
pub mod random;
pub mod reminders;
pub mod report;
pub mod wire;

// The crate's public paths stay flat, as the app, the server and the frozen wire-format
// test name them; the folders above are how the code is kept, not how it is called.
pub use certification::{certificate, inspection, pool, stipend};
pub use contest::scoring;
pub use development::{mentoring, training};
pub use fieldwork::tasks;
pub use kernel::{blob, conflict, csv, grant, record, text};
pub use people::{dossier, honour, idcard, model};

pub use apply::apply;
pub use kernel::blob::{BlobRef, MAX_BLOB_BYTES};
pub use kernel::grant::{Grant, Role, Scope, Visibility, can_see};
pub use kernel::time::{china_time, china_today, week_of};
pub use kernel::visibility::{can_see_record, visibility};
pub use kernel::{Actor, Change, MissRecorder, RejectCode, Rejection, State};
pub use op::Op;
pub use people::model::{OrgKind, Organization, SigningPublicKey, Township, Worker, WorkerRole};
pub use people::worker::{WorkerCreateV1, WorkerUpdateV1};
pub use record::{Record, RecordKey, RecordKind};

/// Helpers for tests of the rules: a world of records and a way to run ops on it. Built
/// for this crate's own tests and, with the `testkit` feature, for other crates' tests.
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
