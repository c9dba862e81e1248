//! 红领实训比赛: a contest's setup, the judges' score sheets and the published results.
//!
//! A contest administrator sets the contest up (rubric, contestants, judges, the panel
//! rule and the tie-break order), draws the running order by lot, records recusals,
//! absences and substitute judges, and publishes the results. Each judge fills one
//! sheet per contestant on their own tablet, offline; "签名提交" locks it (the
//! [`Lock`] of `conflict.rs`), and only an administrator re-opens it, as a new revision
//! whose marks before are kept. The arithmetic is `scoring.rs`.
//!
//! Sheets live in the `contest` scope (administrators and the committee) and each judge
//! also reads their own, so before publication a judge sees only their own marks; the
//! contest and its published results are public.

pub mod readiness;
pub mod relay;
pub mod scoring;
pub mod signing;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contest::scoring::{Criterion, Marked, PanelResult, aggregate, check_marks, rank};
use crate::development::training::{
    Attendance, Mark, TrainingKind, TrainingSession, Via, attendance_id,
};
use crate::kernel::blob::BlobRef;
use crate::kernel::conflict::{Lock, decide_once};
use crate::kernel::grant::Role;
use crate::kernel::record::{RecordKey, RecordKind, derived_id};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State};
use crate::kernel::{load, put};
use crate::people::model::Worker;

/// Who sets contests up, re-opens sheets and publishes.
pub const CONTEST_ADMINS: [Role; 2] = [Role::DistrictCommittee, Role::ContestAdmin];

/// The default panel size from which the highest and lowest are dropped.
pub const DEFAULT_TRIM_FROM: u32 = 5;

/// A contestant, with what the judges' screens show (judges do not read worker records).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contestant {
    pub worker_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub organization: String,
}

/// A judge: an account.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judge {
    pub account_id: Uuid,
    pub name: String,
}

/// A declared conflict of interest: the judge does not score the contestant.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recusal {
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub reason: String,
}

/// A substitute takes over a judge's remaining sheets: `kept` are the contestants whose
/// sheets the judge had already signed, which still count.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitution {
    pub out: Uuid,
    pub judge: Judge,
    pub kept: Vec<Uuid>,
}

/// A judge who left without a substitute: `kept` are the contestants whose sheets they
/// had signed, which still count; the other panels go on without them.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeAbsence {
    pub judge_id: Uuid,
    pub kept: Vec<Uuid>,
}

/// When and by whom the results were published.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub by: Uuid,
    pub on: NaiveDate,
}

/// A contest (record `contest`, public).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contest {
    pub title: String,
    pub date: NaiveDate,
    pub venue: String,
    pub rubric: Vec<Criterion>,
    pub contestants: Vec<Contestant>,
    pub judges: Vec<Judge>,
    /// The panel size from which one highest and one lowest total are dropped.
    pub trim_from: u32,
    /// Criteria (by index) that break ties, in order.
    #[serde(default)]
    pub tie_break: Vec<usize>,
    /// The running order drawn by lot (contestant ids); empty until drawn.
    #[serde(default)]
    pub order: Vec<Uuid>,
    /// The seed of a public draw (`contest.draw@2`), so anyone can replay the order with
    /// [`draw_order`]; none for an order drawn on a tablet (`contest.draw@1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    #[serde(default)]
    pub recusals: Vec<Recusal>,
    /// Contestants who did not take part (缺赛).
    #[serde(default)]
    pub absent: Vec<Uuid>,
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    /// Judges who left without a substitute.
    #[serde(default)]
    pub judge_absences: Vec<JudgeAbsence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Publication>,
    pub created_by: Uuid,
}

impl Contest {
    /// The contestants in running order (as entered until the draw).
    pub fn running_order(&self) -> Vec<&Contestant> {
        if self.order.is_empty() {
            return self.contestants.iter().collect();
        }
        self.order
            .iter()
            .filter_map(|id| self.contestants.iter().find(|c| c.worker_id == *id))
            .collect()
    }

    /// The judge responsible for `contestant` in `slot`'s place, after substitutions.
    fn responsible(&self, slot: Uuid, contestant: Uuid) -> Uuid {
        let mut judge = slot;
        // A substitute may be substituted in turn; the chain is short.
        for s in &self.substitutions {
            if s.out == judge && !s.kept.contains(&contestant) {
                judge = s.judge.account_id;
            }
        }
        judge
    }

    /// A contestant's panel, in the judges' order: the responsible judges, less those
    /// recused from them and those absent before signing their sheet.
    pub fn panel(&self, contestant: Uuid) -> Vec<Uuid> {
        self.judges
            .iter()
            .map(|j| self.responsible(j.account_id, contestant))
            .filter(|j| {
                !self
                    .recusals
                    .iter()
                    .any(|r| r.judge_id == *j && r.contestant_id == contestant)
            })
            .filter(|j| {
                !self
                    .judge_absences
                    .iter()
                    .any(|a| a.judge_id == *j && !a.kept.contains(&contestant))
            })
            .collect()
    }

    /// Every judge who ever sat, substitutes included, with their names.
    pub fn all_judges(&self) -> Vec<&Judge> {
        self.judges
            .iter()
            .chain(self.substitutions.iter().map(|s| &s.judge))
            .collect()
    }

    pub fn judge_name(&self, id: Uuid) -> String {
        self.all_judges()
            .into_iter()
            .find(|j| j.account_id == id)
            .map(|j| j.name.clone())
            .unwrap_or_default()
    }

    /// The contestants `judge` scores now, in running order.
    pub fn sheets_of(&self, judge: Uuid) -> Vec<&Contestant> {
        self.running_order()
            .into_iter()
            .filter(|c| {
                !self.absent.contains(&c.worker_id) && self.panel(c.worker_id).contains(&judge)
            })
            .collect()
    }

    fn is_admin(actor: &Actor) -> bool {
        actor
            .grants
            .iter()
            .any(|g| CONTEST_ADMINS.contains(&g.role))
    }
}

/// The contest being held: the latest unpublished one dated `today` or earlier (its
/// ranking is live until it is published), else none.
pub fn running(contests: &[(Uuid, Contest)], today: NaiveDate) -> Option<Uuid> {
    contests
        .iter()
        .filter(|(_, c)| c.published.is_none() && c.date <= today)
        .max_by(|a, b| (a.1.date, &a.1.title).cmp(&(b.1.date, &b.1.title)))
        .map(|(id, _)| *id)
}

/// The contest a judge works on next: the [`running`] one, else the first unpublished one
/// to come.
pub fn next_to_judge(contests: &[(Uuid, Contest)], today: NaiveDate) -> Option<Uuid> {
    running(contests, today).or_else(|| {
        contests
            .iter()
            .filter(|(_, c)| c.published.is_none() && c.date > today)
            .min_by(|a, b| (a.1.date, &a.1.title).cmp(&(b.1.date, &b.1.title)))
            .map(|(id, _)| *id)
    })
}

/// Whether an account with `grants` may sit on the panel of `contest`: a judge grant for
/// the whole district or for that contest.
pub fn may_judge(grants: &[crate::kernel::grant::Grant], contest: Uuid) -> bool {
    grants.iter().any(|g| {
        g.role == Role::Judge
            && (g.scope == crate::kernel::grant::Scope::District
                || g.scope == crate::kernel::grant::Scope::Contest(contest))
    })
}

/// The accounts an op puts on a contest's panel (`contest.create`, `contest.substitute`;
/// declared per op in the op table). Accounts are not records, so `apply` cannot judge
/// them: the server vets them with [`may_judge`] in the push's transaction, before
/// `apply`, and refuses with [`not_a_judge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub contest: Uuid,
    pub accounts: Vec<Uuid>,
    /// The field of the op that names them, for the refusal.
    pub field: &'static str,
}

impl ContestCreateV1 {
    /// The judges this contest is set up with.
    pub fn panel(&self) -> Panel {
        Panel {
            contest: self.id,
            accounts: self.judges.iter().map(|j| j.account_id).collect(),
            field: "judges",
        }
    }
}

impl ContestSubstituteV1 {
    /// The substitute judge.
    pub fn panel(&self) -> Panel {
        Panel {
            contest: self.id,
            accounts: vec![self.judge.account_id],
            field: "judge",
        }
    }
}

/// The refusal of a panel naming an account that may not judge this contest (it names
/// no account).
pub fn not_a_judge(panel: &Panel) -> Rejection {
    Rejection::field(
        RejectCode::Forbidden,
        panel.field,
        "评委名单中有不能担任本场比赛评委的账号：须持有全区或本场比赛的评委权限，且未停用",
    )
}

/// A contest record as `actor` may read it: a judge sees that judges recused themselves,
/// but the reason only of their own recusals; contest administrators see every reason.
/// The server applies it to every contest it sends (a reason is the judge's word to the
/// administrator, not to the panel).
pub fn as_seen_by(actor: &Actor, mut body: serde_json::Value) -> serde_json::Value {
    if Contest::is_admin(actor) {
        return body;
    }
    let me = actor.account_id.to_string();
    if let Some(recusals) = body.get_mut("recusals").and_then(|r| r.as_array_mut()) {
        for r in recusals {
            if r.get("judge_id").and_then(|j| j.as_str()) != Some(me.as_str())
                && let Some(reason) = r.get_mut("reason")
            {
                *reason = serde_json::Value::String(String::new());
            }
        }
    }
    body
}

/// One judge's sheet for one contestant (record `score_sheet`; id from [`sheet_id`]).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreSheet {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    /// One mark per criterion, in hundredths; blank until entered.
    pub marks: Vec<Option<u32>>,
    pub lock: Lock,
    /// The marks of earlier revisions, oldest first (kept when a sheet is re-opened).
    #[serde(default)]
    pub revisions: Vec<Vec<Option<u32>>>,
    /// The device signature of the signed revision (`sheet.sign@2`, `sheet.relay@1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SheetSignature>,
    /// Signed by a relay from the administrator's tablet; the judge's own `sheet.sign@2`
    /// of that revision is still to come, and until it does the judge's earlier saves of
    /// the revision are no-ops.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub relayed: bool,
    /// The judge's handwritten signature of the signed revision, drawn on the tablet
    /// (`sheet.autograph@1`, a PNG attachment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autograph: Option<BlobRef>,
}

impl ScoreSheet {
    /// Signed with the judge's device key: the marks are the judge's own, checked
    /// against the judge's registered key wherever the sheet was taken in (by the server,
    /// or by the administrator's tablet from a scanned code).
    pub fn device_signed(&self) -> bool {
        self.lock.is_signed() && self.signature.is_some()
    }
}

