//! An in-memory [`ClientStore`], for native tests and benchmarks: the same sync logic as
//! the browser, without a browser.
//!
//! A transaction writes into an overlay and only `commit` folds it in, so a transaction
//! that is dropped (a crash in the middle) leaves the store as it was, as IndexedDB does.

use std::cell::RefCell;
use std::collections::BTreeMap;

use hongling_core::{BlobRef, Record, RecordKey, RecordKind};

use crate::store::{
    Area, BlobEntry, ClientStore, JournalEntry, OutboxEntry, RejectedEntry, StoreError, StoreTx,
};

#[derive(Debug, Default, Clone)]
struct Data {
    view: BTreeMap<RecordKey, Record>,
    base: BTreeMap<RecordKey, Record>,
    outbox: BTreeMap<u64, OutboxEntry>,
    rejected: BTreeMap<u64, RejectedEntry>,
    blobs: BTreeMap<BlobRef, BlobEntry>,
    meta: BTreeMap<String, serde_json::Value>,
    journal: BTreeMap<u64, JournalEntry>,
}

/// Runs a future over the in-memory store to its end. The store never waits on anything,
/// so one poll finishes it; a future that would wait is a bug, and panics.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = std::task::Waker::noop();
    match f.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("the in-memory store never waits"),
    }
}

/// The client store of one simulated device.
#[derive(Debug, Default)]
pub struct MemoryStore {
    data: RefCell<Data>,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The records the screens would show, live ones only.
    pub fn view(&self) -> Vec<Record> {
        self.data
            .borrow()
            .view
            .values()
            .filter(|r| !r.deleted)
            .cloned()
            .collect()
    }

    /// The base: the server's copies (and tombstones) kept for pending mutations.
    pub fn base(&self) -> Vec<Record> {
        self.data.borrow().base.values().cloned().collect()
    }

    /// Mutations waiting for the server.
    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.data.borrow().outbox.values().cloned().collect()
    }

    /// An attachment kept on the device.
    pub fn blob(&self, sha256: &BlobRef) -> Option<BlobEntry> {
        self.data.borrow().blobs.get(sha256).cloned()
    }

    /// Mutations the server refused.
    pub fn rejected(&self) -> Vec<RejectedEntry> {
        self.data.borrow().rejected.values().cloned().collect()
    }

    /// The journal of answered mutations.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.data.borrow().journal.values().cloned().collect()
    }
}

/// Writes not yet committed: `Some` is a put, `None` a delete.
#[derive(Debug, Default)]
struct Overlay {
    cleared: bool,
    view: BTreeMap<RecordKey, Option<Record>>,
    base: BTreeMap<RecordKey, Option<Record>>,
    outbox: BTreeMap<u64, Option<OutboxEntry>>,
    rejected: BTreeMap<u64, Option<RejectedEntry>>,
    blobs: BTreeMap<BlobRef, BlobEntry>,
    meta: BTreeMap<String, serde_json::Value>,
    journal: BTreeMap<u64, Option<JournalEntry>>,
}

#[derive(Debug)]
pub struct MemoryTx<'a> {
    store: &'a MemoryStore,
    overlay: Overlay,
}

impl MemoryTx<'_> {
    fn area(&mut self, area: Area) -> &mut BTreeMap<RecordKey, Option<Record>> {
        match area {
            Area::View => &mut self.overlay.view,
            Area::Base => &mut self.overlay.base,
        }
    }
}

