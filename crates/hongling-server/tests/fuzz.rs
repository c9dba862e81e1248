//! Random push and pull bodies against the real server: valid envelopes with random ops
//! (`arbitrary`) and random values put in their fields, truncated and malformed JSON,
//! huge numbers, deep nesting, bad ids and queries. The server never answers 5xx; a
//! refused body changes nothing; a refused op changes nothing but its own audit entry and
//! the device's `last_applied`; and the server still answers afterwards.
//!
//! `HONGLING_FUZZ_SEED=N` replays one run (the seed is printed); `HONGLING_FUZZ_RUNS=N`
//! sets how many bodies (10,000 by default).

mod common;

use common::{Server, login};
use hongling_core::random::Rng;
use hongling_core::wire::PROTOCOL_HEADER;
use serde_json::{Value, json};
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

/// A value to put where another was: the shapes that break parsers.
fn nasty(rng: &mut Rng) -> Value {
    match rng.below(14) {
        0 => json!(1e308),
        1 => serde_json::from_str("18446744073709551616").unwrap(),
        2 => json!(-1),
        3 => json!(u64::MAX),
        4 => json!(i64::MIN),
        5 => Value::Null,
        6 => json!(""),
        7 => json!("张\u{0}红\u{1b}梅\u{202e}"),
        8 => json!("字".repeat(5_000)),
        9 => json!([]),
        10 => json!({}),
        11 => json!(true),
        12 => json!("9999-12-31"),
        _ => json!(Uuid::from_u64_pair(rng.next_u64(), rng.next_u64())),
    }
}

/// What a refused body must leave as it was: the change sequence, the records, the audit
/// and every device's `last_applied`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    changes: i64,
    records: i64,
    audit: i64,
    applied: i64,
}

async fn snapshot(conn: &mut sqlx::SqliteConnection) -> Snapshot {
    let (changes, records, audit, applied): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT value FROM change_seq), (SELECT COUNT(*) FROM records),
                (SELECT COUNT(*) FROM mutations), (SELECT COALESCE(SUM(last_applied), 0) FROM devices)",
    )
    .fetch_one(conn)
    .await
    .unwrap();
    Snapshot {
        changes,
        records,
        audit,
        applied,
    }
}

/// Every string, number and list in `value`, as JSON pointers.
fn pointers(value: &Value, path: String, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                pointers(item, format!("{path}/{key}"), out);
            }
        }
        Value::Array(items) => {
            out.push(path.clone());
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{path}/{i}"), out);
            }
        }
        _ => out.push(path),
    }
}

