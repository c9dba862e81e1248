//! Certification (资格认证): batches, applications, the three review stages, the public
//! notice (公示), and the certificate the server issues at the end.
//!
//! An application moves through one state machine, decided here for the tablet and the
//! server alike:
//!
//! ```text
//! filed ─► 乡镇初审 ─► 区级联审 ─► 综合研判 ─► 待公示 ─► 公示中 ─► 待发证 ─► 已发证
//!             │ return ───────┴───────────┴─► 退回修改 ─(resubmit)─► 乡镇初审 (next round)
//!             │ reject ───────┴───────────┴─► 未通过
//!                                               objection during 公示 ─► 综合研判 (next round)
//! ```
//!
//! Each stage is decided once per round: two reviewers who decided the same stage offline
//! end with the first decision applied and the second refused `already_decided` (the
//! first-decision-wins mechanism of [`crate::kernel::conflict`]). One person never decides two
//! stages of the same application. Issuing needs the server's signing key and its
//! certificate numbers, so `apply` stops at 待发证 and the server issues in the same
//! transaction (see [`issue`]).

pub mod certificate;
pub mod inspection;
pub mod pool;
pub mod stipend;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::conflict::decide_once;
use crate::kernel::grant::{Role, Scope, holds_in_township};
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State, committee_only, load, put};
use crate::people::model::{Worker, WorkerRole};

/// The id of the one `settings` record.
pub const SETTINGS_ID: Uuid = Uuid::nil();

/// A certificate grade and its monthly stipend.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeDef {
    /// 1 is the lowest; a promotion goes to the next level.
    pub level: u8,
    /// 初级, 中级, …
    pub name: String,
    /// 岗位津贴 per month, in fen (1/100 yuan).
    pub monthly_stipend_fen: u64,
}

/// The programme's rules that the district committee configures (record `settings`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeSettings {
    /// Ascending by level.
    pub grades: Vec<GradeDef>,
    /// Length of the public notice, in working days.
    pub notice_working_days: u32,
    /// How long a certificate is valid, in years.
    pub validity_years: u32,
    /// Public holidays that fall on weekdays.
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休).
    #[serde(default)]
    pub extra_workdays: Vec<NaiveDate>,
    /// The largest a site photo may be after the tablet compresses it, in KiB.
    #[serde(default = "default_photo_max_kib")]
    pub photo_max_kib: u32,
}

fn default_photo_max_kib() -> u32 {
    DEFAULT_PHOTO_MAX_KIB
}

/// The default for [`ProgrammeSettings::photo_max_kib`].
pub const DEFAULT_PHOTO_MAX_KIB: u32 = 800;

impl Default for ProgrammeSettings {
    fn default() -> ProgrammeSettings {
        ProgrammeSettings {
            grades: vec![
                GradeDef {
                    level: 1,
                    name: "初级".into(),
                    monthly_stipend_fen: 30_000,
                },
                GradeDef {
                    level: 2,
                    name: "中级".into(),
                    monthly_stipend_fen: 50_000,
                },
            ],
            notice_working_days: 5,
            validity_years: 3,
            holidays: Vec::new(),
            extra_workdays: Vec::new(),
            photo_max_kib: DEFAULT_PHOTO_MAX_KIB,
        }
    }
}

impl ProgrammeSettings {
    pub fn grade(&self, level: u8) -> Option<&GradeDef> {
        self.grades.iter().find(|g| g.level == level)
    }

