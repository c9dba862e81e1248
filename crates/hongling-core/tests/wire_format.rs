//! The wire format as JSON text. These shapes are read by tablets that may run an older
//! app than the server, and by queued mutations written months ago.
//!
//! Frozen since the sync engine landed (issue 3). Do not edit this test if it fails: the
//! format is public. Add a new versioned variant or an optional field instead, and add a
//! case for it here.

use chrono::{TimeZone, Utc};
use hongling_core::conflict::{Lock, LockEvent};
use hongling_core::wire::{
    ErrorBody, LoginRequest, Mutation, MutationResult, MutationStatus, PullResponse, PushRequest,
    PushResponse,
};
use hongling_core::{
    BlobRef, Grant, Op, Record, RecordKind, RejectCode, Role, Scope, SigningPublicKey,
    WorkerCreateV1, WorkerRole, WorkerUpdateV1,
};
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
            id_card: None,
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
        epoch: None,
        tag: None,
        last_applied: None,
        rewound: false,
    };
    assert_eq!(
        serde_json::to_value(&pull).unwrap(),
        json!({"records": [{"kind": "township", "id": "00000000-0000-0000-0000-000000000003",
            "version": 12, "deleted": false, "body": {"name": "古井镇"}}],
            "cursor": 12, "more": false, "reset": false, "scope": 3})
    );
}

#[test]
fn a_photo_is_named_by_hash_and_null_removes_it() {
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let set = json!({"type": "worker.update@1", "data": {
        "id": "00000000-0000-0000-0000-000000000001", "photo": sha}});
    let op: Op = serde_json::from_value(set.clone()).unwrap();
    assert_eq!(op.blobs(), vec![&BlobRef::parse(sha).unwrap()]);
    assert_eq!(serde_json::to_value(&op).unwrap(), set);
    let clear = json!({"type": "worker.update@1", "data": {
        "id": "00000000-0000-0000-0000-000000000001", "photo": null}});
    let op: Op = serde_json::from_value(clear.clone()).unwrap();
    let Op::WorkerUpdateV1(u) = &op else {
        panic!("an update")
    };
    assert_eq!(u.photo, Some(None));
    assert!(op.blobs().is_empty());
    assert_eq!(serde_json::to_value(&op).unwrap(), clear);
    let bad = json!({"type": "worker.update@1", "data": {
        "id": "00000000-0000-0000-0000-000000000001", "photo": "../x"}});
    assert!(serde_json::from_value::<Op>(bad).is_err());
}

#[test]
fn names_of_kinds_and_refusal_codes() {
    // New kinds are added to this list, never removed or renamed.
    let kinds = [
        (RecordKind::Township, "township"),
        (RecordKind::Organization, "organization"),
        (RecordKind::Worker, "worker"),
        (RecordKind::SigningKey, "signing_key"),
        (RecordKind::CertificateStatus, "certificate_status"),
        (RecordKind::Settings, "settings"),
        (RecordKind::Batch, "batch"),
        (RecordKind::Application, "application"),
        (RecordKind::Notice, "notice"),
        (RecordKind::Certificate, "certificate"),
        (RecordKind::IdCard, "id_card"),
        (RecordKind::IdCardIndex, "id_card_index"),
        (RecordKind::Recommendation, "recommendation"),
        (RecordKind::PoolCriteria, "pool_criteria"),
        (RecordKind::PoolEntry, "pool_entry"),
        (RecordKind::Honour, "honour"),
        (RecordKind::TaskList, "task_list"),
        (RecordKind::Visit, "visit"),
        (RecordKind::TrainingSession, "training_session"),
        (RecordKind::Attendance, "attendance"),
        (RecordKind::Mentor, "mentor"),
        (RecordKind::MentorPair, "mentor_pair"),
        (RecordKind::Studio, "studio"),
        (RecordKind::MentoringActivity, "mentoring_activity"),
        (RecordKind::Inspection, "inspection"),
        (RecordKind::Promotion, "promotion"),
        (RecordKind::Contest, "contest"),
        (RecordKind::ScoreSheet, "score_sheet"),
        (RecordKind::ContestResults, "contest_results"),
        (RecordKind::IdCardDuplicate, "id_card_duplicate"),
        (RecordKind::Dossier, "dossier"),
        (RecordKind::DeviceKey, "device_key"),
    ];
    for (kind, name) in kinds {
        assert_eq!(kind.as_str(), name);
        assert_eq!(serde_json::to_value(kind).unwrap(), json!(name));
        assert_eq!(RecordKind::parse(name), Some(kind));
    }
    assert_eq!(RecordKind::ALL.len(), kinds.len(), "add the new kind here");
    let codes = [
        (RejectCode::InvalidData, "invalid_data"),
        (RejectCode::NotFound, "not_found"),
        (RejectCode::AlreadyExists, "already_exists"),
        (RejectCode::Forbidden, "forbidden"),
        (RejectCode::AlreadyDecided, "already_decided"),
        (RejectCode::SheetLocked, "sheet_locked"),
        (RejectCode::AlreadySuperseded, "already_superseded"),
        (RejectCode::BlobMissing, "blob_missing"),
    ];
    for (code, name) in codes {
        assert_eq!(code.as_str(), name);
        assert_eq!(serde_json::to_value(code).unwrap(), json!(name));
    }
}

