//! Who sees a record: from its kind's declared reach and reader, and its body.

use uuid::Uuid;

use crate::kernel::grant::{Grant, Visibility};
use crate::kernel::record::{Reach, Reader, RecordKind};

/// Whether the account `account` with `grants` may see one record: by where it lives, or
/// because it is its own (its worker record, what names it as `worker_id` where the kind
/// says so, or a judge's own score sheet). Both follow from [`RecordKind::reach`] and
/// [`RecordKind::reader`].
pub fn can_see_record(
    account: Uuid,
    grants: &[Grant],
    kind: RecordKind,
    id: Uuid,
    body: &serde_json::Value,
) -> bool {
    let named = |field: &str| {
        body.get(field)
            .and_then(|w| w.as_str())
            .and_then(|w| w.parse::<Uuid>().ok())
    };
    let mine = match kind.reader() {
        Reader::Nobody => false,
        Reader::TheWorkerItIs => crate::kernel::grant::own_workers(grants).contains(&id),
        Reader::TheWorkerNamed => named("worker_id")
            .is_some_and(|w| crate::kernel::grant::own_workers(grants).contains(&w)),
        Reader::TheJudge => named("judge_id") == Some(account),
    };
    mine || crate::kernel::grant::can_see(grants, visibility(kind, body))
}

/// Where a record lives for visibility, decided from its kind's reach and its body.
pub fn visibility(kind: RecordKind, body: &serde_json::Value) -> Visibility {
    match kind.reach() {
        Reach::Public => Visibility::Public,
        Reach::ItsContest => Visibility::Contest,
        Reach::Committee => Visibility::Committee,
        // A body without a readable township fails closed: only the committee sees it.
        Reach::WhereTheyWork => body
            .get("township_id")
            .and_then(|t| t.as_str())
            .and_then(|t| t.parse().ok())
            .map_or(Visibility::Committee, Visibility::Township),
    }
}
