//! The domain of 红领认证, shared by the tablet app and the sync server.
//!
//! Why one crate: every business rule must be decided the same way on the tablet
//! (optimistically, offline) and on the server (authoritatively). Both sides call
//! [`apply`] with the same [`Op`] and their own [`State`]; neither side has rules of
//! its own.
//!
//! This crate does no I/O and depends on nothing that needs an operating system, so it
//! builds for `wasm32-unknown-unknown` as well as natively. CI checks both.

pub mod apply;
pub mod blob;
pub mod certificate;
pub mod certification;
pub mod conflict;
pub mod grant;
pub mod honour;
pub mod idcard;
pub mod import;
pub mod inspection;
pub mod mentoring;
pub mod model;
pub mod op;
pub mod pool;
pub mod record;
pub mod stipend;
pub mod tasks;
pub mod text;
pub mod training;
pub mod wire;

pub use apply::{
    Actor, Change, MissRecorder, RejectCode, Rejection, State, apply, can_see_record, visibility,
};
pub use blob::{BlobRef, MAX_BLOB_BYTES};
pub use grant::{Grant, Role, Scope, Visibility, can_see};
pub use model::{OrgKind, Organization, SigningPublicKey, Township, Worker, WorkerRole};
pub use op::{Op, WorkerCreateV1, WorkerUpdateV1};
pub use record::{Record, RecordKey, RecordKind};

/// Today's date in China (Asia/Shanghai, UTC+8 all year): the calendar of business
/// dates such as notice days, issue dates and report months.
pub fn china_today(now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    (now + chrono::Duration::hours(8)).date_naive()
}
