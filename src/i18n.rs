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

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn every_key_has_chinese_and_english_text() {
        for &key in Key::ALL {
            let zh = t(Lang::Zh, key);
            let en = t(Lang::En, key);
            assert!(
                !zh.is_empty() && !en.is_empty(),
                "{key:?} has an empty text"
            );
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key:?} is not Chinese: {zh}"
            );
            assert!(
                en.is_ascii() || en.contains('…') || en.contains('“'),
                "{key:?} is not English: {en}"
            );
        }
        assert_eq!(t(Lang::Zh, Key::SyncNow), "立即同步");
        assert_eq!(t(Lang::Zh, Key::UpdateAvailable), "新版本可用，点击更新");
    }
}
