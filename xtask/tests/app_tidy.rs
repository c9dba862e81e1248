//! The app's layering, checked from its source text (the app builds only for wasm, so
//! the check lives here, in a native test): every form saves through `AppCtx::save`
//! (or `save_fixing`), and components sit below pages. ARCHITECTURE.md states both.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reads the app's source") {
        let path = entry.expect("reads an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of the files under `src/<folder>` that contain `needle` outside comments.
fn lines_with(folder: &str, needle: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src")
        .join(folder);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no source files under src/{folder}");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("reads a source file");
        for (n, line) in text.lines().enumerate() {
            if line.contains(needle) && !line.trim_start().starts_with("//") {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn every_form_saves_through_the_one_save_path() {
    for folder in ["pages", "components"] {
        for needle in ["commit_local(", ".resubmit("] {
            let found = lines_with(folder, needle);
            assert!(
                found.is_empty(),
                "save through AppCtx::save or save_fixing, not {needle}:\n{}",
                found.join("\n")
            );
        }
    }
    // The check reads what it is about: the one save path itself commits.
    assert!(!lines_with("", "commit_local(").is_empty());
}

#[test]
fn components_do_not_import_pages() {
    let found = lines_with("components", "crate::pages");
    assert!(
        found.is_empty(),
        "a component gets its data and actions from the page that uses it:\n{}",
        found.join("\n")
    );
}
