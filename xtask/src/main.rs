//! `cargo xtask`: build, run, test, size and bench tasks for 红领认证.
//!
//! Why a Rust program and not shell scripts: it runs wherever cargo runs, its steps are
//! typed and timed, and the two README commands (`cargo xtask run`, `cargo xtask test`)
//! can set up a fresh Debian machine that has only Rust. Every setup step checks first
//! and installs only what is missing, so running it again is cheap.

mod release;
mod setup;
mod size;
mod sw;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <task>

  setup [--tests]   install what is missing (wasm32 target, trunk, wasm-bindgen-cli,
                    Node.js, wasm-opt; with --tests also Chromium, ChromeDriver, CJK fonts)
  dist              build the app in release mode into dist/ (with the service worker list)
  run               dist, then start the server on http://127.0.0.1:8080 with demo data
  test              every check and test: fmt, clippy (native and wasm32), core, server,
                    browser storage tests, end-to-end tests in Chromium
  size              wasm, js and css sizes of dist/ (raw, gzip, brotli)
  bench             push/pull throughput and a backup through the real server, then a
                    first visit over HTTPS in Chromium (--sync-only: the first part);
                    --browser: the tablet at N records in Chromium (N=10000, THROTTLE=1),
                    then PouchDB replicating with express-pouchdb in the same run
  release           static musl servers for x86_64 and aarch64 with the app inside, each run
                    once (the ARM one under qemu), in a tarball with the systemd units";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    let task = args.first().map(String::as_str).unwrap_or("help");
    let mut timer = Timer::new();
    match task {
        "setup" => setup::run(&mut timer, args.iter().any(|a| a == "--tests"))?,
        "dist" => {
            setup::run(&mut timer, false)?;
            dist(&mut timer)?;
        }
        "run" => run(&mut timer)?,
        "release" => {
            setup::run(&mut timer, false)?;
            setup::release_tools(&mut timer)?;
            dist(&mut timer)?;
            release::run(&mut timer)?;
            timer.summary();
        }
        "test" => test(&mut timer)?,
        "size" => {
            if !root.join("dist/index.html").exists() {
                setup::run(&mut timer, false)?;
                dist(&mut timer)?;
            }
            size::report(&root.join("dist"))?;
        }
        "bench" => bench(&mut timer)?,
        "help" | "-h" | "--help" => println!("{USAGE}"),
        other => bail!("unknown task {other:?}\n\n{USAGE}"),
    }
    timer.summary();
    Ok(())
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Times stages and prints each one's duration.
pub struct Timer {
    start: Instant,
    stages: Vec<(String, f64)>,
}

impl Timer {
    fn new() -> Timer {
        Timer {
            start: Instant::now(),
            stages: Vec::new(),
        }
    }

    /// Runs one stage, printing its name before and its time after.
    pub fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        println!("\n==> {name}");
        let t = Instant::now();
        let out = f().with_context(|| format!("stage failed: {name}"));
        let secs = t.elapsed().as_secs_f64();
        println!("<== {name}: {secs:.1} s");
        self.stages.push((name.to_owned(), secs));
        out
    }

    fn summary(&self) {
        if self.stages.is_empty() {
            return;
        }
        println!("\nstage times:");
        for (name, secs) in &self.stages {
            println!("  {secs:>8.1} s  {name}");
        }
        println!("  {:>8.1} s  total", self.start.elapsed().as_secs_f64());
    }
}

