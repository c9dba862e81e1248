//! The JSON shapes of the HTTP API, shared by the app and the server so the two can
//! never disagree. `docs/sync-protocol.md` describes them for people.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::grant::Grant;
use crate::op::Op;
use crate::record::Record;

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// The request header that carries [`PROTOCOL_VERSION`].
pub const PROTOCOL_HEADER: &str = "x-hongling-protocol";
/// Most mutations one push may carry.
pub const MAX_PUSH_BATCH: usize = 500;
/// Most records one pull page may carry.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// One queued user intent. `id` counts 1, 2, 3, … per device with no gaps; `at` is the
/// device clock, for display only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: Uuid,
    pub mutations: Vec<Mutation>,
}

/// What became of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MutationStatus {
    Applied,
    Duplicate,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub id: u64,
    pub status: MutationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Reply to a push: the device's last handled mutation id and one result per mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub last_applied: u64,
    pub results: Vec<MutationResult>,
}

/// Reply to `GET /api/v1/sync/pull?cursor=N&limit=M`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub records: Vec<Record>,
    pub cursor: u64,
    pub more: bool,
    /// The device must drop every record it holds and take these instead: the account's
    /// grants changed since the scope version it sent.
    #[serde(default)]
    pub reset: bool,
    /// The account's scope version; the device sends it back with its next pull.
    #[serde(default)]
    pub scope: u64,
}

/// Every error body of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// Set on `409 gap`: the last mutation id the server has handled for the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied: Option<u64>,
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    pub device_id: Uuid,
}

/// The account behind a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    /// What the account may do and see.
    #[serde(default)]
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub account: AccountInfo,
    /// How many days the app keeps working offline after its last contact with the
    /// server, before it asks to go online.
    #[serde(default = "default_grace_days")]
    pub offline_grace_days: u32,
    /// The password was chosen by someone else (`create-admin`, `reset-password`, an
    /// administrator's reset): the app asks for a new one before anything else, and the
    /// server refuses every other request with `password_change_required`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub must_change_password: bool,
    /// The server holds demo data: the app shows 演示环境 on every screen.
    #[serde(default, skip_serializing_if = "is_false")]
    pub demo: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `POST /api/v1/auth/password`: a user sets their own password. Their other sessions
/// end (`password_changed`); this one goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePasswordRequest {
    pub old_password: String,
    pub new_password: String,
}

/// The default offline grace period, in days.
pub const DEFAULT_GRACE_DAYS: u32 = 7;

fn default_grace_days() -> u32 {
    DEFAULT_GRACE_DAYS
}

/// An account as the admin screens list it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountSummary {
    pub account: AccountInfo,
    pub disabled: bool,
    pub devices: Vec<DeviceSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeviceSummary {
    pub id: Uuid,
    pub created_at: String,
    pub revoked: bool,
    pub last_applied: u64,
}

/// One line of a record's history (the audit trail).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub username: String,
    pub display_name: String,
    pub device_id: Uuid,
    pub mutation_id: u64,
    /// The device clock when the user made it (for display only).
    pub client_at: String,
    /// When the server handled it: the order that counts.
    pub received_at: String,
    pub op: serde_json::Value,
    pub outcome: String,
    pub code: Option<String>,
    pub message: Option<String>,
}

/// The answer to `POST /api/v1/admin/import/{what}`: a report per row and how many were
/// imported. `code` is `ok`, `import_invalid` (422: rows with errors, nothing imported) or
/// `import_conflict` (409: the data changed since the preview, nothing imported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReply {
    pub code: String,
    pub message: String,
    pub rows: Vec<crate::import::RowReport>,
    pub file_errors: Vec<String>,
    pub imported: usize,
}
