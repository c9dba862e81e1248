//! The panel's score of a contest (红领实训比赛), exactly.
//!
//! Judges mark each criterion in integer hundredths of a point; a weight is in hundredths
//! too (100 is ×1). A sheet's weighted total is therefore an integer in units of
//! 1/10 000 point, and a mean of totals is the exact fraction `sum / count` of such
//! units: nothing is rounded until it is shown, rounded half up to two decimals. Means
//! are compared by cross-multiplying, so two contestants tie only when their scores are
//! equal as fractions.
//!
//! The panel's rule is "去掉一个最高分、去掉一个最低分，取平均分": when a contestant's own
//! panel (after recusals) has at least `trim_from` judges, exactly one highest and one
//! lowest judge total are dropped (among equal totals, the later judge in the contest's
//! list), else the plain mean is taken. Ties on the final score are broken by the
//! configured criteria in order (the mean weighted mark of that criterion over the
//! counted sheets); contestants equal on all of them share a rank (并列).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Units of 1/10 000 point per point.
pub const UNITS_PER_POINT: i64 = 10_000;

/// One criterion of the rubric.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    /// The highest mark, in hundredths of a point (1000 is 10 points).
    pub max: u32,
    /// The weight, in hundredths (100 is ×1).
    pub weight: u32,
    /// Marks must be multiples of this, in hundredths (50 allows steps of 0.5);
    /// 1 allows any hundredth.
    pub step: u32,
}

/// Why a mark was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkError {
    #[error("“{name}”最高 {max} 分")]
    AboveMax { name: String, max: String },
    #[error("“{name}”须为 {step} 的整数倍")]
    OffStep { name: String, step: String },
    #[error("评分项数量与评分细则不符")]
    WrongCount,
    #[error("“{0}”尚未评分")]
    Missing(String),
}

/// Hundredths as a number with two decimals (`850` → `8.50`).
pub fn hundredths(v: u32) -> String {
    crate::kernel::decimal::fixed_text(u64::from(v), 2)
}

/// Parses a typed mark ("8.5", "9", "7.25") into hundredths; at most six whole digits.
pub fn parse_mark(s: &str) -> Option<u32> {
    crate::kernel::decimal::parse_fixed(s, 2)
        .filter(|v| *v < 100_000_000)
        .and_then(|v| u32::try_from(v).ok())
}

/// Checks one mark against its criterion.
pub fn check_mark(c: &Criterion, mark: u32) -> Result<(), MarkError> {
    if mark > c.max {
        return Err(MarkError::AboveMax {
            name: c.name.clone(),
            max: hundredths(c.max),
        });
    }
    if c.step > 1 && !mark.is_multiple_of(c.step) {
        return Err(MarkError::OffStep {
            name: c.name.clone(),
            step: hundredths(c.step),
        });
    }
    Ok(())
}

/// Checks a sheet's marks (a blank is allowed unless `complete` is asked for).
pub fn check_marks(
    rubric: &[Criterion],
    marks: &[Option<u32>],
    complete: bool,
) -> Result<(), MarkError> {
    if marks.len() != rubric.len() {
        return Err(MarkError::WrongCount);
    }
    for (c, m) in rubric.iter().zip(marks) {
        match m {
            Some(m) => check_mark(c, *m)?,
            None if complete => return Err(MarkError::Missing(c.name.clone())),
            None => {}
        }
    }
    Ok(())
}

/// A sheet's weighted total in units of 1/10 000 point (blanks count 0).
pub fn sheet_total(rubric: &[Criterion], marks: &[Option<u32>]) -> i64 {
    rubric
        .iter()
        .zip(marks)
        .map(|(c, m)| i64::from(m.unwrap_or(0)) * i64::from(c.weight))
        .sum()
}

/// The highest total a sheet can reach, in the same units.
pub fn max_total(rubric: &[Criterion]) -> i64 {
    rubric
        .iter()
        .map(|c| i64::from(c.max) * i64::from(c.weight))
        .sum()
}

