//! Fault injection: the real client sync logic (`hongling-sync` on in-memory stores)
//! against the real server process, with lost requests, lost replies, duplicate and
//! replayed batches, random interleavings of several devices with clocks skewed by up to
//! ±24 h, and the server killed before and after it commits.
//!
//! After every run: no mutation lost, none applied twice, every device converged to the
//! server. Runs are seeded and replayable: `HONGLING_FAULT_SEED=N` replays one run,
//! `HONGLING_FAULT_RUNS=N` sets how many (200 by default; more for a soak).

mod common;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, Utc};
use common::{HttpTransport, Server, login, run_cli};
use hongling_core::wire::{PullQuery, PullResponse, PushRequest, PushResponse};
use hongling_core::{
    Actor, BlobRef, Op, Organization, RecordKind, WorkerCreateV1, WorkerRole, WorkerUpdateV1,
};
use hongling_sync::memory::MemoryStore;
use hongling_sync::{BlobEntry, Transport, TransportError, commit_with_blobs, sync_once};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use uuid::Uuid;

/// What goes wrong on the next call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// The request never reaches the server.
    LoseRequest,
    /// The server handles it, the reply is lost.
    LoseReply,
    /// The same request arrives twice.
    Duplicate,
    /// An old batch arrives again first (out of order).
    ReplayOld,
}

const FAULTS: [Fault; 4] = [
    Fault::LoseRequest,
    Fault::LoseReply,
    Fault::Duplicate,
    Fault::ReplayOld,
];

/// A transport that injects one fault into the next call.
struct FaultyTransport {
    inner: HttpTransport,
    next: Cell<Fault>,
    sent: RefCell<Vec<PushRequest>>,
    pick: Cell<u64>,
}

impl FaultyTransport {
    fn arm(&self, fault: Fault, pick: u64) {
        self.next.set(fault);
        self.pick.set(pick);
    }
}

impl Transport for FaultyTransport {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let fault = self.next.replace(Fault::None);
        let out = match fault {
            Fault::None => self.inner.push(req).await,
            Fault::LoseRequest => Err(TransportError::Network("request lost".into())),
            Fault::LoseReply => {
                self.inner.push(req).await?;
                Err(TransportError::Network("reply lost".into()))
            }
            Fault::Duplicate => {
                self.inner.push(req).await?;
                self.inner.push(req).await
            }
            Fault::ReplayOld => {
                let old = {
                    let sent = self.sent.borrow();
                    (!sent.is_empty()).then(|| sent[self.pick.get() as usize % sent.len()].clone())
                };
                if let Some(old) = old {
                    // A delayed or repeated batch: the server acknowledges what it has
                    // and applies what it lacks, in order; the final checks prove it.
                    let _ = self.inner.push(&old).await;
                }
                self.inner.push(req).await
            }
        };
        self.sent.borrow_mut().push(req.clone());
        out
    }

    async fn put_blob(&self, blob: &hongling_sync::BlobEntry) -> Result<(), TransportError> {
        match self.next.replace(Fault::None) {
            Fault::LoseRequest => Err(TransportError::Network("upload lost".into())),
            Fault::LoseReply => {
                self.inner.put_blob(blob).await?;
                Err(TransportError::Network("upload reply lost".into()))
            }
            Fault::Duplicate => {
                self.inner.put_blob(blob).await?;
                self.inner.put_blob(blob).await
            }
            _ => self.inner.put_blob(blob).await,
        }
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        match self.next.replace(Fault::None) {
            Fault::LoseRequest => Err(TransportError::Network("request lost".into())),
            Fault::LoseReply => {
                self.inner.pull(query).await?;
                Err(TransportError::Network("reply lost".into()))
            }
            _ => self.inner.pull(query).await,
        }
    }
}

struct Device {
    store: MemoryStore,
    transport: FaultyTransport,
    id: Uuid,
    actor: Actor,
    skew: Duration,
    /// Mutations committed locally (ids 1..=made).
    made: u64,
}

impl Device {
    async fn new(server: &Server, username: &str, skew: Duration) -> Device {
        let id = Uuid::new_v4();
        let login = login(&server.base, username, id).await;
        let token = login.token;
        Device {
            store: MemoryStore::new(),
            transport: FaultyTransport {
                inner: HttpTransport::new(&server.base, token),
                next: Cell::new(Fault::None),
                sent: RefCell::new(Vec::new()),
                pick: Cell::new(0),
            },
            id,
            actor: Actor {
                account_id: login.account.id,
                grants: login.account.grants,
            },
            skew,
            made: 0,
        }
    }

