//! Deployment through the real binary: the first administrator and the forced password
//! change, demo databases that stay demos, backups while the server runs, the lock that
//! keeps a key rotation away from a running server, and a clean stop on SIGTERM.

mod common;

use common::{Server, run_cli};
use hongling_core::wire::PROTOCOL_HEADER;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/v1{path}"))
        .header(PROTOCOL_HEADER, "1")
        .json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1{path}"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn login(base: &str, username: &str, password: &str) -> (StatusCode, Value) {
    post(
        base,
        "/auth/login",
        None,
        json!({"username": username, "password": password, "device_id": Uuid::new_v4()}),
    )
    .await
}

fn token(body: &Value) -> String {
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_first_administrator_is_made_on_the_command_line_and_sets_a_password_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.sqlite");
    let db_arg = db.to_str().unwrap();
    let server = Server::start_real(&db, &[]);
    assert!(
        server.banner.iter().any(|l| l.contains("create-admin")),
        "a new database says how to make the first account: {:?}",
        server.banner
    );

    // The one password rule, before anything is written.
    for (weak, why) in [
        ("short-pass\n", "至少 12 位"),
        ("1qaz2wsx3edc\n", "常见密码"),
        ("hongling2026\n", "常见密码"),
        ("quwei-admin\n", "至少 12 位"),
        ("district-boss\n", "用户名"),
    ] {
        let (ok, _, err) = run_cli(&["create-admin", "--db", db_arg, "district-boss"], weak);
        assert!(!ok && err.contains(why), "{weak:?} must be refused: {err}");
    }
    let (status, _) = login(&server.base, "district-boss", "district-boss").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nothing was created");

    let (ok, out, err) = run_cli(
        &[
            "create-admin",
            "--db",
            db_arg,
            "boss",
            "--name",
            "区委非公工委 刘主任",
        ],
        "first-temporary-pw\n",
    );
    assert!(ok, "create-admin on the live database: {err}");
    assert!(out.contains("boss"));
    let (ok, _, err) = run_cli(
        &["create-admin", "--db", db_arg, "boss"],
        "another-good-one\n",
    );
    assert!(!ok && err.contains("reset-password"), "{err}");

    // The first login must set a new password before anything else.
    let (status, body) = login(&server.base, "boss", "first-temporary-pw").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["must_change_password"], true);
    assert_eq!(body["account"]["grants"][0]["role"], "district_committee");
    let first = token(&body);
    let (_, body) = login(&server.base, "boss", "first-temporary-pw").await;
    let second = token(&body);
    for path in ["/sync/pull", "/admin/accounts"] {
        let (status, body) = get(&server.base, path, &first).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("password_change_required")),
            "{path}"
        );
    }
    let change = |old: &str, new: &str| json!({"old_password": old, "new_password": new});
    let (status, body) = post(
        &server.base,
        "/auth/password",
        Some(&first),
        change("not-the-password", "a-river-at-dawn-2026"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("wrong_password"))
    );
    let (status, body) = post(
        &server.base,
        "/auth/password",
        Some(&first),
        change("first-temporary-pw", "woaini1314520"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("weak_password"))
    );
    assert!(body["message"].as_str().unwrap().contains("常见密码"));
    let (status, _) = post(
        &server.base,
        "/auth/password",
        Some(&first),
        change("first-temporary-pw", "a-river-at-dawn-2026"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // This session goes on; the other one ended, and says why.
    assert_eq!(
        get(&server.base, "/sync/pull", &first).await.0,
        StatusCode::OK
    );
    let (status, body) = get(&server.base, "/sync/pull", &second).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("password_changed"))
    );
    assert_eq!(
        login(&server.base, "boss", "first-temporary-pw").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = login(&server.base, "boss", "a-river-at-dawn-2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("must_change_password").is_none_or(|v| v == false));
    assert!(body.get("demo").is_none_or(|v| v == false), "not a demo");

    // The administrator can now make accounts, with the same rule.
    let (status, body) = post(
        &server.base,
        "/admin/accounts",
        Some(&first),
        json!({"username": "zhidao09", "display_name": "指导员", "password": "zhidao09-pw"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("weak_password"))
    );

    // A locked-out administrator gets back in with reset-password.
    let (ok, _, err) = run_cli(
        &["reset-password", "--db", db_arg, "nobody"],
        "whatever-long-pw\n",
    );
    assert!(!ok && err.contains("nobody"), "{err}");
    let (ok, _, err) = run_cli(
        &["reset-password", "--db", db_arg, "boss"],
        "back-in-again-2026\n",
    );
    assert!(ok, "{err}");
    let (status, body) = get(&server.base, "/sync/pull", &first).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("password_changed"))
    );
    let (status, body) = login(&server.base, "boss", "back-in-again-2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["must_change_password"], true);
}

#[tokio::test]
async fn a_demo_database_stays_a_demo_and_a_real_one_never_gets_demo_data() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.sqlite");
    let mut server = Server::start(&demo, &[]);
    let (status, body) = login(&server.base, "quwei", "hongling2026").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["demo"], true, "the app shows 演示环境");
    assert!(server.terminate().success());
    // --demo again on the demo database does nothing, so `cargo xtask run` may pass it
    // on every start.
    let mut again = Server::start(&demo, &[]);
    assert!(
        !again.banner.iter().any(|l| l.contains("seeded")),
        "{:?}",
        again.banner
    );
    assert!(again.terminate().success());
    let (ok, _, err) = run_cli(
        &["create-admin", "--db", demo.to_str().unwrap(), "boss"],
        "first-temporary-pw\n",
    );
    assert!(!ok && err.contains("demo"), "{err}");

    let real = dir.path().join("real.sqlite");
    let (ok, _, _) = run_cli(
        &["create-admin", "--db", real.to_str().unwrap(), "boss"],
        "first-temporary-pw\n",
    );
    assert!(ok);
    let (ok, _, err) = run_cli(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--demo",
            "--db",
            real.to_str().unwrap(),
        ],
        "",
    );
    assert!(!ok && err.contains("not a demo database"), "{err}");
}

