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

//!
//! The tablet computes the year's facts from the records it holds (the server's rules
//! see one record at a time) and the decision carries them: the inspection keeps the
//! suggestion the committee saw next to the decision it took.
//!
//! A downgrade, and an approved promotion request (filed by a 党建工作指导站), end the
//! certificate (已降级 / 已换发) and send its application back to 待发证 at the new
//! grade; the server issues the new certificate in the same transaction, as for any
//! application that waits for one. A revocation ends the certificate (已取消).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::certification::certificate::{CertStatus, Certificate, StatusEntry};
use crate::certification::{Stage, load_application, settings};
use crate::fieldwork::AssessmentResult;
use crate::kernel::conflict::decide_once;
use crate::kernel::grant::{Role, holds_in_township};
use crate::kernel::record::{RecordKey, RecordKind, derived_id};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::kernel::{committee_only, load, put};
use crate::people::honour::HonourLevel;

/// What the year's records say about one certificate holder.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct YearRecord {
    /// Training sessions attended this year.
    pub trainings: u32,
    /// Overall results of this year's duty assessments.
    #[serde(default)]
    pub assessments: Vec<AssessmentResult>,
    /// Honours of this year (the worker's or their branch's).
    #[serde(default)]
    pub honours: Vec<HonourLevel>,
}

/// What this device's records say about `worker` in `year`: sessions attended (present
/// or late), assessment results, and honours not corrected since.
pub fn year_record(
    worker: Uuid,
    year: i32,
    attendance: &[crate::development::training::Attendance],
    visits: &[crate::fieldwork::Visit],
    honours: &[crate::people::honour::Honour],
) -> YearRecord {
    use chrono::Datelike;
    YearRecord {
        trainings: attendance
            .iter()
            .filter(|a| a.worker_id == worker && a.mark.attended() && a.date.year() == year)
            .count() as u32,
        assessments: crate::fieldwork::results_in_year(visits, worker, year),
        honours: honours
            .iter()
            .filter(|h| h.worker_id == worker && h.year == year && h.superseded_by.is_none())
            .map(|h| h.level)
            .collect(),
    }
}

/// The suggested outcome.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
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

/// A suggestion and the reasons it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
}

/// One reason behind a suggested outcome; a screen words it in its user's language, the
/// inspection record keeps the Chinese ([`Reason::text_zh`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No training this year (at least one a year is required).
    Untrained,
    /// Trained this many times this year.
    Trained(u32),
    /// Failed this many duty assessments.
    Failed(usize),
    /// Rated excellent this many times.
    Excellent(usize),
    /// A city-level honour or above: promotion first.
    Honoured,
    /// Already the lowest grade: a downgrade revokes.
    LowestGrade,
    /// Already the highest grade.
    TopGrade,
}

impl Reason {
    pub fn text_zh(self) -> String {
        match self {
            Reason::Untrained => "本年度未参加培训（每年至少一次）".to_owned(),
            Reason::Trained(n) => format!("本年度参加培训 {n} 次"),
            Reason::Failed(n) => format!("履职考核不合格 {n} 次"),
            Reason::Excellent(n) => format!("履职考核优秀 {n} 次"),
            Reason::Honoured => "获市级及以上荣誉，优先晋级".to_owned(),
            Reason::LowestGrade => "已是最低等级，降级即取消".to_owned(),
            Reason::TopGrade => "已是最高等级".to_owned(),
        }
    }
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
        reasons.push(Reason::Untrained);
    } else {
        reasons.push(Reason::Trained(record.trainings));
    }
    if failed > 0 {
        reasons.push(Reason::Failed(failed));
    }
    if excellent > 0 {
        reasons.push(Reason::Excellent(excellent));
    }
    if priority {
        reasons.push(Reason::Honoured);
    }
    let outcome = if failed >= 2 || (untrained && failed >= 1) {
        Outcome::Revoke
    } else if failed == 1 || untrained {
        if grade <= 1 {
            reasons.push(Reason::LowestGrade);
            Outcome::Revoke
        } else {
            Outcome::Downgrade
        }
    } else if grade < top && (priority || excellent >= 2) {
        Outcome::Promote
    } else {
        if grade >= top && (priority || excellent >= 2) {
            reasons.push(Reason::TopGrade);
        }
        Outcome::Keep
    };
    Suggestion { outcome, reasons }
}

