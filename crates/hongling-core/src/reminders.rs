//! 提醒: what the programme's calendar asks of the office now, computed on the tablet from
//! the records it holds.
//!
//! Why in the core: each reminder is a rule of the programme (a notice runs a number of
//! working days, every holder is inspected and trained once a year, a mentor takes three
//! to five mentees, …), and the homes of several roles show them, offline; the app only
//! words them. A reminder is data (ids, dates, counts), never prose.
//!
//! When each one starts:
//! - a 公示 that ends within 3 working days, or has ended and is still open;
//! - from 1 October, every valid certificate issued before that year without a 年审 for
//!   the year;
//! - from 1 October (fewer than three months left), every holder with no training
//!   attended this year;
//! - every mentor in the group whose active mentees are outside 3–5;
//! - in the last month of a quarter, each kind of organisation without a task list for the
//!   next quarter;
//! - on a contest's day, before publication, the contest's sheets still missing;
//! - from 1 October, next year's holidays when none are entered (the working-day counts of
//!   notices depend on them).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::certification::certificate::{Certificate, StatusEntry, standing};
use crate::certification::inspection::Inspection;
use crate::certification::{Notice, ProgrammeSettings};
use crate::contest::{Contest, ScoreSheet, standings};
use crate::development::mentoring::{MenteeRange, Mentor, PairRecord, range_warning};
use crate::development::training::{Attendance, trained_in};
use crate::fieldwork::tasks::{Quarter, TaskList};
use crate::people::model::OrgKind;

/// How many working days before its end a notice is announced.
pub const NOTICE_DAYS_AHEAD: u32 = 3;

/// What the reminders read: the records of the tablet, decoded.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub settings: &'a ProgrammeSettings,
    pub notices: &'a [(Uuid, Notice)],
    pub certificates: &'a [(Uuid, Certificate)],
    pub statuses: &'a [(Uuid, StatusEntry)],
    pub attendance: &'a [Attendance],
    pub inspections: &'a [Inspection],
    pub mentors: &'a [Mentor],
    pub pairs: &'a [PairRecord],
    pub task_lists: &'a [TaskList],
    pub contests: &'a [(Uuid, Contest)],
    pub sheets: &'a [ScoreSheet],
}

/// One thing the office should do soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reminder {
    /// A notice has `working_days_left` working days to run after today (0: it ends
    /// today, or it has ended and waits to be closed).
    NoticeEnding {
        notice_id: Uuid,
        ends_on: NaiveDate,
        working_days_left: u32,
    },
    /// The certificate's 年审 for `year` is not recorded yet.
    InspectionDue {
        certificate_id: Uuid,
        worker_id: Uuid,
        township_id: Uuid,
        year: i32,
    },
    /// The holder has attended no training in `year`.
    Untrained {
        worker_id: Uuid,
        township_id: Uuid,
        year: i32,
    },
    /// The mentor has `mentees` active mentees, outside 3–5.
    MenteesOutOfRange {
        worker_id: Uuid,
        township_id: Uuid,
        mentees: usize,
        range: MenteeRange,
    },
    /// No task list for `quarter` for this kind of organisation.
    TasksNotSet { quarter: Quarter, org_kind: OrgKind },
    /// Today's contest still misses `missing` signed sheets.
    SheetsMissing { contest_id: Uuid, missing: usize },
    /// No holiday of `year` is entered in 认证设置.
    HolidaysMissing { year: i32 },
}

