//! 恢复核对 (district committee): what the committee checks after the server was put
//! back to an earlier state. The tablets sent again what the server lost; this lists
//! each change whose outcome now differs from the first answer its user saw, and each
//! new worker whose full ID-card number must be typed again (tablets never keep it).
//! Online only: the list lives on the server.

use chrono::{DateTime, Local};
use hongling_core::wire::{MutationStatus, RecoveryItem};
use leptos::prelude::*;

use crate::i18n::{Key, Msg};
use crate::state::AppCtx;
use crate::sync::api::admin;

fn outcome(ctx: AppCtx, status: MutationStatus) -> String {
    ctx.t(match status {
        MutationStatus::Rejected => Key::RecoveryRefused,
        MutationStatus::Applied | MutationStatus::Duplicate => Key::RecoverySaved,
    })
    .to_owned()
}

/// The record a target `kind/id` names, when it has a screen of its own.
fn link_of(target: &str) -> Option<String> {
    let (kind, id) = target.split_once('/')?;
    match kind {
        "worker" => Some(format!("/workers/{id}")),
        "application" => Some(format!("/applications/{id}")),
        _ => None,
    }
}

fn when(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| at.to_owned())
}

#[component]
fn RecoveryEntry(item: RecoveryItem) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let refused = |s: MutationStatus| s == MutationStatus::Rejected;
    let changed = refused(item.first_outcome) != refused(item.outcome);
    let what = if item.id_card_removed {
        ctx.t(Key::RecoveryRetypeIdCard).to_owned()
    } else {
        ctx.tr(Msg::RecoveryOutcomeChange {
            label: &ctx.t(Key::RecoveryOutcome),
            from: &outcome(ctx, item.first_outcome),
            to: &outcome(ctx, item.outcome),
        })
    };
    let reason = item
        .message
        .clone()
        .filter(|_| item.outcome == MutationStatus::Rejected);
    let link = link_of(&item.target);
    view! {
        <li class="card recovery-item" data-testid="recovery-item" class:recovery-changed=changed>
            <p class="recovery-summary"><strong>{item.summary.clone()}</strong></p>
            <p class="muted">
                {item.username.clone()} " · " {when(&item.at)} " · #" {item.mutation_id}
            </p>
            <p data-testid="recovery-what">{what}</p>
            {reason.map(|r| view! { <p class="error">{r}</p> })}
            {link.map(|href| view! {
                <a class="btn" href=href>{ctx.t(Key::RecoveryOpen)}</a>
            })}
        </li>
    }
}

#[component]
pub fn RecoveryPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let items = LocalResource::new(move || {
        let token = ctx.token();
        async move {
            match token {
                Some(token) => admin::recovery(&token).await.map_err(|e| e.to_string()),
                None => Ok(Vec::new()),
            }
        }
    });
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Recovery)}</h1>
            <p class="muted">{move || ctx.t(Key::RecoveryHint)}</p>
            <Show when=move || !ctx.online.get()>
                <p class="error" role="alert">{move || ctx.t(Key::NeedsNetwork)}</p>
            </Show>
            {move || match items.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="empty-state" data-testid="recovery-empty">{ctx.t(Key::RecoveryEmpty)}</p>
                }
                    .into_any(),
                Some(Ok(list)) => view! {
                    <ul class="recovery-list" data-testid="recovery-list">
                        {list
                            .into_iter()
                            .map(|item| view! { <RecoveryEntry item /> })
                            .collect_view()}
                    </ul>
                }
                    .into_any(),
            }}
        </section>
    }
}
