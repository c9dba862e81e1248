//! 荣誉表彰: honours held by a worker or by their party branch, with a scan of the award.
//!
//! Append-only with supersede: an honour is never edited; a correction is a new record
//! naming the one it replaces (`crate::kernel::conflict::supersede`). City level or above counts
//! for priority promotion at the annual inspection.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::blob::BlobRef;
use crate::kernel::conflict::{append, supersede};
use crate::kernel::grant::holds_in_township;
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::people::model::Worker;
use crate::people::worker::WORKER_EDITORS;

/// The level of the body that gave the honour.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HonourLevel {
    /// 县（区）级.
    County,
    /// 市级.
    City,
    /// 省级.
    Province,
    /// 国家级.
    National,
}

impl HonourLevel {
    pub const ALL: [HonourLevel; 4] = [
        HonourLevel::County,
        HonourLevel::City,
        HonourLevel::Province,
        HonourLevel::National,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            HonourLevel::County => "县（区）级",
            HonourLevel::City => "市级",
            HonourLevel::Province => "省级",
            HonourLevel::National => "国家级",
        }
    }

    /// City level or above: priority promotion at the annual inspection.
    pub fn gives_priority(self) -> bool {
        self >= HonourLevel::City
    }
}

/// Who holds the honour.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HonourHolder {
    /// The worker.
    Worker,
    /// The worker's party branch.
    Branch,
}

impl HonourHolder {
    pub fn label_zh(self) -> &'static str {
        match self {
            HonourHolder::Worker => "本人",
            HonourHolder::Branch => "所在党组织",
        }
    }
}

/// An honour (record `honour`), kept where the worker works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Honour {
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub title: String,
    pub level: HonourLevel,
    pub holder: HonourHolder,
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<BlobRef>,
    /// The honour this one corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Uuid>,
    /// Set when a later record corrected this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Uuid>,
}

/// Records an honour, or a correction of one (`supersedes`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HonourRecordV1 {
    pub id: Uuid,
    pub worker_id: Uuid,
    pub title: String,
    pub level: HonourLevel,
    pub holder: HonourHolder,
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<BlobRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Uuid>,
}

pub(crate) fn record(
    state: &dyn State,
    actor: &Actor,
    op: &HonourRecordV1,
) -> Result<Vec<Change>, Rejection> {
    let key = RecordKey::new(RecordKind::Honour, op.id);
    append(state, key)?;
    let worker: Worker = state
        .get(RecordKey::new(RecordKind::Worker, op.worker_id))
        .and_then(|r| r.decode().ok())
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该党务工作者不存在"))?;
    if !holds_in_township(&actor.grants, &WORKER_EDITORS, worker.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权登记该乡镇（街道）党务工作者的荣誉",
        ));
    }
    let title = op.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "title",
            "请填写荣誉名称（不超过 100 个字）",
        ));
    }
    if !(1949..=2100).contains(&op.year) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "year",
            "获得年份不正确",
        ));
    }
    let mut changes = Vec::new();
    if let Some(old) = op.supersedes {
        let old_key = RecordKey::new(RecordKind::Honour, old);
        let previous: Option<Honour> = state.get(old_key).and_then(|r| r.decode().ok());
        if previous.is_some_and(|p| p.worker_id != op.worker_id) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "supersedes",
                "只能更正同一人的荣誉",
            ));
        }
        changes.push(supersede(state, old_key, op.id)?);
    }
    let honour = Honour {
        worker_id: op.worker_id,
        township_id: worker.township_id,
        title: title.to_owned(),
        level: op.level,
        holder: op.holder,
        year: op.year,
        scan: op.scan.clone(),
        supersedes: op.supersedes,
        superseded_by: None,
    };
    changes.insert(
        0,
        Change {
            key,
            deleted: false,
            body: serde_json::to_value(&honour).expect("serializes"),
        },
    );
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::Op;
    use crate::kernel::grant::{Grant, Role, Scope};
    use crate::kernel::record::Record;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn honours_are_appended_and_corrected_once() {
        let mut state: BTreeMap<RecordKey, Record> = BTreeMap::new();
        state.insert(
            RecordKey::new(RecordKind::Worker, id(4)),
            Record {
                kind: RecordKind::Worker,
                id: id(4),
                version: 1,
                deleted: false,
                body: json!({"name": "孙海燕", "organization_id": id(3), "township_id": id(1),
                    "role": "secretary", "years_in_post": 2}),
            },
        );
        let instructor = Actor {
            account_id: id(9),
            grants: vec![Grant {
                role: Role::Instructor,
                scope: Scope::Township(id(1)),
            }],
        };
        let op = |n: u128, title: &str, supersedes: Option<Uuid>| {
            Op::HonourRecordV1(HonourRecordV1 {
                id: id(n),
                worker_id: id(4),
                title: title.into(),
                level: HonourLevel::City,
                holder: HonourHolder::Branch,
                year: 2025,
                scan: BlobRef::parse(&"ab".repeat(32)),
                supersedes,
            })
        };
        let run = |state: &mut BTreeMap<RecordKey, Record>, op: Op| {
            crate::testkit::run(state, &instructor, op)
        };
        assert_eq!(
            op(10, "x", None).blobs().len(),
            1,
            "the scan is an attachment"
        );
        run(&mut state, op(10, "市级先进基层党组织", None)).unwrap();
        // Two corrections made offline: the first applied wins.
        run(
            &mut state,
            op(11, "市级先进基层党组织（2025）", Some(id(10))),
        )
        .unwrap();
        let second = run(&mut state, op(12, "另一更正", Some(id(10)))).unwrap_err();
        assert_eq!(second.code, RejectCode::AlreadySuperseded);
        let old: Honour = state[&RecordKey::new(RecordKind::Honour, id(10))]
            .decode()
            .unwrap();
        assert_eq!(old.superseded_by, Some(id(11)));
        assert!(old.level.gives_priority());
        assert!(!HonourLevel::County.gives_priority());
    }
}
