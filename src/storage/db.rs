use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use chrono::{DateTime, Utc};
use hongling_core::wire::MutationResult;
use hongling_core::{Actor, BlobRef, Op, Record, RecordKey, RecordKind, Rejection};
use hongling_sync::{
    Area, BlobEntry, ClientStore, JournalEntry, OutboxEntry, RejectedEntry, StoreError, StoreTx,
};
use rexie::{Index, KeyRange, ObjectStore, Rexie, Store, Transaction, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

const RECORDS: &str = "records";
const BASE: &str = "base";
const OUTBOX: &str = "outbox";
const REJECTED: &str = "rejected";
const META: &str = "meta";
const BLOBS: &str = "blobs";
const JOURNAL: &str = "journal";
/// The `meta` entry of the device's signing key.
const DEVICE_SECRET: &str = "device_secret";
const ALL: [&str; 7] = [RECORDS, BASE, OUTBOX, REJECTED, META, BLOBS, JOURNAL];

/// Storage failures, as the sync crate names them.
pub type StorageError = StoreError;

fn idb(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// A record as the first versions stored it: the wire record as a JavaScript object plus
/// its scalar key. Still read; no longer written.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    key: String,
    #[serde(flatten)]
    record: Record,
}

/// A record as stored now: `{key, kind, json}`, the key and kind for the primary key and
/// the `by_kind` index, and the record as the JSON text the wire carries. One encoding
/// between Rust and IndexedDB: serde_json both ways, where an object built field by field
/// through `serde_wasm_bindgen` cost a call into JavaScript per field to write and to read,
/// and a structured clone of every nested object on each put.
fn record_js(record: &Record) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(record).map_err(|e| StoreError::Decode(e.to_string()))?;
    let value = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        js_sys::Reflect::set(&value, &JsValue::from_str(k), &JsValue::from_str(v))
            .map_err(|e| StoreError::Backend(format!("{e:?}")))
    };
    set("key", &record.key().storage_key())?;
    set("kind", record.kind.as_str())?;
    set("json", &json)?;
    Ok(value.into())
}

/// A stored record, in either encoding.
fn record_from_js(value: JsValue) -> Result<Record, StoreError> {
    let json = js_sys::Reflect::get(&value, &JsValue::from_str("json"))
        .ok()
        .and_then(|j| j.as_string());
    match json {
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Decode(e.to_string())),
        None => Ok(from_js::<Stored>(value)?.record),
    }
}

/// An outbox, journal or conflicts entry as stored now: `{id, json}`, the id for the
/// primary key and the entry as JSON text (one string to clone per put, where an object
/// built field by field cost a call into JavaScript per field).
fn entry_js<T: Serialize>(id: u64, entry: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(entry).map_err(|e| StoreError::Decode(e.to_string()))?;
    let value = js_sys::Object::new();
    js_sys::Reflect::set(&value, &JsValue::from_str("id"), &id_js(id))
        .and_then(|_| js_sys::Reflect::set(&value, &JsValue::from_str("json"), &json.into()))
        .map_err(|e| StoreError::Backend(format!("{e:?}")))?;
    Ok(value.into())
}

/// A stored entry, in either encoding (the first versions stored the entry's fields).
fn entry_from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    match js_sys::Reflect::get(&value, &JsValue::from_str("json"))
        .ok()
        .and_then(|j| j.as_string())
    {
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Decode(e.to_string())),
        None => from_js(value),
    }
}

/// A stored journal value: a batch (`{id, json: "[…]"}`, the answers to one push, one
/// value where an entry each cost a put each), or one entry of the first forms.
fn journal_from_js(value: JsValue) -> Result<Vec<JournalEntry>, StoreError> {
    let json = js_sys::Reflect::get(&value, &JsValue::from_str("json"))
        .ok()
        .and_then(|j| j.as_string());
    let decode = |e: serde_json::Error| StoreError::Decode(e.to_string());
    match json {
        Some(json) if json.starts_with('[') => serde_json::from_str(&json).map_err(decode),
        Some(json) => Ok(vec![serde_json::from_str(&json).map_err(decode)?]),
        None => Ok(vec![from_js(value)?]),
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| StoreError::Decode(e.to_string()))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Decode(e.to_string()))
}

