use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hongling_core::wire::{Mutation, MutationResult, MutationStatus};
use hongling_core::{
    Actor, Change, MissRecorder, Op, Record, RecordKey, RecordKind, Rejection, apply,
};
use rexie::{Index, KeyRange, ObjectStore, Rexie, Store, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

const RECORDS: &str = "records";
const BASE: &str = "base";
const OUTBOX: &str = "outbox";
const REJECTED: &str = "rejected";
const META: &str = "meta";

const NEXT_ID: &str = "next_mutation_id";
const CURSOR: &str = "cursor";
const LAST_SYNC: &str = "last_sync";

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    #[error("IndexedDB: {0}")]
    Idb(String),
    #[error("stored data could not be read: {0}")]
    Decode(String),
    #[error("the transaction did not commit")]
    NotCommitted,
}

impl From<rexie::Error> for StorageError {
    fn from(e: rexie::Error) -> StorageError {
        StorageError::Idb(e.to_string())
    }
}

impl From<serde_wasm_bindgen::Error> for StorageError {
    fn from(e: serde_wasm_bindgen::Error) -> StorageError {
        StorageError::Decode(e.to_string())
    }
}

/// A record as stored: the wire record plus its scalar key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    key: String,
    #[serde(flatten)]
    record: Record,
}

/// A mutation waiting for the server, with the records it changed on this device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
    /// Keys (`kind/id`) this mutation wrote locally, for rebasing.
    pub touched: Vec<String>,
}

impl OutboxEntry {
    pub fn mutation(&self) -> Mutation {
        Mutation {
            id: self.id,
            at: self.at,
            op: self.op.clone(),
        }
    }
}

/// A mutation the server refused, kept for the user to fix or discard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedEntry {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub op: Op,
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StorageError> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, StorageError> {
    Ok(serde_wasm_bindgen::from_value(value)?)
}

fn key_js(key: &RecordKey) -> JsValue {
    JsValue::from_str(&key.storage_key())
}

fn parse_key(s: &str) -> Option<RecordKey> {
    let (kind, id) = s.split_once('/')?;
    Some(RecordKey::new(RecordKind::parse(kind)?, id.parse().ok()?))
}

async fn get_record(store: &Store, key: &RecordKey) -> Result<Option<Record>, StorageError> {
    match store.get(key_js(key)).await? {
        Some(v) if !v.is_undefined() => Ok(Some(from_js::<Stored>(v)?.record)),
        _ => Ok(None),
    }
}

async fn put_record(store: &Store, record: Record) -> Result<(), StorageError> {
    let stored = Stored {
        key: record.key().storage_key(),
        record,
    };
    store.put(&to_js(&stored)?, None).await?;
    Ok(())
}

async fn meta_u64(meta: &Store, key: &str) -> Result<Option<u64>, StorageError> {
    Ok(meta
        .get(JsValue::from_str(key))
        .await?
        .and_then(|v| v.as_f64())
        .map(|f| f as u64))
}

/// Runs the shared rules against the `records` store, loading what they ask for.
/// Only IndexedDB requests are awaited, so it is safe inside a transaction.
async fn apply_on(
    records: &Store,
    actor: &Actor,
    op: &Op,
) -> Result<Result<Vec<Change>, Rejection>, StorageError> {
    let mut state = MissRecorder::new();
    loop {
        let outcome = apply(&state, actor, op);
        let missed = state.take_missed();
        if missed.is_empty() {
            return Ok(outcome);
        }
        for key in missed {
            let found = get_record(records, &key).await?;
            state.learn(key, found);
        }
    }
}

