//! 工作指标: the numbers of the district's dashboard, by township.
//!
//! Computed here, from decoded records, so the dashboard, its CSV export and the tests
//! agree on what "certified", "trained this year" or "an active mentor" means. The app
//! computes them from what its device holds (the committee's holds everything).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::certification::GradeDef;
use crate::certification::certificate::{Certificate, StatusEntry, standing};
use crate::certification::inspection::{Inspection, Outcome};
use crate::certification::pool::PoolEntry;
use crate::development::mentoring::{Mentor, PairRecord};
use crate::development::training::Attendance;
use crate::fieldwork::Visit;
use crate::fieldwork::tasks::Quarter;
use crate::people::model::Worker;

/// Everything the indicators read.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Townships in display order.
    pub townships: Vec<(Uuid, String)>,
    pub workers: Vec<(Uuid, Worker)>,
    pub certificates: Vec<(Uuid, Certificate)>,
    pub statuses: Vec<(Uuid, StatusEntry)>,
    pub pool: Vec<PoolEntry>,
    pub attendance: Vec<Attendance>,
    pub visits: Vec<Visit>,
    pub mentors: Vec<Mentor>,
    pub pairs: Vec<PairRecord>,
    pub inspections: Vec<Inspection>,
    pub grades: Vec<GradeDef>,
}

/// A certified worker: the holder of a valid certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub certificate_id: Uuid,
    pub grade: u8,
}

/// The holders of valid certificates (one line per worker: their highest grade).
pub fn holders(inputs: &Inputs) -> Vec<Holder> {
    let valid: BTreeSet<Uuid> = inputs
        .statuses
        .iter()
        .filter(|(_, s)| standing(Some(s)).is_valid())
        .map(|(id, _)| *id)
        .collect();
    let mut by_worker: BTreeMap<Uuid, Holder> = BTreeMap::new();
    for (id, c) in &inputs.certificates {
        if !valid.contains(id) {
            continue;
        }
        let holder = Holder {
            worker_id: c.worker_id,
            township_id: c.township_id,
            certificate_id: *id,
            grade: c.grade,
        };
        by_worker
            .entry(c.worker_id)
            .and_modify(|h| {
                if holder.grade > h.grade {
                    *h = holder.clone();
                }
            })
            .or_insert(holder);
    }
    by_worker.into_values().collect()
}

/// One indicator: a table by township, with a total row, that a chart draws and a CSV
/// export writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// A stable id for tests and file names.
    pub id: &'static str,
    /// What the table counts, as data: a screen names it in its user's language.
    pub heading: Heading,
    /// The columns, as data (`columns` holds their Chinese names).
    pub column_kinds: Vec<Column>,
    /// The heading in Chinese (the CSV and the server's documents).
    pub title: String,
    pub columns: Vec<String>,
    /// One row per township, then 合计.
    pub rows: Vec<(String, Vec<i64>)>,
    /// Whether the values are percentages (drawn on a 0–100 scale).
    pub percent: bool,
}

/// The colours of a chart's bars, one per column (RGB hex, the app's palette): the screen's
/// chart and the `.docx`'s draw with the same.
pub const CHART_COLOURS: [&str; 4] = ["c8102e", "e8a317", "2f7d4f", "5a6b7d"];

impl Table {
    /// The table as text rows, in Chinese: a header (乡镇（街道） and the columns), then a
    /// row per township and 合计 (the CSV, and the annual report's appendix).
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        let mut rows = vec![
            std::iter::once("乡镇（街道）".to_owned())
                .chain(self.columns.iter().cloned())
                .collect::<Vec<_>>(),
        ];
        for (label, values) in &self.rows {
            rows.push(
                std::iter::once(label.clone())
                    .chain(values.iter().map(i64::to_string))
                    .collect(),
            );
        }
        rows
    }

    /// The table as CSV (UTF-8 with a byte-order mark, for Excel).
    pub fn csv(&self) -> String {
        crate::kernel::csv::write(&self.text_rows())
    }

    /// The total row's values.
    pub fn total(&self) -> &[i64] {
        self.rows.last().map(|r| r.1.as_slice()).unwrap_or(&[])
    }

    /// The rows a chart draws: one per township, without 合计.
    pub fn chart_rows(&self) -> &[(String, Vec<i64>)] {
        &self.rows[..self.rows.len().saturating_sub(1)]
    }

    /// The value a full bar stands for: 100 for percentages, else the largest township
    /// value (at least 1), so the screen's chart and the `.docx`'s agree.
    pub fn chart_max(&self) -> i64 {
        if self.percent {
            return 100;
        }
        self.chart_rows()
            .iter()
            .flat_map(|r| r.1.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1)
    }
}