/// The inspection of one certificate in one year (record `inspection`; id from
/// [`inspection_id`]), kept where the holder works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub certificate_id: Uuid,
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub year: i32,
    /// The grade held when inspected.
    pub grade: u8,
    pub facts: YearRecord,
    pub suggested: Outcome,
    pub reasons: Vec<String>,
    pub outcome: Outcome,
    #[serde(default)]
    pub note: String,
    pub decided_by: Uuid,
    pub decided_on: NaiveDate,
}

/// The id of a certificate's inspection in a year: one per year, whoever records it.
pub fn inspection_id(certificate: Uuid, year: i32) -> Uuid {
    derived_id(&[
        "hongling inspection",
        &certificate.to_string(),
        &year.to_string(),
    ])
}

/// The committee records an inspection decision.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionRecordV1 {
    pub certificate_id: Uuid,
    pub year: i32,
    pub facts: YearRecord,
    pub outcome: Outcome,
    #[serde(default)]
    pub note: String,
    pub decided_on: NaiveDate,
}

/// A promotion request (record `promotion`), kept where the holder works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub certificate_id: Uuid,
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub from_grade: u8,
    pub to_grade: u8,
    pub reason: String,
    pub filed_by: Uuid,
    pub filed_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<PromotionDecision>,
}

/// The committee's decision on a promotion request.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionDecision {
    pub approve: bool,
    #[serde(default)]
    pub note: String,
    pub by: Uuid,
    pub on: NaiveDate,
}

/// A guidance station asks for a holder's promotion.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionRequestV1 {
    pub id: Uuid,
    pub certificate_id: Uuid,
    pub to_grade: u8,
    pub reason: String,
    pub filed_on: NaiveDate,
}

/// The committee approves or declines a promotion request.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionDecideV1 {
    pub id: Uuid,
    pub approve: bool,
    #[serde(default)]
    pub note: String,
    pub decided_on: NaiveDate,
}

/// Who files promotion requests.
pub const PROMOTION_FILERS: [Role; 2] = [Role::DistrictCommittee, Role::GuidanceStation];

/// A valid certificate, its status line, and whether it is its application's latest.
fn valid_certificate(state: &dyn State, id: Uuid) -> Result<(Certificate, StatusEntry), Rejection> {
    let cert: Certificate = load(state, RecordKind::Certificate, id, "该证书不存在")?;
    let status: StatusEntry = load(
        state,
        RecordKind::CertificateStatus,
        id,
        "该证书不在状态列表中",
    )?;
    if status.status != CertStatus::Valid {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            format!("该证书已{}", status.status.label_zh()),
        ));
    }
    Ok((cert, status))
}

/// Ends certificate `id` with `status` on `on` and sends its application back to
/// 待发证 at `grade`.
fn regrade(
    state: &dyn State,
    id: Uuid,
    cert: &Certificate,
    mut status: StatusEntry,
    new_status: CertStatus,
    grade: u8,
    on: NaiveDate,
) -> Result<Vec<Change>, Rejection> {
    let mut app = load_application(state, cert.application_id)?;
    if app.certificate_id != Some(id) {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            "该证书已被新证书取代",
        ));
    }
    status.status = new_status;
    status.ended_on = Some(on);
    app.stage = Stage::AwaitingIssue;
    app.certificate_id = None;
    app.requested_grade = grade;
    Ok(vec![
        put(RecordKind::CertificateStatus, id, &status),
        put(RecordKind::Application, cert.application_id, &app),
    ])
}