/// A device's signature over a sheet revision ([`signing::signed_bytes`]).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetSignature {
    pub device_id: Uuid,
    /// Ed25519, base64 (64 bytes).
    pub signature: String,
}

/// The id of a judge's sheet for a contestant.
pub fn sheet_id(contest: Uuid, judge: Uuid, contestant: Uuid) -> Uuid {
    derived_id(&[
        "hongling score sheet",
        &contest.to_string(),
        &judge.to_string(),
        &contestant.to_string(),
    ])
}

/// One contestant's line of the results.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub contestant_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub organization: String,
    pub absent: bool,
    /// The panel's judges whose signed sheet is still missing.
    #[serde(default)]
    pub missing: Vec<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<PanelResult>,
    /// The final score as shown (two decimals, half up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    #[serde(default)]
    pub shared: bool,
}

impl Standing {
    /// Every sheet of the panel is signed (and, on the server, synced).
    pub fn complete(&self) -> bool {
        !self.absent && self.missing.is_empty() && self.result.is_some()
    }
}

/// The standings from the signed sheets at hand: complete and provisional results
/// ranked together (provisional ones say what is missing), absentees last.
pub fn standings(contest: &Contest, sheets: &[ScoreSheet]) -> Vec<Standing> {
    let mut lines: Vec<Standing> = contest
        .running_order()
        .into_iter()
        .map(|c| {
            let absent = contest.absent.contains(&c.worker_id);
            let panel = contest.panel(c.worker_id);
            let signed: Vec<Marked> = sheets
                .iter()
                .filter(|s| s.contestant_id == c.worker_id && s.lock.is_signed())
                .map(|s| Marked {
                    judge_id: s.judge_id,
                    marks: s.marks.clone(),
                })
                .collect();
            let missing = if absent {
                Vec::new()
            } else {
                panel
                    .iter()
                    .filter(|j| !signed.iter().any(|s| s.judge_id == **j))
                    .copied()
                    .collect()
            };
            let result = if absent {
                None
            } else {
                aggregate(
                    &contest.rubric,
                    &panel,
                    &signed,
                    contest.trim_from as usize,
                    &contest.tie_break,
                )
            };
            Standing {
                contestant_id: c.worker_id,
                name: c.name.clone(),
                organization: c.organization.clone(),
                absent,
                missing,
                score: result.as_ref().map(|r| r.score.display()),
                result,
                rank: None,
                shared: false,
            }
        })
        .collect();
    let scored: Vec<(Uuid, PanelResult)> = lines
        .iter()
        .filter_map(|l| l.result.clone().map(|r| (l.contestant_id, r)))
        .collect();
    let ranked = rank(&scored);
    for (id, r, shared) in &ranked {
        if let Some(l) = lines.iter_mut().find(|l| l.contestant_id == *id) {
            l.rank = Some(*r);
            l.shared = *shared;
        }
    }
    lines.sort_by_key(|l| (l.rank.is_none(), l.rank.unwrap_or(u32::MAX)));
    lines
}

/// The published results (record `contest_results`, public, same id as the contest).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContestResults {
    pub contest_id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub rubric: Vec<Criterion>,
    pub judges: Vec<Judge>,
    pub standings: Vec<Standing>,
    pub published: Publication,
    /// The device signatures of the counted sheets, printed with the results so anyone
    /// can check a judge's sheet against the judge's published device key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<SignedSheet>,
    /// The judges' handwritten signatures of the counted sheets, printed beside their
    /// totals. One arriving after publication (a judge's tablet synced late) is added.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub autographs: Vec<SheetAutograph>,
}

/// A counted sheet's handwritten signature as the results print it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetAutograph {
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub image: BlobRef,
}

impl ContestResults {
    /// The handwritten signature of `judge`'s counted sheet for `contestant`, if any.
    pub fn autograph(&self, judge: Uuid, contestant: Uuid) -> Option<&BlobRef> {
        self.autographs
            .iter()
            .find(|a| a.judge_id == judge && a.contestant_id == contestant)
            .map(|a| &a.image)
    }
}

/// One sheet's device signature as the results print it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedSheet {
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub revision: u32,
    pub signature: SheetSignature,
}

// ---- Operations -------------------------------------------------------------------

/// Sets a contest up.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestCreateV1 {
    pub id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub venue: String,
    pub rubric: Vec<Criterion>,
    pub contestants: Vec<Contestant>,
    pub judges: Vec<Judge>,
    #[serde(default = "default_trim_from")]
    pub trim_from: u32,
    #[serde(default)]
    pub tie_break: Vec<usize>,
}

fn default_trim_from() -> u32 {
    DEFAULT_TRIM_FROM
}

/// Records the running order drawn by lot (抽签).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestDrawV1 {
    pub id: Uuid,
    pub order: Vec<Uuid>,
}

/// Records the running order of a public draw (公开抽签): the seed drawn in public at the
/// venue or the meeting and typed in; the order follows from it by [`draw_order`].
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestDrawV2 {
    pub id: Uuid,
    pub seed: String,
}

/// Corrects a contest's setup (rubric, panel, contestants and the rest) until the first
/// sheet is saved: the whole setup, as `contest.create@1` gives it.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestUpdateV1 {
    pub id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub venue: String,
    pub rubric: Vec<Criterion>,
    pub contestants: Vec<Contestant>,
    pub judges: Vec<Judge>,
    #[serde(default = "default_trim_from")]
    pub trim_from: u32,
    #[serde(default)]
    pub tie_break: Vec<usize>,
}

impl From<ContestCreateV1> for ContestUpdateV1 {
    /// The same setup, as a correction of the contest `setup.id`.
    fn from(setup: ContestCreateV1) -> ContestUpdateV1 {
        ContestUpdateV1 {
            id: setup.id,
            title: setup.title,
            date: setup.date,
            venue: setup.venue,
            rubric: setup.rubric,
            contestants: setup.contestants,
            judges: setup.judges,
            trim_from: setup.trim_from,
            tie_break: setup.tie_break,
        }
    }
}

impl ContestUpdateV1 {
    /// The setup as a creation would carry it, for the checks both share.
    fn setup(&self) -> ContestCreateV1 {
        ContestCreateV1 {
            id: self.id,
            title: self.title.clone(),
            date: self.date,
            venue: self.venue.clone(),
            rubric: self.rubric.clone(),
            contestants: self.contestants.clone(),
            judges: self.judges.clone(),
            trim_from: self.trim_from,
            tie_break: self.tie_break.clone(),
        }
    }

    /// The judges the corrected setup puts on the panel.
    pub fn panel(&self) -> Panel {
        Panel {
            contest: self.id,
            accounts: self.judges.iter().map(|j| j.account_id).collect(),
            field: "judges",
        }
    }
}

/// The longest seed a public draw takes, in characters.
pub const MAX_SEED_CHARS: usize = 64;

/// The running order a seed gives (公开抽签), so that anyone can replay a public draw:
/// a Fisher–Yates shuffle of the contestants as entered, from the last place down to the
/// second; at place `i` (counted from 0) it swaps with place `j = H(i) mod (i + 1)`, where
/// `H(i)` is the first 8 bytes, big-endian, of SHA-256 over the seed's UTF-8 bytes
/// followed by `i` as 4 bytes big-endian. (The modulo's bias is below 2⁻⁵⁰ for the 500
/// contestants a contest may have.)
pub fn draw_order(contestants: &[Uuid], seed: &str) -> Vec<Uuid> {
    use sha2::{Digest, Sha256};
    let mut order = contestants.to_vec();
    for i in (1..order.len()).rev() {
        let mut h = Sha256::new();
        h.update(seed.as_bytes());
        h.update((i as u32).to_be_bytes());
        let digest = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let j = (u64::from_be_bytes(first) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// Records a declared conflict of interest.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestRecuseV1 {
    pub id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub reason: String,
}

/// Records a contestant as absent (缺赛).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestAbsentV1 {
    pub id: Uuid,
    pub contestant_id: Uuid,
}

/// A substitute judge takes over a judge's remaining sheets.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestSubstituteV1 {
    pub id: Uuid,
    pub out: Uuid,
    pub judge: Judge,
}

/// A judge leaves without a substitute (their remaining panels shrink).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestJudgeAbsentV1 {
    pub id: Uuid,
    pub judge_id: Uuid,
}

/// A judge saves marks (autosave; blanks allowed). `judge_id` is the judge's own
/// account, so the sheet the mutation is about is known before it is applied.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetSaveV1 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub marks: Vec<Option<u32>>,
}

/// A judge signs a sheet with its final marks (签名提交).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetSignV1 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub marks: Vec<Option<u32>>,
}

/// A judge signs a sheet with the device's key (签名提交, version 2): the revision signed
/// and a signature over [`signing::signed_bytes`].
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetSignV2 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub marks: Vec<Option<u32>>,
    pub revision: u32,
    pub signature: SheetSignature,
}

/// The administrator's tablet passes on a judge's signed sheet it scanned at the venue,
/// as its own op: the judge's mutation sequence is left alone.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRelayV1 {
    pub sheet: SheetSignV2,
}

/// The judge's handwritten signature of a sheet revision they signed, drawn on the tablet
/// and sent with the judge's own sync right after `sheet.sign`. It changes no mark: the
/// signing op stays what the scores rest on, so a relayed sheet (whose code cannot carry
/// an image) counts before this arrives.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetAutographV1 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    /// The signed revision the signature belongs to.
    pub revision: u32,
    /// The drawing, a PNG uploaded as an attachment.
    pub image: BlobRef,
}

/// An administrator re-opens a signed sheet, with a reason.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetReopenV1 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub reason: String,
}

/// An administrator re-opens revision `revision` of a signed sheet (version 2): naming
/// the revision makes it idempotent, so the judge's copy of the same re-opening
/// (`sheet.reopened@1`) and the administrator's own may arrive in either order.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetReopenV2 {
    pub contest_id: Uuid,
    pub judge_id: Uuid,
    pub contestant_id: Uuid,
    pub reason: String,
    /// The signed revision being re-opened.
    pub revision: u32,
}

/// At a venue with no network, the judge's tablet scanned the administrator's signed
/// re-opening (a QR code) and sends it as the judge's own op.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetReopenedV1 {
    pub reopen: SheetReopenV2,
    /// The administrator's device signature over [`signing::reopen_bytes`].
    pub signature: SheetSignature,
}

/// An administrator publishes the results.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestPublishV1 {
    pub id: Uuid,
    pub published_on: NaiveDate,
}

fn invalid(field: &str, message: impl Into<String>) -> Rejection {
    Rejection::field(RejectCode::InvalidData, field, message)
}

