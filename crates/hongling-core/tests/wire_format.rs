//! The wire format as JSON text. These shapes are read by tablets that may run an older
//! app than the server, and by queued mutations written months ago.
//!
//! Do not edit this test if it fails: the format is public. Add a new versioned variant
//! or an optional field instead, and add a case for it here.

use chrono::{TimeZone, Utc};
use hongling_core::wire::{Mutation, MutationResult, MutationStatus, PullResponse, PushResponse};
use hongling_core::{Op, Record, RecordKind, WorkerCreateV1, WorkerRole, WorkerUpdateV1};
use serde_json::json;
use uuid::Uuid;

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

#[test]
fn worker_create_v1() {
    let m = Mutation {
        id: 7,
        at: Utc.with_ymd_and_hms(2026, 3, 1, 8, 30, 0).unwrap(),
        op: Op::WorkerCreateV1(WorkerCreateV1 {
            photo: None,
            id: id(1),
            name: "张红梅".into(),
            organization_id: id(2),
            township_id: id(3),
            role: WorkerRole::Secretary,
            management_post: "副总经理".into(),
            years_in_post: 6,
        }),
    };
    let expected = json!({
        "id": 7,
        "at": "2026-03-01T08:30:00Z",
        "op": {"type": "worker.create@1", "data": {
            "id": "00000000-0000-0000-0000-000000000001",
            "name": "张红梅",
            "organization_id": "00000000-0000-0000-0000-000000000002",
            "township_id": "00000000-0000-0000-0000-000000000003",
            "role": "secretary",
            "management_post": "副总经理",
            "years_in_post": 6
        }}
    });
    assert_eq!(serde_json::to_value(&m).unwrap(), expected);
    assert_eq!(serde_json::from_value::<Mutation>(expected).unwrap(), m);
}

#[test]
fn worker_update_v1_carries_only_changed_fields() {
    let op = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: id(1),
        role: Some(WorkerRole::Instructor),
        ..Default::default()
    });
    let expected = json!({"type": "worker.update@1", "data": {
        "id": "00000000-0000-0000-0000-000000000001",
        "role": "instructor"
    }});
    assert_eq!(serde_json::to_value(&op).unwrap(), expected);
    assert_eq!(serde_json::from_value::<Op>(expected).unwrap(), op);
}

#[test]
fn push_and_pull_replies() {
    let push = PushResponse {
        last_applied: 9,
        results: vec![
            MutationResult {
                id: 8,
                status: MutationStatus::Duplicate,
                code: None,
                message: None,
                field: None,
            },
            MutationResult {
                id: 9,
                status: MutationStatus::Rejected,
                code: Some("not_found".into()),
                message: Some("所选单位不存在".into()),
                field: Some("organization_id".into()),
            },
        ],
    };
    assert_eq!(
        serde_json::to_value(&push).unwrap(),
        json!({"last_applied": 9, "results": [
            {"id": 8, "status": "duplicate"},
            {"id": 9, "status": "rejected", "code": "not_found", "message": "所选单位不存在", "field": "organization_id"}
        ]})
    );
    let pull = PullResponse {
        records: vec![Record {
            kind: RecordKind::Township,
            id: id(3),
            version: 12,
            deleted: false,
            body: json!({"name": "古井镇"}),
        }],
        cursor: 12,
        more: false,
        reset: false,
        scope: 3,
    };
    assert_eq!(
        serde_json::to_value(&pull).unwrap(),
        json!({"records": [{"kind": "township", "id": "00000000-0000-0000-0000-000000000003",
            "version": 12, "deleted": false, "body": {"name": "古井镇"}}],
            "cursor": 12, "more": false, "reset": false, "scope": 3})
    );
}
