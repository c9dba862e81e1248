//! The `Op` enum: every user intent that changes data.
//!
//! Each variant carries a version in its wire name (`worker.create@1`). A mutation
//! queued by an older app may sit in a tablet's outbox for days and must still apply
//! after the server is upgraded, so a variant is never changed once it has shipped: a
//! new shape is a new variant (`@2`) and the old one keeps being accepted.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::blob::BlobRef;
use crate::certification::{
    ApplicationDecideV1, ApplicationFileV1, ApplicationResubmitV1, BatchCreateV1,
    CertificateReissueV1, NoticeCloseV1, NoticeObjectV1, NoticeOpenV1, Outcome,
    RecommendationRecordV1, SettingsUpdateV1,
};
use crate::model::WorkerRole;
use crate::record::{RecordKey, RecordKind};

/// One user intent. The serialized form is `{"type": "...", "data": {...}}`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum Op {
    /// Create a 党务工作者 profile.
    #[serde(rename = "worker.create@1")]
    WorkerCreateV1(WorkerCreateV1),
    /// Change some fields of a profile; absent fields are left alone (per-field merge).
    #[serde(rename = "worker.update@1")]
    WorkerUpdateV1(WorkerUpdateV1),
    /// The committee adds an organisation.
    #[serde(rename = "organization.create@1")]
    OrganizationCreateV1(OrganizationCreateV1),
    /// The committee saves the programme's settings.
    #[serde(rename = "settings.update@1")]
    SettingsUpdateV1(SettingsUpdateV1),
    /// The committee opens a certification batch.
    #[serde(rename = "batch.create@1")]
    BatchCreateV1(BatchCreateV1),
    /// The committee closes a batch to new applications.
    #[serde(rename = "batch.close@1")]
    BatchCloseV1(crate::certification::BatchCloseV1),
    /// An instructor files a certification application.
    #[serde(rename = "application.file@1")]
    ApplicationFileV1(ApplicationFileV1),
    /// A returned application, changed and sent again.
    #[serde(rename = "application.resubmit@1")]
    ApplicationResubmitV1(ApplicationResubmitV1),
    /// A review decision at one stage.
    #[serde(rename = "application.decide@1")]
    ApplicationDecideV1(ApplicationDecideV1),
    /// Approved names go on public notice.
    #[serde(rename = "notice.open@1")]
    NoticeOpenV1(NoticeOpenV1),
    /// An objection during the notice.
    #[serde(rename = "notice.object@1")]
    NoticeObjectV1(NoticeObjectV1),
    /// The notice ends.
    #[serde(rename = "notice.close@1")]
    NoticeCloseV1(NoticeCloseV1),
    /// A lost certificate is reissued under a new number.
    #[serde(rename = "certificate.reissue@1")]
    CertificateReissueV1(CertificateReissueV1),
    /// 推优推先, recorded by the committee.
    #[serde(rename = "recommendation.record@1")]
    RecommendationRecordV1(RecommendationRecordV1),
    /// The committee publishes the 培育库 entry criteria.
    #[serde(rename = "pool.criteria@1")]
    PoolCriteriaPublishV1(crate::pool::PoolCriteriaPublishV1),
    /// An instructor applies for a worker to enter the 培育库.
    #[serde(rename = "pool.apply@1")]
    PoolApplyV1(crate::pool::PoolApplyV1),
    /// The committee decides a pool application.
    #[serde(rename = "pool.decide@1")]
    PoolDecideV1(crate::pool::PoolDecideV1),
    /// An honour, or a correction of one.
    #[serde(rename = "honour.record@1")]
    HonourRecordV1(crate::honour::HonourRecordV1),
    /// The committee sets a quarter's task list.
    #[serde(rename = "tasks.set@1")]
    TasksSetV1(crate::tasks::TasksSetV1),
    /// A site visit with its duty assessments.
    #[serde(rename = "visit.record@1")]
    VisitRecordV1(crate::fieldwork::VisitRecordV1),
    /// A training session is set up.
    #[serde(rename = "training.create@1")]
    TrainingCreateV1(crate::training::TrainingCreateV1),
    /// Attendance marks at a session.
    #[serde(rename = "training.attend@1")]
    TrainingAttendV1(crate::training::TrainingAttendV1),
    /// The committee appoints (or releases) a mentor.
    #[serde(rename = "mentor.appoint@1")]
    MentorAppointV1(crate::mentoring::MentorAppointV1),
    /// A mentor–mentee pair starts or ends.
    #[serde(rename = "mentoring.pair@1")]
    MentoringPairV1(crate::mentoring::MentoringPairV1),
    /// A mentor studio and its subsidy for a year.
    #[serde(rename = "studio.set@1")]
    StudioSetV1(crate::mentoring::StudioSetV1),
    /// A mentoring activity.
    #[serde(rename = "mentoring.log@1")]
    MentoringLogV1(crate::mentoring::MentoringLogV1),
    /// The committee's 年审 decision on one certificate.
    #[serde(rename = "inspection.record@1")]
    InspectionRecordV1(crate::inspection::InspectionRecordV1),
    /// A guidance station files a promotion request.
    #[serde(rename = "promotion.request@1")]
    PromotionRequestV1(crate::inspection::PromotionRequestV1),
    /// The committee decides a promotion request.
    #[serde(rename = "promotion.decide@1")]
    PromotionDecideV1(crate::inspection::PromotionDecideV1),
    /// A contest administrator sets a contest up.
    #[serde(rename = "contest.create@1")]
    ContestCreateV1(crate::contest::ContestCreateV1),
    /// The running order drawn by lot.
    #[serde(rename = "contest.draw@1")]
    ContestDrawV1(crate::contest::ContestDrawV1),
    /// A judge's declared conflict of interest.
    #[serde(rename = "contest.recuse@1")]
    ContestRecuseV1(crate::contest::ContestRecuseV1),
    /// A contestant did not take part.
    #[serde(rename = "contest.absent@1")]
    ContestAbsentV1(crate::contest::ContestAbsentV1),
    /// A substitute judge takes over a judge's remaining sheets.
    #[serde(rename = "contest.substitute@1")]
    ContestSubstituteV1(crate::contest::ContestSubstituteV1),
    /// A judge saves marks.
    #[serde(rename = "sheet.save@1")]
    SheetSaveV1(crate::contest::SheetSaveV1),
    /// A judge signs a sheet.
    #[serde(rename = "sheet.sign@1")]
    SheetSignV1(crate::contest::SheetSignV1),
    /// An administrator re-opens a signed sheet.
    #[serde(rename = "sheet.reopen@1")]
    SheetReopenV1(crate::contest::SheetReopenV1),
    /// An administrator publishes the results.
    #[serde(rename = "contest.publish@1")]
    ContestPublishV1(crate::contest::ContestPublishV1),
    /// A judge leaves without a substitute.
    #[serde(rename = "contest.judge_absent@1")]
    ContestJudgeAbsentV1(crate::contest::ContestJudgeAbsentV1),
}

