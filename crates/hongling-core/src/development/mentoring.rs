//! 导师帮带: mentors of the 红领导师团 take 3 to 5 mentees each. Pairs have a start and
//! an end; the range is checked on a given day, and a mentor outside it gets a warning
//! (not a refusal: a pair may end before its replacement starts).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::conflict::append;
use crate::kernel::grant::{Role, holds_in_township, own_workers};
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::kernel::{committee_only, load, put};
use crate::people::model::Worker;

/// Who pairs mentors and mentees and logs their activities.
pub const MENTOR_KEEPERS: [Role; 2] = [Role::DistrictCommittee, Role::Instructor];

/// Fewest mentees a mentor should have.
pub const MIN_MENTEES: usize = 3;
/// Most mentees a mentor should have.
pub const MAX_MENTEES: usize = 5;

/// A mentor–mentee pair.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub start: NaiveDate,
    /// The last day, when it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

impl Pair {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

/// How many mentees `mentor` has on `day`.
pub fn mentees_on(pairs: &[Pair], mentor: Uuid, day: NaiveDate) -> usize {
    pairs
        .iter()
        .filter(|p| p.mentor_id == mentor && p.active_on(day))
        .count()
}

/// Which side of the 3–5 range a mentor's mentees fall on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenteeRange {
    /// Fewer than [`MIN_MENTEES`].
    TooFew,
    /// More than [`MAX_MENTEES`].
    TooMany,
}

/// Whether a mentor with `count` mentees is outside the range (a warning, not a refusal:
/// a new mentor starts with none). The screen words it in the user's language.
pub fn range_warning(count: usize) -> Option<MenteeRange> {
    if count < MIN_MENTEES {
        Some(MenteeRange::TooFew)
    } else if count > MAX_MENTEES {
        Some(MenteeRange::TooMany)
    } else {
        None
    }
}

/// A member of the 红领导师团 (record `mentor`, id: the worker's), kept where they work.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mentor {
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub since: NaiveDate,
    /// The last day in the group, when they left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// The committee appoints a mentor, or ends the appointment (`until`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentorAppointV1 {
    pub worker_id: Uuid,
    pub since: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// A pair as stored (record `mentor_pair`), kept where the mentee works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairRecord {
    #[serde(flatten)]
    pub pair: Pair,
    pub township_id: Uuid,
}

/// Starts a pair, or ends one (same `id`, with `end`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentoringPairV1 {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub mentee_id: Uuid,
    pub start: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
}

/// 导师工作室 (record `studio`, public) with its subsidy per year, in fen.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Studio {
    pub name: String,
    pub mentor_id: Uuid,
    pub founded: NaiveDate,
    #[serde(default)]
    pub subsidies: std::collections::BTreeMap<i32, i64>,
}

/// The studio a form sets up or funds for `mentor`: the one that mentor already leads,
/// with its founding day, or else a new one whose id follows from the mentor, so that two
/// tablets that set up the same mentor's studio offline write one studio, not two (its
/// subsidies then add up by year). A studio is never found by its name: a typo would
/// make a second one, and a rename would lose the first.
pub fn studio_for(mentor: Uuid, studios: &[(Uuid, Studio)], today: NaiveDate) -> (Uuid, NaiveDate) {
    studios
        .iter()
        .find(|(_, s)| s.mentor_id == mentor)
        .map(|(id, s)| (*id, s.founded))
        .unwrap_or_else(|| {
            (
                crate::kernel::record::derived_id(&["hongling studio", &mentor.to_string()]),
                today,
            )
        })
}

/// The committee sets up a studio or grants its subsidy for a year.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudioSetV1 {
    pub id: Uuid,
    pub name: String,
    pub mentor_id: Uuid,
    pub founded: NaiveDate,
    pub year: i32,
    pub subsidy_fen: i64,
}

/// One mentoring activity (record `mentoring_activity`), kept where the mentor works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub mentor_id: Uuid,
    pub township_id: Uuid,
    pub date: NaiveDate,
    pub title: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub mentee_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio_id: Option<Uuid>,
}

/// Logs a mentoring activity.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MentoringLogV1 {
    pub id: Uuid,
    pub mentor_id: Uuid,
    pub date: NaiveDate,
    pub title: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub mentee_ids: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub studio_id: Option<Uuid>,
}

