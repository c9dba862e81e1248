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

/// A form with a draft on this device: where the user left off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Open {
    /// 记录走访.
    Visit,
    /// 新增党务工作者.
    NewWorker,
    /// Editing a worker.
    Worker(uuid::Uuid),
    /// Fixing a refused change from 待处理.
    Inbox(String),
    /// 新建申请.
    NewApplication,
    /// Resubmitting a returned application.
    Resubmission(uuid::Uuid),
}

impl Open {
    fn parse(key: &str) -> Option<Open> {
        Some(match key {
            "visit.new" => Open::Visit,
            "worker/new" => Open::NewWorker,
            "application/new" => Open::NewApplication,
            _ => match key.split_once('/')? {
                ("worker", id) => Open::Worker(id.parse().ok()?),
                ("inbox", rid) => Open::Inbox(rid.to_owned()),
                ("application", id) => Open::Resubmission(id.parse().ok()?),
                _ => return None,
            },
        })
    }

    /// The form's address.
    pub fn href(&self) -> String {
        match self {
            Open::Visit => "/visits/new".to_owned(),
            Open::NewWorker => "/workers/new".to_owned(),
            Open::Worker(id) => format!("/workers/{id}"),
            Open::Inbox(rid) => format!("/inbox/{rid}"),
            Open::NewApplication => "/applications/new".to_owned(),
            Open::Resubmission(id) => format!("/applications/{id}/resubmit"),
        }
    }
}

/// Every form with a draft on this device.
pub fn open() -> Vec<Open> {
    let raw = LocalStorage::raw();
    let n = raw.length().unwrap_or(0);
    let mut out: Vec<Open> = (0..n)
        .filter_map(|i| raw.key(i).ok().flatten())
        .filter_map(|k| Open::parse(k.strip_prefix(PREFIX)?))
        .collect();
    out.sort_by_key(Open::href);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// 今日 lists each form left with a draft, and leads back to it; other keys of local
    /// storage are not drafts.
    #[wasm_bindgen_test]
    fn the_open_drafts_are_listed_with_their_forms() {
        clear_all();
        let id = uuid::Uuid::from_u128(7);
        save("visit.new", &1);
        save(&format!("worker/{id}"), &1);
        save(&format!("application/{id}"), &1);
        save("application/not-an-id", &1);
        let _ = LocalStorage::set("hongling.not-a-draft", 1);
        let hrefs: Vec<String> = open().iter().map(Open::href).collect();
        assert_eq!(
            hrefs,
            [
                format!("/applications/{id}/resubmit"),
                "/visits/new".to_owned(),
                format!("/workers/{id}"),
            ]
        );
        remove("visit.new");
        assert_eq!(open().len(), 2);
        clear_all();
        assert!(open().is_empty());
        LocalStorage::delete("hongling.not-a-draft");
    }
}
