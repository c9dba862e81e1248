//! Service worker registration and the "new version" prompt.
//!
//! The service worker (`public/sw.js`, with its precache list written at build time by
//! `cargo xtask dist`) never takes over by itself: a new version waits until the user
//! taps the prompt, so a form being filled is never reloaded under their fingers.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerRegistration, ServiceWorkerState};

/// How often a running app asks the server for a new version, in milliseconds.
const UPDATE_CHECK_MS: i32 = 15 * 60 * 1000;

fn watch_installing(reg: &ServiceWorkerRegistration, update_ready: RwSignal<bool>) {
    let Some(worker) = reg.installing() else {
        return;
    };
    let w = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        let controlled = web_sys::window()
            .map(|win| win.navigator().service_worker().controller().is_some())
            .unwrap_or(false);
        // The first install has no controller to replace: nothing to prompt.
        if w.state() == ServiceWorkerState::Installed && controlled {
            update_ready.set(true);
        }
    });
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// Registers `/sw.js` and sets `update_ready` when a new version is waiting.
pub fn register(update_ready: RwSignal<bool>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    // When the new worker takes control (after the user agreed), load the new code.
    let on_controller = Closure::<dyn FnMut()>::new(move || {
        if update_ready.get_untracked()
            && let Some(w) = web_sys::window()
        {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_controller.as_ref().unchecked_ref()));
    on_controller.forget();
    spawn_local(async move {
        let Ok(reg) = JsFuture::from(container.register("/sw.js")).await else {
            leptos::logging::warn!(
                "service worker registration failed: the app will not open offline"
            );
            return;
        };
        let reg: ServiceWorkerRegistration = reg.unchecked_into();
        if reg.waiting().is_some() && container.controller().is_some() {
            update_ready.set(true);
        }
        watch_installing(&reg, update_ready);
        let r = reg.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || watch_installing(&r, update_ready));
        reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
        let r = reg.clone();
        let check = Closure::<dyn FnMut()>::new(move || {
            let _ = r.update();
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
                check.as_ref().unchecked_ref(),
                UPDATE_CHECK_MS,
            );
        }
        check.forget();
    });
}

/// Tells the waiting worker to take over; `register`'s listener then reloads the page.
pub fn apply_update() {
    spawn_local(async move {
        let Some(window) = web_sys::window() else {
            return;
        };
        let container = window.navigator().service_worker();
        let Ok(reg) = JsFuture::from(container.get_registration()).await else {
            return;
        };
        let Ok(reg) = reg.dyn_into::<ServiceWorkerRegistration>() else {
            return;
        };
        if let Some(waiting) = reg.waiting() {
            let waiting: ServiceWorker = waiting;
            let _ = waiting.post_message(&"SKIP_WAITING".into());
        }
    });
}
