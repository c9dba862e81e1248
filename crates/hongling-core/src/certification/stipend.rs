//! 岗位津贴: the monthly stipend roster, prorated by the days each grade was held.
//!
//! Money is integer fen throughout. A worker's amount for a month is
//! `Σ monthly(grade) × days held at grade / days in month`, computed exactly and rounded
//! half up to the fen once per worker; the total is the sum of the rounded lines, so the
//! roster adds up as printed. On a day with two certificates (a promotion's new one and
//! the old one not yet ended) the higher grade counts.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certification::ProgrammeSettings;
use crate::certification::certificate::{Certificate, StatusEntry};

/// One worker's line of the roster.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterLine {
    pub worker_id: Uuid,
    pub name: String,
    pub township_id: Uuid,
    /// Days held at each grade level this month, lowest level first.
    pub days_by_grade: Vec<(u8, u32)>,
    pub amount_fen: u64,
}

/// A month's roster.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    pub year: i32,
    pub month: u32,
    pub days_in_month: u32,
    pub lines: Vec<RosterLine>,
    pub total_fen: u64,
}

/// The number of days in a month.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a valid month");
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a valid month");
    (next - first).num_days() as u32
}

/// Whether a certificate counts on `day`: issued, not past its validity, and not ended
/// (voided, superseded, downgraded, revoked) on or before it.
fn holds(cert: &Certificate, status: Option<&StatusEntry>, day: NaiveDate) -> bool {
    let ended = status.and_then(|s| s.ended_on).is_some_and(|e| e <= day);
    cert.issued_on <= day && day <= cert.valid_until && !ended
}

/// The roster of `year`-`month` from every certificate (with its status line).
pub fn roster(
    year: i32,
    month: u32,
    settings: &ProgrammeSettings,
    certificates: &[(Certificate, Option<StatusEntry>)],
) -> Roster {
    let days = days_in_month(year, month);
    let mut workers: Vec<Uuid> = certificates.iter().map(|(c, _)| c.worker_id).collect();
    workers.sort();
    workers.dedup();
    let mut lines = Vec::new();
    for worker in workers {
        let mine: Vec<&(Certificate, Option<StatusEntry>)> = certificates
            .iter()
            .filter(|(c, _)| c.worker_id == worker)
            .collect();
        let mut by_grade: Vec<(u8, u32)> = Vec::new();
        for d in 1..=days {
            let day = NaiveDate::from_ymd_opt(year, month, d).expect("a day of the month");
            let grade = mine
                .iter()
                .filter(|(c, s)| holds(c, s.as_ref(), day))
                .map(|(c, _)| c.grade)
                .max();
            if let Some(g) = grade {
                match by_grade.iter_mut().find(|(level, _)| *level == g) {
                    Some((_, n)) => *n += 1,
                    None => by_grade.push((g, 1)),
                }
            }
        }
        if by_grade.is_empty() {
            continue;
        }
        by_grade.sort();
        // Exact: numerator / days, rounded half up.
        let numerator: u64 = by_grade
            .iter()
            .map(|(g, n)| {
                settings
                    .grade(*g)
                    .map_or(0, |def| def.monthly_stipend_fen * u64::from(*n))
            })
            .sum();
        let amount = (2 * numerator + u64::from(days)) / (2 * u64::from(days));
        let latest = mine
            .iter()
            .max_by_key(|(c, _)| c.issued_on)
            .expect("a worker with certificates");
        lines.push(RosterLine {
            worker_id: worker,
            name: latest.0.holder_name.clone(),
            township_id: latest.0.township_id,
            days_by_grade: by_grade,
            amount_fen: amount,
        });
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name).then(a.worker_id.cmp(&b.worker_id)));
    let total_fen = lines.iter().map(|l| l.amount_fen).sum();
    Roster {
        year,
        month,
        days_in_month: days,
        lines,
        total_fen,
    }
}

/// Fen as yuan with two decimals: `12345` → `123.45`.
pub fn yuan(fen: u64) -> String {
    crate::kernel::decimal::fixed_text(fen, 2)
}

/// Parses an amount in yuan with at most two decimals into fen.
pub fn parse_yuan(s: &str) -> Option<u64> {
    crate::kernel::decimal::parse_fixed(s, 2)
}

impl Roster {
    /// The roster as rows of text: a header, one row per worker, and the total. The same
    /// rows go into CSV and XLSX exports.
    pub fn rows(
        &self,
        settings: &ProgrammeSettings,
        township_name: &dyn Fn(Uuid) -> String,
    ) -> Vec<Vec<String>> {
        let mut header = vec!["姓名".to_owned(), "乡镇（街道）".to_owned()];
        for g in &settings.grades {
            header.push(format!("{}天数", g.name));
        }
        header.push("本月天数".to_owned());
        header.push("津贴（元）".to_owned());
        let mut rows = vec![header];
        for line in &self.lines {
            let mut row = vec![line.name.clone(), township_name(line.township_id)];
            for g in &settings.grades {
                let n = line
                    .days_by_grade
                    .iter()
                    .find(|(level, _)| *level == g.level)
                    .map_or(0, |(_, n)| *n);
                row.push(n.to_string());
            }
            row.push(self.days_in_month.to_string());
            row.push(yuan(line.amount_fen));
            rows.push(row);
        }
        let mut total = vec!["合计".to_owned(), String::new()];
        total.extend(std::iter::repeat_n(
            String::new(),
            settings.grades.len() + 1,
        ));
        total.push(yuan(self.total_fen));
        rows.push(total);
        rows
    }
}