#[test]
fn requests_errors_and_grants() {
    let push = PushRequest {
        device_id: id(5),
        mutations: vec![],
        replay: None,
    };
    assert_eq!(
        serde_json::to_value(&push).unwrap(),
        json!({"device_id": "00000000-0000-0000-0000-000000000005", "mutations": []})
    );
    let gap: ErrorBody =
        serde_json::from_value(json!({"code": "gap", "message": "缺少变更", "last_applied": 4}))
            .unwrap();
    assert_eq!(gap.last_applied, Some(4));
    let plain: ErrorBody =
        serde_json::from_value(json!({"code": "forbidden", "message": "无权"})).unwrap();
    assert_eq!(plain.last_applied, None);
    let login: LoginRequest = serde_json::from_value(json!({
        "username": "zhidao01", "password": "x",
        "device_id": "00000000-0000-0000-0000-000000000005"}))
    .unwrap();
    assert_eq!(login.device_id, id(5));
    let grants = vec![
        Grant {
            role: Role::DistrictCommittee,
            scope: Scope::District,
        },
        Grant {
            role: Role::Instructor,
            scope: Scope::Township(id(3)),
        },
    ];
    let wire = json!([
        {"role": "district_committee", "scope": {"type": "district"}},
        {"role": "instructor", "scope": {"type": "township", "id": "00000000-0000-0000-0000-000000000003"}}
    ]);
    assert_eq!(serde_json::to_value(&grants).unwrap(), wire);
    assert_eq!(serde_json::from_value::<Vec<Grant>>(wire).unwrap(), grants);
}

#[test]
fn shared_bodies_signing_key_and_lock() {
    let key = SigningPublicKey {
        key_id: "0123456789abcdef".into(),
        algorithm: "ed25519".into(),
        public_key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
        created_at: Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap(),
        retired_at: None,
        demo: false,
    };
    assert_eq!(
        serde_json::to_value(&key).unwrap(),
        json!({"key_id": "0123456789abcdef", "algorithm": "ed25519",
            "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "created_at": "2026-11-27T00:00:00Z"})
    );
    let lock = Lock {
        revision: 2,
        signed_by: None,
        history: vec![
            LockEvent::Signed {
                revision: 1,
                by: id(7),
            },
            LockEvent::Reopened {
                revision: 2,
                by: id(8),
                reason: "录入错误".into(),
            },
        ],
    };
    assert_eq!(
        serde_json::to_value(&lock).unwrap(),
        json!({"revision": 2, "history": [
            {"event": "signed", "revision": 1, "by": "00000000-0000-0000-0000-000000000007"},
            {"event": "reopened", "revision": 2, "by": "00000000-0000-0000-0000-000000000008", "reason": "录入错误"}
        ]})
    );
}

#[test]
fn review_decision_and_notice_ops() {
    let decide = json!({"type": "application.decide@1", "data": {
        "id": "00000000-0000-0000-0000-000000000006", "stage": "township", "round": 1,
        "outcome": "return", "comment": "材料不全"}});
    let op: Op = serde_json::from_value(decide.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), decide);
    let open = json!({"type": "notice.open@1", "data": {
        "id": "00000000-0000-0000-0000-000000000007",
        "batch_id": "00000000-0000-0000-0000-000000000005",
        "starts_on": "2026-11-30",
        "application_ids": ["00000000-0000-0000-0000-000000000006"]}});
    let op: Op = serde_json::from_value(open.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), open);
    let file = json!({"type": "application.file@1", "data": {
        "id": "00000000-0000-0000-0000-000000000006",
        "worker_id": "00000000-0000-0000-0000-000000000004",
        "batch_id": "00000000-0000-0000-0000-000000000005",
        "requested_grade": 1,
        "assessment": {"political": "excellent", "professional": "good", "tenure": "good",
            "performance": "excellent", "recognition": "pass", "notes": ""},
        "background": {"political": {"passed": true, "note": ""},
            "ethics": {"passed": true, "note": ""}, "ability": {"passed": true, "note": ""},
            "honours": {"passed": false, "note": "无"}}}});
    let op: Op = serde_json::from_value(file.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), file);
    let reissue = json!({"type": "certificate.reissue@1", "data": {
        "certificate_id": "00000000-0000-0000-0000-000000000008",
        "reported_on": "2027-03-01", "reason": "本人遗失"}});
    let op: Op = serde_json::from_value(reissue.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), reissue);
    let org = json!({"type": "organization.create@1", "data": {
        "id": "00000000-0000-0000-0000-000000000009", "name": "福源包装",
        "kind": "enterprise", "township_id": "00000000-0000-0000-0000-000000000003",
        "party_org": "福源包装党支部", "industry": "包装"}});
    let op: Op = serde_json::from_value(org.clone()).unwrap();
    assert_eq!(serde_json::to_value(&op).unwrap(), org);
}