    async fn sync(&self) -> Result<(), hongling_sync::SyncError> {
        sync_once(&self.store, &self.transport, self.id, &self.actor, |_| {})
            .await
            .map(|_| ())
    }

    /// Commits `op` (with the photo it names) locally; true when the local rules
    /// accepted it (and it was queued).
    async fn commit(&mut self, (op, photo): (Op, Option<BlobEntry>)) -> bool {
        let at = Utc::now() + self.skew;
        let blobs: Vec<BlobEntry> = photo.into_iter().collect();
        match commit_with_blobs(&self.store, &self.actor, op, at, &blobs)
            .await
            .unwrap()
        {
            Ok(id) => {
                self.made += 1;
                assert_eq!(id, self.made, "mutation ids are contiguous");
                true
            }
            Err(_) => false,
        }
    }

    fn view(&self, kind: RecordKind) -> Vec<hongling_core::Record> {
        self.store
            .view()
            .into_iter()
            .filter(|r| r.kind == kind)
            .collect()
    }
}

async fn db(path: &std::path::Path) -> SqliteConnection {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .unwrap()
}

/// Whether the server's record `(kind, id)` with `body` is in the actor's scope.
fn visible_to(actor: &Actor, key: &(String, String), body: &str) -> bool {
    let kind = RecordKind::parse(&key.0).unwrap();
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    hongling_core::can_see(&actor.grants, hongling_core::visibility(kind, &body))
}

/// What the server holds: its records and each device's log.
struct ServerView {
    records: BTreeMap<(String, String), (i64, String)>,
    change_seq: i64,
    blobs: BTreeSet<String>,
}

async fn server_view(path: &std::path::Path) -> ServerView {
    let mut conn = db(path).await;
    let rows: Vec<(String, String, i64, String)> =
        sqlx::query_as("SELECT kind, id, version, body FROM records WHERE deleted = 0")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let change_seq = sqlx::query_scalar("SELECT value FROM change_seq")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let blobs: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM blobs")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    ServerView {
        blobs: blobs.into_iter().collect(),
        records: rows
            .into_iter()
            .map(|(k, i, v, b)| ((k, i), (v, b)))
            .collect(),
        change_seq,
    }
}

async fn device_log(path: &std::path::Path, device: Uuid) -> (Vec<(i64, String)>, i64) {
    let mut conn = db(path).await;
    let log = sqlx::query_as("SELECT id, outcome FROM mutations WHERE device_id = ? ORDER BY id")
        .bind(device.to_string())
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let last: i64 = sqlx::query_scalar("SELECT last_applied FROM devices WHERE id = ?")
        .bind(device.to_string())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    (log, last)
}

const NAMES: [&str; 8] = [
    "高明",
    "林芳",
    "何建华",
    "罗敏",
    "梁志勇",
    "宋佳",
    "谢丽",
    "韩磊",
];
const POSTS: [&str; 4] = ["", "副总经理", "办公室主任", "人事部经理"];