/// `2026-11` → (2026, 11).
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (NaiveDate::from_ymd_opt(y, m, 1).is_some() && (2000..=2100).contains(&y)).then_some((y, m))
}

/// The month a date is in, as `2026-11`.
pub fn month_of(day: NaiveDate) -> String {
    format!("{}-{:02}", day.year(), day.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::certificate::CertStatus;
    use crate::people::model::WorkerRole;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn cert(worker: u128, grade: u8, issued: NaiveDate) -> Certificate {
        Certificate {
            number: format!("HL2026-{worker:05}"),
            worker_id: Uuid::from_u128(worker),
            application_id: Uuid::nil(),
            township_id: Uuid::nil(),
            holder_name: format!("工作者{worker}"),
            category: WorkerRole::Secretary,
            grade,
            grade_name: String::new(),
            issued_on: issued,
            valid_until: date(2029, 12, 31),
            photo: None,
            qr: String::new(),
        }
    }

    fn ended(on: NaiveDate) -> Option<StatusEntry> {
        Some(StatusEntry {
            number: String::new(),
            grade: 1,
            grade_name: String::new(),
            status: CertStatus::Superseded,
            replaced_by: None,
            ended_on: Some(on),
        })
    }

    #[test]
    fn days_and_amounts_are_prorated_exactly_in_fen() {
        // Defaults: 初级 300.00, 中级 500.00 a month.
        let s = ProgrammeSettings::default();
        let certs = vec![
            // The whole of November (30 days) at 初级.
            (cert(1, 1, date(2026, 10, 1)), None),
            // From 11-21: 10 days at 初级 → 300 × 10 / 30 = 100.00.
            (cert(2, 1, date(2026, 11, 21)), None),
            // Promoted on 11-08: 7 days 初级, 23 days 中级 → (2100 + 11500) / 30 = 453.333…
            (cert(3, 1, date(2025, 1, 1)), ended(date(2026, 11, 8))),
            (cert(3, 2, date(2026, 11, 8)), None),
            // Not yet certified in November.
            (cert(4, 1, date(2026, 12, 1)), None),
        ];
        let r = roster(2026, 11, &s, &certs);
        assert_eq!(r.days_in_month, 30);
        type Line<'a> = (u128, &'a [(u8, u32)], u64);
        let amounts: Vec<Line> = r
            .lines
            .iter()
            .map(|l| {
                (
                    l.worker_id.as_u128(),
                    l.days_by_grade.as_slice(),
                    l.amount_fen,
                )
            })
            .collect();
        assert_eq!(
            amounts,
            vec![
                (1, &[(1, 30)][..], 30_000),
                (2, &[(1, 10)][..], 10_000),
                (3, &[(1, 7), (2, 23)][..], 45_333),
            ]
        );
        assert_eq!(r.total_fen, 85_333);
    }

    #[test]
    fn halves_round_up_and_february_has_its_own_length() {
        let mut s = ProgrammeSettings::default();
        s.grades[0].monthly_stipend_fen = 1; // 1 fen a month.
        // 14 of 28 days: exactly half a fen rounds up to 1.
        let certs = vec![(cert(1, 1, date(2026, 2, 15)), None)];
        let r = roster(2026, 2, &s, &certs);
        assert_eq!(r.days_in_month, 28);
        assert_eq!(r.lines[0].amount_fen, 1);
        // 13 of 28 days: under half rounds down.
        let certs = vec![(cert(1, 1, date(2026, 2, 16)), None)];
        assert_eq!(roster(2026, 2, &s, &certs).lines[0].amount_fen, 0);
        assert_eq!(days_in_month(2028, 2), 29);
    }

    #[test]
    fn rows_and_csv_add_up_as_printed() {
        let s = ProgrammeSettings::default();
        let certs = vec![(cert(2, 1, date(2026, 11, 21)), None)];
        let r = roster(2026, 11, &s, &certs);
        let rows = r.rows(&s, &|_| "古井镇".to_owned());
        assert_eq!(
            rows[0],
            [
                "姓名",
                "乡镇（街道）",
                "初级天数",
                "中级天数",
                "本月天数",
                "津贴（元）"
            ]
        );
        assert_eq!(rows[1], ["工作者2", "古井镇", "10", "0", "30", "100.00"]);
        assert_eq!(rows[2], ["合计", "", "", "", "", "100.00"]);
        let text = crate::kernel::csv::write(&[vec!["a,b".into(), "say \"hi\"".into()]]);
        assert_eq!(text, "\u{feff}\"a,b\",\"say \"\"hi\"\"\"\r\n");
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
    }
}
