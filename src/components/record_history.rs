use hongling_core::Op;
use hongling_core::wire::HistoryEntry;
use leptos::prelude::*;

use crate::act::Act;
use crate::i18n::{Key, Msg};
use crate::state::AppCtx;

/// 修改记录: every mutation about one record, applied or refused, as the server logged
/// it (the district committee's view of the audit trail; online only).
#[component]
pub fn RecordHistory(
    /// Fetches the record's history (the page asks the server); read when opened.
    load: Act<(), Vec<HistoryEntry>>,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let open = RwSignal::new(false);
    let entries = LocalResource::new(move || {
        let wanted = open.get();
        let load = load.clone();
        async move { wanted.then_some(load.run(()).await) }
    });
    view! {
        <details class="card history" data-testid="history" on:toggle=move |_| open.set(true)>
            <summary>{move || ctx.t(Key::History)}</summary>
            {move || match entries.get().flatten() {
                None => ().into_any(),
                Some(Err(m)) => view! { <p class="error">{m}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="history-list">
                        {list.into_iter().map(|e| {
                            let what = serde_json::from_value::<Op>(e.op.clone())
                                .map(|op| crate::labels::op_text(ctx.lang.get_untracked(), &op))
                                .unwrap_or_default();
                            let outcome = if e.outcome == "rejected" {
                                ctx.tr(Msg::RejectedBecause { label: &ctx.t(Key::Rejected), why: &e.message.unwrap_or_default() })
                            } else {
                                ctx.t(Key::Applied).to_owned()
                            };
                            // A mutation brought in a backup names who made it, and where.
                            let origin = e.origin.map(|o| view! {
                                <span class="muted" data-testid="history-origin">
                                    {ctx.t(Key::OpenParen)} {ctx.t(Key::MadeBy)} " " {o.username} " " {ctx.t(Key::OnDevice)} " "
                                    {o.device_id.to_string().get(..8).unwrap_or_default().to_owned()} " " {ctx.t(Key::SentFromBackup)} {ctx.t(Key::CloseParen)}
                                </span>
                            });
                            view! {
                                <li>
                                    <span class="muted">{e.received_at.get(..16).unwrap_or_default().replace('T', " ")}</span>
                                    " " <strong>{e.display_name}</strong> {origin} " " {what}
                                    " · " <span class:error=e.outcome == "rejected">{outcome}</span>
                                    <code class="muted">" " {e.op.get("data").map(|d| d.to_string()).unwrap_or_default()}</code>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </details>
    }
}
