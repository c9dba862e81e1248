//! Writes the service worker's precache list and version from the files Trunk produced.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

const LIST_MARK: &str = "/* __HONGLING_PRECACHE__ */";
const VERSION_MARK: &str = "__HONGLING_BUILD_VERSION__";

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Fills `dist/sw.js` with every other file of `dist` and a version hashed from their
/// contents, so any change to the app makes a new service worker.
pub fn write_precache(dist: &Path) -> Result<()> {
    let sw_path = dist.join("sw.js");
    let sw = std::fs::read_to_string(&sw_path).with_context(|| {
        format!(
            "{} is missing: is public/sw.js copied by index.html?",
            sw_path.display()
        )
    })?;
    if !sw.contains(LIST_MARK) || !sw.contains(VERSION_MARK) {
        bail!(
            "{} has no placeholders: it was already filled in or public/sw.js changed",
            sw_path.display()
        );
    }
    let mut all = Vec::new();
    files(dist, &mut all)?;
    all.retain(|p| p != &sw_path);
    all.sort();
    let mut hasher = Sha256::new();
    let mut urls = Vec::new();
    for path in &all {
        let rel = path
            .strip_prefix(dist)?
            .to_string_lossy()
            .replace('\\', "/");
        hasher.update(rel.as_bytes());
        hasher.update(std::fs::read(path)?);
        urls.push(format!("\"/{rel}\""));
    }
    let version = hex::encode(&hasher.finalize()[..8]);
    let filled = sw
        .replace(LIST_MARK, &urls.join(", "))
        .replace(VERSION_MARK, &version);
    std::fs::write(&sw_path, filled)?;
    println!(
        "service worker version {version}, {} files precached",
        urls.len()
    );
    Ok(())
}