    fn validate(&self) -> Result<(), Rejection> {
        let ascending = self.grades.windows(2).all(|w| w[0].level < w[1].level);
        if self.grades.is_empty() || !ascending || self.grades.iter().any(|g| g.level == 0) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "grades",
                "等级应至少一个，级别从 1 起依次递增",
            ));
        }
        if self.grades.iter().any(|g| g.name.trim().is_empty()) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "grades",
                "请填写每个等级的名称",
            ));
        }
        if !(1..=30).contains(&self.notice_working_days) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "notice_working_days",
                "公示期应为 1 到 30 个工作日",
            ));
        }
        if !(1..=10).contains(&self.validity_years) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "validity_years",
                "证书有效期应为 1 到 10 年",
            ));
        }
        if !(100..=10_240).contains(&self.photo_max_kib) {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "photo_max_kib",
                "照片大小上限应在 100 KB 到 10240 KB 之间",
            ));
        }
        Ok(())
    }

    /// Whether `day` is a working day: a weekday that is not a holiday, or a weekend day
    /// made a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.extra_workdays.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The last day of a notice that starts on `start`: the `notice_working_days`-th
    /// working day counting from `start` (which counts if it is a working day).
    pub fn notice_end(&self, start: NaiveDate) -> NaiveDate {
        let mut day = start;
        let mut counted = 0;
        loop {
            if self.is_working_day(day) {
                counted += 1;
                if counted >= self.notice_working_days {
                    return day;
                }
            }
            day = day.succ_opt().expect("dates this close are in range");
        }
    }
}

/// The programme's settings as stored, or the defaults before the committee saved any.
pub fn settings(state: &dyn State) -> ProgrammeSettings {
    state
        .get(RecordKey::new(RecordKind::Settings, SETTINGS_ID))
        .and_then(|r| r.decode().ok())
        .unwrap_or_default()
}

/// 第一批, 第二批, …: applications are filed into a batch of one category.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    pub name: String,
    pub year: i32,
    pub category: WorkerRole,
    /// Closed batches take no new applications.
    #[serde(default)]
    pub closed: bool,
}

/// A rating on one of the five factors.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// 优秀.
    Excellent,
    /// 良好.
    Good,
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

/// The five-factor assessment (五个维度).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// 政治素质.
    pub political: Rating,
    /// 业务水平.
    pub professional: Rating,
    /// 任职年限.
    pub tenure: Rating,
    /// 工作实绩.
    pub performance: Rating,
    /// 认可程度.
    pub recognition: Rating,
    #[serde(default)]
    pub notes: String,
}

/// One item of the background check.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub passed: bool,
    #[serde(default)]
    pub note: String,
}

/// 背景审查.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundCheck {
    /// 政治素质.
    pub political: Check,
    /// 职业道德.
    pub ethics: Check,
    /// 业务能力.
    pub ability: Check,
    /// 荣誉表彰.
    pub honours: Check,
}

/// The three review stages.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    /// 乡镇初审.
    Township,
    /// 区级联审.
    District,
    /// 综合研判.
    Committee,
}

impl ReviewStage {
    pub fn label_zh(self) -> &'static str {
        match self {
            ReviewStage::Township => "乡镇初审",
            ReviewStage::District => "区级联审",
            ReviewStage::Committee => "综合研判",
        }
    }

    /// The role that decides this stage.
    pub fn role(self) -> Role {
        match self {
            ReviewStage::Township => Role::TownshipReviewer,
            ReviewStage::District => Role::DistrictReviewer,
            ReviewStage::Committee => Role::DistrictCommittee,
        }
    }
}

/// Where an application is.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for a decision at this review stage.
    Review(ReviewStage),
    /// Approved by 综合研判, waiting to be put on public notice.
    AwaitingNotice,
    /// On public notice.
    InNotice,
    /// The notice ended clean; the server issues the certificate (待发证).
    AwaitingIssue,
    /// The certificate is issued.
    Issued,
    /// Sent back to the instructor for changes (退回修改).
    Returned,
    /// Refused (未通过).
    Rejected,
}

