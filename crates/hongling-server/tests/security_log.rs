//! The 安全日志 (issue 13, item 8) through the real server: logins (success, failure, the
//! failure that starts a delay, with the address), password changes and resets, grant
//! changes, disabling and enabling, device revocations, imports, exports and backups,
//! with who and when; committee only; exportable as CSV; kept at least 180 days.

mod common;

use common::{Server, get, login, run_cli};
use hongling_core::wire::{PROTOCOL_HEADER, SecurityEvent, SecurityLogEntry};
use serde_json::json;
use uuid::Uuid;

async fn call(
    server: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: serde_json::Value,
) -> u16 {
    reqwest::Client::new()
        .request(method, format!("{}/api/v1{path}", server.base))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn wrong_login(server: &Server, username: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .header(PROTOCOL_HEADER, "1")
        .json(
            &json!({"username": username, "password": "not the password at all",
            "device_id": Uuid::new_v4()}),
        )
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn log(server: &Server, token: &str) -> Vec<SecurityLogEntry> {
    let (status, body) = get(&server.base, "/admin/security-log?limit=500", token).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn the_committee_reads_and_exports_who_did_what_from_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.sqlite");
    let server = Server::start(&db, &[]);

    // Five wrong passwords: five failures, the fifth starting a delay; the refusals
    // during the delay hash nothing and add nothing.
    for _ in 0..5 {
        assert_eq!(wrong_login(&server, "zhidao01").await, 401);
    }
    assert_eq!(wrong_login(&server, "zhidao01").await, 429);
    let admin = login(&server.base, "quwei", Uuid::new_v4()).await;
    let token = admin.token.as_str();
    let instructor = login(&server.base, "zhidao02", Uuid::new_v4()).await;

    // What an administrator does, each once.
    let new = json!({"username": "dc01", "display_name": "督察专员 王强",
        "password": "dc01-secret-pass", "grants": []});
    assert_eq!(
        call(
            &server,
            reqwest::Method::POST,
            "/admin/accounts",
            token,
            new
        )
        .await,
        201
    );
    let grants = json!([{"role": "supervisor", "scope": {"type": "district"}}]);
    assert_eq!(
        call(
            &server,
            reqwest::Method::PUT,
            "/admin/accounts/dc01/grants",
            token,
            grants
        )
        .await,
        204
    );
    for disabled in [true, false] {
        assert_eq!(
            call(
                &server,
                reqwest::Method::PUT,
                "/admin/accounts/dc01/disabled",
                token,
                json!(disabled)
            )
            .await,
            204
        );
    }
    assert_eq!(
        call(
            &server,
            reqwest::Method::PUT,
            "/admin/accounts/dc01/password",
            token,
            json!({"password": "another-long-pass"})
        )
        .await,
        204
    );
    let device = Uuid::new_v4();
    let dc = login_with(&server, "dc01", "another-long-pass", device).await;
    assert_eq!(
        call(
            &server,
            reqwest::Method::POST,
            "/auth/password",
            &dc,
            json!({"old_password": "another-long-pass", "new_password": "dc01-own-new-pass"})
        )
        .await,
        204
    );
    assert_eq!(
        call(
            &server,
            reqwest::Method::POST,
            &format!("/admin/devices/{device}/revoke"),
            token,
            json!(null)
        )
        .await,
        204
    );
    let export = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/admin/export/workers?format=csv",
            server.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let stipends = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/reports/stipends?month=2026-11&format=csv",
            server.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(stipends.status(), 200);
    let csv = "单位名称,类型,乡镇（街道）,行业,党组织名称\n安全日志测试公司,非公企业,古井镇,,\n";
    let import = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/admin/import/organizations?commit=true",
            server.base
        ))
        .bearer_auth(token)
        .body(csv.as_bytes().to_vec())
        .send()
        .await
        .unwrap();
    let status = import.status();
    assert_eq!(status, 200, "{}", import.text().await.unwrap());

    // Only the committee reads the log.
    let (status, body) = get(&server.base, "/admin/security-log", &instructor.token).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "forbidden");

    let lines = log(&server, token).await;
    let events: Vec<(SecurityEvent, &str, &str)> = lines
        .iter()
        .rev()
        .map(|l| (l.event, l.actor.as_str(), l.subject.as_str()))
        .collect();
    use SecurityEvent as E;
    let failures: Vec<&SecurityLogEntry> =
        lines.iter().filter(|l| l.event == E::LoginFailed).collect();
    assert_eq!(failures.len(), 5, "{lines:#?}");
    assert!(
        failures
            .iter()
            .all(|l| l.actor == "zhidao01" && l.address == "127.0.0.1")
    );
    assert!(
        failures[0].detail.contains("暂停 60 秒"),
        "{:?}",
        failures[0]
    );
    assert!(failures[1..].iter().all(|l| l.detail.is_empty()));
    let expected = [
        (E::AccountCreated, "quwei", "dc01"),
        (E::GrantsChanged, "quwei", "dc01"),
        (E::AccountDisabled, "quwei", "dc01"),
        (E::AccountEnabled, "quwei", "dc01"),
        (E::PasswordReset, "quwei", "dc01"),
        (E::PasswordChanged, "dc01", "dc01"),
        (E::Export, "quwei", "workers"),
        (E::Export, "quwei", "stipends-2026-11"),
        (E::Import, "quwei", "organizations"),
    ];
    let admin_lines: Vec<(SecurityEvent, &str, &str)> = events
        .iter()
        .copied()
        .filter(|(e, _, _)| !matches!(e, E::LoginFailed | E::LoginSucceeded))
        .collect();
    let mut want = expected.to_vec();
    want.insert(6, (E::DeviceRevoked, "quwei", ""));
    assert_eq!(admin_lines.len(), want.len(), "{admin_lines:#?}");
    for (got, want) in admin_lines.iter().zip(&want) {
        assert_eq!(got.0, want.0);
        assert_eq!(got.1, want.1);
        if want.0 == E::DeviceRevoked {
            assert_eq!(got.2, device.to_string());
        } else {
            assert_eq!(got.2, want.2);
        }
    }
    let grant_line = lines.iter().find(|l| l.event == E::GrantsChanged).unwrap();
    assert!(grant_line.detail.contains("督察专员"), "{grant_line:?}");
    let logins: Vec<&str> = events
        .iter()
        .filter(|(e, _, _)| *e == E::LoginSucceeded)
        .map(|(_, a, _)| *a)
        .collect();
    assert_eq!(logins, ["quwei", "zhidao02", "dc01"]);

    // Paging goes back from a line.
    let (_, page) = get(
        &server.base,
        &format!("/admin/security-log?before={}&limit=2", lines[0].id),
        token,
    )
    .await;
    let page: Vec<SecurityLogEntry> = serde_json::from_value(page).unwrap();
    assert_eq!(page, lines[1..3]);

    // The export holds every line, and is a line of its own.
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/admin/security-log/export", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("security-log.csv")
    );
    let text = res.text().await.unwrap();
    let text = text.trim_start_matches('\u{feff}');
    assert!(
        text.starts_with("时间（北京时间）,事件,操作人,对象,地址,说明"),
        "{text}"
    );
    assert_eq!(text.lines().count(), lines.len() + 2, "{text}");
    assert!(text.contains("登录失败,zhidao01,,127.0.0.1"), "{text}");
    let last = &log(&server, token).await[0];
    assert_eq!(
        (last.event, last.subject.as_str()),
        (E::Export, "security-log")
    );

    // A backup run on the server is a line too, by `server`.
    let out = dir.path().join("backups");
    let (ok, _, err) = run_cli(
        &[
            "backup",
            "--db",
            db.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        "",
    );
    assert!(ok, "{err}");
    let last = &log(&server, token).await[0];
    assert_eq!((last.event, last.actor.as_str()), (E::Backup, "server"));
    assert!(last.subject.contains("backups"), "{last:?}");
}