async fn count_rows(db: &std::path::Path, sql: &str) -> i64 {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let n: i64 = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    n
}

#[tokio::test]
async fn a_backup_of_the_live_database_holds_the_last_commit_and_old_ones_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("live.sqlite");
    let out = dir.path().join("backups");
    let server = Server::start(&db, &[]);
    let (_, body) = login(&server.base, "quwei", "hongling2026").await;
    let admin = token(&body);
    for i in 0..3 {
        let (status, _) = post(
            &server.base,
            "/admin/accounts",
            Some(&admin),
            json!({"username": format!("new{i}"), "display_name": "新账号", "password": "a-long-enough-pw"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (ok, stdout, err) = run_cli(
            &[
                "backup",
                "--db",
                db.to_str().unwrap(),
                out.to_str().unwrap(),
                "--keep",
                "2",
            ],
            "",
        );
        assert!(ok, "{err}");
        assert!(stdout.contains("integrity ok"), "{stdout}");
        // The server still holds the database and its WAL: the copy has the commit all
        // the same.
        let files = hongling_server::backup::list(&out).unwrap();
        let newest = files.last().unwrap();
        let accounts = count_rows(newest, "SELECT COUNT(*) FROM accounts").await;
        assert_eq!(
            accounts,
            count_rows(&db, "SELECT COUNT(*) FROM accounts").await
        );
        assert_eq!(
            count_rows(
                newest,
                &format!("SELECT COUNT(*) FROM accounts WHERE username = 'new{i}'")
            )
            .await,
            1
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(newest).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(files.len(), (i + 1).min(2), "the newest two are kept");
    }
    let (ok, _, err) = run_cli(
        &[
            "backup",
            "--db",
            dir.path().join("none.sqlite").to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        "",
    );
    assert!(!ok && err.contains("does not exist"), "{err}");
}

#[tokio::test]
async fn a_key_rotation_waits_for_the_server_to_stop_and_sigterm_stops_it_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let db_arg = db.to_str().unwrap();
    let mut server = Server::start(&db, &[]);
    let (ok, _, err) = run_cli(&["rotate-signing-key", "--db", db_arg], "");
    assert!(!ok && err.contains("a server is using"), "{err}");
    // A second server on the same database is refused the same way.
    let (ok, _, err) = run_cli(&["serve", "--bind", "127.0.0.1:0", "--db", db_arg], "");
    assert!(!ok && err.contains("a server is using"), "{err}");
    let keys = count_rows(&db, "SELECT COUNT(*) FROM signing_keys").await;

    let status = server.terminate();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    let wal = dir.path().join("keys.sqlite-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the database was closed: its WAL is checkpointed"
    );
    let (ok, out, err) = run_cli(&["rotate-signing-key", "--db", db_arg], "");
    assert!(ok, "{err}");
    assert!(out.contains("new certificate signing key"));
    assert_eq!(
        count_rows(&db, "SELECT COUNT(*) FROM signing_keys").await,
        keys + 1
    );
    assert_eq!(
        count_rows(
            &db,
            "SELECT COUNT(*) FROM signing_keys WHERE retired_at IS NULL"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn health_names_the_version_and_schema_and_every_answer_has_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_real(
        &dir.path().join("h.sqlite"),
        &["--public-url", "https://hongling.test"],
    );
    let res = reqwest::get(format!("{}/api/v1/health", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["schema"], 4, "the newest migration");
    assert_eq!(body["public_url"], "https://hongling.test");
    let csp = headers["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{part} in {csp}");
    }
    assert!(!csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=(self)")
    );
    // An error answer has them too.
    let res = reqwest::get(format!("{}/api/v1/nothing-here", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let (ok, _, err) = run_cli(
        &[
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--db",
            dir.path().join("x.sqlite").to_str().unwrap(),
            "--public-url",
            "http://plain",
        ],
        "",
    );
    assert!(!ok && err.contains("https://"), "{err}");
}
