//! What a rule is given and what it answers: the [`Actor`] who asks, the [`Change`]s
//! it writes, or the [`Rejection`] that refuses it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::grant::{Grant, is_committee};
use crate::kernel::record::RecordKey;

/// Who is asking. The server fills it from the session; the tablet from its login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Uuid,
    pub grants: Vec<Grant>,
}

/// Refuses unless `actor` is the district committee: "只有区委非公工委可以{what}".
/// Every rule that only the committee may take asks here, so the check is written once.
pub fn committee_only(actor: &Actor, what: &str) -> Result<(), Rejection> {
    if is_committee(&actor.grants) {
        Ok(())
    } else {
        Err(Rejection::new(
            RejectCode::Forbidden,
            format!("只有区委非公工委可以{what}"),
        ))
    }
}

/// One record written by a mutation. `version` is assigned by whoever stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub key: RecordKey,
    pub deleted: bool,
    pub body: serde_json::Value,
}

/// Why a mutation was refused. The wire names are public: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// A field is missing or out of range.
    InvalidData,
    /// The record to change, or a record it refers to, does not exist.
    NotFound,
    /// A record with this id already exists.
    AlreadyExists,
    /// The account may not do this.
    Forbidden,
    /// Someone else's decision on this stage was applied first (first decision wins).
    AlreadyDecided,
    /// The sheet is signed: only a re-opening by an administrator allows edits again.
    SheetLocked,
    /// The record was already corrected by another record (append-only with supersede).
    AlreadySuperseded,
    /// An attachment the mutation names has not been uploaded.
    BlobMissing,
}

impl RejectCode {
    pub const ALL: [RejectCode; 8] = [
        RejectCode::InvalidData,
        RejectCode::NotFound,
        RejectCode::AlreadyExists,
        RejectCode::Forbidden,
        RejectCode::AlreadyDecided,
        RejectCode::SheetLocked,
        RejectCode::AlreadySuperseded,
        RejectCode::BlobMissing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::InvalidData => "invalid_data",
            RejectCode::NotFound => "not_found",
            RejectCode::AlreadyExists => "already_exists",
            RejectCode::Forbidden => "forbidden",
            RejectCode::AlreadyDecided => "already_decided",
            RejectCode::SheetLocked => "sheet_locked",
            RejectCode::AlreadySuperseded => "already_superseded",
            RejectCode::BlobMissing => "blob_missing",
        }
    }
}

/// A refused mutation: a code for programs, a message in Chinese for people, and the
/// field it is about when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({code:?})")]
pub struct Rejection {
    pub code: RejectCode,
    pub message: String,
    pub field: Option<String>,
}

impl Rejection {
    /// A refusal about the mutation as a whole.
    pub fn new(code: RejectCode, message: impl Into<String>) -> Rejection {
        Rejection {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A refusal about one field, which the form can highlight.
    pub fn field(code: RejectCode, field: &str, message: impl Into<String>) -> Rejection {
        Rejection {
            code,
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }
}
