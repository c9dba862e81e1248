//! A contest day with no network: the judge's tablet shows its signed sheets as QR codes
//! (交给管理员), the administrator's tablet reads them with its camera (扫码收取) and
//! relays each as its own op, `sheet.relay@1`. The shared rules check every sheet against
//! the judge's registered device key before it counts, so the live ranking and the big
//! screen move as the codes are read, with no server in reach.

use hongling_core::Op;
use hongling_core::contest::relay::{self, FrameError};
use hongling_core::contest::{SheetRelayV1, SheetSignV2};
// The administrator's re-opening travels the other way, as one signed code (HLO1).
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{QrCode, QrScanner, RankingTable};
use crate::i18n::{Key, Msg};
use crate::pages::contests::{contest_of_route, is_contest_admin};
use crate::state::AppCtx;

/// How long each code stays on the judge's screen, in milliseconds.
const CODE_MS: u64 = 2500;

/// 交给管理员: the judge's signed sheets as codes shown in turn.
#[component]
pub fn HandOverPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    let me = ctx.actor().map(|a| a.account_id).unwrap_or_default();
    let codes = Memo::new(move |_| {
        data.get()
            .flatten()
            .map(|d| {
                let order = d.contest.sheets_of(me);
                let signed: Vec<SheetSignV2> = order
                    .iter()
                    .filter_map(|c| d.sheet(me, c.worker_id))
                    .filter_map(relay::signed_of)
                    .collect();
                relay::frames(&signed)
            })
            .unwrap_or_default()
    });
    let shown = RwSignal::new(0usize);
    let timer = set_interval_with_handle(
        move || {
            let n = codes.with_untracked(Vec::len).max(1);
            shown.update(|i| *i = (*i + 1) % n);
        },
        std::time::Duration::from_millis(CODE_MS),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    // 扫描重开码: the administrator re-opened one of this judge's sheets at the venue.
    let scanning = RwSignal::new(false);
    let reopen_note = RwSignal::new(None::<Result<String, String>>);
    let on_reopen = Callback::new(move |text: String| {
        let signed = match relay::read_reopen(&text) {
            Ok(r) => r,
            Err(FrameError::NotARelayCode) => {
                reopen_note.set(Some(Err(ctx.t(Key::NotAReopenCode).to_owned())));
                return;
            }
            Err(FrameError::Damaged) => {
                reopen_note.set(Some(Err(ctx.t(Key::RelayCodeDamaged).to_owned())));
                return;
            }
        };
        let Some(d) = data.get_untracked().flatten() else {
            return;
        };
        if signed.reopen.contest_id != d.id || signed.reopen.judge_id != me {
            reopen_note.set(Some(Err(ctx.t(Key::ReopenNotForMe).to_owned())));
            return;
        }
        scanning.set(false);
        leptos::task::spawn_local(async move {
            let outcome = ctx
                .save(Op::SheetReopenedV1(signed))
                .await
                .map(|()| ctx.t(Key::ReopenTaken).to_owned())
                .map_err(|r| r.message);
            reopen_note.set(Some(outcome));
        });
    });
    let back = move || {
        data.get()
            .flatten()
            .map(|d| format!("/contests/{}", d.id))
            .unwrap_or_else(|| "/contests".to_owned())
    };
    view! {
        <section class="page hand-over">
            <div class="page-head">
                <h1>{move || ctx.t(Key::HandOver)}</h1>
                <A href=back attr:class="btn">{move || ctx.t(Key::BackToList)}</A>
            </div>
            {move || {
                let list = codes.get();
                if list.is_empty() {
                    return view! { <p class="empty" data-testid="hand-over-none">{ctx.t(Key::HandOverNone)}</p> }.into_any();
                }
                let total = list.len();
                let i = shown.get() % total;
                let text = list[i].clone();
                view! {
                    <div class="card hand-over-card">
                        <p class="muted">{ctx.t(Key::HandOverHint)}</p>
                        <div data-testid="hand-over-code" data-part=(i + 1).to_string() data-total=total.to_string()>
                            <QrCode text=text class="qr qr-relay" />
                        </div>
                        <p class="hand-over-part" data-testid="hand-over-part">
                            {ctx.tr(Msg::CodeOfCodes { part: &(i + 1).to_string(), total: &total.to_string() })}
                        </p>
                        <button type="button" class="btn" data-testid="next-code"
                            on:click=move |_| shown.update(|k| *k = (*k + 1) % total)>
                            {ctx.t(Key::NextCode)}
                        </button>
                    </div>
                }.into_any()
            }}
            <div class="card">
                <button type="button" class="btn" data-testid="scan-reopen"
                    on:click=move |_| { reopen_note.set(None); scanning.update(|s| *s = !*s); }>
                    {move || ctx.t(Key::ScanReopen)}
                </button>
                <Show when=move || scanning.get()>
                    <QrScanner on_text=on_reopen />
                </Show>
                {move || reopen_note.get().map(|r| match r {
                    Ok(m) => view! { <p class="ok" role="status" data-testid="reopen-taken">{m}</p> }.into_any(),
                    Err(m) => view! { <p class="field-error" role="alert" data-testid="reopen-problem">{m}</p> }.into_any(),
                })}
            </div>
        </section>
    }
}