/// Only the sheet's own judge may send this op about it (`forbidden` with `message`).
fn own_sheet(judge: Uuid, actor: &Actor, message: &str) -> Result<(), Rejection> {
    if judge == actor.account_id {
        Ok(())
    } else {
        Err(Rejection::new(RejectCode::Forbidden, message))
    }
}

fn admin_only(actor: &Actor) -> Result<(), Rejection> {
    if Contest::is_admin(actor) {
        Ok(())
    } else {
        Err(Rejection::new(
            RejectCode::Forbidden,
            "只有比赛管理员可以进行此操作",
        ))
    }
}

fn load_contest(state: &dyn State, id: Uuid) -> Result<Contest, Rejection> {
    load(state, RecordKind::Contest, id, "该比赛不存在")
}

fn not_published(c: &Contest) -> Result<(), Rejection> {
    decide_once(&c.published, "比赛结果")
        .map_err(|_| Rejection::new(RejectCode::AlreadyDecided, "比赛结果已公布，不能再修改"))
}

fn contestant_of(c: &Contest, id: Uuid) -> Result<(), Rejection> {
    if c.contestants.iter().any(|x| x.worker_id == id) {
        Ok(())
    } else {
        Err(invalid("contestant_id", "该选手不在本场比赛中"))
    }
}

