//! Shared by the integration tests: the real server binary on port 0 with an SQLite file,
//! and a real HTTP transport for the shared client sync logic.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use hongling_core::wire::{
    ErrorBody, LoginResponse, MutationResult, PROTOCOL_HEADER, PullQuery, PullResponse,
    PushRequest, PushResponse,
};
use hongling_sync::{BlobEntry, Transport, TransportError};
use serde_json::json;
use uuid::Uuid;

/// A running `hongling-server` process.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub db: PathBuf,
    /// What the server printed before it listened.
    pub banner: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the server on a free port with the demo data on `db`; `env` adds variables.
    pub fn start(db: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_args(db, env, &[])
    }

    /// [`Server::start`] with extra command-line arguments.
    pub fn start_args(db: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut all = vec!["--demo"];
        all.extend_from_slice(args);
        Server::spawn(db, env, &all)
    }

    /// The server on `db` as a district runs it: no demo data.
    pub fn start_real(db: &Path, args: &[&str]) -> Server {
        Server::spawn(db, &[], args)
    }

    fn spawn(db: &Path, env: &[(&str, &str)], args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hongling-server"));
        command
            .args(["--bind", "127.0.0.1:0", "--db"])
            .arg(db)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("RUST_LOG", "hongling_server=warn");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut banner = Vec::new();
        let base = loop {
            let line = lines
                .next()
                .expect("the server exited before listening")
                .unwrap();
            if let Some(addr) = line.strip_prefix("listening on ") {
                break addr.to_owned();
            }
            banner.push(line);
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            db: db.to_path_buf(),
            banner,
        }
    }

    /// Kills the process with SIGKILL and waits for it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGHUP (re-read the TLS certificate).
    pub fn hangup(&self) {
        let _ = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status();
    }

    /// Sends SIGTERM (systemd's stop) without waiting for the process to end.
    pub fn signal_term(&self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
    }

    /// Sends SIGTERM (systemd's stop) and waits for the process to end; its status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }

    /// Waits for the process to end by itself (a deliberate crash).
    pub fn wait_exit(&mut self) {
        let _ = self.child.wait();
    }
}

/// The password of a test account: the demo password for the demo accounts, and for an
/// account a test creates, one derived from its name (the demo password is on the list of
/// common passwords, so a real account cannot have it).
pub fn password_of(username: &str) -> String {
    if hongling_server::seed::DEMO_ACCOUNTS
        .iter()
        .any(|(u, _, _)| *u == username)
    {
        hongling_server::seed::DEMO_PASSWORD.to_owned()
    } else {
        format!("{username}-test-password")
    }
}

/// Logs in and returns the token and the account.
pub async fn login(base: &str, username: &str, device: Uuid) -> LoginResponse {
    login_with_key(base, username, device, None).await
}

/// Logs in bringing the device's public key (base64), as the app does.
pub async fn login_with_key(
    base: &str,
    username: &str,
    device: Uuid,
    device_key: Option<&str>,
) -> LoginResponse {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .header(PROTOCOL_HEADER, "1")
        .json(
            &json!({"username": username, "password": password_of(username),
            "device_id": device, "device_key": device_key}),
        )
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "login of {username} failed: {}",
        res.status()
    );
    res.json::<LoginResponse>().await.unwrap()
}

/// The protocol over a real HTTP client.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl HttpTransport {
    pub fn new(base: &str, token: String) -> HttpTransport {
        HttpTransport {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token,
        }
    }

    async fn decode<T: serde::de::DeserializeOwned>(
        res: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, TransportError> {
        let res = res.map_err(|e| TransportError::Network(e.to_string()))?;
        let status = res.status();
        let text = res
            .text()
            .await
            .map_err(|e| TransportError::Network(e.to_string()))?;
        if status.is_success() {
            serde_json::from_str(&text).map_err(|e| TransportError::Decode(e.to_string()))
        } else {
            let body = serde_json::from_str::<ErrorBody>(&text)
                .map_err(|e| TransportError::Decode(format!("{status}: {e}: {text}")))?;
            Err(TransportError::Server {
                status: status.as_u16(),
                body,
            })
        }
    }
}

impl Transport for HttpTransport {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        let res = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .json(req)
            .send()
            .await;
        HttpTransport::decode(res).await
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let res = self
            .http
            .get(format!(
                "{}/api/v1/sync/pull?{}",
                self.base,
                query.to_query()
            ))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .send()
            .await;
        HttpTransport::decode(res).await
    }

    async fn put_blob(&self, blob: &BlobEntry) -> Result<(), TransportError> {
        let res = self
            .http
            .put(format!("{}/api/v1/blobs/{}", self.base, blob.sha256))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&self.token)
            .body(blob.bytes.clone())
            .send()
            .await
            .map_err(|e| TransportError::Network(e.to_string()))?;
        if res.status().is_success() {
            return Ok(());
        }
        HttpTransport::decode::<serde_json::Value>(Ok(res))
            .await
            .map(|_| ())
    }
}

/// One signed-in tablet: the real client logic on an in-memory store.
#[allow(dead_code)]
pub struct Tablet {
    pub store: hongling_sync::memory::MemoryStore,
    pub transport: HttpTransport,
    pub id: Uuid,
    pub actor: hongling_core::Actor,
}

#[allow(dead_code)]
impl Tablet {
    pub async fn new(base: &str, username: &str) -> Tablet {
        Tablet::login(base, username, None).await
    }

