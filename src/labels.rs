//! The user's-language label of each of the core's enums.
//!
//! The core names its enums in Chinese (`label_zh`) for the server's exports; the app shows
//! the text of the locale files instead, so English mode shows English. Each `match` is
//! exhaustive: a new variant is a compile error here until it has a text.

use crate::i18n::{Key, Lang, Msg, t, tr};

/// An enum the app shows by name.
pub trait Label: Copy {
    fn key(self) -> Key;

    /// The label in `lang`.
    fn label(self, lang: Lang) -> &'static str {
        t(lang, self.key())
    }
}

impl Label for hongling_core::training::TrainingKind {
    fn key(self) -> Key {
        match self {
            hongling_core::training::TrainingKind::RoundTraining => Key::TrainingKindRoundTraining,
            hongling_core::training::TrainingKind::Classroom => Key::TrainingKindClassroom,
            hongling_core::training::TrainingKind::Brainstorm => Key::TrainingKindBrainstorm,
            hongling_core::training::TrainingKind::Contest => Key::TrainingKindContest,
            hongling_core::training::TrainingKind::TeachingBase => Key::TrainingKindTeachingBase,
        }
    }
}

impl Label for hongling_core::training::Mark {
    fn key(self) -> Key {
        match self {
            hongling_core::training::Mark::Present => Key::MarkPresent,
            hongling_core::training::Mark::Late => Key::MarkLate,
            hongling_core::training::Mark::Absent => Key::MarkAbsent,
        }
    }
}

impl Label for hongling_core::inspection::Outcome {
    fn key(self) -> Key {
        match self {
            hongling_core::inspection::Outcome::Keep => Key::InspectionOutcomeKeep,
            hongling_core::inspection::Outcome::Promote => Key::InspectionOutcomePromote,
            hongling_core::inspection::Outcome::Downgrade => Key::InspectionOutcomeDowngrade,
            hongling_core::inspection::Outcome::Revoke => Key::InspectionOutcomeRevoke,
        }
    }
}

impl Label for hongling_core::pool::PoolStatus {
    fn key(self) -> Key {
        match self {
            hongling_core::pool::PoolStatus::Pending => Key::PoolStatusPending,
            hongling_core::pool::PoolStatus::Admitted => Key::PoolStatusAdmitted,
            hongling_core::pool::PoolStatus::NotAdmitted => Key::PoolStatusNotAdmitted,
        }
    }
}

impl Label for hongling_core::certification::ReviewStage {
    fn key(self) -> Key {
        match self {
            hongling_core::certification::ReviewStage::Township => Key::ReviewStageTownship,
            hongling_core::certification::ReviewStage::District => Key::ReviewStageDistrict,
            hongling_core::certification::ReviewStage::Committee => Key::ReviewStageCommittee,
        }
    }
}

impl Label for hongling_core::certification::Stage {
    fn key(self) -> Key {
        match self {
            hongling_core::certification::Stage::Review(s) => s.key(),
            hongling_core::certification::Stage::AwaitingNotice => Key::StageAwaitingNotice,
            hongling_core::certification::Stage::InNotice => Key::StageInNotice,
            hongling_core::certification::Stage::AwaitingIssue => Key::StageAwaitingIssue,
            hongling_core::certification::Stage::Issued => Key::StageIssued,
            hongling_core::certification::Stage::Returned => Key::StageReturned,
            hongling_core::certification::Stage::Rejected => Key::StageRejected,
        }
    }
}

impl Label for hongling_core::certification::RecommendationKind {
    fn key(self) -> Key {
        match self {
            hongling_core::certification::RecommendationKind::TwoRepresentativesOneMember => {
                Key::RecommendationKindTwoRepresentativesOneMember
            }
            hongling_core::certification::RecommendationKind::ExcellentPartyMember => {
                Key::RecommendationKindExcellentPartyMember
            }
            hongling_core::certification::RecommendationKind::ExcellentPartyWorker => {
                Key::RecommendationKindExcellentPartyWorker
            }
        }
    }
}

