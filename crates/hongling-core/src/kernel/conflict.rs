//! The conflict rules of the sync design, as small mechanisms every record kind reuses.
//!
//! Two tablets that were offline can both change the same thing. Who wins is never
//! decided by a device clock: the server applies mutations in one order, and `apply`
//! decides each against what is already there. Each kind of data picks one of these
//! rules (see `docs/sync-protocol.md`):
//!
//! - **First decision wins** ([`decide_once`]): a review stage, a pool application. The
//!   first decision applied stands; a later one is refused `already_decided` and lands in
//!   its author's conflicts inbox with the data they entered.
//! - **Lock after signing** ([`Lock`]): a score sheet. Edits are accepted until it is
//!   signed; then they are refused `sheet_locked` until an administrator re-opens it,
//!   which starts a new revision. Every sign and re-open is kept in the lock's history.
//! - **Append-only with supersede** ([`append`], [`supersede`]): a training log, an
//!   attendance, a visit. A record is never edited; a correction is a new record that
//!   names the one it replaces. Two corrections of one record: the first wins and the
//!   second is refused `already_superseded`.
//! - **Per-field merge** (profiles): an update carries only the fields it changes, so
//!   two edits of different fields both survive; every overwritten value stays in the
//!   server's audit trail. That one needs no helper here: see `WorkerUpdateV1`.
//!
//! The helpers work on JSON bodies and on the [`State`] trait, so they know nothing of
//! any particular kind.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::record::RecordKey;
use crate::kernel::{Change, RejectCode, Rejection, State};

/// First decision wins: `slot` is where a decision is kept; `None` means undecided.
///
/// Returns the refusal for a second decision, naming `what` was decided (e.g. "乡镇初审").
pub fn decide_once<T>(slot: &Option<T>, what: &str) -> Result<(), Rejection> {
    match slot {
        None => Ok(()),
        Some(_) => Err(Rejection::new(
            RejectCode::AlreadyDecided,
            format!("{what}已由他人先行作出决定，您的决定未生效"),
        )),
    }
}

/// The signing state of a sheet: who signed which revision, and every re-opening.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Starts at 1; each re-opening starts the next revision.
    pub revision: u32,
    /// The account that signed the current revision, when it is signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<Uuid>,
    /// Every sign and re-open, oldest first.
    #[serde(default)]
    pub history: Vec<LockEvent>,
}

/// One step in a [`Lock`]'s history.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LockEvent {
    Signed {
        revision: u32,
        by: Uuid,
    },
    Reopened {
        revision: u32,
        by: Uuid,
        reason: String,
    },
}

impl Lock {
    /// A new, unsigned sheet at revision 1.
    pub fn new() -> Lock {
        Lock {
            revision: 1,
            signed_by: None,
            history: Vec::new(),
        }
    }

    pub fn is_signed(&self) -> bool {
        self.signed_by.is_some()
    }

    /// Refuses an edit of a signed sheet.
    pub fn check_editable(&self) -> Result<(), Rejection> {
        if self.is_signed() {
            Err(Rejection::new(
                RejectCode::SheetLocked,
                "评分表已签名提交，不能再修改；如需更正请联系比赛管理员重新开启",
            ))
        } else {
            Ok(())
        }
    }

    /// Signs the current revision. Signing twice is refused like any edit.
    pub fn sign(&mut self, by: Uuid) -> Result<(), Rejection> {
        self.check_editable()?;
        self.signed_by = Some(by);
        self.history.push(LockEvent::Signed {
            revision: self.revision,
            by,
        });
        Ok(())
    }

    /// Re-opens a signed sheet as a new revision. Whether `by` may do so is the caller's
    /// rule (the contest admin); a reason is required because it is audited.
    pub fn reopen(&mut self, by: Uuid, reason: &str) -> Result<(), Rejection> {
        if !self.is_signed() {
            return Err(Rejection::new(
                RejectCode::InvalidData,
                "评分表尚未签名，无需重新开启",
            ));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Rejection::field(
                RejectCode::InvalidData,
                "reason",
                "请填写重新开启的原因",
            ));
        }
        self.revision += 1;
        self.signed_by = None;
        self.history.push(LockEvent::Reopened {
            revision: self.revision,
            by,
            reason: reason.to_owned(),
        });
        Ok(())
    }
}

/// Append-only: a new record must not exist yet. Ids are made by clients, so the same
/// id twice is a different intent, never an edit.
pub fn append(state: &dyn State, key: RecordKey) -> Result<(), Rejection> {
    if state.get(key).is_some() {
        Err(Rejection::new(
            RejectCode::AlreadyExists,
            "该记录已存在；如需更正，请新建一条更正记录",
        ))
    } else {
        Ok(())
    }
}

/// The field of a body that names the record which corrects it.
pub const SUPERSEDED_BY: &str = "superseded_by";