#[test]
fn field_work_training_mentoring_and_inspection_ops() {
    let ops = [
        json!({"type": "visit.record@1", "data": {
            "id": "00000000-0000-0000-0000-000000000010",
            "organization_id": "00000000-0000-0000-0000-000000000009",
            "date": "2026-11-20", "people_met": "支部书记", "notes": "台账齐全",
            "photos": ["ab".repeat(32)],
            "assessments": [{"worker_id": "00000000-0000-0000-0000-000000000004",
                "quarter": "2026Q4",
                "tasks": [{"task": "每月组织一次主题党日", "rating": "done"},
                          {"task": "发展一名入党积极分子", "rating": "partly"}],
                "result": "excellent", "comment": ""}]}}),
        json!({"type": "training.create@1", "data": {
            "id": "00000000-0000-0000-0000-000000000011", "kind": "round_training",
            "title": "全员轮训第三期", "date": "2026-11-21", "place": "区党校",
            "hours_tenths": 35, "trainer": "王老师"}}),
        json!({"type": "training.attend@1", "data": {
            "session_id": "00000000-0000-0000-0000-000000000011",
            "marks": [{"worker_id": "00000000-0000-0000-0000-000000000004",
                "mark": "late", "via": "qr"}]}}),
        json!({"type": "mentor.appoint@1", "data": {
            "worker_id": "00000000-0000-0000-0000-000000000004", "since": "2026-01-01"}}),
        json!({"type": "mentoring.pair@1", "data": {
            "id": "00000000-0000-0000-0000-000000000012",
            "mentor_id": "00000000-0000-0000-0000-000000000004",
            "mentee_id": "00000000-0000-0000-0000-000000000013",
            "start": "2026-02-01", "end": "2026-12-31"}}),
        json!({"type": "studio.set@1", "data": {
            "id": "00000000-0000-0000-0000-000000000014", "name": "红领导师工作室",
            "mentor_id": "00000000-0000-0000-0000-000000000004",
            "founded": "2026-03-01", "year": 2026, "subsidy_fen": 2000000}}),
        json!({"type": "mentoring.log@1", "data": {
            "id": "00000000-0000-0000-0000-000000000015",
            "mentor_id": "00000000-0000-0000-0000-000000000004",
            "date": "2026-04-01", "title": "党建台账规范化", "notes": "",
            "mentee_ids": ["00000000-0000-0000-0000-000000000013"],
            "studio_id": "00000000-0000-0000-0000-000000000014"}}),
        json!({"type": "inspection.record@1", "data": {
            "certificate_id": "00000000-0000-0000-0000-000000000008", "year": 2026,
            "facts": {"trainings": 0, "assessments": ["pass"], "honours": ["city"]},
            "outcome": "downgrade", "note": "", "decided_on": "2026-12-20"}}),
        json!({"type": "promotion.request@1", "data": {
            "id": "00000000-0000-0000-0000-000000000016",
            "certificate_id": "00000000-0000-0000-0000-000000000008",
            "to_grade": 2, "reason": "获市级荣誉", "filed_on": "2026-12-01"}}),
        json!({"type": "promotion.decide@1", "data": {
            "id": "00000000-0000-0000-0000-000000000016", "approve": true, "note": "",
            "decided_on": "2026-12-05"}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
    // Derived ids are public too: another implementation must find the same record.
    assert_eq!(
        hongling_core::training::attendance_id(id(11), id(4)).to_string(),
        "61688864-d5b6-3bd3-4262-b0e4c0bea7c0"
    );
    assert_eq!(
        hongling_core::inspection::inspection_id(id(8), 2026).to_string(),
        "a77de1df-674f-ca75-ee7e-ef2e64281a7f"
    );
}

#[test]
fn contest_ops_and_sheet_ids() {
    let ops = [
        json!({"type": "contest.create@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020", "title": "2026年红领实训比赛",
            "date": "2026-12-05", "venue": "区委党校",
            "rubric": [{"name": "内容", "max": 4000, "weight": 100, "step": 50}],
            "contestants": [{"worker_id": "00000000-0000-0000-0000-000000000004",
                "name": "张红梅", "organization": "谯韵中药饮片"}],
            "judges": [{"account_id": "00000000-0000-0000-0000-000000000031", "name": "评委一"}],
            "trim_from": 5, "tie_break": [0]}}),
        json!({"type": "contest.draw@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020",
            "order": ["00000000-0000-0000-0000-000000000004"]}}),
        json!({"type": "contest.recuse@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020",
            "judge_id": "00000000-0000-0000-0000-000000000031",
            "contestant_id": "00000000-0000-0000-0000-000000000004", "reason": "同一单位"}}),
        json!({"type": "contest.absent@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020",
            "contestant_id": "00000000-0000-0000-0000-000000000004"}}),
        json!({"type": "contest.substitute@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020",
            "out": "00000000-0000-0000-0000-000000000031",
            "judge": {"account_id": "00000000-0000-0000-0000-000000000032", "name": "评委二"}}}),
        json!({"type": "sheet.save@1", "data": {
            "contest_id": "00000000-0000-0000-0000-000000000020",
            "judge_id": "00000000-0000-0000-0000-000000000031",
            "contestant_id": "00000000-0000-0000-0000-000000000004", "marks": [3550, null]}}),
        json!({"type": "sheet.sign@1", "data": {
            "contest_id": "00000000-0000-0000-0000-000000000020",
            "judge_id": "00000000-0000-0000-0000-000000000031",
            "contestant_id": "00000000-0000-0000-0000-000000000004", "marks": [3550, 2500]}}),
        json!({"type": "sheet.reopen@1", "data": {
            "contest_id": "00000000-0000-0000-0000-000000000020",
            "judge_id": "00000000-0000-0000-0000-000000000031",
            "contestant_id": "00000000-0000-0000-0000-000000000004", "reason": "误录"}}),
        json!({"type": "contest.judge_absent@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020",
            "judge_id": "00000000-0000-0000-0000-000000000031"}}),
        json!({"type": "contest.publish@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020", "published_on": "2026-12-05"}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
    // A sheet's id follows from contest, judge and contestant: two tablets find one sheet.
    assert_eq!(
        hongling_core::contest::sheet_id(id(20), id(31), id(4)).to_string(),
        "6aed8e3b-43f0-0b2e-22e8-fa08225f834a"
    );
}