impl Op {
    /// A short description for people, in Chinese (the conflicts inbox, the history).
    pub fn describe_zh(&self) -> String {
        match self {
            Op::WorkerCreateV1(c) => format!("新增党务工作者：{}", c.name.trim()),
            Op::WorkerUpdateV1(u) => match &u.name {
                Some(name) => format!("修改党务工作者：{}", name.trim()),
                None => "修改党务工作者信息".to_owned(),
            },
            Op::OrganizationCreateV1(o) => format!("新增单位：{}", o.name.trim()),
            Op::SettingsUpdateV1(_) => "修改认证设置".to_owned(),
            Op::BatchCreateV1(b) => format!("设立认证批次：{}", b.name.trim()),
            Op::ApplicationFileV1(_) => "申报资格认证".to_owned(),
            Op::ApplicationResubmitV1(_) => "重新提交认证申请".to_owned(),
            Op::ApplicationDecideV1(d) => format!(
                "{}：{}",
                d.stage.label_zh(),
                match d.outcome {
                    Outcome::Approve => "通过",
                    Outcome::Return => "退回修改",
                    Outcome::Reject => "不通过",
                }
            ),
            Op::NoticeOpenV1(n) => format!("发布公示（{} 人）", n.application_ids.len()),
            Op::NoticeObjectV1(_) => "登记公示异议".to_owned(),
            Op::NoticeCloseV1(_) => "结束公示".to_owned(),
            Op::CertificateReissueV1(_) => "挂失补发证书".to_owned(),
            Op::RecommendationRecordV1(r) => format!("推优推先：{}", r.kind.label_zh()),
            Op::PoolCriteriaPublishV1(_) => "发布培育库入选标准".to_owned(),
            Op::PoolApplyV1(_) => "申请进入培育库".to_owned(),
            Op::PoolDecideV1(d) => if d.admit {
                "同意入库"
            } else {
                "不予入库"
            }
            .to_owned(),
            Op::HonourRecordV1(h) => format!("登记荣誉：{}", h.title.trim()),
            Op::BatchCloseV1(_) => "截止批次申报".to_owned(),
            Op::TasksSetV1(t) => format!("制定季度清单任务：{}", String::from(t.quarter)),
            Op::VisitRecordV1(v) => {
                if v.assessments.is_empty() {
                    "登记走访".to_owned()
                } else {
                    format!("登记走访及履职考核（{} 人）", v.assessments.len())
                }
            }
            Op::TrainingCreateV1(t) => format!("新建培训：{}", t.title.trim()),
            Op::TrainingAttendV1(a) => format!("登记出勤（{} 人）", a.marks.len()),
            Op::MentorAppointV1(m) => if m.until.is_some() {
                "解聘红领导师"
            } else {
                "聘任红领导师"
            }
            .to_owned(),
            Op::MentoringPairV1(p) => if p.end.is_some() {
                "结束导师结对"
            } else {
                "导师结对"
            }
            .to_owned(),
            Op::StudioSetV1(s) => format!("导师工作室：{}", s.name.trim()),
            Op::MentoringLogV1(l) => format!("带徒活动：{}", l.title.trim()),
            Op::InspectionRecordV1(i) => format!("{} 年度年审：{}", i.year, i.outcome.label_zh()),
            Op::PromotionRequestV1(_) => "申报晋级".to_owned(),
            Op::PromotionDecideV1(d) => if d.approve {
                "同意晋级"
            } else {
                "不同意晋级"
            }
            .to_owned(),
            Op::ContestCreateV1(c) => format!("设置比赛：{}", c.title.trim()),
            Op::ContestDrawV1(_) => "抽签确定出场顺序".to_owned(),
            Op::ContestRecuseV1(_) => "登记评委回避".to_owned(),
            Op::ContestAbsentV1(_) => "登记选手缺赛".to_owned(),
            Op::ContestSubstituteV1(s) => format!("替补评委：{}", s.judge.name),
            Op::SheetSaveV1(_) => "保存评分".to_owned(),
            Op::SheetSignV1(_) => "评分表签名提交".to_owned(),
            Op::SheetReopenV1(r) => format!("重新开启评分表：{}", r.reason.trim()),
            Op::ContestPublishV1(_) => "公布比赛结果".to_owned(),
            Op::ContestJudgeAbsentV1(_) => "登记评委缺席".to_owned(),
        }
    }