/// What an indicator table counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heading {
    Pool,
    Certified,
    Management,
    Training { year: i32 },
    Assessments { quarter: String },
    Mentoring,
    Inspections { year: i32 },
}

impl Heading {
    pub fn title_zh(&self) -> String {
        match self {
            Heading::Pool => "培育库人数".to_owned(),
            Heading::Certified => "持证人数（按等级）".to_owned(),
            Heading::Management => "持证人中担任中层以上职务的比例".to_owned(),
            Heading::Training { year } => format!("{year} 年培训覆盖率"),
            Heading::Assessments { quarter } => format!("{quarter} 履职考核"),
            Heading::Mentoring => "导师帮带".to_owned(),
            Heading::Inspections { year } => format!("{year} 年年审结果"),
        }
    }
}

/// One column of an indicator table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Admitted,
    /// A grade, by its name in the settings (data).
    Grade(String),
    SharePercent,
    CoveragePercent,
    Assessment(crate::fieldwork::AssessmentResult),
    Mentors,
    Mentees,
    Outcome(Outcome),
}

impl Column {
    pub fn label_zh(&self) -> String {
        match self {
            Column::Admitted => "已入库".to_owned(),
            Column::Grade(name) => name.clone(),
            Column::SharePercent => "占比（%）".to_owned(),
            Column::CoveragePercent => "覆盖率（%）".to_owned(),
            Column::Assessment(r) => r.label_zh().to_owned(),
            Column::Mentors => "导师".to_owned(),
            Column::Mentees => "学员".to_owned(),
            Column::Outcome(o) => o.label_zh().to_owned(),
        }
    }
}

/// Whole percent, rounded half up; 0 when there is nothing to divide.
pub fn percent(part: usize, whole: usize) -> i64 {
    if whole == 0 {
        0
    } else {
        ((part * 200 + whole) / (whole * 2)) as i64
    }
}

/// Builds a table: `f` gives a township's values (`None` for the total).
fn table(
    inputs: &Inputs,
    id: &'static str,
    heading: Heading,
    column_kinds: Vec<Column>,
    percent: bool,
    f: impl Fn(Option<Uuid>) -> Vec<i64>,
) -> Table {
    let mut rows: Vec<(String, Vec<i64>)> = inputs
        .townships
        .iter()
        .map(|(id, name)| (name.clone(), f(Some(*id))))
        .collect();
    rows.push(("合计".to_owned(), f(None)));
    Table {
        id,
        title: heading.title_zh(),
        columns: column_kinds.iter().map(Column::label_zh).collect(),
        heading,
        column_kinds,
        rows,
        percent,
    }
}

fn in_town(town: Option<Uuid>, t: Uuid) -> bool {
    town.is_none_or(|x| x == t)
}

