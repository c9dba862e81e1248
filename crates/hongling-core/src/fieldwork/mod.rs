//! 走访 and 日常履职考核: a supervisor or instructor visits an organisation, records whom
//! they met and what they saw (with photos), and assesses each certified worker there
//! against the worker's quarterly tasks.
//!
//! A visit is written once, on the tablet, often offline: it is append-only (a second
//! visit is a new record), so two tablets never edit the same one. Assessments travel
//! inside their visit because they are made during it; the annual inspection reads
//! them from there.

pub mod tasks;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::fieldwork::tasks::Quarter;
use crate::kernel::blob::BlobRef;
use crate::kernel::conflict::append;
use crate::kernel::grant::{Role, holds_in_township};
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::kernel::{load, put};
use crate::people::model::{Organization, Worker};

/// Most photos one visit carries.
pub const MAX_PHOTOS: usize = 9;

/// Who may record a visit.
pub const VISITORS: [Role; 3] = [Role::DistrictCommittee, Role::Supervisor, Role::Instructor];
/// Who may assess duties (督察专员, and the committee).
pub const ASSESSORS: [Role; 2] = [Role::DistrictCommittee, Role::Supervisor];

/// How far one task was carried out.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskRating {
    /// 完成.
    Done,
    /// 部分完成.
    Partly,
    /// 未完成.
    NotDone,
}

impl TaskRating {
    pub const ALL: [TaskRating; 3] = [TaskRating::Done, TaskRating::Partly, TaskRating::NotDone];

    pub fn label_zh(self) -> &'static str {
        match self {
            TaskRating::Done => "完成",
            TaskRating::Partly => "部分完成",
            TaskRating::NotDone => "未完成",
        }
    }
}

/// The overall result of one duty assessment (日常履职考核).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentResult {
    /// 优秀.
    Excellent,
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

impl AssessmentResult {
    pub const ALL: [AssessmentResult; 3] = [
        AssessmentResult::Excellent,
        AssessmentResult::Pass,
        AssessmentResult::Fail,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            AssessmentResult::Excellent => "优秀",
            AssessmentResult::Pass => "合格",
            AssessmentResult::Fail => "不合格",
        }
    }
}

/// One task of the quarter and how far it was done.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskScore {
    pub task: String,
    pub rating: TaskRating,
}

/// The duty assessment of one worker during a visit.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyAssessment {
    pub worker_id: Uuid,
    pub quarter: Quarter,
    #[serde(default)]
    pub tasks: Vec<TaskScore>,
    pub result: AssessmentResult,
    #[serde(default)]
    pub comment: String,
}

/// A task of the assessment form that was left without a rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrated {
    pub task: String,
}

impl DutyAssessment {
    /// The assessment of `worker_id` during a visit on `date`: the quarter is the date's,
    /// and every task of the form must be rated (a task is never recorded as skipped).
    pub fn for_visit(
        worker_id: Uuid,
        date: NaiveDate,
        ratings: Vec<(String, Option<TaskRating>)>,
        result: AssessmentResult,
        comment: String,
    ) -> Result<DutyAssessment, Unrated> {
        let tasks = ratings
            .into_iter()
            .map(|(task, rating)| match rating {
                Some(rating) => Ok(TaskScore { task, rating }),
                None => Err(Unrated { task }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DutyAssessment {
            worker_id,
            quarter: Quarter::of(date),
            tasks,
            result,
            comment,
        })
    }
}

/// A site visit (record `visit`), kept where the organisation is.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub organization_id: Uuid,
    pub township_id: Uuid,
    pub date: NaiveDate,
    /// Whom the visitor met, as typed.
    pub people_met: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub photos: Vec<BlobRef>,
    #[serde(default)]
    pub assessments: Vec<DutyAssessment>,
    pub recorded_by: Uuid,
}

/// Records a visit and its assessments.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitRecordV1 {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub date: NaiveDate,
    pub people_met: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub photos: Vec<BlobRef>,
    #[serde(default)]
    pub assessments: Vec<DutyAssessment>,
}

fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

