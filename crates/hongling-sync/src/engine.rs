//! The sync cycle and the store operations it is made of.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hongling_core::wire::{
    ErrorBody, FirstAnswer, MutationResult, MutationStatus, Origin, PullQuery, PullResponse,
    PushRequest, PushResponse, PushedMutation, Replay,
};
use hongling_core::{
    Actor, BlobRef, Change, MissRecorder, Op, Record, RecordKey, RecordKind, Rejection, apply,
};
use uuid::Uuid;

use crate::store::{
    Area, BlobEntry, ClientStore, JournalEntry, OutboxEntry, RejectedEntry, StoreError, StoreTx,
    meta,
};

/// Mutations per push: the most the server takes (`wire::MAX_PUSH_BATCH`), since each
/// batch costs a round trip and a transaction on the device.
pub const PUSH_BATCH: u32 = hongling_core::wire::MAX_PUSH_BATCH as u32;
/// Records per pull page: the most the server sends (`wire::MAX_PULL_LIMIT`).
pub const PULL_PAGE: u32 = hongling_core::wire::MAX_PULL_LIMIT;
/// How many days the journal keeps answered mutations unless the device is told
/// otherwise (`meta::JOURNAL_DAYS`).
pub const JOURNAL_DAYS: u32 = 30;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransportError {
    /// No answer: offline, server down, or the request or its reply was lost.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error envelope.
    #[error("{status} {}: {}", body.code, body.message)]
    Server { status: u16, body: ErrorBody },
    /// The answer could not be read.
    #[error("unreadable reply: {0}")]
    Decode(String),
}

/// The two calls of the protocol. The app implements it with `fetch`, tests with an
/// HTTP client (and faults).
#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, TransportError>;
    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError>;
    /// Uploads an attachment (`PUT /api/v1/blobs/{sha256}`); idempotent.
    async fn put_blob(&self, blob: &BlobEntry) -> Result<(), TransportError>;
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server lacks mutations this device no longer holds: never expected; the
    /// outbox is left untouched.
    #[error("the server expects mutation {expected} but the outbox starts at {first}")]
    Lost { expected: u64, first: u64 },
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u32,
    pub rejected: u32,
    pub pulled: u32,
    /// The server was found rewound (restored from a backup, a snapshot put back).
    pub rewound: bool,
    /// Mutations sent again from the journal to the rewound server.
    pub replayed: u32,
}

/// Where a running cycle is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `done` of `total` attachments uploaded so far in this batch.
    Uploading { done: u32, total: u32 },
    /// `done` of `total` mutations pushed so far.
    Pushing { done: u32, total: u32 },
    /// `records` pulled so far.
    Pulling { records: u32 },
}

fn meta_u64(v: Option<serde_json::Value>) -> Option<u64> {
    v.and_then(|v| v.as_u64())
}

/// Runs the shared rules against the view, loading the records they ask for.
async fn apply_on<T: StoreTx>(
    tx: &mut T,
    actor: &Actor,
    op: &Op,
) -> Result<Result<Vec<Change>, Rejection>, StoreError> {
    let mut state = MissRecorder::new();
    loop {
        let outcome = apply(&state, actor, op);
        let missed = state.take_missed();
        if missed.is_empty() {
            return Ok(outcome);
        }
        for key in missed {
            let found = tx.get(Area::View, &key).await?;
            state.learn(key, found);
        }
    }
}

/// Writes changes into the view, keeping each record's server version. A device never
/// stores a record its account may not see (a full ID-card number on an instructor's
/// tablet, a worker moved out of its townships): such a change removes the record from
/// the view, as the next pull would.
async fn write_changes<T: StoreTx>(
    tx: &mut T,
    actor: &Actor,
    changes: &[Change],
) -> Result<(), StoreError> {
    for c in changes {
        if !hongling_core::can_see_record(
            actor.account_id,
            &actor.grants,
            c.key.kind,
            c.key.id,
            &c.body,
        ) {
            tx.delete(Area::View, &c.key).await?;
            continue;
        }
        let version = tx.get(Area::View, &c.key).await?.map_or(0, |r| r.version);
        let record = Record {
            kind: c.key.kind,
            id: c.key.id,
            version,
            deleted: c.deleted,
            body: c.body.clone(),
        };
        tx.put(Area::View, record).await?;
    }
    Ok(())
}

/// The base's word for "the server has no such record".
fn tombstone(key: RecordKey) -> Record {
    Record {
        kind: key.kind,
        id: key.id,
        version: 0,
        deleted: true,
        body: serde_json::Value::Null,
    }
}

