use chrono::Local;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::read_model::RejectedEntry;
use crate::state::AppCtx;

/// One refused mutation with its two ways out.
#[component]
pub fn InboxItem(
    /// The refused mutation.
    entry: RejectedEntry,
    /// The name of the record it is about, as this device knows it.
    subject: Option<String>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let confirming = RwSignal::new(false);
    let id = entry.id;
    let discard = move |_| {
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        leptos::task::spawn_local(async move {
            crate::local_data::discard(id).await;
            ctx.data_changed();
        });
    };
    // Only intents that have a form can be fixed and resent; the others (a decision
    // someone else made first) are read and discarded.
    let fixable = matches!(
        entry.op,
        hongling_core::Op::WorkerCreateV1(_) | hongling_core::Op::WorkerUpdateV1(_)
    );
    let at = entry
        .at
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    view! {
        <li class="inbox-item card">
            <div class="inbox-what">
                {move || crate::labels::op_text(ctx.lang.get(), &entry.op)}
                {subject.map(|s| view! { <span class="tag">{s}</span> })}
            </div>
            <div class="refusal">{move || ctx.t(Key::RefusedBecause)} {
                let (code, message) = (entry.code.clone(), entry.message.clone());
                move || crate::labels::refusal_text(ctx.lang.get(), &code, &message)
            }</div>
            <div class="muted">{move || ctx.t(Key::EnteredAt)} " " {at.clone()}</div>
            <div class="inbox-actions">
                {fixable.then(|| view! {
                    <A href=format!("/inbox/{id}") attr:class="btn btn-primary" attr:data-testid="fix">
                        {move || ctx.t(Key::FixAndResubmit)}
                    </A>
                })}
                <button class="btn btn-danger" data-testid="discard" on:click=discard>
                    {move || if confirming.get() { ctx.t(Key::ConfirmDiscard) } else { ctx.t(Key::Discard) }}
                </button>
            </div>
        </li>
    }
}
