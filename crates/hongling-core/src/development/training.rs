//! 红领学院: training sessions, their attendance, and the "at least once a year" rule.
//!
//! A session is public reference data (kind, date, place, hours, trainer). Attendance
//! is one record per session and worker, with an id derived from the two, kept where
//! the worker works: two tablets taking the roll of one session offline each write
//! their own marks, and a mark taken twice is simply the later one. Every certified
//! worker trains at least once a calendar year; the compliance view lists, by
//! township, who has not yet.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::conflict::append;
use crate::kernel::grant::{Role, holds_in_township};
use crate::kernel::record::{RecordKey, RecordKind, derived_id};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::kernel::{load, put};
use crate::people::model::Worker;

/// Who runs sessions and takes the roll.
pub const TRAINERS: [Role; 2] = [Role::DistrictCommittee, Role::Instructor];

/// The kinds of 红领学院 session.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingKind {
    /// 全员轮训.
    RoundTraining,
    /// 红领党务课堂.
    Classroom,
    /// 红领头脑风暴.
    Brainstorm,
    /// 红领实训比赛.
    Contest,
    /// 教学基地 visit.
    TeachingBase,
}

impl TrainingKind {
    pub const ALL: [TrainingKind; 5] = [
        TrainingKind::RoundTraining,
        TrainingKind::Classroom,
        TrainingKind::Brainstorm,
        TrainingKind::Contest,
        TrainingKind::TeachingBase,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            TrainingKind::RoundTraining => "全员轮训",
            TrainingKind::Classroom => "红领党务课堂",
            TrainingKind::Brainstorm => "红领头脑风暴",
            TrainingKind::Contest => "红领实训比赛",
            TrainingKind::TeachingBase => "教学基地",
        }
    }
}

/// A training session (record `training_session`, public).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingSession {
    pub kind: TrainingKind,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    /// Length in tenths of an hour (35 is 3.5 hours).
    pub hours_tenths: u32,
    pub trainer: String,
    pub created_by: Uuid,
}

/// Creates a session.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingCreateV1 {
    pub id: Uuid,
    pub kind: TrainingKind,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    pub hours_tenths: u32,
    pub trainer: String,
}

/// A worker's attendance mark.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// 出勤.
    Present,
    /// 迟到.
    Late,
    /// 缺勤.
    Absent,
}

impl Mark {
    pub const ALL: [Mark; 3] = [Mark::Present, Mark::Late, Mark::Absent];

    pub fn label_zh(self) -> &'static str {
        match self {
            Mark::Present => "出勤",
            Mark::Late => "迟到",
            Mark::Absent => "缺勤",
        }
    }

    /// Present or late counts as trained.
    pub fn attended(self) -> bool {
        self != Mark::Absent
    }
}

/// The workers who attended some training in `year` (present or late): the 全员轮训 rule
/// that every holder trains at least once a year reads this.
pub fn trained_in(attendance: &[Attendance], year: i32) -> BTreeSet<Uuid> {
    attendance
        .iter()
        .filter(|a| a.mark.attended() && a.date.year() == year)
        .map(|a| a.worker_id)
        .collect()
}

/// How a mark was taken.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// Ticked by hand.
    #[default]
    Manual,
    /// The certificate's QR code, scanned and verified.
    Qr,
}

/// One worker at one session (record `attendance`; id from [`attendance_id`]).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub session_id: Uuid,
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub mark: Mark,
    #[serde(default)]
    pub via: Via,
    /// The session's date and kind, copied so a log reads without the session.
    pub date: NaiveDate,
    pub kind: TrainingKind,
    pub hours_tenths: u32,
}

/// Parses hours as typed ("3.5", "2") into tenths of an hour.
pub fn parse_hours(s: &str) -> Option<u32> {
    crate::kernel::decimal::parse_fixed(s, 1).and_then(|v| u32::try_from(v).ok())
}

/// Tenths of an hour as people write them (`35` → `3.5`, `20` → `2`).
pub fn hours_text(tenths: u32) -> String {
    crate::kernel::decimal::fixed_text_short(u64::from(tenths), 1)
}

