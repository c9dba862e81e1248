//! Attachments go only to those who may see them (issue 13, item 4): an account that can
//! see a record naming the blob, or the device that uploaded it while no record names it
//! yet. Only the roles that attach files upload, within a daily quota, and blobs that no
//! record names are collected after 30 days. All through the real server.

mod common;

use chrono::Utc;
use common::{Server, Tablet};
use hongling_core::wire::PROTOCOL_HEADER;
use hongling_core::{BlobRef, Op, RecordKind, Worker, WorkerUpdateV1};
use hongling_sync::{BlobEntry, commit_with_blobs};
use sha2::{Digest, Sha256};

/// What a tablet's upload and fetch of one blob answer.
trait Blobs {
    async fn put(&self, blob: &BlobEntry) -> (u16, serde_json::Value);
    async fn fetch(&self, blob: &BlobEntry) -> u16;
}

impl Blobs for Tablet {
    async fn put(&self, blob: &BlobEntry) -> (u16, serde_json::Value) {
        let res = reqwest::Client::new()
            .put(format!(
                "{}/api/v1/blobs/{}",
                self.transport.base, blob.sha256
            ))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.transport.token)
            .body(blob.bytes.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or_default())
    }

    /// The status of a fetch; the bytes must be the blob's when it succeeds.
    async fn fetch(&self, blob: &BlobEntry) -> u16 {
        let res = reqwest::Client::new()
            .get(format!(
                "{}/api/v1/blobs/{}",
                self.transport.base, blob.sha256
            ))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.transport.token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if status == 200 {
            assert_eq!(res.bytes().await.unwrap().to_vec(), blob.bytes);
        } else {
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["code"], "blob_missing", "{body}");
        }
        status
    }
}

fn blob(seed: u32, len: u32) -> BlobEntry {
    let bytes: Vec<u8> = (0..len).map(|i| ((i * 7 + seed) % 251) as u8).collect();
    BlobEntry {
        sha256: BlobRef::parse(&hex::encode(Sha256::digest(&bytes))).unwrap(),
        mime: "image/jpeg".into(),
        bytes,
        uploaded: false,
    }
}

async fn blob_rows(db: &std::path::Path, sha256: &BlobRef) -> i64 {
    use sqlx::Connection;
    let mut conn = common::open_db(db).await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blobs WHERE sha256 = ?")
        .bind(sha256.as_str())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    n
}

