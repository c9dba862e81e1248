//! Installs what the build and the tests need, only where it is missing.
//!
//! Pinned versions: trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli exactly
//! the wasm-bindgen of Cargo.lock, wasm-opt from the npm package binaryen@132 (Debian's
//! binaryen 108 emits wasm that crashes Chromium). Browsers come from Debian, never from
//! a test tool's own download.

use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{Timer, cmd, run_cmd};

const TRUNK_VERSION: &str = "0.21.14";
const WASM_OPT_VERSION: &str = "version_132";

fn output(c: &mut Command) -> Option<String> {
    let out = c.stderr(Stdio::null()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|s| s.trim() == "0")
}

/// `apt-get install` for the packages that are not installed yet.
fn apt_install(packages: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| {
            output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        println!("already installed: {}", packages.join(", "));
        return Ok(());
    }
    println!("installing with apt-get: {}", missing.join(", "));
    let sudo = if is_root() { None } else { Some("sudo") };
    let apt = |args: &[&str]| -> Result<()> {
        let mut c = match sudo {
            Some(s) => {
                let mut c = Command::new(s);
                c.arg("apt-get");
                c
            }
            None => Command::new("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_cmd(&mut c)
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args)
}

/// The wasm-bindgen version recorded in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("Cargo.lock is missing")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen")
}

pub fn run(timer: &mut Timer, tests: bool) -> Result<()> {
    timer.stage("setup: wasm32 target", || {
        let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
            .unwrap_or_default();
        if installed
            .lines()
            .any(|l| l.trim() == "wasm32-unknown-unknown")
        {
            println!("already installed");
            return Ok(());
        }
        run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
    })?;
    timer.stage("setup: Node.js and npm", || {
        let has_node = output(cmd("node").arg("--version")).is_some();
        let has_npm = output(cmd("npm").arg("--version")).is_some();
        if has_node && has_npm {
            println!("already installed");
            return Ok(());
        }
        apt_install(&["nodejs", "npm"])
    })?;
    timer.stage(&format!("setup: trunk {TRUNK_VERSION}"), || {
        if output(cmd("trunk").arg("--version")).is_some_and(|v| v.contains(TRUNK_VERSION)) {
            println!("already installed");
            return Ok(());
        }
        run_cmd(cmd("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))
    })?;
    let wbg = locked_wasm_bindgen()?;
    timer.stage(
        &format!("setup: wasm-bindgen-cli {wbg} (as in Cargo.lock)"),
        || {
            if output(cmd("wasm-bindgen").arg("--version"))
                .is_some_and(|v| v.trim().ends_with(&wbg))
            {
                println!("already installed");
                return Ok(());
            }
            // Not --locked: its lock file wants a webpki-roots the registry lacks.
            run_cmd(cmd("cargo").args([
                "install",
                "--force",
                "wasm-bindgen-cli",
                "--version",
                &wbg,
            ]))
        },
    )?;
    timer.stage(
        "setup: node packages (npm ci: binaryen, playwright-core, jsqr, pngjs)",
        || {
            let stamp = std::path::Path::new("node_modules/.package-lock.json");
            let lock =
                std::fs::read("package-lock.json").context("package-lock.json is missing")?;
            if stamp.exists()
                && std::fs::read("node_modules/.hongling-lock").ok().as_deref() == Some(&lock[..])
            {
                println!("already installed");
                return Ok(());
            }
            run_cmd(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
            std::fs::write("node_modules/.hongling-lock", lock)?;
            Ok(())
        },
    )?;
    timer.stage("setup: check wasm-opt", || {
        let v = output(cmd("wasm-opt").arg("--version")).unwrap_or_default();
        if !v.contains(WASM_OPT_VERSION) {
            bail!("wasm-opt on PATH is {v:?}, want {WASM_OPT_VERSION} from node_modules/.bin");
        }
        println!("{}", v.trim());
        Ok(())
    })?;
    if tests {
        // certutil (libnss3-tools) makes the NSS database in which the HTTPS test trusts
        // the local CA that tls-init made, as a tablet would after /install. pdftotext
        // (poppler-utils) and unzip read the annual report's PDF, .docx and XLSX back.
        timer.stage(
            "setup: Chromium, ChromeDriver, CJK fonts, certutil, pdftotext, unzip",
            || {
                apt_install(&[
                    "chromium",
                    "chromium-driver",
                    "fonts-noto-cjk",
                    "libnss3-tools",
                    "poppler-utils",
                    "unzip",
                ])
            },
        )?;
    }
    Ok(())
}

/// The musl targets `cargo xtask release` builds for: district servers include Kylin
/// and UOS machines on Kunpeng or Phytium ARM CPUs, with a glibc older than Debian's.
pub const RELEASE_TARGETS: [&str; 2] = ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"];
const CARGO_ZIGBUILD_VERSION: &str = "0.24.1";
const ZIG_VERSION: &str = "0.15.2";
/// Where zig (from PyPI's `ziglang`) is installed: inside target/, so nothing outside the
/// checkout changes.
pub const ZIG_DIR: &str = "target/tools/zig";

/// What `cargo xtask release` needs besides the app's tools: the musl targets, zig and
/// cargo-zigbuild (zig links both targets statically, with its own musl headers), and
/// qemu-user-static to run the ARM binary once here.
pub fn release_tools(timer: &mut Timer) -> Result<()> {
    timer.stage("setup: musl targets", || {
        let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
            .unwrap_or_default();
        let missing: Vec<&str> = RELEASE_TARGETS
            .iter()
            .copied()
            .filter(|t| !installed.lines().any(|l| l.trim() == *t))
            .collect();
        if missing.is_empty() {
            println!("already installed");
            return Ok(());
        }
        run_cmd(
            Command::new("rustup")
                .args(["target", "add"])
                .args(&missing),
        )
    })?;
    timer.stage(&format!("setup: zig {ZIG_VERSION} (PyPI ziglang)"), || {
        let zig = std::path::Path::new(ZIG_DIR).join("ziglang/zig");
        if output(Command::new(&zig).arg("version")).is_some_and(|v| v.trim() == ZIG_VERSION) {
            println!("already installed");
            return Ok(());
        }
        if output(cmd("python3").args(["-m", "pip", "--version"])).is_none() {
            apt_install(&["python3-pip"])?;
        }
        run_cmd(cmd("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--upgrade",
            "--break-system-packages",
            "--target",
            ZIG_DIR,
            &format!("ziglang=={ZIG_VERSION}"),
        ]))
    })?;
    timer.stage(
        &format!("setup: cargo-zigbuild {CARGO_ZIGBUILD_VERSION}"),
        || {
            if output(cmd("cargo-zigbuild").arg("--version"))
                .is_some_and(|v| v.contains(CARGO_ZIGBUILD_VERSION))
            {
                println!("already installed");
                return Ok(());
            }
            run_cmd(cmd("cargo").args([
                "install",
                "--locked",
                "cargo-zigbuild",
                "--version",
                CARGO_ZIGBUILD_VERSION,
            ]))
        },
    )?;
    timer.stage("setup: qemu-user-static (runs the ARM binary once)", || {
        apt_install(&["qemu-user-static"])
    })
}
