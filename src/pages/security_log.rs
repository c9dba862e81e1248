//! 安全日志 (district committee): who logged in or failed to, from which address, and who
//! changed passwords, grants, accounts and devices, imported, exported or backed up — the
//! record a district keeps for six months and more (网络安全法 §21). Online only: the log
//! lives on the server, which writes it; the tablet only reads it, a page at a time, and
//! can hand the whole of it over as CSV.

use chrono::{DateTime, Local};
use hongling_core::wire::{SecurityEvent, SecurityLogEntry};
use leptos::prelude::*;

use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;
use crate::sync::api::admin;

fn when(at: &str) -> String {
    DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| at.to_owned())
}

/// Lines worth the eye: failed logins and what takes access away.
fn alarming(event: SecurityEvent) -> bool {
    matches!(
        event,
        SecurityEvent::LoginFailed
            | SecurityEvent::AccountDisabled
            | SecurityEvent::DeviceRevoked
            | SecurityEvent::Restore
    )
}

#[component]
pub fn SecurityLogPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let token = move || ctx.token();
    let lines = RwSignal::new(Vec::<SecurityLogEntry>::new());
    let more = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Loads the page after `before` (the first page when `None`) and appends it.
    let load = move |before: Option<u64>| {
        let Some(token) = token() else { return };
        leptos::task::spawn_local(async move {
            match admin::security_log(&token, before).await {
                Ok(page) => {
                    more.set(page.len() == admin::SECURITY_LOG_PAGE);
                    lines.update(|l| l.extend(page));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            loaded.set(true);
        });
    };
    load(None);
    let export = move |_| {
        let Some(token) = token() else { return };
        leptos::task::spawn_local(async move {
            match crate::sync::api::get_file(&token, "/admin/security-log/export").await {
                Ok(bytes) => {
                    let _ = crate::download::save("security-log.csv", "text/csv", &bytes);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let older = move |_| load(lines.with_untracked(|l| l.last().map(|e| e.id)));
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::SecurityLog)}</h1>
            <p class="muted">{move || ctx.t(Key::SecurityLogHint)}</p>
            <Show when=move || !ctx.online.get()>
                <p class="error" role="alert">{move || ctx.t(Key::NeedsNetwork)}</p>
            </Show>
            <p>
                <button class="btn" data-testid="security-log-export" on:click=export
                    disabled=move || !ctx.online.get()>
                    {move || ctx.t(Key::SecurityLogExport)}
                </button>
            </p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || loaded.get() && lines.with(Vec::is_empty) && error.get().is_none()>
                <p class="empty-state">{move || ctx.t(Key::SecurityLogEmpty)}</p>
            </Show>
            <Show when=move || !lines.with(Vec::is_empty)>
                <div class="table-scroll">
                    <table class="table" data-testid="security-log">
                        <thead>
                            <tr>
                                <th>{move || ctx.t(Key::SecurityLogWhen)}</th>
                                <th>{move || ctx.t(Key::SecurityLogEvent)}</th>
                                <th>{move || ctx.t(Key::SecurityLogActor)}</th>
                                <th>{move || ctx.t(Key::SecurityLogSubject)}</th>
                                <th>{move || ctx.t(Key::SecurityLogAddress)}</th>
                                <th>{move || ctx.t(Key::SecurityLogDetail)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For each=move || lines.get() key=|l| l.id let:line>
                                <tr data-testid="security-log-line" data-event=line.event.as_str()
                                    class:error=alarming(line.event)>
                                    <td>{when(&line.at)}</td>
                                    <td>{ctx.t(line.event.key())}</td>
                                    <td>{line.actor.clone()}</td>
                                    <td>{line.subject.clone()}</td>
                                    <td>{line.address.clone()}</td>
                                    <td>{line.detail.clone()}</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <Show when=move || more.get()>
                <button class="btn" data-testid="security-log-more" on:click=older>
                    {move || ctx.t(Key::SecurityLogMore)}
                </button>
            </Show>
        </section>
    }
}