/// Every indicator of the dashboard on `today`.
pub fn dashboard(inputs: &Inputs, today: NaiveDate) -> Vec<Table> {
    let holders = holders(inputs);
    let year = today.year();
    let quarter = Quarter::of(today);
    let workers: BTreeMap<Uuid, &Worker> = inputs.workers.iter().map(|(id, w)| (*id, w)).collect();
    let trained = crate::development::training::trained_in(&inputs.attendance, year);
    let mut out = Vec::new();

    out.push(table(
        inputs,
        "pool",
        Heading::Pool,
        vec![Column::Admitted],
        false,
        |town| {
            let admitted: BTreeSet<Uuid> = inputs
                .pool
                .iter()
                .filter(|p| in_town(town, p.township_id))
                .filter(|p| p.decision.as_ref().is_some_and(|d| d.admitted))
                .map(|p| p.worker_id)
                .collect();
            vec![admitted.len() as i64]
        },
    ));

    let mut grades = inputs.grades.clone();
    grades.sort_by_key(|g| g.level);
    out.push(table(
        inputs,
        "certified",
        Heading::Certified,
        grades
            .iter()
            .map(|g| Column::Grade(g.name.clone()))
            .collect(),
        false,
        |town| {
            grades
                .iter()
                .map(|g| {
                    holders
                        .iter()
                        .filter(|h| in_town(town, h.township_id) && h.grade == g.level)
                        .count() as i64
                })
                .collect()
        },
    ));

    out.push(table(
        inputs,
        "management",
        Heading::Management,
        vec![Column::SharePercent],
        true,
        |town| {
            let here: Vec<&Holder> = holders
                .iter()
                .filter(|h| in_town(town, h.township_id))
                .collect();
            let managers = here
                .iter()
                .filter(|h| {
                    workers
                        .get(&h.worker_id)
                        .is_some_and(|w| !w.management_post.trim().is_empty())
                })
                .count();
            vec![percent(managers, here.len())]
        },
    ));

    out.push(table(
        inputs,
        "training",
        Heading::Training { year },
        vec![Column::CoveragePercent],
        true,
        |town| {
            let here: Vec<&Holder> = holders
                .iter()
                .filter(|h| in_town(town, h.township_id))
                .collect();
            let done = here
                .iter()
                .filter(|h| trained.contains(&h.worker_id))
                .count();
            vec![percent(done, here.len())]
        },
    ));

    use crate::fieldwork::AssessmentResult as R;
    out.push(table(
        inputs,
        "assessments",
        Heading::Assessments {
            quarter: String::from(quarter),
        },
        R::ALL.iter().map(|r| Column::Assessment(*r)).collect(),
        false,
        |town| {
            R::ALL
                .iter()
                .map(|r| {
                    inputs
                        .visits
                        .iter()
                        .filter(|v| in_town(town, v.township_id))
                        .flat_map(|v| v.assessments.iter())
                        .filter(|a| a.quarter == quarter && a.result == *r)
                        .count() as i64
                })
                .collect()
        },
    ));

    out.push(table(
        inputs,
        "mentoring",
        Heading::Mentoring,
        vec![Column::Mentors, Column::Mentees],
        false,
        |town| {
            let mentors = inputs
                .mentors
                .iter()
                .filter(|m| in_town(town, m.township_id))
                .filter(|m| m.since <= today && m.until.is_none_or(|u| today <= u))
                .count();
            let mentees: BTreeSet<Uuid> = inputs
                .pairs
                .iter()
                .filter(|p| in_town(town, p.township_id) && p.pair.active_on(today))
                .map(|p| p.pair.mentee_id)
                .collect();
            vec![mentors as i64, mentees.len() as i64]
        },
    ));

    let outcomes = [
        Outcome::Keep,
        Outcome::Promote,
        Outcome::Downgrade,
        Outcome::Revoke,
    ];
    out.push(table(
        inputs,
        "inspections",
        Heading::Inspections { year },
        outcomes.iter().map(|o| Column::Outcome(*o)).collect(),
        false,
        |town| {
            outcomes
                .iter()
                .map(|o| {
                    inputs
                        .inspections
                        .iter()
                        .filter(|i| in_town(town, i.township_id) && i.year == year)
                        .filter(|i| i.outcome == *o)
                        .count() as i64
                })
                .collect()
        },
    ));
    out
}

/// 总览: the programme's headline figures as the article reports them, district-wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// 培育库人数.
    pub pool: i64,
    /// 持证人数 by grade, lowest grade first: the grade's name and its holders.
    pub certified: Vec<(String, i64)>,
    /// 中层以上职务占比, in whole percent.
    pub management_percent: i64,
    /// 年度培训覆盖率, in whole percent.
    pub training_percent: i64,
    /// 帮带结对: pairs active on the day.
    pub pairs: usize,
    /// 导师工作室: studios founded by the day.
    pub studios: usize,
}

