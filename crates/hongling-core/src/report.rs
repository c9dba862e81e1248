//! 年度工作报告: what a district office sends upward about a year of the programme.
//!
//! Why here: the report is printed from the committee's tablet and downloaded from the
//! server as `.docx` and XLSX; the three must carry the same numbers, so they are counted
//! once, from decoded records, by [`annual`]. The indicators are the dashboard's own
//! ([`crate::indicators::dashboard`]) on the report's day: the year's last day, or today
//! while the year runs.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::certification::inspection::Outcome;
use crate::certification::{Application, Batch, RecommendationKind};
use crate::contest::ContestResults;
use crate::development::mentoring::Studio;
use crate::development::training::{TrainingKind, TrainingSession};
use crate::indicators::{Headline, Inputs, Table, dashboard, headline};
use crate::people::honour::{Honour, HonourLevel};

/// Everything the report reads besides the indicators' inputs.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub indicators: &'a Inputs,
    pub applications: &'a [(Uuid, Application)],
    pub batches: &'a [(Uuid, Batch)],
    pub sessions: &'a [(Uuid, TrainingSession)],
    pub studios: &'a [(Uuid, Studio)],
    pub results: &'a [ContestResults],
    pub honours: &'a [Honour],
    pub recommendations: &'a [crate::certification::Recommendation],
}

/// Certificates issued in the year in one batch at one grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The batch's name with its category (党组织书记 / 党建工作指导员).
    pub batch: String,
    pub grade: String,
    pub count: usize,
}

/// The year's 红领学院 sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    pub sessions: usize,
    /// Their length together, in tenths of an hour.
    pub hours_tenths: u32,
    /// Sessions per kind, every kind listed.
    pub by_kind: Vec<(TrainingKind, usize)>,
    /// People marked present or late, summed over sessions.
    pub attendances: usize,
}

/// A 导师工作室 and the subsidy it received in the year, in yuan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudioLine {
    pub name: String,
    pub mentor: String,
    pub subsidy: i64,
}

/// A contest of the year and its first places (several on a shared first place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestLine {
    pub title: String,
    pub date: NaiveDate,
    pub contestants: usize,
    /// Places 1 to 3, each with the names on it.
    pub winners: Vec<(u32, Vec<String>)>,
}

/// The figures of one year's report.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReport {
    pub year: i32,
    /// The day the indicators are taken on.
    pub as_of: NaiveDate,
    pub headline: Headline,
    /// The dashboard's tables on `as_of`.
    pub tables: Vec<Table>,
    pub issued: Vec<Issued>,
    /// 年审 outcomes of the year: 保持, 晋级, 降级, 取消.
    pub inspections: Vec<(Outcome, usize)>,
    pub training: Training,
    /// Pairs active at some time in the year.
    pub pairs: usize,
    pub studios: Vec<StudioLine>,
    pub contests: Vec<ContestLine>,
    /// Honours of the year by level.
    pub honours: Vec<(HonourLevel, usize)>,
    /// 推优推先 of the year by kind.
    pub recommendations: Vec<(RecommendationKind, usize)>,
}

impl AnnualReport {
    /// Certificates issued in the year, all batches and grades.
    pub fn issued_total(&self) -> usize {
        self.issued.iter().map(|i| i.count).sum()
    }

    /// The studios' subsidies of the year together, in yuan.
    pub fn subsidies_total(&self) -> i64 {
        self.studios.iter().map(|s| s.subsidy).sum()
    }
}

/// The office that issues the report (and the certificates).
pub const ISSUER_ZH: &str = "中共亳州市谯城区委非公有制经济组织和社会组织工作委员会";

/// One part of the document: a heading and a table whose first row is its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub rows: Vec<Vec<String>>,
}

impl AnnualReport {
    /// The document's date as an official document writes it.
    pub fn date_zh(&self) -> String {
        self.as_of.format("%Y年%m月%d日").to_string()
    }

    /// The indicator table drawn as a chart above section `n` of the `sections` that
    /// [`AnnualReport::sections_zh`] returned: the last sections are the indicator tables,
    /// in order.
    pub fn chart_of(&self, n: usize, sections: usize) -> Option<&Table> {
        n.checked_sub(sections.checked_sub(self.tables.len())?)
            .and_then(|i| self.tables.get(i))
    }

