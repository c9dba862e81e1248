//! The shape of the crate, checked from its `use` lines: the kernel imports no domain
//! module, an area imports only the kernel and other areas, and no two areas import each
//! other, directly or round a circle. ARCHITECTURE.md states the same as an invariant.
//!
//! Why a test: the shape is what lets an area be read and changed on its own, and it
//! decays one convenient import at a time. Test modules (everything from a file's first
//! `#[cfg(test)]`, and `tests.rs` files) may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The folders of the domain, one per area.
const AREAS: [&str; 5] = [
    "certification",
    "contest",
    "development",
    "fieldwork",
    "people",
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Kernel,
    Area(String),
    /// The op table, `apply`, and what reads across areas.
    Top,
}

fn layer_of(relative: &Path) -> Layer {
    let first = relative
        .components()
        .next()
        .and_then(|c| c.as_os_str().to_str())
        .unwrap_or_default();
    if first == "kernel" {
        Layer::Kernel
    } else if AREAS.contains(&first) {
        Layer::Area(first.to_owned())
    } else {
        Layer::Top
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reads src") {
        let path = entry.expect("reads an entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first path segment after every `crate::` in the code of a file (not in comments
/// or in an item under `#[cfg(test)]`), with the line it is on.
fn crate_references(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // Inside a test item: the depth of its braces once its first one opened.
    let mut test_item: Option<Option<usize>> = None;
    for (n, line) in text.lines().enumerate() {
        let code = line.trim_start();
        if code.starts_with("#[cfg(test)]") {
            test_item = Some(None);
            continue;
        }
        if let Some(depth) = test_item {
            let opened = line.matches('{').count();
            let closed = line.matches('}').count();
            test_item = match depth {
                None if opened == 0 && code.ends_with(';') => None,
                None if opened == 0 => Some(None),
                None => Some(Some(opened - closed)).filter(|d| d != &Some(0)),
                Some(d) => Some(Some(d + opened - closed)).filter(|d| d != &Some(0)),
            };
            continue;
        }
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let segment: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((n + 1, segment));
        }
    }
    found
}

/// Every file's layer and the references it makes, keyed by its path under `src/`.
fn crate_map() -> BTreeMap<PathBuf, (Layer, Vec<(usize, String)>)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "tests.rs"))
        .map(|path| {
            let relative = path.strip_prefix(&src).expect("under src").to_path_buf();
            let text = std::fs::read_to_string(&path).expect("reads a source file");
            (
                relative.clone(),
                (layer_of(&relative), crate_references(&text)),
            )
        })
        .collect()
}

#[test]
fn the_kernel_imports_no_domain_module() {
    let mut wrong = Vec::new();
    for (path, (layer, refs)) in crate_map() {
        if layer != Layer::Kernel {
            continue;
        }
        for (line, segment) in refs {
            if segment != "kernel" {
                wrong.push(format!("{}:{line}: crate::{segment}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the kernel must import only the kernel:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn areas_import_the_kernel_and_areas_only_and_never_in_a_circle() {
    let mut wrong = Vec::new();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, (layer, refs)) in crate_map() {
        let Layer::Area(area) = layer else { continue };
        for (line, segment) in refs {
            if segment == "kernel" || segment == area {
                continue;
            }
            if AREAS.contains(&segment.as_str()) {
                edges.entry(area.clone()).or_default().insert(segment);
            } else {
                // The op table, `apply` and the crate root's re-exports sit above the areas.
                wrong.push(format!("{}:{line}: crate::{segment}", path.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "an area imports only the kernel and other areas (by their folders):\n{}",
        wrong.join("\n")
    );
    // A circle is a path from an area back to itself.
    for start in AREAS {
        let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    panic!("areas import each other: {} → {start}", path.join(" → "));
                }
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
}

#[test]
fn the_checks_see_the_imports_they_are_about() {
    // The reader finds references in code and skips comments and test modules, so the
    // two tests above cannot pass by reading nothing.
    let text = "use crate::kernel::State;\n// crate::op in a comment\nfn f() { crate::people::x(); }\n\
        #[cfg(test)]\nmod tests {\n    fn g() {\n        crate::op::x();\n    }\n}\n\
        fn h() { crate::contest::y(); }\n#[cfg(test)]\nmod more;\nuse crate::Op;\n";
    assert_eq!(
        crate_references(text),
        [
            (1, "kernel".to_owned()),
            (3, "people".to_owned()),
            (10, "contest".to_owned()),
            (13, "Op".to_owned())
        ]
    );
    let map = crate_map();
    assert!(map.values().any(|(l, _)| *l == Layer::Kernel));
    for area in AREAS {
        assert!(
            map.values()
                .any(|(l, _)| *l == Layer::Area(area.to_owned())),
            "no files found for the area {area}"
        );
    }
}
