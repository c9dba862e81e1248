//! The `Op` enum: every user intent that changes data.
//!
//! Each variant carries a version in its wire name (`worker.create@1`). A mutation
//! queued by an older app may sit in a tablet's outbox for days and must still apply
//! after the server is upgraded, so a variant is never changed once it has shipped: a
//! new shape is a new variant (`@2`) and the old one keeps being accepted.

use serde::{Deserialize, Serialize};

use crate::certification::{
    ApplicationDecideV1, ApplicationFileV1, ApplicationResubmitV1, BatchCreateV1,
    CertificateReissueV1, NoticeCloseV1, NoticeObjectV1, NoticeOpenV1, Outcome,
    RecommendationRecordV1, SettingsUpdateV1,
};
use crate::kernel::blob::BlobRef;
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, Rejection, State};
use crate::people::worker::{OrganizationCreateV1, WorkerCreateV1, WorkerUpdateV1};

/// Declares every op once: its wire name, variant and payload, the record it is about,
/// the attachments it names, how a device drops a full ID-card number from it, its
/// description for people, and the rule that decides it.
///
/// The enum and every method below are generated from this one table, in the manner of
/// rust-analyzer's generated syntax kinds: a new op is one entry, and the compiler asks
/// for each of its parts. No method ends in a wildcard arm a new op could fall into (the
/// attachment list once did, and a new op with photos would have skipped the
/// `blob_missing` guard).
macro_rules! ops {
    ($(
        $(#[doc = $doc:literal])*
        $wire:literal => $variant:ident($payload:ty) {
            target: |$t:pat_param| $target:expr,
            attachments: |$a:pat_param| $attachments:expr,
            id_card: |$i:pat_param| $id_card:expr,
            describe: |$d:pat_param| $describe:expr,
            panel: |$p:pat_param| $panel:expr,
            rule: $rule:path,
        }
    )*) => {
        /// One user intent. The serialized form is `{"type": "...", "data": {...}}`.
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        pub enum Op {
            $( $(#[doc = $doc])* #[serde(rename = $wire)] $variant($payload), )*
        }

        impl Op {
            /// The wire name of every op, in declaration order.
            pub const WIRE_NAMES: [&'static str; [$($wire),*].len()] = [$($wire),*];

            /// The wire name of the variant, for logs and the audit trail.
            pub fn type_name(&self) -> &'static str {
                match self {
                    $( Op::$variant(_) => $wire, )*
                }
            }

            /// The record the intent is about.
            pub fn target(&self) -> RecordKey {
                match self {
                    $( Op::$variant($t) => $target, )*
                }
            }

            /// The attachments the mutation names: they must be uploaded before it is
            /// pushed, and the server refuses it while one is missing.
            pub fn blobs(&self) -> Vec<&BlobRef> {
                match self {
                    $( Op::$variant($a) => $attachments, )*
                }
            }

            /// The op as a device may keep it in its journal: without a full ID-card
            /// number, which only committee-only records may hold. True when one was
            /// removed; a worker edit that only set the number becomes an empty edit.
            pub fn without_id_card(&self) -> (Op, bool) {
                let mut op = self.clone();
                let removed = match &mut op {
                    $( Op::$variant($i) => $id_card, )*
                };
                (op, removed)
            }

            /// A short description for people, in Chinese (the conflicts inbox, the
            /// history).
            pub fn describe_zh(&self) -> String {
                match self {
                    $( Op::$variant($d) => $describe, )*
                }
            }

            /// The accounts the op puts on a contest's panel, which the server vets
            /// before `apply` (accounts are not records).
            pub fn panel(&self) -> Option<crate::contest::Panel> {
                match self {
                    $( Op::$variant($p) => $panel, )*
                }
            }

            /// Decides the op by its rule (only [`crate::apply`] calls this, after the
            /// limits and before the dossier).
            pub(crate) fn decide(
                &self,
                state: &dyn State,
                actor: &Actor,
            ) -> Result<Vec<Change>, Rejection> {
                match self {
                    $( Op::$variant(o) => $rule(state, actor, o), )*
                }
            }
        }
    };
}

ops! {
    /// Create a 党务工作者 profile.
    "worker.create@1" => WorkerCreateV1(WorkerCreateV1) {
        target: |c| RecordKey::new(RecordKind::Worker, c.id),
        attachments: |c| c.photo.iter().collect(),
        id_card: |c| c.id_card.take().is_some(),
        describe: |c| format!("新增党务工作者：{}", c.name.trim()),
        panel: |_o| None,
        rule: crate::people::worker::create_worker,
    }
    /// Change some fields of a profile; absent fields are left alone (per-field merge).
    "worker.update@1" => WorkerUpdateV1(WorkerUpdateV1) {
        target: |u| RecordKey::new(RecordKind::Worker, u.id),
        attachments: |u| u.photo.iter().flatten().collect(),
        id_card: |u| u.id_card.take().is_some(),
        describe: |u| match &u.name {
            Some(name) => format!("修改党务工作者：{}", name.trim()),
            None => "修改党务工作者信息".to_owned(),
        },
        panel: |_o| None,
        rule: crate::people::worker::update_worker,
    }
    /// The committee adds an organisation.
    "organization.create@1" => OrganizationCreateV1(OrganizationCreateV1) {
        target: |o| RecordKey::new(RecordKind::Organization, o.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |o| format!("新增单位：{}", o.name.trim()),
        panel: |_o| None,
        rule: crate::people::worker::create_organization,
    }
    /// The committee saves the programme's settings.
    "settings.update@1" => SettingsUpdateV1(SettingsUpdateV1) {
        target: |_| RecordKey::new(RecordKind::Settings, crate::certification::SETTINGS_ID),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "修改认证设置".to_owned(),
        panel: |_o| None,
        rule: crate::certification::update_settings,
    }
    /// The committee opens a certification batch.
    "batch.create@1" => BatchCreateV1(BatchCreateV1) {
        target: |b| RecordKey::new(RecordKind::Batch, b.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |b| format!("设立认证批次：{}", b.name.trim()),
        panel: |_o| None,
        rule: crate::certification::create_batch,
    }
    /// The committee closes a batch to new applications.
    "batch.close@1" => BatchCloseV1(crate::certification::BatchCloseV1) {
        target: |b| RecordKey::new(RecordKind::Batch, b.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "截止批次申报".to_owned(),
        panel: |_o| None,
        rule: crate::certification::close_batch,
    }
    /// An instructor files a certification application.
    "application.file@1" => ApplicationFileV1(ApplicationFileV1) {
        target: |a| RecordKey::new(RecordKind::Application, a.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "申报资格认证".to_owned(),
        panel: |_o| None,
        rule: crate::certification::file_application,
    }
    /// A returned application, changed and sent again.
    "application.resubmit@1" => ApplicationResubmitV1(ApplicationResubmitV1) {
        target: |a| RecordKey::new(RecordKind::Application, a.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "重新提交认证申请".to_owned(),
        panel: |_o| None,
        rule: crate::certification::resubmit_application,
    }
    /// A review decision at one stage.
    "application.decide@1" => ApplicationDecideV1(ApplicationDecideV1) {
        target: |a| RecordKey::new(RecordKind::Application, a.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |d| format!(
            "{}：{}",
            d.stage.label_zh(),
            match d.outcome {
                Outcome::Approve => "通过",
                Outcome::Return => "退回修改",
                Outcome::Reject => "不通过",
            }
        ),
        panel: |_o| None,
        rule: crate::certification::decide,
    }
    /// Approved names go on public notice.
    "notice.open@1" => NoticeOpenV1(NoticeOpenV1) {
        target: |n| RecordKey::new(RecordKind::Notice, n.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |n| format!("发布公示（{} 人）", n.application_ids.len()),
        panel: |_o| None,
        rule: crate::certification::open_notice,
    }
    /// An objection during the notice.
    "notice.object@1" => NoticeObjectV1(NoticeObjectV1) {
        target: |o| RecordKey::new(RecordKind::Application, o.application_id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "登记公示异议".to_owned(),
        panel: |_o| None,
        rule: crate::certification::object,
    }
    /// The notice ends.
    "notice.close@1" => NoticeCloseV1(NoticeCloseV1) {
        target: |n| RecordKey::new(RecordKind::Notice, n.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "结束公示".to_owned(),
        panel: |_o| None,
        rule: crate::certification::close_notice,
    }
    /// A lost certificate is reissued under a new number.
    "certificate.reissue@1" => CertificateReissueV1(CertificateReissueV1) {
        target: |c| RecordKey::new(RecordKind::Certificate, c.certificate_id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "挂失补发证书".to_owned(),
        panel: |_o| None,
        rule: crate::certification::reissue,
    }
    /// 推优推先, recorded by the committee.
    "recommendation.record@1" => RecommendationRecordV1(RecommendationRecordV1) {
        target: |r| RecordKey::new(RecordKind::Recommendation, r.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |r| format!("推优推先：{}", r.kind.label_zh()),
        panel: |_o| None,
        rule: crate::certification::recommend,
    }
    /// The committee publishes the 培育库 entry criteria.
    "pool.criteria@1" => PoolCriteriaPublishV1(crate::certification::pool::PoolCriteriaPublishV1) {
        target: |_| RecordKey::new(RecordKind::PoolCriteria, crate::certification::pool::CRITERIA_ID),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "发布培育库入选标准".to_owned(),
        panel: |_o| None,
        rule: crate::certification::pool::publish,
    }
    /// An instructor applies for a worker to enter the 培育库.
    "pool.apply@1" => PoolApplyV1(crate::certification::pool::PoolApplyV1) {
        target: |p| RecordKey::new(RecordKind::PoolEntry, p.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "申请进入培育库".to_owned(),
        panel: |_o| None,
        rule: crate::certification::pool::apply_for,
    }
    /// The committee decides a pool application.
    "pool.decide@1" => PoolDecideV1(crate::certification::pool::PoolDecideV1) {
        target: |p| RecordKey::new(RecordKind::PoolEntry, p.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |d| if d.admit {
            "同意入库"
        } else {
            "不予入库"
        }
            .to_owned(),
        panel: |_o| None,
        rule: crate::certification::pool::decide,
    }
    /// An honour, or a correction of one.
    "honour.record@1" => HonourRecordV1(crate::people::honour::HonourRecordV1) {
        target: |h| RecordKey::new(RecordKind::Honour, h.id),
        attachments: |h| h.scan.iter().collect(),
        id_card: |_o| false,
        describe: |h| format!("登记荣誉：{}", h.title.trim()),
        panel: |_o| None,
        rule: crate::people::honour::record,
    }
    /// The committee sets a quarter's task list.
    "tasks.set@1" => TasksSetV1(crate::fieldwork::tasks::TasksSetV1) {
        target: |t| RecordKey::new(
            RecordKind::TaskList,
            crate::fieldwork::tasks::list_id(t.quarter, t.org_kind, t.grade),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |t| format!("制定季度清单任务：{}", String::from(t.quarter)),
        panel: |_o| None,
        rule: crate::fieldwork::tasks::set,
    }
    /// A site visit with its duty assessments.
    "visit.record@1" => VisitRecordV1(crate::fieldwork::VisitRecordV1) {
        target: |v| RecordKey::new(RecordKind::Visit, v.id),
        attachments: |v| v.photos.iter().collect(),
        id_card: |_o| false,
        describe: |v| if v.assessments.is_empty() {
            "登记走访".to_owned()
        } else {
            format!("登记走访及履职考核（{} 人）", v.assessments.len())
        },
        panel: |_o| None,
        rule: crate::fieldwork::record,
    }
    /// A training session is set up.
    "training.create@1" => TrainingCreateV1(crate::development::training::TrainingCreateV1) {
        target: |v| RecordKey::new(RecordKind::TrainingSession, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |t| format!("新建培训：{}", t.title.trim()),
        panel: |_o| None,
        rule: crate::development::training::create,
    }
    /// Attendance marks at a session.
    "training.attend@1" => TrainingAttendV1(crate::development::training::TrainingAttendV1) {
        target: |v| RecordKey::new(RecordKind::TrainingSession, v.session_id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |a| format!("登记出勤（{} 人）", a.marks.len()),
        panel: |_o| None,
        rule: crate::development::training::attend,
    }
    /// The committee appoints (or releases) a mentor.
    "mentor.appoint@1" => MentorAppointV1(crate::development::mentoring::MentorAppointV1) {
        target: |v| RecordKey::new(RecordKind::Mentor, v.worker_id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |m| if m.until.is_some() {
            "解聘红领导师"
        } else {
            "聘任红领导师"
        }
            .to_owned(),
        panel: |_o| None,
        rule: crate::development::mentoring::appoint,
    }
    /// A mentor–mentee pair starts or ends.
    "mentoring.pair@1" => MentoringPairV1(crate::development::mentoring::MentoringPairV1) {
        target: |v| RecordKey::new(RecordKind::MentorPair, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |p| if p.end.is_some() {
            "结束导师结对"
        } else {
            "导师结对"
        }
            .to_owned(),
        panel: |_o| None,
        rule: crate::development::mentoring::pair,
    }
    /// A mentor studio and its subsidy for a year.
    "studio.set@1" => StudioSetV1(crate::development::mentoring::StudioSetV1) {
        target: |v| RecordKey::new(RecordKind::Studio, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |s| format!("导师工作室：{}", s.name.trim()),
        panel: |_o| None,
        rule: crate::development::mentoring::set_studio,
    }
    /// A mentoring activity.
    "mentoring.log@1" => MentoringLogV1(crate::development::mentoring::MentoringLogV1) {
        target: |v| RecordKey::new(RecordKind::MentoringActivity, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |l| format!("带徒活动：{}", l.title.trim()),
        panel: |_o| None,
        rule: crate::development::mentoring::log,
    }
    /// The committee's 年审 decision on one certificate.
    "inspection.record@1" => InspectionRecordV1(crate::certification::inspection::InspectionRecordV1) {
        target: |v| RecordKey::new(
            RecordKind::Inspection,
            crate::certification::inspection::inspection_id(v.certificate_id, v.year),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |i| format!("{} 年度年审：{}", i.year, i.outcome.label_zh()),
        panel: |_o| None,
        rule: crate::certification::inspection::record,
    }
    /// A guidance station files a promotion request.
    "promotion.request@1" => PromotionRequestV1(crate::certification::inspection::PromotionRequestV1) {
        target: |v| RecordKey::new(RecordKind::Promotion, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "申报晋级".to_owned(),
        panel: |_o| None,
        rule: crate::certification::inspection::request_promotion,
    }
    /// The committee decides a promotion request.
    "promotion.decide@1" => PromotionDecideV1(crate::certification::inspection::PromotionDecideV1) {
        target: |v| RecordKey::new(RecordKind::Promotion, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |d| if d.approve {
            "同意晋级"
        } else {
            "不同意晋级"
        }
            .to_owned(),
        panel: |_o| None,
        rule: crate::certification::inspection::decide_promotion,
    }
    /// A contest administrator sets a contest up.
    "contest.create@1" => ContestCreateV1(crate::contest::ContestCreateV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |c| format!("设置比赛：{}", c.title.trim()),
        panel: |c| Some(c.panel()),
        rule: crate::contest::create,
    }
    /// The running order drawn by lot.
    "contest.draw@1" => ContestDrawV1(crate::contest::ContestDrawV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "抽签确定出场顺序".to_owned(),
        panel: |_o| None,
        rule: crate::contest::draw,
    }
    /// The running order of a public draw: the seed typed in, the order from it.
    "contest.draw@2" => ContestDrawV2(crate::contest::ContestDrawV2) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |d| format!("公开抽签确定出场顺序（种子：{}）", d.seed.trim()),
        panel: |_o| None,
        rule: crate::contest::draw_public,
    }
    /// The setup corrected before scoring starts.
    "contest.update@1" => ContestUpdateV1(crate::contest::ContestUpdateV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |c| format!("修改比赛设置：{}", c.title.trim()),
        panel: |c| Some(c.panel()),
        rule: crate::contest::update,
    }
    /// A judge's declared conflict of interest.
    "contest.recuse@1" => ContestRecuseV1(crate::contest::ContestRecuseV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "登记评委回避".to_owned(),
        panel: |_o| None,
        rule: crate::contest::recuse,
    }
    /// A contestant did not take part.
    "contest.absent@1" => ContestAbsentV1(crate::contest::ContestAbsentV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "登记选手缺赛".to_owned(),
        panel: |_o| None,
        rule: crate::contest::absent,
    }
    /// A substitute judge takes over a judge's remaining sheets.
    "contest.substitute@1" => ContestSubstituteV1(crate::contest::ContestSubstituteV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |s| format!("替补评委：{}", s.judge.name),
        panel: |s| Some(s.panel()),
        rule: crate::contest::substitute,
    }
    /// A judge saves marks.
    "sheet.save@1" => SheetSaveV1(crate::contest::SheetSaveV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "保存评分".to_owned(),
        panel: |_o| None,
        rule: crate::contest::save_sheet,
    }
    /// A judge signs a sheet.
    "sheet.sign@1" => SheetSignV1(crate::contest::SheetSignV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "评分表签名提交".to_owned(),
        panel: |_o| None,
        rule: crate::contest::sign_sheet,
    }
    /// A judge signs a sheet with the device's key.
    "sheet.sign@2" => SheetSignV2(crate::contest::SheetSignV2) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |s| format!("评分表签名提交（第 {} 轮）", s.revision),
        panel: |_o| None,
        rule: crate::contest::sign_sheet_v2,
    }
    /// A judge's handwritten signature of a sheet they signed.
    "sheet.autograph@1" => SheetAutographV1(crate::contest::SheetAutographV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |a| vec![&a.image],
        id_card: |_o| false,
        describe: |a| format!("评分表手写签名（第 {} 轮）", a.revision),
        panel: |_o| None,
        rule: crate::contest::autograph_sheet,
    }
    /// The administrator's tablet passes on a judge's signed sheet scanned at the venue.
    "sheet.relay@1" => SheetRelayV1(crate::contest::SheetRelayV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.sheet.contest_id, v.sheet.judge_id, v.sheet.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |r| format!("转交评委签名评分表（第 {} 轮）", r.sheet.revision),
        panel: |_o| None,
        rule: crate::contest::relay_sheet,
    }
    /// An administrator re-opens a signed sheet.
    "sheet.reopen@1" => SheetReopenV1(crate::contest::SheetReopenV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |r| format!("重新开启评分表：{}", r.reason.trim()),
        panel: |_o| None,
        rule: crate::contest::reopen_sheet,
    }
    /// An administrator re-opens a named revision of a signed sheet.
    "sheet.reopen@2" => SheetReopenV2(crate::contest::SheetReopenV2) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |r| format!("重新开启评分表（第 {} 轮）：{}", r.revision, r.reason.trim()),
        panel: |_o| None,
        rule: crate::contest::reopen_sheet_v2,
    }
    /// A judge's tablet passes on the administrator's signed re-opening, scanned at the
    /// venue.
    "sheet.reopened@1" => SheetReopenedV1(crate::contest::SheetReopenedV1) {
        target: |v| RecordKey::new(
            RecordKind::ScoreSheet,
            crate::contest::sheet_id(v.reopen.contest_id, v.reopen.judge_id, v.reopen.contestant_id),
        ),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |r| format!("扫码接收重新开启（第 {} 轮）：{}", r.reopen.revision, r.reopen.reason.trim()),
        panel: |_o| None,
        rule: crate::contest::reopened_by_code,
    }
    /// An administrator publishes the results.
    "contest.publish@1" => ContestPublishV1(crate::contest::ContestPublishV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "公布比赛结果".to_owned(),
        panel: |_o| None,
        rule: crate::contest::publish,
    }
    /// A judge leaves without a substitute.
    "contest.judge_absent@1" => ContestJudgeAbsentV1(crate::contest::ContestJudgeAbsentV1) {
        target: |v| RecordKey::new(RecordKind::Contest, v.id),
        attachments: |_o| Vec::new(),
        id_card: |_o| false,
        describe: |_| "登记评委缺席".to_owned(),
        panel: |_o| None,
        rule: crate::contest::judge_absent,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn a_journalled_op_keeps_everything_but_the_id_card_number() {
        let edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
            id: Uuid::nil(),
            name: Some("李梅".into()),
            id_card: Some("110105194912310021".into()),
            ..WorkerUpdateV1::default()
        });
        let (kept, removed) = edit.without_id_card();
        assert!(removed);
        let Op::WorkerUpdateV1(u) = &kept else {
            panic!("the kind changed")
        };
        assert_eq!(
            (u.name.as_deref(), u.id_card.as_deref()),
            (Some("李梅"), None)
        );
        assert!(!serde_json::to_string(&kept).unwrap().contains("110105"));
        let (same, removed) = kept.without_id_card();
        assert_eq!((same, removed), (kept, false));
    }
}
