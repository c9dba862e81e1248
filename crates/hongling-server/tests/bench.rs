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

/// The server's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Sends `n` logins, `concurrency` at a time, the i-th from address, username and password
/// `make(i)`; requests per second and the statuses seen.
async fn logins(
    base: &str,
    n: usize,
    concurrency: usize,
    make: impl Fn(usize) -> (String, String, String) + Send + Sync + 'static,
) -> (f64, std::collections::BTreeMap<u16, usize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let make = Arc::new(make);
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, next, make) = (client.clone(), next.clone(), make.clone());
            let url = format!("{base}/api/v1/auth/login");
            tokio::spawn(async move {
                let mut seen = std::collections::BTreeMap::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break seen;
                    }
                    let (from, username, password) = make(i);
                    let status = client
                        .post(&url)
                        .header(hongling_core::wire::PROTOCOL_HEADER, "1")
                        .header("x-forwarded-for", from)
                        .json(&serde_json::json!({
                            "username": username,
                            "password": password,
                            "device_id": Uuid::new_v4(),
                        }))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16();
                    *seen.entry(status).or_insert(0) += 1;
                }
            })
        })
        .collect();
    let mut seen = std::collections::BTreeMap::new();
    for w in workers {
        for (status, count) in w.await.unwrap() {
            *seen.entry(status).or_insert(0) += count;
        }
    }
    (n as f64 / started.elapsed().as_secs_f64(), seen)
}

fn random_name(i: usize) -> String {
    format!("{}-{i}", Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with cargo xtask bench"]
async fn login_refusals_are_cheap_and_memory_stays_flat() {
    const HASHED: usize = 400;
    const CHEAP: usize = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_args(
        &dir.path().join("login.sqlite"),
        &[],
        &["--trusted-proxy", "127.0.0.1/32"],
    );
    let pid = server.child.id();
    let base = server.base.clone();
    let rss_start = rss_kib(pid);

    // Wrong passwords for random usernames from random addresses: every one is hashed.
    let (hashed, seen) = logins(&base, HASHED, 8, |i| {
        (
            format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255),
            random_name(i),
            "wrong-password".into(),
        )
    })
    .await;
    assert_eq!(seen.get(&401), Some(&HASHED), "{seen:?}");
    let rss_hashed = rss_kib(pid);

    // Oversized usernames (random): refused before anything else.
    let (oversized, seen) = logins(&base, CHEAP, 8, |i| {
        (
            "203.0.113.1".into(),
            format!("{}{}", random_name(i), "x".repeat(64)),
            "x".into(),
        )
    })
    .await;
    assert_eq!(seen.get(&400), Some(&CHEAP), "{seen:?}");
    let rss_oversized = rss_kib(pid);

    // A held pair: refused with 429 at once.
    for _ in 0..hongling_server::limit::ALLOWED {
        logins(&base, 1, 1, |_| {
            ("203.0.113.2".into(), "quwei".into(), "wrong".into())
        })
        .await;
    }
    let (held, seen) = logins(&base, CHEAP, 8, |_| {
        ("203.0.113.2".into(), "quwei".into(), "wrong".into())
    })
    .await;
    assert_eq!(seen.get(&429), Some(&CHEAP), "{seen:?}");
    let rss_held = rss_kib(pid);

    // The limiter's own bound, in this process: a million random pairs.
    let rss_before = rss_kib(std::process::id());
    let mut limiter = hongling_server::limit::LoginLimiter::default();
    let now = std::time::Instant::now();
    for i in 0..1_000_000usize {
        let name = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let address = format!("2001:db8::{:x}:{:x}", i >> 16, i & 0xffff);
        let _ = limiter.attempt(&name, &address, now);
    }
    let rss_full = rss_kib(std::process::id());
    assert!(limiter.len() <= hongling_server::limit::DEFAULT_CAP);

    println!("login refusals (release server, loopback, 8 clients at a time):");
    println!("  hashed (wrong password, argon2id): {hashed:>9.0} req/s ({HASHED} requests)");
    println!("  oversized username (400 too_long): {oversized:>9.0} req/s ({CHEAP} requests)");
    println!("  held pair (429 too_many_attempts): {held:>9.0} req/s ({CHEAP} requests)");
    println!(
        "server RSS: {} MiB at start, {} MiB after {HASHED} hashed, {} MiB after {CHEAP} oversized, {} MiB after {CHEAP} held",
        rss_start / 1024,
        rss_hashed / 1024,
        rss_oversized / 1024,
        rss_held / 1024
    );
    println!(
        "limiter alone: 1,000,000 random 64-byte usernames from distinct addresses keep {} pairs, +{} MiB",
        limiter.len(),
        rss_full.saturating_sub(rss_before) / 1024
    );
}