impl Label for hongling_core::certificate::CertStatus {
    fn key(self) -> Key {
        match self {
            hongling_core::certificate::CertStatus::Valid => Key::CertStatusValid,
            hongling_core::certificate::CertStatus::Revoked => Key::CertStatusRevoked,
            hongling_core::certificate::CertStatus::Downgraded => Key::CertStatusDowngraded,
            hongling_core::certificate::CertStatus::Superseded => Key::CertStatusSuperseded,
            hongling_core::certificate::CertStatus::Void => Key::CertStatusVoid,
        }
    }
}

impl Label for hongling_core::certificate::Standing {
    fn key(self) -> Key {
        match self {
            hongling_core::certificate::Standing::Known(s) => s.key(),
            hongling_core::certificate::Standing::Unknown => Key::StandingUnknown,
        }
    }
}

impl Label for hongling_core::wire::SecurityEvent {
    fn key(self) -> Key {
        match self {
            hongling_core::wire::SecurityEvent::LoginSucceeded => Key::SecurityEventLoginSucceeded,
            hongling_core::wire::SecurityEvent::LoginFailed => Key::SecurityEventLoginFailed,
            hongling_core::wire::SecurityEvent::PasswordChanged => {
                Key::SecurityEventPasswordChanged
            }
            hongling_core::wire::SecurityEvent::PasswordReset => Key::SecurityEventPasswordReset,
            hongling_core::wire::SecurityEvent::AccountCreated => Key::SecurityEventAccountCreated,
            hongling_core::wire::SecurityEvent::GrantsChanged => Key::SecurityEventGrantsChanged,
            hongling_core::wire::SecurityEvent::AccountDisabled => {
                Key::SecurityEventAccountDisabled
            }
            hongling_core::wire::SecurityEvent::AccountEnabled => Key::SecurityEventAccountEnabled,
            hongling_core::wire::SecurityEvent::DeviceRevoked => Key::SecurityEventDeviceRevoked,
            hongling_core::wire::SecurityEvent::Import => Key::SecurityEventImport,
            hongling_core::wire::SecurityEvent::Export => Key::SecurityEventExport,
            hongling_core::wire::SecurityEvent::Backup => Key::SecurityEventBackup,
            hongling_core::wire::SecurityEvent::Restore => Key::SecurityEventRestore,
        }
    }
}

impl Label for hongling_core::fieldwork::TaskRating {
    fn key(self) -> Key {
        match self {
            hongling_core::fieldwork::TaskRating::Done => Key::TaskRatingDone,
            hongling_core::fieldwork::TaskRating::Partly => Key::TaskRatingPartly,
            hongling_core::fieldwork::TaskRating::NotDone => Key::TaskRatingNotDone,
        }
    }
}

impl Label for hongling_core::fieldwork::AssessmentResult {
    fn key(self) -> Key {
        match self {
            hongling_core::fieldwork::AssessmentResult::Excellent => Key::AssessmentResultExcellent,
            hongling_core::fieldwork::AssessmentResult::Pass => Key::AssessmentResultPass,
            hongling_core::fieldwork::AssessmentResult::Fail => Key::AssessmentResultFail,
        }
    }
}

impl Label for hongling_core::OrgKind {
    fn key(self) -> Key {
        match self {
            hongling_core::OrgKind::Enterprise => Key::OrgKindEnterprise,
            hongling_core::OrgKind::SocialOrg => Key::OrgKindSocialOrg,
        }
    }
}

impl Label for hongling_core::WorkerRole {
    fn key(self) -> Key {
        match self {
            hongling_core::WorkerRole::Secretary => Key::WorkerRoleSecretary,
            hongling_core::WorkerRole::Instructor => Key::WorkerRoleInstructor,
        }
    }
}

impl Label for hongling_core::honour::HonourLevel {
    fn key(self) -> Key {
        match self {
            hongling_core::honour::HonourLevel::County => Key::HonourLevelCounty,
            hongling_core::honour::HonourLevel::City => Key::HonourLevelCity,
            hongling_core::honour::HonourLevel::Province => Key::HonourLevelProvince,
            hongling_core::honour::HonourLevel::National => Key::HonourLevelNational,
        }
    }
}

impl Label for hongling_core::honour::HonourHolder {
    fn key(self) -> Key {
        match self {
            hongling_core::honour::HonourHolder::Worker => Key::HonourHolderWorker,
            hongling_core::honour::HonourHolder::Branch => Key::HonourHolderBranch,
        }
    }
}

