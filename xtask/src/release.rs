//! `cargo xtask release`: the tarball a district's IT person installs.
//!
//! Static musl binaries for x86_64 and aarch64, each carrying the built app, linked by
//! zig (cargo-zigbuild) so no C cross toolchain or target libc is needed here. Each binary
//! runs once before it is packed — `--help`, then a server on a temporary database
//! answering its health check — the ARM one under qemu. The tarball holds both, the
//! systemd units of `deploy/systemd/`, the deployment guide and the README.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::setup::{RELEASE_TARGETS, ZIG_DIR};
use crate::{Timer, cmd, run_cmd};

fn arch_of(target: &str) -> &str {
    target.split('-').next().unwrap_or(target)
}

/// Whether an ELF file asks for a program interpreter (a dynamic loader): a static
/// binary has no `PT_INTERP` program header.
fn is_static(elf: &[u8]) -> Result<bool> {
    if elf.len() < 64 || &elf[..4] != b"\x7fELF" || elf[4] != 2 || elf[5] != 1 {
        bail!("not a 64-bit little-endian ELF file");
    }
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into()?) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    for i in 0..count {
        let at = phoff + i * size;
        let kind = u32::from_le_bytes(elf[at..at + 4].try_into()?);
        if kind == 3 {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Runs the binary (under `runner` when given) as a server on a temporary database and
/// checks that it answers its health check; its first lines, for the log.
fn smoke(binary: &Path, runner: Option<&str>) -> Result<String> {
    let mut help = match runner {
        Some(r) => {
            let mut c = Command::new(r);
            c.arg(binary);
            c
        }
        None => Command::new(binary),
    };
    let out = help
        .arg("--help")
        .output()
        .context("cannot run the binary")?;
    if !out.status.success() || !String::from_utf8_lossy(&out.stdout).contains("create-admin") {
        bail!(
            "{} --help failed: {}",
            binary.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = std::env::temp_dir().join(format!("hongling-release-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut serve = match runner {
        Some(r) => {
            let mut c = Command::new(r);
            c.arg(binary);
            c
        }
        None => Command::new(binary),
    };
    let mut child = serve
        .args(["--bind", "127.0.0.1:0", "--db"])
        .arg(dir.join("smoke.sqlite"))
        .env("RUST_LOG", "hongling_server=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
    let mut banner = Vec::new();
    let addr = loop {
        let Some(line) = lines.next() else {
            let _ = child.kill();
            bail!("the server exited before listening: {banner:?}");
        };
        let line = line?;
        if let Some(a) = line.strip_prefix("listening on http://") {
            break a.to_owned();
        }
        banner.push(line);
    };
    let result = (|| -> Result<String> {
        let mut stream = std::net::TcpStream::connect(&addr)?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
        write!(
            stream,
            "GET /api/v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        if !reply.starts_with("HTTP/1.1 200") || !reply.contains("\"database\":\"ok\"") {
            bail!("the health check answered {reply}");
        }
        let app = banner
            .iter()
            .find(|l| l.starts_with("serving the app"))
            .cloned()
            .unwrap_or_else(|| "no app built in".to_owned());
        if !app.contains("this binary") {
            bail!("the binary does not carry the app: {banner:?}");
        }
        Ok(app)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

pub fn run(timer: &mut Timer) -> Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    let zig_path = format!(
        "{}:{}",
        std::fs::canonicalize(ZIG_DIR)
            .unwrap_or_else(|_| PathBuf::from(ZIG_DIR))
            .join("ziglang")
            .display(),
        crate::tool_path()
    );
    let name = format!("hongling-{version}");
    let out = PathBuf::from("target/release-tarball").join(&name);
    let _ = std::fs::remove_dir_all(&out);
    for target in RELEASE_TARGETS {
        let arch = arch_of(target);
        timer.stage(
            &format!("build the server for {target} (with the app)"),
            || {
                run_cmd(
                    cmd("cargo")
                        .args([
                            "zigbuild",
                            "--locked",
                            "--profile",
                            "server",
                            "--target",
                            target,
                            "-p",
                            "hongling-server",
                            "--features",
                            "embedded-app",
                        ])
                        .env("PATH", &zig_path),
                )
            },
        )?;
        let built = PathBuf::from("target")
            .join(target)
            .join("server/hongling-server");
        timer.stage(&format!("run the {arch} binary once"), || {
            if !is_static(&std::fs::read(&built)?)? {
                bail!("{} is not statically linked", built.display());
            }
            let runner = (arch != std::env::consts::ARCH).then(|| format!("qemu-{arch}-static"));
            let app = smoke(&built, runner.as_deref())?;
            println!(
                "{arch}: static, --help and the health check pass{}; {app}",
                runner.map(|r| format!(" (under {r})")).unwrap_or_default()
            );
            let dest = out.join("bin").join(arch);
            std::fs::create_dir_all(&dest)?;
            std::fs::copy(&built, dest.join("hongling-server"))?;
            Ok(())
        })?;
    }
    timer.stage("write the tarball", || {
        let systemd = out.join("systemd");
        std::fs::create_dir_all(&systemd)?;
        for unit in std::fs::read_dir("deploy/systemd")? {
            let unit = unit?.path();
            std::fs::copy(
                &unit,
                systemd.join(unit.file_name().context("a unit's name")?),
            )?;
        }
        std::fs::create_dir_all(out.join("docs"))?;
        std::fs::copy("docs/deploy.md", out.join("docs/deploy.md"))?;
        std::fs::copy("README.md", out.join("README.md"))?;
        let tarball = format!("target/release-tarball/{name}.tar.gz");
        run_cmd(Command::new("tar").args([
            "--owner=0",
            "--group=0",
            "-czf",
            &tarball,
            "-C",
            "target/release-tarball",
            &name,
        ]))?;
        let bytes = std::fs::metadata(&tarball)?.len();
        println!("{tarball}: {:.1} MiB", bytes as f64 / 1024.0 / 1024.0);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamically_linked_binary_is_told_from_a_static_one() {
        // This test's own executable is linked against glibc: it has an interpreter.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(!is_static(&me).unwrap());
        assert!(is_static(b"not an elf").is_err());
    }
}