fn worker(state: &dyn State, id: Uuid, missing: &str) -> Result<Worker, Rejection> {
    load(state, RecordKind::Worker, id, missing)
}

fn mentor_on(state: &dyn State, id: Uuid, day: NaiveDate) -> Result<Mentor, Rejection> {
    let m: Mentor = load(state, RecordKind::Mentor, id, "该导师不在红领导师团中")
        .map_err(|r| Rejection::field(r.code, "mentor_id", r.message))?;
    if day < m.since || m.until.is_some_and(|u| day > u) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "mentor_id",
            "该日期不在导师的聘任期内",
        ));
    }
    Ok(m)
}

pub(crate) fn appoint(
    state: &dyn State,
    actor: &Actor,
    op: &MentorAppointV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "聘任红领导师")?;
    let w = worker(state, op.worker_id, "该党务工作者不存在")?;
    if op.until.is_some_and(|u| u < op.since) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "until",
            "解聘日期不能早于聘任日期",
        ));
    }
    let mentor = Mentor {
        worker_id: op.worker_id,
        township_id: w.township_id,
        since: op.since,
        until: op.until,
    };
    Ok(vec![put(RecordKind::Mentor, op.worker_id, &mentor)])
}

pub(crate) fn pair(
    state: &dyn State,
    actor: &Actor,
    op: &MentoringPairV1,
) -> Result<Vec<Change>, Rejection> {
    let mentee = worker(state, op.mentee_id, "该学员不存在")?;
    if !holds_in_township(&actor.grants, &MENTOR_KEEPERS, mentee.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权为该乡镇（街道）的党务工作者结对",
        ));
    }
    if op.mentor_id == op.mentee_id {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "mentee_id",
            "导师不能与自己结对",
        ));
    }
    if op.end.is_some_and(|e| e < op.start) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "end",
            "结束日期不能早于开始日期",
        ));
    }
    let key = RecordKey::new(RecordKind::MentorPair, op.id);
    if let Some(existing) = state.get(key) {
        // Only the end of an existing pair may change.
        let old: PairRecord = existing
            .decode()
            .map_err(|_| Rejection::new(RejectCode::InvalidData, "记录已损坏"))?;
        if old.pair.mentor_id != op.mentor_id
            || old.pair.mentee_id != op.mentee_id
            || old.pair.start != op.start
        {
            return Err(Rejection::new(
                RejectCode::AlreadyExists,
                "结对已存在，只能登记结束日期",
            ));
        }
    } else {
        mentor_on(state, op.mentor_id, op.start)?;
    }
    let record = PairRecord {
        pair: Pair {
            mentor_id: op.mentor_id,
            mentee_id: op.mentee_id,
            start: op.start,
            end: op.end,
        },
        township_id: mentee.township_id,
    };
    Ok(vec![put(RecordKind::MentorPair, op.id, &record)])
}

pub(crate) fn set_studio(
    state: &dyn State,
    actor: &Actor,
    op: &StudioSetV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "设立导师工作室")?;
    let name = op.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "name",
            "请填写工作室名称（不超过 60 个字）",
        ));
    }
    if !(0..=100_000_000).contains(&op.subsidy_fen) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "subsidy",
            "补贴金额不正确",
        ));
    }
    mentor_on(state, op.mentor_id, op.founded)?;
    let key = RecordKey::new(RecordKind::Studio, op.id);
    let mut subsidies = state
        .get(key)
        .and_then(|r| r.decode::<Studio>().ok())
        .map(|s| s.subsidies)
        .unwrap_or_default();
    subsidies.insert(op.year, op.subsidy_fen);
    let studio = Studio {
        name: name.to_owned(),
        mentor_id: op.mentor_id,
        founded: op.founded,
        subsidies,
    };
    Ok(vec![put(RecordKind::Studio, op.id, &studio)])
}