impl Stage {
    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Review(s) => s.label_zh(),
            Stage::AwaitingNotice => "待公示",
            Stage::InNotice => "公示中",
            Stage::AwaitingIssue => "待发证",
            Stage::Issued => "已发证",
            Stage::Returned => "退回修改",
            Stage::Rejected => "未通过",
        }
    }

    /// The stages an application waits in, in the order it passes them (退回修改 last:
    /// it waits for the instructor).
    pub const OPEN: [Stage; 7] = [
        Stage::Review(ReviewStage::Township),
        Stage::Review(ReviewStage::District),
        Stage::Review(ReviewStage::Committee),
        Stage::AwaitingNotice,
        Stage::InNotice,
        Stage::AwaitingIssue,
        Stage::Returned,
    ];
}

/// The queues: how many of `apps` wait in each open stage, in [`Stage::OPEN`]'s order.
pub fn stage_counts<'a>(apps: impl IntoIterator<Item = &'a Application>) -> Vec<(Stage, usize)> {
    let mut counts: Vec<(Stage, usize)> = Stage::OPEN.iter().map(|s| (*s, 0)).collect();
    for app in apps {
        if let Some(c) = counts.iter_mut().find(|(s, _)| *s == app.stage) {
            c.1 += 1;
        }
    }
    counts
}

/// What a reviewer decided.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 通过.
    Approve,
    /// 退回修改.
    Return,
    /// 不通过.
    Reject,
}

/// One decision, kept in the application's history.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub stage: ReviewStage,
    pub round: u32,
    pub outcome: Outcome,
    pub by: Uuid,
    #[serde(default)]
    pub comment: String,
}

/// An objection raised during the notice.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    pub text: String,
    pub by: Uuid,
    pub notice_id: Uuid,
}

/// A certification application (record `application`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub worker_id: Uuid,
    /// The worker's township when filed: who reviews it and who sees it.
    pub township_id: Uuid,
    pub batch_id: Uuid,
    pub category: WorkerRole,
    pub requested_grade: u8,
    pub assessment: Assessment,
    pub background: BackgroundCheck,
    pub filed_by: Uuid,
    /// Starts at 1; a resubmission or an objection starts the next round.
    pub round: u32,
    pub stage: Stage,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    #[serde(default)]
    pub objections: Vec<Objection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<Uuid>,
    /// How many certificates have been issued for it (a reissue adds one).
    #[serde(default)]
    pub issued: u32,
    /// Set while a reissue waits for the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reissue: Option<Reissue>,
}

/// A lost certificate to be reissued under a new number.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reissue {
    /// The certificate reported lost (now void).
    pub lost: Uuid,
    pub reason: String,
    /// The new certificate keeps the old one's validity.
    pub valid_until: NaiveDate,
}

impl Application {
    /// The decision taken at `stage` in the current round, if any.
    pub fn decision(&self, stage: ReviewStage) -> Option<&Decision> {
        self.decisions
            .iter()
            .find(|d| d.stage == stage && d.round == self.round)
    }
}

/// A public notice (公示) of approved names (record `notice`).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub batch_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub application_ids: Vec<Uuid>,
    /// Set when the committee closed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
}

// ---- Ops -------------------------------------------------------------------------------

/// The committee saves the programme's settings.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsUpdateV1 {
    pub settings: ProgrammeSettings,
}

/// The committee opens a batch.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCreateV1 {
    pub id: Uuid,
    pub name: String,
    pub year: i32,
    pub category: WorkerRole,
}

/// The committee stops a batch taking applications (截止申报).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchCloseV1 {
    pub id: Uuid,
}

/// An instructor files an application for a worker.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationFileV1 {
    pub id: Uuid,
    pub worker_id: Uuid,
    pub batch_id: Uuid,
    pub requested_grade: u8,
    pub assessment: Assessment,
    pub background: BackgroundCheck,
}

/// The instructor resubmits a returned application with changes.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationResubmitV1 {
    pub id: Uuid,
    pub requested_grade: u8,
    pub assessment: Assessment,
    pub background: BackgroundCheck,
}

/// A reviewer decides one stage of one round.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDecideV1 {
    pub id: Uuid,
    pub stage: ReviewStage,
    pub round: u32,
    pub outcome: Outcome,
    #[serde(default)]
    pub comment: String,
}

