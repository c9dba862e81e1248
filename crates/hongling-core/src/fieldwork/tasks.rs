//! 季度清单任务: the district committee sets, for each quarter, the tasks of certified
//! workers by kind of organisation and by grade; each worker's tasks follow from where
//! they work and the grade they hold.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State, committee_only};
use crate::people::model::OrgKind;

/// A quarter of a year, written `2026Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u8,
}

/// Only quarters that can be written: a random `q` of 7 would not read back.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Quarter {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Quarter {
            year: u.int_in_range(1900..=2200)?,
            q: u.int_in_range(1..=4)?,
        })
    }
}

impl Quarter {
    pub fn of(day: NaiveDate) -> Quarter {
        Quarter {
            year: day.year(),
            q: ((day.month() - 1) / 3 + 1) as u8,
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: self.year - 1,
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.trim().split_once(['Q', 'q'])?;
        let (year, q) = (y.parse().ok()?, q.parse().ok()?);
        ((2000..=2100).contains(&year) && (1..=4).contains(&q)).then_some(Quarter { year, q })
    }
}

impl TryFrom<String> for Quarter {
    type Error = String;

    fn try_from(s: String) -> Result<Quarter, String> {
        Quarter::parse(&s).ok_or_else(|| format!("not a quarter: {s:?}"))
    }
}

impl From<Quarter> for String {
    fn from(q: Quarter) -> String {
        format!("{}Q{}", q.year, q.q)
    }
}

/// The tasks of one quarter for one kind of organisation and one grade (record
/// `task_list`, public; its id follows from the three, so setting it again replaces it).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskList {
    pub quarter: Quarter,
    pub org_kind: OrgKind,
    pub grade: u8,
    pub tasks: Vec<String>,
}

/// The id of the task list of a quarter, kind of organisation and grade.
pub fn list_id(quarter: Quarter, org_kind: OrgKind, grade: u8) -> Uuid {
    let key = format!(
        "hongling task list\0{}\0{:?}\0{grade}",
        String::from(quarter),
        org_kind
    );
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// The committee sets (or replaces) a quarter's task list.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TasksSetV1 {
    pub quarter: Quarter,
    pub org_kind: OrgKind,
    pub grade: u8,
    pub tasks: Vec<String>,
}

pub(crate) fn set(
    _state: &dyn State,
    actor: &Actor,
    op: &TasksSetV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "制定季度清单任务")?;
    let tasks: Vec<String> = op
        .tasks
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if tasks.is_empty() || tasks.len() > 30 || tasks.iter().any(|t| t.chars().count() > 200) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "tasks",
            "请填写 1 到 30 项任务，每项不超过 200 个字",
        ));
    }
    let list = TaskList {
        quarter: op.quarter,
        org_kind: op.org_kind,
        grade: op.grade,
        tasks,
    };
    Ok(vec![Change {
        key: RecordKey::new(
            RecordKind::TaskList,
            list_id(op.quarter, op.org_kind, op.grade),
        ),
        deleted: false,
        body: serde_json::to_value(&list).expect("serializes"),
    }])
}

/// The tasks of a certified worker at `grade` in an organisation of `org_kind`.
pub fn tasks_for(state: &dyn State, quarter: Quarter, org_kind: OrgKind, grade: u8) -> Vec<String> {
    state
        .get(RecordKey::new(
            RecordKind::TaskList,
            list_id(quarter, org_kind, grade),
        ))
        .and_then(|r| r.decode::<TaskList>().ok())
        .map(|l| l.tasks)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Op;
    use crate::kernel::grant::{Grant, Role, Scope};
    use crate::kernel::record::Record;

    #[test]
    fn each_worker_gets_the_tasks_of_their_kind_grade_and_quarter() {
        let committee = Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::DistrictCommittee,
                scope: Scope::District,
            }],
        };
        let q4 = Quarter::parse("2026Q4").unwrap();
        assert_eq!(
            Quarter::of(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            q4
        );
        assert_eq!(String::from(q4), "2026Q4");
        assert!(Quarter::parse("2026Q5").is_none());
        let mut state: BTreeMap<RecordKey, Record> = BTreeMap::new();
        let mut run = |op: Op| crate::testkit::run(&mut state, &committee, op);
        let set = |kind, grade, tasks: &[&str]| {
            Op::TasksSetV1(TasksSetV1 {
                quarter: q4,
                org_kind: kind,
                grade,
                tasks: tasks.iter().map(|t| (*t).to_owned()).collect(),
            })
        };
        run(set(OrgKind::Enterprise, 1, &["每月组织一次主题党日", " "])).unwrap();
        run(set(OrgKind::Enterprise, 2, &["指导一个新建党组织"])).unwrap();
        run(set(OrgKind::SocialOrg, 1, &["开展一次志愿服务"])).unwrap();
        // Setting it again replaces the list.
        run(set(
            OrgKind::Enterprise,
            1,
            &["每月组织一次主题党日", "发展一名入党积极分子"],
        ))
        .unwrap();
        assert_eq!(
            run(set(OrgKind::Enterprise, 1, &[" "]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("tasks")
        );
        assert_eq!(
            tasks_for(&state, q4, OrgKind::Enterprise, 1),
            ["每月组织一次主题党日", "发展一名入党积极分子"]
        );
        assert_eq!(
            tasks_for(&state, q4, OrgKind::SocialOrg, 1),
            ["开展一次志愿服务"]
        );
        let q1 = Quarter::parse("2027Q1").unwrap();
        assert!(tasks_for(&state, q1, OrgKind::Enterprise, 1).is_empty());
    }
}
