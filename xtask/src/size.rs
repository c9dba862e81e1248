//! The size report: what a tablet downloads on first open.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

/// `bytes` as gzip at its best level: what the server sends where brotli is not asked for.
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?)
}

/// `bytes` as brotli at quality 11, window 22: what the server sends over HTTPS.
pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out)
}

/// The file types worth compressing (images and fonts are compressed already).
const COMPRESSIBLE: &[&str] = &[
    "wasm",
    "js",
    "css",
    "html",
    "json",
    "svg",
    "webmanifest",
    "txt",
];

/// Writes `x.br` and `x.gz` beside each compressible file of `dist` (where smaller), so
/// the server never compresses at request time; returns the bytes before and after brotli.
pub fn precompress(dist: &Path) -> Result<(usize, usize)> {
    let mut before = 0;
    let mut after = 0;
    let mut stack = vec![dist.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !COMPRESSIBLE.contains(&ext) {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            before += bytes.len();
            let mut smallest = bytes.len();
            // Both at once: brotli 11 of the wasm alone takes about a minute on one core.
            let (br, gz) = std::thread::scope(|s| {
                let br = s.spawn(|| brotli(&bytes));
                let gz = gzip(&bytes);
                (br.join(), gz)
            });
            let br = br.map_err(|_| anyhow::anyhow!("the brotli thread panicked"))??;
            for (suffix, packed) in [("br", br), ("gz", gz?)] {
                if packed.len() < bytes.len() {
                    if suffix == "br" {
                        smallest = packed.len();
                    }
                    let mut name = path.clone().into_os_string();
                    name.push(format!(".{suffix}"));
                    std::fs::write(name, packed)?;
                }
            }
            after += smallest;
        }
    }
    Ok((before, after))
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

/// Prints raw, gzip and brotli sizes of the wasm, js and css files in `dist`.
pub fn report(dist: &Path) -> Result<()> {
    println!(
        "{:<44} {:>12} {:>12} {:>12}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    let mut totals = [0usize; 3];
    let mut entries: Vec<_> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let sizes = [bytes.len(), gzip(&bytes)?.len(), brotli(&bytes)?.len()];
        for (t, s) in totals.iter_mut().zip(sizes) {
            *t += s;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!(
            "{:<44} {:>12} {:>12} {:>12}",
            name,
            kib(sizes[0]),
            kib(sizes[1]),
            kib(sizes[2])
        );
    }
    println!(
        "{:<44} {:>12} {:>12} {:>12}",
        "total",
        kib(totals[0]),
        kib(totals[1]),
        kib(totals[2])
    );
    Ok(())
}