/// Added with deployment (issue 12): the login answer says when the password must be
/// changed first and when the server is a demo; both are left out when false, so the
/// answers of earlier servers still read.
#[test]
fn login_response_with_forced_change_and_demo() {
    use hongling_core::wire::{AccountInfo, LoginResponse};
    let r = LoginResponse {
        token: "t0k3n".into(),
        account: AccountInfo {
            id: id(9),
            username: "boss".into(),
            display_name: "区委非公工委".into(),
            grants: vec![Grant {
                role: Role::DistrictCommittee,
                scope: Scope::District,
            }],
        },
        offline_grace_days: 7,
        must_change_password: true,
        demo: true,
    };
    let expected = json!({
        "token": "t0k3n",
        "account": {
            "id": "00000000-0000-0000-0000-000000000009",
            "username": "boss",
            "display_name": "区委非公工委",
            "grants": [{"role": "district_committee", "scope": {"type": "district"}}]
        },
        "offline_grace_days": 7,
        "must_change_password": true,
        "demo": true
    });
    assert_eq!(serde_json::to_value(&r).unwrap(), expected);
    assert_eq!(
        serde_json::from_value::<LoginResponse>(expected).unwrap(),
        r
    );
    let plain = LoginResponse {
        must_change_password: false,
        demo: false,
        ..r
    };
    let old = json!({
        "token": "t0k3n",
        "account": {
            "id": "00000000-0000-0000-0000-000000000009",
            "username": "boss",
            "display_name": "区委非公工委",
            "grants": [{"role": "district_committee", "scope": {"type": "district"}}]
        },
        "offline_grace_days": 7
    });
    assert_eq!(serde_json::to_value(&plain).unwrap(), old);
    assert_eq!(serde_json::from_value::<LoginResponse>(old).unwrap(), plain);
}

