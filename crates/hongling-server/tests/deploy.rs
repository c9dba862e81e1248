//! Deployment through the real binary: the first administrator and the forced password
//! change, demo databases that stay demos, backups while the server runs, the lock that
//! keeps a key rotation away from a running server, and a clean stop on SIGTERM.

mod common;

use common::{Server, get, run_cli};
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

/// One value an SQL query reads from the database file (read-only).
async fn scalar<T>(db: &std::path::Path, sql: &str) -> T
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    use sqlx::{ConnectOptions, Connection};
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let v: T = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    v
}

async fn count_rows(db: &std::path::Path, sql: &str) -> i64 {
    scalar(db, sql).await
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
    assert_eq!(body["schema"], 11, "the newest migration");
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

async fn text_of(db: &std::path::Path, sql: &str) -> String {
    scalar(db, sql).await
}

/// Runs `serve` on `db` and expects it to refuse to start: its standard error. A server
/// that starts after all is killed after 30 s and fails the test.
fn refused_serve(db: &std::path::Path, extra: &[&str]) -> String {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_hongling-server"))
        .args(["serve", "--bind", "127.0.0.1:0", "--db"])
        .arg(db)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(!status.success(), "the server should have refused to start");
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return err;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server started instead of refusing");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The signing keys as the database publishes them (the `signing_key` records).
async fn published_keys(db: &std::path::Path) -> Vec<hongling_core::SigningPublicKey> {
    let json = text_of(
        db,
        "SELECT json_group_array(json(body)) FROM records WHERE kind = 'signing_key'",
    )
    .await;
    let mut keys: Vec<hongling_core::SigningPublicKey> = serde_json::from_str(&json).unwrap();
    keys.sort_by_key(|k| k.created_at);
    keys
}

#[tokio::test]
async fn the_signing_key_lives_in_a_private_file_and_without_it_the_server_will_not_start() {
    use hongling_server::keyfile::KeyFile;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.sqlite");
    let keys = dir.path().join("district.keys");
    let mut server = Server::start_real(&db, &[]);
    assert!(server.terminate().success());

    // The secret is in the key file, mode 0600; the database holds only the public half.
    assert_eq!(mode_of(&keys), 0o600);
    let file = KeyFile::load(&keys).unwrap();
    assert_eq!(file.entries().len(), 1);
    let key = &file.entries()[0];
    assert_eq!(
        count_rows(
            &db,
            "SELECT COUNT(*) FROM signing_keys WHERE length(secret) > 0"
        )
        .await,
        0
    );
    let secret = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(key.key.to_bytes())
    };
    let db_bytes = std::fs::read(&db).unwrap();
    assert!(
        !db_bytes.windows(32).any(|w| w == key.key.to_bytes()),
        "the secret is nowhere in the database file"
    );
    let published = published_keys(&db).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].key_id, key.key_id);
    assert!(!published[0].demo, "a real server's key is no demo key");
    {
        use base64::Engine;
        assert_eq!(
            base64::engine::general_purpose::STANDARD
                .decode(&published[0].public_key)
                .unwrap(),
            key.public()
        );
    }

    // Without its key file the server refuses, names the key, and makes no new one.
    let aside = dir.path().join("aside.keys");
    std::fs::rename(&keys, &aside).unwrap();
    let err = refused_serve(&db, &[]);
    assert!(
        err.contains("does not hold the key") && err.contains(&key.key_id),
        "{err}"
    );
    assert!(!keys.exists(), "no new key file was made");
    assert_eq!(
        count_rows(&db, "SELECT COUNT(*) FROM signing_keys").await,
        1
    );

    // A key file others can read is refused too.
    std::fs::rename(&aside, &keys).unwrap();
    set_mode(&keys, 0o644);
    let err = refused_serve(&db, &[]);
    assert!(err.contains("chmod 600"), "{err}");
    set_mode(&keys, 0o600);

    // A rotation adds a key and keeps the old one, in the file and in the published list.
    let db_arg = db.to_str().unwrap();
    let (ok, out, err) = run_cli(&["rotate-signing-key", "--db", db_arg], "");
    assert!(ok, "{err}");
    let file = KeyFile::load(&keys).unwrap();
    assert_eq!(file.entries().len(), 2);
    assert_eq!(file.entries()[0].key_id, key.key_id);
    let new_id = &file.entries()[1].key_id;
    assert!(out.contains(new_id.as_str()), "{out}");
    let published = published_keys(&db).await;
    assert_eq!(published.len(), 2);
    assert!(published[0].retired_at.is_some() && published[1].retired_at.is_none());
    assert_eq!(&published[1].key_id, new_id);
    assert!(std::fs::read_to_string(&keys).unwrap().contains(&secret));

    // A key file elsewhere (several servers share one) is named with --signing-keys.
    let shared = dir.path().join("shared").join("hongling.keys");
    std::fs::create_dir_all(shared.parent().unwrap()).unwrap();
    std::fs::rename(&keys, &shared).unwrap();
    let mut server = Server::start_real(&db, &["--signing-keys", shared.to_str().unwrap()]);
    assert!(server.terminate().success());
    assert!(!keys.exists());
}

