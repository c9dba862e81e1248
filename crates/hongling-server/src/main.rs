//! `hongling-server`: opens the database, seeds demo data on request, serves the API and
//! the built app.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use hongling_server::store::Store;
use hongling_server::store::sqlite::SqliteStore;
use hongling_server::{AppState, app, seed, signing};

const USAGE: &str = "usage: hongling-server [--bind ADDR] [--db FILE] [--static DIR] [--demo]

  --bind ADDR    address to listen on (default 127.0.0.1:8080; port 0 picks a free port)
  --db FILE      SQLite database file (default data/hongling.sqlite)
  --static DIR   the built app to serve (default: serve the API only)
  --demo         on a new database, create the Qiaocheng demo data and accounts
  --rotate-signing-key
                 retire the certificate signing key and make a new one (the old one
                 stays published, so what it signed still verifies)
  --offline-grace-days N
                 days a tablet keeps working offline after its last sync (default 7)";

#[derive(Debug)]
struct Args {
    bind: SocketAddr,
    db: PathBuf,
    static_dir: Option<PathBuf>,
    demo: bool,
    rotate_signing_key: bool,
    offline_grace_days: u32,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        bind: "127.0.0.1:8080".parse()?,
        db: PathBuf::from("data/hongling.sqlite"),
        static_dir: None,
        demo: false,
        rotate_signing_key: false,
        offline_grace_days: hongling_core::wire::DEFAULT_GRACE_DAYS,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--bind" => args.bind = value()?.parse().context("--bind wants HOST:PORT")?,
            "--db" => args.db = PathBuf::from(value()?),
            "--static" => args.static_dir = Some(PathBuf::from(value()?)),
            "--demo" => args.demo = true,
            "--rotate-signing-key" => args.rotate_signing_key = true,
            "--offline-grace-days" => {
                args.offline_grace_days = value()?
                    .parse()
                    .context("--offline-grace-days wants a number of days")?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "hongling_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = parse_args()?;
    if let Some(dir) = &args.static_dir
        && !dir.join("index.html").is_file()
    {
        bail!(
            "{} has no index.html: build the app first (cargo xtask dist)",
            dir.display()
        );
    }
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
    let key_id = if args.rotate_signing_key {
        let id = signing::rotate(&store).await?;
        println!("new certificate signing key {id}");
        id
    } else {
        signing::ensure(&store).await?
    };
    tracing::info!(key_id, "certificate signing key");
    if seeded {
        let n = store.issue_waiting().await?;
        println!("issued {n} demo certificates");
    }
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    // Tests read this line to find the port.
    println!("listening on http://{addr}");
    let mut state = AppState::new(store);
    state.offline_grace_days = args.offline_grace_days;
    let router = app(state, args.static_dir);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
