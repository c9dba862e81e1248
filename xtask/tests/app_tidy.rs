//! The app's layering, checked from its source text (the app builds only for wasm, so
//! the check lives here, in a native test): every form saves through `AppCtx::save`
//! (or `save_fixing`), components sit below pages, and pages and components hold no
//! Chinese text of their own (it is in `locales/`). ARCHITECTURE.md states them.

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
    lines_where(folder, |line| line.contains(needle))
}

/// The lines of the files under `src/<folder>` outside comments for which `test` holds.
fn lines_where(folder: &str, test: impl Fn(&str) -> bool) -> Vec<String> {
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
            if test(line) && !line.trim_start().starts_with("//") {
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
    // Nor do they call the server: the page hands them an `Act` that does.
    let found = lines_with("components", "sync::api");
    assert!(
        found.is_empty(),
        "a component runs the Act its page hands it, it does not call the server:\n{}",
        found.join("\n")
    );
    assert!(!lines_with("pages", "sync::api").is_empty());
}

/// Chinese characters and full-width punctuation (what `crate::i18n::has_cjk` finds).
fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

#[test]
fn pages_and_components_hold_no_chinese_text() {
    for folder in ["pages", "components"] {
        let found = lines_where(folder, has_cjk);
        assert!(
            found.is_empty(),
            "a text the user reads goes in locales/<lang>/<area>.toml and is shown with \
             ctx.t(Key::…) or ctx.tr(Msg::…):\n{}",
            found.join("\n")
        );
    }
    // The check can see Chinese: the locale files are full of it.
    let zh = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales/zh/common.toml"),
    )
    .expect("reads a locale file");
    assert!(has_cjk(&zh));
}

/// Screens read what they show through `src/read_model.rs` (and act through `AppCtx`,
/// `local_data` and `photo`): no page or component opens the database or names a
/// storage type, so the read model is the one place that knows how records are kept.
#[test]
fn screens_read_only_through_the_read_model() {
    for folder in ["pages", "components"] {
        for needle in ["db()", "crate::storage"] {
            let found = lines_with(folder, needle);
            assert!(
                found.is_empty(),
                "read through crate::read_model, not {needle}:\n{}",
                found.join("\n")
            );
        }
    }
    // The check reads what it is about: the read model opens the database.
    assert!(!lines_with("", "db()").is_empty());
}

/// Every text in the locale files is shown somewhere: a key no screen names is a text a
/// translator keeps up for nothing.
#[test]
fn every_locale_text_is_used() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut source = String::new();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for file in files {
        source.push_str(&std::fs::read_to_string(file).expect("reads a source file"));
    }
    let mut unused = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(root.join("locales/zh")).expect("reads locales/zh") {
        let path = entry.expect("reads an entry").path();
        let text = std::fs::read_to_string(&path).expect("reads a locale file");
        for line in text.lines() {
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            if key.starts_with('#') {
                continue;
            }
            count += 1;
            let named = |prefix: &str| {
                source
                    .match_indices(&format!("{prefix}::{key}"))
                    .any(|(i, m)| {
                        !source[i + m.len()..]
                            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    })
            };
            if !named("Key") && !named("Msg") {
                unused.push(format!("{}: {key}", path.display()));
            }
        }
    }
    assert!(
        count > 100,
        "the check reads the locale files ({count} keys)"
    );
    assert!(
        unused.is_empty(),
        "texts no screen shows:\n{}",
        unused.join("\n")
    );
}

/// Which tabs and buttons an account sees is the core's `permission::may`: pages and
/// components hold no list of roles of their own.
#[test]
fn screens_ask_the_core_who_may_act() {
    for folder in ["pages", "components"] {
        for needle in ["contains(&g.role)", "g.role ==", "matches!(g.role"] {
            let found = lines_with(folder, needle);
            assert!(
                found.is_empty(),
                "ask ctx.may(Action::…), not the roles ({needle}):\n{}",
                found.join("\n")
            );
        }
    }
    assert!(!lines_with("", "permission::may").is_empty());
}
