//! The edges a security review found, through the real server: each refusal is a JSON
//! `{code, message}` with a 4xx and changes nothing.

mod common;

use std::time::Instant;

use common::{Server, Tablet, password_of, push_raw};
use hongling_core::wire::PROTOCOL_HEADER;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A login from `forwarded` (the server trusts 127.0.0.1 as its proxy); status, the
/// `Retry-After` header and the body.
async fn login_from(
    base: &str,
    forwarded: &str,
    username: &str,
    password: &str,
) -> (StatusCode, Option<u64>, Value) {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .header(PROTOCOL_HEADER, "1")
        .header("x-forwarded-for", forwarded)
        .json(&json!({"username": username, "password": password, "device_id": Uuid::new_v4()}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (status, retry, res.json().await.unwrap_or(Value::Null))
}

fn proxied(dir: &tempfile::TempDir) -> Server {
    Server::start_args(
        &dir.path().join("s.sqlite"),
        &[],
        &["--trusted-proxy", "127.0.0.1/32"],
    )
}

#[tokio::test]
async fn an_oversized_username_or_password_is_refused_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let server = proxied(&dir);
    let huge = "x".repeat(1_500_000);
    let started = Instant::now();
    let (status, _, body) = login_from(&server.base, "203.0.113.1", &huge, "whatever").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_long"))
    );
    let (status, _, body) =
        login_from(&server.base, "203.0.113.1", "quwei", &"p".repeat(257)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_long"))
    );
    assert!(body["message"].as_str().unwrap().contains("不能超过"));
    // Refused without a hash; and not counted: the owner still has every guess.
    assert!(started.elapsed().as_millis() < 2_000);
    for _ in 0..hongling_server::limit::ALLOWED - 1 {
        let (status, ..) = login_from(&server.base, "203.0.113.1", "quwei", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, ..) =
        login_from(&server.base, "203.0.113.1", "quwei", &password_of("quwei")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "oversized attempts were not counted"
    );
}

#[tokio::test]
async fn attempts_sent_at_once_get_no_more_guesses_than_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = proxied(&dir);
    let attempts = (0..20).map(|i| {
        let base = server.base.clone();
        tokio::spawn(async move {
            login_from(
                &base,
                "203.0.113.9",
                "zhidao01",
                &format!("guess-number-{i}"),
            )
            .await
        })
    });
    let mut answers = Vec::new();
    for a in attempts {
        answers.push(a.await.unwrap());
    }
    let guessed = answers
        .iter()
        .filter(|(s, ..)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let held: Vec<_> = answers
        .iter()
        .filter(|(s, ..)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(
        guessed,
        hongling_server::limit::ALLOWED as usize,
        "{answers:?}"
    );
    assert_eq!(held.len(), 20 - guessed);
    for (_, retry, body) in held {
        assert_eq!(body["code"], "too_many_attempts");
        let retry = retry.expect("Retry-After");
        assert!((1..=60).contains(&retry), "{retry}");
    }
    // Held even with the right password, and at once: no hash, no sleep.
    let started = Instant::now();
    let (status, retry, _) = login_from(
        &server.base,
        "203.0.113.9",
        "zhidao01",
        &password_of("zhidao01"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
    assert!(started.elapsed().as_millis() < 500);
}

#[tokio::test]
async fn nobody_can_lock_another_person_out() {
    let dir = tempfile::tempdir().unwrap();
    let server = proxied(&dir);
    let attacker = "203.0.113.66";
    for _ in 0..hongling_server::limit::ALLOWED {
        let (status, ..) = login_from(&server.base, attacker, "quwei", "wrong-password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, ..) = login_from(&server.base, attacker, "quwei", "wrong-password").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // The owner's own tablet, elsewhere, is not held.
    let (status, ..) = login_from(
        &server.base,
        "198.51.100.20",
        "quwei",
        &password_of("quwei"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Nor is another user behind the attacker's address (an office's shared one).
    let (status, ..) =
        login_from(&server.base, attacker, "zhidao02", &password_of("zhidao02")).await;
    assert_eq!(status, StatusCode::OK);
    // The answers never say whether an account exists.
    let (_, _, unknown) = login_from(&server.base, "198.51.100.21", "nobody-here", "x").await;
    let (_, _, known) = login_from(&server.base, "198.51.100.21", "quwei", "x").await;
    assert_eq!(unknown, known);
}

#[tokio::test]
async fn a_name_typed_as_a_formula_comes_out_of_every_csv_export_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("csv.sqlite"), &[]);
    let committee = Tablet::new(&server.base, "quwei").await;
    committee.sync().await;
    for name in ["=1+2", "@SUM(A1)", "+86-1", "-2+3"] {
        let (_, op) = committee.new_worker(name, None);
        committee.commit(op).await.unwrap();
    }
    committee.sync().await;

    let res = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/admin/export/workers?format=csv",
            server.base
        ))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&committee.transport.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let first_cells: Vec<&str> = text.lines().map(|l| l.split(',').next().unwrap()).collect();
    for name in ["=1+2", "@SUM(A1)", "+86-1", "-2+3"] {
        assert!(
            first_cells.contains(&format!("'{name}").as_str()),
            "{name}: {text}"
        );
        assert!(!first_cells.contains(&name), "{name} left live");
    }
    assert!(
        first_cells
            .iter()
            .any(|c| c.trim_start_matches('\u{feff}') == "姓名")
    );
}

#[tokio::test]
async fn an_instructor_cannot_test_whether_an_id_card_number_is_registered() {
    use hongling_core::idcard::IdCardDuplicate;
    use hongling_core::wire::MutationStatus;
    use hongling_core::{Op, RecordKind, Worker};
    const REGISTERED: &str = "11010519491231002X";
    let fresh = format!(
        "34010119900101123{}",
        hongling_core::idcard::check_char("34010119900101123").unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("oracle.sqlite"), &[]);
    let committee = Tablet::new(&server.base, "quwei").await;
    let instructor = Tablet::new(&server.base, "zhidao01").await;
    committee.sync().await;
    instructor.sync().await;
    let (holder, op) = instructor.new_worker("王芳", Some(REGISTERED));
    committee.commit(op).await.unwrap();
    committee.sync().await;

    // A made-up organisation: the same answer for a registered number and a fresh one.
    let mut answers = Vec::new();
    for number in [REGISTERED, fresh.as_str()] {
        let (_, mut op) = instructor.new_worker("试探", Some(number));
        if let Op::WorkerCreateV1(c) = &mut op {
            c.organization_id = Uuid::new_v4();
        }
        let r = push_raw(&server.base, "zhidao01", op).await;
        answers.push((r.status, r.code, r.field, r.message));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].1.as_deref(), Some("not_found"));
    assert_eq!(answers[0].2.as_deref(), Some("organization_id"));

    // A real organisation: both accepted alike.
    let (twin, op) = instructor.new_worker("李明", Some(REGISTERED));
    let dup = push_raw(&server.base, "zhidao01", op).await;
    let (_, op) = instructor.new_worker("赵强", Some(&fresh));
    let new = push_raw(&server.base, "zhidao01", op).await;
    assert_eq!(dup.status, MutationStatus::Applied, "{dup:?}");
    assert_eq!(
        (dup.status, dup.code, dup.field, dup.message),
        (new.status, new.code, new.field, new.message)
    );
    instructor.sync().await;
    let seen: Worker = instructor.get(RecordKind::Worker, twin).unwrap();
    assert_eq!(seen.id_card_masked.as_deref(), Some("**************002X"));
    assert!(
        instructor
            .all::<serde_json::Value>(RecordKind::IdCardDuplicate)
            .is_empty()
    );

    // The committee has it as 身份证号重复, naming both workers.
    committee.sync().await;
    let found: IdCardDuplicate = committee.get(RecordKind::IdCardDuplicate, twin).unwrap();
    assert_eq!(
        found,
        IdCardDuplicate {
            worker_id: twin,
            holder_id: holder
        }
    );
}

#[tokio::test]
async fn a_flood_of_logins_is_turned_away_at_once_instead_of_queued_without_end() {
    let dir = tempfile::tempdir().unwrap();
    let server = proxied(&dir);
    // Far more at once than the hashing queue holds (33 per core): each from its own
    // address, so the limiter holds none of them.
    // One client for all (building one per request is slower than the server).
    let client = reqwest::Client::new();
    let flood: Vec<_> = (0..600)
        .map(|i| {
            let request = client
                .post(format!("{}/api/v1/auth/login", server.base))
                .header(PROTOCOL_HEADER, "1")
                .header("x-forwarded-for", format!("10.9.{}.{}", i / 250, i % 250))
                .json(&json!({
                    "username": format!("flood{i}"),
                    "password": "wrong-password",
                    "device_id": Uuid::new_v4(),
                }));
            tokio::spawn(async move {
                let res = request.send().await.unwrap();
                let status = res.status();
                let retry: Option<u64> = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().parse().unwrap());
                (status, retry, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut busy = 0;
    for answer in flood {
        let (status, retry, body) = answer.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert_eq!(body["code"], "busy");
                assert_eq!(retry, Some(2));
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert!(busy > 0, "the queue never filled");
    // And the owner gets in afterwards.
    let (status, ..) =
        login_from(&server.base, "198.51.100.7", "quwei", &password_of("quwei")).await;
    assert_eq!(status, StatusCode::OK);
}

/// A pull with `token`: status and error code.
async fn pull_with(base: &str, token: &str) -> (StatusCode, Option<String>) {
    let (status, body) = common::get(base, "/sync/pull?cursor=0&limit=1", token).await;
    (status, body["code"].as_str().map(str::to_owned))
}

async fn token_of(base: &str, username: &str) -> String {
    common::login(base, username, Uuid::new_v4()).await.token
}

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> StatusCode {
    reqwest::Client::new()
        .request(method, format!("{base}/api/v1{path}"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

/// The committee disables or re-enables `username`.
async fn set_disabled(base: &str, office: &str, username: &str, disabled: bool) {
    let path = format!("/admin/accounts/{username}/disabled");
    let status = call(base, reqwest::Method::PUT, &path, office, json!(disabled)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn sessions_end_at_logout_when_unused_and_when_the_account_is_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sessions.sqlite");
    let server = Server::start(&db, &[]);
    let base = &server.base;

    // Logout ends the session on the server, not only on the tablet.
    let token = token_of(base, "zhidao01").await;
    assert_eq!(pull_with(base, &token).await.0, StatusCode::OK);
    assert_eq!(
        call(
            base,
            reqwest::Method::POST,
            "/auth/logout",
            &token,
            json!({})
        )
        .await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        pull_with(base, &token).await,
        (StatusCode::UNAUTHORIZED, Some("session_ended".into()))
    );

    // Unused for longer than --session-idle-days (14): ended; a session in use is not.
    let idle = token_of(base, "zhidao01").await;
    let busy = token_of(base, "zhidao01").await;
    {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        let long_ago = (chrono::Utc::now() - chrono::Duration::days(15)).to_rfc3339();
        let recently = (chrono::Utc::now() - chrono::Duration::days(13)).to_rfc3339();
        for (token, when) in [(&idle, long_ago), (&busy, recently)] {
            let hash = hongling_server::auth::token_hash(token);
            sqlx::query(
                "UPDATE sessions SET last_used_at = ?, created_at = ? WHERE token_hash = ?",
            )
            .bind(&when)
            .bind(&when)
            .bind(hash)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        conn.close().await.unwrap();
    }
    assert_eq!(
        pull_with(base, &idle).await,
        (StatusCode::UNAUTHORIZED, Some("session_ended".into()))
    );
    assert_eq!(pull_with(base, &busy).await.0, StatusCode::OK);

    // Disabling ends every session of the account; re-enabling does not revive them.
    let office = token_of(base, "quwei").await;
    let stolen = token_of(base, "zhidao02").await;
    set_disabled(base, &office, "zhidao02", true).await;
    assert_eq!(
        pull_with(base, &stolen).await,
        (StatusCode::FORBIDDEN, Some("account_disabled".into()))
    );
    set_disabled(base, &office, "zhidao02", false).await;
    assert_eq!(
        pull_with(base, &stolen).await,
        (StatusCode::UNAUTHORIZED, Some("session_ended".into()))
    );
    let fresh = token_of(base, "zhidao02").await;
    assert_eq!(pull_with(base, &fresh).await.0, StatusCode::OK);
}

#[test]
fn a_session_idle_limit_below_the_offline_grace_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("idle.sqlite");
    let (ok, _, err) = common::run_cli(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--db",
            db.to_str().unwrap(),
            "--session-idle-days",
            "3",
        ],
        "",
    );
    assert!(!ok);
    assert!(
        err.contains("--session-idle-days (3) must not be below --offline-grace-days (7)"),
        "{err}"
    );
    assert!(!db.exists(), "refused before anything was written");
}

#[tokio::test]
async fn a_change_brought_in_a_backup_names_who_made_it_and_where_beside_who_sent_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("origin.sqlite"), &[]);
    let base = server.base.as_str();

    // 李文华's tablet is locked before it could sync: she exports, the office imports.
    let instructor = Tablet::new(base, "zhidao01").await;
    instructor.sync().await;
    let (worker, op) = instructor.new_worker("孙丽", None);
    instructor.commit(op).await.unwrap();
    let backup = hongling_sync::export_backup(
        &instructor.store,
        "zhidao01",
        instructor.id,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let sealed = hongling_sync::seal_backup(&backup, "古井镇二〇二六年冬").unwrap();
    let office = Tablet::new(base, "quwei").await;
    office.sync().await;
    let opened = hongling_sync::open_backup(&sealed, "古井镇二〇二六年冬").unwrap();
    hongling_sync::import_backup(&office.store, &office.actor, opened)
        .await
        .unwrap();
    office.sync().await;

    let path = format!("/admin/history/worker/{worker}");
    let (status, history) = common::get(base, &path, &office.transport.token).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let entries = history.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{history}");
    assert_eq!(entries[0]["username"], "quwei", "sent by the office");
    assert_eq!(entries[0]["device_id"], office.id.to_string());
    assert_eq!(entries[0]["outcome"], "applied");
    assert_eq!(
        entries[0]["origin"],
        json!({"username": "zhidao01", "device_id": instructor.id, "mutation_id": 1}),
        "made by the instructor on her own tablet"
    );

    // An origin the server cannot keep is refused with the batch, and nothing is used up.
    let device = Uuid::new_v4();
    let token = common::login(base, "zhidao01", device).await.token;
    let (_, op) = instructor.new_worker("周敏", None);
    let push = |origin: Value| {
        json!({"device_id": device, "mutations": [
            {"id": 1, "at": "2026-12-04T08:00:00Z", "op": op.clone(), "origin": origin}
        ]})
    };
    let too_long = json!({"username": "z".repeat(65), "device_id": device, "mutation_id": 1});
    let status = call(
        base,
        reqwest::Method::POST,
        "/sync/push",
        &token,
        push(too_long),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let kept = json!({"username": "zhidao01", "device_id": instructor.id, "mutation_id": 2});
    let status = call(
        base,
        reqwest::Method::POST,
        "/sync/push",
        &token,
        push(kept),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "mutation 1 was still free");
}