pub(crate) fn record(
    state: &dyn State,
    actor: &Actor,
    op: &InspectionRecordV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "作出年审决定")?;
    let id = inspection_id(op.certificate_id, op.year);
    let existing = state.get(RecordKey::new(RecordKind::Inspection, id));
    decide_once(&existing, &format!("{} 年度年审", op.year))?;
    let (cert, status) = valid_certificate(state, op.certificate_id)?;
    if op.note.chars().count() > 1000 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "note",
            "意见不超过 1000 个字",
        ));
    }
    let top = settings(state)
        .grades
        .iter()
        .map(|g| g.level)
        .max()
        .unwrap_or(1);
    let suggestion = suggest(&op.facts, cert.grade, top);
    let mut changes = match op.outcome {
        Outcome::Keep | Outcome::Promote => Vec::new(),
        Outcome::Downgrade => {
            let lower = settings(state)
                .grades
                .iter()
                .map(|g| g.level)
                .filter(|l| *l < cert.grade)
                .max()
                .ok_or_else(|| {
                    Rejection::field(
                        RejectCode::InvalidData,
                        "outcome",
                        "已是最低等级，不能降级；请选择取消",
                    )
                })?;
            regrade(
                state,
                op.certificate_id,
                &cert,
                status,
                CertStatus::Downgraded,
                lower,
                op.decided_on,
            )?
        }
        Outcome::Revoke => {
            let mut status = status;
            status.status = CertStatus::Revoked;
            status.ended_on = Some(op.decided_on);
            vec![put(
                RecordKind::CertificateStatus,
                op.certificate_id,
                &status,
            )]
        }
    };
    let inspection = Inspection {
        certificate_id: op.certificate_id,
        worker_id: cert.worker_id,
        township_id: cert.township_id,
        year: op.year,
        grade: cert.grade,
        facts: op.facts.clone(),
        suggested: suggestion.outcome,
        reasons: suggestion.reasons.iter().map(|r| r.text_zh()).collect(),
        outcome: op.outcome,
        note: op.note.trim().to_owned(),
        decided_by: actor.account_id,
        decided_on: op.decided_on,
    };
    changes.insert(0, put(RecordKind::Inspection, id, &inspection));
    Ok(changes)
}

pub(crate) fn request_promotion(
    state: &dyn State,
    actor: &Actor,
    op: &PromotionRequestV1,
) -> Result<Vec<Change>, Rejection> {
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Promotion, op.id))?;
    let (cert, _) = valid_certificate(state, op.certificate_id)?;
    if !holds_in_township(&actor.grants, &PROMOTION_FILERS, cert.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "只有所属党建工作指导站可以申报晋级",
        ));
    }
    if op.to_grade <= cert.grade || settings(state).grade(op.to_grade).is_none() {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "to_grade",
            "请选择高于现有等级的等级",
        ));
    }
    let reason = op.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "reason",
            "请填写晋级理由（不超过 500 个字）",
        ));
    }
    let promotion = Promotion {
        certificate_id: op.certificate_id,
        worker_id: cert.worker_id,
        township_id: cert.township_id,
        from_grade: cert.grade,
        to_grade: op.to_grade,
        reason: reason.to_owned(),
        filed_by: actor.account_id,
        filed_on: op.filed_on,
        decision: None,
    };
    Ok(vec![put(RecordKind::Promotion, op.id, &promotion)])
}

pub(crate) fn decide_promotion(
    state: &dyn State,
    actor: &Actor,
    op: &PromotionDecideV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "审批晋级")?;
    let mut promotion: Promotion = load(state, RecordKind::Promotion, op.id, "该晋级申请不存在")?;
    decide_once(&promotion.decision, "该晋级申请")?;
    promotion.decision = Some(PromotionDecision {
        approve: op.approve,
        note: op.note.trim().to_owned(),
        by: actor.account_id,
        on: op.decided_on,
    });
    let mut changes = Vec::new();
    if op.approve {
        let (cert, status) = valid_certificate(state, promotion.certificate_id)?;
        changes = regrade(
            state,
            promotion.certificate_id,
            &cert,
            status,
            CertStatus::Superseded,
            promotion.to_grade,
            op.decided_on,
        )?;
    }
    changes.insert(0, put(RecordKind::Promotion, op.id, &promotion));
    Ok(changes)
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
        assert_eq!(s.reasons, [Reason::Trained(2)]);
        assert_eq!(s.reasons[0].text_zh(), "本年度参加培训 2 次");
        // City-level honour: priority promotion.
        let s = suggest(&year(1, &[Pass], &[HonourLevel::City]), 1, 2);
        assert_eq!(s.outcome, Outcome::Promote);
        assert!(s.reasons.contains(&Reason::Honoured));
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
        assert!(s.reasons.contains(&Reason::TopGrade));
        // No training: downgrade, or revoke at the lowest grade.
        assert_eq!(
            suggest(&year(0, &[Pass], &[]), 2, 2).outcome,
            Outcome::Downgrade
        );
        let s = suggest(&year(0, &[Pass], &[]), 1, 2);
        assert_eq!(s.outcome, Outcome::Revoke);
        assert_eq!(s.reasons[0], Reason::Untrained);
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