/// The committee puts approved applications of a batch on public notice.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeOpenV1 {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub starts_on: NaiveDate,
    pub application_ids: Vec<Uuid>,
}

/// An objection to one name on notice: the application goes back to 综合研判.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeObjectV1 {
    pub application_id: Uuid,
    pub text: String,
}

/// The committee reissues a lost certificate: the old number becomes void and the
/// server issues a new one with the same grade and validity.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateReissueV1 {
    pub certificate_id: Uuid,
    /// The day the loss was reported: the old certificate no longer counts from then.
    pub reported_on: NaiveDate,
    pub reason: String,
}

/// The committee closes a notice that has run its course: what is still on it is
/// approved for issue.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeCloseV1 {
    pub id: Uuid,
    pub closed_on: NaiveDate,
}

// ---- Rules -----------------------------------------------------------------------------

pub(crate) fn update_settings(
    _state: &dyn State,
    actor: &Actor,
    op: &SettingsUpdateV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "修改认证设置")?;
    op.settings.validate()?;
    Ok(vec![put(RecordKind::Settings, SETTINGS_ID, &op.settings)])
}

pub(crate) fn create_batch(
    state: &dyn State,
    actor: &Actor,
    op: &BatchCreateV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "设立认证批次")?;
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Batch, op.id))?;
    let name = op.name.trim();
    if name.is_empty() || name.chars().count() > 20 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "name",
            "请填写批次名称（不超过 20 个字）",
        ));
    }
    if !(2000..=2100).contains(&op.year) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "year",
            "年份不正确",
        ));
    }
    let batch = Batch {
        name: name.to_owned(),
        year: op.year,
        category: op.category,
        closed: false,
    };
    Ok(vec![put(RecordKind::Batch, op.id, &batch)])
}

pub(crate) fn close_batch(
    state: &dyn State,
    actor: &Actor,
    op: &BatchCloseV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "截止批次申报")?;
    let mut batch: Batch = load(state, RecordKind::Batch, op.id, "该认证批次不存在")?;
    decide_once(&batch.closed.then_some(()), "该批次的截止")?;
    batch.closed = true;
    Ok(vec![put(RecordKind::Batch, op.id, &batch)])
}

fn check_filing(
    state: &dyn State,
    requested_grade: u8,
    assessment: &Assessment,
    background: &BackgroundCheck,
) -> Result<(), Rejection> {
    if settings(state).grade(requested_grade).is_none() {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "requested_grade",
            "申请的等级不存在",
        ));
    }
    let long = |s: &str| s.chars().count() > 500;
    if long(&assessment.notes)
        || [
            &background.political,
            &background.ethics,
            &background.ability,
            &background.honours,
        ]
        .iter()
        .any(|c| long(&c.note))
    {
        return Err(Rejection::new(
            RejectCode::InvalidData,
            "说明不能超过 500 个字",
        ));
    }
    Ok(())
}

/// Roles that file and resubmit applications for workers of their townships.
pub const APPLICANTS: [Role; 2] = [Role::Instructor, Role::DistrictCommittee];

pub(crate) fn file_application(
    state: &dyn State,
    actor: &Actor,
    op: &ApplicationFileV1,
) -> Result<Vec<Change>, Rejection> {
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Application, op.id))?;
    let worker: Worker = load(
        state,
        RecordKind::Worker,
        op.worker_id,
        "该党务工作者不存在",
    )?;
    if !holds_in_township(&actor.grants, &APPLICANTS, worker.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权为该乡镇（街道）的党务工作者申报认证",
        ));
    }
    let batch: Batch = load(state, RecordKind::Batch, op.batch_id, "该认证批次不存在")?;
    if batch.closed {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "batch_id",
            "该批次已截止申报",
        ));
    }
    if batch.category != worker.role {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "batch_id",
            "该批次的类别与党务工作者的类别不符",
        ));
    }
    check_filing(state, op.requested_grade, &op.assessment, &op.background)?;
    let application = Application {
        worker_id: op.worker_id,
        township_id: worker.township_id,
        batch_id: op.batch_id,
        category: worker.role,
        requested_grade: op.requested_grade,
        assessment: op.assessment.clone(),
        background: op.background.clone(),
        filed_by: actor.account_id,
        round: 1,
        stage: Stage::Review(ReviewStage::Township),
        decisions: Vec::new(),
        objections: Vec::new(),
        notice_id: None,
        certificate_id: None,
        issued: 0,
        reissue: None,
    };
    Ok(vec![put(RecordKind::Application, op.id, &application)])
}

