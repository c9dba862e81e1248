//! Backup files: what a shared tablet's user takes with them when they must log out
//! before their changes could be synced. Importing queues the changes again on the
//! device that imports them, so they reach the server from there.

use chrono::{DateTime, Utc};
use hongling_core::Actor;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::engine::queue;
use crate::store::{BlobEntry, ClientStore, OutboxEntry, RejectedEntry, StoreError, StoreTx, meta};

/// The `format` field of every backup file.
pub const BACKUP_FORMAT: &str = "hongling-backup";

/// Ids of refused mutations that came from a backup start here, far above any id a
/// device hands out, so they never collide with this device's own.
const IMPORTED_IDS: u64 = 1_000_000_000_000;

/// A backup file (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: String,
    pub version: u32,
    pub username: String,
    pub device_id: Uuid,
    pub exported_at: DateTime<Utc>,
    /// Mutations the server had not acknowledged.
    pub outbox: Vec<OutboxEntry>,
    /// Mutations the server refused and the user had not dealt with.
    pub rejected: Vec<RejectedEntry>,
    /// The attachments those mutations name that were on the device.
    #[serde(default)]
    pub blobs: Vec<BlobEntry>,
}

impl Backup {
    /// True when there is nothing in it worth keeping.
    pub fn is_empty(&self) -> bool {
        self.outbox.is_empty() && self.rejected.is_empty()
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Mutations queued again on this device.
    pub queued: u32,
    /// Mutations kept in the conflicts inbox (refused before, or refused now by the local
    /// rules, e.g. for lack of a grant on this account).
    pub kept: u32,
}

/// Everything on this device the server has not taken.
pub async fn export_backup<S: ClientStore>(
    store: &S,
    username: &str,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Backup, StoreError> {
    let mut tx = store.begin()?;
    let outbox = tx.outbox(u32::MAX).await?;
    let rejected = tx.rejected_all().await?;
    let mut blobs: Vec<BlobEntry> = Vec::new();
    let named = outbox
        .iter()
        .flat_map(|e| e.op.blobs())
        .chain(rejected.iter().flat_map(|e| e.op.blobs()));
    for sha in named {
        if !blobs.iter().any(|b| &b.sha256 == sha)
            && let Some(blob) = tx.blob_get(sha).await?
        {
            blobs.push(blob);
        }
    }
    tx.commit().await?;
    Ok(Backup {
        format: BACKUP_FORMAT.to_owned(),
        version: 1,
        username: username.to_owned(),
        device_id,
        exported_at: now,
        outbox,
        rejected,
        blobs,
    })
}

/// Queues a backup's mutations on this device in one transaction; what the local rules
/// refuse goes to the conflicts inbox with the reason, so nothing is dropped.
pub async fn import_backup<S: ClientStore>(
    store: &S,
    actor: &Actor,
    backup: Backup,
) -> Result<ImportReport, StoreError> {
    let mut tx = store.begin()?;
    let mut next = tx
        .meta_get(meta::NEXT_IMPORTED)
        .await?
        .and_then(|v| v.as_u64())
        .unwrap_or(IMPORTED_IDS);
    let mut report = ImportReport::default();
    for mut blob in backup.blobs {
        // Uploaded from the old device or not, this one sends it again (idempotent).
        if tx.blob_get(&blob.sha256).await?.is_none() {
            blob.uploaded = false;
            tx.blob_put(&blob).await?;
        }
    }
    for entry in backup.outbox {
        match queue(&mut tx, actor, entry.op.clone(), entry.at, &[]).await? {
            Ok(_) => report.queued += 1,
            Err(rejection) => {
                let kept = RejectedEntry {
                    id: next,
                    at: entry.at,
                    op: entry.op,
                    code: rejection.code.as_str().to_owned(),
                    message: rejection.message,
                    field: rejection.field,
                };
                next += 1;
                tx.rejected_put(&kept).await?;
                report.kept += 1;
            }
        }
    }
    for mut entry in backup.rejected {
        entry.id = next;
        next += 1;
        tx.rejected_put(&entry).await?;
        report.kept += 1;
    }
    tx.meta_put(meta::NEXT_IMPORTED, next.into()).await?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use hongling_core::{
        Grant, Op, OrgKind, Organization, Record, RecordKind, Role, Scope, Township,
        WorkerCreateV1, WorkerRole,
    };

    use super::*;
    use crate::memory::MemoryStore;
    use crate::{apply_pull, commit_local};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        match f
            .as_mut()
            .poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
        {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the in-memory store never waits"),
        }
    }

    fn actor(scope: Scope) -> Actor {
        Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::Instructor,
                scope,
            }],
        }
    }

    #[test]
    fn a_backup_carries_pending_and_refused_changes_to_another_device() {
        block_on(async {
            let township = Uuid::new_v4();
            let org = Uuid::new_v4();
            let reference = vec![
                Record {
                    kind: RecordKind::Township,
                    id: township,
                    version: 1,
                    deleted: false,
                    body: serde_json::to_value(Township {
                        name: "古井镇".into(),
                    })
                    .unwrap(),
                },
                Record {
                    kind: RecordKind::Organization,
                    id: org,
                    version: 2,
                    deleted: false,
                    body: serde_json::to_value(Organization {
                        industry: String::new(),
                        name: "某公司".into(),
                        kind: OrgKind::Enterprise,
                        township_id: township,
                        party_org: String::new(),
                    })
                    .unwrap(),
                },
            ];
            let here = actor(Scope::Township(township));
            let old = MemoryStore::new();
            apply_pull(&old, &here, reference.clone(), 2, false, 1)
                .await
                .unwrap();
            let op = |name: &str| {
                Op::WorkerCreateV1(WorkerCreateV1 {
                    id_card: None,
                    photo: None,
                    id: Uuid::new_v4(),
                    name: name.into(),
                    organization_id: org,
                    township_id: township,
                    role: WorkerRole::Secretary,
                    management_post: String::new(),
                    years_in_post: 1,
                })
            };
            commit_local(&old, &here, op("甲"), Utc::now())
                .await
                .unwrap()
                .unwrap();
            commit_local(&old, &here, op("乙"), Utc::now())
                .await
                .unwrap()
                .unwrap();
            let backup = export_backup(&old, "zhidao01", Uuid::new_v4(), Utc::now())
                .await
                .unwrap();
            assert_eq!(backup.outbox.len(), 2);
            let text = serde_json::to_string(&backup).unwrap();
            let backup: Backup = serde_json::from_str(&text).unwrap();

            // The same account on a new device: both are queued again.
            let new = MemoryStore::new();
            apply_pull(&new, &here, reference.clone(), 2, false, 1)
                .await
                .unwrap();
            let report = import_backup(&new, &here, backup.clone()).await.unwrap();
            assert_eq!(report, ImportReport { queued: 2, kept: 0 });
            assert_eq!(
                new.outbox().iter().map(|e| e.id).collect::<Vec<_>>(),
                [1, 2]
            );
            assert_eq!(
                new.view()
                    .iter()
                    .filter(|r| r.kind == RecordKind::Worker)
                    .count(),
                2
            );

            // An account without the grant: kept in the inbox with the reason, not lost.
            let elsewhere = actor(Scope::Township(Uuid::new_v4()));
            let third = MemoryStore::new();
            apply_pull(&third, &elsewhere, reference, 2, false, 1)
                .await
                .unwrap();
            let report = import_backup(&third, &elsewhere, backup).await.unwrap();
            assert_eq!(report, ImportReport { queued: 0, kept: 2 });
            assert!(third.outbox().is_empty());
            assert_eq!(third.rejected().len(), 2);
            assert_eq!(third.rejected()[0].code, "forbidden");
        });
    }
}