#[tokio::test]
async fn a_database_of_the_older_layout_gives_its_key_to_the_key_file() {
    use hongling_server::keyfile::KeyFile;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    let keys = dir.path().join("old.keys");
    let mut server = Server::start_real(&db, &[]);
    assert!(server.terminate().success());
    let key = KeyFile::load(&keys).unwrap().entries()[0].clone();
    // What a version before the key file left: the secret in the table, no key file.
    {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        sqlx::query("UPDATE signing_keys SET secret = ?")
            .bind(key.key.to_bytes().to_vec())
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    std::fs::remove_file(&keys).unwrap();
    let mut server = Server::start_real(&db, &[]);
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("moved 1 signing key")),
        "{:?}",
        server.banner
    );
    assert!(server.terminate().success());
    let file = KeyFile::load(&keys).unwrap();
    assert_eq!(file.entries().len(), 1);
    assert_eq!(file.entries()[0].key_id, key.key_id);
    assert_eq!(file.entries()[0].key.to_bytes(), key.key.to_bytes());
    assert_eq!(
        count_rows(
            &db,
            "SELECT COUNT(*) FROM signing_keys WHERE length(secret) > 0"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_demo_server_signs_with_a_demo_key_so_its_certificates_verify_as_demo_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let mut server = Server::start(&db, &[]);
    assert!(server.terminate().success());
    let keys = published_keys(&db).await;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].demo);
    let qr = text_of(
        &db,
        "SELECT json_extract(body, '$.qr') FROM records WHERE kind = 'certificate' LIMIT 1",
    )
    .await;
    let verified = hongling_core::certificate::verify(&qr, &keys).unwrap();
    assert!(
        verified.demo,
        "a demo certificate never verifies as genuine"
    );
    // The same QR checked against a real key of the same bytes would pass: the demo mark
    // is what tells them apart.
    let real = hongling_core::SigningPublicKey {
        demo: false,
        ..keys[0].clone()
    };
    assert!(
        !hongling_core::certificate::verify(&qr, &[real])
            .unwrap()
            .demo
    );
}