#[tokio::test(flavor = "current_thread")]
async fn a_photo_reaches_only_those_who_may_see_a_record_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("blobs.sqlite");
    let server = Server::start(&db, &[]);
    let tablet = Tablet::new(&server.base, "zhidao01").await;
    let second = Tablet::new(&server.base, "zhidao01").await;
    let committee = Tablet::new(&server.base, "quwei").await;
    let judge = Tablet::new(&server.base, "pingwei01").await;
    let holder = Tablet::new(&server.base, "zhanghm").await;
    let reviewer = Tablet::new(&server.base, "chushen01").await;
    tablet.sync().await;

    // Uploaded and not yet named: only the uploading device gets it back.
    let photo = blob(1, 40_000);
    assert_eq!(tablet.put(&photo).await.0, 201);
    assert_eq!(tablet.put(&photo).await.0, 200, "an upload is idempotent");
    assert_eq!(tablet.fetch(&photo).await, 200);
    assert_eq!(
        second.fetch(&photo).await,
        404,
        "the same account's other tablet"
    );
    assert_eq!(committee.fetch(&photo).await, 404);

    // Named by 张红梅's record: whoever may see her record gets it, nobody else.
    let zhang = tablet
        .store
        .view()
        .into_iter()
        .filter(|r| r.kind == RecordKind::Worker)
        .find(|r| r.decode::<Worker>().unwrap().name == "张红梅")
        .unwrap()
        .id;
    let edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        photo: Some(Some(photo.sha256.clone())),
        ..Default::default()
    });
    commit_with_blobs(
        &tablet.store,
        &tablet.actor,
        edit,
        Utc::now(),
        std::slice::from_ref(&photo),
    )
    .await
    .unwrap()
    .unwrap();
    tablet.sync().await;
    assert!(tablet.store.rejected().is_empty());
    assert_eq!(tablet.fetch(&photo).await, 200);
    assert_eq!(second.fetch(&photo).await, 200);
    assert_eq!(committee.fetch(&photo).await, 200);
    assert_eq!(holder.fetch(&photo).await, 200, "her own record");
    assert_eq!(
        judge.fetch(&photo).await,
        404,
        "a judge sees no worker records"
    );

    // When no record names it any more, only the uploaders get it.
    let unset = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        photo: Some(None),
        ..Default::default()
    });
    commit_with_blobs(&tablet.store, &tablet.actor, unset, Utc::now(), &[])
        .await
        .unwrap()
        .unwrap();
    tablet.sync().await;
    assert_eq!(committee.fetch(&photo).await, 404);
    assert_eq!(tablet.fetch(&photo).await, 200);

    // Only the roles that attach files upload: a judge (a signature) does, a worker or a
    // township reviewer does not, and their refusal stores nothing.
    let signature = blob(2, 3_000);
    assert_eq!(judge.put(&signature).await.0, 201);
    let refused = blob(3, 3_000);
    for who in [&holder, &reviewer] {
        let (status, body) = who.put(&refused).await;
        assert_eq!(status, 403);
        assert_eq!(body["code"], "forbidden");
        assert!(body["message"].as_str().unwrap().contains("附件"), "{body}");
    }
    assert_eq!(blob_rows(&db, &refused.sha256).await, 0);

    // Thirty days on, what no record names is collected at the next start; what a record
    // names, or came lately, stays.
    let named = blob(4, 2_000);
    let worker_edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        photo: Some(Some(named.sha256.clone())),
        ..Default::default()
    });
    commit_with_blobs(
        &tablet.store,
        &tablet.actor,
        worker_edit,
        Utc::now(),
        std::slice::from_ref(&named),
    )
    .await
    .unwrap()
    .unwrap();
    tablet.sync().await;
    assert!(tablet.store.rejected().is_empty());
    let fresh = blob(5, 2_000);
    assert_eq!(tablet.put(&fresh).await.0, 201);
    drop(server);
    {
        use sqlx::Connection;
        let mut conn = common::open_db(&db).await;
        let long_ago = (Utc::now() - chrono::Duration::days(31)).to_rfc3339();
        for old in [&photo, &signature, &named] {
            sqlx::query("UPDATE blobs SET created_at = ? WHERE sha256 = ?")
                .bind(&long_ago)
                .bind(old.sha256.as_str())
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    let _server = Server::start(&db, &[]);
    let mut waited = 0;
    while blob_rows(&db, &photo.sha256).await != 0 {
        assert!(waited < 100, "the unnamed photo was never collected");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(blob_rows(&db, &signature.sha256).await, 0);
    assert_eq!(blob_rows(&db, &named.sha256).await, 1, "a record names it");
    assert_eq!(blob_rows(&db, &fresh.sha256).await, 1, "not 30 days old");
}

#[tokio::test(flavor = "current_thread")]
async fn an_account_uploads_at_most_its_daily_quota() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("quota.sqlite");
    let server = Server::start_args(&db, &[], &["--blob-quota-mib", "1"]);
    let tablet = Tablet::new(&server.base, "zhidao01").await;
    let other = Tablet::new(&server.base, "zhidao02").await;
    let first = blob(10, 400_000);
    let second = blob(11, 400_000);
    let third = blob(12, 400_000);
    assert_eq!(tablet.put(&first).await.0, 201);
    assert_eq!(tablet.put(&second).await.0, 201);
    let (status, body) = tablet.put(&third).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["code"], "blob_quota");
    assert!(body["message"].as_str().unwrap().contains("上限"), "{body}");
    assert_eq!(blob_rows(&db, &third.sha256).await, 0, "nothing stored");
    assert_eq!(tablet.fetch(&third).await, 404);
    // Bytes already here cost nothing; another account has its own quota.
    assert_eq!(tablet.put(&first).await.0, 200);
    assert_eq!(other.put(&third).await.0, 201);
    assert_eq!(other.put(&first).await.0, 200);
    assert_eq!(other.fetch(&first).await, 200, "it uploaded the bytes too");
}

