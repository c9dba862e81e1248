use chrono::{DateTime, Local, Utc};
use leptos::prelude::*;

use crate::i18n::{Key, Msg};
use crate::state::AppCtx;

fn format_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&Local).format("%m-%d %H:%M").to_string()
}

/// Online or offline, changes waiting, the last successful sync, and "立即同步".
#[component]
pub fn SyncBadge() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let status = move || {
        if ctx.online.get() {
            view! { <span class="net net-online" data-testid="net">"● " {ctx.t(Key::Online)}</span> }
        } else {
            view! { <span class="net net-offline" data-testid="net">"○ " {ctx.t(Key::Offline)}</span> }
        }
    };
    let grace = move || {
        (!ctx.online.get())
            .then(|| ctx.session.with(|s| s.as_ref().map(|s| s.grace_until())))
            .flatten()
            .map(|until| {
                ctx.tr(Msg::OfflineUntilTime {
                    time: &format_time(until),
                })
            })
    };
    let last = move || match ctx.last_sync.get() {
        Some(at) => ctx.tr(Msg::LastSyncAt {
            time: &format_time(at),
        }),
        None => ctx.t(Key::NeverSynced).to_owned(),
    };
    view! {
        <div class="sync-badge" role="status" aria-live="polite">
            {status}
            <span class="pending" data-testid="pending" class:has-pending=move || ctx.pending.get() != 0>
                {move || ctx.t(Key::Pending)}
                " "
                <strong>{move || ctx.pending.get()}</strong>
            </span>
            <Show when=move || ctx.rejected.get() != 0>
                <span class="rejected-count" data-testid="rejected">
                    "⚠ " {move || ctx.rejected.get()} " " {move || ctx.t(Key::Rejected)}
                </span>
            </Show>
            <span class="last-sync" data-testid="last-sync">{last}</span>
            {move || grace().map(|g| view! { <span class="muted" data-testid="grace">{g}</span> })}
            <button
                class="btn btn-sync"
                data-testid="sync-now"
                disabled=move || ctx.syncing.get() || !ctx.online.get()
                on:click=move |_| ctx.request_sync()
            >
                {move || if ctx.syncing.get() { ctx.t(Key::Syncing) } else { ctx.t(Key::SyncNow) }}
            </button>
            {move || ctx.progress.get().map(|p| {
                let (label, value, max) = match p {
                    hongling_sync::Progress::Uploading { done, total } => {
                        (ctx.t(Key::UploadingProgress), done, total.max(1))
                    }
                    hongling_sync::Progress::Pushing { done, total } => {
                        (ctx.t(Key::PushingProgress), done, total.max(1))
                    }
                    hongling_sync::Progress::Pulling { records } => {
                        (ctx.t(Key::PullingProgress), records, 0)
                    }
                };
                view! {
                    <div class="sync-progress" data-testid="sync-progress">
                        <span>{label} " " {value} {(max > 0).then(|| format!(" / {max}"))}</span>
                        {(max > 0).then(|| view! { <progress max=max value=value></progress> })}
                    </div>
                }
            })}
            {move || ctx.retry_at.get().map(|at| {
                let secs = (at - chrono::Utc::now()).num_seconds().max(0);
                view! { <span class="muted" data-testid="retry">{secs} {ctx.t(Key::Retrying)}</span> }
            })}
            <Show when=move || ctx.sync_error.with(Option::is_some)>
                <span class="sync-error" role="alert" data-testid="sync-error">
                    {move || ctx.sync_error.get()}
                </span>
            </Show>
        </div>
    }
}
