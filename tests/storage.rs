//! The storage layer in real Chromium (wasm-bindgen-test): a record and its outbox entry
//! are written in one transaction, and survive closing and reopening the database.

#![cfg(target_arch = "wasm32")]

use chrono::Utc;
use hongling::storage::Db;
use hongling_core::wire::{MutationResult, MutationStatus};
use hongling_core::{
    Actor, BlobRef, Op, RecordKey, RecordKind, Role, Scope, WorkerUpdateV1, testkit,
};
use uuid::Uuid;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn actor() -> Actor {
    testkit::actor(0, Role::Instructor, Scope::District)
}

/// A fresh database with one township and one organisation, as after a first pull.
async fn fresh(name: &str) -> (Db, Uuid, Uuid) {
    Db::delete(name).await.unwrap();
    let db = Db::open(name).await.unwrap();
    let township = Uuid::new_v4();
    let org = Uuid::new_v4();
    let records = testkit::township_and_organization(township, org, "宏达酿造配套有限公司");
    db.apply_pull(&actor(), records, 2, false, 1).await.unwrap();
    (db, township, org)
}

#[wasm_bindgen_test]
async fn a_record_and_its_outbox_entry_are_written_together_and_survive_reopening() {
    let name = "hongling-test-durable";
    let (db, township, org) = fresh(name).await;
    let id = Uuid::new_v4();
    let mutation_id = db
        .commit_local(
            &actor(),
            testkit::create_worker(id, township, org, "孙海燕"),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mutation_id, 1);
    let key = RecordKey::new(RecordKind::Worker, id);
    assert!(db.get(key).await.unwrap().is_some());
    let outbox = db.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].touched, vec![key.storage_key()]);
    db.close();

    let db = Db::open(name).await.unwrap();
    let worker = db
        .get(key)
        .await
        .unwrap()
        .expect("the worker survives reopening");
    assert_eq!(worker.body["name"], "孙海燕");
    assert_eq!(worker.version, 0, "not yet on the server");
    assert_eq!(db.pending_count().await.unwrap(), 1);
    assert_eq!(db.cursor().await.unwrap(), 2);
    // Ids continue from the stored counter, not from memory.
    let second = db
        .commit_local(
            &actor(),
            testkit::create_worker(Uuid::new_v4(), township, org, "郑伟"),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second, 2);
    db.close();
}

#[wasm_bindgen_test]
async fn a_refused_write_leaves_neither_record_nor_outbox_entry() {
    let (db, township, _org) = fresh("hongling-test-refused").await;
    let id = Uuid::new_v4();
    let refusal = db
        .commit_local(
            &actor(),
            testkit::create_worker(id, township, Uuid::new_v4(), "王志强"),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.field.as_deref(), Some("organization_id"));
    assert!(
        db.get(RecordKey::new(RecordKind::Worker, id))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.pending_count().await.unwrap(), 0);
    db.close();
}

#[wasm_bindgen_test]
async fn a_pull_keeps_pending_edits_on_top_and_a_rejection_is_kept_and_undone() {
    let (db, township, org) = fresh("hongling-test-rebase").await;
    let id = Uuid::new_v4();
    let key = RecordKey::new(RecordKind::Worker, id);
    db.commit_local(
        &actor(),
        testkit::create_worker(id, township, org, "刘静"),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    // The server applied the create (id 1) and another device renamed her meanwhile.
    db.acknowledge(
        &actor(),
        &[MutationResult {
            id: 1,
            status: MutationStatus::Applied,
            code: None,
            message: None,
            field: None,
        }],
    )
    .await
    .unwrap();
    let edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id,
        years_in_post: Some(9),
        ..Default::default()
    });
    db.commit_local(&actor(), edit, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let mut server_copy = db.get(key).await.unwrap().unwrap();
    server_copy.version = 40;
    server_copy.body["name"] = "刘静（更名）".into();
    server_copy.body["years_in_post"] = 2.into();
    db.apply_pull(&actor(), vec![server_copy], 40, false, 1)
        .await
        .unwrap();
    let seen = db.get(key).await.unwrap().unwrap();
    assert_eq!(
        seen.body["name"], "刘静（更名）",
        "the server's change is taken"
    );
    assert_eq!(
        seen.body["years_in_post"], 9,
        "the pending edit stays on top"
    );
    assert_eq!(seen.version, 40);

    // The server refuses the edit: it is kept with its reason and undone locally.
    db.acknowledge(
        &actor(),
        &[MutationResult {
            id: 2,
            status: MutationStatus::Rejected,
            code: Some("forbidden".into()),
            message: Some("无权修改".into()),
            field: None,
        }],
    )
    .await
    .unwrap();
    assert_eq!(db.pending_count().await.unwrap(), 0);
    let rejected = db.rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].message, "无权修改");
    assert_eq!(db.get(key).await.unwrap().unwrap().body["years_in_post"], 2);
    db.close();
}