fn key_js(key: &RecordKey) -> JsValue {
    JsValue::from_str(&key.storage_key())
}

fn id_js(id: u64) -> JsValue {
    JsValue::from_f64(id as f64)
}

async fn get_record(store: &Store, key: &RecordKey) -> Result<Option<Record>, StoreError> {
    match store.get(key_js(key)).await.map_err(idb)? {
        Some(v) if !v.is_undefined() => Ok(Some(record_from_js(v)?)),
        _ => Ok(None),
    }
}

/// The view's records of every kind a screen has listed, kept in memory so that a list
/// after a save or a sync costs no IndexedDB read and no decode of what did not change.
/// Every transaction of this connection that writes the view updates it with exactly the
/// records it wrote, once it has committed; another tab's writes (the same database,
/// its own memory) are announced on a `BroadcastChannel` and drop the copy.
#[derive(Debug, Default)]
struct Cache {
    kinds: BTreeMap<RecordKind, BTreeMap<uuid::Uuid, Record>>,
    /// Bumped by every commit, so that a read which began before it does not fill the
    /// cache with what that commit replaced.
    writes: u64,
    /// The keys each recent commit wrote into the view, by the `writes` it made, so a
    /// read model can update only those (`Db::changes_since`).
    log: std::collections::VecDeque<(u64, Vec<RecordKey>)>,
    /// No answer about changes before this generation (forgotten, cleared, or older than
    /// the log keeps).
    horizon: u64,
}

/// How many commits the change log remembers.
const LOG_LEN: usize = 256;

impl Cache {
    fn apply(&mut self, written: Vec<(RecordKey, Option<Record>)>, cleared: bool) {
        self.writes += 1;
        if cleared {
            self.kinds.clear();
            self.log.clear();
            self.horizon = self.writes;
        } else {
            self.log
                .push_back((self.writes, written.iter().map(|(k, _)| *k).collect()));
            if self.log.len() > LOG_LEN
                && let Some((g, _)) = self.log.pop_front()
            {
                self.horizon = g;
            }
        }
        for (key, record) in written {
            let Some(kind) = self.kinds.get_mut(&key.kind) else {
                continue;
            };
            match record.filter(|r| !r.deleted) {
                Some(r) => {
                    kind.insert(key.id, r);
                }
                None => {
                    kind.remove(&key.id);
                }
            }
        }
    }

    fn forget(&mut self) {
        self.writes += 1;
        self.kinds.clear();
        self.log.clear();
        self.horizon = self.writes;
    }
}

/// What to call when another tab wrote the database.
type ForeignHook = Rc<RefCell<Option<Box<dyn Fn()>>>>;

/// The tab's end of the channel, with its listener. When the last handle of a connection
/// goes, the listener is taken off and the channel closed, so no message reaches a
/// dropped closure.
struct Channel {
    port: web_sys::BroadcastChannel,
    _listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Channel {
    /// Tells the other tabs that this one wrote the database.
    fn announce(&self) {
        let _ = self.port.post_message(&JsValue::TRUE);
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.port.set_onmessage(None);
        self.port.close();
    }
}

/// The channel on which tabs of the app tell each other that they wrote the database.
const CHANGES_CHANNEL: &str = "hongling-db-changes";

/// One read-write IndexedDB transaction over every store. Its methods await only
/// IndexedDB requests, so the browser keeps it open until `commit`.
pub struct IdbTx {
    /// What this transaction wrote into the view, for the cache once it commits.
    written: Vec<(RecordKey, Option<Record>)>,
    cleared: bool,
    /// Whether anything at all was written (a commit of reads alone tells nobody).
    dirty: bool,
    cache: Rc<RefCell<Cache>>,
    channel: Option<Rc<Channel>>,
    tx: Transaction,
    records: Store,
    base: Store,
    outbox: Store,
    rejected: Store,
    meta: Store,
    blobs: Store,
    journal: Store,
}

impl IdbTx {
    fn area(&self, area: Area) -> &Store {
        match area {
            Area::View => &self.records,
            Area::Base => &self.base,
        }
    }
}

impl StoreTx for IdbTx {
    async fn get(&mut self, area: Area, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        get_record(self.area(area), key).await
    }