    /// The record the intent is about.
    pub fn target(&self) -> crate::RecordKey {
        match self {
            Op::WorkerCreateV1(c) => crate::RecordKey::new(crate::RecordKind::Worker, c.id),
            Op::WorkerUpdateV1(u) => crate::RecordKey::new(crate::RecordKind::Worker, u.id),
            Op::OrganizationCreateV1(o) => RecordKey::new(RecordKind::Organization, o.id),
            Op::SettingsUpdateV1(_) => {
                RecordKey::new(RecordKind::Settings, crate::certification::SETTINGS_ID)
            }
            Op::BatchCreateV1(b) => RecordKey::new(RecordKind::Batch, b.id),
            Op::ApplicationFileV1(a) => RecordKey::new(RecordKind::Application, a.id),
            Op::ApplicationResubmitV1(a) => RecordKey::new(RecordKind::Application, a.id),
            Op::ApplicationDecideV1(a) => RecordKey::new(RecordKind::Application, a.id),
            Op::NoticeOpenV1(n) => RecordKey::new(RecordKind::Notice, n.id),
            Op::NoticeObjectV1(o) => RecordKey::new(RecordKind::Application, o.application_id),
            Op::NoticeCloseV1(n) => RecordKey::new(RecordKind::Notice, n.id),
            Op::RecommendationRecordV1(r) => RecordKey::new(RecordKind::Recommendation, r.id),
            Op::PoolCriteriaPublishV1(_) => {
                RecordKey::new(RecordKind::PoolCriteria, crate::pool::CRITERIA_ID)
            }
            Op::PoolApplyV1(p) => RecordKey::new(RecordKind::PoolEntry, p.id),
            Op::PoolDecideV1(p) => RecordKey::new(RecordKind::PoolEntry, p.id),
            Op::HonourRecordV1(h) => RecordKey::new(RecordKind::Honour, h.id),
            Op::BatchCloseV1(b) => RecordKey::new(RecordKind::Batch, b.id),
            Op::TasksSetV1(t) => RecordKey::new(
                RecordKind::TaskList,
                crate::tasks::list_id(t.quarter, t.org_kind, t.grade),
            ),
            Op::CertificateReissueV1(c) => {
                RecordKey::new(RecordKind::Certificate, c.certificate_id)
            }
            Op::VisitRecordV1(v) => RecordKey::new(RecordKind::Visit, v.id),
            Op::TrainingCreateV1(v) => RecordKey::new(RecordKind::TrainingSession, v.id),
            Op::TrainingAttendV1(v) => RecordKey::new(RecordKind::TrainingSession, v.session_id),
            Op::MentorAppointV1(v) => RecordKey::new(RecordKind::Mentor, v.worker_id),
            Op::MentoringPairV1(v) => RecordKey::new(RecordKind::MentorPair, v.id),
            Op::StudioSetV1(v) => RecordKey::new(RecordKind::Studio, v.id),
            Op::MentoringLogV1(v) => RecordKey::new(RecordKind::MentoringActivity, v.id),
            Op::InspectionRecordV1(v) => RecordKey::new(
                RecordKind::Inspection,
                crate::inspection::inspection_id(v.certificate_id, v.year),
            ),
            Op::PromotionRequestV1(v) => RecordKey::new(RecordKind::Promotion, v.id),
            Op::PromotionDecideV1(v) => RecordKey::new(RecordKind::Promotion, v.id),
            Op::ContestCreateV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::ContestDrawV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::ContestRecuseV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::ContestAbsentV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::ContestSubstituteV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::SheetSaveV1(v) => RecordKey::new(
                RecordKind::ScoreSheet,
                crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
            ),
            Op::SheetSignV1(v) => RecordKey::new(
                RecordKind::ScoreSheet,
                crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
            ),
            Op::SheetReopenV1(v) => RecordKey::new(
                RecordKind::ScoreSheet,
                crate::contest::sheet_id(v.contest_id, v.judge_id, v.contestant_id),
            ),
            Op::ContestPublishV1(v) => RecordKey::new(RecordKind::Contest, v.id),
            Op::ContestJudgeAbsentV1(v) => RecordKey::new(RecordKind::Contest, v.id),
        }
    }

