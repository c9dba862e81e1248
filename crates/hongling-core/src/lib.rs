//! The domain of 红领认证, shared by the tablet app and the sync server.
//!
//! Why one crate: every business rule must be decided the same way on the tablet
//! (optimistically, offline) and on the server (authoritatively). Both sides call
//! [`apply`] with the same [`Op`] and their own [`State`]; neither side has rules of
//! its own.
//!
//! This crate does no I/O and depends on nothing that needs an operating system, so it
//! builds for `wasm32-unknown-unknown` as well as natively. CI checks both.

// The kernel: records, state, decisions, grants, conflicts, attachments. It imports no
// domain module.
pub mod kernel;

// The domain, by area. An area imports the kernel and areas below it, never one that
// imports it back (`tests/tidy.rs` checks both).
pub mod certification;
pub mod contest;
pub mod development;
pub mod fieldwork;
pub mod people;

// Above the areas: the op table (the dispatcher, the one place that knows every area),
// `apply`, and what reads across areas.
pub mod apply;
pub mod import;
pub mod indicators;
pub mod limits;
pub mod op;
pub mod password;
#[cfg(feature = "arbitrary")]
pub mod random;
pub mod wire;

// The crate's public paths stay flat, as the app, the server and the frozen wire-format
// test name them; the folders above are how the code is kept, not how it is called.
pub use certification::{certificate, inspection, pool, stipend};
pub use contest::scoring;
pub use development::{mentoring, training};
pub use fieldwork::tasks;
pub use kernel::{blob, conflict, csv, grant, record, text};
pub use people::{dossier, honour, idcard, model};

pub use apply::apply;
pub use kernel::blob::{BlobRef, MAX_BLOB_BYTES};
pub use kernel::grant::{Grant, Role, Scope, Visibility, can_see};
pub use kernel::time::{china_time, china_today};
pub use kernel::visibility::{can_see_record, visibility};
pub use kernel::{Actor, Change, MissRecorder, RejectCode, Rejection, State};
pub use op::Op;
pub use people::model::{OrgKind, Organization, SigningPublicKey, Township, Worker, WorkerRole};
pub use people::worker::{WorkerCreateV1, WorkerUpdateV1};
pub use record::{Record, RecordKey, RecordKind};

/// Helpers for the unit tests of the rules: a state of records and a way to run ops on it.
#[cfg(test)]
pub(crate) mod testkit {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use uuid::Uuid;

    use crate::{Actor, Grant, Op, Record, RecordKey, RecordKind, Rejection, Role, Scope};

    pub type World = BTreeMap<RecordKey, Record>;

    /// Puts a record into the world, as a sync would.
    pub fn put<T: Serialize>(w: &mut World, kind: RecordKind, id: Uuid, body: &T) {
        w.insert(
            RecordKey::new(kind, id),
            Record {
                kind,
                id,
                version: 1,
                deleted: false,
                body: serde_json::to_value(body).expect("serializes"),
            },
        );
    }

    /// Applies `op` as `actor` and writes what it changes, or returns the refusal.
    pub fn run(w: &mut World, actor: &Actor, op: Op) -> Result<(), Rejection> {
        for c in crate::apply(&*w, actor, &op)? {
            w.insert(
                c.key,
                Record {
                    kind: c.key.kind,
                    id: c.key.id,
                    version: 1,
                    deleted: c.deleted,
                    body: c.body,
                },
            );
        }
        Ok(())
    }

    /// Reads a record of the world as `T`.
    pub fn get<T: serde::de::DeserializeOwned>(w: &World, kind: RecordKind, id: Uuid) -> T {
        w[&RecordKey::new(kind, id)].decode().expect("decodes")
    }

    pub fn actor(n: u128, role: Role, scope: Scope) -> Actor {
        Actor {
            account_id: Uuid::from_u128(1000 + n),
            grants: vec![Grant { role, scope }],
        }
    }

    /// Two townships with an organisation each and `n` workers in the first.
    pub fn township_with_workers(n: u128) -> World {
        use crate::model::{OrgKind, Organization, Township, Worker, WorkerRole};
        let mut w = World::new();
        for t in [1, 2] {
            put(
                &mut w,
                RecordKind::Township,
                Uuid::from_u128(t),
                &Township {
                    name: format!("乡镇{t}"),
                },
            );
            put(
                &mut w,
                RecordKind::Organization,
                Uuid::from_u128(10 + t),
                &Organization {
                    name: format!("单位{t}"),
                    kind: OrgKind::Enterprise,
                    township_id: Uuid::from_u128(t),
                    party_org: String::new(),
                    industry: String::new(),
                },
            );
        }
        for i in 0..n + 1 {
            // The last worker is in the second township.
            let t = if i == n { 2 } else { 1 };
            put(
                &mut w,
                RecordKind::Worker,
                Uuid::from_u128(100 + i),
                &Worker {
                    name: format!("工作者{i}"),
                    organization_id: Uuid::from_u128(10 + t),
                    township_id: Uuid::from_u128(t),
                    role: WorkerRole::Secretary,
                    management_post: String::new(),
                    years_in_post: 1,
                    photo: None,
                    id_card_masked: None,
                },
            );
        }
        w
    }
}