pub(crate) fn log(
    state: &dyn State,
    actor: &Actor,
    op: &MentoringLogV1,
) -> Result<Vec<Change>, Rejection> {
    append(state, RecordKey::new(RecordKind::MentoringActivity, op.id))?;
    let mentor = mentor_on(state, op.mentor_id, op.date)?;
    let own = own_workers(&actor.grants).contains(&op.mentor_id);
    if !own && !holds_in_township(&actor.grants, &MENTOR_KEEPERS, mentor.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权登记该导师的带徒活动",
        ));
    }
    let title = op.title.trim();
    if title.is_empty() || title.chars().count() > 100 || op.notes.chars().count() > 2000 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "title",
            "请填写活动主题（不超过 100 个字），内容不超过 2000 个字",
        ));
    }
    // Every mentee named is a worker the server knows, each once; the message names none.
    let mut mentees = op.mentee_ids.clone();
    mentees.sort();
    mentees.dedup();
    if mentees.len() != op.mentee_ids.len() {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "mentee_ids",
            "徒弟名单中有重复的人",
        ));
    }
    if mentees.iter().any(|id| worker(state, *id, "").is_err()) {
        return Err(Rejection::field(
            RejectCode::NotFound,
            "mentee_ids",
            "徒弟名单中有找不到的人，请刷新后重新选择",
        ));
    }
    let activity = Activity {
        mentor_id: op.mentor_id,
        township_id: mentor.township_id,
        date: op.date,
        title: title.to_owned(),
        notes: op.notes.trim().to_owned(),
        mentee_ids: op.mentee_ids.clone(),
        studio_id: op.studio_id,
    };
    Ok(vec![put(RecordKind::MentoringActivity, op.id, &activity)])
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::Op;
    use crate::kernel::grant::Scope;
    use crate::testkit::{actor, get, run, township_with_workers};

    #[test]
    fn mentors_are_appointed_paired_given_a_studio_and_log_activities() {
        let mut w = township_with_workers(6);
        let town = Uuid::from_u128(1);
        let committee = actor(1, Role::DistrictCommittee, Scope::District);
        let instructor = actor(2, Role::Instructor, Scope::Township(town));
        let mentor = Uuid::from_u128(100);
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let pair = |n: u128, end| {
            Op::MentoringPairV1(MentoringPairV1 {
                id: Uuid::from_u128(300 + n),
                mentor_id: mentor,
                mentee_id: Uuid::from_u128(100 + n),
                start: day(2, 1),
                end,
            })
        };
        // Not yet in the mentor group: no pair.
        assert_eq!(
            run(&mut w, &instructor, pair(1, None))
                .unwrap_err()
                .field
                .as_deref(),
            Some("mentor_id")
        );
        let appoint = Op::MentorAppointV1(MentorAppointV1 {
            worker_id: mentor,
            since: day(1, 1),
            until: None,
        });
        assert_eq!(
            run(&mut w, &instructor, appoint.clone()).unwrap_err().code,
            RejectCode::Forbidden
        );
        run(&mut w, &committee, appoint).unwrap();
        for n in 1..=4 {
            run(&mut w, &instructor, pair(n, None)).unwrap();
        }
        // Ending a pair changes only its end; anything else is refused.
        run(&mut w, &instructor, pair(4, Some(day(6, 30)))).unwrap();
        let mut moved = pair(4, None);
        if let Op::MentoringPairV1(p) = &mut moved {
            p.start = day(3, 1);
        }
        assert_eq!(
            run(&mut w, &instructor, moved).unwrap_err().code,
            RejectCode::AlreadyExists
        );
        let pairs: Vec<Pair> = w
            .values()
            .filter(|r| r.kind == RecordKind::MentorPair)
            .map(|r| r.decode::<PairRecord>().unwrap().pair)
            .collect();
        assert_eq!(mentees_on(&pairs, mentor, day(5, 1)), 4);
        assert_eq!(range_warning(mentees_on(&pairs, mentor, day(7, 1))), None);
        assert!(range_warning(mentees_on(&pairs, mentor, day(1, 15))).is_some());
        // A studio with its subsidy, year by year.
        let studio = |year, subsidy_fen| {
            Op::StudioSetV1(StudioSetV1 {
                id: Uuid::from_u128(400),
                name: "红领导师工作室".into(),
                mentor_id: mentor,
                founded: day(3, 1),
                year,
                subsidy_fen,
            })
        };
        run(&mut w, &committee, studio(2026, 2_000_000)).unwrap();
        run(&mut w, &committee, studio(2027, 2_500_000)).unwrap();
        let s: Studio = get(&w, RecordKind::Studio, Uuid::from_u128(400));
        assert_eq!(s.subsidies.len(), 2);
        // The mentor logs an activity with their own account.
        let own = actor(3, Role::Worker, Scope::Worker(mentor));
        let log = |id: u128, by: &Actor, w: &mut crate::testkit::World| {
            run(
                w,
                by,
                Op::MentoringLogV1(MentoringLogV1 {
                    id: Uuid::from_u128(id),
                    mentor_id: mentor,
                    date: day(4, 1),
                    title: "党建台账规范化".into(),
                    notes: String::new(),
                    mentee_ids: vec![Uuid::from_u128(101)],
                    studio_id: Some(Uuid::from_u128(400)),
                }),
            )
        };
        log(500, &own, &mut w).unwrap();
        // Mentees named must exist, each once.
        let with_mentees = |id: u128, mentee_ids: Vec<Uuid>| {
            Op::MentoringLogV1(MentoringLogV1 {
                id: Uuid::from_u128(id),
                mentor_id: mentor,
                date: day(4, 2),
                title: "党建台账规范化".into(),
                notes: String::new(),
                mentee_ids,
                studio_id: None,
            })
        };
        let made_up = run(&mut w, &own, with_mentees(502, vec![Uuid::from_u128(999)])).unwrap_err();
        assert_eq!(
            (made_up.code, made_up.field.as_deref()),
            (RejectCode::NotFound, Some("mentee_ids"))
        );
        let twice = vec![Uuid::from_u128(101), Uuid::from_u128(101)];
        let twice = run(&mut w, &own, with_mentees(503, twice)).unwrap_err();
        assert_eq!(twice.code, RejectCode::InvalidData);
        let stranger = actor(4, Role::Worker, Scope::Worker(Uuid::from_u128(101)));
        assert_eq!(
            log(501, &stranger, &mut w).unwrap_err().code,
            RejectCode::Forbidden
        );
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_mentee_range_is_counted_on_a_day_and_warned_outside_three_to_five() {
        let mentor = Uuid::from_u128(1);
        let pair = |n: u128, start, end| Pair {
            mentor_id: mentor,
            mentee_id: Uuid::from_u128(10 + n),
            start,
            end,
        };
        let pairs = vec![
            pair(1, d(1, 1), None),
            pair(2, d(1, 1), Some(d(6, 30))),
            pair(3, d(3, 1), None),
            pair(4, d(7, 1), None),
        ];
        assert_eq!(mentees_on(&pairs, mentor, d(2, 1)), 2);
        assert_eq!(
            mentees_on(&pairs, mentor, d(6, 30)),
            3,
            "the end day counts"
        );
        assert_eq!(mentees_on(&pairs, mentor, d(7, 1)), 3, "one left, one came");
        assert_eq!(mentees_on(&pairs, Uuid::from_u128(2), d(7, 1)), 0);
        assert_eq!(range_warning(2), Some(MenteeRange::TooFew));
        assert_eq!(range_warning(3), None);
        assert_eq!(range_warning(5), None);
        assert_eq!(range_warning(6), Some(MenteeRange::TooMany));
    }

    #[test]
    fn a_mentors_studio_is_found_by_the_mentor_and_new_ones_share_an_id() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let later = NaiveDate::from_ymd_opt(2027, 1, 5).unwrap();
        let (mentor, other) = (Uuid::from_u128(4), Uuid::from_u128(5));
        // Two tablets that know no studio yet choose the same id for the same mentor.
        let (a, founded) = studio_for(mentor, &[], day);
        assert_eq!(studio_for(mentor, &[], later).0, a);
        assert_eq!(founded, day);
        assert_ne!(studio_for(other, &[], day).0, a);
        // An existing studio of the mentor keeps its id and founding day, whatever its name.
        let old = Uuid::from_u128(77);
        let studios = [(
            old,
            Studio {
                name: "红领导师工作室".into(),
                mentor_id: mentor,
                founded: day,
                subsidies: Default::default(),
            },
        )];
        assert_eq!(studio_for(mentor, &studios, later), (old, day));
        assert_eq!(studio_for(other, &studios, later).1, later);
    }
}