    /// A tablet whose device key (base64 public key) the server registers at login.
    pub async fn login(base: &str, username: &str, device_key: Option<&str>) -> Tablet {
        let id = Uuid::new_v4();
        let login = login_with_key(base, username, id, device_key).await;
        Tablet {
            store: hongling_sync::memory::MemoryStore::new(),
            transport: HttpTransport::new(base, login.token),
            id,
            actor: hongling_core::Actor {
                account_id: login.account.id,
                grants: login.account.grants,
            },
        }
    }

    pub async fn sync(&self) {
        hongling_sync::sync_once(&self.store, &self.transport, self.id, &self.actor, |_| {})
            .await
            .unwrap();
    }

    /// Saves an intent on the tablet, as a form does: the local rules decide first.
    pub async fn commit(&self, op: hongling_core::Op) -> Result<u64, hongling_core::Rejection> {
        hongling_sync::commit_local(&self.store, &self.actor, op, chrono::Utc::now())
            .await
            .unwrap()
    }

    /// A new worker (secretary, two years in post) in an organization of the tablet's own
    /// townships, as the worker form makes it; not yet committed.
    pub fn new_worker(&self, name: &str, id_card: Option<&str>) -> (Uuid, hongling_core::Op) {
        use hongling_core::model::Organization;
        let (org, body) = self
            .all::<Organization>(hongling_core::RecordKind::Organization)
            .into_iter()
            .find(|(_, o)| {
                hongling_core::grant::holds_in_township(
                    &self.actor.grants,
                    &hongling_core::people::worker::WORKER_EDITORS,
                    o.township_id,
                )
            })
            .expect("an organization in the tablet's townships");
        let id = Uuid::new_v4();
        let mut op = hongling_core::testkit::create_worker(id, body.township_id, org, name);
        if let hongling_core::Op::WorkerCreateV1(c) = &mut op {
            c.id_card = id_card.map(str::to_owned);
        }
        (id, op)
    }

    /// Every live record of `kind` this tablet holds, decoded.
    pub fn all<T: serde::de::DeserializeOwned>(
        &self,
        kind: hongling_core::RecordKind,
    ) -> Vec<(Uuid, T)> {
        self.store
            .view()
            .into_iter()
            .filter(|r| r.kind == kind)
            .map(|r| (r.id, r.decode().unwrap()))
            .collect()
    }

    pub fn get<T: serde::de::DeserializeOwned>(
        &self,
        kind: hongling_core::RecordKind,
        id: Uuid,
    ) -> Option<T> {
        self.all(kind)
            .into_iter()
            .find(|(i, _)| *i == id)
            .map(|(_, t)| t)
    }
}

/// `GET /api/v1{path}` with `token`: the status and the JSON body (null when none).
#[allow(dead_code)]
pub async fn get(base: &str, path: &str, token: &str) -> (reqwest::StatusCode, serde_json::Value) {
    let res = reqwest::Client::new()
        .get(format!("{base}/api/v1{path}"))
        .header(hongling_core::wire::PROTOCOL_HEADER, "1")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// Pushes one mutation from a fresh device of `username`, bypassing the tablet's own
/// rules: what the server alone decides.
#[allow(dead_code)]
pub async fn push_raw(base: &str, username: &str, op: hongling_core::Op) -> MutationResult {
    let device = Uuid::new_v4();
    let login = login(base, username, device).await;
    let transport = HttpTransport::new(base, login.token);
    let reply = transport
        .push(&PushRequest {
            device_id: device,
            mutations: vec![
                hongling_core::wire::Mutation {
                    id: 1,
                    at: chrono::Utc::now(),
                    op,
                }
                .into(),
            ],
            replay: None,
        })
        .await
        .unwrap();
    reply.results.into_iter().next().unwrap()
}

/// Runs the server binary with `args`, `stdin` on its standard input; its exit status,
/// standard output and standard error.
pub fn run_cli(args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hongling-server"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_LOG", "hongling_server=warn")
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A direct connection to a test's database, for what no API does (reading a table,
/// back-dating rows). Only while no server runs on it, or for reads.
#[allow(dead_code)]
pub async fn open_db(db: &Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .connect()
        .await
        .unwrap()
}

/// Sets a contest up on the administrator's tablet (committed, not yet synced): the first
/// three workers it holds as contestants, 内容 (60) and 表达 (40) in half points, and the
/// given judges, none dropped (a panel of five drops).
pub async fn create_contest(
    admin: &Tablet,
    judges: &[&Tablet],
) -> (Uuid, Vec<hongling_core::contest::Contestant>) {
    use hongling_core::contest::{ContestCreateV1, Contestant, Judge};
    use hongling_core::scoring::Criterion;
    let contestants: Vec<Contestant> = admin
        .all::<hongling_core::Worker>(hongling_core::RecordKind::Worker)
        .into_iter()
        .take(3)
        .map(|(id, w)| Contestant {
            worker_id: id,
            name: w.name,
            organization: String::new(),
        })
        .collect();
    let criterion = |name: &str, max| Criterion {
        name: name.into(),
        max,
        weight: 100,
        step: 50,
    };
    let contest = Uuid::new_v4();
    admin
        .commit(hongling_core::Op::ContestCreateV1(ContestCreateV1 {
            id: contest,
            title: "2026年红领实训比赛".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            venue: "区委党校报告厅".into(),
            rubric: vec![criterion("内容", 6000), criterion("表达", 4000)],
            contestants: contestants.clone(),
            judges: judges
                .iter()
                .map(|t| Judge {
                    account_id: t.actor.account_id,
                    name: "评委".into(),
                })
                .collect(),
            trim_from: 5,
            tie_break: vec![0],
        }))
        .await
        .unwrap();
    (contest, contestants)
}