/// A judge's handwritten signature (issue 15, item 7) goes with the judge's own sync: the
/// contest's administrator sees it on the sheet, nobody outside the contest does until
/// the results are published, and then everyone who reads the results does, also when
/// the judge's tablet syncs after publication.
#[tokio::test(flavor = "current_thread")]
async fn a_judges_handwritten_signature_reaches_the_results() {
    use hongling_core::contest::{
        ContestPublishV1, ContestResults, ScoreSheet, SheetAutographV1, SheetSignV1, sheet_id,
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("autograph.sqlite"), &[]);
    let base = server.base.clone();
    let admin = Tablet::new(&base, "bisai01").await;
    let judges = [
        Tablet::new(&base, "pingwei01").await,
        Tablet::new(&base, "pingwei02").await,
        Tablet::new(&base, "pingwei03").await,
    ];
    let worker = Tablet::new(&base, "zhanghm").await;
    admin.sync().await;
    let (contest, contestants) =
        common::create_contest(&admin, &[&judges[0], &judges[1], &judges[2]]).await;
    admin.sync().await;
    let sign = |j: &Tablet, who: uuid::Uuid| {
        Op::SheetSignV1(SheetSignV1 {
            contest_id: contest,
            judge_id: j.actor.account_id,
            contestant_id: who,
            marks: vec![Some(5000), Some(3000)],
        })
    };
    // The judge's drawing, kept with the op that names it, as the score sheet does.
    let draw = async |j: &Tablet, who: uuid::Uuid, png: &BlobEntry| {
        let op = Op::SheetAutographV1(SheetAutographV1 {
            contest_id: contest,
            judge_id: j.actor.account_id,
            contestant_id: who,
            revision: 1,
            image: png.sha256.clone(),
        });
        commit_with_blobs(
            &j.store,
            &j.actor,
            op,
            Utc::now(),
            std::slice::from_ref(png),
        )
        .await
        .unwrap()
        .unwrap();
    };
    let (first, late) = (blob(11, 3_000), blob(12, 3_000));
    let (a, b) = (contestants[0].worker_id, contestants[1].worker_id);
    for j in &judges {
        j.sync().await;
        for c in &contestants {
            j.commit(sign(j, c.worker_id)).await.unwrap();
        }
    }
    // Judge 1 signs A by hand and syncs before publication; judge 2 will sync its
    // drawing of B only after.
    draw(&judges[0], a, &first).await;
    for j in &judges {
        j.sync().await;
        assert!(j.store.rejected().is_empty(), "{:?}", j.store.rejected());
    }
    admin.sync().await;
    let sheet: ScoreSheet = admin
        .get(
            RecordKind::ScoreSheet,
            sheet_id(contest, judges[0].actor.account_id, a),
        )
        .unwrap();
    assert_eq!(sheet.autograph.as_ref(), Some(&first.sha256));
    assert_eq!(admin.fetch(&first).await, 200, "the administrator's sheet");
    assert_eq!(worker.fetch(&first).await, 404, "not before publication");

    admin
        .commit(Op::ContestPublishV1(ContestPublishV1 {
            id: contest,
            published_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        }))
        .await
        .unwrap();
    admin.sync().await;
    assert!(admin.store.rejected().is_empty());
    assert_eq!(
        worker.fetch(&first).await,
        200,
        "printed on the public results"
    );

    // Judge 2's drawing of B arrives after publication: the results get it too.
    draw(&judges[1], b, &late).await;
    judges[1].sync().await;
    assert!(judges[1].store.rejected().is_empty());
    worker.sync().await;
    let results: ContestResults = worker.get(RecordKind::ContestResults, contest).unwrap();
    assert_eq!(
        results.autograph(judges[0].actor.account_id, a),
        Some(&first.sha256)
    );
    assert_eq!(
        results.autograph(judges[1].actor.account_id, b),
        Some(&late.sha256)
    );
    assert_eq!(worker.fetch(&late).await, 200);
}