#[tokio::test]
async fn a_backup_takes_the_signing_keys_only_encrypted_with_the_passphrase() {
    use hongling_server::keyfile::KeyFile;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.sqlite");
    let out = dir.path().join("backups");
    let server = Server::start_real(&db, &[]);
    let db_arg = db.to_str().unwrap();
    let out_arg = out.to_str().unwrap();
    let key = KeyFile::load(&dir.path().join("district.keys"))
        .unwrap()
        .entries()[0]
        .clone();
    let secret = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(key.key.to_bytes())
    };

    // Without a passphrase: no key in the backup, and the output says so.
    let (ok, stdout, err) = run_cli(&["backup", "--db", db_arg, out_arg], "");
    assert!(ok, "{err}");
    assert!(stdout.contains("does not hold the signing key"), "{stdout}");
    let first = hongling_server::backup::list(&out).unwrap().pop().unwrap();
    assert!(!hongling_server::backup::keys_of(&first).exists());

    // A passphrase file others can read is refused, and changes nothing.
    let pass = dir.path().join("backup-passphrase");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    set_mode(&pass, 0o644);
    let pass_arg = pass.to_str().unwrap();
    let args = [
        "backup",
        "--db",
        db_arg,
        out_arg,
        "--key-passphrase-file",
        pass_arg,
    ];
    let (ok, _, err) = run_cli(&args, "");
    assert!(!ok && err.contains("chmod 600"), "{err}");
    assert_eq!(hongling_server::backup::list(&out).unwrap().len(), 1);

    set_mode(&pass, 0o600);
    let (ok, stdout, err) = run_cli(&args, "");
    assert!(ok, "{err}");
    let newest = hongling_server::backup::list(&out).unwrap().pop().unwrap();
    let sealed = hongling_server::backup::keys_of(&newest);
    assert!(stdout.contains(sealed.to_str().unwrap()), "{stdout}");
    assert_eq!(mode_of(&sealed), 0o600);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"), "an age file");
    assert!(
        !String::from_utf8_lossy(&bytes).contains(&secret),
        "the key is not in the clear"
    );
    let passphrase = hongling_server::backup::read_passphrase(&pass).unwrap();
    let opened = hongling_server::backup::decrypt_keys(&sealed, &passphrase).unwrap();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].key.to_bytes(), key.key.to_bytes());
    let wrong = age::secrecy::SecretString::from("not the passphrase at all".to_owned());
    assert!(hongling_server::backup::decrypt_keys(&sealed, &wrong).is_err());

    // Rotation removes an old backup's keys with it.
    let (ok, _, err) = run_cli(
        &[
            "backup",
            "--db",
            db_arg,
            out_arg,
            "--key-passphrase-file",
            pass_arg,
            "--keep",
            "1",
        ],
        "",
    );
    assert!(ok, "{err}");
    assert!(!sealed.exists() && !newest.exists());
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(left.len(), 2, "one backup and its keys");
    drop(server);
}