impl Label for hongling_core::Role {
    fn key(self) -> Key {
        use hongling_core::Role;
        match self {
            Role::DistrictCommittee => Key::RoleDistrictCommittee,
            Role::DistrictReviewer => Key::RoleDistrictReviewer,
            Role::TownshipReviewer => Key::RoleTownshipReviewer,
            Role::GuidanceStation => Key::RoleGuidanceStation,
            Role::Instructor => Key::RoleInstructorGrant,
            Role::Supervisor => Key::RoleSupervisor,
            Role::ContestAdmin => Key::RoleContestAdmin,
            Role::Judge => Key::RoleJudge,
            Role::Worker => Key::RoleWorker,
        }
    }
}

/// What `op` does, in words, in `lang` (the inbox, a record's history). Exhaustive: a new
/// op is a compile error here until it has a text.
pub fn op_text(lang: Lang, op: &hongling_core::Op) -> String {
    use hongling_core::Op;
    use hongling_core::certification::Outcome;
    match op {
        Op::WorkerCreateV1(c) => tr(
            lang,
            Msg::OpWorkerCreate {
                name: &c.name.trim(),
            },
        ),
        Op::WorkerUpdateV1(u) => match &u.name {
            Some(name) => tr(lang, Msg::OpWorkerRename { name: &name.trim() }),
            None => t(lang, Key::OpWorkerUpdate).to_owned(),
        },
        Op::OrganizationCreateV1(o) => tr(
            lang,
            Msg::OpOrganizationCreate {
                name: &o.name.trim(),
            },
        ),
        Op::SettingsUpdateV1(_) => t(lang, Key::OpSettingsUpdate).to_owned(),
        Op::BatchCreateV1(b) => tr(
            lang,
            Msg::OpBatchCreate {
                name: &b.name.trim(),
            },
        ),
        Op::BatchCloseV1(_) => t(lang, Key::OpBatchClose).to_owned(),
        Op::ApplicationFileV1(_) => t(lang, Key::OpApplicationFile).to_owned(),
        Op::ApplicationResubmitV1(_) => t(lang, Key::OpApplicationResubmit).to_owned(),
        Op::ApplicationDecideV1(d) => tr(
            lang,
            Msg::OpApplicationDecide {
                stage: &d.stage.label(lang),
                outcome: &t(
                    lang,
                    match d.outcome {
                        Outcome::Approve => Key::OutcomeApprove,
                        Outcome::Return => Key::OutcomeReturn,
                        Outcome::Reject => Key::OutcomeReject,
                    },
                ),
            },
        ),
        Op::NoticeOpenV1(n) => tr(
            lang,
            Msg::OpNoticeOpen {
                count: &n.application_ids.len(),
            },
        ),
        Op::NoticeObjectV1(_) => t(lang, Key::OpNoticeObject).to_owned(),
        Op::NoticeCloseV1(_) => t(lang, Key::OpNoticeClose).to_owned(),
        Op::CertificateReissueV1(_) => t(lang, Key::OpCertificateReissue).to_owned(),
        Op::RecommendationRecordV1(r) => tr(
            lang,
            Msg::OpRecommendationRecord {
                kind: &r.kind.label(lang),
            },
        ),
        Op::PoolCriteriaPublishV1(_) => t(lang, Key::OpPoolCriteriaPublish).to_owned(),
        Op::PoolApplyV1(_) => t(lang, Key::OpPoolApply).to_owned(),
        Op::PoolDecideV1(d) => t(
            lang,
            if d.admit {
                Key::OpPoolAdmit
            } else {
                Key::OpPoolRefuse
            },
        )
        .to_owned(),
        Op::HonourRecordV1(h) => tr(
            lang,
            Msg::OpHonourRecord {
                title: &h.title.trim(),
            },
        ),
        Op::TasksSetV1(x) => tr(
            lang,
            Msg::OpTasksSet {
                quarter: &String::from(x.quarter),
            },
        ),
        Op::VisitRecordV1(v) => {
            if v.assessments.is_empty() {
                t(lang, Key::OpVisitRecord).to_owned()
            } else {
                tr(
                    lang,
                    Msg::OpVisitAssess {
                        count: &v.assessments.len(),
                    },
                )
            }
        }
        Op::TrainingCreateV1(x) => tr(
            lang,
            Msg::OpTrainingCreate {
                title: &x.title.trim(),
            },
        ),
        Op::TrainingAttendV1(a) => tr(
            lang,
            Msg::OpTrainingAttend {
                count: &a.marks.len(),
            },
        ),
        Op::MentorAppointV1(m) => t(
            lang,
            if m.until.is_some() {
                Key::OpMentorDismiss
            } else {
                Key::OpMentorAppoint
            },
        )
        .to_owned(),
        Op::MentoringPairV1(p) => t(
            lang,
            if p.end.is_some() {
                Key::OpPairEnd
            } else {
                Key::OpPair
            },
        )
        .to_owned(),
        Op::StudioSetV1(s) => tr(
            lang,
            Msg::OpStudioSet {
                name: &s.name.trim(),
            },
        ),
        Op::MentoringLogV1(l) => tr(
            lang,
            Msg::OpMentoringLog {
                title: &l.title.trim(),
            },
        ),
        Op::InspectionRecordV1(i) => tr(
            lang,
            Msg::OpInspectionRecord {
                year: &i.year,
                outcome: &i.outcome.label(lang),
            },
        ),
        Op::PromotionRequestV1(_) => t(lang, Key::OpPromotionRequest).to_owned(),
        Op::PromotionDecideV1(d) => t(
            lang,
            if d.approve {
                Key::OpPromotionApprove
            } else {
                Key::OpPromotionRefuse
            },
        )
        .to_owned(),
        Op::ContestCreateV1(c) => tr(
            lang,
            Msg::OpContestCreate {
                title: &c.title.trim(),
            },
        ),
        Op::ContestDrawV1(_) => t(lang, Key::OpContestDraw).to_owned(),
        Op::ContestDrawV2(d) => tr(
            lang,
            Msg::OpContestDrawPublic {
                seed: &d.seed.trim(),
            },
        ),
        Op::ContestUpdateV1(c) => tr(
            lang,
            Msg::OpContestUpdate {
                title: &c.title.trim(),
            },
        ),
        Op::ContestRecuseV1(_) => t(lang, Key::OpContestRecuse).to_owned(),
        Op::ContestAbsentV1(_) => t(lang, Key::OpContestAbsent).to_owned(),
        Op::ContestSubstituteV1(s) => tr(
            lang,
            Msg::OpContestSubstitute {
                name: &s.judge.name,
            },
        ),
        Op::SheetSaveV1(_) => t(lang, Key::OpSheetSave).to_owned(),
        Op::SheetSignV2(s) => tr(lang, Msg::OpSheetSignDevice { n: &s.revision }),
        Op::SheetRelayV1(r) => tr(
            lang,
            Msg::OpSheetRelay {
                n: &r.sheet.revision,
            },
        ),
        Op::SheetSignV1(_) => t(lang, Key::OpSheetSign).to_owned(),
        Op::SheetAutographV1(a) => tr(lang, Msg::OpSheetAutograph { n: &a.revision }),
        Op::SheetReopenV1(r) => tr(
            lang,
            Msg::OpSheetReopen {
                reason: &r.reason.trim(),
            },
        ),
        Op::SheetReopenV2(r) => tr(
            lang,
            Msg::OpSheetReopenRevision {
                n: &r.revision,
                reason: &r.reason.trim(),
            },
        ),
        Op::SheetReopenedV1(r) => tr(
            lang,
            Msg::OpSheetReopened {
                n: &r.reopen.revision,
                reason: &r.reopen.reason.trim(),
            },
        ),
        Op::ContestPublishV1(_) => t(lang, Key::OpContestPublish).to_owned(),
        Op::ContestJudgeAbsentV1(_) => t(lang, Key::OpContestJudgeAbsent).to_owned(),
    }
}