/// The reminders on `today`, in a fixed order: notices, inspections, training, mentors,
/// task lists, contests, holidays; within each, by date or id.
pub fn reminders(inputs: Inputs<'_>, today: NaiveDate) -> Vec<Reminder> {
    let mut out = Vec::new();
    let year = today.year();
    let autumn = NaiveDate::from_ymd_opt(year, 10, 1).expect("1 October exists");
    let late_in_year = today >= autumn;

    let mut notices: Vec<&(Uuid, Notice)> = inputs
        .notices
        .iter()
        .filter(|(_, n)| n.closed_on.is_none() && n.starts_on <= today)
        .collect();
    notices.sort_by_key(|(id, n)| (n.ends_on, *id));
    for (id, n) in notices {
        let left = working_days_between(inputs.settings, today, n.ends_on);
        if n.ends_on < today || left <= NOTICE_DAYS_AHEAD {
            out.push(Reminder::NoticeEnding {
                notice_id: *id,
                ends_on: n.ends_on,
                working_days_left: left,
            });
        }
    }

    let lines: BTreeMap<Uuid, &StatusEntry> =
        inputs.statuses.iter().map(|(id, s)| (*id, s)).collect();
    let valid: Vec<(Uuid, &Certificate)> = inputs
        .certificates
        .iter()
        .filter(|(id, _)| standing(lines.get(id).copied()).is_valid())
        .map(|(id, c)| (*id, c))
        .collect();

    if late_in_year {
        let inspected: BTreeSet<Uuid> = inputs
            .inspections
            .iter()
            .filter(|i| i.year == year)
            .map(|i| i.certificate_id)
            .collect();
        for (id, c) in &valid {
            if c.issued_on.year() < year && !inspected.contains(id) {
                out.push(Reminder::InspectionDue {
                    certificate_id: *id,
                    worker_id: c.worker_id,
                    township_id: c.township_id,
                    year,
                });
            }
        }
        let trained = trained_in(inputs.attendance, year);
        let holders: BTreeMap<Uuid, Uuid> = valid
            .iter()
            .map(|(_, c)| (c.worker_id, c.township_id))
            .collect();
        for (worker_id, township_id) in holders {
            if !trained.contains(&worker_id) {
                out.push(Reminder::Untrained {
                    worker_id,
                    township_id,
                    year,
                });
            }
        }
    }

    let mut mentors: Vec<&Mentor> = inputs
        .mentors
        .iter()
        .filter(|m| m.since <= today && m.until.is_none_or(|u| today <= u))
        .collect();
    mentors.sort_by_key(|m| m.worker_id);
    for m in mentors {
        let mentees: BTreeSet<Uuid> = inputs
            .pairs
            .iter()
            .filter(|p| p.pair.mentor_id == m.worker_id && p.pair.active_on(today))
            .map(|p| p.pair.mentee_id)
            .collect();
        if let Some(range) = range_warning(mentees.len()) {
            out.push(Reminder::MenteesOutOfRange {
                worker_id: m.worker_id,
                township_id: m.township_id,
                mentees: mentees.len(),
                range,
            });
        }
    }

    if matches!(today.month(), 3 | 6 | 9 | 12) {
        let next = Quarter::of(today).next();
        for org_kind in [OrgKind::Enterprise, OrgKind::SocialOrg] {
            let set = inputs
                .task_lists
                .iter()
                .any(|l| l.quarter == next && l.org_kind == org_kind);
            if !set {
                out.push(Reminder::TasksNotSet {
                    quarter: next,
                    org_kind,
                });
            }
        }
    }

    let mut contests: Vec<&(Uuid, Contest)> = inputs
        .contests
        .iter()
        .filter(|(_, c)| c.date == today && c.published.is_none())
        .collect();
    contests.sort_by_key(|(id, _)| *id);
    for (id, c) in contests {
        let sheets: Vec<ScoreSheet> = inputs
            .sheets
            .iter()
            .filter(|s| s.contest_id == *id)
            .cloned()
            .collect();
        let missing: usize = standings(c, &sheets)
            .iter()
            .filter(|s| !s.absent)
            .map(|s| s.missing.len())
            .sum();
        if missing > 0 {
            out.push(Reminder::SheetsMissing {
                contest_id: *id,
                missing,
            });
        }
    }

    if late_in_year
        && !inputs
            .settings
            .holidays
            .iter()
            .any(|d| d.year() == year + 1)
    {
        out.push(Reminder::HolidaysMissing { year: year + 1 });
    }
    out
}