/// Append-only with supersede: the record `old` is corrected by the new record
/// `new_id` (of the same kind). Returns the change that marks `old` as superseded; the
/// caller writes the new record itself, naming `old` in its own `supersedes` field.
pub fn supersede(state: &dyn State, old: RecordKey, new_id: Uuid) -> Result<Change, Rejection> {
    let Some(record) = state.get(old) else {
        return Err(Rejection::field(
            RejectCode::NotFound,
            "supersedes",
            "要更正的记录不存在",
        ));
    };
    let mut body = record.body;
    match body.get(SUPERSEDED_BY) {
        Some(serde_json::Value::String(by)) if by != &new_id.to_string() => {
            return Err(Rejection::new(
                RejectCode::AlreadySuperseded,
                "该记录已被另一条更正记录取代，请在最新的记录上更正",
            ));
        }
        _ => {}
    }
    let Some(fields) = body.as_object_mut() else {
        return Err(Rejection::new(
            RejectCode::InvalidData,
            "要更正的记录已损坏",
        ));
    };
    fields.insert(
        SUPERSEDED_BY.to_owned(),
        serde_json::Value::String(new_id.to_string()),
    );
    Ok(Change {
        key: old,
        deleted: false,
        body,
    })
}

/// Whether a body has been corrected by a later record.
pub fn is_superseded(body: &serde_json::Value) -> bool {
    body.get(SUPERSEDED_BY).is_some_and(|v| !v.is_null())
}

#[cfg(test)]
mod tests {
    //! Each rule is played out as two devices that were offline at the same time: the
    //! server applies the first mutation it receives, then decides the second against
    //! the result.

    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::kernel::record::{Record, RecordKind};

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn store(state: &mut BTreeMap<RecordKey, Record>, change: Change) {
        let version = state.len() as u64 + 1;
        state.insert(
            change.key,
            Record {
                kind: change.key.kind,
                id: change.key.id,
                version,
                deleted: change.deleted,
                body: change.body,
            },
        );
    }

    /// A stage decision on a test record: the body's `decision` slot.
    fn decide(
        state: &mut BTreeMap<RecordKey, Record>,
        key: RecordKey,
        decision: &str,
    ) -> Result<(), Rejection> {
        let mut body = State::get(state, key).expect("exists").body;
        let slot: Option<String> = serde_json::from_value(body["decision"].clone()).unwrap();
        decide_once(&slot, "乡镇初审")?;
        body["decision"] = json!(decision);
        store(
            state,
            Change {
                key,
                deleted: false,
                body,
            },
        );
        Ok(())
    }

    #[test]
    fn the_first_decision_applied_wins_and_the_second_is_refused() {
        let key = RecordKey::new(RecordKind::Worker, id(1));
        let mut state = BTreeMap::new();
        store(
            &mut state,
            Change {
                key,
                deleted: false,
                body: json!({"decision": null}),
            },
        );
        // Both reviewers decided offline; the server happens to receive "approve" first.
        decide(&mut state, key, "approve").unwrap();
        let refusal = decide(&mut state, key, "reject").unwrap_err();
        assert_eq!(refusal.code, RejectCode::AlreadyDecided);
        assert!(refusal.message.contains("乡镇初审"));
        assert_eq!(state[&key].body["decision"], "approve");
    }

    #[test]
    fn a_signed_sheet_refuses_edits_until_reopened_as_a_new_revision() {
        let judge = id(7);
        let admin = id(8);
        let mut lock = Lock::new();
        assert!(lock.check_editable().is_ok());
        lock.sign(judge).unwrap();
        assert_eq!(
            lock.check_editable().unwrap_err().code,
            RejectCode::SheetLocked
        );
        assert_eq!(lock.sign(judge).unwrap_err().code, RejectCode::SheetLocked);
        assert_eq!(
            lock.reopen(admin, "  ").unwrap_err().field.as_deref(),
            Some("reason")
        );
        lock.reopen(admin, "第 3 项录入错误").unwrap();
        assert_eq!(lock.revision, 2);
        assert!(lock.check_editable().is_ok());
        assert_eq!(
            lock.reopen(admin, "again").unwrap_err().code,
            RejectCode::InvalidData
        );
        lock.sign(judge).unwrap();
        assert_eq!(
            lock.history,
            vec![
                LockEvent::Signed {
                    revision: 1,
                    by: judge
                },
                LockEvent::Reopened {
                    revision: 2,
                    by: admin,
                    reason: "第 3 项录入错误".into()
                },
                LockEvent::Signed {
                    revision: 2,
                    by: judge
                },
            ]
        );
        let wire = serde_json::to_value(&lock).unwrap();
        assert_eq!(wire["history"][1]["event"], "reopened");
        assert_eq!(serde_json::from_value::<Lock>(wire).unwrap(), lock);
    }

    #[test]
    fn append_only_records_are_corrected_by_superseding_once() {
        let original = RecordKey::new(RecordKind::Worker, id(1));
        let mut state = BTreeMap::new();
        append(&state, original).unwrap();
        store(
            &mut state,
            Change {
                key: original,
                deleted: false,
                body: json!({"hours": 3}),
            },
        );
        assert_eq!(
            append(&state, original).unwrap_err().code,
            RejectCode::AlreadyExists
        );

        // Two devices correct the same record offline; the first correction applied wins.
        let marked = supersede(&state, original, id(2)).unwrap();
        assert_eq!(marked.body, json!({"hours": 3, "superseded_by": id(2)}));
        store(&mut state, marked);
        assert!(is_superseded(&state[&original].body));
        // Re-deciding the winner is harmless (the same mutation re-run is idempotent).
        assert!(supersede(&state, original, id(2)).is_ok());
        let refusal = supersede(&state, original, id(3)).unwrap_err();
        assert_eq!(refusal.code, RejectCode::AlreadySuperseded);
        let missing = RecordKey::new(RecordKind::Worker, id(9));
        assert_eq!(
            supersede(&state, missing, id(3)).unwrap_err().code,
            RejectCode::NotFound
        );
    }
}