/// An exact non-negative score: `num / den` units of 1/10 000 point.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Score {
    pub num: i64,
    pub den: i64,
}

impl Score {
    pub fn new(num: i64, den: i64) -> Score {
        assert!(den > 0, "a score's denominator is positive");
        Score { num, den }
    }

    /// Rounded half up to hundredths of a point.
    pub fn rounded_hundredths(self) -> i64 {
        // num / den units; one hundredth of a point is 100 units.
        let (n, d) = (i128::from(self.num), i128::from(self.den) * 100);
        ((2 * n + d) / (2 * d)) as i64
    }

    /// As shown: two decimals, rounded half up.
    pub fn display(self) -> String {
        let h = self.rounded_hundredths();
        format!("{}.{:02}", h / 100, h % 100)
    }
}

impl PartialEq for Score {
    fn eq(&self, other: &Score) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Score) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Score) -> Ordering {
        (i128::from(self.num) * i128::from(other.den))
            .cmp(&(i128::from(other.num) * i128::from(self.den)))
    }
}

/// One judge's signed sheet for a contestant, as the aggregation reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marked {
    pub judge_id: Uuid,
    pub marks: Vec<Option<u32>>,
}

/// A contestant's panel result.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelResult {
    /// Each counted judge's total (units of 1/10 000 point), in the panel's order.
    pub totals: Vec<(Uuid, i64)>,
    /// The dropped highest and lowest, when the rule applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped_high: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dropped_low: Option<Uuid>,
    pub score: Score,
    /// Per tie-break criterion, its mean weighted mark over the counted sheets.
    pub tie_breaks: Vec<Score>,
}

/// Aggregates the sheets of one contestant. `panel` is the contestant's panel in the
/// contest's judge order (after recusals); only sheets of panel members count, in that
/// order whatever order they arrived in. Returns `None` without any sheet.
pub fn aggregate(
    rubric: &[Criterion],
    panel: &[Uuid],
    sheets: &[Marked],
    trim_from: usize,
    tie_break: &[usize],
) -> Option<PanelResult> {
    let ordered: Vec<&Marked> = panel
        .iter()
        .filter_map(|j| sheets.iter().find(|s| s.judge_id == *j))
        .collect();
    if ordered.is_empty() {
        return None;
    }
    let totals: Vec<(Uuid, i64)> = ordered
        .iter()
        .map(|s| (s.judge_id, sheet_total(rubric, &s.marks)))
        .collect();
    let (mut dropped_high, mut dropped_low) = (None, None);
    // The rule applies to the panel's size; with sheets still missing it needs three to
    // leave one.
    if panel.len() >= trim_from.max(3) && totals.len() >= 3 {
        // Among equal totals the later judge's is dropped: `max_by_key` keeps the last
        // of equals, `min_by_key` the first (so it walks from the end).
        let hi = totals
            .iter()
            .enumerate()
            .max_by_key(|(_, t)| t.1)
            .map(|(i, _)| i)
            .expect("non-empty");
        let lo = totals
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, _)| *i != hi)
            .min_by_key(|(_, t)| t.1)
            .map(|(i, _)| i)
            .expect("three or more");
        dropped_high = Some(totals[hi].0);
        dropped_low = Some(totals[lo].0);
    }
    let counted: Vec<&&Marked> = ordered
        .iter()
        .filter(|s| Some(s.judge_id) != dropped_high && Some(s.judge_id) != dropped_low)
        .collect();
    let n = counted.len() as i64;
    let sum: i64 = counted.iter().map(|s| sheet_total(rubric, &s.marks)).sum();
    let tie_breaks = tie_break
        .iter()
        .filter_map(|&c| rubric.get(c).map(|crit| (c, crit)))
        .map(|(c, crit)| {
            let part: i64 = counted
                .iter()
                .map(|s| {
                    i64::from(s.marks.get(c).copied().flatten().unwrap_or(0))
                        * i64::from(crit.weight)
                })
                .sum();
            Score::new(part, n)
        })
        .collect();
    Some(PanelResult {
        totals,
        dropped_high,
        dropped_low,
        score: Score::new(sum, n),
        tie_breaks,
    })
}

