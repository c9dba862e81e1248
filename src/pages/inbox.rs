use leptos::prelude::*;

use crate::components::InboxItem;
use crate::i18n::Key;
use crate::state::{AppCtx, db};

/// 待处理: mutations the server refused, each with its reason. Nothing here blocks the
/// mutations behind it; each can be fixed and resubmitted, or discarded on purpose.
#[component]
pub fn InboxPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let entries = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let Ok(db) = db().await else {
                return Vec::new();
            };
            let mut out = Vec::new();
            for entry in db.rejected().await.unwrap_or_default() {
                // Name the record as this device knows it, when it still does.
                let subject = match db.get(entry.op.target()).await {
                    Ok(Some(r)) => r.body["name"].as_str().map(str::to_owned),
                    _ => None,
                };
                out.push((entry, subject));
            }
            out
        }
    });
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Inbox)}</h1>
            <p class="muted">{move || ctx.t(Key::InboxHint)}</p>
            {move || {
                let list = entries.get().unwrap_or_default();
                if list.is_empty() {
                    view! { <p class="empty-state" data-testid="inbox-empty">{ctx.t(Key::InboxEmpty)}</p> }
                        .into_any()
                } else {
                    view! {
                        <ul class="inbox-list" data-testid="inbox-list">
                            {list
                                .into_iter()
                                .map(|(entry, subject)| view! { <InboxItem entry subject /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