/// PATH with the project's node tools and cargo's bin folder in front.
pub fn tool_path() -> String {
    let root = project_root();
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let cargo_bin = std::env::var("CARGO_HOME")
        .map(|h| format!("{h}/bin"))
        .unwrap_or_else(|_| format!("{home}/.cargo/bin"));
    format!(
        "{}:{}:{}",
        root.join("node_modules/.bin").display(),
        cargo_bin,
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A command with [`tool_path`] set.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("PATH", tool_path());
    c
}

/// Runs a command, failing with its command line when it fails.
pub fn run_cmd(c: &mut Command) -> Result<()> {
    let status = c.status().with_context(|| format!("cannot start {c:?}"))?;
    if !status.success() {
        bail!("{c:?} failed with {status}");
    }
    Ok(())
}

fn dist(timer: &mut Timer) -> Result<()> {
    timer.stage("fetch crates", || {
        run_cmd(cmd("cargo").args(["fetch", "--locked"]))
    })?;
    timer.stage("build the app (trunk, release, wasm-opt)", || {
        run_cmd(cmd("trunk").args(["build", "--release", "--offline", "--locked"]))
    })?;
    timer.stage("write the service worker's precache list", || {
        sw::write_precache(Path::new("dist"))
    })?;
    // After the precache list: the .br and .gz copies are the same files, not new ones.
    timer.stage("precompress (brotli 11, gzip -9)", || {
        let (raw, br) = size::precompress(Path::new("dist"))?;
        println!(
            "compressible files: {} KiB, {} KiB as brotli",
            raw / 1024,
            br / 1024
        );
        Ok(())
    })
}

fn run(timer: &mut Timer) -> Result<()> {
    setup::run(timer, false)?;
    dist(timer)?;
    timer.stage(
        "build the server with the app inside (release, the server profile)",
        || {
            run_cmd(cmd("cargo").args([
                "build",
                "--profile",
                "server",
                "--locked",
                "-p",
                "hongling-server",
                "--features",
                "embedded-app",
            ]))
        },
    )?;
    timer.summary();
    println!("\nstarting the server: open http://127.0.0.1:8080 (Ctrl-C stops it)");
    let status = cmd("target/server/hongling-server")
        .args([
            "--bind",
            "127.0.0.1:8080",
            "--db",
            "data/hongling.sqlite",
            "--demo",
        ])
        .status()?;
    if !status.success() {
        bail!("the server stopped with {status}");
    }
    std::process::exit(0);
}

/// Runs `cargo` with the words of `args`.
fn cargo(args: &str) -> Result<()> {
    run_cmd(cmd("cargo").args(args.split_whitespace()))
}

fn test(timer: &mut Timer) -> Result<()> {
    setup::run(timer, true)?;
    timer.stage("rustfmt --check", || cargo("fmt --all --check"))?;
    timer.stage("clippy (native: core, sync, server, xtask)", || {
        cargo(
            "clippy --locked --all-targets -p hongling-core -p hongling-sync -p hongling-server \
             -p xtask -- -D warnings",
        )
    })?;
    timer.stage("clippy (wasm32: app, core, sync)", || {
        cargo(
            "clippy --locked --all-targets --target wasm32-unknown-unknown -p hongling \
             -p hongling-core -p hongling-sync -- -D warnings",
        )
    })?;
    timer.stage("core and sync build for wasm32 (no I/O crates)", || {
        cargo("build --locked --target wasm32-unknown-unknown -p hongling-core -p hongling-sync")
    })?;
    timer.stage(
        "core, sync and server tests (real server on port 0, SQLite file, faults)",
        || cargo("test --locked -p hongling-core -p hongling-sync -p hongling-server -p xtask"),
    )?;
    timer.stage(
        "browser storage tests (wasm-bindgen-test, headless Chromium)",
        || {
            run_cmd(
                cmd("cargo")
                    .args([
                        "test",
                        "--locked",
                        "--target",
                        "wasm32-unknown-unknown",
                        "-p",
                        "hongling",
                    ])
                    .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                    .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
            )
        },
    )?;
    dist(timer)?;
    timer.stage(
        "the server with the app inside (debug, embedded-app)",
        || cargo("build --locked -p hongling-server --features embedded-app"),
    )?;
    timer.stage("end-to-end tests (playwright-core, Chromium)", || {
        run_cmd(
            cmd("node")
                .args(["--test", "--test-concurrency=1", "tests/e2e/"])
                .env("HONGLING_SERVER_BIN", "target/debug/hongling-server")
                .env("HONGLING_DIST", "dist"),
        )
    })?;
    Ok(())
}

/// The tablet at N records (`tests/bench/browser.mjs`): the release app and the release
/// server, so the figures are what a district runs.
fn bench_browser(timer: &mut Timer) -> Result<()> {
    setup::run(timer, true)?;
    if !Path::new("dist/index.html").exists() {
        dist(timer)?;
    }
    timer.stage("the server (release)", || {
        cargo("build --release --locked -p hongling-server")
    })?;
    timer.stage("browser benchmark (Chromium, N records)", || {
        run_cmd(
            cmd("node")
                .arg("tests/bench/browser.mjs")
                .env("HONGLING_SERVER_BIN", "target/release/hongling-server")
                .env("HONGLING_DIST", "dist"),
        )
    })?;
    // The peer, measured right after on the same machine: PouchDB's own packages, kept
    // apart from the app's (tests/bench/peer).
    timer.stage(
        "setup: the peer's packages (npm ci in tests/bench/peer)",
        || {
            run_cmd(
                cmd("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .current_dir("tests/bench/peer"),
            )
        },
    )?;
    timer.stage(
        "peer benchmark (PouchDB ⇄ express-pouchdb, N documents)",
        || run_cmd(cmd("node").arg("tests/bench/pouchdb.mjs")),
    )
}

fn bench(timer: &mut Timer) -> Result<()> {
    if std::env::args().any(|a| a == "--browser") {
        return bench_browser(timer);
    }
    timer.stage("sync benchmark (release server, loopback)", || {
        run_cmd(cmd("cargo").args([
            "test",
            "--release",
            "--locked",
            "-p",
            "hongling-server",
            "--test",
            "bench",
            "--",
            "--ignored",
            "--nocapture",
        ]))
    })?;
    if std::env::args().any(|a| a == "--sync-only") {
        return Ok(());
    }
    setup::run(timer, true)?;
    if !Path::new("dist/index.html").exists() {
        dist(timer)?;
    }
    timer.stage("first visit over HTTPS (Chromium, fresh profile)", || {
        cargo("build --locked -p hongling-server")?;
        run_cmd(
            cmd("node")
                .arg("tests/bench/first_visit.mjs")
                .env("HONGLING_SERVER_BIN", "target/debug/hongling-server")
                .env("HONGLING_DIST", "dist"),
        )
    })
}
