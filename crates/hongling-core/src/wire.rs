//! The JSON shapes of the HTTP API, shared by the app and the server so the two can
//! never disagree. `docs/sync-protocol.md` describes them for people.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::grant::Grant;
use crate::kernel::record::Record;
use crate::op::Op;

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

/// Where a mutation was made when it is pushed from another device: the user and the
/// tablet it came from in a backup file (issue 13). The server keeps it in the audit
/// beside the account that sent it; it is that account's statement, never a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The username that made it, as the backup file names it.
    pub username: String,
    /// The device it was made on.
    pub device_id: Uuid,
    /// Its id on that device.
    pub mutation_id: u64,
}

impl Origin {
    /// Whether the server can keep it: a username no longer than a login's.
    pub fn is_valid(&self) -> bool {
        !self.username.is_empty()
            && self.username.len() <= crate::password::MAX_LOGIN_USERNAME_BYTES
            && !self.username.chars().any(char::is_control)
    }
}

/// A mutation as a push carries it: the intent, and where it was made when that was on
/// another device. The fields of [`Mutation`] sit at the top level of its JSON, so a
/// push without origins is the push the protocol always had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushedMutation {
    #[serde(flatten)]
    pub mutation: Mutation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl From<Mutation> for PushedMutation {
    fn from(mutation: Mutation) -> Self {
        PushedMutation {
            mutation,
            origin: None,
        }
    }
}

/// `POST /api/v1/sync/push`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device_id: Uuid,
    pub mutations: Vec<PushedMutation>,
    /// Set when the device sends again, from its journal, mutations that a rewound server
    /// (restored from a backup, a VM snapshot put back) has lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<Replay>,
}

/// What a replaying device knows of the mutations it sends again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The answer each mutation got the first time, by mutation id.
    pub answers: Vec<FirstAnswer>,
    /// Certificates the device holds, signed by the server before the rewind: the server
    /// keeps those it lost with their numbers and signatures, so paper already handed out
    /// stays true.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Record>,
}

/// The first answer to a mutation, as the device's journal kept it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirstAnswer {
    pub id: u64,
    pub status: MutationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The journal kept the op without the full ID-card number it carried: the
    /// committee must type it again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub id_card_removed: bool,
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

/// `GET /api/v1/sync/pull`: what a device asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    /// The last change number the device holds (0 at first).
    #[serde(default)]
    pub cursor: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The scope version of the device's last pull (0 at first).
    #[serde(default)]
    pub scope: u64,
    /// The tag that came with `cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The server epoch the device last saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

impl PullQuery {
    /// The query string, `cursor=…&limit=…&scope=…[&tag=…][&epoch=…]` (tags and epochs
    /// are hex, so nothing needs escaping).
    pub fn to_query(&self) -> String {
        let mut q = format!("cursor={}&scope={}", self.cursor, self.scope);
        if let Some(limit) = self.limit {
            q.push_str(&format!("&limit={limit}"));
        }
        for (name, value) in [("tag", &self.tag), ("epoch", &self.epoch)] {
            if let Some(v) = value
                && v.bytes().all(|b| b.is_ascii_hexdigit())
            {
                q.push_str(&format!("&{name}={v}"));
            }
        }
        q
    }
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
    /// The database's epoch, renewed by every restore: a device that sees it change
    /// knows the server was rewound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
    /// The random tag of the commit that holds `cursor`; the device sends it back with
    /// the cursor (`tag=`). A server that no longer knows the pair was rewound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// The last mutation id the server holds from this device: lower than what the
    /// device saw acknowledged means the server lost some.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied: Option<u64>,
    /// The cursor and tag, or the epoch, sent do not match this server's history: it was
    /// rewound, and `reset` is set too (the device pulls from zero).
    #[serde(default, skip_serializing_if = "is_false")]
    pub rewound: bool,
}

/// One line of 恢复核对 (`GET /api/v1/admin/recovery`): a mutation a device sent again
/// after a rewind whose outcome differs from its first answer, or whose ID-card number
/// the journal did not keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryItem {
    pub username: String,
    pub device_id: Uuid,
    pub mutation_id: u64,
    /// What the user did, in words (`Op::describe_zh`).
    pub summary: String,
    /// The record it is about (`kind/id`).
    pub target: String,
    pub first_outcome: MutationStatus,
    pub outcome: MutationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The full ID-card number must be typed again.
    #[serde(default, skip_serializing_if = "is_false")]
    pub id_card_removed: bool,
    pub at: String,
}

/// What one line of the 安全日志 records. The wire names are public: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEvent {
    LoginSucceeded,
    /// A wrong password, an unknown username, or a disabled account; `detail` says when
    /// the failure held the (account, address) pair, and for how long.
    LoginFailed,
    PasswordChanged,
    /// An administrator (or `reset-password` on the server) set someone's password.
    PasswordReset,
    AccountCreated,
    GrantsChanged,
    AccountDisabled,
    AccountEnabled,
    DeviceRevoked,
    Import,
    Export,
    /// A backup taken on the server (`backup`), or restored from (`restore`).
    Backup,
    Restore,
}