/// A random intent from `device`'s point of view. `known` holds worker ids other devices
/// made, to reuse now and then (an id collision the server must refuse).
/// With `strict`, only intents the device's grants allow; otherwise one in ten reaches
/// outside them (and the local rules refuse it before it is queued).
/// A small random "photo", named by its hash.
fn random_photo(rng: &mut StdRng) -> BlobEntry {
    let bytes: Vec<u8> = (0..rng.gen_range(1..4096)).map(|_| rng.r#gen()).collect();
    BlobEntry {
        sha256: BlobRef::parse(&hex::encode(Sha256::digest(&bytes))).unwrap(),
        mime: "image/jpeg".into(),
        bytes,
        uploaded: false,
    }
}

fn random_op(
    rng: &mut StdRng,
    device: &Device,
    known: &[Uuid],
    strict: bool,
) -> Option<(Op, Option<BlobEntry>)> {
    let all = device.view(RecordKind::Organization);
    let mine: Vec<_> = all
        .iter()
        .filter(|o| {
            o.decode::<Organization>().is_ok_and(|b| {
                hongling_core::grant::holds_in_township(
                    &device.actor.grants,
                    &hongling_core::people::worker::WORKER_EDITORS,
                    b.township_id,
                )
            })
        })
        .cloned()
        .collect();
    let orgs = if strict || rng.gen_bool(0.9) {
        mine
    } else {
        all
    };
    let org = orgs.choose(rng)?;
    let org_body: Organization = org.decode().ok()?;
    let workers = device.view(RecordKind::Worker);
    if rng.gen_bool(0.55) || workers.is_empty() {
        let seen: BTreeSet<Uuid> = workers.iter().map(|w| w.id).collect();
        let reuse = known
            .iter()
            .filter(|id| !seen.contains(id))
            .copied()
            .collect::<Vec<_>>();
        let id = if rng.gen_bool(0.1) && !reuse.is_empty() {
            *reuse.choose(rng)?
        } else {
            Uuid::new_v4()
        };
        let photo = rng.gen_bool(0.25).then(|| random_photo(rng));
        let op = Op::WorkerCreateV1(WorkerCreateV1 {
            id_card: None,
            id,
            name: format!("{}{}", NAMES.choose(rng)?, rng.gen_range(1..100)),
            organization_id: org.id,
            township_id: org_body.township_id,
            role: if rng.gen_bool(0.7) {
                WorkerRole::Secretary
            } else {
                WorkerRole::Instructor
            },
            management_post: (*POSTS.choose(rng)?).to_owned(),
            years_in_post: rng.gen_range(0..40),
            photo: photo.as_ref().map(|p| p.sha256.clone()),
        });
        Some((op, photo))
    } else {
        let w = workers.choose(rng)?;
        let mut u = WorkerUpdateV1 {
            id: w.id,
            ..Default::default()
        };
        let mut photo = None;
        match rng.gen_range(0..5) {
            4 => {
                photo = rng.gen_bool(0.8).then(|| random_photo(rng));
                u.photo = Some(photo.as_ref().map(|p| p.sha256.clone()));
            }
            0 => u.years_in_post = Some(rng.gen_range(0..=60)),
            1 => u.management_post = Some((*POSTS.choose(rng)?).to_owned()),
            2 => u.name = Some(format!("{}{}", NAMES.choose(rng)?, rng.gen_range(1..100))),
            _ => {
                u.organization_id = Some(org.id);
                u.township_id = Some(org_body.township_id);
            }
        }
        Some((Op::WorkerUpdateV1(u), photo))
    }
}

/// One seeded run; panics with the seed on any broken guarantee.
async fn run(server: &Server, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let users = ["zhidao01", "zhidao02", "quwei"];
    let count = rng.gen_range(3..=5);
    let mut devices = Vec::new();
    for i in 0..count {
        let skew = Duration::minutes(rng.gen_range(-24 * 60..=24 * 60));
        let mut d = Device::new(server, users[i % users.len()], skew).await;
        d.sync()
            .await
            .unwrap_or_else(|e| panic!("seed {seed}: first sync: {e}"));
        d.made = 0;
        devices.push(d);
    }
    let before = server_view(&server.db).await;
    let mut known: Vec<Uuid> = Vec::new();
    for _ in 0..rng.gen_range(20..50) {
        let i = rng.gen_range(0..devices.len());
        if rng.gen_bool(0.6) {
            if let Some(op) = random_op(&mut rng, &devices[i], &known, false) {
                if let (Op::WorkerCreateV1(c), _) = &op {
                    known.push(c.id);
                }
                devices[i].commit(op).await;
            }
        } else {
            let fault = if rng.gen_bool(0.3) {
                Fault::None
            } else {
                *FAULTS.choose(&mut rng).unwrap()
            };
            devices[i].transport.arm(fault, rng.r#gen());
            // A faulted cycle fails; what it did must still be safe to repeat.
            let _ = devices[i].sync().await;
        }
    }
    // Back in the office: everyone syncs until nothing waits, then once more to pull.
    for d in &devices {
        for _ in 0..3 {
            d.sync()
                .await
                .unwrap_or_else(|e| panic!("seed {seed}: final sync: {e}"));
            if d.store.outbox().is_empty() {
                break;
            }
        }
        assert!(
            d.store.outbox().is_empty(),
            "seed {seed}: the outbox did not empty"
        );
    }
    for d in &devices {
        d.sync().await.unwrap();
    }

    let after = server_view(&server.db).await;
    let mut applied = 0;
    for d in &devices {
        let (log, last) = device_log(&server.db, d.id).await;
        let ids: Vec<i64> = log.iter().map(|(id, _)| *id).collect();
        let expected: Vec<i64> = (1..=d.made as i64).collect();
        assert_eq!(
            ids, expected,
            "seed {seed}: every mutation reached the server exactly once"
        );
        assert_eq!(last, d.made as i64, "seed {seed}: last_applied");
        applied += log.iter().filter(|(_, o)| o == "applied").count() as i64;
        let rejected_here: BTreeSet<u64> = d.store.rejected().iter().map(|r| r.id).collect();
        let rejected_there: BTreeSet<u64> = log
            .iter()
            .filter(|(_, o)| o == "rejected")
            .map(|(id, _)| *id as u64)
            .collect();
        assert_eq!(
            rejected_here, rejected_there,
            "seed {seed}: refusals are kept on the device"
        );
        // Attachments go up before the push that names them, whatever the faults.
        assert!(
            d.store.rejected().iter().all(|r| r.code != "blob_missing"),
            "seed {seed}: a mutation was pushed before its photo"
        );
        // Convergence: the device shows exactly the server's records.
        let view: BTreeMap<(String, String), i64> = d
            .store
            .view()
            .into_iter()
            .map(|r| {
                (
                    (r.kind.as_str().to_owned(), r.id.to_string()),
                    r.version as i64,
                )
            })
            .collect();
        let server: BTreeMap<(String, String), i64> = after
            .records
            .iter()
            .filter(|(k, (_, body))| visible_to(&d.actor, k, body))
            .map(|(k, (v, _))| (k.clone(), *v))
            .collect();
        assert_eq!(
            view, server,
            "seed {seed}: device converged to what it may see"
        );
        for r in d.store.view() {
            let (_, body) = &after.records[&(r.kind.as_str().to_owned(), r.id.to_string())];
            let body: serde_json::Value = serde_json::from_str(body).unwrap();
            assert_eq!(r.body, body, "seed {seed}: same body");
        }
    }
    // No record points at an attachment the server lacks.
    for (_, body) in after.records.values() {
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        if let Some(sha) = body.get("photo").and_then(|p| p.as_str()) {
            assert!(
                after.blobs.contains(sha),
                "seed {seed}: a record names a photo the server does not hold"
            );
        }
    }
    // Each applied worker mutation writes exactly one change: none was applied twice.
    assert_eq!(
        after.change_seq - before.change_seq,
        applied,
        "seed {seed}: applied once each"
    );
}

fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("HONGLING_FAULT_SEED") {
        return vec![seed.parse().expect("HONGLING_FAULT_SEED is a number")];
    }
    let runs = std::env::var("HONGLING_FAULT_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    (0..runs).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn seeded_runs_lose_nothing_apply_once_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("faults.sqlite"), &[]);
    let seeds = seeds();
    let started = std::time::Instant::now();
    for &seed in &seeds {
        run(&server, seed).await;
    }
    println!(
        "{} seeded runs in {:.1} s",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
}

/// Queues `n` random mutations on `device` (all valid locally).
async fn queue(device: &mut Device, n: usize, rng: &mut StdRng) {
    for _ in 0..n {
        let op = random_op(rng, device, &[], true).unwrap();
        assert!(device.commit(op).await, "random_op makes valid intents");
    }
}

async fn crash_at(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite");
    let mut rng = StdRng::seed_from_u64(7);
    // The second push of this process aborts at `point`.
    let mut server = Server::start(&path, &[("HONGLING_CRASH", &format!("{point}:2"))]);
    let mut device = Device::new(&server, "zhidao01", Duration::hours(-20)).await;
    device.sync().await.unwrap();
    device.made = 0;
    queue(&mut device, 5, &mut rng).await;
    device.sync().await.unwrap();
    queue(&mut device, 7, &mut rng).await;
    let err = device
        .sync()
        .await
        .expect_err("the server crashed mid-push");
    assert!(
        matches!(
            err,
            hongling_sync::SyncError::Transport(TransportError::Network(_))
        ),
        "{err}"
    );
    server.wait_exit();
    assert_eq!(
        device.store.outbox().len(),
        7,
        "nothing is dropped without an acknowledgement"
    );

    let server = Server::start(&path, &[]);
    device.transport.inner.base = server.base.clone();
    device.sync().await.unwrap();
    assert!(device.store.outbox().is_empty());
    let (log, last) = device_log(&path, device.id).await;
    assert_eq!(
        log.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    assert_eq!(last, 12);
    let view = server_view(&path).await;
    let workers = view.records.keys().filter(|(k, _)| k == "worker").count();
    let visible = view
        .records
        .iter()
        .filter(|(k, (_, b))| visible_to(&device.actor, k, b))
        .count();
    let applied = log.iter().filter(|(_, o)| o == "applied").count();
    assert!(
        workers > 10 && applied == 12,
        "{workers} workers, {applied} applied"
    );
    assert_eq!(device.store.view().len(), visible);
}

#[tokio::test(flavor = "current_thread")]
async fn a_crash_before_commit_loses_the_batch_on_the_server_and_the_resend_applies_it() {
    crash_at("before_commit").await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_crash_after_commit_before_the_reply_makes_the_resend_a_duplicate() {
    crash_at("after_commit").await;
}

#[tokio::test(flavor = "current_thread")]
async fn kill_9_at_random_moments_loses_nothing() {
    for seed in 0..4u64 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kill9.sqlite");
        let mut rng = StdRng::seed_from_u64(1000 + seed);
        let mut server = Server::start(&path, &[]);
        let mut device = Device::new(&server, "zhidao02", Duration::hours(23)).await;
        device.sync().await.unwrap();
        device.made = 0;
        queue(&mut device, 600, &mut rng).await;
        // SIGKILL the server while the device is pushing its 600 mutations.
        let pid = server.child.id();
        let delay = rng.gen_range(5..120);
        let killer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(delay));
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        });
        let _ = device.sync().await;
        killer.join().unwrap();
        server.kill9();

        let server = Server::start(&path, &[]);
        device.transport.inner.base = server.base.clone();
        device.sync().await.unwrap();
        assert!(device.store.outbox().is_empty(), "seed {seed}");
        let (log, last) = device_log(&path, device.id).await;
        assert_eq!(log.len(), 600, "seed {seed}: every mutation handled once");
        assert_eq!(last, 600, "seed {seed}");
        let view = server_view(&path).await;
        let versions: BTreeMap<_, _> = view
            .records
            .iter()
            .filter(|(k, (_, body))| visible_to(&device.actor, k, body))
            .map(|(k, (v, _))| (k.clone(), *v))
            .collect();
        let mine: BTreeMap<_, _> = device
            .store
            .view()
            .into_iter()
            .map(|r| {
                (
                    (r.kind.as_str().to_owned(), r.id.to_string()),
                    r.version as i64,
                )
            })
            .collect();
        assert_eq!(mine, versions, "seed {seed}: converged after the restart");
    }
}

/// Another process writing the database (`backup`, `create-admin`, an operator's
/// `sqlite3`) while a device pushes: the push waits for the lock and lands, it does not
/// answer 500. A push used to read first and ask for the write lock afterwards, and
/// SQLite refuses that upgrade at once, without waiting, when another connection holds
/// the lock; right after a restart the server's own start-up clean-up was such a writer.
#[tokio::test(flavor = "current_thread")]
async fn a_push_waits_for_another_writer_instead_of_failing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("busy.sqlite");
    let server = Server::start(&path, &[]);
    let mut device = Device::new(&server, "zhidao02", Duration::zero()).await;
    device.sync().await.unwrap();
    device.made = 0;
    let mut rng = StdRng::seed_from_u64(7);
    queue(&mut device, 20, &mut rng).await;

    let mut other = common::open_db(&path).await;
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let holder = async {
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    };
    let (synced, ()) = tokio::join!(device.sync(), holder);
    synced.expect("the push waits for the other writer");
    assert!(device.store.outbox().is_empty());
    let (log, last) = device_log(&path, device.id).await;
    assert_eq!((log.len(), last), (20, 20), "every mutation applied once");
}

