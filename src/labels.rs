//! The user's-language label of each of the core's enums.
//!
//! The core names its enums in Chinese (`label_zh`) for the server's exports; the app shows
//! the text of the locale files instead, so English mode shows English. Each `match` is
//! exhaustive: a new variant is a compile error here until it has a text.

use crate::i18n::{Key, Lang, t};

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

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn agree<L: Label>(items: impl IntoIterator<Item = L>, zh: impl Fn(L) -> &'static str) {
        for item in items {
            assert_eq!(item.label(Lang::Zh), zh(item), "{:?}", item.key());
            assert!(item.label(Lang::En).is_ascii() || item.label(Lang::En).contains('’'));
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
}