/// A wrong login claiming to come from `forwarded` (through a proxy, or forged); its status.
async fn wrong_login_from(base: &str, username: &str, forwarded: &str) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .header(PROTOCOL_HEADER, "1")
        .header("x-forwarded-for", forwarded)
        .json(&json!({"username": username, "password": "wrong-password-here", "device_id": Uuid::new_v4()}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limits_count_the_forwarded_address_and_nobody_elses() {
    let allowed = hongling_server::limit::ALLOWED;
    let dir = tempfile::tempdir().unwrap();
    // The test connects from 127.0.0.1: here that is the office's reverse proxy.
    let behind = Server::start_real(
        &dir.path().join("proxied.sqlite"),
        &["--trusted-proxy", "127.0.0.1/32"],
    );
    for i in 0..allowed {
        let status = wrong_login_from(&behind.base, "someone", "203.0.113.7").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(
        wrong_login_from(&behind.base, "someone", "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the forwarded address is held for that account"
    );
    assert_eq!(
        wrong_login_from(&behind.base, "someone", "203.0.113.8").await,
        StatusCode::UNAUTHORIZED,
        "another tablet behind the same proxy is not"
    );
    // A client that writes its own header in front gains nothing: the proxy's entry is
    // the rightmost one.
    assert_eq!(
        wrong_login_from(&behind.base, "someone", "198.51.100.1, 203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Without --trusted-proxy the header is ignored: changing it dodges nothing.
    let direct = Server::start_real(&dir.path().join("direct.sqlite"), &[]);
    for i in 0..allowed {
        let forged = format!("198.51.100.{i}");
        let status = wrong_login_from(&direct.base, "someone", &forged).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(
        wrong_login_from(&direct.base, "someone", "198.51.100.200").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    let (ok, _, err) = run_cli(&["serve", "--trusted-proxy", "10.0.0.0/33"], "");
    assert!(!ok && err.contains("address/prefix"), "{err}");
}

#[tokio::test]
async fn the_app_is_served_precompressed_with_caching_by_name_and_routes_get_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    let script = "import init from '/hongling-0123456789abcdef.js';init();";
    let index =
        format!("<!doctype html><title>红领认证</title><script type=\"module\">{script}</script>");
    std::fs::write(dist.join("index.html"), &index).unwrap();
    std::fs::write(dist.join("index.html.br"), b"BR:index").unwrap();
    let js = "export default function init() {}\n".repeat(200);
    std::fs::write(dist.join("hongling-0123456789abcdef.js"), &js).unwrap();
    // The server sends the copies as they are: any bytes tell which one came.
    std::fs::write(dist.join("hongling-0123456789abcdef.js.br"), b"BR:js").unwrap();
    std::fs::write(dist.join("hongling-0123456789abcdef.js.gz"), b"GZ:js").unwrap();
    std::fs::write(dist.join("hongling-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dist.join("icons/icon-192.png"), b"\x89PNG").unwrap();
    let server = Server::start_real(
        &dir.path().join("a.sqlite"),
        &["--static", dist.to_str().unwrap()],
    );
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("serving the app from") && l.contains("5 files")),
        "{:?}",
        server.banner
    );
    // reqwest here decodes nothing: the bodies are the bytes on the wire.
    let client = reqwest::Client::new();
    let fetch = |path: &str, accept: &str| {
        let mut req = client.get(format!("{}{path}", server.base));
        if !accept.is_empty() {
            req = req.header("accept-encoding", accept);
        }
        req.send()
    };
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };

    let res = fetch("/hongling-0123456789abcdef.js", "gzip, deflate, br, zstd")
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-encoding"), "br");
    assert_eq!(header(&res, "vary"), "Accept-Encoding");
    assert_eq!(
        header(&res, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header(&res, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&res, "x-content-type-options"), "nosniff");
    let br_tag = header(&res, "etag");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"BR:js");

    let res = fetch("/hongling-0123456789abcdef.js", "gzip, deflate")
        .await
        .unwrap();
    assert_eq!(header(&res, "content-encoding"), "gzip");
    assert_ne!(
        header(&res, "etag"),
        br_tag,
        "each encoding has its own ETag"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"GZ:js");
    let res = fetch("/hongling-0123456789abcdef.js", "").await.unwrap();
    assert_eq!(header(&res, "content-encoding"), "");
    assert_eq!(res.bytes().await.unwrap().as_ref(), js.as_bytes());

    let res = fetch("/hongling-0123456789abcdef_bg.wasm", "br")
        .await
        .unwrap();
    assert_eq!(header(&res, "content-type"), "application/wasm");
    assert_eq!(
        header(&res, "content-encoding"),
        "",
        "no copy: sent as it is"
    );

    // The shell and the service worker are revalidated, with a 304 when unchanged.
    for path in ["/", "/index.html", "/sw.js", "/icons/icon-192.png"] {
        let res = fetch(path, "").await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        let tag = header(&res, "etag");
        let again = client
            .get(format!("{}{path}", server.base))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let res = fetch("/", "br").await.unwrap();
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"BR:index");
    // Any route of the app is the shell; a missing file is a 404, and the API stays JSON.
    let res = fetch("/workers/2b4c", "").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
    assert_eq!(res.text().await.unwrap(), index);
    assert_eq!(
        fetch("/missing-file.js", "").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let res = fetch("/api/v1/nothing-here", "").await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(header(&res, "content-type").starts_with("application/json"));
    // The inline loader is allowed by its hash, and nothing else inline.
    let csp = header(&fetch("/", "").await.unwrap(), "content-security-policy");
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes()))
    };
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(!csp.contains("script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'"));
    let res = client
        .post(format!("{}/index.html", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_new_version_backs_the_database_up_before_it_migrates_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("district.sqlite");
    let mut server = Server::start_real(&db, &[]);
    assert!(
        !server.banner.iter().any(|l| l.contains("before migrating")),
        "a new database has nothing to keep"
    );
    assert!(server.terminate().success());
    let newest = count_rows(&db, "SELECT MAX(version) FROM _sqlx_migrations").await;
    // The database as the version before the newest migration left it.
    {
        use sqlx::{ConnectOptions, Connection};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .connect()
            .await
            .unwrap();
        // What the newest migration, 0011_device_contact.sql, added (this list follows
        // the newest migration).
        for undo in [
            "ALTER TABLE devices DROP COLUMN pulled_at",
            "ALTER TABLE devices DROP COLUMN pulled_seq",
        ] {
            sqlx::query(undo).execute(&mut conn).await.unwrap();
        }
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = ?")
            .bind(newest)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    let mut server = Server::start_real(&db, &[]);
    let line = server
        .banner
        .iter()
        .find(|l| l.contains("before migrating"))
        .unwrap_or_else(|| panic!("{:?}", server.banner))
        .clone();
    assert!(line.contains(&format!("schema {}", newest - 1)), "{line}");
    let copies = hongling_server::backup::list(&dir.path().join("pre-migration")).unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(
        count_rows(&copies[0], "SELECT MAX(version) FROM _sqlx_migrations").await,
        newest - 1,
        "the copy is the database as it was"
    );
    assert!(server.terminate().success());
    assert_eq!(
        count_rows(&db, "SELECT MAX(version) FROM _sqlx_migrations").await,
        newest
    );
}

#[tokio::test]
async fn a_panic_in_a_handler_answers_500_json_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        &dir.path().join("p.sqlite"),
        &[("HONGLING_PANIC_ON_PULL", "1")],
    );
    let (_, body) = login(&server.base, "zhidao01", "hongling2026").await;
    let t = token(&body);
    let (status, body) = get(&server.base, "/sync/pull?limit=10", &t).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["code"], "internal");
    assert!(body["message"].as_str().unwrap().contains("服务器内部错误"));
    let (status, body) = get(&server.base, "/sync/pull?limit=10", &t).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body["records"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn sigterm_in_the_middle_of_a_push_loses_nothing_the_device_was_told_is_kept() {
    const N: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.sqlite");
    let mut server = Server::start(&db, &[]);
    let tablet = common::Tablet::new(&server.base, "zhidao01").await;
    tablet.sync().await;
    let (org_id, org) = tablet
        .all::<hongling_core::Organization>(hongling_core::RecordKind::Organization)
        .into_iter()
        .find(|(_, o)| {
            tablet
                .actor
                .grants
                .iter()
                .any(|g| g.scope == hongling_core::Scope::Township(o.township_id))
        })
        .unwrap();
    for i in 0..N {
        let op = hongling_core::Op::WorkerCreateV1(hongling_core::WorkerCreateV1 {
            id_card: None,
            photo: None,
            id: Uuid::new_v4(),
            name: format!("停机测试{i}"),
            organization_id: org_id,
            township_id: org.township_id,
            role: hongling_core::WorkerRole::Secretary,
            management_post: String::new(),
            years_in_post: 1,
        });
        tablet.commit(op).await.unwrap();
    }
    // The push runs; once the server has taken a batch or two, systemd stops it.
    let sync = hongling_sync::sync_once(
        &tablet.store,
        &tablet.transport,
        tablet.id,
        &tablet.actor,
        |_| {},
    );
    let stop = async {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            if count_rows(&db, "SELECT COALESCE(MAX(last_applied), 0) FROM devices").await >= 200 {
                server.signal_term();
                break;
            }
        }
    };
    let (outcome, ()) = tokio::join!(sync, stop);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "a clean stop: {status:?}");
    assert!(outcome.is_err(), "the stop came before the last batch");
    let acknowledged = N - outbox_len(&tablet.store).await;
    assert!(acknowledged >= 200, "{acknowledged}");
    let kept = count_rows(
        &db,
        "SELECT COUNT(*) FROM records WHERE kind = 'worker' AND json_extract(body, '$.name') LIKE '停机测试%'",
    )
    .await as usize;
    assert!(
        kept >= acknowledged,
        "every mutation the device was told is kept is in the database ({kept} < {acknowledged})"
    );

    // Started again, the device sends the rest: each once.
    let server = Server::start(&db, &[]);
    let tablet = common::Tablet {
        transport: common::HttpTransport::new(
            &server.base,
            common::login(&server.base, "zhidao01", tablet.id)
                .await
                .token,
        ),
        ..tablet
    };
    tablet.sync().await;
    assert_eq!(outbox_len(&tablet.store).await, 0);
    assert_eq!(
        count_rows(
            &db,
            "SELECT COUNT(*) FROM records WHERE kind = 'worker' AND json_extract(body, '$.name') LIKE '停机测试%'",
        )
        .await as usize,
        N
    );
}

/// How many mutations wait in a device's outbox.
async fn outbox_len(store: &hongling_sync::memory::MemoryStore) -> usize {
    use hongling_sync::{ClientStore, StoreTx};
    let mut tx = store.begin().unwrap();
    let n = tx.outbox(u32::MAX).await.unwrap().len();
    tx.commit().await.unwrap();
    n
}
