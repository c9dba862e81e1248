//! The kernel under the domain: records and their kinds, how a rule reads them
//! ([`State`]) and answers ([`Change`], [`Rejection`]), who asks ([`Actor`], grants),
//! who sees what, the conflict mechanisms, attachments, and small pure helpers.
//!
//! Why a kernel: every area of the domain is written against these and nothing else
//! below it, so an area can be read, tested and changed on its own, and the sync crate,
//! the server and the tablet depend on the kernel's shapes rather than on any area. The
//! kernel imports no domain module (`tests/tidy.rs` checks the `use` lines).

pub mod blob;
pub mod conflict;
pub mod csv;
pub mod decimal;
pub mod decision;
pub mod grant;
pub mod record;
pub mod state;
pub mod text;
pub mod time;
pub mod visibility;

pub use decision::{Actor, Change, RejectCode, Rejection, committee_only};
pub use state::{MissRecorder, State, load, put};