    /// The document's title.
    pub fn title_zh(&self) -> String {
        format!("{} 年度红领认证工作报告", self.year)
    }

    /// The document as the office sends it upward, always in Chinese: the same sections,
    /// rows and numbers in the printed page, the `.docx` and the XLSX.
    pub fn sections_zh(&self) -> Vec<Section> {
        let h = &self.headline;
        let certified: i64 = h.certified.iter().map(|(_, n)| n).sum();
        let by_grade = h
            .certified
            .iter()
            .map(|(g, n)| format!("{g} {n}"))
            .collect::<Vec<_>>()
            .join("、");
        let row = |cells: &[&str]| cells.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>();
        let mut out = vec![Section {
            heading: format!("一、主要指标（截至 {}）", self.as_of),
            rows: vec![
                row(&["指标", "数值", "说明"]),
                row(&["培育库人数", &h.pool.to_string(), ""]),
                row(&["持证人数", &certified.to_string(), &by_grade]),
                row(&[
                    "中层以上职务占比（%）",
                    &h.management_percent.to_string(),
                    "持证人中担任中层以上职务的比例",
                ]),
                row(&[
                    "年度培训覆盖率（%）",
                    &h.training_percent.to_string(),
                    "持证人中本年度参加培训的比例",
                ]),
                row(&["帮带结对", &h.pairs.to_string(), "截至当日在帮的结对"]),
                row(&["导师工作室", &h.studios.to_string(), ""]),
            ],
        }];

        let mut issued = vec![row(&["批次", "等级", "发证数"])];
        for i in &self.issued {
            issued.push(vec![i.batch.clone(), i.grade.clone(), i.count.to_string()]);
        }
        issued.push(row(&["合计", "", &self.issued_total().to_string()]));
        out.push(Section {
            heading: "二、证书发放".to_owned(),
            rows: issued,
        });

        let mut inspections = vec![row(&["年审结果", "人数"])];
        for (o, n) in &self.inspections {
            inspections.push(row(&[o.label_zh(), &n.to_string()]));
        }
        out.push(Section {
            heading: "三、年度审核".to_owned(),
            rows: inspections,
        });

        let t = &self.training;
        let mut training = vec![
            row(&["项目", "数值"]),
            row(&["培训场次", &t.sessions.to_string()]),
            row(&[
                "培训时长（小时）",
                &crate::development::training::hours_text(t.hours_tenths),
            ]),
            row(&["参训人次", &t.attendances.to_string()]),
            row(&["持证人培训覆盖率（%）", &h.training_percent.to_string()]),
        ];
        for (k, n) in &t.by_kind {
            training.push(row(&[
                &format!("其中：{}（场）", k.label_zh()),
                &n.to_string(),
            ]));
        }
        out.push(Section {
            heading: "四、红领学院培训".to_owned(),
            rows: training,
        });

        let mut mentoring = vec![row(&["导师工作室", "导师", "年度补贴（元）"])];
        for st in &self.studios {
            mentoring.push(vec![
                st.name.clone(),
                st.mentor.clone(),
                st.subsidy.to_string(),
            ]);
        }
        mentoring.push(row(&["合计", "", &self.subsidies_total().to_string()]));
        mentoring.push(row(&["年内帮带结对", "", &self.pairs.to_string()]));
        out.push(Section {
            heading: "五、导师帮带".to_owned(),
            rows: mentoring,
        });

        let mut contests = vec![row(&[
            "比赛",
            "日期",
            "参赛人数",
            "第一名",
            "第二名",
            "第三名",
        ])];
        for c in &self.contests {
            let place = |p: u32| {
                c.winners
                    .iter()
                    .find(|(n, _)| *n == p)
                    .map(|(_, names)| names.join("、"))
                    .unwrap_or_default()
            };
            contests.push(vec![
                c.title.clone(),
                c.date.to_string(),
                c.contestants.to_string(),
                place(1),
                place(2),
                place(3),
            ]);
        }
        out.push(Section {
            heading: "六、红领实训比赛".to_owned(),
            rows: contests,
        });

        let mut honours = vec![row(&["类别", "人数"])];
        for (l, n) in &self.honours {
            honours.push(row(&[
                &format!("荣誉表彰·{}", l.label_zh()),
                &n.to_string(),
            ]));
        }
        for (k, n) in &self.recommendations {
            honours.push(row(&[
                &format!("推优推先·{}", k.label_zh()),
                &n.to_string(),
            ]));
        }
        out.push(Section {
            heading: "七、荣誉表彰与推优推先".to_owned(),
            rows: honours,
        });

        // The indicators by township, as the dashboard shows them.
        for table in &self.tables {
            out.push(Section {
                heading: format!("附：{}", table.title),
                rows: table.text_rows(),
            });
        }
        out
    }
}