fn check_setup(op: &ContestCreateV1) -> Result<(), Rejection> {
    let title = op.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(invalid("title", "请填写比赛名称（不超过 100 个字）"));
    }
    if op.venue.chars().count() > 100 {
        return Err(invalid("venue", "比赛地点不超过 100 个字"));
    }
    if op.rubric.is_empty() || op.rubric.len() > 20 {
        return Err(invalid("rubric", "评分细则应有 1 至 20 项"));
    }
    for c in &op.rubric {
        if c.name.trim().is_empty() {
            return Err(invalid("rubric", "每个评分项都要有名称"));
        }
        if !(1..=100_000).contains(&c.max) || !(1..=10_000).contains(&c.weight) {
            return Err(invalid(
                "rubric",
                format!(
                    "“{}”的满分应在 0.01 至 1000 分之间，权重在 0.01 至 100 之间",
                    c.name
                ),
            ));
        }
        if c.step == 0 || c.step > c.max || !c.max.is_multiple_of(c.step) {
            return Err(invalid(
                "rubric",
                format!("“{}”的满分须为步长的整数倍", c.name),
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if op.contestants.is_empty() || op.contestants.len() > 500 {
        return Err(invalid("contestants", "选手应有 1 至 500 名"));
    }
    if !op.contestants.iter().all(|c| seen.insert(c.worker_id)) {
        return Err(invalid("contestants", "选手重复"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if op.judges.is_empty() || op.judges.len() > 50 {
        return Err(invalid("judges", "评委应有 1 至 50 名"));
    }
    if !op.judges.iter().all(|j| seen.insert(j.account_id)) {
        return Err(invalid("judges", "评委重复"));
    }
    if !(3..=50).contains(&op.trim_from) {
        return Err(invalid(
            "trim_from",
            "去掉最高最低分的评委人数下限应在 3 至 50 之间",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    if op
        .tie_break
        .iter()
        .any(|i| *i >= op.rubric.len() || !seen.insert(*i))
    {
        return Err(invalid("tie_break", "同分比较项须为不重复的评分项"));
    }
    Ok(())
}

/// A setup's checks at creation and at each correction: [`check_setup`], then what needs
/// the records and the account.
fn check_setup_against(
    state: &dyn State,
    actor: &Actor,
    op: &ContestCreateV1,
) -> Result<(), Rejection> {
    check_setup(op)?;
    // Whoever sets a contest up does not judge it.
    if op.judges.iter().any(|j| j.account_id == actor.account_id) {
        return Err(invalid("judges", "比赛的创建者不能担任本场比赛的评委"));
    }
    // Contestants are people the server knows; the message names none of them.
    for x in &op.contestants {
        let known: Result<Worker, _> = load(state, RecordKind::Worker, x.worker_id, "");
        if known.is_err() {
            return Err(Rejection::field(
                RejectCode::NotFound,
                "contestants",
                "选手名单中有找不到的党务工作者，请刷新后重新选择",
            ));
        }
    }
    Ok(())
}

pub(crate) fn create(
    state: &dyn State,
    actor: &Actor,
    op: &ContestCreateV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Contest, op.id))?;
    check_setup_against(state, actor, op)?;
    let contest = Contest {
        title: op.title.trim().to_owned(),
        date: op.date,
        venue: op.venue.trim().to_owned(),
        rubric: op.rubric.clone(),
        contestants: op.contestants.clone(),
        judges: op.judges.clone(),
        trim_from: op.trim_from,
        tie_break: op.tie_break.clone(),
        order: Vec::new(),
        seed: None,
        recusals: Vec::new(),
        absent: Vec::new(),
        substitutions: Vec::new(),
        judge_absences: Vec::new(),
        published: None,
        created_by: actor.account_id,
    };
    Ok(vec![put(RecordKind::Contest, op.id, &contest)])
}

pub(crate) fn draw(
    state: &dyn State,
    actor: &Actor,
    op: &ContestDrawV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    if !c.order.is_empty() {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            "出场顺序已抽签确定",
        ));
    }
    let mut drawn = op.order.clone();
    drawn.sort();
    let mut all: Vec<Uuid> = c.contestants.iter().map(|x| x.worker_id).collect();
    all.sort();
    if drawn != all {
        return Err(invalid("order", "出场顺序须包含每名选手各一次"));
    }
    c.order = op.order.clone();
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

pub(crate) fn draw_public(
    state: &dyn State,
    actor: &Actor,
    op: &ContestDrawV2,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    if !c.order.is_empty() {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            "出场顺序已抽签确定",
        ));
    }
    let seed = op.seed.trim();
    if seed.is_empty() || seed.chars().count() > MAX_SEED_CHARS {
        return Err(invalid(
            "seed",
            format!("请填写现场公开抽取的种子（1 至 {MAX_SEED_CHARS} 个字符）"),
        ));
    }
    let entered: Vec<Uuid> = c.contestants.iter().map(|x| x.worker_id).collect();
    c.order = draw_order(&entered, seed);
    c.seed = Some(seed.to_owned());
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

/// Whether any sheet of `c` has been saved: the setup is fixed from then on.
fn scoring_started(state: &dyn State, id: Uuid, c: &Contest) -> bool {
    c.all_judges().iter().any(|j| {
        c.contestants.iter().any(|x| {
            state
                .get(RecordKey::new(
                    RecordKind::ScoreSheet,
                    sheet_id(id, j.account_id, x.worker_id),
                ))
                .is_some()
        })
    })
}

pub(crate) fn update(
    state: &dyn State,
    actor: &Actor,
    op: &ContestUpdateV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let old = load_contest(state, op.id)?;
    not_published(&old)?;
    if scoring_started(state, op.id, &old) {
        return Err(Rejection::new(
            RejectCode::AlreadyDecided,
            "已有评委保存了评分表，比赛设置不能再修改",
        ));
    }
    check_setup_against(state, actor, &op.setup())?;
    let ids = |list: &[Contestant]| {
        let mut v: Vec<Uuid> = list.iter().map(|x| x.worker_id).collect();
        v.sort();
        v
    };
    let same_field = ids(&old.contestants) == ids(&op.contestants);
    let judge_ids: Vec<Uuid> = op.judges.iter().map(|j| j.account_id).collect();
    let contestant_ids = ids(&op.contestants);
    let c = Contest {
        title: op.title.trim().to_owned(),
        date: op.date,
        venue: op.venue.trim().to_owned(),
        rubric: op.rubric.clone(),
        contestants: op.contestants.clone(),
        judges: op.judges.clone(),
        trim_from: op.trim_from,
        tie_break: op.tie_break.clone(),
        // A drawn order stands while the field is the same; a changed field draws again.
        order: if same_field { old.order } else { Vec::new() },
        seed: if same_field { old.seed } else { None },
        // What named someone no longer in the contest goes with them.
        recusals: old
            .recusals
            .into_iter()
            .filter(|r| {
                judge_ids.contains(&r.judge_id) && contestant_ids.contains(&r.contestant_id)
            })
            .collect(),
        absent: old
            .absent
            .into_iter()
            .filter(|a| contestant_ids.contains(a))
            .collect(),
        // Substitutions and absences of judges happen on the day, once scoring runs.
        substitutions: Vec::new(),
        judge_absences: Vec::new(),
        published: None,
        created_by: old.created_by,
    };
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

pub(crate) fn recuse(
    state: &dyn State,
    actor: &Actor,
    op: &ContestRecuseV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    contestant_of(&c, op.contestant_id)?;
    if !c.all_judges().iter().any(|j| j.account_id == op.judge_id) {
        return Err(invalid("judge_id", "该评委不在本场比赛中"));
    }
    if op.reason.trim().is_empty() {
        return Err(invalid("reason", "请填写回避原因"));
    }
    if !c
        .recusals
        .iter()
        .any(|r| r.judge_id == op.judge_id && r.contestant_id == op.contestant_id)
    {
        c.recusals.push(Recusal {
            judge_id: op.judge_id,
            contestant_id: op.contestant_id,
            reason: op.reason.trim().to_owned(),
        });
    }
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

pub(crate) fn absent(
    state: &dyn State,
    actor: &Actor,
    op: &ContestAbsentV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    contestant_of(&c, op.contestant_id)?;
    if !c.absent.contains(&op.contestant_id) {
        c.absent.push(op.contestant_id);
    }
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

fn load_sheet(
    state: &dyn State,
    contest: Uuid,
    judge: Uuid,
    contestant: Uuid,
) -> Option<ScoreSheet> {
    state
        .get(RecordKey::new(
            RecordKind::ScoreSheet,
            sheet_id(contest, judge, contestant),
        ))
        .and_then(|r| r.decode().ok())
}

pub(crate) fn substitute(
    state: &dyn State,
    actor: &Actor,
    op: &ContestSubstituteV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    if !c.all_judges().iter().any(|j| j.account_id == op.out) {
        return Err(invalid("out", "被替换的评委不在本场比赛中"));
    }
    if c.all_judges()
        .iter()
        .any(|j| j.account_id == op.judge.account_id)
    {
        return Err(invalid("judge", "替补评委已在本场比赛中"));
    }
    if op.judge.account_id == c.created_by {
        return Err(invalid("judge", "比赛的创建者不能担任本场比赛的评委"));
    }
    let kept = c
        .contestants
        .iter()
        .map(|x| x.worker_id)
        .filter(|x| load_sheet(state, op.id, op.out, *x).is_some_and(|s| s.lock.is_signed()))
        .collect();
    c.substitutions.push(Substitution {
        out: op.out,
        judge: op.judge.clone(),
        kept,
    });
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

pub(crate) fn judge_absent(
    state: &dyn State,
    actor: &Actor,
    op: &ContestJudgeAbsentV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    if !c.all_judges().iter().any(|j| j.account_id == op.judge_id) {
        return Err(invalid("judge_id", "该评委不在本场比赛中"));
    }
    if c.judge_absences.iter().any(|a| a.judge_id == op.judge_id) {
        return Ok(vec![put(RecordKind::Contest, op.id, &c)]);
    }
    let kept = c
        .contestants
        .iter()
        .map(|x| x.worker_id)
        .filter(|x| load_sheet(state, op.id, op.judge_id, *x).is_some_and(|s| s.lock.is_signed()))
        .collect();
    c.judge_absences.push(JudgeAbsence {
        judge_id: op.judge_id,
        kept,
    });
    Ok(vec![put(RecordKind::Contest, op.id, &c)])
}

/// The checks of a judge's own sheet: the contest is open, the contestant is theirs.
fn judge_sheet(
    state: &dyn State,
    actor: &Actor,
    contest_id: Uuid,
    judge_id: Uuid,
    contestant_id: Uuid,
) -> Result<(Contest, ScoreSheet), Rejection> {
    if judge_id != actor.account_id {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "只能填写自己的评分表",
        ));
    }
    let c = load_contest(state, contest_id)?;
    not_published(&c)?;
    contestant_of(&c, contestant_id)?;
    if c.absent.contains(&contestant_id) {
        return Err(invalid("contestant_id", "该选手缺赛，无需评分"));
    }
    if !c.panel(contestant_id).contains(&actor.account_id) {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "您不是该选手的评委（或已回避、已被替换）",
        ));
    }
    let sheet =
        load_sheet(state, contest_id, actor.account_id, contestant_id).unwrap_or_else(|| {
            ScoreSheet {
                contest_id,
                judge_id: actor.account_id,
                contestant_id,
                marks: vec![None; c.rubric.len()],
                lock: Lock::new(),
                revisions: Vec::new(),
                signature: None,
                relayed: false,
                autograph: None,
            }
        });
    Ok((c, sheet))
}

fn sheet_change(s: &ScoreSheet) -> Change {
    put(
        RecordKind::ScoreSheet,
        sheet_id(s.contest_id, s.judge_id, s.contestant_id),
        s,
    )
}

pub(crate) fn save_sheet(
    state: &dyn State,
    actor: &Actor,
    op: &SheetSaveV1,
) -> Result<Vec<Change>, Rejection> {
    // Saves the judge made before signing, arriving after the relay signed the sheet:
    // superseded by the signed revision, not refused (also after publication).
    if op.judge_id == actor.account_id
        && load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
            .is_some_and(|s| s.relayed && s.lock.is_signed())
    {
        return Ok(Vec::new());
    }
    let (c, mut sheet) = judge_sheet(state, actor, op.contest_id, op.judge_id, op.contestant_id)?;
    sheet.lock.check_editable()?;
    check_marks(&c.rubric, &op.marks, false).map_err(|e| invalid("marks", e.to_string()))?;
    sheet.marks = op.marks.clone();
    Ok(vec![sheet_change(&sheet)])
}

pub(crate) fn sign_sheet(
    state: &dyn State,
    actor: &Actor,
    op: &SheetSignV1,
) -> Result<Vec<Change>, Rejection> {
    let (c, mut sheet) = judge_sheet(state, actor, op.contest_id, op.judge_id, op.contestant_id)?;
    sheet.lock.check_editable()?;
    check_marks(&c.rubric, &op.marks, true).map_err(|e| invalid("marks", e.to_string()))?;
    sheet.marks = op.marks.clone();
    sheet.lock.sign(actor.account_id)?;
    Ok(vec![sheet_change(&sheet)])
}

/// The judge's device key for a signed sheet: registered to the judge, not revoked, and
/// the signature good for these exact fields.
fn check_signature(state: &dyn State, op: &SheetSignV2) -> Result<(), Rejection> {
    let bytes = signing::signed_bytes(
        op.contest_id,
        op.judge_id,
        op.contestant_id,
        op.revision,
        &op.marks,
        op.signature.device_id,
    );
    check_device_signature(
        state,
        &op.signature,
        op.judge_id,
        "签名设备不属于该评委",
        &bytes,
    )
    .map(drop)
}

/// Checks a device signature over `bytes` against its device's registered key, which
/// must belong to `owner` (else `not_owner`) and not be revoked. Returns the key.
fn check_device_signature(
    state: &dyn State,
    signature: &SheetSignature,
    owner: Uuid,
    not_owner: &str,
    bytes: &[u8],
) -> Result<signing::DeviceKey, Rejection> {
    let key: signing::DeviceKey = load(
        state,
        RecordKind::DeviceKey,
        signature.device_id,
        "签名设备的公钥未登记",
    )?;
    if key.account_id != owner {
        return Err(invalid("signature", not_owner));
    }
    if key.revoked {
        return Err(Rejection::new(
            RejectCode::Forbidden,
            "签名设备已停用，其签名不予接受",
        ));
    }
    let (Some(public), Some(sig)) = (key.bytes(), signing::signature_bytes(&signature.signature))
    else {
        return Err(invalid("signature", "签名格式不正确"));
    };
    signing::verify(&public, bytes, &sig).map_err(|e| invalid("signature", e.to_string()))?;
    Ok(key)
}

/// A signed revision that is already on the sheet: the same marks are the same signing
/// (nothing to do), other marks are a conflict for the administrator.
fn already_signed(sheet: &ScoreSheet, op: &SheetSignV2) -> Option<Result<(), Rejection>> {
    (sheet.lock.is_signed() && sheet.lock.revision == op.revision).then(|| {
        if sheet.marks == op.marks {
            Ok(())
        } else {
            Err(Rejection::new(
                RejectCode::AlreadyDecided,
                "该评委本轮已有一份分数不同的签名评分表，请比赛管理员核对",
            ))
        }
    })
}

/// A signed revision that was since re-opened, with these very marks: its signing
/// arriving now (the judge's own, or a relay) is history.
fn superseded(sheet: &ScoreSheet, op: &SheetSignV2) -> bool {
    op.revision >= 1
        && op.revision < sheet.lock.revision
        && sheet.revisions.get(op.revision as usize - 1) == Some(&op.marks)
}

pub(crate) fn sign_sheet_v2(
    state: &dyn State,
    actor: &Actor,
    op: &SheetSignV2,
) -> Result<Vec<Change>, Rejection> {
    own_sheet(op.judge_id, actor, "只能填写自己的评分表")?;
    // The relay got here first: the judge's own signing confirms it, also after
    // publication.
    if let Some(mut sheet) = load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
        && let Some(same) = already_signed(&sheet, op)
    {
        same?;
        check_signature(state, op)?;
        sheet.relayed = false;
        sheet.signature = Some(op.signature.clone());
        return Ok(vec![sheet_change(&sheet)]);
    }
    // A revision signed, relayed and re-opened at the venue before the judge's own
    // signing of it arrived: that signing is history, not a refusal.
    if load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
        .is_some_and(|sheet| superseded(&sheet, op))
    {
        check_signature(state, op)?;
        return Ok(Vec::new());
    }
    let (c, mut sheet) = judge_sheet(state, actor, op.contest_id, op.judge_id, op.contestant_id)?;
    sheet.lock.check_editable()?;
    if op.revision != sheet.lock.revision {
        return Err(invalid("revision", "评分表已重新开启，请按新的一轮评分"));
    }
    check_marks(&c.rubric, &op.marks, true).map_err(|e| invalid("marks", e.to_string()))?;
    check_signature(state, op)?;
    sheet.marks = op.marks.clone();
    sheet.signature = Some(op.signature.clone());
    sheet.lock.sign(actor.account_id)?;
    Ok(vec![sheet_change(&sheet)])
}

pub(crate) fn relay_sheet(
    state: &dyn State,
    actor: &Actor,
    op: &SheetRelayV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let s = &op.sheet;
    let c = load_contest(state, s.contest_id)?;
    not_published(&c)?;
    contestant_of(&c, s.contestant_id)?;
    if !c.panel(s.contestant_id).contains(&s.judge_id) {
        return Err(invalid("judge_id", "该评委不是这名选手的评委"));
    }
    let mut sheet =
        load_sheet(state, s.contest_id, s.judge_id, s.contestant_id).unwrap_or(ScoreSheet {
            contest_id: s.contest_id,
            judge_id: s.judge_id,
            contestant_id: s.contestant_id,
            marks: vec![None; c.rubric.len()],
            lock: Lock::new(),
            revisions: Vec::new(),
            signature: None,
            relayed: false,
            autograph: None,
        });
    // The same signed revision twice (two scans, or the judge synced first): once. One
    // re-opened since: history.
    if let Some(same) = already_signed(&sheet, s) {
        same?;
        return Ok(Vec::new());
    }
    if superseded(&sheet, s) {
        check_signature(state, s)?;
        return Ok(Vec::new());
    }
    if s.revision != sheet.lock.revision {
        return Err(invalid("revision", "扫描的评分表不是当前这一轮"));
    }
    check_marks(&c.rubric, &s.marks, true).map_err(|e| invalid("marks", e.to_string()))?;
    check_signature(state, s)?;
    sheet.marks = s.marks.clone();
    sheet.signature = Some(s.signature.clone());
    sheet.relayed = true;
    sheet.lock.sign(s.judge_id)?;
    Ok(vec![sheet_change(&sheet)])
}

pub(crate) fn autograph_sheet(
    state: &dyn State,
    actor: &Actor,
    op: &SheetAutographV1,
) -> Result<Vec<Change>, Rejection> {
    own_sheet(op.judge_id, actor, "只能为自己的评分表手写签名")?;
    let c = load_contest(state, op.contest_id)?;
    let mut sheet = load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该评分表不存在"))?;
    // Re-opened since the judge signed: the drawing belongs to a closed revision.
    if op.revision < sheet.lock.revision {
        return Ok(Vec::new());
    }
    if op.revision > sheet.lock.revision || !sheet.lock.is_signed() {
        return Err(invalid("revision", "评分表尚未签名提交，不能附手写签名"));
    }
    if sheet.autograph.as_ref() == Some(&op.image) {
        return Ok(Vec::new());
    }
    sheet.autograph = Some(op.image.clone());
    let mut changes = vec![sheet_change(&sheet)];
    // The judge's tablet synced after publication: the results print it too.
    if c.published.is_some()
        && let Some(mut results) = state
            .get(RecordKey::new(RecordKind::ContestResults, op.contest_id))
            .and_then(|r| r.decode::<ContestResults>().ok())
    {
        results
            .autographs
            .retain(|a| !(a.judge_id == op.judge_id && a.contestant_id == op.contestant_id));
        results.autographs.push(SheetAutograph {
            judge_id: op.judge_id,
            contestant_id: op.contestant_id,
            image: op.image.clone(),
        });
        changes.push(put(RecordKind::ContestResults, op.contest_id, &results));
    }
    Ok(changes)
}

pub(crate) fn reopen_sheet(
    state: &dyn State,
    actor: &Actor,
    op: &SheetReopenV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let c = load_contest(state, op.contest_id)?;
    not_published(&c)?;
    let mut sheet = load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该评分表不存在"))?;
    sheet.lock.reopen(actor.account_id, &op.reason)?;
    sheet.revisions.push(sheet.marks.clone());
    // The signature was for the closed revision; the next one is signed afresh.
    sheet.signature = None;
    sheet.relayed = false;
    sheet.autograph = None;
    Ok(vec![sheet_change(&sheet)])
}

/// Re-opens revision `revision` of a sheet for `by`: a no-op when the sheet is already
/// past that revision (the other copy of the same re-opening arrived first).
fn reopen_revision(
    state: &dyn State,
    op: &SheetReopenV2,
    by: Uuid,
) -> Result<Vec<Change>, Rejection> {
    let c = load_contest(state, op.contest_id)?;
    not_published(&c)?;
    let mut sheet = load_sheet(state, op.contest_id, op.judge_id, op.contestant_id)
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, "该评分表不存在"))?;
    if sheet.lock.revision > op.revision {
        return Ok(Vec::new());
    }
    if sheet.lock.revision < op.revision {
        return Err(invalid("revision", "评分表还没有到这一轮"));
    }
    sheet.lock.reopen(by, &op.reason)?;
    sheet.revisions.push(sheet.marks.clone());
    sheet.signature = None;
    sheet.relayed = false;
    sheet.autograph = None;
    Ok(vec![sheet_change(&sheet)])
}

pub(crate) fn reopen_sheet_v2(
    state: &dyn State,
    actor: &Actor,
    op: &SheetReopenV2,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    reopen_revision(state, op, actor.account_id)
}

/// The judge's copy of a re-opening: signed by a device of the contest's creator (the
/// one administrator a judge's tablet can tell from the contest record), registered and
/// not revoked.
pub(crate) fn reopened_by_code(
    state: &dyn State,
    actor: &Actor,
    op: &SheetReopenedV1,
) -> Result<Vec<Change>, Rejection> {
    let r = &op.reopen;
    own_sheet(r.judge_id, actor, "只能接收重新开启自己的评分表")?;
    let c = load_contest(state, r.contest_id)?;
    let bytes = signing::reopen_bytes(r, op.signature.device_id);
    let key = check_device_signature(
        state,
        &op.signature,
        c.created_by,
        "重新开启须由本场比赛的管理员签名",
        &bytes,
    )?;
    reopen_revision(state, r, key.account_id)
}

pub(crate) fn publish(
    state: &dyn State,
    actor: &Actor,
    op: &ContestPublishV1,
) -> Result<Vec<Change>, Rejection> {
    admin_only(actor)?;
    let mut c = load_contest(state, op.id)?;
    not_published(&c)?;
    let sheets: Vec<ScoreSheet> = c
        .contestants
        .iter()
        .flat_map(|x| {
            c.all_judges()
                .into_iter()
                .filter_map(|j| load_sheet(state, op.id, j.account_id, x.worker_id))
                .collect::<Vec<_>>()
        })
        .collect();
    let lines = standings(&c, &sheets);
    if let Some(open) = lines.iter().find(|l| !l.absent && !l.complete()) {
        let message = if open.missing.is_empty() {
            // Every judge of the panel was recused or left: nobody can score them.
            format!(
                "{} 没有可评分的评委，请先安排评委或登记缺赛，才能公布",
                open.name
            )
        } else {
            format!(
                "{} 还有 {} 张评分表未签名提交，不能公布",
                open.name,
                open.missing.len()
            )
        };
        return Err(Rejection::new(RejectCode::InvalidData, message));
    }
    let publication = Publication {
        by: actor.account_id,
        on: op.published_on,
    };
    c.published = Some(publication.clone());
    let results = ContestResults {
        contest_id: op.id,
        title: c.title.clone(),
        date: c.date,
        rubric: c.rubric.clone(),
        judges: c.all_judges().into_iter().cloned().collect(),
        standings: lines,
        published: publication,
        signatures: sheets
            .iter()
            .filter_map(|s| {
                s.signature.clone().map(|signature| SignedSheet {
                    judge_id: s.judge_id,
                    contestant_id: s.contestant_id,
                    revision: s.lock.revision,
                    signature,
                })
            })
            .collect(),
        autographs: sheets
            .iter()
            .filter_map(|s| {
                s.autograph.clone().map(|image| SheetAutograph {
                    judge_id: s.judge_id,
                    contestant_id: s.contestant_id,
                    image,
                })
            })
            .collect(),
    };
    let mut changes = vec![
        put(RecordKind::Contest, op.id, &c),
        put(RecordKind::ContestResults, op.id, &results),
    ];
    // Taking part counts as a 红领实训比赛 training in each contestant's log: a session
    // with the contest's id and an attendance for everyone who was not absent.
    let session = TrainingSession {
        kind: TrainingKind::Contest,
        title: c.title.clone(),
        date: c.date,
        place: c.venue.clone(),
        hours_tenths: 0,
        trainer: String::new(),
        created_by: actor.account_id,
    };
    changes.push(put(RecordKind::TrainingSession, op.id, &session));
    for line in results.standings.iter().filter(|l| !l.absent) {
        // A tablet that does not hold the worker leaves the mark to the server.
        let Some(worker) = state
            .get(RecordKey::new(RecordKind::Worker, line.contestant_id))
            .and_then(|r| r.decode::<Worker>().ok())
        else {
            continue;
        };
        let mark = Attendance {
            session_id: op.id,
            worker_id: line.contestant_id,
            township_id: worker.township_id,
            mark: Mark::Present,
            via: Via::Manual,
            date: c.date,
            kind: TrainingKind::Contest,
            hours_tenths: 0,
        };
        changes.push(put(
            RecordKind::Attendance,
            attendance_id(op.id, line.contestant_id),
            &mark,
        ));
    }
    Ok(changes)
}

/// A contestant's place in the published results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// 缺赛: did not compete.
    Absent,
    /// Ranked; `shared` when tied (并列).
    Ranked { rank: u32, shared: bool },
    /// Neither (not scored).
    None,
}

/// One judge's total for a contestant, as shown: two decimals, and whether the trimmed
/// mean dropped it (the highest and the lowest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeTotal {
    pub shown: String,
    pub dropped: bool,
    /// The judge's handwritten signature of the sheet, printed beside the total.
    pub autograph: Option<BlobRef>,
}

/// One line of the published results, for the screen and the exports alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    pub place: Place,
    pub name: String,
    pub organization: String,
    /// One per judge, in `ContestResults::judges` order.
    pub totals: Vec<Option<JudgeTotal>>,
    pub score: Option<String>,
}

