//! Sync throughput through the real server over loopback, run by `cargo xtask bench`
//! (release build). A benchmark, not a timed test: it prints figures for BENCHMARKS.md
//! and only fails if the protocol itself fails.

mod common;

use std::time::Instant;

use chrono::Utc;
use common::{HttpTransport, Server, login};
use hongling_core::{Actor, Op, Organization, RecordKind, WorkerCreateV1, WorkerRole};
use hongling_sync::memory::MemoryStore;
use hongling_sync::{commit_local, sync_once};
use uuid::Uuid;

const N: usize = 10_000;

#[tokio::test(flavor = "current_thread")]
#[ignore = "a benchmark: run with cargo xtask bench"]
async fn push_and_pull_ten_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("bench.sqlite"), &[]);
    let actor = Actor {
        account_id: Uuid::nil(),
        grants: vec![hongling_core::Grant {
            role: hongling_core::Role::DistrictCommittee,
            scope: hongling_core::Scope::District,
        }],
    };

    let device = Uuid::new_v4();
    let transport = HttpTransport::new(
        &server.base,
        login(&server.base, "quwei", device).await.token,
    );
    let store = MemoryStore::new();
    sync_once(&store, &transport, device, &actor, |_| {})
        .await
        .unwrap();
    let orgs: Vec<_> = store
        .view()
        .into_iter()
        .filter(|r| r.kind == RecordKind::Organization)
        .collect();

    let t = Instant::now();
    for i in 0..N {
        let org = &orgs[i % orgs.len()];
        let body: Organization = org.decode().unwrap();
        let op = Op::WorkerCreateV1(WorkerCreateV1 {
            id_card: None,
            photo: None,
            id: Uuid::new_v4(),
            name: format!("测试人员{i}"),
            organization_id: org.id,
            township_id: body.township_id,
            role: WorkerRole::Secretary,
            management_post: String::new(),
            years_in_post: (i % 30) as u32,
        });
        commit_local(&store, &actor, op, Utc::now())
            .await
            .unwrap()
            .unwrap();
    }
    let queue = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let report = sync_once(&store, &transport, device, &actor, |_| {})
        .await
        .unwrap();
    let push = t.elapsed().as_secs_f64();
    assert_eq!(report.pushed as usize, N);
    assert_eq!(report.rejected, 0);

    let fresh = Uuid::new_v4();
    let transport = HttpTransport::new(
        &server.base,
        login(&server.base, "quwei", fresh).await.token,
    );
    let empty = MemoryStore::new();
    let t = Instant::now();
    let report = sync_once(&empty, &transport, fresh, &actor, |_| {})
        .await
        .unwrap();
    let pull = t.elapsed().as_secs_f64();
    assert!(report.pulled as usize >= N);

    println!("queue {N} mutations locally (in-memory store): {queue:.2} s");
    println!(
        "push {N} mutations (batches of {}): {push:.2} s, {:.0} mutations/s",
        hongling_sync::PUSH_BATCH,
        N as f64 / push
    );
    println!(
        "pull {} records into a fresh device (pages of {}): {pull:.2} s, {:.0} records/s",
        report.pulled,
        hongling_sync::PULL_PAGE,
        f64::from(report.pulled) / pull
    );

    // A backup of that database while the server runs, as the nightly timer takes it.
    let out = dir.path().join("backups");
    let t = Instant::now();
    let (ok, _, err) = common::run_cli(
        &[
            "backup",
            "--db",
            dir.path().join("bench.sqlite").to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        "",
    );
    let backup = t.elapsed().as_secs_f64();
    assert!(ok, "{err}");
    let copy = hongling_server::backup::list(&out).unwrap().pop().unwrap();
    let bytes = std::fs::metadata(&copy).unwrap().len();
    println!(
        "back up the database with {N} more workers (VACUUM INTO, integrity_check): {backup:.2} s, {:.1} MiB",
        bytes as f64 / 1024.0 / 1024.0
    );
}