/// The report of `year` as known on `today`.
pub fn annual(src: Sources<'_>, year: i32, today: NaiveDate) -> AnnualReport {
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let as_of = last.min(today);
    let inputs = src.indicators;
    let worker_name = |id: Uuid| {
        inputs
            .workers
            .iter()
            .find(|(w, _)| *w == id)
            .map(|(_, w)| w.name.clone())
            .unwrap_or_default()
    };

    // Certificates issued in the year, by the batch of their application and their grade.
    let mut issued: Vec<Issued> = Vec::new();
    let mut grades = inputs.grades.clone();
    grades.sort_by_key(|g| g.level);
    let mut batches: Vec<&(Uuid, Batch)> = src.batches.iter().collect();
    batches.sort_by(|a, b| (a.1.year, &a.1.name).cmp(&(b.1.year, &b.1.name)));
    for (batch_id, batch) in &batches {
        for g in &grades {
            let count = inputs
                .certificates
                .iter()
                .filter(|(_, c)| c.issued_on.year() == year && c.grade == g.level)
                .filter(|(_, c)| {
                    src.applications
                        .iter()
                        .any(|(id, a)| *id == c.application_id && a.batch_id == *batch_id)
                })
                .count();
            if count > 0 {
                issued.push(Issued {
                    // A year's first batch runs for both categories: the name says which.
                    batch: format!("{}（{}）", batch.name, batch.category.label_zh()),
                    grade: g.name.clone(),
                    count,
                });
            }
        }
    }

    let outcomes = [
        Outcome::Keep,
        Outcome::Promote,
        Outcome::Downgrade,
        Outcome::Revoke,
    ];
    let inspections = outcomes
        .iter()
        .map(|o| {
            let n = inputs
                .inspections
                .iter()
                .filter(|i| i.year == year && i.outcome == *o)
                .count();
            (*o, n)
        })
        .collect();

    let sessions: Vec<&(Uuid, TrainingSession)> = src
        .sessions
        .iter()
        .filter(|(_, s)| s.date.year() == year)
        .collect();
    let in_year: BTreeSet<Uuid> = sessions.iter().map(|(id, _)| *id).collect();
    let training = Training {
        sessions: sessions.len(),
        hours_tenths: sessions.iter().map(|(_, s)| s.hours_tenths).sum(),
        by_kind: TrainingKind::ALL
            .iter()
            .map(|k| (*k, sessions.iter().filter(|(_, s)| s.kind == *k).count()))
            .collect(),
        attendances: inputs
            .attendance
            .iter()
            .filter(|a| in_year.contains(&a.session_id) && a.mark.attended())
            .count(),
    };

    let pairs = inputs
        .pairs
        .iter()
        .filter(|p| p.pair.start <= last && p.pair.end.is_none_or(|e| first <= e))
        .count();
    let mut studios: Vec<StudioLine> = src
        .studios
        .iter()
        .filter(|(_, s)| s.founded <= last)
        .map(|(_, s)| StudioLine {
            name: s.name.clone(),
            mentor: worker_name(s.mentor_id),
            subsidy: s.subsidies.get(&year).copied().unwrap_or(0),
        })
        .collect();
    studios.sort_by(|a, b| a.name.cmp(&b.name));

    let mut contests: Vec<ContestLine> = src
        .results
        .iter()
        .filter(|r| r.date.year() == year)
        .map(|r| ContestLine {
            title: r.title.clone(),
            date: r.date,
            contestants: r.standings.iter().filter(|s| !s.absent).count(),
            winners: (1..=3)
                .map(|place| {
                    let names: Vec<String> = r
                        .standings
                        .iter()
                        .filter(|s| s.rank == Some(place))
                        .map(|s| s.name.clone())
                        .collect();
                    (place, names)
                })
                .filter(|(_, names)| !names.is_empty())
                .collect(),
        })
        .collect();
    contests.sort_by_key(|c| c.date);

    let honours = HonourLevel::ALL
        .iter()
        .map(|l| {
            let n = src
                .honours
                .iter()
                .filter(|h| h.year == year && h.level == *l && h.superseded_by.is_none())
                .count();
            (*l, n)
        })
        .collect();
    let recommendations = RecommendationKind::ALL
        .iter()
        .map(|k| {
            let n = src
                .recommendations
                .iter()
                .filter(|r| r.year == year && r.kind == *k)
                .count();
            (*k, n)
        })
        .collect();

    let studio_values: Vec<Studio> = src.studios.iter().map(|(_, s)| s.clone()).collect();
    AnnualReport {
        year,
        as_of,
        headline: headline(inputs, &studio_values, as_of),
        tables: dashboard(inputs, as_of),
        issued,
        inspections,
        training,
        pairs,
        studios,
        contests,
        honours,
        recommendations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::ProgrammeSettings;
    use crate::certification::certificate::Certificate;
    use crate::contest::{Publication, Standing};
    use crate::development::mentoring::{Pair, PairRecord};
    use crate::development::training::{Attendance, Mark, Via};
    use crate::people::model::WorkerRole;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_years_report_counts_that_year_only() {
        let cert = |n: u128, app: u128, grade: u8, issued_on| {
            (
                id(n),
                Certificate {
                    number: format!("HL-{n}"),
                    worker_id: id(n + 100),
                    application_id: id(app),
                    township_id: id(1),
                    holder_name: "某".into(),
                    category: WorkerRole::Secretary,
                    grade,
                    grade_name: String::new(),
                    issued_on,
                    valid_until: d(2029, 1, 1),
                    photo: None,
                    qr: String::new(),
                },
            )
        };
        let app = |batch: u128| -> Application {
            serde_json::from_value(serde_json::json!({
                "worker_id": id(0), "township_id": id(1), "batch_id": id(batch),
                "category": "secretary", "requested_grade": 1,
                "assessment": {"political": "good", "professional": "good", "tenure": "good",
                    "performance": "good", "recognition": "good", "notes": ""},
                "background": {"political": {"passed": true, "note": ""},
                    "ethics": {"passed": true, "note": ""}, "ability": {"passed": true, "note": ""},
                    "honours": {"passed": true, "note": ""}},
                "filed_by": id(0), "round": 1, "stage": "issued"
            }))
            .unwrap()
        };
        let batch = |name: &str| Batch {
            name: name.into(),
            year: 2026,
            category: WorkerRole::Secretary,
            closed: false,
        };
        let inputs = Inputs {
            certificates: vec![
                cert(1, 11, 1, d(2026, 3, 1)),
                cert(2, 12, 2, d(2026, 9, 1)),
                cert(3, 13, 1, d(2026, 9, 2)),
                // Last year's does not count.
                cert(4, 11, 1, d(2025, 9, 2)),
            ],
            pairs: vec![
                PairRecord {
                    pair: Pair {
                        mentor_id: id(1),
                        mentee_id: id(2),
                        start: d(2025, 3, 1),
                        end: Some(d(2026, 2, 1)),
                    },
                    township_id: id(1),
                },
                PairRecord {
                    pair: Pair {
                        mentor_id: id(1),
                        mentee_id: id(3),
                        start: d(2024, 3, 1),
                        end: Some(d(2025, 2, 1)),
                    },
                    township_id: id(1),
                },
            ],
            attendance: vec![
                Attendance {
                    session_id: id(70),
                    worker_id: id(2),
                    township_id: id(1),
                    mark: Mark::Present,
                    via: Via::default(),
                    date: d(2026, 5, 1),
                    kind: TrainingKind::Classroom,
                    hours_tenths: 35,
                },
                Attendance {
                    session_id: id(70),
                    worker_id: id(3),
                    township_id: id(1),
                    mark: Mark::Absent,
                    via: Via::default(),
                    date: d(2026, 5, 1),
                    kind: TrainingKind::Classroom,
                    hours_tenths: 35,
                },
            ],
            grades: ProgrammeSettings::default().grades,
            ..Default::default()
        };
        let session = |kind, date| TrainingSession {
            kind,
            title: "课".into(),
            date,
            place: String::new(),
            hours_tenths: 35,
            trainer: String::new(),
            created_by: id(0),
        };
        let standing = |name: &str, rank| Standing {
            contestant_id: id(0),
            name: name.into(),
            organization: String::new(),
            absent: false,
            missing: Vec::new(),
            result: None,
            score: None,
            rank: Some(rank),
            shared: false,
        };
        let results = ContestResults {
            contest_id: id(90),
            title: "实训比赛".into(),
            date: d(2026, 12, 5),
            rubric: Vec::new(),
            judges: Vec::new(),
            standings: vec![
                standing("甲", 1),
                standing("乙", 1),
                standing("丙", 3),
                standing("丁", 4),
            ],
            published: Publication {
                by: id(0),
                on: d(2026, 12, 5),
            },
            signatures: Vec::new(),
            autographs: Vec::new(),
        };
        let mut subsidies = std::collections::BTreeMap::new();
        subsidies.insert(2025, 3000);
        subsidies.insert(2026, 5000);
        let report = annual(
            Sources {
                indicators: &inputs,
                applications: &[(id(11), app(21)), (id(12), app(21)), (id(13), app(22))],
                batches: &[
                    (id(21), batch("2026年第一批")),
                    (id(22), batch("2026年第二批")),
                ],
                sessions: &[
                    (id(70), session(TrainingKind::Classroom, d(2026, 5, 1))),
                    (id(71), session(TrainingKind::Brainstorm, d(2026, 6, 1))),
                    (id(72), session(TrainingKind::Classroom, d(2025, 6, 1))),
                ],
                studios: &[(
                    id(80),
                    Studio {
                        name: "红领工作室".into(),
                        mentor_id: id(1),
                        founded: d(2025, 1, 1),
                        subsidies,
                    },
                )],
                results: &[results],
                honours: &[],
                recommendations: &[],
            },
            2026,
            d(2026, 12, 5),
        );
        assert_eq!(report.as_of, d(2026, 12, 5));
        assert_eq!(
            report.issued,
            [
                Issued {
                    batch: "2026年第一批（党组织书记）".into(),
                    grade: "初级".into(),
                    count: 1
                },
                Issued {
                    batch: "2026年第一批（党组织书记）".into(),
                    grade: "中级".into(),
                    count: 1
                },
                Issued {
                    batch: "2026年第二批（党组织书记）".into(),
                    grade: "初级".into(),
                    count: 1
                },
            ]
        );
        assert_eq!(report.issued_total(), 3);
        assert_eq!(report.training.sessions, 2);
        assert_eq!(report.training.hours_tenths, 70);
        assert_eq!(report.training.attendances, 1);
        assert_eq!(
            report
                .training
                .by_kind
                .iter()
                .find(|(k, _)| *k == TrainingKind::Classroom),
            Some(&(TrainingKind::Classroom, 1))
        );
        // The pair that ran into February counts; the one that ended last year does not.
        assert_eq!(report.pairs, 1);
        assert_eq!(report.subsidies_total(), 5000);
        assert_eq!(
            report.contests[0].winners,
            [
                (1, vec!["甲".to_owned(), "乙".to_owned()]),
                (3, vec!["丙".to_owned()])
            ]
        );
        // The document carries the same numbers, in Chinese.
        let sections = report.sections_zh();
        let find = |heading: &str| {
            sections
                .iter()
                .find(|s| s.heading.starts_with(heading))
                .unwrap()
                .clone()
        };
        assert_eq!(report.title_zh(), "2026 年度红领认证工作报告");
        assert_eq!(
            find("二、证书发放").rows.last().unwrap(),
            &["合计", "", "3"].map(String::from).to_vec()
        );
        assert_eq!(find("四、").rows[2], ["培训时长（小时）", "7"]);
        assert_eq!(find("五、").rows[2], ["合计", "", "5000"]);
        assert_eq!(
            find("六、").rows[1],
            ["实训比赛", "2026-12-05", "4", "甲、乙", "", "丙"]
                .map(String::from)
                .to_vec()
        );
        // A past year is taken on its last day.
        let past = annual(
            Sources {
                indicators: &inputs,
                applications: &[],
                batches: &[],
                sessions: &[],
                studios: &[],
                results: &[],
                honours: &[],
                recommendations: &[],
            },
            2025,
            d(2026, 12, 5),
        );
        assert_eq!(past.as_of, d(2025, 12, 31));
        assert_eq!(past.pairs, 2);
    }
}