async fn login_with(server: &Server, username: &str, password: &str, device: Uuid) -> String {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"username": username, "password": password, "device_id": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "current_thread")]
async fn lines_are_kept_at_least_180_days_and_then_pruned() {
    // Fewer than 180 days is refused before the server starts.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("prune.sqlite");
    let (ok, _, err) = run_cli(
        &[
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--security-log-days",
            "90",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("--security-log-days"), "{err}");

    let server = Server::start(&db, &[]);
    for _ in 0..3 {
        wrong_login(&server, "zhidao01").await;
    }
    drop(server);
    {
        use sqlx::Connection;
        let mut conn = common::open_db(&db).await;
        for (id, days) in [(1, 400), (2, 200)] {
            sqlx::query("UPDATE security_log SET at = ? WHERE id = ?")
                .bind((chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339())
                .bind(id)
                .execute(&mut conn)
                .await
                .unwrap();
        }
        conn.close().await.unwrap();
    }
    // The default keeps a year: the line of 400 days ago goes at start, 200 days stays.
    let server = Server::start(&db, &[]);
    let admin = login(&server.base, "quwei", Uuid::new_v4()).await;
    let mut waited = 0;
    loop {
        let ids: Vec<u64> = log(&server, &admin.token)
            .await
            .iter()
            .map(|l| l.id)
            .collect();
        if !ids.contains(&1) {
            assert!(ids.contains(&2) && ids.contains(&3), "{ids:?}");
            break;
        }
        assert!(waited < 100, "the old line was never pruned");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
}