/// One sheet read from a code, and what became of it.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    judge: String,
    contestant: String,
    outcome: Result<bool, String>,
}

/// 扫码收取: the administrator's camera reads the judges' codes.
#[component]
pub fn CollectPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = contest_of_route(ctx);
    let log = RwSignal::new(Vec::<Received>::new());
    let problem = RwSignal::new(None::<String>);
    let on_text = Callback::new(move |text: String| {
        let frame = match relay::read(&text) {
            Ok(f) => f,
            Err(e) => {
                problem.set(Some(
                    ctx.t(match e {
                        FrameError::NotARelayCode => Key::NotARelayCode,
                        FrameError::Damaged => Key::RelayCodeDamaged,
                    })
                    .to_owned(),
                ));
                return;
            }
        };
        problem.set(None);
        let Some(d) = data.get_untracked().flatten() else {
            return;
        };
        leptos::task::spawn_local(async move {
            for sheet in frame.sheets {
                let judge = d.contest.judge_name(sheet.judge_id);
                let contestant = d
                    .contest
                    .contestants
                    .iter()
                    .find(|c| c.worker_id == sheet.contestant_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default();
                let held = d.sheet(sheet.judge_id, sheet.contestant_id);
                let outcome = if sheet.contest_id != d.id {
                    Err(ctx.t(Key::RelayOtherContest).to_owned())
                } else if relay::already_held(held, &sheet) {
                    Ok(false)
                } else {
                    ctx.save(Op::SheetRelayV1(SheetRelayV1 { sheet }))
                        .await
                        .map(|()| true)
                        .map_err(|r| r.message)
                };
                log.update(|l| {
                    l.retain(|r| !(r.judge == judge && r.contestant == contestant));
                    l.insert(
                        0,
                        Received {
                            judge,
                            contestant,
                            outcome,
                        },
                    );
                });
            }
        });
    });
    view! {
        <section class="page collect">
            {move || data.get().flatten().map(|d| {
                let id = d.id;
                view! {
                    <div class="page-head">
                        <h1>{ctx.t(Key::CollectSheets)}</h1>
                        <A href=format!("/contests/{id}") attr:class="btn">{ctx.t(Key::BackToList)}</A>
                    </div>
                }
            })}
            <Show when=move || is_contest_admin(&ctx) fallback=move || view! { <p class="empty">{ctx.t(Key::RefusalForbidden)}</p> }>
                <div class="collect-grid">
                    <div class="card">
                        <p class="muted">{move || ctx.t(Key::CollectHint)}</p>
                        <QrScanner on_text=on_text />
                        {move || problem.get().map(|m| view! { <p class="field-error" role="alert" data-testid="collect-problem">{m}</p> })}
                        <ul class="decisions" data-testid="collected">
                            {move || log.get().into_iter().map(|r| {
                                let (state, text) = match &r.outcome {
                                    Ok(true) => ("ok", ctx.t(Key::RelayReceived).to_owned()),
                                    Ok(false) => ("ok", ctx.t(Key::RelayAlreadyHeld).to_owned()),
                                    Err(m) => ("refused", m.clone()),
                                };
                                view! {
                                    <li data-testid="collected-sheet" data-state=state>
                                        {r.judge} " → " {r.contestant} " · " {text}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                    {move || data.get().flatten().map(|d| view! {
                        <div class="card">
                            <h2>{ctx.t(Key::LiveRanking)}</h2>
                            <RankingTable data=d />
                        </div>
                    })}
                </div>
            </Show>
        </section>
    }
}
