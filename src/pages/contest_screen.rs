//! 现场亮分: the big screen at the venue (a projector on the administrator's laptop).
//! A contestant's result appears as soon as every sheet of their panel is signed and
//! synced: each judge's total, the dropped highest and lowest struck through, and the
//! final score. The page syncs every few seconds while it is open; at a venue with no
//! network it re-reads the tablet every few seconds instead, so the sheets scanned in
//! another tab (扫码收取评分表) show at once, each checked against its judge's key.

use hongling_core::contest::standings;
use hongling_core::scoring::Score;
use leptos::prelude::*;

use crate::i18n::Key;
use crate::pages::contests::contest_of_route;
use crate::state::AppCtx;

/// How often the big screen syncs, in milliseconds.
const REFRESH_MS: u64 = 5_000;

#[component]
pub fn ContestScreenPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if ctx.online.get_untracked() {
                ctx.request_sync();
            } else {
                ctx.data_changed();
            }
        },
        std::time::Duration::from_millis(REFRESH_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <section class="big-screen" data-testid="big-screen">
            {move || data.get().flatten().map(|d| {
                let c = &d.contest;
                // Only sheets the server has, or scanned ones whose judge's device
                // signature this tablet checked: a sheet otherwise still in this
                // device's outbox waits.
                let synced: Vec<_> = d.sheets.iter()
                    .filter(|s| !d.sheet_pending(s.judge_id, s.contestant_id) || s.device_signed())
                    .cloned()
                    .collect();
                let lines: Vec<_> = standings(c, &synced).into_iter().filter(|l| l.complete()).collect();
                view! {
                    <h1>{c.title.clone()}</h1>
                    {lines.is_empty().then(|| view! { <p class="muted">{ctx.t(Key::WaitingForSheets)}</p> })}
                    <div class="screen-results">
                        {lines.into_iter().map(|l| {
                            let r = l.result.clone().unwrap_or_else(|| unreachable!("complete lines have a result"));
                            view! {
                                <article class="screen-card" data-testid="screen-result" data-name=l.name.clone()>
                                    <h2>{l.name.clone()} <span class="muted">" " {l.organization.clone()}</span></h2>
                                    <ul class="judge-totals">
                                        {r.totals.iter().map(|(j, t)| {
                                            let dropped = r.dropped_high == Some(*j) || r.dropped_low == Some(*j);
                                            let shown = Score::new(*t, 1).display();
                                            view! {
                                                <li class:dropped=dropped data-testid="judge-total" data-dropped=dropped.to_string()>
                                                    <span class="judge-name">{c.judge_name(*j)}</span>
                                                    {if dropped {
                                                        view! { <s>{shown}</s> }.into_any()
                                                    } else {
                                                        view! { <span>{shown}</span> }.into_any()
                                                    }}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    <p class="final-score" data-testid="final-score">{l.score.clone()}</p>
                                </article>
                            }
                        }).collect_view()}
                    </div>
                }
            })}
        </section>
    }
}
