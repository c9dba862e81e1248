//! Read models: what the screens show, decoded from the records in IndexedDB.

use std::collections::BTreeSet;

use hongling_core::{Organization, RecordKind, Township, Worker};
use uuid::Uuid;

use crate::state::db;
use crate::storage::StorageError;

/// The reference lists a worker screen needs, decoded.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub townships: Vec<(Uuid, Township)>,
    pub organizations: Vec<(Uuid, Organization)>,
}

impl Directory {
    pub async fn load() -> Result<Directory, StorageError> {
        let db = db().await?;
        let mut townships: Vec<(Uuid, Township)> = db
            .list(RecordKind::Township)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.id, r.decode().ok()?)))
            .collect();
        townships.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        let mut organizations: Vec<(Uuid, Organization)> = db
            .list(RecordKind::Organization)
            .await?
            .into_iter()
            .filter_map(|r| Some((r.id, r.decode().ok()?)))
            .collect();
        organizations.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        Ok(Directory {
            townships,
            organizations,
        })
    }

    pub fn township_name(&self, id: Uuid) -> String {
        self.townships
            .iter()
            .find(|t| t.0 == id)
            .map(|t| t.1.name.clone())
            .unwrap_or_default()
    }

    pub fn organization_name(&self, id: Uuid) -> String {
        self.organizations
            .iter()
            .find(|o| o.0 == id)
            .map(|o| o.1.name.clone())
            .unwrap_or_default()
    }
}

/// One worker as the list shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerRow {
    pub id: Uuid,
    pub worker: Worker,
    pub township: String,
    pub organization: String,
    /// Changed on this device and not yet acknowledged by the server.
    pub pending: bool,
}

pub async fn load_worker_rows() -> Result<Vec<WorkerRow>, StorageError> {
    let db = db().await?;
    let dir = Directory::load().await?;
    let pending: BTreeSet<String> = db.pending_keys().await?;
    let mut rows: Vec<WorkerRow> = db
        .list(RecordKind::Worker)
        .await?
        .into_iter()
        .filter_map(|r| {
            let worker: Worker = r.decode().ok()?;
            Some(WorkerRow {
                id: r.id,
                township: dir.township_name(worker.township_id),
                organization: dir.organization_name(worker.organization_id),
                pending: pending.contains(&r.key().storage_key()),
                worker,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.worker.name.cmp(&b.worker.name));
    Ok(rows)
}
