//! Turns the locale files (`locales/<lang>/<area>.toml`) into the app's text tables.
//!
//! Why a build script and not `leptos_i18n`: the texts stay data that a translator edits
//! one area at a time, and a missing key, a key in one language only, or a parameter one
//! language names and the other does not is a build error, as with `leptos_i18n`; but the
//! call sites stay plain Rust (`ctx.t(Key::Save)`, `ctx.tr(Msg::Round { n: &2 })`), the
//! named parameters are checked by `format!` itself, and the wasm build carries no
//! proc-macro crate or runtime of its own.
//!
//! A text with `{name}` placeholders becomes a `Msg` variant with those fields; every
//! other text becomes a `Key` variant. Within a file, keys keep their order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const LANGS: [(&str, &str); 2] = [("zh", "Zh"), ("en", "En")];

struct Text {
    area: String,
    key: String,
    by_lang: Vec<String>,
    params: Vec<String>,
}

fn main() {
    println!("cargo:rerun-if-changed=locales");
    let texts = match read_locales(Path::new("locales")) {
        Ok(t) => t,
        Err(e) => panic!("locales: {e}"),
    };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("texts.rs");
    std::fs::write(out, generate(&texts)).unwrap();
}

/// The `{name}` placeholders of `text`, in order of first use; any other brace is an error.
fn placeholders(text: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("a lone }} in {text:?}"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("an unclosed {{ in {text:?}"))?;
        let name = &after[..close];
        let ok = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            return Err(format!(
                "{{{name}}} in {text:?} is not a snake_case parameter"
            ));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// The key order of a file: TOML tables do not keep it, the lines do.
fn key_order(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            if l.starts_with('#') || l.is_empty() {
                return None;
            }
            l.split_once('=').map(|(k, _)| k.trim().to_owned())
        })
        .collect()
}