pub(crate) fn load_application(state: &dyn State, id: Uuid) -> Result<Application, Rejection> {
    load(state, RecordKind::Application, id, "该认证申请不存在")
}

pub(crate) fn resubmit_application(
    state: &dyn State,
    actor: &Actor,
    op: &ApplicationResubmitV1,
) -> Result<Vec<Change>, Rejection> {
    let mut app = load_application(state, op.id)?;
    if !holds_in_township(&actor.grants, &APPLICANTS, app.township_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "无权修改该乡镇（街道）的认证申请",
        ));
    }
    if app.stage != Stage::Returned {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            format!(
                "该申请当前为“{}”，只有退回修改的申请可以重新提交",
                app.stage.label_zh()
            ),
        ));
    }
    check_filing(state, op.requested_grade, &op.assessment, &op.background)?;
    app.requested_grade = op.requested_grade;
    app.assessment = op.assessment.clone();
    app.background = op.background.clone();
    app.round += 1;
    app.stage = Stage::Review(ReviewStage::Township);
    Ok(vec![put(RecordKind::Application, op.id, &app)])
}

/// Whether `actor` may decide `stage` of `app`: the stage's grant in the application's
/// scope, and no decision of another stage of it (separation of duties).
pub fn may_decide(actor: &Actor, app: &Application, stage: ReviewStage) -> Result<(), Rejection> {
    let allowed = match stage {
        ReviewStage::Township => {
            holds_in_township(&actor.grants, &[Role::TownshipReviewer], app.township_id)
        }
        ReviewStage::District | ReviewStage::Committee => actor
            .grants
            .iter()
            .any(|g| g.role == stage.role() && g.scope == Scope::District),
    };
    if !allowed {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            format!("您没有{}的权限", stage.label_zh()),
        ));
    }
    if let Some(other) = app
        .decisions
        .iter()
        .find(|d| d.by == actor.account_id && d.stage != stage)
    {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            format!(
                "您已作出该申请的{}决定，同一人不能决定两个审核阶段",
                other.stage.label_zh()
            ),
        ));
    }
    Ok(())
}

/// The stage `actor` may decide now, if any: what puts an application in their queue.
pub fn decidable(actor: &Actor, app: &Application) -> Option<ReviewStage> {
    match app.stage {
        Stage::Review(stage) => may_decide(actor, app, stage).ok().map(|()| stage),
        _ => None,
    }
}

/// Whether the account files and resubmits applications in `township`.
pub fn may_file(actor: &Actor, township: Uuid) -> bool {
    holds_in_township(&actor.grants, &APPLICANTS, township)
}

