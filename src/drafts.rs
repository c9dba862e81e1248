//! Drafts: what a user has typed into a form and not saved yet survives a closed tab or a
//! crash. Kept in local storage (small, synchronous, written on every keystroke), one
//! entry per form and record, and removed on save and at logout.

use gloo_storage::{LocalStorage, Storage};
use serde::Serialize;
use serde::de::DeserializeOwned;

const PREFIX: &str = "hongling.draft.";

pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    LocalStorage::get(format!("{PREFIX}{key}")).ok()
}

pub fn save<T: Serialize>(key: &str, value: &T) {
    let _ = LocalStorage::set(format!("{PREFIX}{key}"), value);
}

pub fn remove(key: &str) {
    LocalStorage::delete(format!("{PREFIX}{key}"));
}

/// Removes every draft (logout).
pub fn clear_all() {
    let Ok(storage) = LocalStorage::raw().length() else {
        return;
    };
    let keys: Vec<String> = (0..storage)
        .filter_map(|i| LocalStorage::raw().key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        let _ = LocalStorage::raw().remove_item(&k);
    }
}