/// The app's own text for a refusal `code` (a rule's `RejectCode` or a server reply's
/// code), or `None` for a code it does not know.
pub fn refusal_key(code: &str) -> Option<Key> {
    Some(match code {
        "invalid_data" => Key::RefusalInvalidData,
        "not_found" => Key::RefusalNotFound,
        "already_exists" => Key::RefusalAlreadyExists,
        "forbidden" => Key::RefusalForbidden,
        "already_decided" => Key::RefusalAlreadyDecided,
        "sheet_locked" => Key::RefusalSheetLocked,
        "already_superseded" => Key::RefusalAlreadySuperseded,
        "blob_missing" => Key::RefusalBlobMissing,
        "unauthorized" => Key::RefusalUnauthorized,
        "too_many_attempts" => Key::RefusalTooManyAttempts,
        "wrong_password" => Key::RefusalWrongPassword,
        "weak_password" => Key::RefusalWeakPassword,
        "password_change_required" => Key::RefusalPasswordChangeRequired,
        "username_taken" => Key::RefusalUsernameTaken,
        "invalid_username" => Key::RefusalInvalidUsername,
        "invalid_display_name" => Key::RefusalInvalidDisplayName,
        "self_disable" => Key::RefusalSelfDisable,
        "session_ended" => Key::RefusalSessionEnded,
        "password_changed" => Key::RefusalPasswordChanged,
        "account_disabled" => Key::RefusalAccountDisabled,
        "device_revoked" => Key::RefusalDeviceRevoked,
        "unknown_device" => Key::RefusalUnknownDevice,
        "blob_quota" => Key::RefusalBlobQuota,
        "blob_too_large" => Key::RefusalBlobTooLarge,
        "busy" => Key::RefusalBusy,
        "timeout" => Key::RefusalTimeout,
        "internal" => Key::RefusalInternal,
        _ => return None,
    })
}