impl SecurityEvent {
    pub const ALL: [SecurityEvent; 13] = [
        SecurityEvent::LoginSucceeded,
        SecurityEvent::LoginFailed,
        SecurityEvent::PasswordChanged,
        SecurityEvent::PasswordReset,
        SecurityEvent::AccountCreated,
        SecurityEvent::GrantsChanged,
        SecurityEvent::AccountDisabled,
        SecurityEvent::AccountEnabled,
        SecurityEvent::DeviceRevoked,
        SecurityEvent::Import,
        SecurityEvent::Export,
        SecurityEvent::Backup,
        SecurityEvent::Restore,
    ];

    /// The wire name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEvent::LoginSucceeded => "login_succeeded",
            SecurityEvent::LoginFailed => "login_failed",
            SecurityEvent::PasswordChanged => "password_changed",
            SecurityEvent::PasswordReset => "password_reset",
            SecurityEvent::AccountCreated => "account_created",
            SecurityEvent::GrantsChanged => "grants_changed",
            SecurityEvent::AccountDisabled => "account_disabled",
            SecurityEvent::AccountEnabled => "account_enabled",
            SecurityEvent::DeviceRevoked => "device_revoked",
            SecurityEvent::Import => "import",
            SecurityEvent::Export => "export",
            SecurityEvent::Backup => "backup",
            SecurityEvent::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<SecurityEvent> {
        SecurityEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The event in the committee's words.
    pub fn label_zh(self) -> &'static str {
        match self {
            SecurityEvent::LoginSucceeded => "登录成功",
            SecurityEvent::LoginFailed => "登录失败",
            SecurityEvent::PasswordChanged => "修改密码",
            SecurityEvent::PasswordReset => "重置密码",
            SecurityEvent::AccountCreated => "新建账号",
            SecurityEvent::GrantsChanged => "修改权限",
            SecurityEvent::AccountDisabled => "停用账号",
            SecurityEvent::AccountEnabled => "启用账号",
            SecurityEvent::DeviceRevoked => "吊销设备",
            SecurityEvent::Import => "导入",
            SecurityEvent::Export => "导出",
            SecurityEvent::Backup => "备份",
            SecurityEvent::Restore => "恢复",
        }
    }
}

/// Days the server keeps the 安全日志 at least (网络安全法 §21 asks six months).
pub const SECURITY_LOG_MIN_DAYS: u32 = 180;

/// One line of the 安全日志 (`GET /api/v1/admin/security-log`), newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityLogEntry {
    pub id: u64,
    /// RFC 3339, UTC.
    pub at: String,
    pub event: SecurityEvent,
    /// Who did it: the account's username, `server` for a command run on the server, or
    /// the username typed at a failed login.
    pub actor: String,
    /// Whom or what it was done to: an account, a device, a file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// The client's address, when it came over the network.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
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
    /// The device's Ed25519 public key (base64), for the sheets its judge signs
    /// (`sheet.sign@2`): registered by the server as the record `device_key`. Older apps
    /// send none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
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

/// Why the server no longer takes a tablet's session: each has its own `code`, so the
/// tablet says which, and what the user can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEnding {
    /// Logged out elsewhere, unused for `--session-idle-days`, or past its 30 days.
    SessionEnded,
    /// The password was changed (by its user elsewhere, or reset by the committee).
    PasswordChanged,
    /// The committee disabled the account.
    AccountDisabled,
    /// The committee revoked this device.
    DeviceRevoked,
}

impl SessionEnding {
    pub const ALL: [SessionEnding; 4] = [
        SessionEnding::SessionEnded,
        SessionEnding::PasswordChanged,
        SessionEnding::AccountDisabled,
        SessionEnding::DeviceRevoked,
    ];

    /// The error `code` the server answers with.
    pub fn code(self) -> &'static str {
        match self {
            SessionEnding::SessionEnded => "session_ended",
            SessionEnding::PasswordChanged => "password_changed",
            SessionEnding::AccountDisabled => "account_disabled",
            SessionEnding::DeviceRevoked => "device_revoked",
        }
    }

    pub fn from_code(code: &str) -> Option<SessionEnding> {
        SessionEnding::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The same user may log in again on this tablet and go on with its data. A disabled
    /// account or a revoked device may not: the tablet locks its screens and offers only
    /// to export what it has not synced, then to remove it.
    pub fn may_log_in_again(self) -> bool {
        matches!(
            self,
            SessionEnding::SessionEnded | SessionEnding::PasswordChanged
        )
    }
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
    /// Made on another device and brought in a backup: by whom and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
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