/// Trims the base of a device whose data predates [`Area::Base`] holding only the records
/// of pending mutations (it held a copy of every pulled record, and none of a record a
/// pending mutation created): what no pending mutation wrote goes, and what one created
/// gets its tombstone. Runs once; cheap after that.
pub async fn trim_base<S: ClientStore>(store: &S) -> Result<(), StoreError> {
    let mut tx = store.begin()?;
    if tx.meta_get(meta::BASE_TRIMMED).await?.is_some() {
        return tx.commit().await;
    }
    let pending: BTreeSet<RecordKey> = tx
        .outbox(u32::MAX)
        .await?
        .into_iter()
        .flat_map(|e| e.touched)
        .filter_map(|k| parse_key(&k))
        .collect();
    let held: BTreeSet<RecordKey> = tx.base_keys().await?.into_iter().collect();
    let unneeded: Vec<RecordKey> = held.difference(&pending).copied().collect();
    tx.delete_many(Area::Base, &unneeded).await?;
    let created: Vec<Record> = pending.difference(&held).map(|k| tombstone(*k)).collect();
    tx.put_many(Area::Base, created).await?;
    tx.meta_put(meta::BASE_TRIMMED, true.into()).await?;
    tx.commit().await
}

fn parse_key(s: &str) -> Option<RecordKey> {
    RecordKey::from_storage_key(s)
}

/// Resets `keys` in the view to the server's copy, then re-applies, in order, the
/// pending mutations that wrote them. A pending mutation that no longer applies here
/// stays in the outbox: the server has the last word on it.
async fn rebase<T: StoreTx>(
    tx: &mut T,
    actor: &Actor,
    keys: &BTreeSet<String>,
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    for k in keys {
        let Some(key) = parse_key(k) else { continue };
        match tx.get(Area::Base, &key).await? {
            Some(r) if !r.deleted => tx.put(Area::View, r).await?,
            _ => tx.delete(Area::View, &key).await?,
        }
    }
    for entry in tx.outbox(u32::MAX).await? {
        if entry.touched.iter().any(|t| keys.contains(t))
            && let Ok(changes) = apply_on(tx, actor, &entry.op).await?
        {
            write_changes(tx, actor, &changes).await?;
        }
    }
    Ok(())
}

/// Inside `tx`: decides `op`, writes its changes and its outbox entry, and takes the next
/// mutation id. Nothing is written when the rules refuse it.
pub(crate) async fn queue<T: StoreTx>(
    tx: &mut T,
    actor: &Actor,
    op: Op,
    at: DateTime<Utc>,
    blobs: &[BlobEntry],
    origin: Option<Origin>,
) -> Result<Result<u64, Rejection>, StoreError> {
    let changes = match apply_on(tx, actor, &op).await? {
        Ok(changes) => changes,
        Err(rejection) => return Ok(Err(rejection)),
    };
    for blob in blobs {
        // A blob already uploaded (the same photo chosen again) stays marked so.
        if tx.blob_get(&blob.sha256).await?.is_none() {
            tx.blob_put(blob).await?;
        }
    }
    let id = meta_u64(tx.meta_get(meta::NEXT_ID).await?).unwrap_or(1);
    // The first pending mutation to write a key keeps the server's copy of it (the view
    // as it is, or a tombstone for a record that is not there) for a later rebase.
    for c in &changes {
        if tx.get(Area::Base, &c.key).await?.is_none() {
            let server = tx.get(Area::View, &c.key).await?;
            tx.put(Area::Base, server.unwrap_or_else(|| tombstone(c.key)))
                .await?;
        }
    }
    write_changes(tx, actor, &changes).await?;
    let touched = changes.iter().map(|c| c.key.storage_key()).collect();
    tx.outbox_put(&OutboxEntry {
        id,
        at,
        op,
        touched,
        origin,
    })
    .await?;
    tx.meta_put(meta::NEXT_ID, (id + 1).into()).await?;
    Ok(Ok(id))
}

/// Decides `op` with the shared rules and, if it applies, writes its changes, its outbox
/// entry and the next mutation id in one transaction. Returns the mutation id, or the
/// rule's refusal (and then nothing is written).
pub async fn commit_local<S: ClientStore>(
    store: &S,
    actor: &Actor,
    op: Op,
    at: DateTime<Utc>,
) -> Result<Result<u64, Rejection>, StoreError> {
    commit_with_blobs(store, actor, op, at, &[]).await
}