/// What to show for a refusal: in Chinese, the rule's own message (the core's and the
/// server's messages are Chinese and say exactly what is wrong, e.g. which check digit);
/// in another language, the app's text for the code. The message is the fallback for a
/// code the app does not know, and the code's text for an empty message.
pub fn refusal_text(lang: Lang, code: &str, message: &str) -> String {
    match (lang, refusal_key(code)) {
        (Lang::Zh, Some(key)) if message.trim().is_empty() => t(lang, key).to_owned(),
        (Lang::Zh, _) => message.to_owned(),
        (_, Some(key)) => t(lang, key).to_owned(),
        (_, None) if message.trim().is_empty() => code.to_owned(),
        (_, None) => message.to_owned(),
    }
}

/// An indicator table's heading in `lang`.
pub fn heading_text(lang: Lang, heading: &hongling_core::indicators::Heading) -> String {
    use hongling_core::indicators::Heading;
    match heading {
        Heading::Pool => t(lang, Key::HeadingPool).to_owned(),
        Heading::Certified => t(lang, Key::HeadingCertified).to_owned(),
        Heading::Management => t(lang, Key::HeadingManagement).to_owned(),
        Heading::Training { year } => tr(lang, Msg::HeadingTraining { year }),
        Heading::Assessments { quarter } => tr(lang, Msg::HeadingAssessments { quarter }),
        Heading::Mentoring => t(lang, Key::HeadingMentoring).to_owned(),
        Heading::Inspections { year } => tr(lang, Msg::HeadingInspections { year }),
    }
}

/// An indicator table's column in `lang` (a grade keeps the name the district gave it).
pub fn column_text(lang: Lang, column: &hongling_core::indicators::Column) -> String {
    use hongling_core::indicators::Column;
    match column {
        Column::Admitted => t(lang, Key::ColumnAdmitted).to_owned(),
        Column::Grade(name) => name.clone(),
        Column::SharePercent => t(lang, Key::ColumnSharePercent).to_owned(),
        Column::CoveragePercent => t(lang, Key::ColumnCoveragePercent).to_owned(),
        Column::Assessment(r) => r.label(lang).to_owned(),
        Column::Mentors => t(lang, Key::ColumnMentors).to_owned(),
        Column::Mentees => t(lang, Key::ColumnMentees).to_owned(),
        Column::Outcome(o) => o.label(lang).to_owned(),
    }
}

/// A reason behind a suggested inspection outcome, in `lang`.
pub fn reason_text(lang: Lang, reason: hongling_core::inspection::Reason) -> String {
    use hongling_core::inspection::Reason;
    match reason {
        Reason::Untrained => t(lang, Key::ReasonUntrained).to_owned(),
        Reason::Trained(n) => tr(lang, Msg::ReasonTrained { n: &n }),
        Reason::Failed(n) => tr(lang, Msg::ReasonFailed { n: &n }),
        Reason::Excellent(n) => tr(lang, Msg::ReasonExcellent { n: &n }),
        Reason::Honoured => t(lang, Key::ReasonHonoured).to_owned(),
        Reason::LowestGrade => t(lang, Key::ReasonLowestGrade).to_owned(),
        Reason::TopGrade => t(lang, Key::ReasonTopGrade).to_owned(),
    }
}

