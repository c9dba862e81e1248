//! Accounts, devices and the audit trail, through the real server: what the district
//! committee's admin screens do.

mod common;

use common::{Server, login};
use hongling_core::wire::PROTOCOL_HEADER;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

struct Api {
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}/api/v1{path}", self.base))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap()
            },
        )
    }
}

async fn as_user(server: &Server, username: &str) -> (Api, Uuid) {
    let device = Uuid::new_v4();
    let token = login(&server.base, username, device).await.token;
    (
        Api {
            base: server.base.clone(),
            token,
        },
        device,
    )
}

async fn try_login(server: &Server, username: &str, password: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"username": username, "password": password, "device_id": Uuid::new_v4()}))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn logins_are_rate_limited_per_account() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("a.sqlite"), &[]);
    for _ in 0..5 {
        assert_eq!(
            try_login(&server, "zhidao01", "wrong-password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = try_login(&server, "zhidao01", "hongling2026").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "held even with the right password"
    );
    assert_eq!(body["code"], "too_many_attempts");
    assert!(body["message"].as_str().unwrap().contains("分钟后再试"));
    // Other accounts are not held, even from the same address.
    assert_eq!(
        try_login(&server, "zhidao02", "hongling2026").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_committee_manages_accounts_and_devices() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("b.sqlite"), &[]);
    let (admin, _) = as_user(&server, "quwei").await;
    let (instructor, device) = as_user(&server, "zhidao01").await;

    // Only the committee may.
    let (status, body) = instructor.call(Method::GET, "/admin/accounts", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );

    // Create an account with a grant; it can log in.
    let new = json!({"username": "dc01", "display_name": "督察专员 王强", "password": "dc01-secret-pass",
        "grants": [{"role": "supervisor", "scope": {"type": "district"}}]});
    assert_eq!(
        admin
            .call(Method::POST, "/admin/accounts", Some(new.clone()))
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, body) = admin.call(Method::POST, "/admin/accounts", Some(new)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("username_taken"))
    );
    let weak = json!({"username": "dc02", "display_name": "x", "password": "short"});
    assert_eq!(
        admin
            .call(Method::POST, "/admin/accounts", Some(weak))
            .await
            .1["code"],
        "weak_password"
    );
    let (status, body) = try_login(&server, "dc01", "dc01-secret-pass").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["account"]["grants"][0]["role"], "supervisor");

    // The list shows accounts with their devices.
    let (_, list) = admin.call(Method::GET, "/admin/accounts", None).await;
    let z = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account"]["username"] == "zhidao01")
        .unwrap();
    assert!(
        z["devices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == device.to_string())
    );

    // Revoking the device stops its next sync with a clear message, and its login.
    assert_eq!(
        admin
            .call(
                Method::POST,
                &format!("/admin/devices/{device}/revoke"),
                None
            )
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = instructor.call(Method::GET, "/sync/pull", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_revoked"))
    );
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", server.base))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"username": "zhidao01", "password": "hongling2026", "device_id": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Disabling an account stops all of its devices and ends their sessions for good:
    // enabling it again asks for a new login.
    let (other, _) = as_user(&server, "zhidao02").await;
    assert_eq!(
        admin
            .call(
                Method::PUT,
                "/admin/accounts/zhidao02/disabled",
                Some(json!(true))
            )
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = other.call(Method::GET, "/sync/pull", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_disabled"))
    );
    admin
        .call(
            Method::PUT,
            "/admin/accounts/zhidao02/disabled",
            Some(json!(false)),
        )
        .await;
    let (status, body) = other.call(Method::GET, "/sync/pull", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("session_ended"))
    );
    let (other, _) = as_user(&server, "zhidao02").await;
    assert_eq!(
        other.call(Method::GET, "/sync/pull", None).await.0,
        StatusCode::OK
    );
    let (status, _) = admin
        .call(
            Method::PUT,
            "/admin/accounts/quwei/disabled",
            Some(json!(true)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the committee cannot lock itself out"
    );

    // A password reset ends the account's sessions.
    let pw = json!({"password": "new-password-1"});
    assert_eq!(
        admin
            .call(Method::PUT, "/admin/accounts/zhidao02/password", Some(pw))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, body) = other.call(Method::GET, "/sync/pull", None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("password_changed")),
        "the old session says why it ended"
    );
    let (status, body) = try_login(&server, "zhidao02", "new-password-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["must_change_password"], true,
        "the administrator knows this password: the user must choose their own"
    );
}

#[tokio::test]
async fn every_record_has_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("c.sqlite"), &[]);
    let (admin, device) = as_user(&server, "quwei").await;
    let (_, page) = admin.call(Method::GET, "/sync/pull?limit=1000", None).await;
    let org = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "organization")
        .unwrap();
    let worker = Uuid::new_v4();
    let create = json!({"id": 1, "at": "2026-11-26T08:00:00Z", "op": {"type": "worker.create@1", "data": {
        "id": worker, "name": "历史测试", "organization_id": org["id"],
        "township_id": org["body"]["township_id"], "role": "secretary", "years_in_post": 2}}});
    let edit = json!({"id": 2, "at": "2026-11-26T08:01:00Z", "op": {"type": "worker.update@1",
        "data": {"id": worker, "years_in_post": 3}}});
    let bad = json!({"id": 3, "at": "2026-11-26T08:02:00Z", "op": {"type": "worker.update@1",
        "data": {"id": worker, "years_in_post": 99}}});
    let (status, _) = admin
        .call(
            Method::POST,
            "/sync/push",
            Some(json!({"device_id": device, "mutations": [create, edit, bad]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, history) = admin
        .call(
            Method::GET,
            &format!("/admin/history/worker/{worker}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let h = history.as_array().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[0]["outcome"], "applied");
    assert_eq!(h[0]["username"], "quwei");
    assert_eq!(h[1]["op"]["data"]["years_in_post"], 3);
    assert_eq!(h[2]["outcome"], "rejected");
    assert_eq!(h[2]["message"], "任职年限应在 0 到 60 年之间");
    let (status, body) = admin
        .call(
            Method::GET,
            &format!("/admin/history/planet/{worker}"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_kind"))
    );
}

#[tokio::test]
async fn attachments_are_stored_by_content_hash_idempotently() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("d.sqlite"), &[]);
    let (api, _) = as_user(&server, "zhidao01").await;
    // No connection reuse: the server closes a connection whose body it refused (413),
    // and a pooled one would fail the next request with a broken pipe.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let put = |hash: String, bytes: Vec<u8>, token: Option<String>| {
        let mut req = http
            .put(format!("{}/api/v1/blobs/{hash}", server.base))
            .header(PROTOCOL_HEADER, "1")
            .body(bytes);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let hash = hex::encode(Sha256::digest(&photo));
    let token = Some(api.token.clone());

    let res = put(hash.clone(), photo.clone(), token.clone())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = put(hash.clone(), photo.clone(), token.clone())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "a second upload is harmless");

    let got = http
        .get(format!("{}/api/v1/blobs/{hash}", server.base))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo);

    let code = |res: reqwest::Response| async move {
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };
    let other = hex::encode(Sha256::digest(b"something else"));
    assert_eq!(
        code(
            put(other.clone(), photo.clone(), token.clone())
                .await
                .unwrap()
        )
        .await,
        (StatusCode::BAD_REQUEST, "hash_mismatch".to_owned())
    );
    assert_eq!(
        code(
            put("not-a-hash".into(), photo.clone(), token.clone())
                .await
                .unwrap()
        )
        .await,
        (StatusCode::BAD_REQUEST, "invalid_hash".to_owned())
    );
    // Over the limit: refused and not stored. (The server answers 413 as soon as the limit
    // is passed; a client still sending may see the connection close instead.)
    let huge = vec![0u8; 11 * 1024 * 1024];
    let huge_hash = hex::encode(Sha256::digest(&huge));
    match put(huge_hash.clone(), huge, token.clone()).await {
        Ok(res) => assert_eq!(
            code(res).await,
            (StatusCode::PAYLOAD_TOO_LARGE, "blob_too_large".to_owned())
        ),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let (status, _) = api
        .call(Method::GET, &format!("/blobs/{huge_hash}"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        code(
            put(hex::encode(Sha256::digest(b"x")), b"x".to_vec(), None)
                .await
                .unwrap()
        )
        .await,
        (StatusCode::UNAUTHORIZED, "unauthorized".to_owned())
    );
    let (status, body) = api
        .call(Method::GET, &format!("/blobs/{other}"), None)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("blob_missing"))
    );
}