#[wasm_bindgen_test]
async fn a_photo_is_stored_with_its_mutation_and_survives_a_reopen() {
    let (db, township, org) = fresh("hongling-test-photo").await;
    // A 300 KB "photo" with every byte value, so any re-encoding would show.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 256) as u8).collect();
    let sha = BlobRef::parse(&"0123456789abcdef".repeat(4)).unwrap();
    let photo = hongling_sync::BlobEntry {
        sha256: sha.clone(),
        mime: "image/jpeg".into(),
        bytes: bytes.clone(),
        uploaded: false,
    };
    let id = Uuid::new_v4();
    let Op::WorkerCreateV1(mut c) = testkit::create_worker(id, township, org, "周敏") else {
        unreachable!()
    };
    c.photo = Some(sha.clone());
    db.commit_with_blobs(
        &actor(),
        Op::WorkerCreateV1(c),
        Utc::now(),
        std::slice::from_ref(&photo),
    )
    .await
    .unwrap()
    .unwrap();
    db.close();

    let db = Db::open("hongling-test-photo").await.unwrap();
    assert_eq!(db.blob(&sha).await.unwrap(), Some(photo));
    let worker = db
        .get(RecordKey::new(RecordKind::Worker, id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(worker.body["photo"], sha.as_str());
    // Logout empties the attachments with everything else.
    db.clear_all().await.unwrap();
    assert_eq!(db.blob(&sha).await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_database_from_the_first_version_is_upgraded_with_its_outbox_intact() {
    use rexie::{Index, ObjectStore, Rexie, TransactionMode};
    use serde::Serialize;
    let name = "hongling-test-upgrade";
    Db::delete(name).await.unwrap();
    // The schema the first release shipped: no `blobs` store.
    let old = Rexie::builder(name)
        .version(1)
        .add_object_store(
            ObjectStore::new("records")
                .key_path("key")
                .add_index(Index::new("by_kind", "kind")),
        )
        .add_object_store(ObjectStore::new("base").key_path("key"))
        .add_object_store(ObjectStore::new("outbox").key_path("id"))
        .add_object_store(ObjectStore::new("rejected").key_path("id"))
        .add_object_store(ObjectStore::new("meta"))
        .build()
        .await
        .unwrap();
    let entry = hongling_sync::OutboxEntry {
        id: 1,
        at: Utc::now(),
        op: testkit::create_worker(Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), "旧版本"),
        touched: vec![],
        // Written as a version before origins: the field is absent from the stored JSON.
        origin: None,
    };
    let tx = old
        .transaction(&["outbox", "records"], TransactionMode::ReadWrite)
        .unwrap();
    let value = entry
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    tx.store("outbox").unwrap().put(&value, None).await.unwrap();
    // A record as the first versions wrote it: the record's fields flattened into one
    // object beside its key (now records are stored as `{key, kind, json}`).
    let township = Uuid::new_v4();
    let first = &testkit::township_and_organization(township, Uuid::new_v4(), "旧单位")[0];
    let mut flat = serde_json::to_value(first).unwrap();
    flat["key"] = first.key().storage_key().into();
    let value = flat
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap();
    tx.store("records")
        .unwrap()
        .put(&value, None)
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();

    let db = Db::open(name).await.unwrap();
    assert_eq!(
        db.get(first.key()).await.unwrap().as_ref(),
        Some(first),
        "a record in the first encoding is still read"
    );
    assert_eq!(
        db.list(RecordKind::Township).await.unwrap(),
        vec![first.clone()],
        "a record in the first encoding is still read"
    );
    assert_eq!(db.outbox(10).await.unwrap(), vec![entry]);
    let sha = BlobRef::parse(&"ab".repeat(32)).unwrap();
    db.keep_local_blob(sha.clone(), "image/png".into(), vec![1, 2, 3])
        .await
        .unwrap();
    assert_eq!(db.blob(&sha).await.unwrap().unwrap().bytes, vec![1, 2, 3]);
}

/// Waits for the browser to run its queued tasks (a `BroadcastChannel` message is one).
async fn a_moment() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn lists_see_every_write_here_and_in_another_tab_and_a_batch_is_answered_at_once() {
    use hongling_sync::{ClientStore, StoreTx};
    let name = "hongling-test-batches";
    let (db, township, org) = fresh(name).await;
    // The list is read once, and kept in memory from then on.
    assert!(db.list(RecordKind::Worker).await.unwrap().is_empty());
    let start = db.generation().expect("Chromium has BroadcastChannel");
    let mut ids = Vec::new();
    for n in ["甲", "乙", "丙"] {
        let id = Uuid::new_v4();
        ids.push(id);
        db.commit_local(
            &actor(),
            testkit::create_worker(id, township, org, n),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    }
    assert_eq!(db.list(RecordKind::Worker).await.unwrap().len(), 3);
    // What changed since is known key by key, for read models that update in place.
    let changed = db.changes_since(start).unwrap();
    assert_eq!(changed.len(), 3);
    assert!(
        ids.iter()
            .all(|id| changed.contains(&RecordKey::new(RecordKind::Worker, *id)))
    );
    let after_three = db.generation().unwrap();
    assert!(db.changes_since(after_three).unwrap().is_empty());

    // Another tab (its own connection) saves a worker: this one hears of it.
    let other = Db::open(name).await.unwrap();
    let heard = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = heard.clone();
    db.on_foreign_change(move || flag.set(true));
    let theirs = Uuid::new_v4();
    other
        .commit_local(
            &actor(),
            testkit::create_worker(theirs, township, org, "丁"),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    a_moment().await;
    assert!(heard.get(), "the other tab's write is announced");
    assert_eq!(
        db.changes_since(after_three),
        None,
        "what another tab wrote is not known key by key"
    );
    let listed = db.list(RecordKind::Worker).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert!(listed.iter().any(|r| r.id == theirs));

    // The server answers the first three in one batch: they leave the outbox together
    // and enter the journal; the fourth waits.
    let answers: Vec<MutationResult> = (1..=3)
        .map(|id| MutationResult {
            id,
            status: MutationStatus::Applied,
            code: None,
            message: None,
            field: None,
        })
        .collect();
    db.acknowledge(&actor(), &answers).await.unwrap();
    let left = db.outbox(10).await.unwrap();
    assert_eq!(left.iter().map(|e| e.id).collect::<Vec<_>>(), vec![4]);
    let mut tx = db.begin().unwrap();
    let journal = tx.journal_after(0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        journal.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    // The batch is one stored value; an entry in it is still answered again (a replay),
    // read from the middle, and taken out on its own (the journal window).
    let mut tx = db.begin().unwrap();
    let mut second = journal[1].clone();
    second.status = MutationStatus::Rejected;
    second.code = Some("forbidden".into());
    tx.journal_put(&second).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().unwrap();
    let from_two = tx.journal_after(1).await.unwrap();
    tx.journal_delete_many(&[1, 3]).await.unwrap();
    let left_in_journal = tx.journal_after(0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        from_two
            .iter()
            .map(|e| (e.id, e.status))
            .collect::<Vec<_>>(),
        vec![(2, MutationStatus::Rejected), (3, MutationStatus::Applied)]
    );
    assert_eq!(left_in_journal, vec![second]);

    // A page of a thousand records is stored in one transaction; a pulled deletion
    // leaves the list, and the pending fourth stays on top of the server's copy.
    let mut page: Vec<hongling_core::Record> = (0..1000)
        .map(|i| {
            let Op::WorkerCreateV1(c) =
                testkit::create_worker(Uuid::new_v4(), township, org, &format!("批量{i}"))
            else {
                unreachable!()
            };
            testkit::record(
                RecordKind::Worker,
                c.id,
                10 + i,
                &hongling_core::Worker {
                    id_card_masked: None,
                    name: c.name,
                    organization_id: org,
                    township_id: township,
                    role: c.role,
                    management_post: String::new(),
                    years_in_post: 1,
                    photo: None,
                },
            )
        })
        .collect();
    let mut gone = db
        .get(RecordKey::new(RecordKind::Worker, ids[0]))
        .await
        .unwrap()
        .unwrap();
    gone.deleted = true;
    gone.version = 2000;
    page.push(gone);
    db.apply_pull(&actor(), page, 2000, false, 1).await.unwrap();
    let listed = db.list(RecordKind::Worker).await.unwrap();
    assert_eq!(listed.len(), 1000 + 3);
    assert!(!listed.iter().any(|r| r.id == ids[0]));
    assert!(listed.iter().any(|r| r.id == theirs));
    // What this connection keeps in memory is what the database holds.
    let reopened = Db::open(name).await.unwrap();
    let stored = reopened.list(RecordKind::Worker).await.unwrap();
    assert_eq!(stored, listed);
    other.close();
    reopened.close();
    db.close();
}