pub(crate) fn record(
    state: &dyn State,
    actor: &Actor,
    op: &VisitRecordV1,
) -> Result<Vec<Change>, Rejection> {
    append(state, RecordKey::new(RecordKind::Visit, op.id))?;
    let org: Organization = load(
        state,
        RecordKind::Organization,
        op.organization_id,
        "所选单位不存在",
    )
    .map_err(|r| Rejection::field(r.code, "organization_id", r.message))?;
    if !holds_in_township(&actor.grants, &VISITORS, org.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权登记该乡镇（街道）的走访",
        ));
    }
    let people_met = op.people_met.trim();
    if people_met.is_empty() || too_long(people_met, 200) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "people_met",
            "请填写走访对象（不超过 200 个字）",
        ));
    }
    if too_long(&op.notes, 5000) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "notes",
            "走访记录不超过 5000 个字",
        ));
    }
    if op.photos.len() > MAX_PHOTOS {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "photos",
            format!("每次走访最多 {MAX_PHOTOS} 张照片"),
        ));
    }
    if !op.assessments.is_empty() && !holds_in_township(&actor.grants, &ASSESSORS, org.township_id)
    {
        return Err(Rejection::field(
            RejectCode::Forbidden,
            "assessments",
            "只有督察专员可以进行履职考核",
        ));
    }
    let mut seen = Vec::new();
    let mut assessments = Vec::new();
    for a in &op.assessments {
        let worker: Worker = load(state, RecordKind::Worker, a.worker_id, "被考核人不存在")
            .map_err(|r| Rejection::field(r.code, "assessments", r.message))?;
        if worker.organization_id != op.organization_id {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "assessments",
                // Never the name: the worker may be outside the caller's townships.
                "考核名单中有不在本单位的人员，不能在此次走访中考核",
            ));
        }
        if seen.contains(&a.worker_id) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "assessments",
                "考核名单中有人被重复考核",
            ));
        }
        seen.push(a.worker_id);
        if a.quarter != Quarter::of(op.date) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "assessments",
                "考核所属季度须与走访日期所在季度一致",
            ));
        }
        if too_long(&a.comment, 1000) || a.tasks.iter().any(|t| t.task.trim().is_empty()) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "assessments",
                "考核意见不超过 1000 个字，任务不能为空",
            ));
        }
        let mut a = a.clone();
        a.comment = a.comment.trim().to_owned();
        assessments.push(a);
    }
    let visit = Visit {
        organization_id: op.organization_id,
        township_id: org.township_id,
        date: op.date,
        people_met: people_met.to_owned(),
        notes: op.notes.trim().to_owned(),
        photos: op.photos.clone(),
        assessments,
        recorded_by: actor.account_id,
    };
    Ok(vec![put(RecordKind::Visit, op.id, &visit)])
}

/// The workers assessed in `quarter` (履职考核), from every visit that assessed them.
pub fn assessed_in(visits: &[Visit], quarter: Quarter) -> std::collections::BTreeSet<Uuid> {
    visits
        .iter()
        .flat_map(|v| v.assessments.iter())
        .filter(|a| a.quarter == quarter)
        .map(|a| a.worker_id)
        .collect()
}

