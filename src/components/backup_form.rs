use leptos::prelude::*;

use crate::i18n::{Key, t};
use crate::local_data::{export, repaint};
use crate::state::AppCtx;

/// The passphrase form of a backup export: the passphrase typed twice, then the sealed
/// file is downloaded and `on_done` runs.
#[component]
pub fn BackupForm(
    /// The submit button's words.
    label: Key,
    /// Runs after the file was handed to the browser.
    #[prop(into)]
    on_done: Callback<()>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let passphrase = RwSignal::new(String::new());
    let passphrase_again = RwSignal::new(String::new());
    let sealing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let seal = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = ctx.lang.get_untracked();
        let (typed, again) = (passphrase.get_untracked(), passphrase_again.get_untracked());
        if typed != again {
            error.set(Some(t(lang, Key::PassphraseMismatch).to_owned()));
            return;
        }
        sealing.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            repaint().await;
            let outcome = export(ctx, &typed).await;
            sealing.set(false);
            match outcome {
                Ok(()) => {
                    passphrase.set(String::new());
                    passphrase_again.set(String::new());
                    on_done.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="form" data-testid="backup-form" on:submit=seal>
            <p class="muted">{move || ctx.t(Key::BackupPassphraseHint)}</p>
            <label>
                <span class="label">{move || ctx.t(Key::BackupPassphrase)}</span>
                <input type="password" autocomplete="new-password" data-testid="backup-passphrase"
                    prop:value=move || passphrase.get()
                    on:input=move |ev| passphrase.set(event_target_value(&ev)) />
            </label>
            <label>
                <span class="label">{move || ctx.t(Key::BackupPassphraseAgain)}</span>
                <input type="password" autocomplete="new-password" data-testid="backup-passphrase-again"
                    prop:value=move || passphrase_again.get()
                    on:input=move |ev| passphrase_again.set(event_target_value(&ev)) />
            </label>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="backup-error">{m}</p> })}
            <button class="btn btn-primary" type="submit" data-testid="backup-seal" disabled=move || sealing.get()>
                {move || if sealing.get() { ctx.t(Key::BackupSealing) } else { ctx.t(label) }}
            </button>
        </form>
    }
}