pub(crate) fn decide(
    state: &dyn State,
    actor: &Actor,
    op: &ApplicationDecideV1,
) -> Result<Vec<Change>, Rejection> {
    let mut app = load_application(state, op.id)?;
    may_decide(actor, &app, op.stage)?;
    // First decision wins: this stage of this round must still be open.
    let slot = (app.round != op.round || app.stage != Stage::Review(op.stage)).then_some(());
    decide_once(&slot, &format!("该申请的{}", op.stage.label_zh()))?;
    let comment = op.comment.trim();
    if op.outcome != Outcome::Approve && comment.is_empty() {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "comment",
            "退回或不通过时请填写意见",
        ));
    }
    if comment.chars().count() > 500 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "comment",
            "意见不能超过 500 个字",
        ));
    }
    app.decisions.push(Decision {
        stage: op.stage,
        round: op.round,
        outcome: op.outcome,
        by: actor.account_id,
        comment: comment.to_owned(),
    });
    app.stage = match (op.outcome, op.stage) {
        (Outcome::Approve, ReviewStage::Township) => Stage::Review(ReviewStage::District),
        (Outcome::Approve, ReviewStage::District) => Stage::Review(ReviewStage::Committee),
        (Outcome::Approve, ReviewStage::Committee) => Stage::AwaitingNotice,
        (Outcome::Return, _) => Stage::Returned,
        (Outcome::Reject, _) => Stage::Rejected,
    };
    Ok(vec![put(RecordKind::Application, op.id, &app)])
}

pub(crate) fn open_notice(
    state: &dyn State,
    actor: &Actor,
    op: &NoticeOpenV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "发布公示")?;
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Notice, op.id))?;
    let _batch: Batch = load(state, RecordKind::Batch, op.batch_id, "该认证批次不存在")?;
    if op.application_ids.is_empty() {
        return Err(Rejection::new(RejectCode::InvalidData, "公示名单不能为空"));
    }
    let mut ids = op.application_ids.clone();
    ids.sort();
    ids.dedup();
    let mut changes = Vec::new();
    for id in &ids {
        let mut app = load_application(state, *id)?;
        if app.batch_id != op.batch_id || app.stage != Stage::AwaitingNotice {
            return Err(Rejection::new(
                RejectCode::AlreadyDecided,
                "名单中有申请不在本批次的待公示状态，请刷新后重试",
            ));
        }
        app.stage = Stage::InNotice;
        app.notice_id = Some(op.id);
        changes.push(put(RecordKind::Application, *id, &app));
    }
    let notice = Notice {
        batch_id: op.batch_id,
        starts_on: op.starts_on,
        ends_on: settings(state).notice_end(op.starts_on),
        application_ids: ids,
        closed_on: None,
    };
    changes.push(put(RecordKind::Notice, op.id, &notice));
    Ok(changes)
}

pub(crate) fn object(
    state: &dyn State,
    actor: &Actor,
    op: &NoticeObjectV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "登记公示异议")?;
    let mut app = load_application(state, op.application_id)?;
    let text = op.text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "text",
            "请填写异议内容（不超过 1000 个字）",
        ));
    }
    let (Stage::InNotice, Some(notice_id)) = (app.stage, app.notice_id) else {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            format!("该申请当前为“{}”，不在公示中", app.stage.label_zh()),
        ));
    };
    app.objections.push(Objection {
        text: text.to_owned(),
        by: actor.account_id,
        notice_id,
    });
    app.round += 1;
    app.stage = Stage::Review(ReviewStage::Committee);
    app.notice_id = None;
    Ok(vec![put(RecordKind::Application, op.application_id, &app)])
}

pub(crate) fn close_notice(
    state: &dyn State,
    actor: &Actor,
    op: &NoticeCloseV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "结束公示")?;
    let mut notice: Notice = load(state, RecordKind::Notice, op.id, "该公示不存在")?;
    decide_once(&notice.closed_on, "该公示")?;
    if op.closed_on <= notice.ends_on {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "closed_on",
            format!(
                "公示期至 {} 结束，期满后才能结束公示",
                notice.ends_on.format("%Y-%m-%d")
            ),
        ));
    }
    let mut changes = Vec::new();
    for id in &notice.application_ids {
        let mut app = load_application(state, *id)?;
        // An application with an objection left the notice; it is not issued.
        if app.stage == Stage::InNotice && app.notice_id == Some(op.id) {
            app.stage = Stage::AwaitingIssue;
            changes.push(put(RecordKind::Application, *id, &app));
        }
    }
    notice.closed_on = Some(op.closed_on);
    changes.push(put(RecordKind::Notice, op.id, &notice));
    Ok(changes)
}

