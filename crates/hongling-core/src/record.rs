//! Records: the typed documents that sync moves between server and devices.
//!
//! A record is identified by `(kind, id)`; `version` is the server's change number of
//! its latest change (0 for a record that exists only on a device so far). The body is
//! kept as JSON so that the sync code stays generic over every kind: only the domain
//! code (model and apply) looks inside it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every kind of record. The wire name (snake_case) is public: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// 乡镇 / 街道.
    Township,
    /// 非公企业 / 社会组织.
    Organization,
    /// 党务工作者.
    Worker,
    /// A public key the server signs certificates with. Every device holds all of them.
    SigningKey,
    /// One line of the certificate status list (number, grade, status). Every device
    /// holds the whole list, to verify a certificate offline.
    CertificateStatus,
    /// The programme's settings (grades, stipends, notice length): one record.
    Settings,
    /// 认证批次: 第一批, 第二批, ….
    Batch,
    /// A certification application.
    Application,
    /// A public notice (公示) of approved names.
    Notice,
    /// 红领资格证.
    Certificate,
    /// A worker's full ID-card number (committee only; id: the worker's).
    IdCard,
    /// Which worker holds an ID-card number (committee only; id: a hash of the number).
    IdCardIndex,
    /// 推优推先.
    Recommendation,
    /// 培育库 entry criteria: one public record.
    PoolCriteria,
    /// An application to enter the 培育库, and its decision.
    PoolEntry,
    /// 荣誉表彰 of a worker or their branch.
    Honour,
    /// 季度清单任务 of a quarter, kind of organisation and grade.
    TaskList,
    /// 走访, with the duty assessments made during it.
    Visit,
    /// A 红领学院 training session.
    TrainingSession,
    /// One worker's attendance at one session.
    Attendance,
    /// A member of the 红领导师团.
    Mentor,
    /// A mentor–mentee pair.
    MentorPair,
    /// 导师工作室 and its yearly subsidy.
    Studio,
    /// One mentoring activity.
    MentoringActivity,
    /// 年审 of one certificate in one year.
    Inspection,
    /// A promotion request and its decision.
    Promotion,
    /// A contest (红领实训比赛) and its setup.
    Contest,
    /// One judge's score sheet for one contestant.
    ScoreSheet,
    /// A contest's published results.
    ContestResults,
    /// An ID-card number given to a second worker by an account other than the committee
    /// (committee only; id: the worker's), for 待处理 身份证号重复.
    IdCardDuplicate,
    /// The keys of every record about one worker (id: the worker's), so that they move
    /// with the worker to another township (`hongling_core::dossier`).
    Dossier,
}

impl RecordKind {
    /// All kinds, in a stable order.
    pub const ALL: [RecordKind; 31] = [
        RecordKind::Township,
        RecordKind::Organization,
        RecordKind::Worker,
        RecordKind::SigningKey,
        RecordKind::CertificateStatus,
        RecordKind::Settings,
        RecordKind::Batch,
        RecordKind::Application,
        RecordKind::Notice,
        RecordKind::Certificate,
        RecordKind::IdCard,
        RecordKind::IdCardIndex,
        RecordKind::Recommendation,
        RecordKind::PoolCriteria,
        RecordKind::PoolEntry,
        RecordKind::Honour,
        RecordKind::TaskList,
        RecordKind::Visit,
        RecordKind::TrainingSession,
        RecordKind::Attendance,
        RecordKind::Mentor,
        RecordKind::MentorPair,
        RecordKind::Studio,
        RecordKind::MentoringActivity,
        RecordKind::Inspection,
        RecordKind::Promotion,
        RecordKind::Contest,
        RecordKind::ScoreSheet,
        RecordKind::ContestResults,
        RecordKind::IdCardDuplicate,
        RecordKind::Dossier,
    ];

    /// The wire name, as used in storage keys and database columns.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Township => "township",
            RecordKind::Organization => "organization",
            RecordKind::Worker => "worker",
            RecordKind::SigningKey => "signing_key",
            RecordKind::CertificateStatus => "certificate_status",
            RecordKind::Settings => "settings",
            RecordKind::Batch => "batch",
            RecordKind::Application => "application",
            RecordKind::Notice => "notice",
            RecordKind::Certificate => "certificate",
            RecordKind::IdCard => "id_card",
            RecordKind::IdCardIndex => "id_card_index",
            RecordKind::Recommendation => "recommendation",
            RecordKind::PoolCriteria => "pool_criteria",
            RecordKind::PoolEntry => "pool_entry",
            RecordKind::Honour => "honour",
            RecordKind::TaskList => "task_list",
            RecordKind::Visit => "visit",
            RecordKind::TrainingSession => "training_session",
            RecordKind::Attendance => "attendance",
            RecordKind::Mentor => "mentor",
            RecordKind::MentorPair => "mentor_pair",
            RecordKind::Studio => "studio",
            RecordKind::MentoringActivity => "mentoring_activity",
            RecordKind::Inspection => "inspection",
            RecordKind::Promotion => "promotion",
            RecordKind::Contest => "contest",
            RecordKind::ScoreSheet => "score_sheet",
            RecordKind::ContestResults => "contest_results",
            RecordKind::IdCardDuplicate => "id_card_duplicate",
            RecordKind::Dossier => "dossier",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An id derived from its parts (a hash), for records that exist once per combination,
/// such as one attendance per session and worker: two devices that write it offline
/// write the same record.
pub fn derived_id(parts: &[&str]) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(parts.join("\0").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// The identity of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordKey {
    pub kind: RecordKind,
    pub id: Uuid,
}

impl RecordKey {
    pub fn new(kind: RecordKind, id: Uuid) -> RecordKey {
        RecordKey { kind, id }
    }

    /// A single string key (`kind/id`), used where a store needs a scalar key.
    pub fn storage_key(&self) -> String {
        format!("{}/{}", self.kind.as_str(), self.id)
    }
}

/// One record as it travels on the wire and as devices store it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub kind: RecordKind,
    pub id: Uuid,
    pub version: u64,
    #[serde(default)]
    pub deleted: bool,
    pub body: serde_json::Value,
}

impl Record {
    pub fn key(&self) -> RecordKey {
        RecordKey::new(self.kind, self.id)
    }

    /// Decodes the body as a typed document.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.body)
    }
}
