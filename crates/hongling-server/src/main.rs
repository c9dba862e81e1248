//! `hongling-server`: the district office's one program. `serve` (the default) opens the
//! database and serves the API and the built app; the other subcommands are what an IT
//! person runs by hand or from a timer: the first administrator, a way back in for a
//! locked-out one, backups and key rotation.
//!
//! Why subcommands and not flags: each task has its own arguments and its own `--help`,
//! and `serve` staying the default keeps `hongling-server --db … --demo` working.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use hongling_core::wire::SecurityEvent;
use hongling_server::keyfile::KeyFile;
use hongling_server::store::sqlite::SqliteStore;
use hongling_server::store::{NewAccount, Store};
use hongling_server::{AppState, app, backup, lock, seed, signing};

/// 红领认证 sync server.
#[derive(Debug, Parser)]
#[command(version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, the server runs (`serve`) with these options.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and the app (the default when no subcommand is given).
    Serve(ServeArgs),
    /// Create a district committee (区委非公工委) account: the first administrator.
    ///
    /// The password is read from standard input (asked twice, hidden, on a terminal).
    /// The first login must then set a new password.
    CreateAdmin {
        #[command(flatten)]
        db: DbArg,
        /// The new account's username (letters, digits, _ - .).
        username: String,
        /// The name shown in the app.
        #[arg(long, default_value = "区委非公工委")]
        name: String,
    },
    /// Set a new password for an account, for example a locked-out last administrator.
    ///
    /// The password is read from standard input; the account's sessions end and its
    /// first login must set a new password.
    ResetPassword {
        #[command(flatten)]
        db: DbArg,
        username: String,
    },
    /// Write a consistent copy of the database while the server runs.
    ///
    /// The copy is checked with SQLite's integrity_check, written with mode 0600 into
    /// OUT (a folder), and only the newest --keep copies are kept there. The signing key
    /// file goes in only encrypted with the passphrase of --key-passphrase-file (an age
    /// file beside the copy); without it the backup holds no key, and the key file must
    /// be kept safe some other way.
    Backup {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        keys: KeysArg,
        /// The folder that holds the backups.
        out: PathBuf,
        /// How many backups to keep in OUT (older ones are removed).
        #[arg(long, default_value_t = 14)]
        keep: usize,
        /// A file (mode 0600) whose first line is the passphrase that encrypts the
        /// signing keys into the backup.
        #[arg(long, value_name = "FILE")]
        key_passphrase_file: Option<PathBuf>,
    },
    /// Put a backup back in place of the database. Stop the server first.
    ///
    /// The database being replaced is backed up into pre-restore/ beside it first; its
    /// -wal and -shm files are removed. The backup's signing keys (its .keys.age file,
    /// opened with --key-passphrase-file) are merged into the key file, which keeps every
    /// key added since. Devices see the rewind at their next sync and send again what the
    /// backup lacks; certificates wait until a committee device has synced. A backup older
    /// than the devices' journal (--journal-days) is refused unless --force is given.
    Restore {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        keys: KeysArg,
        /// The backup file (hongling-<time>.sqlite).
        backup: PathBuf,
        /// A file (mode 0600) whose first line is the passphrase the backup's signing keys
        /// were encrypted with.
        #[arg(long, value_name = "FILE")]
        key_passphrase_file: Option<PathBuf>,
        /// How many days the devices keep their journal (the app's setting).
        #[arg(long, default_value_t = hongling_server::restore::DEFAULT_JOURNAL_DAYS)]
        journal_days: u32,
        /// Restore a backup older than the journal window anyway.
        #[arg(long)]
        force: bool,
    },
    /// Make a local certificate authority and a server certificate, for an office with
    /// no domain name.
    ///
    /// The CA may sign only for the given names and address ranges (name constraints);
    /// tablets trust it once (see /install). `--renew` makes a new server certificate from
    /// the same CA, so the tablets need nothing new. Prints the CA's SHA-256 fingerprint
    /// and writes a poster of it (ca-poster.html) to put up in the office.
    TlsInit {
        /// The server's host name, as tablets open it (repeatable).
        #[arg(long = "hostname", required = true)]
        hostnames: Vec<String>,
        /// The server's address, or address/prefix to allow the office's range (repeatable).
        #[arg(long = "ip")]
        ips: Vec<hongling_server::tls::IpArg>,
        /// The folder for ca.crt, ca.key, server.crt, server.key and the poster.
        #[arg(long)]
        out: PathBuf,
        /// A new server certificate from the CA already in --out.
        #[arg(long)]
        renew: bool,
    },
    /// Retire the certificate signing key and make a new one.
    ///
    /// The old key stays published, so what it signed still verifies. Refused while a
    /// server holds the database: stop it first, so no server signs with a retired key.
    RotateSigningKey {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        keys: KeysArg,
    },
}

