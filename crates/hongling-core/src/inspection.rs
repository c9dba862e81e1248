//! 年审: the yearly inspection of every active certificate, suggested from that year's
//! records. The district committee records the decision; this only suggests it, with
//! the reasons it used, so the committee sees why.
//!
//! The rule, as configured for now (see `docs/sync-protocol.md` when it is wired in):
//!
//! - **取消 (revoke)**: two or more failed duty assessments in the year, or no training
//!   at all together with a failed assessment.
//! - **降级 (downgrade)**: one failed assessment, or no training in the year (the "at
//!   least once a year" rule). At the lowest grade a downgrade is a revocation.
//! - **晋级 (promote)**: trained, no failed assessment, not at the top grade, and either
//!   an honour at city level or above (priority promotion) or at least two excellent
//!   assessments.
//! - **保持 (keep)**: otherwise.

use serde::{Deserialize, Serialize};

use crate::honour::HonourLevel;

/// The overall result of one duty assessment (日常履职考核).
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

/// What the year's records say about one certificate holder.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YearRecord {
    /// Training sessions attended this year.
    pub trainings: u32,
    /// Overall results of this year's duty assessments.
    pub assessments: Vec<AssessmentResult>,
    /// Honours of this year (the worker's or their branch's).
    pub honours: Vec<HonourLevel>,
}

/// The suggested outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Keep,
    Promote,
    Downgrade,
    Revoke,
}

impl Outcome {
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Keep => "保持",
            Outcome::Promote => "晋级",
            Outcome::Downgrade => "降级",
            Outcome::Revoke => "取消",
        }
    }
}

/// A suggestion and the reasons it rests on, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
}

/// Suggests the inspection outcome of a holder at `grade` (1 is the lowest) when the
/// highest grade is `top`.
pub fn suggest(record: &YearRecord, grade: u8, top: u8) -> Suggestion {
    let failed = record
        .assessments
        .iter()
        .filter(|a| **a == AssessmentResult::Fail)
        .count();
    let excellent = record
        .assessments
        .iter()
        .filter(|a| **a == AssessmentResult::Excellent)
        .count();
    let untrained = record.trainings == 0;
    let priority = record.honours.iter().any(|h| h.gives_priority());
    let mut reasons = Vec::new();
    if untrained {
        reasons.push("本年度未参加培训（每年至少一次）".to_owned());
    } else {
        reasons.push(format!("本年度参加培训 {} 次", record.trainings));
    }
    if failed > 0 {
        reasons.push(format!("履职考核不合格 {failed} 次"));
    }
    if excellent > 0 {
        reasons.push(format!("履职考核优秀 {excellent} 次"));
    }
    if priority {
        reasons.push("获市级及以上荣誉，优先晋级".to_owned());
    }
    let outcome = if failed >= 2 || (untrained && failed >= 1) {
        Outcome::Revoke
    } else if failed == 1 || untrained {
        if grade <= 1 {
            reasons.push("已是最低等级，降级即取消".to_owned());
            Outcome::Revoke
        } else {
            Outcome::Downgrade
        }
    } else if grade < top && (priority || excellent >= 2) {
        Outcome::Promote
    } else {
        if grade >= top && (priority || excellent >= 2) {
            reasons.push("已是最高等级".to_owned());
        }
        Outcome::Keep
    };
    Suggestion { outcome, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssessmentResult::{Excellent, Fail, Pass};

    fn year(
        trainings: u32,
        assessments: &[AssessmentResult],
        honours: &[HonourLevel],
    ) -> YearRecord {
        YearRecord {
            trainings,
            assessments: assessments.to_vec(),
            honours: honours.to_vec(),
        }
    }

    #[test]
    fn every_outcome_with_its_reasons() {
        // Trained, passed: keep.
        let s = suggest(&year(2, &[Pass, Pass], &[]), 1, 2);
        assert_eq!(s.outcome, Outcome::Keep);
        assert_eq!(s.reasons, ["本年度参加培训 2 次"]);
        // City-level honour: priority promotion.
        let s = suggest(&year(1, &[Pass], &[HonourLevel::City]), 1, 2);
        assert_eq!(s.outcome, Outcome::Promote);
        assert!(s.reasons.iter().any(|r| r.contains("优先晋级")));
        // A county honour alone is not enough; two excellent assessments are.
        assert_eq!(
            suggest(&year(1, &[Pass], &[HonourLevel::County]), 1, 2).outcome,
            Outcome::Keep
        );
        assert_eq!(
            suggest(&year(1, &[Excellent, Excellent], &[]), 1, 2).outcome,
            Outcome::Promote
        );
        // Already at the top grade: kept, and said so.
        let s = suggest(&year(1, &[Excellent, Excellent], &[]), 2, 2);
        assert_eq!(s.outcome, Outcome::Keep);
        assert!(s.reasons.iter().any(|r| r.contains("最高等级")));
        // No training: downgrade, or revoke at the lowest grade.
        assert_eq!(
            suggest(&year(0, &[Pass], &[]), 2, 2).outcome,
            Outcome::Downgrade
        );
        let s = suggest(&year(0, &[Pass], &[]), 1, 2);
        assert_eq!(s.outcome, Outcome::Revoke);
        assert!(s.reasons[0].contains("未参加培训"));
        // One failed assessment: downgrade, even with an honour.
        assert_eq!(
            suggest(&year(3, &[Fail, Excellent], &[HonourLevel::Province]), 2, 2).outcome,
            Outcome::Downgrade
        );
        // Two failed, or untrained and failed: revoke.
        assert_eq!(
            suggest(&year(2, &[Fail, Fail], &[]), 2, 2).outcome,
            Outcome::Revoke
        );
        assert_eq!(
            suggest(&year(0, &[Fail], &[]), 2, 2).outcome,
            Outcome::Revoke
        );
    }
}