impl StoreTx for MemoryTx<'_> {
    async fn get(&mut self, area: Area, key: &RecordKey) -> Result<Option<Record>, StoreError> {
        if let Some(hit) = self.area(area).get(key) {
            return Ok(hit.clone());
        }
        if self.overlay.cleared {
            return Ok(None);
        }
        let data = self.store.data.borrow();
        let map = match area {
            Area::View => &data.view,
            Area::Base => &data.base,
        };
        Ok(map.get(key).cloned())
    }

    async fn put(&mut self, area: Area, record: Record) -> Result<(), StoreError> {
        self.area(area).insert(record.key(), Some(record));
        Ok(())
    }

    async fn delete(&mut self, area: Area, key: &RecordKey) -> Result<(), StoreError> {
        self.area(area).insert(*key, None);
        Ok(())
    }

    async fn clear_records(&mut self) -> Result<(), StoreError> {
        self.overlay.cleared = true;
        self.overlay.view.clear();
        self.overlay.base.clear();
        Ok(())
    }

    async fn outbox(&mut self, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let data = self.store.data.borrow();
        let mut merged: BTreeMap<u64, &OutboxEntry> =
            data.outbox.iter().map(|(k, v)| (*k, v)).collect();
        for (id, entry) in &self.overlay.outbox {
            match entry {
                Some(e) => {
                    merged.insert(*id, e);
                }
                None => {
                    merged.remove(id);
                }
            }
        }
        Ok(merged.into_values().take(limit as usize).cloned().collect())
    }

    async fn outbox_get(&mut self, id: u64) -> Result<Option<OutboxEntry>, StoreError> {
        if let Some(hit) = self.overlay.outbox.get(&id) {
            return Ok(hit.clone());
        }
        Ok(self.store.data.borrow().outbox.get(&id).cloned())
    }

    async fn outbox_put(&mut self, entry: &OutboxEntry) -> Result<(), StoreError> {
        self.overlay.outbox.insert(entry.id, Some(entry.clone()));
        Ok(())
    }

    async fn outbox_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.overlay.outbox.insert(id, None);
        Ok(())
    }

    async fn rejected_put(&mut self, entry: &RejectedEntry) -> Result<(), StoreError> {
        self.overlay.rejected.insert(entry.id, Some(entry.clone()));
        Ok(())
    }

    async fn rejected_get(&mut self, id: u64) -> Result<Option<RejectedEntry>, StoreError> {
        if let Some(hit) = self.overlay.rejected.get(&id) {
            return Ok(hit.clone());
        }
        Ok(self.store.data.borrow().rejected.get(&id).cloned())
    }

    async fn rejected_all(&mut self) -> Result<Vec<RejectedEntry>, StoreError> {
        let data = self.store.data.borrow();
        let mut merged: BTreeMap<u64, &RejectedEntry> =
            data.rejected.iter().map(|(k, v)| (*k, v)).collect();
        for (id, entry) in &self.overlay.rejected {
            match entry {
                Some(e) => {
                    merged.insert(*id, e);
                }
                None => {
                    merged.remove(id);
                }
            }
        }
        Ok(merged.into_values().cloned().collect())
    }

    async fn rejected_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.overlay.rejected.insert(id, None);
        Ok(())
    }

    async fn blob_get(&mut self, sha256: &BlobRef) -> Result<Option<BlobEntry>, StoreError> {
        if let Some(hit) = self.overlay.blobs.get(sha256) {
            return Ok(Some(hit.clone()));
        }
        Ok(self.store.data.borrow().blobs.get(sha256).cloned())
    }

    async fn blob_put(&mut self, entry: &BlobEntry) -> Result<(), StoreError> {
        self.overlay
            .blobs
            .insert(entry.sha256.clone(), entry.clone());
        Ok(())
    }

    async fn blob_all(&mut self) -> Result<Vec<BlobEntry>, StoreError> {
        let mut all = self.store.data.borrow().blobs.clone();
        all.extend(self.overlay.blobs.clone());
        Ok(all.into_values().collect())
    }

    async fn view_of_kind(&mut self, kind: RecordKind) -> Result<Vec<Record>, StoreError> {
        let data = self.store.data.borrow();
        let mut merged: BTreeMap<RecordKey, Record> = if self.overlay.cleared {
            BTreeMap::new()
        } else {
            data.view.clone()
        };
        fold(&mut merged, self.overlay.view.clone());
        Ok(merged
            .into_values()
            .filter(|r| r.kind == kind && !r.deleted)
            .collect())
    }

    async fn base_keys(&mut self) -> Result<Vec<RecordKey>, StoreError> {
        let data = self.store.data.borrow();
        let mut merged: BTreeMap<RecordKey, Record> = if self.overlay.cleared {
            BTreeMap::new()
        } else {
            data.base.clone()
        };
        fold(&mut merged, self.overlay.base.clone());
        Ok(merged.into_keys().collect())
    }

    async fn journal_put(&mut self, entry: &JournalEntry) -> Result<(), StoreError> {
        self.overlay.journal.insert(entry.id, Some(entry.clone()));
        Ok(())
    }

    async fn journal_after(&mut self, after: u64) -> Result<Vec<JournalEntry>, StoreError> {
        let mut merged = self.store.data.borrow().journal.clone();
        fold(&mut merged, self.overlay.journal.clone());
        Ok(merged.into_values().filter(|e| e.id > after).collect())
    }

    async fn journal_delete(&mut self, id: u64) -> Result<(), StoreError> {
        self.overlay.journal.insert(id, None);
        Ok(())
    }

    async fn meta_get(&mut self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        if let Some(v) = self.overlay.meta.get(key) {
            return Ok(Some(v.clone()));
        }
        Ok(self.store.data.borrow().meta.get(key).cloned())
    }

    async fn meta_put(&mut self, key: &str, value: serde_json::Value) -> Result<(), StoreError> {
        self.overlay.meta.insert(key.to_owned(), value);
        Ok(())
    }

    async fn commit(self) -> Result<(), StoreError> {
        let mut data = self.store.data.borrow_mut();
        let o = self.overlay;
        if o.cleared {
            data.view.clear();
            data.base.clear();
        }
        fold(&mut data.view, o.view);
        fold(&mut data.base, o.base);
        fold(&mut data.outbox, o.outbox);
        fold(&mut data.rejected, o.rejected);
        fold(&mut data.journal, o.journal);
        data.blobs.extend(o.blobs);
        data.meta.extend(o.meta);
        Ok(())
    }
}