#[derive(Debug, Args)]
struct KeysArg {
    /// The signing key file (mode 0600; default: beside the database, with the extension
    /// .keys). Several servers on one database share one such file.
    #[arg(long, value_name = "FILE", env = "HONGLING_SIGNING_KEYS")]
    signing_keys: Option<PathBuf>,
}

impl KeysArg {
    fn path(&self, db: &Path) -> PathBuf {
        self.signing_keys
            .clone()
            .unwrap_or_else(|| KeyFile::default_path(db))
    }
}

#[derive(Debug, Args)]
struct DbArg {
    /// The SQLite database file.
    #[arg(long, default_value = "data/hongling.sqlite")]
    db: PathBuf,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The SQLite database file.
    #[arg(long, default_value = "data/hongling.sqlite")]
    db: PathBuf,
    #[command(flatten)]
    keys: KeysArg,
    /// Serve the built app from this folder instead of the one built into the binary
    /// (a binary built without one serves the API only).
    #[arg(long = "static", value_name = "DIR")]
    static_dir: Option<PathBuf>,
    /// Seed a new database with the 谯城区 demo data and accounts, and mark it a demo for
    /// good. On an existing demo database it does nothing; on a real one it is refused.
    #[arg(long)]
    demo: bool,
    /// Before serving, retire the signing key and make a new one (as
    /// `rotate-signing-key`).
    #[arg(long)]
    rotate_signing_key: bool,
    /// Days a tablet keeps working offline after its last sync.
    #[arg(long, default_value_t = hongling_core::wire::DEFAULT_GRACE_DAYS)]
    offline_grace_days: u32,
    /// Days a session may go unused before it ends; never below --offline-grace-days, or
    /// a tablet coming back within its grace would find itself logged out.
    #[arg(long, default_value_t = hongling_server::DEFAULT_SESSION_IDLE_DAYS)]
    session_idle_days: u32,
    /// Most MiB of new attachments (photos, scans) one account may upload in 24 hours.
    #[arg(long, value_name = "MIB", default_value_t = hongling_core::blob::DEFAULT_DAILY_QUOTA_BYTES / 1024 / 1024)]
    blob_quota_mib: u64,
    /// Days the 安全日志 keeps its lines; at least 180 (网络安全法 §21 asks six months).
    #[arg(long, value_name = "DAYS", default_value_t = 365,
          value_parser = clap::value_parser!(u32).range(hongling_core::wire::SECURITY_LOG_MIN_DAYS as i64..))]
    security_log_days: u32,
    /// Serve HTTPS with this certificate chain (PEM); SIGHUP re-reads it and the key.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The local CA (from tls-init) that /install and /ca.crt give to tablets (default:
    /// ca.crt beside --tls-cert, when there is one).
    #[arg(long, value_name = "PEM")]
    tls_ca: Option<PathBuf>,
    /// Also listen for plain HTTP here: /install and /ca.crt are served, everything
    /// else is redirected to https.
    #[arg(long, value_name = "ADDR", requires = "tls_cert")]
    redirect_http: Option<SocketAddr>,
    /// Send Strict-Transport-Security (only with a public certificate: with a local CA a
    /// mistake would lock tablets out).
    #[arg(long)]
    hsts: bool,
    /// The app's https address (for example https://hongling.example.gov.cn), shown to
    /// a tablet that opens a plain http address.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// A reverse proxy (an address or address/prefix; repeatable) whose X-Forwarded-For
    /// names the client, for the login limits and the log. Nobody else's is believed.
    #[arg(long = "trusted-proxy", value_name = "CIDR", value_parser = hongling_server::running::parse_proxy)]
    trusted_proxies: Vec<ipnet::IpNet>,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The chain of causes, without a backtrace: this is read by a person.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    // One crypto provider for the whole process (ring), chosen before anything uses TLS.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hongling_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            None => serve(cli.serve).await,
            Some(Command::Serve(args)) => serve(args).await,
            Some(Command::CreateAdmin { db, username, name }) => {
                create_admin(&db.db, &username, &name).await
            }
            Some(Command::ResetPassword { db, username }) => {
                reset_password(&db.db, &username).await
            }
            Some(Command::Backup {
                db,
                keys,
                out,
                keep,
                key_passphrase_file,
            }) => {
                let key_file = keys.path(&db.db);
                let with_keys = match &key_passphrase_file {
                    Some(p) => Some((KeyFile::load(&key_file)?, backup::read_passphrase(p)?)),
                    None => None,
                };
                let report = backup::backup(&db.db, &out, keep, with_keys.as_ref()).await?;
                let detail = format!(
                    "{} 字节{}",
                    report.bytes,
                    if report.keys.is_some() { "，含加密的签名密钥" } else { "" }
                );
                server_line(
                    &open_existing(&db.db).await?,
                    SecurityEvent::Backup,
                    &report.file.display().to_string(),
                    &detail,
                )
                .await?;
                println!(
                    "backed up {} to {} ({} bytes, integrity ok); removed {} older backups",
                    db.db.display(),
                    report.file.display(),
                    report.bytes,
                    report.removed
                );
                match &report.keys {
                    Some(keys) => println!(
                        "the signing keys are in {} (encrypted with the passphrase)",
                        keys.display()
                    ),
                    None => println!(
                        "note: this backup does not hold the signing key file {}: give \
                         --key-passphrase-file to put it in encrypted, or keep a copy of it \
                         somewhere safe yourself",
                        key_file.display()
                    ),
                }
                Ok(())
            }
            Some(Command::Restore {
                db,
                keys,
                backup,
                key_passphrase_file,
                journal_days,
                force,
            }) => {
                let _lock = lock::DbLock::acquire(&db.db)?;
                let passphrase = match &key_passphrase_file {
                    Some(p) => Some(backup::read_passphrase(p)?),
                    None => None,
                };
                let key_file = keys.path(&db.db);
                let report = hongling_server::restore::restore(hongling_server::restore::Plan {
                    db: &db.db,
                    backup: &backup,
                    key_file: &key_file,
                    passphrase,
                    journal_days,
                    force,
                })
                .await?;
                let detail = format!("备份时间 {}", report.taken_at.to_rfc3339());
                server_line(
                    &open_existing(&db.db).await?,
                    SecurityEvent::Restore,
                    &backup.display().to_string(),
                    &detail,
                )
                .await?;
                if let Some(previous) = &report.previous {
                    println!("the database it replaced is kept in {}", previous.display());
                }
                println!(
                    "restored {} from the backup taken {} (new epoch {}); {} signing key(s) added to {}.\n\
                     Devices send again what they did since at their next sync; certificates \
                     wait until a committee device has synced. Check 恢复核对 in the app, and \
                     redo account, grant and password changes made after the backup \
                     (revocations first).",
                    db.db.display(),
                    report.taken_at.to_rfc3339(),
                    report.epoch,
                    report.keys_added,
                    key_file.display()
                );
                Ok(())
            }
            Some(Command::TlsInit {
                hostnames,
                ips,
                out,
                renew,
            }) => {
                let report = hongling_server::tls::init(&out, &hostnames, &ips, renew)?;
                let f = &report.files;
                println!(
                    "{} {} and its key {}\nCA: {} (key {}, keep it offline)\n\
                     CA SHA-256 fingerprint:\n  {}\nposter to put up in the office: {}\n\
                     serve with: --tls-cert {} --tls-key {}",
                    if renew { "renewed" } else { "made" },
                    f.cert.display(),
                    f.key.display(),
                    f.ca_cert.display(),
                    f.ca_key.display(),
                    report.ca_fingerprint,
                    f.poster.display(),
                    f.cert.display(),
                    f.key.display(),
                );
                Ok(())
            }
            Some(Command::RotateSigningKey { db, keys }) => {
                let _lock = lock::DbLock::acquire(&db.db)?;
                let store = open_existing(&db.db).await?;
                let started = open_keys(&store, &keys.path(&db.db), true).await?;
                println!(
                    "new certificate signing key {}; the old one stays published",
                    started.active
                );
                Ok(())
            }
        }
    })
}