    async fn put(&mut self, area: Area, record: Record) -> Result<(), StoreError> {
        self.dirty = true;
        let value = record_js(&record)?;
        if area == Area::View {
            self.written.push((record.key(), Some(record)));
        }
        self.area(area).put(&value, None).await.map_err(idb)?;
        Ok(())
    }

    async fn delete(&mut self, area: Area, key: &RecordKey) -> Result<(), StoreError> {
        self.dirty = true;
        if area == Area::View {
            self.written.push((*key, None));
        }
        self.area(area).delete(key_js(key)).await.map_err(idb)
    }

    async fn clear_records(&mut self) -> Result<(), StoreError> {
        self.dirty = true;
        self.written.clear();
        self.cleared = true;
        self.records.clear().await.map_err(idb)?;
        self.base.clear().await.map_err(idb)
    }

    async fn outbox(&mut self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let values = self.outbox.get_all(None, Some(limit)).await.map_err(idb)?;
        values.into_iter().map(entry_from_js).collect()
    }

    async fn outbox_get(&mut self, id: u64) -> Result<Option<OutboxEntry>, StoreError> {
        match self.outbox.get(id_js(id)).await.map_err(idb)? {
            Some(v) if !v.is_undefined() => Ok(Some(entry_from_js(v)?)),
            _ => Ok(None),
        }
    }

    async fn outbox_put(&mut self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.dirty = true;
        self.outbox
            .put(&entry_js(entry.id, entry)?, None)
            .await
            .map_err(idb)?;
        Ok(())
    }

    async fn outbox_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.dirty = true;
        self.outbox.delete(id_js(id)).await.map_err(idb)
    }

    async fn rejected_put(&mut self, entry: &RejectedEntry) -> Result<(), StoreError> {
        self.dirty = true;
        self.rejected
            .put(&entry_js(entry.id, entry)?, None)
            .await
            .map_err(idb)?;
        Ok(())
    }

    async fn rejected_get(&mut self, id: u64) -> Result<Option<RejectedEntry>, StoreError> {
        match self.rejected.get(id_js(id)).await.map_err(idb)? {
            Some(v) if !v.is_undefined() => Ok(Some(entry_from_js(v)?)),
            _ => Ok(None),
        }
    }

    async fn rejected_all(&mut self) -> Result<Vec<RejectedEntry>, StoreError> {
        let values = self.rejected.get_all(None, None).await.map_err(idb)?;
        values.into_iter().map(entry_from_js).collect()
    }