/// The id of a worker's attendance at a session.
pub fn attendance_id(session: Uuid, worker: Uuid) -> Uuid {
    derived_id(&[
        "hongling attendance",
        &session.to_string(),
        &worker.to_string(),
    ])
}

/// One mark in a roll call.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkEntry {
    pub worker_id: Uuid,
    pub mark: Mark,
    #[serde(default)]
    pub via: Via,
}

/// Marks attendance at a session for one or more workers (a bulk tick is one mutation).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingAttendV1 {
    pub session_id: Uuid,
    pub marks: Vec<MarkEntry>,
}

/// Most marks in one mutation.
pub const MAX_MARKS: usize = 500;

pub(crate) fn create(
    state: &dyn State,
    actor: &Actor,
    op: &TrainingCreateV1,
) -> Result<Vec<Change>, Rejection> {
    append(state, RecordKey::new(RecordKind::TrainingSession, op.id))?;
    if !actor.grants.iter().any(|g| TRAINERS.contains(&g.role)) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "只有党建工作指导员或区委非公工委可以组织培训",
        ));
    }
    let title = op.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "title",
            "请填写培训主题（不超过 100 个字）",
        ));
    }
    if op.place.trim().is_empty() || op.place.chars().count() > 100 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "place",
            "请填写培训地点（不超过 100 个字）",
        ));
    }
    if !(1..=240).contains(&op.hours_tenths) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "hours",
            "学时应在 0.1 到 24 小时之间",
        ));
    }
    if op.trainer.chars().count() > 50 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "trainer",
            "授课人不超过 50 个字",
        ));
    }
    let session = TrainingSession {
        kind: op.kind,
        title: title.to_owned(),
        date: op.date,
        place: op.place.trim().to_owned(),
        hours_tenths: op.hours_tenths,
        trainer: op.trainer.trim().to_owned(),
        created_by: actor.account_id,
    };
    Ok(vec![put(RecordKind::TrainingSession, op.id, &session)])
}

pub(crate) fn attend(
    state: &dyn State,
    actor: &Actor,
    op: &TrainingAttendV1,
) -> Result<Vec<Change>, Rejection> {
    let session: TrainingSession = load(
        state,
        RecordKind::TrainingSession,
        op.session_id,
        "该培训不存在",
    )?;
    if op.marks.is_empty() || op.marks.len() > MAX_MARKS {
        return Err(Rejection::new(
            RejectCode::InvalidData,
            format!("每次登记 1 到 {MAX_MARKS} 人"),
        ));
    }
    let mut changes = Vec::with_capacity(op.marks.len());
    let mut seen = BTreeSet::new();
    for m in &op.marks {
        if !seen.insert(m.worker_id) {
            continue;
        }
        let worker: Worker = load(state, RecordKind::Worker, m.worker_id, "参训人员不存在")?;
        if !holds_in_township(&actor.grants, &TRAINERS, worker.township_id) {
            return Err(Rejection::new(
                RejectCode::Forbidden,
                // Never the name: the caller may not see this worker at all.
                "名单中有不在您所辖乡镇（街道）的人员，无权登记其出勤",
            ));
        }
        let attendance = Attendance {
            session_id: op.session_id,
            worker_id: m.worker_id,
            township_id: worker.township_id,
            mark: m.mark,
            via: m.via,
            date: session.date,
            kind: session.kind,
            hours_tenths: session.hours_tenths,
        };
        changes.push(put(
            RecordKind::Attendance,
            attendance_id(op.session_id, m.worker_id),
            &attendance,
        ));
    }
    Ok(changes)
}

