//! A restore from a backup, through the real binaries: two tablets (the real sync logic
//! on in-memory stores) go on working after the backup; the server is killed with a
//! non-empty WAL and restored; both tablets sync. Every mutation is then on the server
//! exactly once, 恢复核对 lists what changed and the ID-card number to type again, and
//! both tablets converge on the server.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Server, Tablet, run_cli};
use hongling_core::wire::{MutationStatus, RecoveryItem};
use hongling_core::{Op, RecordKind, Worker, WorkerUpdateV1};
use uuid::Uuid;

async fn scalar(db: &Path, sql: &str) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let v: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    v
}

fn names(tablet: &Tablet) -> BTreeSet<String> {
    tablet
        .all::<Worker>(RecordKind::Worker)
        .into_iter()
        .map(|(_, w)| w.name)
        .collect()
}

#[tokio::test]
async fn after_a_restore_the_tablets_replay_what_it_lost_exactly_once_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.sqlite");
    let db_arg = db.to_str().unwrap();
    let out = dir.path().join("backups");
    let mut server = Server::start(&db, &[]);
    let mut instructor = Tablet::new(&server.base, "zhidao01").await;
    let mut committee = Tablet::new(&server.base, "quwei").await;
    instructor.sync().await;
    committee.sync().await;
    let (_, before) = instructor.new_worker("备份前", None);
    instructor.commit(before).await.unwrap();
    instructor.sync().await;

    let (ok, _, err) = run_cli(&["backup", "--db", db_arg, out.to_str().unwrap()], "");
    assert!(ok, "{err}");
    let backup = hongling_server::backup::list(&out).unwrap().pop().unwrap();

    // Work after the backup: the instructor adds two workers, the committee renames one
    // of them and adds one with a full ID-card number.
    let (w1, op) = instructor.new_worker("备份后甲", None);
    instructor.commit(op).await.unwrap();
    let (_, op) = instructor.new_worker("备份后乙", None);
    instructor.commit(op).await.unwrap();
    instructor.sync().await;
    committee.sync().await;
    committee
        .commit(Op::WorkerUpdateV1(WorkerUpdateV1 {
            id: w1,
            name: Some("备份后甲（改名）".into()),
            ..WorkerUpdateV1::default()
        }))
        .await
        .unwrap();
    // In one of the instructor's townships, so that both tablets see it.
    let (_, op) = instructor.new_worker("备份后丙", Some("11010519491231002X"));
    committee.commit(op).await.unwrap();
    committee.sync().await;
    let made: i64 = scalar(&db, "SELECT COUNT(*) FROM mutations").await;

    // A restore while the server runs is refused, and so is a backup older than the
    // journal window without --force; neither changes anything.
    let (ok, _, err) = run_cli(&["restore", "--db", db_arg, backup.to_str().unwrap()], "");
    assert!(!ok && err.contains("a server is using"), "{err}");
    server.kill9();
    let wal = dir.path().join("district.sqlite-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "killed, the server leaves a WAL with commits in it"
    );
    let (ok, _, err) = run_cli(
        &[
            "restore",
            "--db",
            db_arg,
            "--journal-days",
            "0",
            backup.to_str().unwrap(),
        ],
        "",
    );
    assert!(!ok && err.contains("--force"), "{err}");
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM mutations").await, made);

    let (ok, stdout, err) = run_cli(&["restore", "--db", db_arg, backup.to_str().unwrap()], "");
    assert!(ok, "{err}");
    assert!(stdout.contains("恢复核对"), "{stdout}");
    assert!(
        scalar(&db, "SELECT COUNT(*) FROM mutations").await < made,
        "the restored database lacks what came after the backup"
    );
    assert_eq!(
        hongling_server::backup::list(&dir.path().join("pre-restore"))
            .unwrap()
            .len(),
        1,
        "the replaced database is kept"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM meta WHERE key = 'certificates_held' AND value = '1'"
        )
        .await,
        1,
        "certificates wait for a committee device"
    );

    // The committee first: its rename comes before the worker it renames exists.
    // The restored server comes back (on another port here; the tablets follow).
    let server = Server::start(&db, &[]);
    instructor.transport.base.clone_from(&server.base);
    committee.transport.base.clone_from(&server.base);
    let report = hongling_sync::sync_once(
        &committee.store,
        &committee.transport,
        committee.id,
        &committee.actor,
        |_| {},
    )
    .await
    .unwrap();
    assert!(report.rewound && report.replayed == 2, "{report:?}");
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM meta WHERE key = 'certificates_held'"
        )
        .await,
        0,
        "a committee device has synced"
    );
    let report = hongling_sync::sync_once(
        &instructor.store,
        &instructor.transport,
        instructor.id,
        &instructor.actor,
        |_| {},
    )
    .await
    .unwrap();
    assert!(report.rewound && report.replayed == 2, "{report:?}");
    committee.sync().await;
    instructor.sync().await;

    // Exactly once: every mutation the tablets made is on the server once, in order.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM mutations").await, made);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) FROM mutations WHERE replayed = 1").await,
        4
    );
    for tablet in [&instructor, &committee] {
        let sql = format!(
            "SELECT COUNT(DISTINCT id) * 1000 + MAX(id) FROM mutations WHERE device_id = '{}'",
            tablet.id
        );
        let n = tablet.store.journal().len() as i64;
        assert_eq!(
            scalar(&db, &sql).await,
            n * 1000 + n,
            "ids 1..={n}, once each"
        );
    }

    // 恢复核对: the rename now refused, the ID-card number to type again.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/admin/recovery", server.base))
        .header(hongling_core::wire::PROTOCOL_HEADER, "1")
        .bearer_auth(committee_token(&server.base).await)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let items: Vec<RecoveryItem> = res.json().await.unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    let rename = items.iter().find(|i| !i.id_card_removed).unwrap();
    assert_eq!(
        (
            rename.first_outcome,
            rename.outcome,
            rename.username.as_str()
        ),
        (MutationStatus::Applied, MutationStatus::Rejected, "quwei")
    );
    assert!(rename.summary.contains("备份后甲"), "{}", rename.summary);
    let retype = items.iter().find(|i| i.id_card_removed).unwrap();
    assert_eq!(retype.outcome, MutationStatus::Applied);
    assert!(retype.summary.contains("备份后丙"), "{}", retype.summary);
    assert_eq!(
        committee.store.rejected().len(),
        1,
        "the refused rename is in the committee's conflicts inbox"
    );

    // Both tablets converge on the server; the full ID-card number is not brought back.
    let expected: BTreeSet<String> = ["备份前", "备份后甲", "备份后乙", "备份后丙"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    for tablet in [&committee, &instructor] {
        let mine = names(tablet);
        assert!(expected.is_subset(&mine), "{mine:?}");
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM records WHERE kind = 'worker' AND deleted = 0"
        )
        .await,
        committee.all::<Worker>(RecordKind::Worker).len() as i64
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM records WHERE body LIKE '%11010519491231002X%'"
        )
        .await,
        0
    );
    assert!(
        committee
            .store
            .journal()
            .iter()
            .all(|e| !serde_json::to_string(&e.op)
                .unwrap()
                .contains("11010519491231002X")),
        "the journal never keeps a full ID-card number"
    );
}

async fn committee_token(base: &str) -> String {
    common::login(base, "quwei", Uuid::new_v4()).await.token
}
