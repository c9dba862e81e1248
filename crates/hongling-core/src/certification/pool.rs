//! 培育库 (the talent pool): published entry criteria; applications to enter the pool,
//! filed by an instructor for a worker and decided once by the district committee.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certification::APPLICANTS;
use crate::kernel::conflict::{append, decide_once};
use crate::kernel::grant::holds_in_township;
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State, committee_only, put};
use crate::people::model::Worker;

/// The id of the one `pool_criteria` record.
pub const CRITERIA_ID: Uuid = Uuid::nil();

/// 入选标准, as the committee published it (record `pool_criteria`, public).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolCriteria {
    pub text: String,
    pub published_on: NaiveDate,
}

/// The committee's decision on a pool application.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolDecision {
    pub admitted: bool,
    pub by: Uuid,
    #[serde(default)]
    pub comment: String,
}

/// An application to enter the pool (record `pool_entry`), kept where the worker works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolEntry {
    pub worker_id: Uuid,
    pub township_id: Uuid,
    #[serde(default)]
    pub notes: String,
    pub filed_by: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<PoolDecision>,
}

/// Where a 人才库 entry stands: waiting for the committee, admitted, or not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolStatus {
    Pending,
    Admitted,
    NotAdmitted,
}

impl PoolStatus {
    pub const ALL: [PoolStatus; 3] = [
        PoolStatus::Pending,
        PoolStatus::Admitted,
        PoolStatus::NotAdmitted,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            PoolStatus::Pending => "待审",
            PoolStatus::Admitted => "已入库",
            PoolStatus::NotAdmitted => "未入库",
        }
    }
}

impl PoolEntry {
    pub fn status(&self) -> PoolStatus {
        match &self.decision {
            None => PoolStatus::Pending,
            Some(d) if d.admitted => PoolStatus::Admitted,
            Some(_) => PoolStatus::NotAdmitted,
        }
    }
}

/// The committee publishes (or republishes) the entry criteria.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolCriteriaPublishV1 {
    pub text: String,
    pub published_on: NaiveDate,
}

/// An instructor asks for a worker to enter the pool.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolApplyV1 {
    pub id: Uuid,
    pub worker_id: Uuid,
    #[serde(default)]
    pub notes: String,
}

/// The committee admits or declines (first decision wins).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolDecideV1 {
    pub id: Uuid,
    pub admit: bool,
    #[serde(default)]
    pub comment: String,
}

pub(crate) fn publish(
    _state: &dyn State,
    actor: &Actor,
    op: &PoolCriteriaPublishV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "发布入选标准")?;
    let text = op.text.trim();
    if text.is_empty() || text.chars().count() > 5000 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "text",
            "请填写入选标准（不超过 5000 个字）",
        ));
    }
    let criteria = PoolCriteria {
        text: text.to_owned(),
        published_on: op.published_on,
    };
    Ok(vec![put(RecordKind::PoolCriteria, CRITERIA_ID, &criteria)])
}

pub(crate) fn apply_for(
    state: &dyn State,
    actor: &Actor,
    op: &PoolApplyV1,
) -> Result<Vec<Change>, Rejection> {
    append(state, RecordKey::new(RecordKind::PoolEntry, op.id))?;
    let worker: Worker = state
        .get(RecordKey::new(RecordKind::Worker, op.worker_id))
        .and_then(|r| r.decode().ok())
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该党务工作者不存在"))?;
    if !holds_in_township(&actor.grants, &APPLICANTS, worker.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权为该乡镇（街道）的党务工作者申请入库",
        ));
    }
    if op.notes.chars().count() > 1000 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "notes",
            "推荐理由不能超过 1000 个字",
        ));
    }
    let entry = PoolEntry {
        worker_id: op.worker_id,
        township_id: worker.township_id,
        notes: op.notes.trim().to_owned(),
        filed_by: actor.account_id,
        decision: None,
    };
    Ok(vec![put(RecordKind::PoolEntry, op.id, &entry)])
}

pub(crate) fn decide(
    state: &dyn State,
    actor: &Actor,
    op: &PoolDecideV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "决定入库")?;
    let mut entry: PoolEntry = state
        .get(RecordKey::new(RecordKind::PoolEntry, op.id))
        .and_then(|r| r.decode().ok())
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该入库申请不存在"))?;
    decide_once(&entry.decision, "该入库申请")?;
    if !op.admit && op.comment.trim().is_empty() {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "comment",
            "不予入库时请填写理由",
        ));
    }
    entry.decision = Some(PoolDecision {
        admitted: op.admit,
        by: actor.account_id,
        comment: op.comment.trim().to_owned(),
    });
    Ok(vec![put(RecordKind::PoolEntry, op.id, &entry)])
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

    fn actor(n: u128, role: Role, scope: Scope) -> Actor {
        Actor {
            account_id: id(100 + n),
            grants: vec![Grant { role, scope }],
        }
    }

    #[test]
    fn instructors_apply_and_the_committee_decides_once() {
        let mut state: BTreeMap<RecordKey, Record> = BTreeMap::new();
        let worker = json!({"name": "孙海燕", "organization_id": id(3), "township_id": id(1),
            "role": "secretary", "years_in_post": 2});
        state.insert(
            RecordKey::new(RecordKind::Worker, id(4)),
            Record {
                kind: RecordKind::Worker,
                id: id(4),
                version: 1,
                deleted: false,
                body: worker,
            },
        );
        let run = |state: &mut BTreeMap<RecordKey, Record>, who: &Actor, op: Op| {
            crate::testkit::run(state, who, op)
        };
        let instructor = actor(1, Role::Instructor, Scope::Township(id(1)));
        let elsewhere = actor(2, Role::Instructor, Scope::Township(id(2)));
        let committee = actor(3, Role::DistrictCommittee, Scope::District);
        let file = Op::PoolApplyV1(PoolApplyV1 {
            id: id(10),
            worker_id: id(4),
            notes: "党建工作扎实".into(),
        });
        assert_eq!(
            run(&mut state, &elsewhere, file.clone()).unwrap_err().code,
            RejectCode::Forbidden
        );
        run(&mut state, &instructor, file).unwrap();
        let decide = |admit: bool, comment: &str| {
            Op::PoolDecideV1(PoolDecideV1 {
                id: id(10),
                admit,
                comment: comment.into(),
            })
        };
        assert_eq!(
            run(&mut state, &instructor, decide(true, ""))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        assert_eq!(
            run(&mut state, &committee, decide(false, ""))
                .unwrap_err()
                .field
                .as_deref(),
            Some("comment")
        );
        run(&mut state, &committee, decide(true, "")).unwrap();
        let entry: PoolEntry = state[&RecordKey::new(RecordKind::PoolEntry, id(10))]
            .decode()
            .unwrap();
        assert_eq!(entry.status(), PoolStatus::Admitted);
        assert_eq!(
            run(&mut state, &committee, decide(false, "重复"))
                .unwrap_err()
                .code,
            RejectCode::AlreadyDecided
        );
        let publish = Op::PoolCriteriaPublishV1(PoolCriteriaPublishV1 {
            text: "任现职满一年，政治素质过硬".into(),
            published_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        });
        assert_eq!(
            run(&mut state, &instructor, publish.clone())
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        run(&mut state, &committee, publish).unwrap();
    }
}