/// Ranks results: higher score first, then the tie-break criteria in order; equal on
/// all of them, a shared rank (1, 1, 3). Returns each entry's rank and whether it is
/// shared, in the sorted order.
pub fn rank<K: Clone>(results: &[(K, PanelResult)]) -> Vec<(K, u32, bool)> {
    let key = |r: &PanelResult| (r.score, r.tie_breaks.clone());
    let mut sorted: Vec<&(K, PanelResult)> = results.iter().collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(key(&r.1)));
    let mut out: Vec<(K, u32, bool)> = Vec::with_capacity(sorted.len());
    for (i, (k, r)) in sorted.iter().enumerate() {
        let same_as_prev = i > 0 && key(&sorted[i - 1].1) == key(r);
        let rank = if same_as_prev {
            out[i - 1].1
        } else {
            i as u32 + 1
        };
        out.push((k.clone(), rank, false));
    }
    for i in 0..out.len() {
        let shared = out.iter().filter(|o| o.1 == out[i].1).count() > 1;
        out[i].2 = shared;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn j(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    /// The rubric of the worked examples: 内容 40 (×1), 表达 30 (×1), 创新 30 (×1), step 0.5.
    fn rubric() -> Vec<Criterion> {
        [("内容", 4000), ("表达", 3000), ("创新", 3000)]
            .into_iter()
            .map(|(n, max)| Criterion {
                name: n.into(),
                max,
                weight: 100,
                step: 50,
            })
            .collect()
    }

    fn sheet(judge: u8, marks: [u32; 3]) -> Marked {
        Marked {
            judge_id: j(judge),
            marks: marks.into_iter().map(Some).collect(),
        }
    }

    #[test]
    fn marks_are_checked_against_maximum_and_step() {
        let r = rubric();
        assert_eq!(parse_mark("8.5"), Some(850));
        assert_eq!(parse_mark("36"), Some(3600));
        assert_eq!(parse_mark("7.25"), Some(725));
        assert_eq!(parse_mark("7.255"), None);
        assert_eq!(parse_mark("-1"), None);
        assert!(check_mark(&r[0], 3950).is_ok());
        assert_eq!(
            check_mark(&r[0], 4050).unwrap_err().to_string(),
            "“内容”最高 40.00 分"
        );
        assert_eq!(
            check_mark(&r[1], 2525).unwrap_err().to_string(),
            "“表达”须为 0.50 的整数倍"
        );
        assert_eq!(
            check_marks(&r, &[Some(100), None, Some(100)], true),
            Err(MarkError::Missing("表达".into()))
        );
        assert!(check_marks(&r, &[Some(100), None, Some(100)], false).is_ok());
        assert_eq!(
            check_marks(&r, &[Some(100)], false),
            Err(MarkError::WrongCount)
        );
    }

    #[test]
    fn a_seven_judge_panel_drops_one_highest_and_one_lowest() {
        let r = rubric();
        let panel: Vec<Uuid> = (1..=7).map(j).collect();
        // Totals: 85, 88, 90, 92, 79, 95, 88.5.
        let sheets = vec![
            sheet(1, [3400, 2600, 2500]),
            sheet(2, [3500, 2700, 2600]),
            sheet(3, [3600, 2700, 2700]),
            sheet(4, [3700, 2800, 2700]),
            sheet(5, [3000, 2500, 2400]),
            sheet(6, [3800, 2900, 2800]),
            sheet(7, [3550, 2650, 2650]),
        ];
        let res = aggregate(&r, &panel, &sheets, 5, &[]).unwrap();
        assert_eq!(res.dropped_high, Some(j(6)));
        assert_eq!(res.dropped_low, Some(j(5)));
        // (85 + 88 + 90 + 92 + 88.5) / 5 = 443.5 / 5 = 88.70.
        assert_eq!(res.score.display(), "88.70");
        assert_eq!(res.totals.len(), 7);
    }

    #[test]
    fn a_recusal_below_the_threshold_takes_the_plain_mean() {
        let r = rubric();
        // Five judges, one recused: a panel of four, under the default threshold of 5.
        let panel: Vec<Uuid> = [1, 2, 3, 4].into_iter().map(j).collect();
        let sheets = vec![
            sheet(1, [3000, 2000, 2000]),
            sheet(2, [3500, 2500, 2500]),
            sheet(3, [4000, 3000, 3000]),
            sheet(4, [2000, 1500, 1500]),
            // The recused judge's sheet, had one been written, does not count.
            sheet(5, [0, 0, 0]),
        ];
        let res = aggregate(&r, &panel, &sheets, 5, &[]).unwrap();
        assert_eq!(res.dropped_high, None);
        assert_eq!(res.dropped_low, None);
        // (70 + 85 + 100 + 50) / 4 = 76.25.
        assert_eq!(res.score.display(), "76.25");
        assert_eq!(res.totals.len(), 4);
    }

    #[test]
    fn means_are_exact_and_shown_rounded_half_up() {
        let r = rubric();
        let panel: Vec<Uuid> = (1..=3).map(j).collect();
        // 80 + 80 + 80.5 = 240.5; / 3 = 80.1666… → 80.17.
        let sheets = vec![
            sheet(1, [3000, 2500, 2500]),
            sheet(2, [3000, 2500, 2500]),
            sheet(3, [3050, 2500, 2500]),
        ];
        let res = aggregate(&r, &panel, &sheets, 5, &[]).unwrap();
        assert_eq!(res.score.display(), "80.17");
        // Exactly half a hundredth rounds up: 0.125 → 0.13.
        assert_eq!(Score::new(1250, 1).display(), "0.13");
        assert_eq!(Score::new(1249, 1).display(), "0.12");
        // Equal as fractions, however written.
        assert_eq!(Score::new(2, 4), Score::new(1, 2));
        assert!(Score::new(1, 3) < Score::new(334, 1000));
    }

    #[test]
    fn an_absence_is_not_ranked_and_a_missing_sheet_leaves_the_rest() {
        let r = rubric();
        let panel: Vec<Uuid> = (1..=5).map(j).collect();
        assert_eq!(aggregate(&r, &panel, &[], 5, &[]), None);
        // Two of five sheets so far: too few to drop two, so the plain mean.
        let two = [sheet(1, [3000, 2000, 2000]), sheet(2, [3200, 2000, 2000])];
        let res = aggregate(&r, &panel, &two, 5, &[]).unwrap();
        assert_eq!(res.dropped_high, None);
        assert_eq!(res.score.display(), "71.00");
    }

    #[test]
    fn ties_are_broken_by_criteria_in_order_and_else_shared() {
        let r = rubric();
        let panel: Vec<Uuid> = (1..=3).map(j).collect();
        let same = |a: [u32; 3]| vec![sheet(1, a), sheet(2, a), sheet(3, a)];
        // A and B both 85; A has more 内容, so A first. C and D both 80, equal on every
        // criterion: they share third place; E is fifth.
        let results = vec![
            (
                "B",
                aggregate(&r, &panel, &same([3300, 2700, 2500]), 5, &[0, 1]).unwrap(),
            ),
            (
                "A",
                aggregate(&r, &panel, &same([3500, 2500, 2500]), 5, &[0, 1]).unwrap(),
            ),
            (
                "C",
                aggregate(&r, &panel, &same([3000, 2500, 2500]), 5, &[0, 1]).unwrap(),
            ),
            (
                "E",
                aggregate(&r, &panel, &same([3000, 2000, 2000]), 5, &[0, 1]).unwrap(),
            ),
            (
                "D",
                aggregate(&r, &panel, &same([3000, 2500, 2500]), 5, &[0, 1]).unwrap(),
            ),
        ];
        let ranked = rank(&results);
        let names: Vec<(&str, u32, bool)> = ranked.iter().map(|(k, r, s)| (*k, *r, *s)).collect();
        assert_eq!(
            names,
            [
                ("A", 1, false),
                ("B", 2, false),
                ("C", 3, true),
                ("D", 3, true),
                ("E", 5, false)
            ]
        );
    }

    /// A small deterministic generator, so the properties run the same everywhere.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn random_case(rng: &mut Rng) -> (Vec<Criterion>, Vec<Uuid>, Vec<Marked>, usize) {
        let criteria = 1 + rng.below(5) as usize;
        let rubric: Vec<Criterion> = (0..criteria)
            .map(|i| {
                let step = [1, 10, 25, 50, 100][rng.below(5) as usize];
                Criterion {
                    name: format!("c{i}"),
                    max: step * (1 + rng.below(40) as u32),
                    weight: 1 + rng.below(300) as u32,
                    step,
                }
            })
            .collect();
        let judges = 1 + rng.below(9) as usize;
        let panel: Vec<Uuid> = (1..=judges as u8).map(j).collect();
        let sheets: Vec<Marked> = panel
            .iter()
            .map(|judge| Marked {
                judge_id: *judge,
                marks: rubric
                    .iter()
                    .map(|c| Some(c.step * rng.below(u64::from(c.max / c.step) + 1) as u32))
                    .collect(),
            })
            .collect();
        let trim_from = 3 + rng.below(5) as usize;
        (rubric, panel, sheets, trim_from)
    }

    #[test]
    fn property_the_result_does_not_depend_on_the_order_sheets_arrive_in() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let (rubric, panel, mut sheets, trim) = random_case(&mut rng);
            let first = aggregate(&rubric, &panel, &sheets, trim, &[0]);
            // Shuffle (Fisher–Yates) and aggregate again.
            for i in (1..sheets.len()).rev() {
                let k = rng.below(i as u64 + 1) as usize;
                sheets.swap(i, k);
            }
            assert_eq!(aggregate(&rubric, &panel, &sheets, trim, &[0]), first);
        }
    }

    #[test]
    fn property_exactly_one_highest_and_one_lowest_are_dropped_when_the_rule_applies() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let (rubric, panel, sheets, trim) = random_case(&mut rng);
            let res = aggregate(&rubric, &panel, &sheets, trim, &[]).unwrap();
            let applies = panel.len() >= trim;
            assert_eq!(res.dropped_high.is_some(), applies);
            assert_eq!(res.dropped_low.is_some(), applies);
            if let (Some(hi), Some(lo)) = (res.dropped_high, res.dropped_low) {
                assert_ne!(hi, lo, "two different sheets are dropped");
                let total = |id| res.totals.iter().find(|t| t.0 == id).unwrap().1;
                assert!(res.totals.iter().all(|t| t.1 <= total(hi)));
                assert!(res.totals.iter().all(|t| t.1 >= total(lo)));
                // The mean is over the others, exactly.
                let rest: i64 = res.totals.iter().map(|t| t.1).sum::<i64>() - total(hi) - total(lo);
                assert_eq!(res.score, Score::new(rest, panel.len() as i64 - 2));
            } else {
                let all: i64 = res.totals.iter().map(|t| t.1).sum();
                assert_eq!(res.score, Score::new(all, panel.len() as i64));
            }
        }
    }

    #[test]
    fn property_every_result_is_within_the_rubrics_bounds() {
        let mut rng = Rng(0xdead_beef_cafe_f00d);
        for _ in 0..2000 {
            let (rubric, panel, sheets, trim) = random_case(&mut rng);
            let res = aggregate(&rubric, &panel, &sheets, trim, &[]).unwrap();
            assert!(res.score >= Score::new(0, 1));
            assert!(res.score <= Score::new(max_total(&rubric), 1));
            let lowest = res.totals.iter().map(|t| t.1).min().unwrap();
            let highest = res.totals.iter().map(|t| t.1).max().unwrap();
            assert!(res.score >= Score::new(lowest, 1) && res.score <= Score::new(highest, 1));
        }
    }
}