/// One logged-in device: its token and the next mutation id it may send.
struct Device {
    id: Uuid,
    token: String,
    next: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_push_and_pull_bodies_get_no_5xx_and_refusals_change_nothing() {
    let seed = std::env::var("HONGLING_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        });
    let runs: usize = std::env::var("HONGLING_FUZZ_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    println!("HONGLING_FUZZ_SEED={seed} HONGLING_FUZZ_RUNS={runs}");
    let mut rng = Rng::new(seed);

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fuzz.sqlite");
    let server = Server::start(&db, &[]);
    let base = server.base.clone();
    let mut devices = Vec::new();
    for username in ["quwei", "zhidao01", "zhanghm"] {
        let id = Uuid::new_v4();
        let token = login(&base, username, id).await.token;
        devices.push(Device { id, token, next: 1 });
    }
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let mut tally = std::collections::BTreeMap::<String, usize>::new();

    for run in 0..runs {
        let who = rng.below(devices.len() as u64) as usize;
        let device = &devices[who];
        let before = snapshot(&mut conn).await;
        let what = rng.below(100);
        let (kind, body): (&str, Vec<u8>) = if what < 15 {
            // A pull with random parameters.
            let mut query = Vec::new();
            for name in ["cursor", "limit", "scope", "tag", "epoch"] {
                if rng.below(2) == 0 {
                    let value = match rng.below(6) {
                        0 => rng.next_u64().to_string(),
                        1 => "-1".to_owned(),
                        2 => "18446744073709551616".to_owned(),
                        3 => "%00%ff".to_owned(),
                        4 => "字".repeat(rng.below(300) as usize),
                        _ => rng.below(2_000).to_string(),
                    };
                    query.push(format!("{name}={value}"));
                }
            }
            let res = http
                .get(format!("{base}/api/v1/sync/pull?{}", query.join("&")))
                .header(PROTOCOL_HEADER, "1")
                .bearer_auth(&device.token)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let shown: String = query.join("&").chars().take(300).collect();
            assert!(status < 500, "run {run}: pull ?{shown} → {status}");
            *tally.entry(format!("pull {status}")).or_default() += 1;
            assert_eq!(
                snapshot(&mut conn).await,
                before,
                "run {run}: a pull changed data"
            );
            continue;
        } else if what < 55 {
            // One random op with the next id: decided on its merits.
            let op = serde_json::to_value(rng.op()).unwrap();
            let body = json!({"device_id": device.id, "mutations": [
                {"id": device.next, "at": "2026-12-04T08:00:00Z", "op": op}
            ]});
            ("op", serde_json::to_vec(&body).unwrap())
        } else if what < 75 {
            // A random op with a nasty value somewhere in its envelope.
            let op = serde_json::to_value(rng.op()).unwrap();
            let mut body = json!({"device_id": device.id, "mutations": [
                {"id": device.next, "at": "2026-12-04T08:00:00Z", "op": op}
            ]});
            let mut found = Vec::new();
            pointers(&body, String::new(), &mut found);
            let at = found[rng.below(found.len() as u64) as usize].clone();
            *body.pointer_mut(&at).unwrap() = nasty(&mut rng);
            ("nasty value", serde_json::to_vec(&body).unwrap())
        } else if what < 83 {
            // A push cut short.
            let op = serde_json::to_value(rng.op()).unwrap();
            let body = json!({"device_id": device.id, "mutations": [
                {"id": device.next, "at": "2026-12-04T08:00:00Z", "op": op}
            ]});
            let text = serde_json::to_vec(&body).unwrap();
            let cut = rng.below(text.len() as u64) as usize;
            ("truncated", text[..cut].to_vec())
        } else if what < 88 {
            // Ids that do not follow: a gap, zero, a step back, the largest number.
            let id = match rng.below(4) {
                0 => device.next + 1 + rng.below(1_000),
                1 => 0,
                2 => u64::MAX,
                _ => device.next.saturating_sub(1).max(1) + 1_000_000,
            };
            let op = serde_json::to_value(rng.op()).unwrap();
            let body = json!({"device_id": device.id, "mutations": [
                {"id": id, "at": "2026-12-04T08:00:00Z", "op": op.clone()},
                {"id": id.wrapping_add(2), "at": "2026-12-04T08:00:00Z", "op": op}
            ]});
            ("bad ids", serde_json::to_vec(&body).unwrap())
        } else if what < 93 {
            // Deep nesting.
            let depth = 100 + rng.below(20_000) as usize;
            let body = format!(
                "{{\"device_id\":\"{}\",\"mutations\":{}{}}}",
                device.id,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            ("deep", body.into_bytes())
        } else if what < 96 {
            // Another device's id.
            let other = Uuid::new_v4();
            let body = json!({"device_id": other, "mutations": []});
            ("foreign device", serde_json::to_vec(&body).unwrap())
        } else {
            // Noise.
            let n = rng.below(4_096) as usize;
            ("noise", rng.bytes(n))
        };
        let res = http
            .post(format!("{base}/api/v1/sync/push"))
            .header(PROTOCOL_HEADER, "1")
            .header("content-type", "application/json")
            .bearer_auth(&device.token)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let reply: Value = res.json().await.unwrap_or(Value::Null);
        let after = snapshot(&mut conn).await;
        assert!(
            status < 500,
            "run {run} ({kind}): {status} {reply}\nbody: {}",
            String::from_utf8_lossy(&body[..body.len().min(2_000)])
        );
        *tally.entry(format!("{kind} {status}")).or_default() += 1;
        if status != 200 {
            assert_eq!(
                after, before,
                "run {run} ({kind}): a refused body changed data: {reply}"
            );
            assert!(
                reply["code"].is_string() && reply["message"].is_string(),
                "run {run}: {reply}"
            );
            continue;
        }
        if reply["results"].as_array().is_some_and(Vec::is_empty) {
            assert_eq!(
                after, before,
                "run {run} ({kind}): an empty push changed data"
            );
            continue;
        }
        // Taken: its one mutation was decided, applied or refused.
        let result = &reply["results"][0];
        assert_eq!(
            result["id"], devices[who].next,
            "run {run} ({kind}): {reply}"
        );
        devices[who].next += 1;
        assert_eq!(after.audit, before.audit + 1, "run {run}: one audit entry");
        assert_eq!(
            after.applied,
            before.applied + 1,
            "run {run}: last_applied moves by one"
        );
        match result["status"].as_str() {
            Some("rejected") => {
                *tally
                    .entry(format!(
                        "{kind} rejected {}",
                        result["code"].as_str().unwrap_or("?")
                    ))
                    .or_default() += 1;
                assert_eq!(
                    (after.changes, after.records),
                    (before.changes, before.records),
                    "run {run} ({kind}): a refused op changed records: {result}"
                );
            }
            Some("applied") => *tally.entry(format!("{kind} applied")).or_default() += 1,
            other => panic!("run {run} ({kind}): {other:?} in {reply}"),
        }
    }
    for (what, n) in &tally {
        println!("{n:>6}  {what}");
    }
    conn.close().await.unwrap();

    // Still answering, and still taking an ordinary push.
    let (status, _) = common::get(&base, "/health", &devices[0].token).await;
    assert_eq!(status, 200);
    let (status, _) = common::get(&base, "/sync/pull?cursor=0&limit=10", &devices[1].token).await;
    assert_eq!(status, 200);
}