/// [`commit_local`] for a mutation that names attachments: their bytes are stored in the
/// same transaction as the mutation, so one never exists without the other.
pub async fn commit_with_blobs<S: ClientStore>(
    store: &S,
    actor: &Actor,
    op: Op,
    at: DateTime<Utc>,
    blobs: &[BlobEntry],
) -> Result<Result<u64, Rejection>, StoreError> {
    let mut tx = store.begin()?;
    let id = match queue(&mut tx, actor, op, at, blobs, None).await? {
        Ok(id) => id,
        Err(rejection) => return Ok(Err(rejection)),
    };
    tx.commit().await?;
    Ok(Ok(id))
}

/// "修改后重新提交": queues `op` (the user's corrected intent) and removes the refused
/// mutation `rejected_id` in one transaction, so the fix and the refusal never both or
/// neither exist. Refused again by the local rules, nothing changes.
pub async fn resubmit<S: ClientStore>(
    store: &S,
    actor: &Actor,
    rejected_id: u64,
    op: Op,
    at: DateTime<Utc>,
    blobs: &[BlobEntry],
) -> Result<Result<u64, Rejection>, StoreError> {
    let mut tx = store.begin()?;
    let id = match queue(&mut tx, actor, op, at, blobs, None).await? {
        Ok(id) => id,
        Err(rejection) => return Ok(Err(rejection)),
    };
    tx.rejected_delete(rejected_id).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// "放弃": removes a refused mutation on purpose.
pub async fn discard<S: ClientStore>(store: &S, rejected_id: u64) -> Result<(), StoreError> {
    let mut tx = store.begin()?;
    tx.rejected_delete(rejected_id).await?;
    tx.commit().await
}

/// Takes the server's results for pushed mutations: removes them from the outbox,
/// keeps refused ones with their reason and undoes their local effect.
pub async fn acknowledge<S: ClientStore>(
    store: &S,
    actor: &Actor,
    results: &[MutationResult],
) -> Result<(), StoreError> {
    let mut tx = store.begin()?;
    acknowledge_in(&mut tx, actor, results).await?;
    tx.commit().await
}

/// [`acknowledge`] inside `tx`, so that the push loop reads its next batch in the same
/// transaction.
async fn acknowledge_in<T: StoreTx>(
    tx: &mut T,
    actor: &Actor,
    results: &[MutationResult],
) -> Result<(), StoreError> {
    let mut undo = BTreeSet::new();
    let now = Utc::now();
    let mut answered = meta_u64(tx.meta_get(meta::ANSWERED).await?).unwrap_or(0);
    // The batch's entries in one read, and out of the outbox in one delete: a batch is
    // the outbox's oldest entries, so its ids are one run.
    let (Some(first), Some(last)) = (
        results.iter().map(|r| r.id).min(),
        results.iter().map(|r| r.id).max(),
    ) else {
        return Ok(());
    };
    let mut held: std::collections::BTreeMap<u64, OutboxEntry> = tx
        .outbox_between(first, last)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let mut done = Vec::with_capacity(results.len());
    let mut journal = Vec::with_capacity(results.len());
    for r in results {
        let Some(entry) = held.remove(&r.id) else {
            continue;
        };
        done.push(r.id);
        // The journal keeps every answered mutation, refused ones too, so a replay to a
        // rewound server never has holes.
        let (op, id_card_removed) = entry.op.without_id_card();
        journal.push(JournalEntry {
            id: entry.id,
            at: entry.at,
            op,
            status: r.status,
            code: r.code.clone(),
            id_card_removed,
            answered_at: now,
            origin: entry.origin.clone(),
        });
        answered = answered.max(r.id);
        if r.status == MutationStatus::Rejected {
            let kept = RejectedEntry {
                id: entry.id,
                at: entry.at,
                op: entry.op,
                code: r.code.clone().unwrap_or_default(),
                message: r.message.clone().unwrap_or_default(),
                field: r.field.clone(),
            };
            tx.rejected_put(&kept).await?;
            undo.extend(entry.touched);
        }
    }
    tx.outbox_delete_many(&done).await?;
    tx.journal_put_many(&journal).await?;
    tx.meta_put(meta::ANSWERED, answered.into()).await?;
    rebase(tx, actor, &undo).await?;
    if tx.outbox_count().await? == 0 {
        // Nothing pending: no server copy is needed for a rebase.
        tx.clear_base().await?;
    }
    prune_journal(tx, now).await
}

/// Drops journal entries older than the journal window, at most once a day.
async fn prune_journal<T: StoreTx>(tx: &mut T, now: DateTime<Utc>) -> Result<(), StoreError> {
    let last: Option<DateTime<Utc>> = tx
        .meta_get(meta::JOURNAL_PRUNED)
        .await?
        .and_then(|v| serde_json::from_value(v).ok());
    if last.is_some_and(|t| now - t < chrono::Duration::days(1)) {
        return Ok(());
    }
    let days = meta_u64(tx.meta_get(meta::JOURNAL_DAYS).await?).unwrap_or(u64::from(JOURNAL_DAYS));
    let horizon = now - chrono::Duration::days(days as i64);
    let old: Vec<u64> = tx
        .journal_after(0)
        .await?
        .into_iter()
        .filter(|e| e.answered_at < horizon)
        .map(|e| e.id)
        .collect();
    tx.journal_delete_many(&old).await?;
    tx.meta_put(
        meta::JOURNAL_PRUNED,
        serde_json::to_value(now).unwrap_or_default(),
    )
    .await
}

/// Sets how many days the journal keeps answered mutations (the window a restore may
/// reach back over).
pub async fn set_journal_days<S: ClientStore>(store: &S, days: u32) -> Result<(), StoreError> {
    let mut tx = store.begin()?;
    tx.meta_put(meta::JOURNAL_DAYS, days.into()).await?;
    tx.commit().await
}

/// Where a pull stands: what the device sends with its next pull.
async fn pull_point<S: ClientStore>(store: &S) -> Result<PullQuery, StoreError> {
    let mut tx = store.begin()?;
    let text = |v: Option<serde_json::Value>| v.and_then(|v| v.as_str().map(str::to_owned));
    let q = PullQuery {
        cursor: meta_u64(tx.meta_get(meta::CURSOR).await?).unwrap_or(0),
        limit: Some(PULL_PAGE),
        scope: meta_u64(tx.meta_get(meta::SCOPE).await?).unwrap_or(0),
        tag: text(tx.meta_get(meta::TAG).await?),
        epoch: text(tx.meta_get(meta::EPOCH).await?),
    };
    tx.commit().await?;
    Ok(q)
}

/// Stores one page of pulled records and the new cursor in one transaction, then
/// re-applies the pending mutations on top of what changed.
pub async fn apply_pull<S: ClientStore>(
    store: &S,
    actor: &Actor,
    pulled: Vec<Record>,
    cursor: u64,
    reset: bool,
    scope: u64,
) -> Result<(), StoreError> {
    apply_page(
        store,
        actor,
        PullResponse {
            records: pulled,
            cursor,
            more: false,
            reset,
            scope,
            epoch: None,
            tag: None,
            last_applied: None,
            rewound: false,
        },
    )
    .await
}

/// [`apply_pull`] of a whole reply: the cursor's tag and the server's epoch are kept in
/// the same transaction as the records.
async fn apply_page<S: ClientStore>(
    store: &S,
    actor: &Actor,
    page: PullResponse,
) -> Result<(), StoreError> {
    let PullResponse {
        records: pulled,
        cursor,
        reset,
        scope,
        epoch,
        tag,
        ..
    } = page;
    let mut tx = store.begin()?;
    // What the pending mutations wrote: only those keys need laying again on the
    // server's copy; every other pulled record is the view as it is.
    let pending: BTreeSet<String> = tx
        .outbox(u32::MAX)
        .await?
        .into_iter()
        .flat_map(|e| e.touched)
        .collect();
    let mut changed = BTreeSet::new();
    let held: BTreeSet<RecordKey> = if reset {
        tx.clear_records().await?;
        // Every pending mutation must be laid on the fresh copy again, from nothing
        // unless this page or a later one brings the record.
        changed.clone_from(&pending);
        let created: Vec<Record> = pending
            .iter()
            .filter_map(|k| parse_key(k))
            .map(tombstone)
            .collect();
        tx.put_many(Area::Base, created).await?;
        BTreeSet::new()
    } else if pending.is_empty() {
        BTreeSet::new()
    } else {
        tx.base_keys().await?.into_iter().collect()
    };
    // A record a pending mutation wrote: the server's copy goes to the base (deleted ones
    // as tombstones) and the view is rebased on it. Any other: straight into the view,
    // and out of the base if an answered mutation had left it there.
    let mut to_base = Vec::new();
    let mut out_of_base = Vec::new();
    let mut gone = Vec::new();
    let mut kept = Vec::with_capacity(pulled.len());
    for r in pulled {
        let key = r.key();
        let storage_key = key.storage_key();
        if pending.contains(&storage_key) {
            changed.insert(storage_key);
            to_base.push(r);
            continue;
        }
        if held.contains(&key) {
            out_of_base.push(key);
        }
        if r.deleted {
            gone.push(key);
        } else {
            kept.push(r);
        }
    }
    if pending.is_empty() && !reset {
        tx.clear_base().await?;
    }
    tx.put_many(Area::Base, to_base).await?;
    tx.delete_many(Area::Base, &out_of_base).await?;
    tx.delete_many(Area::View, &gone).await?;
    tx.put_many(Area::View, kept).await?;
    rebase(&mut tx, actor, &changed).await?;
    tx.meta_put(meta::CURSOR, cursor.into()).await?;
    tx.meta_put(meta::SCOPE, scope.into()).await?;
    if let Some(tag) = tag {
        tx.meta_put(meta::TAG, tag.into()).await?;
    }
    if let Some(epoch) = epoch {
        tx.meta_put(meta::EPOCH, epoch.into()).await?;
    }
    tx.commit().await
}

/// An attachment kept on this device, if it is.
pub async fn blob<S: ClientStore>(
    store: &S,
    sha256: &BlobRef,
) -> Result<Option<BlobEntry>, StoreError> {
    let mut tx = store.begin()?;
    let b = tx.blob_get(sha256).await?;
    tx.commit().await?;
    Ok(b)
}

/// Keeps an attachment on this device: one chosen for a form before it is saved
/// (`uploaded: false`), or one downloaded from the server (`uploaded: true`). An entry
/// already kept is left alone, so a blob once uploaded stays marked so.
pub async fn keep_blob<S: ClientStore>(store: &S, entry: &BlobEntry) -> Result<(), StoreError> {
    let mut tx = store.begin()?;
    if tx.blob_get(&entry.sha256).await?.is_none() {
        tx.blob_put(entry).await?;
    }
    tx.commit().await
}

/// Uploads the attachments that the mutations of `batch` name and the server does not
/// have yet, marking each as uploaded. A blob missing on this device is left for the
/// server to refuse (`blob_missing`), which puts the mutation in the conflicts inbox
/// instead of blocking every mutation behind it.
async fn upload_blobs<S: ClientStore, T: Transport>(
    store: &S,
    transport: &T,
    batch: &[&Op],
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    let mut waiting: Vec<BlobRef> = Vec::new();
    if batch.iter().all(|op| op.blobs().is_empty()) {
        return Ok(());
    }
    {
        let mut tx = store.begin()?;
        for op in batch {
            for sha in op.blobs() {
                if !waiting.contains(sha) && tx.blob_get(sha).await?.is_some_and(|b| !b.uploaded) {
                    waiting.push(sha.clone());
                }
            }
        }
        tx.commit().await?;
    }
    let total = waiting.len() as u32;
    for (done, sha) in waiting.into_iter().enumerate() {
        progress(Progress::Uploading {
            done: done as u32,
            total,
        });
        let Some(blob) = blob(store, &sha).await? else {
            continue;
        };
        // The upload is awaited outside any transaction; the mark is a new one.
        transport.put_blob(&blob).await?;
        let mut tx = store.begin()?;
        if let Some(mut b) = tx.blob_get(&sha).await? {
            b.uploaded = true;
            tx.blob_put(&b).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The scope version of the last pull.
pub async fn scope_version<S: ClientStore>(store: &S) -> Result<u64, StoreError> {
    let mut tx = store.begin()?;
    let v = meta_u64(tx.meta_get(meta::SCOPE).await?).unwrap_or(0);
    tx.commit().await?;
    Ok(v)
}

/// The pull cursor, the next mutation id and the last sync time.
pub async fn cursor<S: ClientStore>(store: &S) -> Result<u64, StoreError> {
    let mut tx = store.begin()?;
    let c = meta_u64(tx.meta_get(meta::CURSOR).await?).unwrap_or(0);
    tx.commit().await?;
    Ok(c)
}

/// When the last full sync finished.
pub async fn last_sync<S: ClientStore>(store: &S) -> Result<Option<DateTime<Utc>>, StoreError> {
    let mut tx = store.begin()?;
    let v = tx.meta_get(meta::LAST_SYNC).await?;
    tx.commit().await?;
    Ok(v.and_then(|v| serde_json::from_value(v).ok()))
}

/// Sends again, from the journal, the mutations after `after` that a rewound server
/// lost, with the certificates this device holds, and takes the new answers: one that
/// now differs (refused where it was applied) goes to the conflicts inbox. Every
/// attachment is uploaded again first, as the server may have lost those too.
async fn replay<S: ClientStore, T: Transport>(
    store: &S,
    transport: &T,
    device_id: Uuid,
    after: u64,
    report: &mut SyncReport,
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    report.rewound = true;
    let (entries, mut certificates) = {
        let mut tx = store.begin()?;
        for mut blob in tx.blob_all().await? {
            if blob.uploaded {
                blob.uploaded = false;
                tx.blob_put(&blob).await?;
            }
        }
        let entries = tx.journal_after(after).await?;
        let certificates = tx.view_of_kind(RecordKind::Certificate).await?;
        tx.commit().await?;
        (entries, certificates)
    };
    if let Some(first) = entries.first()
        && first.id != after + 1
    {
        // The journal window no longer reaches back to what the server lost.
        return Err(SyncError::Lost {
            expected: after + 1,
            first: first.id,
        });
    }
    if entries.is_empty() && certificates.is_empty() {
        return Ok(());
    }
    let mut chunks: Vec<&[JournalEntry]> = entries.chunks(PUSH_BATCH as usize).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for chunk in chunks {
        let ops: Vec<&Op> = chunk.iter().map(|e| &e.op).collect();
        upload_blobs(store, transport, &ops, progress).await?;
        let req = PushRequest {
            device_id,
            mutations: chunk
                .iter()
                .map(|e| PushedMutation {
                    mutation: hongling_core::wire::Mutation {
                        id: e.id,
                        at: e.at,
                        op: e.op.clone(),
                    },
                    origin: e.origin.clone(),
                })
                .collect(),
            replay: Some(Replay {
                answers: chunk
                    .iter()
                    .map(|e| FirstAnswer {
                        id: e.id,
                        status: e.status,
                        code: e.code.clone(),
                        id_card_removed: e.id_card_removed,
                    })
                    .collect(),
                certificates: std::mem::take(&mut certificates),
            }),
        };
        let reply = transport.push(&req).await?;
        report.replayed += reply.results.len() as u32;
        let mut tx = store.begin()?;
        for r in &reply.results {
            let Some(entry) = chunk.iter().find(|e| e.id == r.id) else {
                continue;
            };
            let refused_now = r.status == MutationStatus::Rejected;
            if refused_now && entry.status != MutationStatus::Rejected {
                tx.rejected_put(&RejectedEntry {
                    id: entry.id,
                    at: entry.at,
                    op: entry.op.clone(),
                    code: r.code.clone().unwrap_or_default(),
                    message: r.message.clone().unwrap_or_default(),
                    field: r.field.clone(),
                })
                .await?;
            }
            if r.status != MutationStatus::Duplicate {
                let mut kept = entry.clone();
                kept.status = r.status;
                kept.code = r.code.clone();
                tx.journal_put(&kept).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Pushes the whole outbox in batches. A server that expects mutations this device
/// already had answered was rewound: they are replayed from the journal first.
async fn push_outbox<S: ClientStore, T: Transport>(
    store: &S,
    transport: &T,
    device_id: Uuid,
    actor: &Actor,
    report: &mut SyncReport,
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    let total = {
        let mut tx = store.begin()?;
        let n = tx.outbox_count().await?;
        tx.commit().await?;
        n
    };
    let mut replayed = false;
    let next_batch = async || -> Result<Vec<OutboxEntry>, StoreError> {
        let mut tx = store.begin()?;
        let b = tx.outbox(PUSH_BATCH).await?;
        tx.commit().await?;
        Ok(b)
    };
    let mut batch = next_batch().await?;
    while let Some(first) = batch.first().map(|e| e.id) {
        let ops: Vec<&Op> = batch.iter().map(|e| &e.op).collect();
        upload_blobs(store, transport, &ops, progress).await?;
        progress(Progress::Pushing {
            done: report.pushed,
            total: total.max(report.pushed),
        });
        let req = PushRequest {
            device_id,
            mutations: batch.iter().map(OutboxEntry::mutation).collect(),
            replay: None,
        };
        match transport.push(&req).await {
            Ok(reply) => {
                report.pushed += reply.results.len() as u32;
                report.rejected += reply
                    .results
                    .iter()
                    .filter(|r| r.status == MutationStatus::Rejected)
                    .count() as u32;
                // The answers and the next batch in one transaction.
                let mut tx = store.begin()?;
                acknowledge_in(&mut tx, actor, &reply.results).await?;
                batch = tx.outbox(PUSH_BATCH).await?;
                tx.commit().await?;
            }
            Err(TransportError::Server { status: 409, body }) if body.code == "gap" => {
                let last = body.last_applied.unwrap_or(0);
                if replayed {
                    return Err(SyncError::Lost {
                        expected: last + 1,
                        first,
                    });
                }
                replayed = true;
                replay(store, transport, device_id, last, report, progress).await?;
                batch = next_batch().await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// One full cycle: push the whole outbox in batches, pull until nothing is left, and
/// record the time. `progress` is told how far it got.
///
/// A server found rewound — a new epoch, a cursor tag it does not know, or fewer of
/// this device's mutations than it had answered — gets the lost mutations again from
/// the journal (see [`replay`]), and the device pulls everything from zero.
pub async fn sync_once<S: ClientStore, T: Transport>(
    store: &S,
    transport: &T,
    device_id: Uuid,
    actor: &Actor,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    push_outbox(
        store,
        transport,
        device_id,
        actor,
        &mut report,
        &mut progress,
    )
    .await?;
    let mut query = pull_point(store).await?;
    let answered = {
        let mut tx = store.begin()?;
        let n = meta_u64(tx.meta_get(meta::ANSWERED).await?).unwrap_or(0);
        tx.commit().await?;
        n
    };
    let mut checked = false;
    let mut from_zero = false;
    let mut fetched = None;
    loop {
        progress(Progress::Pulling {
            records: report.pulled,
        });
        let mut page = match fetched.take() {
            Some(page) => page,
            None => transport.pull(&query).await?,
        };
        if !checked {
            checked = true;
            let epoch_moved = matches!((&query.epoch, &page.epoch), (Some(a), Some(b)) if a != b);
            let lost = page.last_applied.is_some_and(|l| l < answered);
            if page.rewound || epoch_moved || lost {
                let after = page.last_applied.unwrap_or(0);
                replay(
                    store,
                    transport,
                    device_id,
                    after,
                    &mut report,
                    &mut progress,
                )
                .await?;
                query = PullQuery {
                    cursor: 0,
                    limit: Some(PULL_PAGE),
                    scope: query.scope,
                    tag: None,
                    epoch: page.epoch.clone(),
                };
                from_zero = true;
                continue;
            }
        }
        report.pulled += page.records.len() as u32;
        page.reset |= from_zero;
        from_zero = false;
        let more = page.more;
        query.cursor = page.cursor;
        query.scope = page.scope;
        query.tag.clone_from(&page.tag);
        if page.epoch.is_some() {
            query.epoch.clone_from(&page.epoch);
        }
        if !more {
            apply_page(store, actor, page).await?;
            break;
        }
        // The next page travels while this one is written (the transaction itself
        // awaits nothing but its own requests).
        let (written, next) =
            futures::future::join(apply_page(store, actor, page), transport.pull(&query)).await;
        written?;
        fetched = Some(next?);
    }
    let mut tx = store.begin()?;
    tx.meta_put(
        meta::LAST_SYNC,
        serde_json::to_value(Utc::now()).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use hongling_core::model::Worker;
    use hongling_core::testkit::{create_worker, record, township_and_organization};
    use hongling_core::{Grant, Role, Scope, WorkerUpdateV1};

    use super::*;
    use crate::memory::{MemoryStore, block_on};

    fn name(store: &MemoryStore, id: Uuid) -> Option<String> {
        store
            .view()
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| r.decode::<Worker>().unwrap().name)
    }

    fn base_keys(store: &MemoryStore) -> Vec<(Uuid, bool)> {
        store.base().iter().map(|r| (r.id, r.deleted)).collect()
    }

    fn instructor(township: Uuid) -> Actor {
        Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::Instructor,
                scope: Scope::Township(township),
            }],
        }
    }

    /// Saves `op` on the device, as a form does; the rules must accept it.
    async fn save(store: &MemoryStore, actor: &Actor, op: Op) {
        commit_local(store, actor, op, Utc::now())
            .await
            .unwrap()
            .unwrap();
    }

    fn rename(id: Uuid, to: &str) -> Op {
        Op::WorkerUpdateV1(WorkerUpdateV1 {
            id,
            name: Some(to.into()),
            ..WorkerUpdateV1::default()
        })
    }

    #[test]
    fn the_base_keeps_only_what_pending_mutations_need_and_rebases_on_it() {
        block_on(async {
            let (township, org) = (Uuid::new_v4(), Uuid::new_v4());
            let here = instructor(township);
            let worker = |name: &str, version| {
                record(
                    RecordKind::Worker,
                    Uuid::from_u128(7),
                    version,
                    &Worker {
                        name: name.into(),
                        organization_id: org,
                        township_id: township,
                        role: hongling_core::WorkerRole::Secretary,
                        management_post: String::new(),
                        years_in_post: 1,
                        photo: None,
                        id_card_masked: None,
                    },
                )
            };
            let old = Uuid::from_u128(7);
            let store = MemoryStore::new();
            let mut first = township_and_organization(township, org, "某公司");
            first.push(worker("王芳", 3));
            apply_pull(&store, &here, first, 3, false, 1).await.unwrap();
            // A pull with nothing pending writes the view alone.
            assert!(store.base().is_empty());

            // A new worker and an edit, pending: the base keeps a tombstone for the one
            // and the server's copy of the other.
            let new = Uuid::new_v4();
            save(&store, &here, create_worker(new, township, org, "李梅")).await;
            save(&store, &here, rename(old, "王芳芳")).await;
            let mut held = base_keys(&store);
            held.sort();
            let mut expected = vec![(old, false), (new, true)];
            expected.sort();
            assert_eq!(held, expected);
            // A second edit of a pending record keeps the server's copy, not the view.
            save(&store, &here, rename(new, "李梅梅")).await;
            assert!(store.base().iter().any(|r| r.id == new && r.deleted));

            // The server's new copy of the edited worker comes with an unrelated record:
            // the local edit is laid on it, the unrelated one goes to the view only.
            let other = record(
                RecordKind::Township,
                Uuid::new_v4(),
                5,
                &hongling_core::model::Township {
                    name: "五马镇".into(),
                },
            );
            apply_pull(
                &store,
                &here,
                vec![worker("王芳（改）", 4), other.clone()],
                5,
                false,
                1,
            )
            .await
            .unwrap();
            assert_eq!(name(&store, old).as_deref(), Some("王芳芳"));
            assert_eq!(name(&store, new).as_deref(), Some("李梅梅"));
            assert!(store.view().iter().any(|r| r.id == other.id));
            assert!(!store.base().iter().any(|r| r.id == other.id));
            let server = store.base().into_iter().find(|r| r.id == old).unwrap();
            assert_eq!(server.decode::<Worker>().unwrap().name, "王芳（改）");

            // The edit refused, the creations applied: the view goes back to the server's
            // copy, and with the outbox empty the base empties.
            let ids: Vec<u64> = store.outbox().iter().map(|e| e.id).collect();
            let results: Vec<MutationResult> = ids
                .iter()
                .map(|&id| MutationResult {
                    id,
                    status: if id == 2 {
                        MutationStatus::Rejected
                    } else {
                        MutationStatus::Applied
                    },
                    code: (id == 2).then(|| "forbidden".to_owned()),
                    message: None,
                    field: None,
                })
                .collect();
            acknowledge(&store, &here, &results).await.unwrap();
            assert_eq!(name(&store, old).as_deref(), Some("王芳（改）"));
            assert_eq!(name(&store, new).as_deref(), Some("李梅梅"));
            assert!(store.outbox().is_empty());
            assert!(store.base().is_empty());
        });
    }

    #[test]
    fn a_base_of_the_first_form_is_trimmed_once() {
        block_on(async {
            let (township, org) = (Uuid::new_v4(), Uuid::new_v4());
            let here = instructor(township);
            let store = MemoryStore::new();
            let pulled = township_and_organization(township, org, "某公司");
            // What the first form held: every pulled record in the base too.
            let mut tx = store.begin().unwrap();
            tx.put_many(Area::Base, pulled.clone()).await.unwrap();
            tx.put_many(Area::View, pulled.clone()).await.unwrap();
            tx.commit().await.unwrap();
            let new = Uuid::new_v4();
            save(&store, &here, create_worker(new, township, org, "李梅")).await;
            // The first form kept no base for a created record: take out the tombstone
            // this version wrote, to stand for that.
            let mut tx = store.begin().unwrap();
            tx.delete(Area::Base, &RecordKey::new(RecordKind::Worker, new))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(store.base().len(), 2);

            trim_base(&store).await.unwrap();
            assert_eq!(base_keys(&store), vec![(new, true)]);
            // Once: a record put back in the base afterwards stays.
            let mut tx = store.begin().unwrap();
            tx.put(Area::Base, pulled[0].clone()).await.unwrap();
            tx.commit().await.unwrap();
            trim_base(&store).await.unwrap();
            assert_eq!(store.base().len(), 2);
        });
    }
}