/// The fault "the server is restored from a backup taken N mutations ago": devices work
/// (with the faults above) before and after a backup, the server is killed and the
/// backup put back, and every device syncs again. Nothing acknowledged is lost, nothing
/// lands twice, and every device converges, whatever N and whoever syncs first.
async fn run_restore(seed: u64) -> i64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("restored.sqlite");
    let db_arg = db.to_str().unwrap().to_owned();
    let mut server = Server::start(&db, &[]);
    let users = ["zhidao01", "zhidao02", "quwei"];
    let mut devices = Vec::new();
    for i in 0..rng.gen_range(2..=3) {
        let mut d = Device::new(&server, users[i % users.len()], Duration::zero()).await;
        d.sync().await.unwrap();
        d.made = 0;
        devices.push(d);
    }
    let mut known: Vec<Uuid> = Vec::new();
    let mut step = |rng: &mut StdRng, devices: &mut Vec<Device>| {
        let i = rng.gen_range(0..devices.len());
        let op = rng
            .gen_bool(0.6)
            .then(|| random_op(rng, &devices[i], &known, false))
            .flatten();
        if let Some((Op::WorkerCreateV1(c), _)) = &op {
            known.push(c.id);
        }
        let fault = if rng.gen_bool(0.5) {
            Fault::None
        } else {
            *FAULTS.choose(rng).unwrap()
        };
        devices[i].transport.arm(fault, rng.r#gen());
        (i, op)
    };
    let before = rng.gen_range(5..20);
    let after = rng.gen_range(1..25);
    let out = dir.path().join("backups");
    for n in 0..before + after {
        if n == before {
            let (ok, _, err) = run_cli(&["backup", "--db", &db_arg, out.to_str().unwrap()], "");
            assert!(ok, "seed {seed}: backup: {err}");
        }
        let (i, op) = step(&mut rng, &mut devices);
        match op {
            Some(op) => {
                devices[i].transport.arm(Fault::None, 0);
                devices[i].commit(op).await;
            }
            None => {
                let _ = devices[i].sync().await;
            }
        }
    }
    server.kill9();
    let backup = hongling_server::backup::list(&out).unwrap().pop().unwrap();
    let (ok, _, err) = run_cli(&["restore", "--db", &db_arg, backup.to_str().unwrap()], "");
    assert!(ok, "seed {seed}: restore: {err}");
    let server = Server::start(&db, &[]);
    devices.shuffle(&mut rng);
    for d in &mut devices {
        d.transport.inner.base.clone_from(&server.base);
    }
    for _ in 0..2 {
        for d in &devices {
            for _ in 0..3 {
                d.sync()
                    .await
                    .unwrap_or_else(|e| panic!("seed {seed}: sync after the restore: {e}"));
                if d.store.outbox().is_empty() {
                    break;
                }
            }
        }
    }
    let view = server_view(&db).await;
    for d in &devices {
        let (log, last) = device_log(&db, d.id).await;
        let ids: Vec<i64> = log.iter().map(|(id, _)| *id).collect();
        let expected: Vec<i64> = (1..=d.made as i64).collect();
        assert_eq!(ids, expected, "seed {seed}: on the server exactly once");
        assert_eq!(last, d.made as i64, "seed {seed}: last_applied");
        let rejected_here: BTreeSet<u64> = d.store.rejected().iter().map(|r| r.id).collect();
        for (id, outcome) in &log {
            assert!(
                outcome != "rejected" || rejected_here.contains(&(*id as u64)),
                "seed {seed}: refusal {id} reached its device"
            );
        }
        let mine: BTreeMap<(String, String), i64> = d
            .store
            .view()
            .into_iter()
            .map(|r| {
                (
                    (r.kind.as_str().to_owned(), r.id.to_string()),
                    r.version as i64,
                )
            })
            .collect();
        let theirs: BTreeMap<(String, String), i64> = view
            .records
            .iter()
            .filter(|(k, (_, body))| visible_to(&d.actor, k, body))
            .map(|(k, (v, _))| (k.clone(), *v))
            .collect();
        assert_eq!(mine, theirs, "seed {seed}: converged after the restore");
    }
    for (_, body) in view.records.values() {
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        if let Some(sha) = body.get("photo").and_then(|p| p.as_str()) {
            assert!(
                view.blobs.contains(sha),
                "seed {seed}: a record names a photo the restored server lacks"
            );
        }
    }
    let mut conn = crate::db(&db).await;
    sqlx::query_scalar("SELECT COUNT(*) FROM mutations WHERE replayed = 1")
        .fetch_one(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn seeded_restores_lose_nothing_apply_once_and_converge() {
    let runs: u64 = std::env::var("HONGLING_RESTORE_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let seeds: Vec<u64> = match std::env::var("HONGLING_FAULT_SEED") {
        Ok(seed) => vec![seed.parse().unwrap()],
        Err(_) => (0..runs).collect(),
    };
    let mut replayed = 0;
    for seed in seeds {
        replayed += run_restore(seed).await;
    }
    assert!(
        replayed > 0,
        "the runs replayed nothing: the fault did not bite"
    );
    println!("{replayed} mutations replayed after restores");
}
