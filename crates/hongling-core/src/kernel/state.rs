//! How a rule reads records: the synchronous [`State`] trait, the [`MissRecorder`] that
//! lets an asynchronous store answer it, and the `load`/`put` helpers every area uses.
//!
//! `apply` reads records through [`State`]. A store that cannot answer synchronously (a
//! database, IndexedDB) wraps what it has loaded in a [`MissRecorder`], runs `apply`,
//! loads the keys that were missed and runs it again: `apply` is deterministic and has no
//! side effects, so the retry is exact.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use crate::kernel::decision::{Change, RejectCode, Rejection};
use crate::kernel::record::{Record, RecordKey, RecordKind};

/// Read access to the records a mutation may look at.
pub trait State {
    /// The record, or `None` when it does not exist (or is deleted).
    fn get(&self, key: RecordKey) -> Option<Record>;
}

impl State for BTreeMap<RecordKey, Record> {
    fn get(&self, key: RecordKey) -> Option<Record> {
        BTreeMap::get(self, &key).filter(|r| !r.deleted).cloned()
    }
}

/// A [`State`] over a partial snapshot that remembers which keys it could not answer.
///
/// `known` holds what was loaded; `absent` holds keys known not to exist. Any other key
/// is a miss: the caller loads it and runs `apply` again.
#[derive(Debug, Default)]
pub struct MissRecorder {
    pub known: BTreeMap<RecordKey, Record>,
    pub absent: BTreeSet<RecordKey>,
    missed: RefCell<BTreeSet<RecordKey>>,
}

impl MissRecorder {
    pub fn new() -> MissRecorder {
        MissRecorder::default()
    }

    /// Takes the keys missed since the last call.
    pub fn take_missed(&self) -> BTreeSet<RecordKey> {
        std::mem::take(&mut *self.missed.borrow_mut())
    }

    /// Records what a load of `key` found.
    pub fn learn(&mut self, key: RecordKey, record: Option<Record>) {
        match record {
            Some(r) => {
                self.absent.remove(&key);
                self.known.insert(key, r);
            }
            None => {
                self.absent.insert(key);
            }
        }
    }
}

impl State for MissRecorder {
    fn get(&self, key: RecordKey) -> Option<Record> {
        if let Some(r) = self.known.get(&key) {
            return (!r.deleted).then(|| r.clone());
        }
        if !self.absent.contains(&key) {
            self.missed.borrow_mut().insert(key);
        }
        None
    }
}

/// The change that writes `body` as the record `(kind, id)`.
pub fn put<T: Serialize>(kind: RecordKind, id: Uuid, body: &T) -> Change {
    Change {
        key: RecordKey::new(kind, id),
        deleted: false,
        body: serde_json::to_value(body).expect("bodies always serialize"),
    }
}

/// The record `(kind, id)` decoded, or `not_found` with `missing` as its message.
pub fn load<T: serde::de::DeserializeOwned>(
    state: &dyn State,
    kind: RecordKind,
    id: Uuid,
    missing: &str,
) -> Result<T, Rejection> {
    let record = state
        .get(RecordKey::new(kind, id))
        .ok_or_else(|| Rejection::new(RejectCode::NotFound, missing))?;
    record
        .decode()
        .map_err(|_| Rejection::new(RejectCode::InvalidData, "记录已损坏"))
}