pub(crate) fn reissue(
    state: &dyn State,
    actor: &Actor,
    op: &CertificateReissueV1,
) -> Result<Vec<Change>, Rejection> {
    use crate::certification::certificate::{CertStatus, Certificate, StatusEntry};
    committee_only(actor, "补发证书")?;
    let cert: Certificate = load(
        state,
        RecordKind::Certificate,
        op.certificate_id,
        "该证书不存在",
    )?;
    let mut status: StatusEntry = load(
        state,
        RecordKind::CertificateStatus,
        op.certificate_id,
        "该证书不在状态列表中",
    )?;
    if status.status != CertStatus::Valid {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            format!("该证书已{}，不能补发", status.status.label_zh()),
        ));
    }
    let reason = op.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "reason",
            "请填写补发原因（不超过 200 个字）",
        ));
    }
    let mut app = load_application(state, cert.application_id)?;
    if app.certificate_id != Some(op.certificate_id) {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            "该证书已被新证书取代，请在最新的证书上补发",
        ));
    }
    status.status = CertStatus::Void;
    status.ended_on = Some(op.reported_on);
    app.stage = Stage::AwaitingIssue;
    app.certificate_id = None;
    app.reissue = Some(Reissue {
        lost: op.certificate_id,
        reason: reason.to_owned(),
        valid_until: cert.valid_until,
    });
    Ok(vec![
        put(RecordKind::CertificateStatus, op.certificate_id, &status),
        put(RecordKind::Application, cert.application_id, &app),
    ])
}

/// 推优推先: what an outstanding holder is recommended for.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// 两代表一委员 (party congress delegate, people's congress deputy, CPPCC member).
    TwoRepresentativesOneMember,
    /// 优秀共产党员.
    ExcellentPartyMember,
    /// 优秀党务工作者.
    ExcellentPartyWorker,
}

impl RecommendationKind {
    pub const ALL: [RecommendationKind; 3] = [
        RecommendationKind::TwoRepresentativesOneMember,
        RecommendationKind::ExcellentPartyMember,
        RecommendationKind::ExcellentPartyWorker,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            RecommendationKind::TwoRepresentativesOneMember => "两代表一委员",
            RecommendationKind::ExcellentPartyMember => "优秀共产党员",
            RecommendationKind::ExcellentPartyWorker => "优秀党务工作者",
        }
    }
}

/// A recommendation (record `recommendation`), kept where the worker works.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub worker_id: Uuid,
    pub township_id: Uuid,
    pub year: i32,
    pub kind: RecommendationKind,
    #[serde(default)]
    pub note: String,
    pub by: Uuid,
}

/// The committee records a recommendation (append-only).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationRecordV1 {
    pub id: Uuid,
    pub worker_id: Uuid,
    pub year: i32,
    pub kind: RecommendationKind,
    #[serde(default)]
    pub note: String,
}

pub(crate) fn recommend(
    state: &dyn State,
    actor: &Actor,
    op: &RecommendationRecordV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "登记推优推先")?;
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Recommendation, op.id))?;
    let worker: Worker = load(
        state,
        RecordKind::Worker,
        op.worker_id,
        "该党务工作者不存在",
    )?;
    if !(2000..=2100).contains(&op.year) {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "year",
            "年份不正确",
        ));
    }
    if op.note.chars().count() > 500 {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "note",
            "说明不能超过 500 个字",
        ));
    }
    let r = Recommendation {
        worker_id: op.worker_id,
        township_id: worker.township_id,
        year: op.year,
        kind: op.kind,
        note: op.note.trim().to_owned(),
        by: actor.account_id,
    };
    Ok(vec![put(RecordKind::Recommendation, op.id, &r)])
}

#[cfg(test)]
mod tests;