/// Lays writes (`Some`: a put, `None`: a delete) over a map.
fn fold<K: Ord, V>(target: &mut BTreeMap<K, V>, writes: BTreeMap<K, Option<V>>) {
    for (k, v) in writes {
        match v {
            Some(v) => {
                target.insert(k, v);
            }
            None => {
                target.remove(&k);
            }
        }
    }
}

impl ClientStore for MemoryStore {
    type Tx<'a> = MemoryTx<'a>;

    fn begin(&self) -> Result<MemoryTx<'_>, StoreError> {
        Ok(MemoryTx {
            store: self,
            overlay: Overlay::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use hongling_core::RecordKind;
    use uuid::Uuid;

    use super::*;

    fn record(n: u64) -> Record {
        Record {
            kind: RecordKind::Township,
            id: Uuid::from_u128(u128::from(n)),
            version: n,
            deleted: false,
            body: serde_json::json!({"name": format!("镇{n}")}),
        }
    }

    #[test]
    fn a_transaction_is_invisible_until_commit_and_void_if_dropped() {
        let store = MemoryStore::new();
        block_on(async {
            let mut tx = store.begin().unwrap();
            tx.put(Area::View, record(1)).await.unwrap();
            assert_eq!(
                tx.get(Area::View, &record(1).key()).await.unwrap(),
                Some(record(1))
            );
            assert!(store.view().is_empty(), "not visible before commit");
            drop(tx);
            assert!(
                store.view().is_empty(),
                "a dropped transaction changes nothing"
            );

            let mut tx = store.begin().unwrap();
            tx.put(Area::View, record(1)).await.unwrap();
            tx.put(Area::View, record(2)).await.unwrap();
            tx.delete(Area::View, &record(1).key()).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(store.view(), vec![record(2)]);

            let mut tx = store.begin().unwrap();
            tx.clear_records().await.unwrap();
            assert_eq!(tx.get(Area::View, &record(2).key()).await.unwrap(), None);
            tx.commit().await.unwrap();
            assert!(store.view().is_empty());
        });
    }
}