/// Added with deployment (issue 12): a user's own password change.
#[test]
fn change_password_request() {
    use hongling_core::wire::ChangePasswordRequest;
    let r = ChangePasswordRequest {
        old_password: "first-temporary-pw".into(),
        new_password: "a-river-at-dawn-2026".into(),
    };
    let expected = json!({
        "old_password": "first-temporary-pw",
        "new_password": "a-river-at-dawn-2026"
    });
    assert_eq!(serde_json::to_value(&r).unwrap(), expected);
    assert_eq!(
        serde_json::from_value::<ChangePasswordRequest>(expected).unwrap(),
        r
    );
}

/// Added with deployment (issue 12): a demo server's key says so, and a key without the
/// field is a real one.
#[test]
fn signing_key_of_a_demo_server() {
    let key = SigningPublicKey {
        key_id: "fedcba9876543210".into(),
        algorithm: "ed25519".into(),
        public_key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
        created_at: Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap(),
        retired_at: Some(Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap()),
        demo: true,
    };
    let wire = json!({"key_id": "fedcba9876543210", "algorithm": "ed25519",
        "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "created_at": "2026-12-02T00:00:00Z", "retired_at": "2026-12-03T00:00:00Z",
        "demo": true});
    assert_eq!(serde_json::to_value(&key).unwrap(), wire);
    assert_eq!(
        serde_json::from_value::<SigningPublicKey>(wire).unwrap(),
        key
    );
}

#[test]
fn a_pull_reply_names_the_epoch_the_cursor_tag_and_the_device_last_applied() {
    let pull = PullResponse {
        records: vec![],
        cursor: 40,
        more: false,
        reset: false,
        scope: 2,
        epoch: Some("4b1f0c1e9a7d4f35".into()),
        tag: Some("9c2e51d0a3b8f647".into()),
        last_applied: Some(17),
        rewound: false,
    };
    let frozen = json!({"records": [], "cursor": 40, "more": false, "reset": false,
        "scope": 2, "epoch": "4b1f0c1e9a7d4f35", "tag": "9c2e51d0a3b8f647", "last_applied": 17});
    assert_eq!(serde_json::to_value(&pull).unwrap(), frozen);
    assert_eq!(
        serde_json::from_value::<PullResponse>(frozen).unwrap(),
        pull
    );
}

#[test]
fn a_rewound_server_says_so_and_resets_the_device() {
    let frozen = json!({"records": [], "cursor": 0, "more": true, "reset": true,
        "scope": 2, "epoch": "77aa", "last_applied": 3, "rewound": true});
    let pull: PullResponse = serde_json::from_value(frozen.clone()).unwrap();
    assert!(pull.rewound && pull.reset);
    assert_eq!(pull.tag, None);
    assert_eq!(serde_json::to_value(&pull).unwrap(), frozen);
}

#[test]
fn a_replay_carries_the_first_answers_and_the_certificates_the_device_holds() {
    let frozen = json!({"device_id": "00000000-0000-0000-0000-000000000005",
        "mutations": [],
        "replay": {"answers": [
            {"id": 4, "status": "applied"},
            {"id": 5, "status": "rejected", "code": "not_found"},
            {"id": 6, "status": "applied", "id_card_removed": true}
        ], "certificates": [{"kind": "certificate", "id": "00000000-0000-0000-0000-000000000007",
            "version": 30, "deleted": false, "body": {"number": "HL-2026-0001"}}]}});
    let push: PushRequest = serde_json::from_value(frozen.clone()).unwrap();
    let replay = push.replay.as_ref().unwrap();
    assert_eq!(replay.answers.len(), 3);
    assert_eq!(replay.answers[1].status, MutationStatus::Rejected);
    assert!(replay.answers[2].id_card_removed);
    assert_eq!(replay.certificates[0].kind, RecordKind::Certificate);
    assert_eq!(serde_json::to_value(&push).unwrap(), frozen);
}

