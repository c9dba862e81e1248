//! Backup files: what a shared tablet's user takes with them when they must log out
//! before their changes could be synced. Importing queues the changes again on the
//! device that imports them, so they reach the server from there.
//!
//! The file is sealed with a passphrase the user types ([`seal`], [`open`]): it holds
//! mutations not yet sent, full ID-card numbers among them, and it leaves the tablet on a
//! USB stick or in a chat. It is an age file (scrypt), so the district's IT person can
//! also open one with `age -d`.

use chrono::{DateTime, Utc};
use hongling_core::Actor;
use hongling_core::wire::Origin;
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

/// The scrypt work factor of a backup: N = 2^15, 32 MiB and about a second in a tablet's
/// browser (age's own default, 2^18, would ask a tablet for 256 MiB).
pub const BACKUP_WORK_FACTOR: u8 = 15;
/// The largest work factor [`open`] accepts, so a crafted file cannot stall the tablet.
const MAX_WORK_FACTOR: u8 = 16;
/// The shortest passphrase [`seal`] accepts, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Why a backup could not be sealed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("口令至少需要 {MIN_PASSPHRASE_CHARS} 个字符")]
    ShortPassphrase,
    #[error("备份加密失败：{0}")]
    Failed(String),
}

/// Why a backup file could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("不是有效的红领认证备份文件")]
    NotABackup,
    #[error("口令不正确")]
    WrongPassphrase,
}

/// The backup as the file the user takes away: its JSON, sealed with `passphrase`.
pub fn seal(backup: &Backup, passphrase: &str) -> Result<Vec<u8>, SealError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(SealError::ShortPassphrase);
    }
    let json = serde_json::to_vec(backup).map_err(|e| SealError::Failed(e.to_string()))?;
    let mut recipient = age::scrypt::Recipient::new(passphrase.to_owned().into());
    recipient.set_work_factor(BACKUP_WORK_FACTOR);
    age::encrypt(&recipient, &json).map_err(|e| SealError::Failed(e.to_string()))
}

/// A backup file opened with `passphrase`.
pub fn open(file: &[u8], passphrase: &str) -> Result<Backup, OpenError> {
    use age::DecryptError as E;
    let mut identity = age::scrypt::Identity::new(passphrase.to_owned().into());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let json = age::decrypt(&identity, file).map_err(|e| match e {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys => {
            OpenError::WrongPassphrase
        }
        _ => OpenError::NotABackup,
    })?;
    serde_json::from_slice::<Backup>(&json)
        .ok()
        .filter(|b| b.format == BACKUP_FORMAT)
        .ok_or(OpenError::NotABackup)
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
        // The audit names who made it and where, beside the account that sends it now;
        // a backup of an import keeps the first origin.
        let origin = entry.origin.clone().or(Some(Origin {
            username: backup.username.clone(),
            device_id: backup.device_id,
            mutation_id: entry.id,
        }));
        match queue(&mut tx, actor, entry.op.clone(), entry.at, &[], origin).await? {
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
    use hongling_core::{Grant, Op, RecordKind, Role, Scope, WorkerCreateV1, WorkerRole};

    use super::*;
    use crate::memory::{MemoryStore, block_on};
    use crate::{apply_pull, commit_local};

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
            let reference =
                hongling_core::testkit::township_and_organization(township, org, "某公司");
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
            let old_device = Uuid::new_v4();
            let backup = export_backup(&old, "zhidao01", old_device, Utc::now())
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
            // Each names who made it and where, for the server's audit.
            let made_by = |id| Origin {
                username: "zhidao01".into(),
                device_id: old_device,
                mutation_id: id,
            };
            let pushed: Vec<_> = new.outbox().iter().map(OutboxEntry::mutation).collect();
            assert_eq!(pushed[0].origin, Some(made_by(1)));
            assert_eq!(pushed[1].origin, Some(made_by(2)));
            assert_eq!(
                serde_json::to_value(&pushed[0]).unwrap()["origin"]["username"],
                "zhidao01"
            );
            // A backup of the import keeps the first origin, not the device in between.
            let again = export_backup(&new, "zhidao01", Uuid::new_v4(), Utc::now())
                .await
                .unwrap();
            let fourth = MemoryStore::new();
            apply_pull(&fourth, &here, reference.clone(), 2, false, 1)
                .await
                .unwrap();
            import_backup(&fourth, &here, again).await.unwrap();
            assert_eq!(fourth.outbox()[1].origin, Some(made_by(2)));

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

    #[test]
    fn a_backup_opens_only_with_its_passphrase() {
        let backup = Backup {
            format: BACKUP_FORMAT.to_owned(),
            version: 1,
            username: "zhidao01".into(),
            device_id: Uuid::new_v4(),
            exported_at: chrono::Utc::now(),
            outbox: Vec::new(),
            rejected: Vec::new(),
            blobs: Vec::new(),
        };
        assert_eq!(seal(&backup, "短口令"), Err(SealError::ShortPassphrase));
        let file = seal(&backup, "古井镇二〇二六年冬").unwrap();
        assert!(file.starts_with(b"age-encryption.org/v1\n"));
        assert!(
            !file.windows(8).any(|w| w == b"zhidao01"),
            "nothing readable in the file"
        );
        assert_eq!(open(&file, "古井镇二〇二六年冬"), Ok(backup.clone()));
        assert_eq!(
            open(&file, "古井镇二〇二六年夏"),
            Err(OpenError::WrongPassphrase)
        );
        let plain = serde_json::to_vec(&backup).unwrap();
        assert_eq!(
            open(&plain, "古井镇二〇二六年冬"),
            Err(OpenError::NotABackup)
        );
        assert_eq!(
            open(&file[..40], "古井镇二〇二六年冬"),
            Err(OpenError::NotABackup)
        );
    }
}