/// Who has not trained in `year`: `holders` are the certified workers with their
/// township; `attended` the (worker, session date) of every attendance marked present
/// or late. The result maps each township to its untrained workers, sorted.
pub fn untrained_by_township(
    holders: &[(Uuid, Uuid)],
    attended: &[(Uuid, NaiveDate)],
    year: i32,
) -> BTreeMap<Uuid, Vec<Uuid>> {
    let trained: BTreeSet<Uuid> = attended
        .iter()
        .filter(|(_, d)| d.year() == year)
        .map(|(w, _)| *w)
        .collect();
    let mut out: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for (worker, township) in holders {
        if !trained.contains(worker) {
            out.entry(*township).or_default().push(*worker);
        }
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

/// The share of holders trained in `year`, in whole percent (rounded down), or `None`
/// when there is no holder.
pub fn coverage_percent(holders: usize, untrained: usize) -> Option<u32> {
    (holders > 0).then(|| ((holders - untrained.min(holders)) * 100 / holders) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Op;
    use crate::kernel::grant::Scope;
    use crate::testkit::{actor, get, run, township_with_workers};

    #[test]
    fn a_roll_call_marks_many_at_once_and_a_second_mark_replaces_the_first() {
        let mut w = township_with_workers(60);
        let town = Uuid::from_u128(1);
        let instructor = actor(1, Role::Instructor, Scope::Township(town));
        let session = Uuid::from_u128(500);
        let create = |hours_tenths| {
            Op::TrainingCreateV1(TrainingCreateV1 {
                id: session,
                kind: TrainingKind::RoundTraining,
                title: "全员轮训第三期".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
                place: "区党校".into(),
                hours_tenths,
                trainer: "王老师".into(),
            })
        };
        assert_eq!(
            run(&mut w, &actor(2, Role::Judge, Scope::District), create(35))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        assert_eq!(
            run(&mut w, &instructor, create(0))
                .unwrap_err()
                .field
                .as_deref(),
            Some("hours")
        );
        run(&mut w, &instructor, create(35)).unwrap();
        let marks = |ids: std::ops::Range<u128>, mark| {
            Op::TrainingAttendV1(TrainingAttendV1 {
                session_id: session,
                marks: ids
                    .map(|i| MarkEntry {
                        worker_id: Uuid::from_u128(100 + i),
                        mark,
                        via: Via::Manual,
                    })
                    .collect(),
            })
        };
        // Sixty ticked in one mutation, then two marked late by another tablet.
        run(&mut w, &instructor, marks(0..60, Mark::Present)).unwrap();
        run(&mut w, &instructor, marks(3..5, Mark::Late)).unwrap();
        let a: Attendance = get(
            &w,
            RecordKind::Attendance,
            attendance_id(session, Uuid::from_u128(103)),
        );
        assert_eq!(
            (a.mark, a.hours_tenths, a.township_id),
            (Mark::Late, 35, town)
        );
        let count = w
            .keys()
            .filter(|k| k.kind == RecordKind::Attendance)
            .count();
        assert_eq!(count, 60);
        // The worker of another township is not this instructor's to mark.
        let refused = run(&mut w, &instructor, marks(60..61, Mark::Present)).unwrap_err();
        assert_eq!(refused.code, RejectCode::Forbidden);
        assert!(
            !refused.message.contains("工作者60"),
            "a refusal never names a person outside the caller's scope: {}",
            refused.message
        );
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn who_has_not_trained_this_year_by_township() {
        let (gujing, huatuo) = (id(100), id(200));
        let holders = [
            (id(1), gujing),
            (id(2), gujing),
            (id(3), huatuo),
            (id(4), huatuo),
        ];
        let attended = [
            (id(1), NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            // Last year does not count this year.
            (id(2), NaiveDate::from_ymd_opt(2025, 12, 30).unwrap()),
            (id(3), NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
            (id(3), NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
        ];
        let gaps = untrained_by_township(&holders, &attended, 2026);
        assert_eq!(gaps[&gujing], [id(2)]);
        assert_eq!(gaps[&huatuo], [id(4)]);
        assert_eq!(coverage_percent(4, 2), Some(50));
        assert_eq!(coverage_percent(3, 1), Some(66));
        assert_eq!(coverage_percent(0, 0), None);
        assert!(untrained_by_township(&holders[..1], &attended, 2026).is_empty());
    }
}