    async fn rejected_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.dirty = true;
        self.rejected.delete(id_js(id)).await.map_err(idb)
    }

    async fn blob_get(&mut self, sha256: &BlobRef) -> Result<Option<BlobEntry>, StoreError> {
        match self
            .blobs
            .get(JsValue::from_str(sha256.as_str()))
            .await
            .map_err(idb)?
        {
            Some(v) if !v.is_undefined() => Ok(Some(from_js(v)?)),
            _ => Ok(None),
        }
    }

    async fn blob_put(&mut self, entry: &BlobEntry) -> Result<(), StoreError> {
        self.dirty = true;
        // The bytes go in as a Uint8Array (serde_bytes), not as an array of numbers.
        self.blobs.put(&to_js(entry)?, None).await.map_err(idb)?;
        Ok(())
    }

    async fn blob_all(&mut self) -> Result<Vec<BlobEntry>, StoreError> {
        let values = self.blobs.get_all(None, None).await.map_err(idb)?;
        values.into_iter().map(from_js).collect()
    }

    async fn view_of_kind(&mut self, kind: RecordKind) -> Result<Vec<Record>, StoreError> {
        let index = self.records.index("by_kind").map_err(idb)?;
        let range = KeyRange::only(&JsValue::from_str(kind.as_str())).map_err(idb)?;
        let values = index.get_all(Some(range), None).await.map_err(idb)?;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            let r = record_from_js(v)?;
            if !r.deleted {
                out.push(r);
            }
        }
        Ok(out)
    }

    async fn journal_put(&mut self, entry: &JournalEntry) -> Result<(), StoreError> {
        self.dirty = true;
        // A new answer to a mutation already in the journal (a replay) replaces it in its
        // batch; any other is a batch of its own.
        for (key, mut entries) in self.journal_batches(entry.id).await? {
            if let Some(slot) = entries.iter_mut().find(|e| e.id == entry.id) {
                *slot = entry.clone();
                return self.journal_batch_put(key, &entries).await;
            }
        }
        self.journal_batch_put(entry.id, std::slice::from_ref(entry))
            .await
    }

    async fn journal_after(&mut self, after: u64) -> Result<Vec<JournalEntry>, StoreError> {
        let mut entries: BTreeMap<u64, JournalEntry> = BTreeMap::new();
        for (_, batch) in self.journal_batches(after + 1).await? {
            entries.extend(
                batch
                    .into_iter()
                    .filter(|e| e.id > after)
                    .map(|e| (e.id, e)),
            );
        }
        Ok(entries.into_values().collect())
    }

    async fn journal_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.journal_delete_many(&[id]).await
    }

    async fn meta_get(&mut self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        match self.meta.get(JsValue::from_str(key)).await.map_err(idb)? {
            Some(v) if !v.is_undefined() => Ok(Some(from_js(v)?)),
            _ => Ok(None),
        }
    }

    async fn meta_put(&mut self, key: &str, value: serde_json::Value) -> Result<(), StoreError> {
        self.dirty = true;
        self.meta
            .put(&to_js(&value)?, Some(&JsValue::from_str(key)))
            .await
            .map_err(idb)?;
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        if !self.tx.done().await.map_err(idb)?.is_committed() {
            return Err(StoreError::NotCommitted);
        }
        // Any write counts (the outbox, the meta too), for what is worked out from the
        // data (`Db::generation`); the other tabs hear of it.
        if !self.dirty {
            return Ok(());
        }
        self.cache.borrow_mut().apply(self.written, self.cleared);
        if let Some(channel) = &self.channel {
            channel.announce();
        }
        Ok(())
    }

    // Each of these sends all of its requests before awaiting one (`put_all` awaits the
    // last; `try_join_all` polls every future once before waiting), so a page of a
    // thousand records costs one round trip, not a thousand. A request that fails
    // aborts the transaction, which `commit` then reports.

    async fn put_many(&mut self, area: Area, records: Vec<Record>) -> Result<(), StoreError> {
        self.dirty = true;
        let values = records
            .iter()
            .map(|record| Ok((record_js(record)?, None)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        if area == Area::View {
            self.written
                .extend(records.into_iter().map(|r| (r.key(), Some(r))));
        }
        self.area(area)
            .put_all(values.into_iter())
            .await
            .map_err(idb)
    }

    async fn delete_many(&mut self, area: Area, keys: &[RecordKey]) -> Result<(), StoreError> {
        self.dirty = true;
        if area == Area::View {
            self.written.extend(keys.iter().map(|k| (*k, None)));
        }
        let store = self.area(area);
        futures::future::try_join_all(keys.iter().map(|k| store.delete(key_js(k))))
            .await
            .map_err(idb)?;
        Ok(())
    }

    async fn outbox_between(
        &mut self,
        first: u64,
        last: u64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let range = KeyRange::bound(&id_js(first), &id_js(last), None, None).map_err(idb)?;
        let values = self.outbox.get_all(Some(range), None).await.map_err(idb)?;
        values.into_iter().map(entry_from_js).collect()
    }

    async fn outbox_delete_many(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        self.dirty = true;
        // Consecutive ids (an answered batch is one run) go in one range delete.
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut runs: Vec<(u64, u64)> = Vec::new();
        for id in sorted {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == id => *end = id,
                _ => runs.push((id, id)),
            }
        }
        let ranges = runs
            .into_iter()
            .map(|(a, b)| KeyRange::bound(&id_js(a), &id_js(b), None, None).map_err(idb))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let outbox = &self.outbox;
        futures::future::try_join_all(ranges.into_iter().map(|r| outbox.delete(r.into())))
            .await
            .map_err(idb)?;
        Ok(())
    }

    async fn outbox_count(&mut self) -> Result<u32, StoreError> {
        self.outbox.count(None).await.map_err(idb)
    }

    async fn base_keys(&mut self) -> Result<Vec<RecordKey>, StoreError> {
        let keys = self.base.get_all_keys(None, None).await.map_err(idb)?;
        Ok(keys
            .into_iter()
            .filter_map(|k| k.as_string())
            .filter_map(|k| RecordKey::from_storage_key(&k))
            .collect())
    }

    async fn clear_base(&mut self) -> Result<(), StoreError> {
        self.dirty = true;
        self.base.clear().await.map_err(idb)
    }

    async fn journal_put_many(&mut self, entries: &[JournalEntry]) -> Result<(), StoreError> {
        let Some(last) = entries.iter().map(|e| e.id).max() else {
            return Ok(());
        };
        self.dirty = true;
        self.journal_batch_put(last, entries).await
    }

    async fn journal_delete_many(&mut self, ids: &[u64]) -> Result<(), StoreError> {
        let Some(&first) = ids.iter().min() else {
            return Ok(());
        };
        self.dirty = true;
        let ids: BTreeSet<u64> = ids.iter().copied().collect();
        for (key, entries) in self.journal_batches(first).await? {
            if !entries.iter().any(|e| ids.contains(&e.id)) {
                continue;
            }
            let kept: Vec<JournalEntry> = entries
                .into_iter()
                .filter(|e| !ids.contains(&e.id))
                .collect();
            if kept.is_empty() {
                self.journal.delete(id_js(key)).await.map_err(idb)?;
            } else {
                self.journal_batch_put(key, &kept).await?;
            }
        }
        Ok(())
    }
}

