//! Records: the typed documents that sync moves between server and devices.
//!
//! A record is identified by `(kind, id)`; `version` is the server's change number of
//! its latest change (0 for a record that exists only on a device so far). The body is
//! kept as JSON so that the sync code stays generic over every kind: only the domain
//! code (model and apply) looks inside it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where the records of a kind live, which decides who receives them in a pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every device: reference data, and what any tablet needs to verify a certificate.
    Public,
    /// The township in the body's `township_id`: people's records live where the person
    /// works. A body without a readable township fails closed (committee only).
    WhereTheyWork,
    /// The contest's judges and administrators.
    ItsContest,
    /// The district committee only.
    Committee,
}

/// Which single account also reads a record of a kind, wherever it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// No one beyond its reach.
    Nobody,
    /// The worker whose record it is (the record's id is the worker's).
    TheWorkerItIs,
    /// The worker the body names in `worker_id` (their certificates, trainings, 年审).
    TheWorkerNamed,
    /// The judge the body names in `judge_id` (their own score sheets).
    TheJudge,
}

/// Declares every record kind once: its variant, its wire name, its reach, its extra
/// reader and the fields that name attachments. The enum, [`RecordKind::ALL`], the wire names and the visibility rules
/// are generated from this one list, so a new kind cannot be left out of any of them.
macro_rules! record_kinds {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $wire:literal, $reach:ident, $reader:ident, [$($field:literal),*];
    )*) => {
        /// Every kind of record. The wire name is public: never rename one.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        pub enum RecordKind {
            $( $(#[doc = $doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl RecordKind {
            /// All kinds, in a stable order.
            pub const ALL: [RecordKind; [$($wire),*].len()] = [$(RecordKind::$variant),*];

            /// The wire name, as used in storage keys and database columns.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( RecordKind::$variant => $wire, )*
                }
            }

            /// Where records of this kind live.
            pub fn reach(self) -> Reach {
                match self {
                    $( RecordKind::$variant => Reach::$reach, )*
                }
            }

            /// The fields of the body that hold blob addresses (attachments); empty for
            /// kinds that never name one.
            pub fn attachment_fields(self) -> &'static [&'static str] {
                match self {
                    $( RecordKind::$variant => &[$($field),*], )*
                }
            }

            /// Who else reads records of this kind.
            pub fn reader(self) -> Reader {
                match self {
                    $( RecordKind::$variant => Reader::$reader, )*
                }
            }
        }
    };
}

record_kinds! {
    /// 乡镇 / 街道.
    Township = "township", Public, Nobody, [];
    /// 非公企业 / 社会组织.
    Organization = "organization", Public, Nobody, [];
    /// 党务工作者.
    Worker = "worker", WhereTheyWork, TheWorkerItIs, ["photo"];
    /// A public key the server signs certificates with. Every device holds all of them.
    SigningKey = "signing_key", Public, Nobody, [];
    /// One line of the certificate status list (number, grade, status). Every device
    /// holds the whole list, to verify a certificate offline.
    CertificateStatus = "certificate_status", Public, Nobody, [];
    /// The programme's settings (grades, stipends, notice length): one record.
    Settings = "settings", Public, Nobody, [];
    /// 认证批次: 第一批, 第二批, ….
    Batch = "batch", Public, Nobody, [];
    /// A certification application.
    Application = "application", WhereTheyWork, Nobody, [];
    /// A public notice (公示) of approved names.
    Notice = "notice", Public, Nobody, [];
    /// 红领资格证.
    Certificate = "certificate", WhereTheyWork, TheWorkerNamed, ["photo"];
    /// A worker's full ID-card number (committee only; id: the worker's).
    IdCard = "id_card", Committee, Nobody, [];
    /// Which worker holds an ID-card number (committee only; id: a hash of the number).
    IdCardIndex = "id_card_index", Committee, Nobody, [];
    /// 推优推先.
    Recommendation = "recommendation", WhereTheyWork, Nobody, [];
    /// 培育库 entry criteria: one public record.
    PoolCriteria = "pool_criteria", Public, Nobody, [];
    /// An application to enter the 培育库, and its decision.
    PoolEntry = "pool_entry", WhereTheyWork, Nobody, [];
    /// 荣誉表彰 of a worker or their branch.
    Honour = "honour", WhereTheyWork, Nobody, ["scan"];
    /// 季度清单任务 of a quarter, kind of organisation and grade.
    TaskList = "task_list", Public, Nobody, [];
    /// 走访, with the duty assessments made during it.
    Visit = "visit", WhereTheyWork, Nobody, ["photos"];
    /// A 红领学院 training session.
    TrainingSession = "training_session", Public, Nobody, [];
    /// One worker's attendance at one session.
    Attendance = "attendance", WhereTheyWork, TheWorkerNamed, [];
    /// A member of the 红领导师团.
    Mentor = "mentor", WhereTheyWork, Nobody, [];
    /// A mentor–mentee pair.
    MentorPair = "mentor_pair", WhereTheyWork, Nobody, [];
    /// 导师工作室 and its yearly subsidy.
    Studio = "studio", Public, Nobody, [];
    /// One mentoring activity.
    MentoringActivity = "mentoring_activity", WhereTheyWork, Nobody, [];
    /// 年审 of one certificate in one year.
    Inspection = "inspection", WhereTheyWork, TheWorkerNamed, [];
    /// A promotion request and its decision.
    Promotion = "promotion", WhereTheyWork, TheWorkerNamed, [];
    /// A contest (红领实训比赛) and its setup.
    Contest = "contest", Public, Nobody, [];
    /// One judge's score sheet for one contestant.
    ScoreSheet = "score_sheet", ItsContest, TheJudge, ["autograph"];
    /// A contest's published results.
    ContestResults = "contest_results", Public, Nobody, ["autographs[].image"];
    /// A device's public key for signed score sheets (id: the device's). Public: a contest
    /// administrator's tablet checks judges' sheets with it at a venue with no network.
    DeviceKey = "device_key", Public, Nobody, [];
    /// An ID-card number given to a second worker by an account other than the committee
    /// (committee only; id: the worker's), for 待处理 身份证号重复.
    IdCardDuplicate = "id_card_duplicate", Committee, Nobody, [];
    /// The keys of every record about one worker (id: the worker's), so that they move
    /// with the worker to another township (`hongling_core::dossier`).
    Dossier = "dossier", WhereTheyWork, Nobody, [];
}

impl RecordKind {
    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kinds a given extra reader reads (for a store that filters in SQL).
    pub fn read_by(reader: Reader) -> impl Iterator<Item = RecordKind> {
        RecordKind::ALL
            .into_iter()
            .filter(move |k| k.reader() == reader)
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

    /// The key a [`RecordKey::storage_key`] names, if it names one.
    pub fn from_storage_key(s: &str) -> Option<RecordKey> {
        let (kind, id) = s.split_once('/')?;
        Some(RecordKey::new(RecordKind::parse(kind)?, id.parse().ok()?))
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