/// Writes a mutation's changes into the `records` view, keeping each record's server
/// version.
async fn write_changes(records: &Store, changes: &[Change]) -> Result<(), StorageError> {
    for c in changes {
        let version = get_record(records, &c.key).await?.map_or(0, |r| r.version);
        put_record(
            records,
            Record {
                kind: c.key.kind,
                id: c.key.id,
                version,
                deleted: c.deleted,
                body: c.body.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Resets `keys` in the view to the server's copy, then re-applies, in order, the
/// pending mutations that touch them. A pending mutation that no longer applies here
/// stays in the outbox: the server has the last word on it.
async fn rebase(
    records: &Store,
    base: &Store,
    outbox: &Store,
    actor: &Actor,
    keys: &BTreeSet<String>,
) -> Result<(), StorageError> {
    if keys.is_empty() {
        return Ok(());
    }
    for k in keys {
        let Some(key) = parse_key(k) else { continue };
        match get_record(base, &key).await? {
            Some(r) => put_record(records, r).await?,
            None => records.delete(key_js(&key)).await?,
        }
    }
    let pending = outbox.get_all(None, None).await?;
    for value in pending {
        let entry: OutboxEntry = from_js(value)?;
        if entry.touched.iter().any(|t| keys.contains(t))
            && let Ok(changes) = apply_on(records, actor, &entry.op).await?
        {
            write_changes(records, &changes).await?;
        }
    }
    Ok(())
}

/// The device's database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    rexie: std::rc::Rc<Rexie>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("name", &self.rexie.name())
            .finish()
    }
}

/// The name of the app's database.
pub const DB_NAME: &str = "hongling";

impl Db {
    /// Opens (creating or upgrading) the database called `name`.
    pub async fn open(name: &str) -> Result<Db, StorageError> {
        let rexie = Rexie::builder(name)
            .version(1)
            .add_object_store(
                ObjectStore::new(RECORDS)
                    .key_path("key")
                    .add_index(Index::new("by_kind", "kind")),
            )
            .add_object_store(ObjectStore::new(BASE).key_path("key"))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("id"))
            .add_object_store(ObjectStore::new(REJECTED).key_path("id"))
            .add_object_store(ObjectStore::new(META))
            .build()
            .await?;
        Ok(Db {
            rexie: std::rc::Rc::new(rexie),
        })
    }

    /// Closes the connection (tests reopen to prove durability).
    pub fn close(self) {
        if let Ok(rexie) = std::rc::Rc::try_unwrap(self.rexie) {
            rexie.close();
        }
    }

    /// Deletes the whole database called `name`.
    pub async fn delete(name: &str) -> Result<(), StorageError> {
        Rexie::delete(name).await?;
        Ok(())
    }

    /// Decides `op` with the shared rules and, if it applies, writes its changes and its
    /// outbox entry in one transaction. Returns the mutation id, or the rule's refusal
    /// (and then nothing is written).
    pub async fn commit_local(
        &self,
        actor: &Actor,
        op: Op,
        at: DateTime<Utc>,
    ) -> Result<Result<u64, Rejection>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[RECORDS, OUTBOX, META], TransactionMode::ReadWrite)?;
        let records = tx.store(RECORDS)?;
        let outbox = tx.store(OUTBOX)?;
        let meta = tx.store(META)?;
        let changes = match apply_on(&records, actor, &op).await? {
            Ok(changes) => changes,
            Err(rejection) => {
                tx.done().await?;
                return Ok(Err(rejection));
            }
        };
        let id = meta_u64(&meta, NEXT_ID).await?.unwrap_or(1);
        write_changes(&records, &changes).await?;
        let touched = changes.iter().map(|c| c.key.storage_key()).collect();
        outbox
            .put(
                &to_js(&OutboxEntry {
                    id,
                    at,
                    op,
                    touched,
                })?,
                None,
            )
            .await?;
        meta.put(
            &JsValue::from_f64((id + 1) as f64),
            Some(&JsValue::from_str(NEXT_ID)),
        )
        .await?;
        if !tx.done().await?.is_committed() {
            return Err(StorageError::NotCommitted);
        }
        Ok(Ok(id))
    }

    /// One record as the screens see it.
    pub async fn get(&self, key: RecordKey) -> Result<Option<Record>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let r = get_record(&tx.store(RECORDS)?, &key).await?;
        tx.done().await?;
        Ok(r.filter(|r| !r.deleted))
    }

    /// Every live record of a kind.
    pub async fn list(&self, kind: RecordKind) -> Result<Vec<Record>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let index = tx.store(RECORDS)?.index("by_kind")?;
        let range = KeyRange::only(&JsValue::from_str(kind.as_str()))
            .map_err(|e| StorageError::Idb(e.to_string()))?;
        let values = index.get_all(Some(range), None).await?;
        tx.done().await?;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            let r = from_js::<Stored>(v)?.record;
            if !r.deleted {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Whether a record has local changes the server has not acknowledged.
    pub async fn pending_keys(&self) -> Result<BTreeSet<String>, StorageError> {
        Ok(self
            .outbox(u32::MAX)
            .await?
            .into_iter()
            .flat_map(|e| e.touched)
            .collect())
    }

    /// The oldest `limit` outbox entries, in id order.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.store(OUTBOX)?.get_all(None, Some(limit)).await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    /// How many mutations wait for the server.
    pub async fn pending_count(&self) -> Result<u32, StorageError> {
        let tx = self
            .rexie
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let n = tx.store(OUTBOX)?.count(None).await?;
        tx.done().await?;
        Ok(n)
    }

    /// Mutations the server refused.
    pub async fn rejected(&self) -> Result<Vec<RejectedEntry>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[REJECTED], TransactionMode::ReadOnly)?;
        let values = tx.store(REJECTED)?.get_all(None, None).await?;
        tx.done().await?;
        values.into_iter().map(from_js).collect()
    }

    /// Takes the server's results for pushed mutations: removes them from the outbox,
    /// keeps refused ones in `rejected` and undoes their local effect.
    pub async fn acknowledge(
        &self,
        actor: &Actor,
        results: &[MutationResult],
    ) -> Result<(), StorageError> {
        let tx = self.rexie.transaction(
            &[RECORDS, BASE, OUTBOX, REJECTED],
            TransactionMode::ReadWrite,
        )?;
        let (records, base, outbox, rejected) = (
            tx.store(RECORDS)?,
            tx.store(BASE)?,
            tx.store(OUTBOX)?,
            tx.store(REJECTED)?,
        );
        let mut undo = BTreeSet::new();
        for r in results {
            let id = JsValue::from_f64(r.id as f64);
            let Some(value) = outbox.get(id.clone()).await?.filter(|v| !v.is_undefined()) else {
                continue;
            };
            let entry: OutboxEntry = from_js(value)?;
            outbox.delete(id).await?;
            if r.status == MutationStatus::Rejected {
                let kept = RejectedEntry {
                    id: entry.id,
                    at: entry.at,
                    op: entry.op,
                    code: r.code.clone().unwrap_or_default(),
                    message: r.message.clone().unwrap_or_default(),
                    field: r.field.clone(),
                };
                rejected.put(&to_js(&kept)?, None).await?;
                undo.extend(entry.touched);
            }
        }
        rebase(&records, &base, &outbox, actor, &undo).await?;
        if !tx.done().await?.is_committed() {
            return Err(StorageError::NotCommitted);
        }
        Ok(())
    }

    /// Stores one page of pulled records and the new cursor in one transaction, then
    /// re-applies the pending mutations on top of what changed.
    pub async fn apply_pull(
        &self,
        actor: &Actor,
        pulled: Vec<Record>,
        cursor: u64,
        reset: bool,
    ) -> Result<(), StorageError> {
        let tx = self
            .rexie
            .transaction(&[RECORDS, BASE, OUTBOX, META], TransactionMode::ReadWrite)?;
        let (records, base, outbox, meta) = (
            tx.store(RECORDS)?,
            tx.store(BASE)?,
            tx.store(OUTBOX)?,
            tx.store(META)?,
        );
        if reset {
            records.clear().await?;
            base.clear().await?;
        }
        let mut changed = BTreeSet::new();
        for r in pulled {
            changed.insert(r.key().storage_key());
            if r.deleted {
                base.delete(key_js(&r.key())).await?;
                records.delete(key_js(&r.key())).await?;
            } else {
                put_record(&base, r.clone()).await?;
                put_record(&records, r).await?;
            }
        }
        if reset {
            // Every pending mutation must be laid on the fresh copy again.
            for value in outbox.get_all(None, None).await? {
                let entry: OutboxEntry = from_js(value)?;
                changed.extend(entry.touched);
            }
        }
        rebase(&records, &base, &outbox, actor, &changed).await?;
        meta.put(
            &JsValue::from_f64(cursor as f64),
            Some(&JsValue::from_str(CURSOR)),
        )
        .await?;
        if !tx.done().await?.is_committed() {
            return Err(StorageError::NotCommitted);
        }
        Ok(())
    }

    /// The pull cursor: the server change number this device has pulled up to.
    pub async fn cursor(&self) -> Result<u64, StorageError> {
        let tx = self.rexie.transaction(&[META], TransactionMode::ReadOnly)?;
        let c = meta_u64(&tx.store(META)?, CURSOR).await?.unwrap_or(0);
        tx.done().await?;
        Ok(c)
    }

    /// When the last full sync finished.
    pub async fn last_sync(&self) -> Result<Option<DateTime<Utc>>, StorageError> {
        let tx = self.rexie.transaction(&[META], TransactionMode::ReadOnly)?;
        let v = tx.store(META)?.get(JsValue::from_str(LAST_SYNC)).await?;
        tx.done().await?;
        Ok(v.and_then(|v| v.as_string()).and_then(|s| s.parse().ok()))
    }

    pub async fn set_last_sync(&self, at: DateTime<Utc>) -> Result<(), StorageError> {
        let tx = self
            .rexie
            .transaction(&[META], TransactionMode::ReadWrite)?;
        tx.store(META)?
            .put(
                &JsValue::from_str(&at.to_rfc3339()),
                Some(&JsValue::from_str(LAST_SYNC)),
            )
            .await?;
        tx.done().await?;
        Ok(())
    }
}

/// Asks the browser not to evict this origin's data. Returns whether it agreed.
pub async fn persist() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let storage = window.navigator().storage();
    let Ok(promise) = storage.persist() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Bytes used and allowed, as the browser estimates them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageEstimate {
    pub usage: f64,
    pub quota: f64,
    pub persisted: bool,
}

pub async fn estimate() -> Option<StorageEstimate> {
    let storage = web_sys::window()?.navigator().storage();
    let est = wasm_bindgen_futures::JsFuture::from(storage.estimate().ok()?)
        .await
        .ok()?;
    let get = |k: &str| {
        js_sys::Reflect::get(&est, &JsValue::from_str(k))
            .ok()?
            .as_f64()
    };
    let persisted = match storage.persisted() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => false,
    };
    Some(StorageEstimate {
        usage: get("usage")?,
        quota: get("quota")?,
        persisted,
    })
}
