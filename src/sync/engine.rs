use hongling_core::wire::{MutationStatus, PushRequest};

use super::Session;
use super::api::{self, ApiError};
use crate::storage::{Db, StorageError};

/// Mutations per push.
const PUSH_BATCH: u32 = 200;
/// Records per pull page.
const PULL_PAGE: u32 = 500;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The server has not seen mutations this device no longer holds.
    #[error("the server expects mutation {expected} but the outbox starts at {first}")]
    Lost { expected: u64, first: u64 },
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: u32,
    pub rejected: u32,
    pub pulled: u32,
}

/// One full cycle: push everything, pull everything, remember the time.
pub async fn sync_once(db: &Db, session: &Session) -> Result<SyncReport, SyncError> {
    let actor = session.actor();
    let mut report = SyncReport::default();
    loop {
        let batch = db.outbox(PUSH_BATCH).await?;
        let Some(first) = batch.first().map(|e| e.id) else {
            break;
        };
        let req = PushRequest {
            device_id: session.device_id,
            mutations: batch.iter().map(|e| e.mutation()).collect(),
        };
        match api::push(&session.token, &req).await {
            Ok(reply) => {
                report.pushed += reply.results.len() as u32;
                report.rejected += reply
                    .results
                    .iter()
                    .filter(|r| r.status == MutationStatus::Rejected)
                    .count() as u32;
                db.acknowledge(&actor, &reply.results).await?;
            }
            Err(ApiError::Server { status: 409, body }) if body.code == "gap" => {
                // The server is behind the outbox: nothing to resend from here.
                let expected = body.last_applied.unwrap_or(0) + 1;
                return Err(SyncError::Lost { expected, first });
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut cursor = db.cursor().await?;
    loop {
        let page = api::pull(&session.token, cursor, PULL_PAGE).await?;
        report.pulled += page.records.len() as u32;
        cursor = page.cursor;
        db.apply_pull(&actor, page.records, page.cursor, page.reset)
            .await?;
        if !page.more {
            break;
        }
    }
    db.set_last_sync(chrono::Utc::now()).await?;
    Ok(report)
}