impl IdbTx {
    /// The journal's stored batches that may hold an id from `from` on, each with its
    /// key (the batch's highest id when it was written), in key order.
    async fn journal_batches(
        &self,
        from: u64,
    ) -> Result<Vec<(u64, Vec<JournalEntry>)>, StoreError> {
        let range = KeyRange::lower_bound(&id_js(from), Some(false)).map_err(idb)?;
        let values = self.journal.get_all(Some(range), None).await.map_err(idb)?;
        values
            .into_iter()
            .map(|v| {
                let key = js_sys::Reflect::get(&v, &JsValue::from_str("id"))
                    .ok()
                    .and_then(|k| k.as_f64())
                    .unwrap_or(0.0) as u64;
                Ok((key, journal_from_js(v)?))
            })
            .collect()
    }

    async fn journal_batch_put(
        &self,
        key: u64,
        entries: &[JournalEntry],
    ) -> Result<(), StoreError> {
        self.journal
            .put(&entry_js(key, &entries)?, None)
            .await
            .map_err(idb)?;
        Ok(())
    }
}

impl ClientStore for Db {
    type Tx<'a> = IdbTx;

    fn begin(&self) -> Result<IdbTx, StoreError> {
        let tx = self
            .rexie
            .transaction(&ALL, TransactionMode::ReadWrite)
            .map_err(idb)?;
        Ok(IdbTx {
            written: Vec::new(),
            cleared: false,
            dirty: false,
            cache: self.cache.clone(),
            channel: self.channel.clone(),
            records: tx.store(RECORDS).map_err(idb)?,
            base: tx.store(BASE).map_err(idb)?,
            outbox: tx.store(OUTBOX).map_err(idb)?,
            rejected: tx.store(REJECTED).map_err(idb)?,
            meta: tx.store(META).map_err(idb)?,
            blobs: tx.store(BLOBS).map_err(idb)?,
            journal: tx.store(JOURNAL).map_err(idb)?,
            tx,
        })
    }
}