/// The results of the assessments of `worker` among `visits` whose date is in `year`.
pub fn results_in_year(visits: &[Visit], worker: Uuid, year: i32) -> Vec<AssessmentResult> {
    use chrono::Datelike;
    visits
        .iter()
        .filter(|v| v.date.year() == year)
        .flat_map(|v| v.assessments.iter())
        .filter(|a| a.worker_id == worker)
        .map(|a| a.result)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::apply::apply;
    use crate::kernel::grant::{Grant, Scope};
    use crate::kernel::record::{Record, RecordKey};
    use crate::people::model::{OrgKind, WorkerRole};
    use crate::{Op, Township};

    fn rec<T: Serialize>(kind: RecordKind, id: Uuid, body: &T) -> (RecordKey, Record) {
        (
            RecordKey::new(kind, id),
            crate::testkit::record(kind, id, 1, body),
        )
    }

    #[test]
    fn a_supervisor_records_a_visit_with_assessments_and_an_instructor_without() {
        let town = Uuid::from_u128(1);
        let org = Uuid::from_u128(2);
        let other_org = Uuid::from_u128(3);
        let worker = |name: &str, organization_id| Worker {
            name: name.into(),
            organization_id,
            township_id: town,
            role: WorkerRole::Secretary,
            management_post: String::new(),
            years_in_post: 2,
            photo: None,
            id_card_masked: None,
        };
        let state: BTreeMap<RecordKey, Record> = [
            rec(
                RecordKind::Township,
                town,
                &Township {
                    name: "古井镇".into(),
                },
            ),
            rec(
                RecordKind::Organization,
                org,
                &Organization {
                    name: "甲公司".into(),
                    kind: OrgKind::Enterprise,
                    township_id: town,
                    party_org: String::new(),
                    industry: String::new(),
                },
            ),
            rec(
                RecordKind::Worker,
                Uuid::from_u128(10),
                &worker("张三", org),
            ),
            rec(
                RecordKind::Worker,
                Uuid::from_u128(11),
                &worker("李四", other_org),
            ),
        ]
        .into_iter()
        .collect();
        let actor = |role| Actor {
            account_id: Uuid::from_u128(99),
            grants: vec![Grant {
                role,
                scope: Scope::Township(town),
            }],
        };
        let q = Quarter::parse("2026Q4").unwrap();
        let assess = |w: u128, result| DutyAssessment {
            worker_id: Uuid::from_u128(w),
            quarter: q,
            tasks: vec![TaskScore {
                task: "每月组织一次主题党日".into(),
                rating: TaskRating::Done,
            }],
            result,
            comment: " 认真 ".into(),
        };
        let visit = |assessments| {
            Op::VisitRecordV1(VisitRecordV1 {
                id: Uuid::from_u128(50),
                organization_id: org,
                date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
                people_met: "支部书记".into(),
                notes: String::new(),
                photos: Vec::new(),
                assessments,
            })
        };
        let changes = apply(
            &state,
            &actor(Role::Supervisor),
            &visit(vec![assess(10, AssessmentResult::Excellent)]),
        )
        .unwrap();
        let v: Visit = serde_json::from_value(changes[0].body.clone()).unwrap();
        assert_eq!(v.township_id, town);
        assert_eq!(v.assessments[0].comment, "认真");
        assert_eq!(
            results_in_year(std::slice::from_ref(&v), Uuid::from_u128(10), 2026),
            [AssessmentResult::Excellent]
        );
        assert!(results_in_year(std::slice::from_ref(&v), Uuid::from_u128(10), 2025).is_empty());
        // Assessed in the quarter of the assessment, not in the next.
        let q = v.assessments[0].quarter;
        assert!(assessed_in(std::slice::from_ref(&v), q).contains(&Uuid::from_u128(10)));
        assert!(assessed_in(&[v], q.next()).is_empty());
        // An instructor visits but does not assess.
        assert!(apply(&state, &actor(Role::Instructor), &visit(vec![])).is_ok());
        let refused = apply(
            &state,
            &actor(Role::Instructor),
            &visit(vec![assess(10, AssessmentResult::Pass)]),
        )
        .unwrap_err();
        assert_eq!(refused.code, RejectCode::Forbidden);
        // A worker of another organisation, or the same worker twice, is refused.
        let refused = apply(
            &state,
            &actor(Role::Supervisor),
            &visit(vec![assess(11, AssessmentResult::Pass)]),
        )
        .unwrap_err();
        assert_eq!(
            (refused.code, refused.field.as_deref()),
            (RejectCode::InvalidData, Some("assessments"))
        );
        assert!(
            !refused.message.contains("李四"),
            "never a name the caller may not see: {}",
            refused.message
        );
        let refused = apply(
            &state,
            &actor(Role::Supervisor),
            &visit(vec![
                assess(10, AssessmentResult::Pass),
                assess(10, AssessmentResult::Fail),
            ]),
        )
        .unwrap_err();
        assert!(refused.message.contains("重复"));
        // An assessment is of the quarter the visit falls in.
        let mut other_quarter = assess(10, AssessmentResult::Pass);
        other_quarter.quarter = Quarter::parse("2026Q3").unwrap();
        let refused = apply(
            &state,
            &actor(Role::Supervisor),
            &visit(vec![other_quarter]),
        )
        .unwrap_err();
        assert_eq!(
            (refused.code, refused.field.as_deref()),
            (RejectCode::InvalidData, Some("assessments"))
        );
        // Another township's supervisor may not.
        let outsider = Actor {
            account_id: Uuid::from_u128(98),
            grants: vec![Grant {
                role: Role::Supervisor,
                scope: Scope::Township(Uuid::from_u128(7)),
            }],
        };
        assert_eq!(
            apply(&state, &outsider, &visit(vec![])).unwrap_err().code,
            RejectCode::Forbidden
        );
    }

    #[test]
    fn an_assessment_takes_its_quarter_from_the_visit_and_needs_every_task_rated() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let rated = DutyAssessment::for_visit(
            Uuid::from_u128(10),
            day,
            vec![
                ("主题党日".into(), Some(TaskRating::Done)),
                ("发展党员".into(), Some(TaskRating::Partly)),
            ],
            AssessmentResult::Pass,
            String::new(),
        )
        .unwrap();
        assert_eq!(rated.quarter, Quarter::parse("2026Q4").unwrap());
        assert_eq!(rated.tasks.len(), 2);
        let unrated = DutyAssessment::for_visit(
            Uuid::from_u128(10),
            day,
            vec![
                ("主题党日".into(), Some(TaskRating::Done)),
                ("发展党员".into(), None),
            ],
            AssessmentResult::Pass,
            String::new(),
        )
        .unwrap_err();
        assert_eq!(unrated.task, "发展党员");
    }
}