/// What to show when a call to the server failed: the app's text for the server's code,
/// or `offline` when the server could not be reached.
pub fn api_error_text(lang: Lang, e: &crate::sync::api::ApiError, offline: Key) -> String {
    use crate::sync::api::ApiError;
    match e {
        ApiError::Network(_) => t(lang, offline).to_owned(),
        ApiError::Server { body, .. } => refusal_text(lang, &body.code, &body.message),
        other => other.to_string(),
    }
}

/// Why a new password may not be used, in `lang` (the core's rule).
pub fn password_problem_text(lang: Lang, p: hongling_core::password::PasswordProblem) -> String {
    use hongling_core::password::{MAX_BYTES, MIN_CHARS, PasswordProblem};
    match p {
        PasswordProblem::TooShort => tr(lang, Msg::PasswordTooShort { n: &MIN_CHARS }),
        PasswordProblem::TooLong => tr(lang, Msg::PasswordTooLong { n: &MAX_BYTES }),
        PasswordProblem::SameAsUsername => t(lang, Key::PasswordSameAsUsername).to_owned(),
        PasswordProblem::Common => t(lang, Key::PasswordCommon).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use hongling_core::certificate::{CertStatus, Standing};
    use hongling_core::certification::{RecommendationKind, ReviewStage, Stage};
    use hongling_core::fieldwork::{AssessmentResult, TaskRating};
    use hongling_core::honour::{HonourHolder, HonourLevel};
    use hongling_core::inspection::Outcome;
    use hongling_core::pool::PoolStatus;
    use hongling_core::training::{Mark, TrainingKind};
    use hongling_core::wire::SecurityEvent;
    use hongling_core::{OrgKind, Role, WorkerRole};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::i18n::has_cjk;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn agree<L: Label>(items: impl IntoIterator<Item = L>, zh: impl Fn(L) -> &'static str) {
        for item in items {
            assert_eq!(item.label(Lang::Zh), zh(item), "{:?}", item.key());
            let en = item.label(Lang::En);
            assert!(!has_cjk(en), "{:?} is not English: {en}", item.key());
        }
    }

    /// The locale files say in Chinese what the core's exports say: one name per thing.
    #[wasm_bindgen_test]
    fn every_label_is_the_cores_chinese_name() {
        agree(TrainingKind::ALL, TrainingKind::label_zh);
        agree(Mark::ALL, Mark::label_zh);
        agree(
            [
                Outcome::Keep,
                Outcome::Promote,
                Outcome::Downgrade,
                Outcome::Revoke,
            ],
            Outcome::label_zh,
        );
        agree(PoolStatus::ALL, PoolStatus::label_zh);
        let reviews = [
            ReviewStage::Township,
            ReviewStage::District,
            ReviewStage::Committee,
        ];
        agree(reviews, ReviewStage::label_zh);
        let stages = reviews.into_iter().map(Stage::Review).chain([
            Stage::AwaitingNotice,
            Stage::InNotice,
            Stage::AwaitingIssue,
            Stage::Issued,
            Stage::Returned,
            Stage::Rejected,
        ]);
        agree(stages, Stage::label_zh);
        agree(RecommendationKind::ALL, RecommendationKind::label_zh);
        let statuses = [
            CertStatus::Valid,
            CertStatus::Revoked,
            CertStatus::Downgraded,
            CertStatus::Superseded,
            CertStatus::Void,
        ];
        agree(statuses, CertStatus::label_zh);
        let standings = statuses
            .into_iter()
            .map(Standing::Known)
            .chain([Standing::Unknown]);
        agree(standings, Standing::label_zh);
        agree(SecurityEvent::ALL, SecurityEvent::label_zh);
        agree(TaskRating::ALL, TaskRating::label_zh);
        agree(AssessmentResult::ALL, AssessmentResult::label_zh);
        agree([OrgKind::Enterprise, OrgKind::SocialOrg], OrgKind::label_zh);
        agree(
            [WorkerRole::Secretary, WorkerRole::Instructor],
            WorkerRole::label_zh,
        );
        agree(HonourLevel::ALL, HonourLevel::label_zh);
        agree(
            [HonourHolder::Worker, HonourHolder::Branch],
            HonourHolder::label_zh,
        );
        agree(Role::ALL, Role::label_zh);
    }

    /// The inbox and the history say in Chinese what the server's audit trail says, for
    /// every type of op; English has words for every one of them.
    #[wasm_bindgen_test]
    fn every_op_text_is_the_cores_description() {
        let mut rng = hongling_core::random::Rng::new(14);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..3000 {
            let op = rng.op();
            assert_eq!(
                op_text(Lang::Zh, &op),
                op.describe_zh(),
                "{}",
                op.type_name()
            );
            let en = op_text(Lang::En, &op);
            assert!(!en.is_empty());
            seen.insert(op.type_name());
        }
        let every: std::collections::BTreeSet<_> =
            hongling_core::Op::WIRE_NAMES.into_iter().collect();
        assert_eq!(seen, every, "3,000 random ops reach every type");
    }

    /// Every code the core's rules refuse with has the app's own text, and English
    /// shows it instead of the Chinese message.
    #[wasm_bindgen_test]
    fn every_rule_refusal_code_has_the_apps_text() {
        use hongling_core::RejectCode;
        for code in RejectCode::ALL {
            let key = refusal_key(code.as_str()).expect("a text for every RejectCode");
            let en = refusal_text(Lang::En, code.as_str(), "姓名不能为空");
            assert_eq!(en, t(Lang::En, key));
        }
        assert_eq!(
            refusal_text(Lang::Zh, "invalid_data", "姓名不能为空"),
            "姓名不能为空"
        );
        // A code the app does not know: the server's message is all there is.
        assert_eq!(
            refusal_text(Lang::En, "brand_new_code", "新的原因"),
            "新的原因"
        );
    }

    /// The dashboard's Chinese headings and columns are the core's (the CSV's).
    #[wasm_bindgen_test]
    fn indicator_headings_and_columns_are_the_cores_chinese() {
        use hongling_core::indicators::{Column, Heading};
        for h in [
            Heading::Pool,
            Heading::Certified,
            Heading::Management,
            Heading::Training { year: 2026 },
            Heading::Assessments {
                quarter: "2026Q3".into(),
            },
            Heading::Mentoring,
            Heading::Inspections { year: 2026 },
        ] {
            assert_eq!(heading_text(Lang::Zh, &h), h.title_zh());
            assert!(!has_cjk(&heading_text(Lang::En, &h)));
        }
        let mut columns = vec![
            Column::Admitted,
            Column::SharePercent,
            Column::CoveragePercent,
            Column::Mentors,
            Column::Mentees,
        ];
        columns.extend(AssessmentResult::ALL.map(Column::Assessment));
        columns.extend([Outcome::Keep, Outcome::Revoke].map(Column::Outcome));
        for c in columns {
            assert_eq!(column_text(Lang::Zh, &c), c.label_zh());
            assert!(!has_cjk(&column_text(Lang::En, &c)));
        }
    }

    /// The inspection page's reasons say in Chinese what the inspection record keeps.
    #[wasm_bindgen_test]
    fn every_inspection_reason_is_the_cores_chinese() {
        use hongling_core::inspection::Reason;
        for r in [
            Reason::Untrained,
            Reason::Trained(2),
            Reason::Failed(1),
            Reason::Excellent(3),
            Reason::Honoured,
            Reason::LowestGrade,
            Reason::TopGrade,
        ] {
            assert_eq!(reason_text(Lang::Zh, r), r.text_zh());
            assert!(!has_cjk(&reason_text(Lang::En, r)));
        }
    }

    /// The password form says in Chinese what the core's rule says (and the server).
    #[wasm_bindgen_test]
    fn every_password_problem_is_the_cores_chinese() {
        use hongling_core::password::PasswordProblem;
        for p in [
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::SameAsUsername,
            PasswordProblem::Common,
        ] {
            assert_eq!(password_problem_text(Lang::Zh, p), p.to_string());
            assert!(!has_cjk(&password_problem_text(Lang::En, p)));
        }
    }
}
