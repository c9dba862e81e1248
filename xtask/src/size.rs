//! The size report: what a tablet downloads on first open.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

fn gzip(bytes: &[u8]) -> Result<usize> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)?;
    Ok(enc.finish()?.len())
}

fn brotli(bytes: &[u8]) -> Result<usize> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(bytes)?;
    }
    Ok(out.len())
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
        let sizes = [bytes.len(), gzip(&bytes)?, brotli(&bytes)?];
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