/// The working days after `from` up to and including `to`: what is left of a notice that
/// ends on `to`, seen on `from`. 0 on its last day and after.
fn working_days_between(settings: &ProgrammeSettings, from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| settings.is_working_day(*d))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::certificate::CertStatus;
    use crate::development::mentoring::Pair;
    use crate::development::training::{Mark, TrainingKind, Via};
    use crate::people::model::WorkerRole;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn certificate(worker: u128, issued_on: NaiveDate) -> Certificate {
        Certificate {
            number: format!("HL-{worker}"),
            worker_id: id(worker),
            application_id: id(900 + worker),
            township_id: id(1),
            holder_name: "某".into(),
            category: WorkerRole::Secretary,
            grade: 1,
            grade_name: "初级".into(),
            issued_on,
            valid_until: day(2029, 1, 1),
            photo: None,
            qr: String::new(),
        }
    }

    fn line(status: CertStatus) -> StatusEntry {
        StatusEntry {
            number: String::new(),
            grade: 1,
            grade_name: "初级".into(),
            status,
            replaced_by: None,
            ended_on: None,
        }
    }

    struct Data {
        settings: ProgrammeSettings,
        notices: Vec<(Uuid, Notice)>,
        certificates: Vec<(Uuid, Certificate)>,
        statuses: Vec<(Uuid, StatusEntry)>,
        attendance: Vec<Attendance>,
        inspections: Vec<Inspection>,
        mentors: Vec<Mentor>,
        pairs: Vec<PairRecord>,
        task_lists: Vec<TaskList>,
    }

    impl Data {
        fn new() -> Data {
            Data {
                settings: ProgrammeSettings::default(),
                notices: Vec::new(),
                certificates: Vec::new(),
                statuses: Vec::new(),
                attendance: Vec::new(),
                inspections: Vec::new(),
                mentors: Vec::new(),
                pairs: Vec::new(),
                task_lists: Vec::new(),
            }
        }

        fn on(&self, today: NaiveDate) -> Vec<Reminder> {
            reminders(
                Inputs {
                    settings: &self.settings,
                    notices: &self.notices,
                    certificates: &self.certificates,
                    statuses: &self.statuses,
                    attendance: &self.attendance,
                    inspections: &self.inspections,
                    mentors: &self.mentors,
                    pairs: &self.pairs,
                    task_lists: &self.task_lists,
                    contests: &[],
                    sheets: &[],
                },
                today,
            )
        }
    }

    #[test]
    fn a_notice_is_announced_three_working_days_before_it_ends_and_until_it_is_closed() {
        let mut d = Data::new();
        d.settings.holidays.push(day(2027, 1, 1));
        // Friday 13 November 2026: Monday the 16th, Tuesday, Wednesday the 18th.
        d.notices.push((
            id(5),
            Notice {
                batch_id: id(6),
                starts_on: day(2026, 11, 11),
                ends_on: day(2026, 11, 18),
                application_ids: vec![id(7)],
                closed_on: None,
            },
        ));
        assert!(d.on(day(2026, 11, 12)).is_empty(), "four working days left");
        assert_eq!(
            d.on(day(2026, 11, 13)),
            [Reminder::NoticeEnding {
                notice_id: id(5),
                ends_on: day(2026, 11, 18),
                working_days_left: 3,
            }]
        );
        // A weekend day does not count.
        let sunday = d.on(day(2026, 11, 15));
        assert!(matches!(
            sunday[0],
            Reminder::NoticeEnding {
                working_days_left: 3,
                ..
            }
        ));
        // Ended and still open: it waits to be closed.
        let after = d.on(day(2026, 11, 20));
        assert!(matches!(
            after[0],
            Reminder::NoticeEnding {
                working_days_left: 0,
                ..
            }
        ));
        d.notices[0].1.closed_on = Some(day(2026, 11, 19));
        assert!(d.on(day(2026, 11, 20)).is_empty(), "closed: nothing to do");
    }

    #[test]
    fn from_october_holders_not_inspected_or_not_trained_this_year_are_named() {
        let mut d = Data::new();
        d.certificates
            .push((id(11), certificate(1, day(2025, 6, 1))));
        d.statuses.push((id(11), line(CertStatus::Valid)));
        // Issued this year: its first 年审 is next year.
        d.certificates
            .push((id(12), certificate(2, day(2026, 3, 1))));
        d.statuses.push((id(12), line(CertStatus::Valid)));
        // Revoked: no longer a holder.
        d.certificates
            .push((id(13), certificate(3, day(2024, 6, 1))));
        d.statuses.push((id(13), line(CertStatus::Revoked)));
        d.settings.holidays.push(day(2027, 1, 1));
        assert!(d.on(day(2026, 8, 31)).is_empty(), "not before October");
        let october = d.on(day(2026, 10, 8));
        assert_eq!(
            october,
            [
                Reminder::InspectionDue {
                    certificate_id: id(11),
                    worker_id: id(1),
                    township_id: id(1),
                    year: 2026,
                },
                Reminder::Untrained {
                    worker_id: id(1),
                    township_id: id(1),
                    year: 2026,
                },
                Reminder::Untrained {
                    worker_id: id(2),
                    township_id: id(1),
                    year: 2026,
                },
            ]
        );
        // Trained (late counts as attended), inspected: nothing left.
        for worker in [1, 2] {
            d.attendance.push(Attendance {
                session_id: id(40),
                worker_id: id(worker),
                township_id: id(1),
                mark: Mark::Late,
                via: Via::default(),
                date: day(2026, 10, 2),
                kind: TrainingKind::RoundTraining,
                hours_tenths: 20,
            });
        }
        d.inspections.push(Inspection {
            certificate_id: id(11),
            worker_id: id(1),
            township_id: id(1),
            year: 2026,
            grade: 1,
            facts: Default::default(),
            suggested: crate::certification::inspection::Outcome::Keep,
            reasons: Vec::new(),
            outcome: crate::certification::inspection::Outcome::Keep,
            note: String::new(),
            decided_by: id(99),
            decided_on: day(2026, 10, 5),
        });
        assert!(d.on(day(2026, 10, 8)).is_empty());
    }

    #[test]
    fn a_mentor_outside_three_to_five_mentees_is_named() {
        let mut d = Data::new();
        d.mentors.push(Mentor {
            worker_id: id(1),
            township_id: id(1),
            since: day(2026, 1, 1),
            until: None,
        });
        let pair = |mentee: u128, end: Option<NaiveDate>| PairRecord {
            pair: Pair {
                mentor_id: id(1),
                mentee_id: id(mentee),
                start: day(2026, 2, 1),
                end,
            },
            township_id: id(1),
        };
        d.pairs = vec![pair(2, None), pair(3, None), pair(4, Some(day(2026, 3, 1)))];
        assert_eq!(
            d.on(day(2026, 5, 5)),
            [Reminder::MenteesOutOfRange {
                worker_id: id(1),
                township_id: id(1),
                mentees: 2,
                range: MenteeRange::TooFew,
            }]
        );
        d.pairs.push(pair(5, None));
        assert!(d.on(day(2026, 5, 5)).is_empty(), "three: in range");
    }

    #[test]
    fn in_a_quarters_last_month_the_next_quarters_missing_task_lists_are_named() {
        let mut d = Data::new();
        d.settings.holidays.push(day(2027, 1, 1));
        assert!(d.on(day(2026, 11, 30)).is_empty(), "not the last month");
        let next = Quarter { year: 2027, q: 1 };
        assert_eq!(
            d.on(day(2026, 12, 1)),
            [
                Reminder::TasksNotSet {
                    quarter: next,
                    org_kind: OrgKind::Enterprise,
                },
                Reminder::TasksNotSet {
                    quarter: next,
                    org_kind: OrgKind::SocialOrg,
                },
            ]
        );
        d.task_lists.push(TaskList {
            quarter: next,
            org_kind: OrgKind::Enterprise,
            grade: 1,
            tasks: vec!["组织生活".into()],
        });
        assert_eq!(d.on(day(2026, 12, 1)).len(), 1);
    }

    #[test]
    fn from_october_next_years_holidays_are_asked_for_until_one_is_entered() {
        let mut d = Data::new();
        assert_eq!(
            d.on(day(2026, 10, 1)),
            [Reminder::HolidaysMissing { year: 2027 }]
        );
        d.settings.holidays.push(day(2027, 2, 17));
        assert!(d.on(day(2026, 10, 1)).is_empty());
    }
}
