//! A world of records for tests: put records in as a sync would, run ops on it as
//! `apply` decides them, and read records back. One copy, used by the rules' unit tests
//! and (feature `testkit`) by the sync crate's, the server's and the app's tests.

use std::collections::BTreeMap;

use serde::Serialize;
use uuid::Uuid;

use crate::{Actor, Change, Grant, Op, Record, RecordKey, RecordKind, Rejection, Role, Scope};

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

/// Writes what a mutation changed into the world, deletions included, as a store would.
pub fn write(w: &mut World, changes: Vec<Change>) {
    write_at(w, changes, 1);
}

/// [`write`], giving the changed records `version`.
pub fn write_at(w: &mut World, changes: Vec<Change>, version: u64) {
    for c in changes {
        w.insert(
            c.key,
            Record {
                kind: c.key.kind,
                id: c.key.id,
                version,
                deleted: c.deleted,
                body: c.body,
            },
        );
    }
}

/// Applies `op` as `actor` and writes what it changes, or returns the refusal.
pub fn run(w: &mut World, actor: &Actor, op: Op) -> Result<(), Rejection> {
    let changes = crate::apply(&*w, actor, &op)?;
    write(w, changes);
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

/// The op that records worker `name` at `organization` in `township`: a secretary, two
/// years in post, no photo and no ID card.
pub fn create_worker(id: Uuid, township: Uuid, organization: Uuid, name: &str) -> Op {
    Op::WorkerCreateV1(crate::WorkerCreateV1 {
        id,
        name: name.into(),
        organization_id: organization,
        township_id: township,
        role: crate::WorkerRole::Secretary,
        management_post: String::new(),
        years_in_post: 2,
        photo: None,
        id_card: None,
    })
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

/// A record as a pull brings it.
pub fn record<T: Serialize>(kind: RecordKind, id: Uuid, version: u64, body: &T) -> Record {
    Record {
        kind,
        id,
        version,
        deleted: false,
        body: serde_json::to_value(body).expect("serializes"),
    }
}

/// A township and one organisation in it (versions 1 and 2), as a device's first pull
/// brings them before anyone records a worker.
pub fn township_and_organization(township: Uuid, organization: Uuid, name: &str) -> Vec<Record> {
    use crate::model::{OrgKind, Organization, Township};
    vec![
        record(
            RecordKind::Township,
            township,
            1,
            &Township {
                name: "古井镇".into(),
            },
        ),
        record(
            RecordKind::Organization,
            organization,
            2,
            &Organization {
                name: name.into(),
                kind: OrgKind::Enterprise,
                township_id: township,
                party_org: String::new(),
                industry: String::new(),
            },
        ),
    ]
}