fn read_locales(dir: &Path) -> Result<Vec<Text>, String> {
    let mut areas: Vec<BTreeMap<String, String>> = Vec::new();
    let mut files_by_lang = Vec::new();
    let mut order: Vec<(String, Vec<String>)> = Vec::new();
    for (lang, _) in LANGS {
        let mut files = BTreeMap::new();
        let lang_dir = dir.join(lang);
        let entries = std::fs::read_dir(&lang_dir)
            .map_err(|e| format!("cannot read {}: {e}", lang_dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let area = path.file_stem().unwrap().to_string_lossy().into_owned();
            let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let table: toml::Table =
                toml::from_str(&source).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut texts = BTreeMap::new();
            for (key, value) in table {
                let text = value
                    .as_str()
                    .ok_or_else(|| format!("{}: {key} is not a string", path.display()))?;
                if text.trim().is_empty() {
                    return Err(format!("{}: {key} is empty", path.display()));
                }
                texts.insert(key, text.to_owned());
            }
            if lang == LANGS[0].0 {
                order.push((area.clone(), key_order(&source)));
            }
            files.insert(area, texts);
        }
        files_by_lang.push(files);
    }
    let first: BTreeSet<&String> = files_by_lang[0].keys().collect();
    for (i, files) in files_by_lang.iter().enumerate().skip(1) {
        let these: BTreeSet<&String> = files.keys().collect();
        if these != first {
            return Err(format!(
                "locales/{} has the files {these:?}, locales/{} has {first:?}",
                LANGS[i].0, LANGS[0].0
            ));
        }
    }
    let mut seen = BTreeSet::new();
    let mut texts = Vec::new();
    order.sort();
    for (area, keys) in order {
        areas.clear();
        for files in &files_by_lang {
            areas.push(files[&area].clone());
        }
        for (i, table) in areas.iter().enumerate() {
            for key in table.keys() {
                if !areas[0].contains_key(key) {
                    return Err(format!(
                        "{key} is in locales/{}/{area}.toml only",
                        LANGS[i].0
                    ));
                }
            }
        }
        for key in keys {
            if !seen.insert(key.clone()) {
                return Err(format!("{key} is defined twice (again in {area}.toml)"));
            }
            let mut by_lang = Vec::new();
            for (i, table) in areas.iter().enumerate() {
                let text = table.get(&key).ok_or_else(|| {
                    format!("{key} has no text in locales/{}/{area}.toml", LANGS[i].0)
                })?;
                by_lang.push(text.clone());
            }
            let params = placeholders(&by_lang[0])?;
            for (i, text) in by_lang.iter().enumerate().skip(1) {
                let mut other = placeholders(text)?;
                let mut mine = params.clone();
                other.sort();
                mine.sort();
                if other != mine {
                    return Err(format!(
                        "{key}: locales/{}/{area}.toml names {other:?}, locales/{}/{area}.toml names {mine:?}",
                        LANGS[i].0, LANGS[0].0
                    ));
                }
            }
            texts.push(Text {
                area: area.clone(),
                key,
                by_lang,
                params,
            });
        }
    }
    Ok(texts)
}

fn generate(texts: &[Text]) -> String {
    let plain: Vec<&Text> = texts.iter().filter(|t| t.params.is_empty()).collect();
    let with: Vec<&Text> = texts.iter().filter(|t| !t.params.is_empty()).collect();
    let mut s = String::from("// Generated by build.rs from locales/: edit those files.\n\n");
    s.push_str("/// A UI text without parameters (see `locales/`).\n");
    s.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Key {\n");
    for t in &plain {
        let _ = writeln!(s, "    {},", t.key);
    }
    s.push_str("}\n\nimpl Key {\n    /// Every key, for checks that no text is missing.\n");
    s.push_str("    pub const ALL: &[Key] = &[\n");
    for t in &plain {
        let _ = writeln!(s, "        Key::{},", t.key);
    }
    s.push_str("    ];\n\n    /// The locale file the text is in.\n");
    s.push_str("    pub fn area(self) -> &'static str {\n        match self {\n");
    for t in &plain {
        let _ = writeln!(s, "            Key::{} => {:?},", t.key, t.area);
    }
    s.push_str("        }\n    }\n}\n\n");
    s.push_str("/// The text of `key` in `lang`.\npub fn t(lang: Lang, key: Key) -> &'static str {\n    match (lang, key) {\n");
    for t in &plain {
        for (i, (_, variant)) in LANGS.iter().enumerate() {
            let _ = writeln!(
                s,
                "        (Lang::{variant}, Key::{}) => {:?},",
                t.key, t.by_lang[i]
            );
        }
    }
    s.push_str("    }\n}\n\n");
    s.push_str("/// A UI text with named parameters (see `locales/`): each language puts them where\n/// its grammar wants them.\n");
    s.push_str("#[derive(Clone, Copy)]\npub enum Msg<'a> {\n");
    for t in &with {
        let fields: Vec<String> = t
            .params
            .iter()
            .map(|p| format!("{p}: &'a dyn std::fmt::Display"))
            .collect();
        let _ = writeln!(s, "    {} {{ {} }},", t.key, fields.join(", "));
    }
    s.push_str("}\n\nimpl Msg<'_> {\n    /// The key of the text, for tests and logs.\n    pub fn key(&self) -> &'static str {\n        match self {\n");
    for t in &with {
        let _ = writeln!(s, "            Msg::{} {{ .. }} => {:?},", t.key, t.key);
    }
    s.push_str("        }\n    }\n}\n\n");
    s.push_str("/// The text of `msg` in `lang`, its parameters filled in.\npub fn tr(lang: Lang, msg: Msg<'_>) -> String {\n    match (lang, msg) {\n");
    for t in &with {
        for (i, (_, variant)) in LANGS.iter().enumerate() {
            let _ = writeln!(
                s,
                "        (Lang::{variant}, Msg::{} {{ {} }}) => format!({:?}),",
                t.key,
                t.params.join(", "),
                t.by_lang[i]
            );
        }
    }
    s.push_str("    }\n}\n");
    s
}
