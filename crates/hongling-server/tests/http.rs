//! The real server binary, on port 0 with a temporary SQLite file, driven over HTTP.

mod common;

use common::Server;

use hongling_core::wire::{
    LoginResponse, MutationStatus, PROTOCOL_HEADER, PullResponse, PushResponse,
};
use hongling_core::{Record, RecordKind};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use uuid::Uuid;

/// The real server on a temporary SQLite file; the folder lives as long as the guard.
fn start() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("test.sqlite"), &[]);
    (server, dir)
}

struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    device: Uuid,
}

impl Client {
    fn new(server: &Server) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            token: None,
            device: Uuid::new_v4(),
        }
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self
            .http
            .request(method, format!("{}/api/v1{path}", self.base))
            .header(PROTOCOL_HEADER, "1");
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        r
    }

    async fn login(&mut self, username: &str) {
        let res = self
            .req(reqwest::Method::POST, "/auth/login")
            .json(&json!({"username": username, "password": "hongling2026", "device_id": self.device}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: LoginResponse = res.json().await.unwrap();
        assert_eq!(body.account.username, username);
        self.token = Some(body.token);
    }

    async fn push_raw(&self, body: Value) -> (StatusCode, Value) {
        let res = self
            .req(reqwest::Method::POST, "/sync/push")
            .json(&body)
            .send()
            .await
            .unwrap();
        (res.status(), res.json().await.unwrap())
    }

    async fn push(&self, mutations: Value) -> PushResponse {
        let (status, body) = self
            .push_raw(json!({"device_id": self.device, "mutations": mutations}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).unwrap()
    }

    async fn pull_all(&self) -> Vec<Record> {
        let (mut cursor, mut scope) = (0, 0);
        let mut out = Vec::new();
        for _ in 0..1000 {
            let res = self
                .req(
                    reqwest::Method::GET,
                    &format!("/sync/pull?cursor={cursor}&limit=7&scope={scope}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let page: PullResponse = res.json().await.unwrap();
            assert!(page.cursor >= cursor, "the cursor went backwards");
            assert_eq!(
                page.reset,
                scope == 0,
                "a reset only for a device without scope"
            );
            cursor = page.cursor;
            scope = page.scope;
            out.extend(page.records);
            if !page.more {
                return out;
            }
        }
        panic!("pull never finished");
    }
}

/// What a refused request must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    change_seq: i64,
    records: i64,
    mutations: i64,
    last_applied: Vec<(String, i64)>,
}

async fn snapshot(server: &Server) -> Snapshot {
    let mut conn = SqliteConnectOptions::new()
        .filename(&server.db)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let change_seq = sqlx::query_scalar("SELECT value FROM change_seq")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let records = sqlx::query_scalar("SELECT COUNT(*) FROM records")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mutations = sqlx::query_scalar("SELECT COUNT(*) FROM mutations")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let last_applied = sqlx::query_as("SELECT id, last_applied FROM devices ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    Snapshot {
        change_seq,
        records,
        mutations,
        last_applied,
    }
}

/// The organisation in 古井镇, a township both demo instructors work in.
fn gujing_org(records: &[Record]) -> Record {
    let township = records
        .iter()
        .find(|r| r.kind == RecordKind::Township && r.body["name"] == "古井镇")
        .unwrap();
    records
        .iter()
        .find(|r| {
            r.kind == RecordKind::Organization && r.body["township_id"] == township.id.to_string()
        })
        .unwrap()
        .clone()
}

fn create_worker(id: u64, worker: Uuid, org: &Record) -> Value {
    json!({"id": id, "at": "2026-11-27T08:00:00Z", "op": {"type": "worker.create@1", "data": {
        "id": worker, "name": "测试工作者", "organization_id": org.id,
        "township_id": org.body["township_id"], "role": "secretary",
        "management_post": "办公室主任", "years_in_post": 3}}})
}

#[tokio::test]
async fn push_is_exactly_once_and_a_second_device_pulls_the_result() {
    let (server, _dir) = start();
    let mut tablet = Client::new(&server);
    tablet.login("zhidao01").await;
    let seeded = tablet.pull_all().await;
    assert_eq!(
        seeded.len(),
        8 + 8 + 4 + 1 + 2 + 4 + 8 + 4,
        "townships and organisations of the demo, the 4 workers of 古井镇 and 花戏楼街道, \
         the signing key, the two batches, the quarter's 4 task lists, the status list of \
         the 8 certificates, and the certificates and applications of 张红梅 (花戏楼街道) \
         and 黄丽娟 (古井镇)"
    );
    let org = gujing_org(&seeded);

    let worker = Uuid::new_v4();
    let batch = json!([create_worker(1, worker, &org)]);
    let reply = tablet.push(batch.clone()).await;
    assert_eq!(reply.last_applied, 1);
    assert_eq!(reply.results[0].status, MutationStatus::Applied);
    let after_first = snapshot(&server).await;

    // The reply was lost; the tablet sends the same batch again.
    let reply = tablet.push(batch).await;
    assert_eq!(reply.results[0].status, MutationStatus::Duplicate);
    assert_eq!(
        snapshot(&server).await,
        after_first,
        "a duplicate must not apply twice"
    );

    // An edit that carries one field keeps the others.
    let edit = json!([{"id": 2, "at": "2026-11-27T08:05:00Z", "op": {"type": "worker.update@1",
        "data": {"id": worker, "years_in_post": 4}}}]);
    assert_eq!(
        tablet.push(edit).await.results[0].status,
        MutationStatus::Applied
    );

    let mut other = Client::new(&server);
    other.login("zhidao02").await;
    let seen = other.pull_all().await;
    let copies: Vec<&Record> = seen.iter().filter(|r| r.id == worker).collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].body["years_in_post"], 4);
    assert_eq!(copies[0].body["management_post"], "办公室主任");

    // A pull from the last cursor brings nothing new.
    let res = other
        .req(
            reqwest::Method::GET,
            &format!("/sync/pull?cursor={}&scope=1", copies[0].version),
        )
        .send()
        .await
        .unwrap();
    let page: PullResponse = res.json().await.unwrap();
    assert!(page.records.is_empty() && !page.more);
}

#[tokio::test]
async fn a_rule_violation_is_rejected_with_a_reason_and_writes_nothing() {
    let (server, _dir) = start();
    let mut tablet = Client::new(&server);
    tablet.login("zhidao01").await;
    let seeded = tablet.pull_all().await;
    let org = gujing_org(&seeded);
    let wrong_township = seeded
        .iter()
        .find(|r| r.kind == RecordKind::Township && r.id.to_string() != org.body["township_id"])
        .unwrap();
    let before = snapshot(&server).await;
    let mut m = create_worker(1, Uuid::new_v4(), &org);
    m["op"]["data"]["township_id"] = json!(wrong_township.id);
    let reply = tablet.push(json!([m.clone()])).await;
    // The reply was lost; the resend gets the same refusal, so its author still sees it.
    let again = tablet.push(json!([m])).await;
    assert_eq!(again, reply);
    let r = &reply.results[0];
    assert_eq!(r.status, MutationStatus::Rejected);
    assert_eq!(r.code.as_deref(), Some("invalid_data"));
    assert_eq!(r.field.as_deref(), Some("organization_id"));
    assert!(r.message.as_deref().unwrap().contains("不在该乡镇"));
    // The refusal is handled (the next id is 2), but no record changed.
    assert_eq!(reply.last_applied, 1);
    let after = snapshot(&server).await;
    assert_eq!(
        (after.change_seq, after.records),
        (before.change_seq, before.records)
    );
    assert_eq!(
        after.mutations,
        before.mutations + 1,
        "the refusal is in the audit log"
    );
}

#[tokio::test]
async fn bad_requests_get_a_json_error_and_change_nothing() {
    let (server, _dir) = start();
    let mut tablet = Client::new(&server);
    tablet.login("zhidao01").await;
    let seeded = tablet.pull_all().await;
    let org = gujing_org(&seeded);
    tablet
        .push(json!([create_worker(1, Uuid::new_v4(), &org)]))
        .await;
    let before = snapshot(&server).await;
    let device = tablet.device;
    let url = format!("{}/api/v1/sync/push", server.base);
    let http = reqwest::Client::new();
    let token = tablet.token.clone().unwrap();

    let mut cases: Vec<(&str, reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            tablet.req(reqwest::Method::POST, "/sync/push").header("content-type", "application/json").body("{\"device_id\": "),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "unknown op",
            tablet.req(reqwest::Method::POST, "/sync/push").json(&json!({"device_id": device, "mutations": [
                {"id": 2, "at": "2026-11-27T08:00:00Z", "op": {"type": "worker.delete_everything@9", "data": {}}}]})),
            StatusCode::BAD_REQUEST,
            "unknown_op",
        ),
        (
            "body over the limit",
            tablet.req(reqwest::Method::POST, "/sync/push").header("content-type", "application/json")
                .body(format!("{{\"device_id\": \"{device}\", \"mutations\": [], \"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
        (
            "ids not contiguous",
            tablet.req(reqwest::Method::POST, "/sync/push").json(&json!({"device_id": device, "mutations": [
                create_worker(2, Uuid::new_v4(), &org), create_worker(4, Uuid::new_v4(), &org)]})),
            StatusCode::BAD_REQUEST,
            "batch_not_contiguous",
        ),
        (
            "ids descending",
            tablet.req(reqwest::Method::POST, "/sync/push").json(&json!({"device_id": device, "mutations": [
                create_worker(3, Uuid::new_v4(), &org), create_worker(2, Uuid::new_v4(), &org)]})),
            StatusCode::BAD_REQUEST,
            "batch_not_contiguous",
        ),
        (
            "a gap above the last applied id",
            tablet.req(reqwest::Method::POST, "/sync/push").json(&json!({"device_id": device, "mutations": [
                create_worker(5, Uuid::new_v4(), &org)]})),
            StatusCode::CONFLICT,
            "gap",
        ),
        (
            "no token",
            http.post(&url).header(PROTOCOL_HEADER, "1").json(&json!({"device_id": device, "mutations": [
                create_worker(2, Uuid::new_v4(), &org)]})),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "a wrong token",
            http.post(&url).header(PROTOCOL_HEADER, "1").bearer_auth("not-a-token").json(&json!({"device_id": device, "mutations": [
                create_worker(2, Uuid::new_v4(), &org)]})),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        ),
        (
            "another device's id",
            tablet.req(reqwest::Method::POST, "/sync/push").json(&json!({"device_id": Uuid::new_v4(), "mutations": [
                create_worker(2, Uuid::new_v4(), &org)]})),
            StatusCode::FORBIDDEN,
            "device_mismatch",
        ),
        (
            "no protocol header",
            http.post(&url).bearer_auth(&token).json(&json!({"device_id": device, "mutations": []})),
            StatusCode::BAD_REQUEST,
            "protocol_missing",
        ),
        (
            "an old protocol",
            http.post(&url).header(PROTOCOL_HEADER, "0").bearer_auth(&token).json(&json!({"device_id": device, "mutations": []})),
            StatusCode::UPGRADE_REQUIRED,
            "protocol_unsupported",
        ),
        (
            "a bad pull limit",
            tablet.req(reqwest::Method::GET, "/sync/pull?cursor=0&limit=0"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
        (
            "a negative cursor",
            tablet.req(reqwest::Method::GET, "/sync/pull?cursor=-1"),
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
    ];
    for (what, request, status, code) in cases.drain(..) {
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), status, "{what}");
        let body: Value = res
            .json()
            .await
            .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        assert_eq!(body["code"], code, "{what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {body}"
        );
        if code == "gap" {
            assert_eq!(body["last_applied"], 1, "{what}");
        }
        assert_eq!(
            snapshot(&server).await,
            before,
            "{what} changed the database"
        );
    }
}

#[tokio::test]
async fn login_refuses_wrong_passwords_and_foreign_devices() {
    let (server, _dir) = start();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/auth/login", server.base);
    let device = Uuid::new_v4();
    let res = http
        .post(&url)
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"username": "zhidao01", "password": "wrong", "device_id": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["message"], "用户名或密码不正确");

    let mut first = Client::new(&server);
    first.device = device;
    first.login("zhidao01").await;
    // The same browser profile cannot be taken over by another account while bound.
    let res = http
        .post(&url)
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"username": "zhidao02", "password": "hongling2026", "device_id": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "device_bound");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s() {
    let (server, _dir) = start();
    let res = reqwest::get(format!("{}/api/v1/nothing-here", server.base))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
}