/// Reads the signing key file and checks it against the database (moving secrets that an
/// older version kept in the database into it); with `rotate`, a new key signs from now on.
async fn open_keys(
    store: &SqliteStore,
    path: &Path,
    rotate: bool,
) -> anyhow::Result<signing::Started> {
    let mut file = KeyFile::load(path)?;
    let moved = store.move_secrets_to(&mut file).await?;
    if moved > 0 {
        println!(
            "moved {moved} signing key(s) out of the database into {}",
            path.display()
        );
    }
    let demo = seed::is_demo(store).await?;
    signing::start(store, &mut file, store.keyring(), demo, rotate).await
}

/// Opens a database that must exist already (the subcommands other than `serve`).
async fn open_existing(path: &Path) -> anyhow::Result<SqliteStore> {
    if !path.is_file() {
        bail!(
            "{} does not exist: give the database of the server with --db",
            path.display()
        );
    }
    SqliteStore::open(path).await
}

/// Reads a new password: hidden and twice on a terminal, one line otherwise (a script).
fn read_new_password(username: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("{username} 的新密码: "))?;
        let again = rpassword::prompt_password("再输入一次: ")?;
        if first != again {
            bail!("the two passwords differ: nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    hongling_server::password::check(username, &password)
        .map_err(|p| anyhow::anyhow!("{p} (nothing was changed)"))?;
    Ok(password)
}

fn hash(password: &str) -> anyhow::Result<String> {
    hongling_server::auth::hash_password(password)
}

async fn create_admin(db: &Path, username: &str, name: &str) -> anyhow::Result<()> {
    if !hongling_core::password::username_is_valid(username) {
        bail!("{}", hongling_core::password::USERNAME_RULE);
    }
    let store = SqliteStore::open(db).await?;
    if seed::is_demo(&store).await? {
        bail!(
            "{} is a demo database: real accounts do not go into demo data. Start the \
             server on a new database without --demo and create the administrator there",
            db.display()
        );
    }
    if store.account_by_username(username).await?.is_some() {
        bail!("{username} exists already: use reset-password to set its password");
    }
    let password = read_new_password(username)?;
    let grant = hongling_core::Grant {
        role: hongling_core::Role::DistrictCommittee,
        scope: hongling_core::Scope::District,
    };
    store
        .create_account(NewAccount {
            username: username.to_owned(),
            display_name: name.to_owned(),
            password_hash: hash(&password)?,
            grants: vec![grant],
            must_change_password: true,
        })
        .await?;
    server_line(
        &store,
        SecurityEvent::AccountCreated,
        username,
        "区委非公工委管理员",
    )
    .await?;
    println!(
        "created the district committee account {username}: log in with it in the app, \
         which asks for a new password first"
    );
    Ok(())
}

/// A line of the 安全日志 for a command run on the server itself.
async fn server_line(
    store: &SqliteStore,
    event: SecurityEvent,
    subject: &str,
    detail: &str,
) -> anyhow::Result<()> {
    store
        .log_security(hongling_server::store::SecurityLine {
            event,
            actor: "server",
            subject,
            address: "",
            detail,
        })
        .await?;
    Ok(())
}

async fn reset_password(db: &Path, username: &str) -> anyhow::Result<()> {
    let store = open_existing(db).await?;
    let Some(account) = store.account_by_username(username).await? else {
        bail!("there is no account {username}");
    };
    let password = read_new_password(username)?;
    store
        .set_password(username, &hash(&password)?, true, None)
        .await?;
    server_line(&store, SecurityEvent::PasswordReset, username, "").await?;
    println!(
        "set a new password for {username}; its sessions ended, and its first login asks \
         for a password of its own"
    );
    if account.disabled {
        println!("note: {username} is disabled; another administrator can enable it");
    }
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if args.session_idle_days < args.offline_grace_days {
        bail!(
            "--session-idle-days ({}) must not be below --offline-grace-days ({}): a tablet \
             coming back within its offline grace would find itself logged out",
            args.session_idle_days,
            args.offline_grace_days
        );
    }
    if let Some(url) = &args.public_url
        && !url.starts_with("https://")
    {
        bail!("--public-url must be an https:// address, not {url}");
    }
    let assets = match &args.static_dir {
        Some(dir) => {
            if !dir.join("index.html").is_file() {
                bail!(
                    "{} has no index.html: build the app first (cargo xtask dist)",
                    dir.display()
                );
            }
            Some((
                hongling_server::assets::Assets::from_dir(dir)?,
                dir.display().to_string(),
            ))
        }
        None => hongling_server::assets::Assets::embedded()?.map(|a| (a, "this binary".to_owned())),
    };
    match &assets {
        Some((a, from)) => {
            let (files, raw, br) = a.summary();
            println!(
                "serving the app from {from}: {files} files, {} KiB ({} KiB as brotli)",
                raw / 1024,
                br / 1024
            );
        }
        None => println!("this binary has no app built in and --static is not given: API only"),
    }
    let _lock = lock::DbLock::acquire(&args.db)?;
    let store = SqliteStore::open(&args.db).await?;
    let mut seeded = false;
    if args.demo {
        seeded = seed::seed_demo(&store).await?;
        if seeded {
            println!("seeded demo data of 谯城区 into {}", args.db.display());
        }
        println!("demo accounts (password {}):", seed::DEMO_PASSWORD);
        for (username, name, _) in seed::DEMO_ACCOUNTS {
            println!("  {username:<12} {name}");
        }
    }
    let key_file = args.keys.path(&args.db);
    let started = open_keys(&store, &key_file, args.rotate_signing_key).await?;
    if args.rotate_signing_key {
        println!("new certificate signing key {}", started.active);
    }
    tracing::info!(
        key_id = started.active,
        key_file = %key_file.display(),
        "certificate signing key"
    );
    if seeded {
        let n = store.issue_waiting().await?;
        println!("issued {n} demo certificates");
    }
    if store.is_empty().await? {
        println!(
            "this database has no account yet: create the first administrator with\n  \
             hongling-server create-admin --db {} USERNAME",
            args.db.display()
        );
    }
    // Installed before the server says it listens, so a SIGTERM that comes at once is
    // already a clean stop.
    let stop = shutdown_signal()?;
    let mut state = AppState::new(store.clone());
    state.offline_grace_days = args.offline_grace_days;
    state.session_idle_days = args.session_idle_days;
    state.blob_quota_bytes = args.blob_quota_mib.saturating_mul(1024 * 1024);
    // Attachments no record names, and 安全日志 lines past their days, go at start and
    // then once a day. Stopped before the database closes.
    let maintenance = {
        let store = store.clone();
        let log_days = args.security_log_days;
        tokio::spawn(async move {
            let mut day = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
            loop {
                day.tick().await;
                let before = chrono::Utc::now()
                    - chrono::Duration::days(hongling_core::blob::UNNAMED_KEPT_DAYS);
                match store.collect_blobs(before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(removed = n, "attachments no record names"),
                    Err(e) => tracing::warn!(error = %e, "collecting attachments failed"),
                }
                let before = chrono::Utc::now() - chrono::Duration::days(i64::from(log_days));
                if let Err(e) = store.prune_security_log(before).await {
                    tracing::warn!(error = %e, "pruning the security log failed");
                }
            }
        })
    };
    state.trusted_proxies =
        hongling_server::running::TrustedProxies(std::sync::Arc::new(args.trusted_proxies.clone()));
    let ca_file = args.tls_ca.clone().or_else(|| {
        args.tls_cert
            .as_ref()
            .and_then(|c| c.parent().map(|d| d.join("ca.crt")))
            .filter(|p| p.is_file())
    });
    state.install = match &ca_file {
        Some(path) => {
            hongling_server::install::Install::with_ca_file(path, args.public_url.clone())?
        }
        None => hongling_server::install::Install {
            ca: None,
            public_url: args.public_url.clone(),
        },
    };
    let install = state.install.clone();
    let mut router = app(state, assets.map(|(a, _)| std::sync::Arc::new(a)));
    if args.hsts {
        router = router.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        ));
    }
    if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        let tls_listener = std::net::TcpListener::bind(args.bind)
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let https_port = tls_listener.local_addr()?.port();
        if let Some(plain) = args.redirect_http {
            let listener = tokio::net::TcpListener::bind(plain)
                .await
                .with_context(|| format!("cannot listen on {plain} (--redirect-http)"))?;
            println!("redirecting http://{} to https", listener.local_addr()?);
            let redirect = hongling_server::headers::secure(
                hongling_server::install::redirect_router(install, https_port),
                &hongling_server::headers::content_security_policy(None),
            );
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, redirect).await {
                    tracing::error!(error = %e, "the http redirect stopped");
                }
            });
        }
        serve_tls(tls_listener, cert, key, router, stop).await?;
        maintenance.abort();
        let _ = maintenance.await;
        store.close().await;
        tracing::info!("stopped cleanly");
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    // Tests read this line to find the port.
    println!("listening on http://{addr}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stop)
    .await?;
    // In-flight requests are done: close the pool, so SQLite checkpoints its WAL.
    maintenance.abort();
    let _ = maintenance.await;
    store.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Serves HTTPS (HTTP/1.1 and HTTP/2) until `stop`; SIGHUP re-reads the certificate and
/// key, so a renewed certificate needs no restart.
async fn serve_tls(
    listener: std::net::TcpListener,
    cert: &Path,
    key: &Path,
    router: axum::Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum_server::tls_rustls::RustlsConfig;
    let config = RustlsConfig::from_pem_file(cert, key)
        .await
        .with_context(|| format!("cannot read {} and {}", cert.display(), key.display()))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .context("cannot handle SIGHUP")?;
    let reload = config.clone();
    let (cert, key) = (cert.to_path_buf(), key.to_path_buf());
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            match reload.reload_from_pem_file(&cert, &key).await {
                Ok(()) => tracing::info!(cert = %cert.display(), "re-read the TLS certificate"),
                Err(e) => tracing::error!(
                    error = %e,
                    "cannot re-read the TLS certificate: the old one stays in use"
                ),
            }
        }
    });
    let handle = axum_server::Handle::new();
    let h = handle.clone();
    tokio::spawn(async move {
        stop.await;
        h.graceful_shutdown(Some(std::time::Duration::from_secs(30)));
    });
    // Tests read this line to find the port.
    println!("listening on https://{addr}");
    axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<SocketAddr>())
        .await?;
    Ok(())
}

/// A future that resolves on SIGTERM (systemd's stop) or SIGINT (Ctrl-C). The handlers
/// are installed when this is called, not when the future is first polled.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("stopping: finishing the requests under way");
    })
}
