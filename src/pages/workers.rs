use hongling_core::permission::Action;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::WorkerItem;
use crate::i18n::{Key, Msg};
use crate::read_model::{WorkerRow, load_worker_rows};
use crate::state::AppCtx;

/// Whether the search `q` finds the row: the name (also by pinyin or its initials, `zhm`
/// finds 张红梅), the organisation or the township.
fn matches(row: &WorkerRow, q: &str) -> bool {
    let q = q.trim();
    row.name_key.matches(&row.worker.name, q)
        || row.organization.contains(q)
        || row.township.contains(q)
}

/// What the list area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListState {
    Loading,
    Failed,
    Empty,
    Rows,
}

/// What a row shows: its key in the keyed list, so a row is built again only when that
/// changes.
type RowKey = (
    uuid::Uuid,
    bool,
    bool,
    String,
    hongling_core::WorkerRole,
    String,
    String,
    String,
    u32,
);

fn row_key(row: &WorkerRow, just_saved: bool) -> RowKey {
    (
        row.id,
        just_saved,
        row.pending,
        row.worker.name.clone(),
        row.worker.role,
        row.township.clone(),
        row.organization.clone(),
        row.worker.management_post.clone(),
        row.worker.years_in_post,
    )
}

/// Rows added to the window at a time: a district holds thousands of workers, and a
/// tablet renders a hundred rows in a few milliseconds where it takes seconds for all.
const PAGE: usize = 100;
/// Rows shown above the worker just saved, for context.
const ABOVE_SAVED: usize = 10;