#[test]
fn a_line_of_the_security_log() {
    use hongling_core::wire::{SecurityEvent, SecurityLogEntry};
    let frozen = json!({"id": 12, "at": "2026-12-04T08:00:00+00:00", "event": "login_failed",
        "actor": "zhidao01", "address": "10.0.0.7", "detail": "暂停 60 秒"});
    let entry: SecurityLogEntry = serde_json::from_value(frozen.clone()).unwrap();
    assert_eq!(entry.event, SecurityEvent::LoginFailed);
    assert_eq!(entry.subject, "");
    assert_eq!(serde_json::to_value(&entry).unwrap(), frozen);
    for event in SecurityEvent::ALL {
        assert_eq!(serde_json::to_value(event).unwrap(), json!(event.as_str()));
        assert_eq!(SecurityEvent::parse(event.as_str()), Some(event));
    }
}

/// Added with the op table (issue 14): the twelve ops that had no case until then, as
/// they were serialised on the day they were added here.
#[test]
fn settings_batch_pool_honour_task_and_notice_ops() {
    let ops = [
        json!({"type": "settings.update@1", "data": {"settings": {
            "grades": [{"level": 1, "name": "初级", "monthly_stipend_fen": 30000},
                       {"level": 2, "name": "中级", "monthly_stipend_fen": 50000}],
            "notice_working_days": 5, "validity_years": 3,
            "holidays": ["2027-01-01"], "extra_workdays": ["2027-02-07"],
            "photo_max_kib": 800}}}),
        json!({"type": "batch.create@1", "data": {
            "id": "00000000-0000-0000-0000-000000000005", "name": "2027年第一批",
            "year": 2027, "category": "secretary"}}),
        json!({"type": "batch.close@1", "data": {
            "id": "00000000-0000-0000-0000-000000000005"}}),
        json!({"type": "application.resubmit@1", "data": {
            "id": "00000000-0000-0000-0000-000000000006",
            "requested_grade": 2,
            "assessment": {"political": "excellent", "professional": "good", "tenure": "good",
                "performance": "excellent", "recognition": "pass", "notes": "补充材料"},
            "background": {"political": {"passed": true, "note": ""},
                "ethics": {"passed": true, "note": ""}, "ability": {"passed": true, "note": ""},
                "honours": {"passed": true, "note": "市级"}}}}),
        json!({"type": "notice.object@1", "data": {
            "application_id": "00000000-0000-0000-0000-000000000006",
            "text": "任职年限与实际不符"}}),
        json!({"type": "notice.close@1", "data": {
            "id": "00000000-0000-0000-0000-000000000007", "closed_on": "2026-12-08"}}),
        json!({"type": "recommendation.record@1", "data": {
            "id": "00000000-0000-0000-0000-000000000040",
            "worker_id": "00000000-0000-0000-0000-000000000004",
            "year": 2026, "kind": "excellent_party_worker", "note": "区级"}}),
        json!({"type": "pool.criteria@1", "data": {
            "text": "任现职满一年，近两年考核称职以上。", "published_on": "2026-03-01"}}),
        json!({"type": "pool.apply@1", "data": {
            "id": "00000000-0000-0000-0000-000000000041",
            "worker_id": "00000000-0000-0000-0000-000000000004", "notes": "工作积极"}}),
        json!({"type": "pool.decide@1", "data": {
            "id": "00000000-0000-0000-0000-000000000041", "admit": false,
            "comment": "任职未满一年"}}),
        json!({"type": "honour.record@1", "data": {
            "id": "00000000-0000-0000-0000-000000000042",
            "worker_id": "00000000-0000-0000-0000-000000000004",
            "title": "优秀党务工作者", "level": "city", "holder": "branch", "year": 2026,
            "scan": "cd".repeat(32),
            "supersedes": "00000000-0000-0000-0000-000000000043"}}),
        json!({"type": "tasks.set@1", "data": {
            "quarter": "2027Q1", "org_kind": "social_org", "grade": 1,
            "tasks": ["每月组织一次主题党日", "发展一名入党积极分子"]}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
}

/// Every op and every record kind has a frozen case in this file: a new one fails here
/// until its case is added (the list of names comes from the op table and the kind
/// table, so this test needs no edit).
#[test]
fn every_op_and_every_kind_has_a_frozen_case() {
    let this_file = include_str!("wire_format.rs");
    let missing: Vec<&str> = Op::WIRE_NAMES
        .into_iter()
        .filter(|name| !this_file.contains(&format!("{{\"type\": \"{name}\", \"data\"")))
        .collect();
    assert!(missing.is_empty(), "ops without a frozen case: {missing:?}");
    let missing: Vec<&str> = RecordKind::ALL
        .into_iter()
        .map(RecordKind::as_str)
        // The kind's case is a line of `names_of_kinds_and_refusal_codes`.
        .filter(|name| !this_file.contains(&format!(", \"{name}\")")))
        .collect();
    assert!(
        missing.is_empty(),
        "kinds without a frozen case: {missing:?}"
    );
}

/// Added with the contest's corrections (issue 15): the public draw (公开抽签) and the
/// setup corrected before scoring, and the order a seed gives, which anyone replays with
/// the algorithm documented at `contest::draw_order`.
#[test]
fn public_draw_contest_update_and_the_seed_to_order_replay() {
    let ops = [
        json!({"type": "contest.draw@2", "data": {
            "id": "00000000-0000-0000-0000-000000000020", "seed": "0417"}}),
        json!({"type": "contest.update@1", "data": {
            "id": "00000000-0000-0000-0000-000000000020", "title": "2026年红领实训比赛",
            "date": "2026-12-06", "venue": "区委党校 201 室",
            "rubric": [{"name": "内容", "max": 5000, "weight": 100, "step": 50}],
            "contestants": [{"worker_id": "00000000-0000-0000-0000-000000000004",
                "name": "张红梅", "organization": "谯韵中药饮片"}],
            "judges": [{"account_id": "00000000-0000-0000-0000-000000000031", "name": "评委一"}],
            "trim_from": 5, "tie_break": [0]}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
    let entered: Vec<Uuid> = (1..=8).map(id).collect();
    let order: Vec<u128> = hongling_core::contest::draw_order(&entered, "2026-12-05 区委党校 037")
        .into_iter()
        .map(|u| u.as_u128())
        .collect();
    // The same order from an independent replay of the documented steps (Python's
    // hashlib, at the time this case was frozen).
    assert_eq!(order, [2, 1, 6, 7, 5, 4, 8, 3]);
}

/// Added for the contest day with no network (issue 15, item 6): a judge's device-signed
/// sheet and the administrator's relay of it.
#[test]
fn device_signed_sheets_and_their_relay() {
    let sheet = json!({
        "contest_id": "00000000-0000-0000-0000-000000000020",
        "judge_id": "00000000-0000-0000-0000-000000000031",
        "contestant_id": "00000000-0000-0000-0000-000000000004",
        "marks": [3550, 2500], "revision": 1,
        "signature": {"device_id": "00000000-0000-0000-0000-000000000077",
            "signature": "AAAA"}});
    let ops = [
        json!({"type": "sheet.sign@2", "data": sheet}),
        json!({"type": "sheet.relay@1", "data": {"sheet": sheet}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
    // The bytes a device signs, frozen: tag, ids, revision, marks, device.
    let bytes = hongling_core::contest::signing::signed_bytes(
        id(20),
        id(31),
        id(4),
        1,
        &[Some(3550), None],
        id(77),
    );
    assert_eq!(bytes.len(), 22 + 48 + 4 + 2 + 5 + 1 + 16);
    assert!(bytes.starts_with(b"hongling sheet.sign@2\n"));
    // A login that brings the device's public key, and the record the server makes of it.
    let login = json!({"username": "pingwei01", "password": "x",
        "device_id": "00000000-0000-0000-0000-000000000077",
        "device_key": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik="});
    let parsed: LoginRequest = serde_json::from_value(login.clone()).unwrap();
    assert_eq!(
        parsed.device_key.as_deref(),
        Some("O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=")
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), login);
    let key = json!({"account_id": "00000000-0000-0000-0000-000000000031",
        "public_key": "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik=", "revoked": true});
    let parsed: hongling_core::contest::signing::DeviceKey =
        serde_json::from_value(key.clone()).unwrap();
    assert!(parsed.revoked);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), key);
}

/// Added for the contest day with no network (issue 15, item 6): a signed sheet as the QR
/// code a judge's tablet shows, read by an administrator's tablet of any later version.
#[test]
fn a_signed_sheet_as_a_relay_code() {
    use hongling_core::contest::relay;
    let code = "HLR1.1.1.AAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAADEAAAAAAAAAAAAAAAAAAAB3AAAAAAAAAAAAAAAAAAAABAAAAAECAQAADd4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let frame = relay::read(code).unwrap();
    assert_eq!((frame.part, frame.total), (1, 1));
    let s = &frame.sheets[0];
    assert_eq!(
        (s.contest_id, s.judge_id, s.contestant_id),
        (id(0x20), id(0x31), id(4))
    );
    assert_eq!((s.revision, s.marks.clone()), (1, vec![Some(3550), None]));
    assert_eq!(s.signature.device_id, id(0x77));
    assert_eq!(s.signature.signature, "A".repeat(86) + "==");
    assert_eq!(relay::frames(&frame.sheets), [code]);
}

/// Added for 赛前检查 (issue 15, item 6): `GET /api/v1/contests/{id}/readiness`.
#[test]
fn a_pre_contest_check() {
    use hongling_core::contest::readiness::Readiness;
    let wire = json!({
        "contest_id": "00000000-0000-0000-0000-000000000020",
        "drawn": true,
        "judges": [{
            "judge_id": "00000000-0000-0000-0000-000000000031",
            "name": "评委一",
            "devices": [{
                "device_id": "00000000-0000-0000-0000-000000000077",
                "key": true, "current": false, "works_until": "2026-12-19", "in_grace": true
            }]
        }]
    });
    let r: Readiness = serde_json::from_value(wire.clone()).unwrap();
    assert!(r.drawn && !r.ready(), "the tablet lacks the latest setup");
    assert_eq!(serde_json::to_value(&r).unwrap(), wire);
}

/// Added for re-opening a sheet at a venue with no network (issue 15, item 6): the
/// administrator's re-opening of a named revision, the judge's copy of it scanned from
/// the administrator's tablet, and that code.
#[test]
fn a_reopening_by_revision_and_its_scanned_copy() {
    use hongling_core::contest::relay;
    let reopen = json!({
        "contest_id": "00000000-0000-0000-0000-000000000020",
        "judge_id": "00000000-0000-0000-0000-000000000031",
        "contestant_id": "00000000-0000-0000-0000-000000000004",
        "reason": "笔误", "revision": 1});
    let ops = [
        json!({"type": "sheet.reopen@2", "data": reopen}),
        json!({"type": "sheet.reopened@1", "data": {"reopen": reopen,
            "signature": {"device_id": "00000000-0000-0000-0000-000000000088",
                "signature": "AAAA"}}}),
    ];
    for value in ops {
        let op: Op = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&op).unwrap(), value);
    }
    let code = "HLO1.AAAAAAAAAAAAAAAAAAAAIAAAAAAAAAAAAAAAAAAAADEAAAAAAAAAAAAAAAAAAAAEAAAAAQAAAAAAAAAAAAAAAAAAAIgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA56yU6K-v";
    let read = relay::read_reopen(code).unwrap();
    assert_eq!(read.reopen.reason, "笔误");
    assert_eq!(read.reopen.revision, 1);
    assert_eq!(read.signature.device_id, id(0x88));
    assert_eq!(relay::reopen_code(&read), code);
}

/// Added for the judge's handwritten signature (issue 15, item 7): the op the judge's
/// tablet queues after signing, and the results' list of the drawings, whose images are
/// attachments anyone who may read the results may fetch.
#[test]
fn a_handwritten_signature_and_the_results_that_print_it() {
    let sha = "5".repeat(64);
    let op = json!({"type": "sheet.autograph@1", "data": {
        "contest_id": "00000000-0000-0000-0000-000000000020",
        "judge_id": "00000000-0000-0000-0000-000000000031",
        "contestant_id": "00000000-0000-0000-0000-000000000004",
        "revision": 1, "image": sha}});
    let parsed: Op = serde_json::from_value(op.clone()).unwrap();
    assert_eq!(parsed.blobs(), vec![&BlobRef::parse(&sha).unwrap()]);
    assert_eq!(serde_json::to_value(&parsed).unwrap(), op);
    let results = json!({
        "contest_id": "00000000-0000-0000-0000-000000000020",
        "title": "2026年红领实训比赛", "date": "2026-12-06",
        "rubric": [], "judges": [], "standings": [],
        "published": {"by": "00000000-0000-0000-0000-000000000009", "on": "2026-12-06"},
        "autographs": [{"judge_id": "00000000-0000-0000-0000-000000000031",
            "contestant_id": "00000000-0000-0000-0000-000000000004", "image": sha}]});
    let parsed: hongling_core::contest::ContestResults =
        serde_json::from_value(results.clone()).unwrap();
    assert_eq!(
        parsed.autograph(id(0x31), id(4)),
        Some(&BlobRef::parse(&sha).unwrap())
    );
    assert_eq!(serde_json::to_value(&parsed).unwrap(), results);
    assert_eq!(
        hongling_core::blob::named_by(RecordKind::ContestResults, &results),
        [BlobRef::parse(&sha).unwrap()]
    );
}
