//! 评分表: one judge's sheet for one contestant, made for one hand on a tablet — a large
//! minus and plus per criterion that move by the criterion's step, or the number typed.
//! Every valid change is saved on the tablet at once (offline too); "签名提交" locks the
//! sheet, and only the contest administrator can re-open it.

use hongling_core::Op;
use hongling_core::contest::signing::SheetToSign;
use hongling_core::contest::{SheetAutographV1, SheetSaveV1, SheetSignV1};
use hongling_core::scoring::{Score, check_mark, hundredths, parse_mark, sheet_total};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::SignaturePad;
use crate::i18n::Key;
use crate::read_model::ContestData;
use crate::state::AppCtx;

#[component]
pub fn ScoreSheetPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let params = use_params_map();
    let contest_id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()));
    let contestant_id =
        move || params.with(|p| p.get("contestant").and_then(|s| s.parse::<Uuid>().ok()));
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        let id = contest_id();
        async move { ContestData::load(id?).await }
    });
    let me = move || ctx.actor().map(|a| a.account_id).unwrap_or_default();
    // The marks on screen: loaded once, then owned by the screen.
    let marks = RwSignal::new(None::<Vec<Option<u32>>>);
    let texts = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(Vec::<Option<String>>::new());
    let error = RwSignal::new(None::<String>);
    // Whose marks are on screen; the next contestant loads their own.
    let loaded_for = RwSignal::new(None::<Uuid>);
    Effect::new(move |_| {
        let (Some(Some(d)), Some(who)) = (data.get(), contestant_id()) else {
            return;
        };
        if loaded_for.get_untracked() == Some(who) {
            return;
        }
        loaded_for.set(Some(who));
        error.set(None);
        let m = d
            .sheet(me(), who)
            .map(|s| s.marks.clone())
            .unwrap_or_else(|| vec![None; d.contest.rubric.len()]);
        texts.set(
            m.iter()
                .map(|x| x.map(hundredths).unwrap_or_default())
                .collect(),
        );
        errors.set(vec![None; m.len()]);
        marks.set(Some(m));
    });
    let sheet = move || {
        let (Some(Some(d)), Some(who)) = (data.get(), contestant_id()) else {
            return None;
        };
        Some((d.clone(), d.sheet(me(), who).cloned()))
    };
    // What the form is built from. A memo, so saving (which reloads the data) does not
    // rebuild the inputs under the judge's fingers.
    let form = Memo::new(move |_| {
        let (Some(Some(d)), Some(who)) = (data.get(), contestant_id()) else {
            return None;
        };
        let name = d
            .contest
            .contestants
            .iter()
            .find(|x| x.worker_id == who)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let order = d.contest.sheets_of(me());
        let next = order
            .iter()
            .skip_while(|x| x.worker_id != who)
            .nth(1)
            .map(|x| x.worker_id);
        Some((d.id, name, next, d.contest.rubric.clone()))
    });
    let signed = move || {
        sheet()
            .and_then(|(_, s)| s)
            .is_some_and(|s| s.lock.is_signed())
    };

    let commit = move |op: Op| {
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(m) = ctx.save(op).await {
                error.set(Some(m.message));
            }
        });
    };
    // Sets criterion `i` to `value` (hundredths) if valid, and saves the sheet.
    let set_mark = move |i: usize, value: Option<u32>, text: String| {
        let (Some(Some(d)), Some(who)) = (data.get_untracked(), contestant_id()) else {
            return;
        };
        texts.update(|t| t[i] = text);
        let check = value.map_or(Ok(()), |v| {
            check_mark(&d.contest.rubric[i], v).map_err(|e| e.to_string())
        });
        match check {
            Err(m) => errors.update(|e| e[i] = Some(m)),
            Ok(()) => {
                errors.update(|e| e[i] = None);
                marks.update(|m| {
                    if let Some(m) = m {
                        m[i] = value;
                    }
                });
                let Some(all) = marks.get_untracked() else {
                    return;
                };
                commit(Op::SheetSaveV1(SheetSaveV1 {
                    contest_id: d.id,
                    judge_id: me(),
                    contestant_id: who,
                    marks: all,
                }));
            }
        }
    };
    // 签名提交 opens the box to sign in by hand; confirming signs the marks (with the
    // device's key when the server registered it, for a venue without network) and then
    // attaches the drawing, in that order in the outbox.
    let signing = RwSignal::new(false);
    let drawn = RwSignal::new(false);
    let pad = NodeRef::<leptos::html::Canvas>::new();
    // The box opens where the judge's hand is: scrolled into view.
    let card = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(c) = card.get() {
            c.scroll_into_view();
        }
    });
    let clear_pad = move || {
        if let Some(c) = pad.get_untracked() {
            crate::components::signature_pad::clear(&c);
        }
        drawn.set(false);
    };
    let sign = move |_| {
        let (Some(Some(d)), Some(who), Some(all)) =
            (data.get_untracked(), contestant_id(), marks.get_untracked())
        else {
            return;
        };
        if !drawn.get_untracked() {
            error.set(Some(ctx.t(Key::SignatureRequired).to_owned()));
            return;
        }
        let Some(png) = pad
            .get_untracked()
            .and_then(|c| crate::components::signature_pad::png(&c))
        else {
            error.set(Some(ctx.t(Key::SignatureNotSaved).to_owned()));
            return;
        };
        error.set(None);
        let revision = d.sheet(me(), who).map_or(1, |s| s.lock.revision);
        leptos::task::spawn_local(async move {
            let image = match crate::photo::keep_bytes(png, "image/png".to_owned()).await {
                Ok(image) => image,
                Err(e) => {
                    error.set(Some(e.text(ctx.lang.get_untracked())));
                    return;
                }
            };
            let op = match crate::state::registered_device_secret(me()).await {
                Some(secret) => Op::SheetSignV2(
                    SheetToSign {
                        contest: d.id,
                        judge: me(),
                        contestant: who,
                        revision,
                        marks: &all,
                        device: crate::sync::Session::device_id(),
                    }
                    .sign(&secret),
                ),
                None => Op::SheetSignV1(SheetSignV1 {
                    contest_id: d.id,
                    judge_id: me(),
                    contestant_id: who,
                    marks: all,
                }),
            };
            if let Err(m) = ctx.save(op).await {
                error.set(Some(m.message));
                return;
            }
            signing.set(false);
            let autograph = Op::SheetAutographV1(SheetAutographV1 {
                contest_id: d.id,
                judge_id: me(),
                contestant_id: who,
                revision,
                image,
            });
            if let Err(m) = ctx.save(autograph).await {
                error.set(Some(m.message));
            }
        });
    };

    view! {
        <section class="page score-sheet">
            {move || form.get().map(|(contest_id, name, next, rubric)| {
                let rubric2 = rubric.clone();
                view! {
                    <div class="page-head">
                        <h1 data-testid="sheet-contestant">{name}</h1>
                        <A href=format!("/contests/{contest_id}") attr:class="btn">{ctx.t(Key::BackToList)}</A>
                    </div>
                    <Show when=signed>
                        <p class="verify-result good" role="status" data-testid="sheet-locked">{ctx.t(Key::SheetLockedHint)}</p>
                    </Show>
                    <div class="criteria-list">
                        {rubric.into_iter().enumerate().map(|(i, c)| {
                            let step = c.step.max(1);
                            let max = c.max;
                            let current = move || marks.with(|m| m.as_ref().and_then(|m| m.get(i).copied().flatten()));
                            view! {
                                <div class="criterion card" data-testid="criterion">
                                    <div class="criterion-head">
                                        <strong>{c.name.clone()}</strong>
                                        <span class="muted">{ctx.t(Key::MaxPoints)} " " {hundredths(c.max)} " · " {ctx.t(Key::Step)} " " {hundredths(step)}</span>
                                    </div>
                                    <div class="stepper">
                                        <button type="button" class="btn step-btn" data-testid="minus" disabled=signed aria-label=move || ctx.t(Key::MinusOne)
                                            on:click=move |_| {
                                                let v = current().map_or(0, |v| v.saturating_sub(step));
                                                set_mark(i, Some(v), hundredths(v));
                                            }>"−"</button>
                                        <input type="text" inputmode="decimal" class="mark-input" data-testid="mark" disabled=signed
                                            prop:value=move || texts.with(|t| t.get(i).cloned().unwrap_or_default())
                                            on:change=move |ev| {
                                                let text = event_target_value(&ev);
                                                if text.trim().is_empty() {
                                                    set_mark(i, None, text);
                                                } else {
                                                    match parse_mark(&text) {
                                                        Some(v) => set_mark(i, Some(v), text),
                                                        None => {
                                                            texts.update(|t| t[i] = text);
                                                            errors.update(|e| e[i] = Some(ctx.t(Key::MarkNotANumber).to_owned()));
                                                        }
                                                    }
                                                }
                                            } />
                                        <button type="button" class="btn step-btn" data-testid="plus" disabled=signed aria-label=move || ctx.t(Key::PlusOne)
                                            on:click=move |_| {
                                                let v = current().map_or(step, |v| (v + step).min(max));
                                                set_mark(i, Some(v), hundredths(v));
                                            }>{ctx.t(Key::Plus)}</button>
                                    </div>
                                    {move || errors.with(|e| e.get(i).cloned().flatten()).map(|m| view! {
                                        <p class="field-error" role="alert" data-testid="mark-error">{m}</p>
                                    })}
                                </div>
                            }
                        }).collect_view()}
                    </div>
                    <p class="sheet-total" data-testid="sheet-total">{ctx.t(Key::Total)} " "
                        {move || marks.with(|m| m.as_ref().map(|m| Score::new(sheet_total(&rubric2, m), 1).display()))}
                    </p>
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="sheet-error">{m}</p> })}
                    <Show when=move || signing.get() && !signed()>
                        <div class="card signature-card" data-testid="signature-card" node_ref=card>
                            <p>{ctx.t(Key::SignConfirm)}</p>
                            <p class="muted">{ctx.t(Key::SignaturePadHint)}</p>
                            <SignaturePad canvas=pad drawn=drawn label=ctx.t(Key::HandwrittenSignature).to_owned() />
                            <div class="signature-actions">
                                <button type="button" class="btn" data-testid="signature-clear" on:click=move |_| clear_pad()>{ctx.t(Key::ClearSignature)}</button>
                                <button type="button" class="btn" data-testid="signature-cancel" on:click=move |_| { signing.set(false); error.set(None); }>{ctx.t(Key::CancelSign)}</button>
                                <button type="button" class="btn btn-primary" data-testid="sign-confirm" on:click=sign>{ctx.t(Key::ConfirmSign)}</button>
                            </div>
                        </div>
                    </Show>
                    // While the box is open its own buttons are the actions: the
                    // sticky bar would cover the box.
                    <div class="form-actions" class:hidden=move || signing.get()>
                        <button type="button" class="btn btn-primary btn-block" data-testid="sign" disabled=signed
                            on:click=move |_| { drawn.set(false); signing.set(true); }>
                            {ctx.t(Key::SignAndSubmit)}
                        </button>
                        {next.map(|n| view! {
                            <A href=format!("/contests/{contest_id}/sheet/{n}") attr:class="btn btn-block" attr:data-testid="next-sheet">{ctx.t(Key::NextContestant)}</A>
                        })}
                    </div>
                }
            })}
        </section>
    }
}