/// The device's database. Cheap to clone (the clones share the connection and the cache).
#[derive(Clone)]
pub struct Db {
    rexie: Rc<Rexie>,
    cache: Rc<RefCell<Cache>>,
    /// Tells other tabs of this commit, and hears of theirs (`None` where the browser has
    /// no `BroadcastChannel`: then the cache is not used, as it could go stale).
    channel: Option<Rc<Channel>>,
    /// Called when another tab wrote the database (the app reloads its screens).
    on_foreign: ForeignHook,
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
            // Version 2 added `blobs`, version 3 `journal`; an upgrade only creates the
            // missing stores.
            .version(3)
            .add_object_store(
                ObjectStore::new(RECORDS)
                    .key_path("key")
                    .add_index(Index::new("by_kind", "kind")),
            )
            .add_object_store(ObjectStore::new(BASE).key_path("key"))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("id"))
            .add_object_store(ObjectStore::new(REJECTED).key_path("id"))
            .add_object_store(ObjectStore::new(META))
            .add_object_store(ObjectStore::new(BLOBS).key_path("sha256"))
            .add_object_store(ObjectStore::new(JOURNAL).key_path("id"))
            .build()
            .await
            .map_err(idb)?;
        let cache = Rc::new(RefCell::new(Cache::default()));
        let on_foreign: ForeignHook = Rc::new(RefCell::new(None));
        let channel = web_sys::BroadcastChannel::new(&format!("{CHANGES_CHANNEL}:{name}"))
            .ok()
            .map(|port| {
                let cache = cache.clone();
                let on_foreign = on_foreign.clone();
                let listener =
                    wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                        move |_: web_sys::MessageEvent| {
                            cache.borrow_mut().forget();
                            if let Some(f) = on_foreign.borrow().as_ref() {
                                f();
                            }
                        },
                    );
                port.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(listener.as_ref())));
                Rc::new(Channel {
                    port,
                    _listener: listener,
                })
            });
        let db = Db {
            rexie: Rc::new(rexie),
            cache,
            channel,
            on_foreign,
        };
        // Data from before the base held only the pending mutations' records.
        hongling_sync::trim_base(&db).await?;
        Ok(db)
    }

    /// A number that changes whenever the data may have (a commit here, a write in another
    /// tab): what is worked out from the data can be kept while it stays the same. `None`
    /// where other tabs' writes cannot be heard.
    pub fn generation(&self) -> Option<u64> {
        self.channel.as_ref().map(|_| self.cache.borrow().writes)
    }

    /// The view's keys written since `generation`, or `None` when that is not known
    /// (another tab wrote, the view was cleared, or it is too long ago).
    pub fn changes_since(&self, generation: u64) -> Option<BTreeSet<RecordKey>> {
        let cache = self.cache.borrow();
        if self.channel.is_none() || generation < cache.horizon || generation > cache.writes {
            return None;
        }
        Some(
            cache
                .log
                .iter()
                .filter(|(g, _)| *g > generation)
                .flat_map(|(_, keys)| keys.iter().copied())
                .collect(),
        )
    }

    /// Calls `f` whenever another tab of the app wrote this database.
    pub fn on_foreign_change(&self, f: impl Fn() + 'static) {
        *self.on_foreign.borrow_mut() = Some(Box::new(f));
    }

    /// Closes the connection (tests reopen to prove durability).
    pub fn close(self) {
        if let Ok(rexie) = Rc::try_unwrap(self.rexie) {
            rexie.close();
        }
    }

    /// Empties every store in one transaction: what logout leaves behind. (Deleting the
    /// database instead would wait for every open connection, in every tab, to close.)
    pub async fn clear_all(&self) -> Result<(), StorageError> {
        let tx = self
            .rexie
            .transaction(&ALL, TransactionMode::ReadWrite)
            .map_err(idb)?;
        for name in ALL {
            tx.store(name).map_err(idb)?.clear().await.map_err(idb)?;
        }
        let committed = tx.done().await.map_err(idb)?.is_committed();
        self.cache.borrow_mut().forget();
        if let Some(channel) = &self.channel {
            channel.announce();
        }
        if committed {
            Ok(())
        } else {
            Err(StoreError::NotCommitted)
        }
    }

    /// Deletes the whole database called `name`.
    pub async fn delete(name: &str) -> Result<(), StorageError> {
        Rexie::delete(name).await.map_err(idb)?;
        Ok(())
    }

    /// Decides `op` with the shared rules and, if it applies, writes its changes, its
    /// outbox entry and the next mutation id in one transaction.
    pub async fn commit_local(
        &self,
        actor: &Actor,
        op: Op,
        at: DateTime<Utc>,
    ) -> Result<Result<u64, Rejection>, StorageError> {
        hongling_sync::commit_local(self, actor, op, at).await
    }

    /// [`Db::commit_local`] for a mutation that names attachments: the bytes are stored
    /// in the same transaction.
    pub async fn commit_with_blobs(
        &self,
        actor: &Actor,
        op: Op,
        at: DateTime<Utc>,
        blobs: &[BlobEntry],
    ) -> Result<Result<u64, Rejection>, StorageError> {
        hongling_sync::commit_with_blobs(self, actor, op, at, blobs).await
    }

    /// An attachment kept on this device.
    pub async fn blob(&self, sha256: &BlobRef) -> Result<Option<BlobEntry>, StorageError> {
        hongling_sync::blob(self, sha256).await
    }

    /// Keeps an attachment taken on this device, before the form naming it is saved.
    pub async fn keep_local_blob(
        &self,
        sha256: BlobRef,
        mime: String,
        bytes: Vec<u8>,
    ) -> Result<(), StorageError> {
        let entry = BlobEntry {
            sha256,
            mime,
            bytes,
            uploaded: false,
        };
        hongling_sync::keep_blob(self, &entry).await
    }

    /// Keeps an attachment downloaded from the server, so it shows offline from now on.
    pub async fn keep_downloaded_blob(
        &self,
        sha256: BlobRef,
        mime: String,
        bytes: Vec<u8>,
    ) -> Result<(), StorageError> {
        let entry = BlobEntry {
            sha256,
            mime,
            bytes,
            uploaded: true,
        };
        hongling_sync::keep_blob(self, &entry).await
    }

    /// This device's signing key for score sheets (32 secret bytes, `sheet.sign@2`), made
    /// on first use and kept in `meta` until logout empties the database; the login sends
    /// its public half. The random bytes are drawn before the transaction opens, which
    /// awaits nothing but IndexedDB.
    pub async fn device_secret(&self) -> Result<[u8; 32], StorageError> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut fresh = [0u8; 32];
        getrandom::getrandom(&mut fresh).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut tx = self.begin()?;
        let kept = tx.meta_get(DEVICE_SECRET).await?.and_then(|v| {
            v.as_str()
                .and_then(|s| b64.decode(s).ok())
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
        });
        let secret = match kept {
            Some(secret) => secret,
            None => {
                tx.meta_put(DEVICE_SECRET, b64.encode(fresh).into()).await?;
                fresh
            }
        };
        tx.commit().await?;
        Ok(secret)
    }

    /// One record as the screens see it.
    pub async fn get(&self, key: RecordKey) -> Result<Option<Record>, StorageError> {
        if let Some(kind) = self.cache.borrow().kinds.get(&key.kind) {
            return Ok(kind.get(&key.id).cloned());
        }
        let tx = self
            .rexie
            .transaction(&[RECORDS], TransactionMode::ReadOnly)
            .map_err(idb)?;
        let r = get_record(&tx.store(RECORDS).map_err(idb)?, &key).await?;
        tx.done().await.map_err(idb)?;
        Ok(r.filter(|r| !r.deleted))
    }

    /// Every live record of a kind, in id order.
    pub async fn list(&self, kind: RecordKind) -> Result<Vec<Record>, StorageError> {
        if let Some(held) = self.cache.borrow().kinds.get(&kind) {
            return Ok(held.values().cloned().collect());
        }
        let writes = self.cache.borrow().writes;
        let tx = self
            .rexie
            .transaction(&[RECORDS], TransactionMode::ReadOnly)
            .map_err(idb)?;
        let index = tx
            .store(RECORDS)
            .map_err(idb)?
            .index("by_kind")
            .map_err(idb)?;
        let range = KeyRange::only(&JsValue::from_str(kind.as_str())).map_err(idb)?;
        let values = index.get_all(Some(range), None).await.map_err(idb)?;
        tx.done().await.map_err(idb)?;
        let mut held = BTreeMap::new();
        for v in values {
            let r = record_from_js(v)?;
            if !r.deleted {
                held.insert(r.id, r);
            }
        }
        let out = held.values().cloned().collect();
        let mut cache = self.cache.borrow_mut();
        // Kept only when nothing was written meanwhile, and only where another tab's
        // writes would be heard.
        if cache.writes == writes && self.channel.is_some() {
            cache.kinds.insert(kind, held);
        }
        Ok(out)
    }

    /// Whether a record has local changes the server has not acknowledged.
    pub async fn pending_keys(&self) -> Result<BTreeSet<String>, StorageError> {
        Ok(self
            .outbox(u32::MAX)
            .await
            .map_err(idb)?
            .into_iter()
            .flat_map(|e| e.touched)
            .collect())
    }

    /// The oldest `limit` outbox entries, in id order.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxEntry>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)
            .map_err(idb)?;
        let values = tx
            .store(OUTBOX)
            .map_err(idb)?
            .get_all(None, Some(limit))
            .await
            .map_err(idb)?;
        tx.done().await.map_err(idb)?;
        values.into_iter().map(entry_from_js).collect()
    }

    /// How many mutations wait for the server.
    pub async fn pending_count(&self) -> Result<u32, StorageError> {
        let tx = self
            .rexie
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)
            .map_err(idb)?;
        let n = tx
            .store(OUTBOX)
            .map_err(idb)?
            .count(None)
            .await
            .map_err(idb)?;
        tx.done().await.map_err(idb)?;
        Ok(n)
    }

    /// Mutations the server refused.
    pub async fn rejected(&self) -> Result<Vec<RejectedEntry>, StorageError> {
        let tx = self
            .rexie
            .transaction(&[REJECTED], TransactionMode::ReadOnly)
            .map_err(idb)?;
        let values = tx
            .store(REJECTED)
            .map_err(idb)?
            .get_all(None, None)
            .await
            .map_err(idb)?;
        tx.done().await.map_err(idb)?;
        values.into_iter().map(entry_from_js).collect()
    }

    /// One refused mutation.
    pub async fn rejected_get(&self, id: u64) -> Result<Option<RejectedEntry>, StorageError> {
        let mut tx = self.begin()?;
        let entry = tx.rejected_get(id).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Queues a corrected intent in place of a refused one (see `hongling_sync::resubmit`).
    pub async fn resubmit(
        &self,
        actor: &Actor,
        rejected_id: u64,
        op: Op,
        at: DateTime<Utc>,
        blobs: &[BlobEntry],
    ) -> Result<Result<u64, Rejection>, StorageError> {
        hongling_sync::resubmit(self, actor, rejected_id, op, at, blobs).await
    }

    /// Drops a refused mutation on purpose.
    pub async fn discard(&self, rejected_id: u64) -> Result<(), StorageError> {
        hongling_sync::discard(self, rejected_id).await
    }

    /// Takes the server's results for pushed mutations (see `hongling_sync::acknowledge`).
    pub async fn acknowledge(
        &self,
        actor: &Actor,
        results: &[MutationResult],
    ) -> Result<(), StorageError> {
        hongling_sync::acknowledge(self, actor, results).await
    }

    /// Stores one pulled page (see `hongling_sync::apply_pull`).
    pub async fn apply_pull(
        &self,
        actor: &Actor,
        pulled: Vec<Record>,
        cursor: u64,
        reset: bool,
        scope: u64,
    ) -> Result<(), StorageError> {
        hongling_sync::apply_pull(self, actor, pulled, cursor, reset, scope).await
    }

    /// The pull cursor: the server change number this device has pulled up to.
    pub async fn cursor(&self) -> Result<u64, StorageError> {
        hongling_sync::cursor(self).await
    }

    /// When the last full sync finished.
    pub async fn last_sync(&self) -> Result<Option<DateTime<Utc>>, StorageError> {
        hongling_sync::last_sync(self).await
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