/// 人员 (`/workers`): the list of 党务工作者 on this device, with search (kept in the URL)
/// and count. It renders a window of the rows that grows as the user scrolls down (or
/// taps 显示更多). After a save the form comes back with `?at=<id>`: the window then
/// opens at the saved worker, marked, wherever the name sorts.
#[component]
pub fn WorkersPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let query = use_query_map();
    let navigate = use_navigate();
    let q = move || query.with(|m| m.get("q").unwrap_or_default());
    let at = move || query.with(|m| m.get("at").and_then(|v| v.parse::<uuid::Uuid>().ok()));
    let rows = LocalResource::new(move || {
        ctx.data_rev.get();
        load_worker_rows()
    });
    // How many rows the window shows from its anchor on, and above it.
    let shown = RwSignal::new(PAGE);
    let earlier = RwSignal::new(0usize);
    let on_search = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        shown.set(PAGE);
        earlier.set(0);
        let url = if value.is_empty() {
            "/workers".to_owned()
        } else {
            format!("/workers?q={}", js_sys::encode_uri_component(&value))
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    // The positions of the rows the search finds, worked out once per keystroke or
    // change of data; the rows themselves stay where the resource keeps them.
    let found = Memo::new(move |_| {
        let q = q();
        rows.with(|r| {
            r.as_ref().map(|r| {
                r.as_ref()
                    .map(|rows| {
                        rows.iter()
                            .enumerate()
                            .filter(|(_, r)| matches(r, &q))
                            .map(|(i, _)| i)
                            .collect::<Vec<_>>()
                    })
                    .map_err(|e| e.to_string())
            })
        })
    });
    let total = move || {
        rows.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map_or(0, |r| r.len())
        })
    };
    // Where the window starts and ends among the found rows.
    let window = move || {
        let count = found.with(|f| f.as_ref().and_then(|f| f.as_ref().ok()).map_or(0, Vec::len));
        let anchor = at()
            .and_then(|id| {
                rows.with(|r| {
                    let rows = r.as_ref()?.as_ref().ok()?;
                    found.with(|f| {
                        f.as_ref()?
                            .as_ref()
                            .ok()?
                            .iter()
                            .position(|&i| rows[i].id == id)
                    })
                })
            })
            .map_or(0, |p| p.saturating_sub(ABOVE_SAVED));
        let start = anchor.saturating_sub(earlier.get());
        let end = (anchor + shown.get()).min(count);
        (start, end, count)
    };
    // The rows in the window, each with whether it is the one just saved. The list is
    // keyed by what a row shows, so a keystroke or a sync keeps the rows that stay as
    // they were (their nodes too) and builds only the ones that came or changed.
    let shown_rows = move || {
        let (start, end, _) = window();
        let saved = at();
        rows.with(|r| {
            let Some(Ok(rows)) = r.as_ref() else {
                return Vec::new();
            };
            found.with(|f| match f {
                Some(Ok(list)) => list[start..end]
                    .iter()
                    .filter_map(|&i| rows.get(i))
                    .map(|row| (std::sync::Arc::clone(row), Some(row.id) == saved))
                    .collect(),
                _ => Vec::new(),
            })
        })
    };
    let list_state = Memo::new(move |_| {
        found.with(|f| match f {
            None => ListState::Loading,
            Some(Err(_)) => ListState::Failed,
            Some(Ok(list)) if list.is_empty() => ListState::Empty,
            Some(Ok(_)) => ListState::Rows,
        })
    });
    let more = move || {
        let (_, end, count) = window();
        if end < count {
            shown.update(|n| *n += PAGE);
        }
    };
    // Near the bottom of the page, the window grows by itself.
    let on_scroll = window_event_listener(leptos::ev::scroll, move |_| {
        let Some(w) = web_sys::window() else { return };
        let (Ok(inner), Ok(y)) = (w.inner_height(), w.scroll_y()) else {
            return;
        };
        let height = w
            .document()
            .and_then(|d| d.body())
            .map_or(0, |b| b.scroll_height());
        if inner.as_f64().unwrap_or(0.0) + y + 800.0 >= f64::from(height) {
            more();
        }
    });
    on_cleanup(move || on_scroll.remove());
    // The worker just saved is scrolled to once its row is on screen.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) || at().is_none() {
            return done.unwrap_or(false);
        }
        let loaded = found.with(|f| f.as_ref().is_some_and(|f| f.is_ok()));
        if loaded {
            request_animation_frame(|| {
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".worker-item.just-saved").ok().flatten())
                {
                    el.scroll_into_view_with_bool(false);
                }
            });
        }
        loaded
    });

    view! {
        <section class="page">
            <div class="page-head">
                <h1>
                    {move || ctx.t(Key::Workers)}
                    <span class="count" data-testid="worker-count">
                        {move || window().2}
                        " " {move || ctx.t(Key::WorkersCount)}
                    </span>
                </h1>
                <Show when=move || ctx.may(Action::Administer)>
                    <A href="/admin/import" attr:class="btn" attr:data-testid="import-export">
                        {move || ctx.t(Key::ImportExport)}
                    </A>
                </Show>
                <Show when=move || ctx.may(Action::EditWorkers)>
                    <A href="/workers/new" attr:class="btn btn-primary" attr:data-testid="add-worker">
                        {ctx.t(Key::Plus)} " " {move || ctx.t(Key::AddWorker)}
                    </A>
                </Show>
            </div>
            <input
                class="search"
                type="search"
                data-testid="search"
                placeholder=move || ctx.t(Key::Search)
                prop:value=q
                on:input=on_search
            />
            {move || match list_state.get() {
                ListState::Failed => found.with(|f| {
                    let why = f.as_ref().and_then(|f| f.as_ref().err()).cloned().unwrap_or_default();
                    view! {
                        <p class="error" role="alert">{ctx.tr(Msg::StorageFailed { why: &why })}</p>
                    }
                }).into_any(),
                ListState::Empty => view! {
                    <p class="empty-state" data-testid="empty">
                        {if total() == 0 { ctx.t(Key::NoWorkers) } else { ctx.t(Key::NoMatch) }}
                    </p>
                }.into_any(),
                ListState::Loading | ListState::Rows => ().into_any(),
            }}
            <Show when=move || list_state.get() == ListState::Rows>
                {move || {
                    let (start, _, _) = window();
                    (start > 0).then(|| view! {
                        <button class="btn list-more" data-testid="show-earlier"
                            on:click=move |_| earlier.update(|n| *n += PAGE)>
                            {move || ctx.tr(Msg::ShowEarlier { n: &start.min(PAGE) })}
                        </button>
                    })
                }}
                <ul class="worker-list" data-testid="worker-list">
                    <For each=shown_rows key=|(row, saved)| row_key(row, *saved) let((row, just_saved))>
                        <WorkerItem row just_saved />
                    </For>
                </ul>
                {move || {
                    let (_, end, count) = window();
                    (end < count).then(|| view! {
                        <button class="btn list-more" data-testid="show-more"
                            on:click=move |_| more()>
                            {move || ctx.tr(Msg::ShowMore { n: &(count - end) })}
                        </button>
                    })
                }}
            </Show>
        </section>
    }
}
