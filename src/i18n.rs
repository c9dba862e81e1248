//! Every string the UI shows, in Simplified Chinese (the default) and English.
//!
//! The texts live in `locales/<lang>/<area>.toml`, one file per area of the app, and
//! `build.rs` turns them into [`Key`] (plain texts) and [`Msg`] (texts with named
//! parameters): a key missing in one language, or a parameter only one language names, is
//! a build error, not a blank button. Pages and components hold no Chinese of their own
//! (`tests/tidy.rs` checks). The chosen language is remembered in local storage.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    Zh,
    En,
}

const LANG_KEY: &str = "hongling.lang";

impl Lang {
    /// The remembered language, Chinese when none was chosen.
    pub fn load() -> Lang {
        LocalStorage::get(LANG_KEY).unwrap_or(Lang::Zh)
    }

    pub fn remember(self) {
        let _ = LocalStorage::set(LANG_KEY, self);
    }

    /// The value for the `lang` attribute of `<html>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

/// Whether `s` has Chinese characters or full-width punctuation: what English text must
/// not have.
pub fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// Texts whose English is Chinese on purpose: the name of the Chinese language in
    /// the language switch, and the brand's mark.
    const CHINESE_IN_ENGLISH: [Key; 2] = [Key::LangZhName, Key::BrandMark];

    #[wasm_bindgen_test]
    fn every_key_has_chinese_and_english_text() {
        for &key in Key::ALL {
            let zh = t(Lang::Zh, key);
            let en = t(Lang::En, key);
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{key:?} has an empty text"
            );
            assert!(has_cjk(zh), "{key:?} is not Chinese: {zh}");
            assert!(
                !has_cjk(en) || CHINESE_IN_ENGLISH.contains(&key),
                "{key:?} is not English: {en}"
            );
        }
        assert_eq!(t(Lang::Zh, Key::SyncNow), "立即同步");
        assert_eq!(t(Lang::Zh, Key::UpdateAvailable), "新版本可用，点击更新");
    }

    #[wasm_bindgen_test]
    fn named_parameters_go_where_each_language_puts_them() {
        let n = 3;
        assert_eq!(tr(Lang::Zh, Msg::Round { n: &n }), "第 3 轮");
        assert_eq!(tr(Lang::En, Msg::Round { n: &n }), "Round 3");
        let (year, outcome) = (2026, "保持");
        let zh = tr(
            Lang::Zh,
            Msg::InspectionStep {
                year: &year,
                outcome: &outcome,
            },
        );
        assert_eq!(zh, "2026 年度年审：保持");
        let en = tr(
            Lang::En,
            Msg::InspectionStep {
                year: &year,
                outcome: &"keep",
            },
        );
        assert_eq!(en, "2026 annual inspection: keep");
        let day = tr(
            Lang::En,
            Msg::LongDate {
                year: &2026,
                month: &"10",
                day: &"01",
            },
        );
        assert_eq!(day, "01/10/2026");
    }
}