/// The published results line by line: place, name, organisation, each judge's total,
/// the final score.
pub fn result_lines(r: &ContestResults) -> Vec<ResultLine> {
    r.standings
        .iter()
        .map(|s| ResultLine {
            place: match (s.absent, s.rank) {
                (true, _) => Place::Absent,
                (false, Some(rank)) => Place::Ranked {
                    rank,
                    shared: s.shared,
                },
                (false, None) => Place::None,
            },
            name: s.name.clone(),
            organization: s.organization.clone(),
            totals: r
                .judges
                .iter()
                .map(|j| {
                    let res = s.result.as_ref()?;
                    let total = res.totals.iter().find(|t| t.0 == j.account_id)?.1;
                    Some(JudgeTotal {
                        shown: crate::contest::scoring::Score::new(total, 1).display(),
                        dropped: res.dropped_high == Some(j.account_id)
                            || res.dropped_low == Some(j.account_id),
                        autograph: r.autograph(j.account_id, s.contestant_id).cloned(),
                    })
                })
                .collect(),
            score: s.score.clone(),
        })
        .collect()
}

/// The published results as rows for CSV and Excel (in Chinese, the district's
/// documents): rank, name, organisation, each judge's total (a dropped one marked
/// “（去掉）”), the final score.
pub fn result_rows(r: &ContestResults) -> Vec<Vec<String>> {
    let mut header = vec!["名次".to_owned(), "选手".to_owned(), "单位".to_owned()];
    header.extend(r.judges.iter().map(|j| j.name.clone()));
    header.push("最后得分".to_owned());
    let mut rows = vec![header];
    for line in result_lines(r) {
        let mut row = vec![
            match line.place {
                Place::Absent => "缺赛".to_owned(),
                Place::Ranked { rank, shared: true } => format!("{rank}（并列）"),
                Place::Ranked { rank, .. } => rank.to_string(),
                Place::None => String::new(),
            },
            line.name,
            line.organization,
        ];
        row.extend(line.totals.into_iter().map(|t| match t {
            Some(JudgeTotal {
                shown,
                dropped: true,
                ..
            }) => format!("{shown}（去掉）"),
            Some(t) => t.shown,
            None => String::new(),
        }));
        row.push(line.score.unwrap_or_default());
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Op;
    use crate::kernel::grant::{Grant, Scope};
    use crate::testkit::{World, get, run};

    fn id(n: u8) -> Uuid {
        Uuid::from_bytes([n; 16])
    }

    fn admin() -> Actor {
        Actor {
            account_id: id(200),
            grants: vec![Grant {
                role: Role::ContestAdmin,
                scope: Scope::District,
            }],
        }
    }

    fn judge(n: u8) -> Actor {
        Actor {
            account_id: id(100 + n),
            grants: vec![Grant {
                role: Role::Judge,
                scope: Scope::District,
            }],
        }
    }

    const CONTEST: u8 = 1;

    /// A world holding the workers 11, 12 and 13, the contestants of every test.
    fn people() -> World {
        let mut w = World::new();
        for n in 11..=13 {
            crate::testkit::put(
                &mut w,
                RecordKind::Worker,
                id(n),
                &Worker {
                    name: format!("选手{n}"),
                    organization_id: id(50),
                    township_id: id(60),
                    role: crate::people::model::WorkerRole::Secretary,
                    management_post: String::new(),
                    years_in_post: 1,
                    photo: None,
                    id_card_masked: None,
                },
            );
        }
        w
    }

    /// A contest with `judges` judges and three contestants (ids 11, 12, 13).
    fn setup(judges: u8) -> World {
        let mut w = people();
        run(
            &mut w,
            &admin(),
            Op::ContestCreateV1(ContestCreateV1 {
                id: id(CONTEST),
                title: "2026年红领实训比赛".into(),
                date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
                venue: "区委党校报告厅".into(),
                rubric: vec![
                    Criterion {
                        name: "内容".into(),
                        max: 4000,
                        weight: 100,
                        step: 50,
                    },
                    Criterion {
                        name: "表达".into(),
                        max: 3000,
                        weight: 100,
                        step: 50,
                    },
                    Criterion {
                        name: "创新".into(),
                        max: 3000,
                        weight: 100,
                        step: 50,
                    },
                ],
                contestants: (11..=13)
                    .map(|n| Contestant {
                        worker_id: id(n),
                        name: format!("选手{n}"),
                        organization: String::new(),
                    })
                    .collect(),
                judges: (1..=judges)
                    .map(|n| Judge {
                        account_id: id(100 + n),
                        name: format!("评委{n}"),
                    })
                    .collect(),
                trim_from: 5,
                tie_break: vec![0],
            }),
        )
        .unwrap();
        w
    }

    fn sign(w: &mut World, j: u8, contestant: u8, marks: [u32; 3]) -> Result<(), Rejection> {
        run(
            w,
            &judge(j),
            Op::SheetSignV1(SheetSignV1 {
                contest_id: id(CONTEST),
                judge_id: id(100 + j),
                contestant_id: id(contestant),
                marks: marks.into_iter().map(Some).collect(),
            }),
        )
    }

    /// Judge `j` saves a draft of their sheet for `contestant` (one mark entered).
    fn save_draft(w: &mut World, j: u8, contestant: u8) {
        run(
            w,
            &judge(j),
            Op::SheetSaveV1(SheetSaveV1 {
                contest_id: id(CONTEST),
                judge_id: id(100 + j),
                contestant_id: id(contestant),
                marks: vec![Some(3000), None, None],
            }),
        )
        .unwrap();
    }

    fn contest(w: &World) -> Contest {
        get(w, RecordKind::Contest, id(CONTEST))
    }

    fn sheets(w: &World) -> Vec<ScoreSheet> {
        w.values()
            .filter(|r| r.kind == RecordKind::ScoreSheet)
            .map(|r| r.decode().unwrap())
            .collect()
    }

    #[test]
    fn setup_is_validated_and_only_for_administrators() {
        let mut w = World::new();
        let bad = ContestCreateV1 {
            id: id(CONTEST),
            title: "比赛".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            venue: String::new(),
            rubric: vec![Criterion {
                name: "内容".into(),
                max: 1000,
                weight: 100,
                step: 300,
            }],
            contestants: vec![Contestant {
                worker_id: id(11),
                name: "甲".into(),
                organization: String::new(),
            }],
            judges: vec![Judge {
                account_id: id(101),
                name: "评委".into(),
            }],
            trim_from: 5,
            tie_break: vec![],
        };
        let r = run(&mut w, &admin(), Op::ContestCreateV1(bad.clone())).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("rubric"));
        let r = run(&mut w, &judge(1), Op::ContestCreateV1(bad.clone())).unwrap_err();
        assert_eq!(r.code, RejectCode::Forbidden);
        assert!(w.is_empty());
        // A sound rubric: the creator on the panel, or a contestant nobody knows, is refused.
        let mut sound = bad;
        sound.rubric[0].step = 100;
        let mut own_panel = sound.clone();
        own_panel.judges[0].account_id = admin().account_id;
        let r = run(&mut w, &admin(), Op::ContestCreateV1(own_panel)).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("judges"));
        let r = run(&mut w, &admin(), Op::ContestCreateV1(sound.clone())).unwrap_err();
        assert_eq!(
            (r.code, r.field.as_deref()),
            (RejectCode::NotFound, Some("contestants"))
        );
        assert!(!r.message.contains('甲'), "no name in the refusal");
        assert!(w.is_empty());
        let mut w = people();
        run(&mut w, &admin(), Op::ContestCreateV1(sound)).unwrap();
        // Nor may the creator come in as a substitute.
        let r = run(
            &mut w,
            &admin(),
            Op::ContestSubstituteV1(ContestSubstituteV1 {
                id: id(CONTEST),
                out: id(101),
                judge: Judge {
                    account_id: admin().account_id,
                    name: "管理员".into(),
                },
            }),
        )
        .unwrap_err();
        assert_eq!(r.field.as_deref(), Some("judge"));
    }

    #[test]
    fn a_judge_saves_signs_and_is_then_refused_until_an_administrator_reopens() {
        let mut w = setup(3);
        let save = |marks: Vec<Option<u32>>| {
            Op::SheetSaveV1(SheetSaveV1 {
                contest_id: id(CONTEST),
                judge_id: id(101),
                contestant_id: id(11),
                marks,
            })
        };
        run(&mut w, &judge(1), save(vec![Some(3500), None, None])).unwrap();
        // Above the maximum, or off the 0.5 step: refused, nothing changes.
        let r = run(&mut w, &judge(1), save(vec![Some(4100), None, None])).unwrap_err();
        assert!(r.message.contains("最高 40.00 分"), "{}", r.message);
        let r = run(&mut w, &judge(1), save(vec![Some(3525), None, None])).unwrap_err();
        assert!(r.message.contains("0.50"), "{}", r.message);
        // Signing needs every mark.
        let r = run(
            &mut w,
            &judge(1),
            Op::SheetSignV1(SheetSignV1 {
                contest_id: id(CONTEST),
                judge_id: id(101),
                contestant_id: id(11),
                marks: vec![Some(3500), None, None],
            }),
        )
        .unwrap_err();
        assert!(r.message.contains("尚未评分"));
        sign(&mut w, 1, 11, [3500, 2500, 2500]).unwrap();
        let r = run(
            &mut w,
            &judge(1),
            save(vec![Some(4000), Some(3000), Some(3000)]),
        )
        .unwrap_err();
        assert_eq!(r.code, RejectCode::SheetLocked);
        // Another judge cannot write this judge's sheet; a judge cannot re-open.
        let reopen = Op::SheetReopenV1(SheetReopenV1 {
            contest_id: id(CONTEST),
            judge_id: id(101),
            contestant_id: id(11),
            reason: "评委误录“表达”分".into(),
        });
        assert_eq!(
            run(&mut w, &judge(2), reopen.clone()).unwrap_err().code,
            RejectCode::Forbidden
        );
        run(&mut w, &admin(), reopen).unwrap();
        let s: ScoreSheet = get(
            &w,
            RecordKind::ScoreSheet,
            sheet_id(id(CONTEST), id(101), id(11)),
        );
        assert_eq!(s.lock.revision, 2);
        assert_eq!(s.revisions, vec![vec![Some(3500), Some(2500), Some(2500)]]);
        sign(&mut w, 1, 11, [3500, 2600, 2500]).unwrap();
    }

    #[test]
    fn recusal_absence_and_substitution_shape_each_panel() {
        let mut w = setup(5);
        run(
            &mut w,
            &admin(),
            Op::ContestRecuseV1(ContestRecuseV1 {
                id: id(CONTEST),
                judge_id: id(102),
                contestant_id: id(12),
                reason: "同一单位".into(),
            }),
        )
        .unwrap();
        run(
            &mut w,
            &admin(),
            Op::ContestAbsentV1(ContestAbsentV1 {
                id: id(CONTEST),
                contestant_id: id(13),
            }),
        )
        .unwrap();
        // Judge 5 signs contestant 11, then leaves; judge 6 takes over the rest.
        sign(&mut w, 5, 11, [3000, 2000, 2000]).unwrap();
        run(
            &mut w,
            &admin(),
            Op::ContestSubstituteV1(ContestSubstituteV1 {
                id: id(CONTEST),
                out: id(105),
                judge: Judge {
                    account_id: id(106),
                    name: "评委6".into(),
                },
            }),
        )
        .unwrap();
        let c = contest(&w);
        assert_eq!(c.panel(id(11)), [101, 102, 103, 104, 105].map(id));
        assert_eq!(c.panel(id(12)), [101, 103, 104, 106].map(id));
        // The recused judge and the replaced judge are refused; the substitute scores.
        assert_eq!(
            sign(&mut w, 2, 12, [3000, 2000, 2000]).unwrap_err().code,
            RejectCode::Forbidden
        );
        assert_eq!(
            sign(&mut w, 5, 12, [3000, 2000, 2000]).unwrap_err().code,
            RejectCode::Forbidden
        );
        assert!(
            sign(&mut w, 1, 13, [3000, 2000, 2000])
                .unwrap_err()
                .message
                .contains("缺赛")
        );
        for j in [1, 3, 4, 6] {
            sign(&mut w, j, 12, [3000 + 100 * u32::from(j), 2000, 2000]).unwrap();
        }
        for j in [1, 2, 3, 4] {
            sign(&mut w, j, 11, [3000 + 200 * u32::from(j), 2000, 2000]).unwrap();
        }
        let lines = standings(&contest(&w), &sheets(&w));
        // 11: five judges (72, 74, 76, 78, 70): drop 78 and 70 → 74.00.
        let first = &lines[0];
        assert_eq!(first.contestant_id, id(11));
        assert_eq!(first.score.as_deref(), Some("74.00"));
        assert!(first.complete());
        // 12: four judges after the recusal, under 5: plain mean of 71, 73, 74, 76 = 73.50.
        assert_eq!(lines[1].score.as_deref(), Some("73.50"));
        assert_eq!(lines[1].result.as_ref().unwrap().dropped_high, None);
        assert!(lines[2].absent && lines[2].rank.is_none());
        // Publication freezes everything.
        run(
            &mut w,
            &admin(),
            Op::ContestPublishV1(ContestPublishV1 {
                id: id(CONTEST),
                published_on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            }),
        )
        .unwrap();
        let r: ContestResults = get(&w, RecordKind::ContestResults, id(CONTEST));
        assert_eq!(r.standings[0].rank, Some(1));
        assert_eq!(
            sign(&mut w, 6, 11, [3000, 2000, 2000]).unwrap_err().code,
            RejectCode::AlreadyDecided
        );
    }

    #[test]
    fn a_judge_who_leaves_keeps_the_signed_sheets_and_shrinks_the_other_panels() {
        let mut w = setup(5);
        sign(&mut w, 5, 11, [3000, 2000, 2000]).unwrap();
        run(
            &mut w,
            &admin(),
            Op::ContestJudgeAbsentV1(ContestJudgeAbsentV1 {
                id: id(CONTEST),
                judge_id: id(105),
            }),
        )
        .unwrap();
        let c = contest(&w);
        assert_eq!(c.panel(id(11)).len(), 5, "the signed sheet still counts");
        assert_eq!(c.panel(id(12)).len(), 4, "a panel of four: the plain mean");
        assert_eq!(
            sign(&mut w, 5, 12, [3000, 2000, 2000]).unwrap_err().code,
            RejectCode::Forbidden
        );
    }

    #[test]
    fn results_are_not_published_while_a_sheet_is_missing() {
        let mut w = setup(3);
        for c in [11, 12, 13] {
            for j in [1, 2] {
                sign(&mut w, j, c, [3000, 2000, 2000]).unwrap();
            }
        }
        let publish = Op::ContestPublishV1(ContestPublishV1 {
            id: id(CONTEST),
            published_on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        });
        let r = run(&mut w, &admin(), publish.clone()).unwrap_err();
        assert_eq!(r.message, "选手11 还有 1 张评分表未签名提交，不能公布");
        for c in [11, 12, 13] {
            sign(&mut w, 3, c, [3000, 2000, 2000]).unwrap();
        }
        assert_eq!(
            run(&mut w, &judge(1), publish.clone()).unwrap_err().code,
            RejectCode::Forbidden
        );
        run(&mut w, &admin(), publish.clone()).unwrap();
        assert_eq!(
            run(&mut w, &admin(), publish).unwrap_err().code,
            RejectCode::AlreadyDecided
        );
        // All equal on everything: one shared first place.
        let r: ContestResults = get(&w, RecordKind::ContestResults, id(CONTEST));
        assert!(r.standings.iter().all(|s| s.rank == Some(1) && s.shared));
    }

    /// A judge's handwritten signature joins the signed sheet and the results, also when
    /// the judge's tablet syncs after publication; never on an unsigned or someone
    /// else's sheet, and a re-opening clears it.
    #[test]
    fn a_handwritten_signature_follows_the_signed_revision_to_the_results() {
        let image = |c: char| BlobRef::parse(&c.to_string().repeat(64)).unwrap();
        let autograph = |j: u8, contestant: u8, revision: u32, c: char| {
            Op::SheetAutographV1(SheetAutographV1 {
                contest_id: id(CONTEST),
                judge_id: id(100 + j),
                contestant_id: id(contestant),
                revision,
                image: image(c),
            })
        };
        let sheet = |w: &World, j: u8, c: u8| -> ScoreSheet {
            get(
                w,
                RecordKind::ScoreSheet,
                sheet_id(id(CONTEST), id(100 + j), id(c)),
            )
        };
        let mut w = setup(3);
        assert_eq!(
            run(&mut w, &judge(1), autograph(1, 11, 1, 'a'))
                .unwrap_err()
                .code,
            RejectCode::NotFound,
            "nothing to sign yet"
        );
        save_draft(&mut w, 1, 11);
        assert_eq!(
            run(&mut w, &judge(1), autograph(1, 11, 1, 'a'))
                .unwrap_err()
                .code,
            RejectCode::InvalidData,
            "a sheet not yet signed"
        );
        sign(&mut w, 1, 11, [3000, 2000, 2000]).unwrap();
        assert_eq!(
            run(&mut w, &judge(2), autograph(1, 11, 1, 'a'))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        run(&mut w, &judge(1), autograph(1, 11, 1, 'a')).unwrap();
        assert_eq!(sheet(&w, 1, 11).autograph, Some(image('a')));
        // Re-opened: the drawing went with the closed revision, and a late one for it is
        // history.
        run(
            &mut w,
            &admin(),
            Op::SheetReopenV2(SheetReopenV2 {
                contest_id: id(CONTEST),
                judge_id: id(101),
                contestant_id: id(11),
                reason: "笔误".into(),
                revision: 1,
            }),
        )
        .unwrap();
        assert_eq!(sheet(&w, 1, 11).autograph, None);
        run(&mut w, &judge(1), autograph(1, 11, 1, 'b')).unwrap();
        assert_eq!(sheet(&w, 1, 11).autograph, None);
        sign(&mut w, 1, 11, [3000, 2000, 1500]).unwrap();
        run(&mut w, &judge(1), autograph(1, 11, 2, 'b')).unwrap();
        for c in [11, 12, 13] {
            for j in [1, 2, 3] {
                if (j, c) != (1, 11) {
                    sign(&mut w, j, c, [3000, 2000, 2000]).unwrap();
                }
            }
        }
        run(
            &mut w,
            &admin(),
            Op::ContestPublishV1(ContestPublishV1 {
                id: id(CONTEST),
                published_on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            }),
        )
        .unwrap();
        let results =
            |w: &World| -> ContestResults { get(w, RecordKind::ContestResults, id(CONTEST)) };
        assert_eq!(results(&w).autograph(id(101), id(11)), Some(&image('b')));
        assert_eq!(results(&w).autograph(id(102), id(12)), None);
        // Judge 2's tablet syncs after publication: the results print it too, once.
        run(&mut w, &judge(2), autograph(2, 12, 1, 'c')).unwrap();
        run(&mut w, &judge(2), autograph(2, 12, 1, 'c')).unwrap();
        assert_eq!(results(&w).autograph(id(102), id(12)), Some(&image('c')));
        assert_eq!(results(&w).autographs.len(), 2);
        assert_eq!(
            crate::kernel::blob::named_by(
                RecordKind::ContestResults,
                &serde_json::to_value(results(&w)).unwrap()
            ),
            [image('b'), image('c')]
        );
    }

    /// A contest day with no network: the administrator relays a judge's signed sheet
    /// scanned from the judge's tablet; in either order of arrival the sheet is signed
    /// once, the judge's earlier saves are no-ops, and other marks are a conflict.
    #[test]
    fn a_relayed_sheet_and_the_judges_own_signing_agree_in_either_order() {
        use ed25519_dalek::Signer;
        use signing::{DeviceKey, signed_bytes};
        let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let device = id(77);
        let register = |w: &mut World, revoked: bool| {
            use base64::Engine;
            crate::testkit::put(
                w,
                RecordKind::DeviceKey,
                device,
                &DeviceKey {
                    account_id: id(101),
                    public_key: base64::engine::general_purpose::STANDARD
                        .encode(key.verifying_key().to_bytes()),
                    revoked,
                },
            );
        };
        let signed = |marks: [u32; 3]| {
            use base64::Engine;
            let marks: Vec<Option<u32>> = marks.into_iter().map(Some).collect();
            let bytes = signed_bytes(id(CONTEST), id(101), id(11), 1, &marks, device);
            SheetSignV2 {
                contest_id: id(CONTEST),
                judge_id: id(101),
                contestant_id: id(11),
                marks,
                revision: 1,
                signature: SheetSignature {
                    device_id: device,
                    signature: base64::engine::general_purpose::STANDARD
                        .encode(key.sign(&bytes).to_bytes()),
                },
            }
        };
        let save = Op::SheetSaveV1(SheetSaveV1 {
            contest_id: id(CONTEST),
            judge_id: id(101),
            contestant_id: id(11),
            marks: vec![Some(3000), None, None],
        });
        let sheet = |w: &World| -> ScoreSheet {
            get(
                w,
                RecordKind::ScoreSheet,
                sheet_id(id(CONTEST), id(101), id(11)),
            )
        };

        // Relay first: the judge's queued save is a no-op, the judge's own signing applies.
        let mut w = setup(3);
        register(&mut w, false);
        let sheet_op = signed([3000, 2000, 2000]);
        run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: sheet_op.clone(),
            }),
        )
        .unwrap();
        assert!(sheet(&w).relayed && sheet(&w).lock.is_signed());
        assert_eq!(standings(&contest(&w), &[sheet(&w)])[0].missing.len(), 2);
        run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: sheet_op.clone(),
            }),
        )
        .unwrap();
        run(&mut w, &judge(1), save.clone()).unwrap();
        assert_eq!(sheet(&w).marks, sheet_op.marks, "the save changed nothing");
        run(&mut w, &judge(1), Op::SheetSignV2(sheet_op.clone())).unwrap();
        assert!(!sheet(&w).relayed);
        // Other marks for the same revision: a conflict, never dropped silently.
        let other = signed([3000, 2000, 1500]);
        let r = run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: other.clone(),
            }),
        )
        .unwrap_err();
        assert_eq!(r.code, RejectCode::AlreadyDecided);

        // Judge first: the later relay is a no-op.
        let mut w = setup(3);
        register(&mut w, false);
        run(&mut w, &judge(1), Op::SheetSignV2(sheet_op.clone())).unwrap();
        run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: sheet_op.clone(),
            }),
        )
        .unwrap();
        assert!(!sheet(&w).relayed);

        // A signature moved to other marks, or a revoked device: refused.
        let mut w = setup(3);
        register(&mut w, false);
        let mut forged = sheet_op.clone();
        forged.marks[2] = Some(3000);
        let r = run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 { sheet: forged }),
        )
        .unwrap_err();
        assert_eq!(r.field.as_deref(), Some("signature"));
        register(&mut w, true);
        let r = run(
            &mut w,
            &admin(),
            Op::SheetRelayV1(SheetRelayV1 { sheet: sheet_op }),
        )
        .unwrap_err();
        assert_eq!(r.code, RejectCode::Forbidden);
    }

    /// At the venue the administrator re-opens a relayed sheet and the judge's tablet
    /// scans the signed re-opening: whichever copy of the re-opening and of the judge's
    /// first signing arrives first, the sheet ends at revision 2 signed once, with no
    /// refusal.
    #[test]
    fn a_reopening_scanned_by_the_judge_and_the_administrators_own_agree_in_either_order() {
        use signing::{DeviceKey, SheetToSign, sign_reopen};
        let (judge_secret, admin_secret) = ([3u8; 32], [4u8; 32]);
        let (judge_device, admin_device) = (id(77), id(78));
        let keys = |w: &mut World| {
            for (device, account, secret) in [
                (judge_device, id(101), judge_secret),
                (admin_device, id(200), admin_secret),
            ] {
                crate::testkit::put(
                    w,
                    RecordKind::DeviceKey,
                    device,
                    &DeviceKey::new(account, &signing::public_key_of(&secret)),
                );
            }
        };
        let marks = |m: [u32; 3]| m.into_iter().map(Some).collect::<Vec<_>>();
        let (first, second) = (marks([3000, 2000, 2000]), marks([3500, 2000, 2000]));
        let sign = |revision: u32, m: &[Option<u32>]| {
            SheetToSign {
                contest: id(CONTEST),
                judge: id(101),
                contestant: id(11),
                revision,
                marks: m,
                device: judge_device,
            }
            .sign(&judge_secret)
        };
        let reopen = SheetReopenV2 {
            contest_id: id(CONTEST),
            judge_id: id(101),
            contestant_id: id(11),
            reason: "第一项笔误".into(),
            revision: 1,
        };
        let scanned = sign_reopen(&reopen, admin_device, &admin_secret);
        let admin_ops = vec![
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: sign(1, &first),
            }),
            Op::SheetReopenV2(reopen.clone()),
            Op::SheetRelayV1(SheetRelayV1 {
                sheet: sign(2, &second),
            }),
        ];
        let judge_ops = vec![
            Op::SheetSignV2(sign(1, &first)),
            Op::SheetReopenedV1(scanned.clone()),
            Op::SheetSignV2(sign(2, &second)),
        ];
        for admin_first in [true, false] {
            let mut w = setup(3);
            keys(&mut w);
            let (a, j) = (admin_ops.clone(), judge_ops.clone());
            let order: Vec<(Actor, Op)> = if admin_first {
                a.into_iter()
                    .map(|o| (admin(), o))
                    .chain(j.into_iter().map(|o| (judge(1), o)))
                    .collect()
            } else {
                j.into_iter()
                    .map(|o| (judge(1), o))
                    .chain(a.into_iter().map(|o| (admin(), o)))
                    .collect()
            };
            for (actor, op) in order {
                run(&mut w, &actor, op).unwrap();
            }
            let sheet: ScoreSheet = get(
                &w,
                RecordKind::ScoreSheet,
                sheet_id(id(CONTEST), id(101), id(11)),
            );
            assert_eq!(
                sheet.lock.revision, 2,
                "re-opened once (admin first: {admin_first})"
            );
            assert!(sheet.lock.is_signed() && !sheet.relayed);
            assert_eq!(sheet.marks, second);
            assert_eq!(sheet.revisions, std::slice::from_ref(&first));
        }

        // A re-opening signed by a judge's device, or forged, is refused.
        let mut w = setup(3);
        keys(&mut w);
        run(&mut w, &judge(1), Op::SheetSignV2(sign(1, &first))).unwrap();
        let by_judge = sign_reopen(&reopen, judge_device, &judge_secret);
        let r = run(&mut w, &judge(1), Op::SheetReopenedV1(by_judge)).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("signature"));
        let mut forged = scanned;
        forged.reopen.reason = "另一个原因".into();
        let r = run(&mut w, &judge(1), Op::SheetReopenedV1(forged)).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("signature"));
    }

    /// A public draw: the order follows from the typed seed, anyone replays it, and it is
    /// drawn once.
    #[test]
    fn a_public_draw_orders_by_the_seed_and_records_it() {
        let mut w = setup(3);
        let draw = |seed: &str| {
            Op::ContestDrawV2(ContestDrawV2 {
                id: id(CONTEST),
                seed: seed.into(),
            })
        };
        let r = run(&mut w, &admin(), draw("  ")).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("seed"));
        let r = run(&mut w, &admin(), draw(&"9".repeat(MAX_SEED_CHARS + 1))).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("seed"));
        assert_eq!(
            run(&mut w, &judge(1), draw("0417")).unwrap_err().code,
            RejectCode::Forbidden
        );
        run(&mut w, &admin(), draw(" 0417 ")).unwrap();
        let c = contest(&w);
        assert_eq!(c.seed.as_deref(), Some("0417"));
        let entered: Vec<Uuid> = c.contestants.iter().map(|x| x.worker_id).collect();
        assert_eq!(c.order, draw_order(&entered, "0417"));
        let mut sorted = c.order.clone();
        sorted.sort();
        assert_eq!(sorted, entered, "each contestant once");
        assert_eq!(
            run(&mut w, &admin(), draw("0418")).unwrap_err().code,
            RejectCode::AlreadyDecided
        );
        // Different seeds give different orders, over enough seeds.
        let orders: std::collections::BTreeSet<Vec<Uuid>> = (0..50)
            .map(|n| draw_order(&entered, &n.to_string()))
            .collect();
        assert_eq!(orders.len(), 6, "all six orders of three are reachable");
    }

    /// The setup can be corrected until a judge saves a sheet; a changed field of
    /// contestants draws again.
    #[test]
    fn the_setup_is_corrected_until_the_first_sheet_is_saved() {
        let mut w = setup(3);
        run(
            &mut w,
            &admin(),
            Op::ContestDrawV2(ContestDrawV2 {
                id: id(CONTEST),
                seed: "7".into(),
            }),
        )
        .unwrap();
        let c = contest(&w);
        let update = |c: &Contest| ContestUpdateV1 {
            id: id(CONTEST),
            title: c.title.clone(),
            date: c.date,
            venue: c.venue.clone(),
            rubric: c.rubric.clone(),
            contestants: c.contestants.clone(),
            judges: c.judges.clone(),
            trim_from: c.trim_from,
            tie_break: c.tie_break.clone(),
        };
        // A corrected rubric keeps the drawn order.
        let mut op = update(&c);
        op.rubric[0].max = 5000;
        op.venue = "区委党校 201 室".into();
        run(&mut w, &admin(), Op::ContestUpdateV1(op.clone())).unwrap();
        let after = contest(&w);
        assert_eq!(after.rubric[0].max, 5000);
        assert_eq!(after.venue, "区委党校 201 室");
        assert_eq!(after.order, c.order);
        // One contestant fewer: the order and its seed go, to be drawn again.
        op.contestants.pop();
        run(&mut w, &admin(), Op::ContestUpdateV1(op.clone())).unwrap();
        let after = contest(&w);
        assert_eq!(after.contestants.len(), 2);
        assert!(after.order.is_empty() && after.seed.is_none());
        // A bad setup is refused as at creation, and nobody but an administrator edits.
        let mut bad = op.clone();
        bad.rubric.clear();
        let r = run(&mut w, &admin(), Op::ContestUpdateV1(bad)).unwrap_err();
        assert_eq!(r.field.as_deref(), Some("rubric"));
        assert_eq!(
            run(&mut w, &judge(1), Op::ContestUpdateV1(op.clone()))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        // Once a judge saved a sheet, the setup is fixed.
        save_draft(&mut w, 1, 11);
        let r = run(&mut w, &admin(), Op::ContestUpdateV1(op)).unwrap_err();
        assert_eq!(r.code, RejectCode::AlreadyDecided);
        assert_eq!(r.message, "已有评委保存了评分表，比赛设置不能再修改");
    }

    /// The running contest is the latest unpublished one up to today; a judge's next one
    /// may lie ahead.
    #[test]
    fn the_running_contest_is_the_latest_unpublished_one_up_to_today() {
        let w = setup(3);
        let base = contest(&w);
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let at = |n, d, published: bool| {
            let mut c = base.clone();
            c.date = day(d);
            if published {
                c.published = Some(Publication {
                    on: day(d),
                    by: id(0),
                });
            }
            (id(n), c)
        };
        let list = [at(1, 1, true), at(2, 3, false), at(3, 9, false)];
        assert_eq!(running(&list, day(5)), Some(id(2)));
        assert_eq!(next_to_judge(&list, day(5)), Some(id(2)));
        // Before the second: nothing runs (the first is published), the judge looks ahead.
        assert_eq!(running(&list, day(2)), None);
        assert_eq!(next_to_judge(&list, day(2)), Some(id(2)));
        assert_eq!(running(&list[..1], day(5)), None);
        assert_eq!(next_to_judge(&list[..1], day(5)), None);
    }

    /// 提醒 on the contest's day: the sheets still missing, until none is.
    #[test]
    fn on_the_contest_day_the_missing_sheets_are_a_reminder() {
        use crate::reminders::{Inputs, Reminder, reminders};
        let mut w = setup(3);
        sign(&mut w, 1, 11, [3000, 2000, 2000]).unwrap();
        let settings = crate::certification::ProgrammeSettings {
            holidays: vec![NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()],
            ..Default::default()
        };
        let contests = [(id(CONTEST), contest(&w))];
        let all = sheets(&w);
        let on = |day: NaiveDate, all: &[ScoreSheet]| {
            reminders(
                Inputs {
                    settings: &settings,
                    notices: &[],
                    certificates: &[],
                    statuses: &[],
                    attendance: &[],
                    inspections: &[],
                    mentors: &[],
                    pairs: &[],
                    task_lists: &[],
                    contests: &contests,
                    sheets: all,
                },
                day,
            )
            .into_iter()
            .filter(|r| matches!(r, Reminder::SheetsMissing { .. }))
            .collect::<Vec<_>>()
        };
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(
            on(day, &all),
            [Reminder::SheetsMissing {
                contest_id: id(CONTEST),
                missing: 8,
            }]
        );
        assert!(
            on(day.pred_opt().unwrap(), &all).is_empty(),
            "only on the day"
        );
        for j in 1..=3 {
            for c in 11..=13 {
                if (j, c) != (1, 11) {
                    sign(&mut w, j, c, [3000, 2000, 2000]).unwrap();
                }
            }
        }
        assert!(on(day, &sheets(&w)).is_empty(), "every sheet signed");
    }

    #[test]
    fn a_contestant_with_no_judge_left_blocks_publication_with_a_reason() {
        let mut w = setup(1);
        run(
            &mut w,
            &admin(),
            Op::ContestRecuseV1(ContestRecuseV1 {
                id: id(CONTEST),
                judge_id: id(101),
                contestant_id: id(11),
                reason: "亲属关系".into(),
            }),
        )
        .unwrap();
        for c in [12, 13] {
            sign(&mut w, 1, c, [3000, 2000, 2000]).unwrap();
        }
        let r = run(
            &mut w,
            &admin(),
            Op::ContestPublishV1(ContestPublishV1 {
                id: id(CONTEST),
                published_on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            }),
        )
        .unwrap_err();
        assert!(
            r.message.starts_with("选手11 没有可评分的评委"),
            "{}",
            r.message
        );
    }

    #[test]
    fn the_draw_is_a_permutation_recorded_once() {
        let mut w = setup(3);
        let draw = |order: Vec<u8>| {
            Op::ContestDrawV1(ContestDrawV1 {
                id: id(CONTEST),
                order: order.into_iter().map(id).collect(),
            })
        };
        assert_eq!(
            run(&mut w, &admin(), draw(vec![13, 11]))
                .unwrap_err()
                .field
                .as_deref(),
            Some("order")
        );
        run(&mut w, &admin(), draw(vec![13, 11, 12])).unwrap();
        let names: Vec<String> = contest(&w)
            .running_order()
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(names, ["选手13", "选手11", "选手12"]);
        assert_eq!(
            run(&mut w, &admin(), draw(vec![11, 12, 13]))
                .unwrap_err()
                .code,
            RejectCode::AlreadyDecided
        );
    }
}
