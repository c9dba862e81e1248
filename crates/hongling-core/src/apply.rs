//! `apply(state, op)`: the one place where a mutation is decided.
//!
//! The tablet runs it against its local records before saying "saved"; the server runs
//! it again, inside the database transaction that records the mutation, against its own
//! records. The server never trusts the tablet's result. Each op's rule is named in the
//! op table (`crate::op`); this module adds what holds for every op: the limits first,
//! and after the rule the dossier of the worker the records are about.

use std::collections::BTreeSet;

use crate::kernel::record::RecordKey;
use crate::kernel::{Actor, Change, MissRecorder, Rejection, State};
use crate::op::Op;

/// Decides one mutation against `state`: the records it writes, or why it is refused.
pub fn apply(state: &dyn State, actor: &Actor, op: &Op) -> Result<Vec<Change>, Rejection> {
    crate::limits::check(op)?;
    let mut changes = op.decide(state, actor)?;
    crate::people::dossier::file(state, &mut changes);
    Ok(changes)
}

/// Runs `apply` against a store that loads records on demand.
///
/// `load` is called with the keys `apply` needed but `recorder` did not hold; it must
/// call [`MissRecorder::learn`] for each. Gives up after a bounded number of rounds,
/// which only a non-deterministic `apply` could reach.
pub fn apply_with_loader<E>(
    recorder: &mut MissRecorder,
    actor: &Actor,
    op: &Op,
    mut load: impl FnMut(&mut MissRecorder, BTreeSet<RecordKey>) -> Result<(), E>,
) -> Result<Result<Vec<Change>, Rejection>, E> {
    for _ in 0..16 {
        let outcome = apply(recorder, actor, op);
        let missed = recorder.take_missed();
        if missed.is_empty() {
            return Ok(outcome);
        }
        load(recorder, missed)?;
    }
    panic!("apply kept asking for new records: it must be deterministic");
}