    /// The op as a device may keep it in its journal: without a full ID-card number,
    /// which only committee-only records may hold. True when one was removed; a worker
    /// edit that only set the number becomes an empty edit.
    pub fn without_id_card(&self) -> (Op, bool) {
        let mut op = self.clone();
        let removed = match &mut op {
            Op::WorkerCreateV1(c) => c.id_card.take().is_some(),
            Op::WorkerUpdateV1(u) => u.id_card.take().is_some(),
            _ => false,
        };
        (op, removed)
    }

    /// The attachments the mutation names: they must be uploaded before it is pushed,
    /// and the server refuses it while one is missing.
    pub fn blobs(&self) -> Vec<&BlobRef> {
        match self {
            Op::WorkerCreateV1(c) => c.photo.iter().collect(),
            Op::WorkerUpdateV1(u) => u.photo.iter().flatten().collect(),
            Op::HonourRecordV1(h) => h.scan.iter().collect(),
            Op::VisitRecordV1(v) => v.photos.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The wire name of the variant, for logs and the audit trail.
    pub fn type_name(&self) -> &'static str {
        match self {
            Op::WorkerCreateV1(_) => "worker.create@1",
            Op::WorkerUpdateV1(_) => "worker.update@1",
            Op::OrganizationCreateV1(_) => "organization.create@1",
            Op::SettingsUpdateV1(_) => "settings.update@1",
            Op::BatchCreateV1(_) => "batch.create@1",
            Op::ApplicationFileV1(_) => "application.file@1",
            Op::ApplicationResubmitV1(_) => "application.resubmit@1",
            Op::ApplicationDecideV1(_) => "application.decide@1",
            Op::NoticeOpenV1(_) => "notice.open@1",
            Op::NoticeObjectV1(_) => "notice.object@1",
            Op::NoticeCloseV1(_) => "notice.close@1",
            Op::CertificateReissueV1(_) => "certificate.reissue@1",
            Op::RecommendationRecordV1(_) => "recommendation.record@1",
            Op::PoolCriteriaPublishV1(_) => "pool.criteria@1",
            Op::PoolApplyV1(_) => "pool.apply@1",
            Op::PoolDecideV1(_) => "pool.decide@1",
            Op::HonourRecordV1(_) => "honour.record@1",
            Op::BatchCloseV1(_) => "batch.close@1",
            Op::TasksSetV1(_) => "tasks.set@1",
            Op::VisitRecordV1(_) => "visit.record@1",
            Op::TrainingCreateV1(_) => "training.create@1",
            Op::TrainingAttendV1(_) => "training.attend@1",
            Op::MentorAppointV1(_) => "mentor.appoint@1",
            Op::MentoringPairV1(_) => "mentoring.pair@1",
            Op::StudioSetV1(_) => "studio.set@1",
            Op::MentoringLogV1(_) => "mentoring.log@1",
            Op::InspectionRecordV1(_) => "inspection.record@1",
            Op::PromotionRequestV1(_) => "promotion.request@1",
            Op::PromotionDecideV1(_) => "promotion.decide@1",
            Op::ContestCreateV1(_) => "contest.create@1",
            Op::ContestDrawV1(_) => "contest.draw@1",
            Op::ContestRecuseV1(_) => "contest.recuse@1",
            Op::ContestAbsentV1(_) => "contest.absent@1",
            Op::ContestSubstituteV1(_) => "contest.substitute@1",
            Op::SheetSaveV1(_) => "sheet.save@1",
            Op::SheetSignV1(_) => "sheet.sign@1",
            Op::SheetReopenV1(_) => "sheet.reopen@1",
            Op::ContestPublishV1(_) => "contest.publish@1",
            Op::ContestJudgeAbsentV1(_) => "contest.judge_absent@1",
        }
    }
}

/// Fields of a new organisation; `id` is made by the client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationCreateV1 {
    pub id: Uuid,
    pub name: String,
    pub kind: crate::model::OrgKind,
    pub township_id: Uuid,
    #[serde(default)]
    pub party_org: String,
    #[serde(default)]
    pub industry: String,
}

/// Fields of a new worker; `id` is made by the client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerCreateV1 {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub township_id: Uuid,
    pub role: WorkerRole,
    #[serde(default)]
    pub management_post: String,
    pub years_in_post: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<BlobRef>,
    /// The full ID-card number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card: Option<String>,
}

/// The fields of a worker that one edit changes.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerUpdateV1 {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<WorkerRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_post: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_in_post: Option<u32>,
    /// `Some(None)` (JSON `null`) removes the photo; absent leaves it alone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub photo: Option<Option<BlobRef>>,
    /// A new ID-card number (it cannot be removed, only corrected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card: Option<String>,
}

/// Deserializes a field that is present (possibly `null`) as `Some(..)`, so that an
/// absent field (`None`, by `default`) and an explicit `null` (`Some(None)`) differ.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl WorkerUpdateV1 {
    /// True when the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.organization_id.is_none()
            && self.township_id.is_none()
            && self.role.is_none()
            && self.management_post.is_none()
            && self.years_in_post.is_none()
            && self.photo.is_none()
            && self.id_card.is_none()
    }
}

#[cfg(test)]
mod tests {
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