/// The headline on `today`: the dashboard's own totals (so the two never disagree), with
/// the pairs and studios counted.
pub fn headline(
    inputs: &Inputs,
    studios: &[crate::development::mentoring::Studio],
    today: NaiveDate,
) -> Headline {
    let tables = dashboard(inputs, today);
    let total = |id: &str| -> Vec<i64> {
        tables
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.total().to_vec())
            .unwrap_or_default()
    };
    let first = |id: &str| total(id).first().copied().unwrap_or(0);
    let certified = tables
        .iter()
        .find(|t| t.id == "certified")
        .map(|t| {
            t.column_kinds
                .iter()
                .zip(t.total())
                .map(|(c, n)| {
                    let name = match c {
                        Column::Grade(name) => name.clone(),
                        other => other.label_zh(),
                    };
                    (name, *n)
                })
                .collect()
        })
        .unwrap_or_default();
    Headline {
        pool: first("pool"),
        certified,
        management_percent: first("management"),
        training_percent: first("training"),
        pairs: inputs
            .pairs
            .iter()
            .filter(|p| p.pair.active_on(today))
            .count(),
        studios: studios.iter().filter(|s| s.founded <= today).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::ProgrammeSettings;
    use crate::certification::certificate::CertStatus;
    use crate::certification::inspection::YearRecord;
    use crate::certification::pool::PoolDecision;
    use crate::development::mentoring::Pair;
    use crate::development::training::{Mark, TrainingKind, Via};
    use crate::fieldwork::AssessmentResult;
    use crate::fieldwork::DutyAssessment;
    use crate::people::model::WorkerRole;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_dashboard_counts_holders_training_assessments_mentors_and_inspections() {
        let (a, b) = (id(1), id(2));
        let worker = |t, post: &str| Worker {
            name: "某".into(),
            organization_id: id(9),
            township_id: t,
            role: WorkerRole::Secretary,
            management_post: post.into(),
            years_in_post: 1,
            photo: None,
            id_card_masked: None,
        };
        let cert = |w: u128, t, grade| Certificate {
            number: format!("HL2026-{w:05}"),
            worker_id: id(w),
            application_id: id(w + 100),
            township_id: t,
            holder_name: "某".into(),
            category: WorkerRole::Secretary,
            grade,
            grade_name: String::new(),
            issued_on: d(1, 1),
            valid_until: d(12, 31),
            photo: None,
            qr: String::new(),
        };
        let status = |s| StatusEntry {
            number: String::new(),
            grade: 1,
            grade_name: String::new(),
            status: s,
            replaced_by: None,
            ended_on: None,
        };
        let attend = |w: u128, date, mark| Attendance {
            session_id: id(500),
            worker_id: id(w),
            township_id: a,
            mark,
            via: Via::Manual,
            date,
            kind: TrainingKind::Classroom,
            hours_tenths: 20,
        };
        let inputs = Inputs {
            townships: vec![(a, "古井镇".into()), (b, "华佗镇".into())],
            workers: vec![
                (id(10), worker(a, "副总经理")),
                (id(11), worker(a, "")),
                (id(12), worker(b, "主任")),
                (id(13), worker(b, "")),
            ],
            certificates: vec![
                (id(20), cert(10, a, 1)),
                // 10 was promoted: the valid grade-2 certificate counts, once.
                (id(21), cert(10, a, 2)),
                (id(22), cert(11, a, 1)),
                (id(23), cert(12, b, 1)),
                // Revoked: not a holder.
                (id(24), cert(13, b, 1)),
            ],
            statuses: vec![
                (id(20), status(CertStatus::Superseded)),
                (id(21), status(CertStatus::Valid)),
                (id(22), status(CertStatus::Valid)),
                (id(23), status(CertStatus::Valid)),
                (id(24), status(CertStatus::Revoked)),
            ],
            pool: vec![PoolEntry {
                worker_id: id(13),
                township_id: b,
                notes: String::new(),
                filed_by: id(0),
                decision: Some(PoolDecision {
                    admitted: true,
                    by: id(0),
                    comment: String::new(),
                }),
            }],
            attendance: vec![
                attend(10, d(3, 1), Mark::Present),
                // Absent does not count, nor does last year.
                attend(11, d(3, 1), Mark::Absent),
                attend(12, NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(), Mark::Late),
            ],
            visits: vec![Visit {
                organization_id: id(9),
                township_id: a,
                date: d(11, 2),
                people_met: "书记".into(),
                notes: String::new(),
                photos: Vec::new(),
                assessments: vec![DutyAssessment {
                    worker_id: id(10),
                    quarter: Quarter::parse("2026Q4").unwrap(),
                    tasks: Vec::new(),
                    result: AssessmentResult::Excellent,
                    comment: String::new(),
                }],
                recorded_by: id(0),
            }],
            mentors: vec![Mentor {
                worker_id: id(10),
                township_id: a,
                since: d(1, 1),
                until: None,
            }],
            pairs: vec![PairRecord {
                pair: Pair {
                    mentor_id: id(10),
                    mentee_id: id(11),
                    start: d(2, 1),
                    end: None,
                },
                township_id: a,
            }],
            inspections: vec![Inspection {
                certificate_id: id(24),
                worker_id: id(13),
                township_id: b,
                year: 2026,
                grade: 1,
                facts: YearRecord::default(),
                suggested: Outcome::Revoke,
                reasons: Vec::new(),
                outcome: Outcome::Revoke,
                note: String::new(),
                decided_by: id(0),
                decided_on: d(11, 20),
            }],
            grades: ProgrammeSettings::default().grades,
        };
        let tables = dashboard(&inputs, d(11, 27));
        let get = |id: &str| tables.iter().find(|t| t.id == id).unwrap().clone();
        assert_eq!(get("pool").rows[1].1, [1]);
        let certified = get("certified");
        assert_eq!(certified.columns, ["初级", "中级"]);
        assert_eq!(certified.rows[0], ("古井镇".to_owned(), vec![1, 1]));
        assert_eq!(certified.total(), [2, 1]);
        // 2 of 3 holders hold a management post: 67 %.
        assert_eq!(get("management").total(), [67]);
        // 1 of 3 holders trained this year: 33 %; 古井镇 1 of 2: 50 %.
        let training = get("training");
        assert_eq!(training.rows[0].1, [50]);
        assert_eq!(training.total(), [33]);
        assert_eq!(get("assessments").total(), [1, 0, 0]);
        assert_eq!(get("mentoring").rows[0].1, [1, 1]);
        assert_eq!(get("inspections").total(), [0, 0, 0, 1]);
        assert_eq!(
            get("training").csv(),
            "\u{feff}乡镇（街道）,覆盖率（%）\r\n古井镇,50\r\n华佗镇,0\r\n合计,33\r\n"
        );
        assert_eq!(percent(1, 8), 13);
        assert_eq!(percent(0, 0), 0);

        // 总览 shows the same totals, with the pairs and studios of the day.
        let studio = |founded| crate::development::mentoring::Studio {
            name: "红领工作室".into(),
            mentor_id: id(10),
            founded,
            subsidies: Default::default(),
        };
        let head = headline(&inputs, &[studio(d(6, 1)), studio(d(12, 1))], d(11, 27));
        assert_eq!(
            head,
            Headline {
                pool: 1,
                certified: vec![("初级".into(), 2), ("中级".into(), 1)],
                management_percent: 67,
                training_percent: 33,
                pairs: 1,
                studios: 1,
            }
        );
        // A pair that ended no longer counts.
        let mut ended = inputs.clone();
        ended.pairs[0].pair.end = Some(d(10, 1));
        assert_eq!(headline(&ended, &[], d(11, 27)).pairs, 0);
    }
}
