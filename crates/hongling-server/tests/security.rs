//! The edges a security review found, through the real server: each refusal is a JSON
//! `{code, message}` with a 4xx and changes nothing.

mod common;

use std::time::Instant;

use common::{Server, Tablet, password_of};
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
