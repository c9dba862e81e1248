//! 签到: the roll call of one training session, made for fifty or more people in a
//! hall. Search by name or pinyin initials, one tap per person, a bulk tick for
//! everyone listed, and check-in by scanning the certificate QR with the camera —
//! verified offline with the keys and status list of the last sync.

use std::collections::BTreeMap;

use hongling_core::Op;
use hongling_core::certificate::{self, CertStatus, Standing};
use hongling_core::training::{Mark, MarkEntry, TrainingAttendV1, Via};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::QrScanner;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::{Programme, load_verification};
use crate::state::AppCtx;

/// One line of the roll: a worker who may attend and the mark they have.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    worker_id: Uuid,
    name: String,
    place: String,
}

fn mark_css(mark: Mark) -> &'static str {
    match mark {
        Mark::Present => "present",
        Mark::Late => "late",
        Mark::Absent => "absent",
    }
}

/// Why a scanned code does not check anyone in.
enum Refusal {
    /// Not a certificate, or a bad signature: the verifier's own words.
    Invalid(String),
    /// A genuine certificate that is not valid (revoked, downgraded, expired…).
    NotValid(String, CertStatus),
    /// A genuine certificate this device has no record of.
    Unknown,
}

/// Finds the worker a verified QR belongs to, or says why they cannot check in.
fn worker_of_qr(
    data: &Programme,
    keys: &[hongling_core::SigningPublicKey],
    qr: &str,
) -> Result<(Uuid, String), Refusal> {
    // A demo certificate checks in on a demo server: its keys are on no other.
    let payload = certificate::verify(qr, keys)
        .map_err(|e| Refusal::Invalid(e.to_string()))?
        .payload;
    let Some((id, cert)) = data
        .certificates
        .iter()
        .find(|(_, c)| c.number == payload.no)
    else {
        return Err(Refusal::Unknown);
    };
    match certificate::standing(data.status(*id)) {
        Standing::Known(CertStatus::Valid) => Ok((cert.worker_id, cert.holder_name.clone())),
        Standing::Known(other) => Err(Refusal::NotValid(payload.no, other)),
        Standing::Unknown => Err(Refusal::Unknown),
    }
}

#[component]
pub fn TrainingPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let params = use_params_map();
    let session_id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()));
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let query = RwSignal::new(String::new());
    // Marks taken on this screen show at once; the stored ones come with the next load.
    let optimistic = RwSignal::new(BTreeMap::<Uuid, Mark>::new());
    let error = RwSignal::new(None::<String>);
    let scanning = RwSignal::new(false);
    let scan_message = RwSignal::new(None::<(bool, String)>);
    let may_mark = move || ctx.may(hongling_core::permission::Action::Train);

    let roll = move || -> Vec<Row> {
        let Some(Some(data)) = data.get() else {
            return Vec::new();
        };
        data.workers
            .iter()
            .map(|(id, w)| Row {
                worker_id: *id,
                name: w.name.clone(),
                place: format!(
                    "{} · {}",
                    data.dir.township_name(w.township_id),
                    data.dir.organization_name(w.organization_id)
                ),
            })
            .collect()
    };
    let stored = move || -> BTreeMap<Uuid, Mark> {
        let (Some(Some(data)), Some(session)) = (data.get(), session_id()) else {
            return BTreeMap::new();
        };
        data.attendance
            .iter()
            .filter(|a| a.session_id == session)
            .map(|a| (a.worker_id, a.mark))
            .collect()
    };
    let marks = Memo::new(move |_| {
        let mut m = stored();
        m.extend(optimistic.get());
        m
    });
    let filtered = Memo::new(move |_| {
        let q = query.get();
        roll()
            .into_iter()
            .filter(|r| q.trim().is_empty() || hongling_core::text::matches_name(&r.name, q.trim()))
            .collect::<Vec<_>>()
    });

    let record = move |entries: Vec<MarkEntry>| {
        let Some(session) = session_id() else { return };
        if entries.is_empty() {
            return;
        }
        optimistic.update(|m| {
            for e in &entries {
                m.insert(e.worker_id, e.mark);
            }
        });
        error.set(None);
        let op = Op::TrainingAttendV1(TrainingAttendV1 {
            session_id: session,
            marks: entries.clone(),
        });
        leptos::task::spawn_local(async move {
            if let Err(m) = ctx.save(op).await {
                optimistic.update(|o| {
                    for e in &entries {
                        o.remove(&e.worker_id);
                    }
                });
                error.set(Some(m.message));
            }
        });
    };
    let mark_all = move |_| {
        let entries = filtered
            .get_untracked()
            .into_iter()
            .map(|r| MarkEntry {
                worker_id: r.worker_id,
                mark: Mark::Present,
                via: Via::Manual,
            })
            .collect::<Vec<_>>();
        for chunk in entries.chunks(hongling_core::training::MAX_MARKS) {
            record(chunk.to_vec());
        }
    };
    let on_scan = Callback::new(move |qr: String| {
        leptos::task::spawn_local(async move {
            let (keys, _) = load_verification().await.unwrap_or_default();
            let Some(Some(data)) = data.get_untracked() else {
                return;
            };
            match worker_of_qr(&data, &keys, &qr) {
                Ok((worker_id, name)) => {
                    record(vec![MarkEntry {
                        worker_id,
                        mark: Mark::Present,
                        via: Via::Qr,
                    }]);
                    scan_message.set(Some((true, ctx.tr(Msg::CheckedIn { name: &name }))));
                }
                Err(refusal) => {
                    let why = match refusal {
                        Refusal::Invalid(why) => why,
                        Refusal::NotValid(no, status) => ctx.tr(Msg::CertNotValid {
                            number: &no,
                            status: &ctx.t(status.key()),
                        }),
                        Refusal::Unknown => ctx.t(Key::CertUnknownHere).to_owned(),
                    };
                    scan_message.set(Some((false, ctx.tr(Msg::CheckInRefused { why: &why }))));
                }
            }
        });
    });

    let session = move || {
        let (Some(Some(data)), Some(id)) = (data.get(), session_id()) else {
            return None;
        };
        data.sessions
            .iter()
            .find(|s| s.0 == id)
            .map(|s| s.1.clone())
    };

    view! {
        <section class="page roll-call">
            {move || session().map(|s| view! {
                <h1 data-testid="session-title">{s.title.clone()}</h1>
                <p class="muted">{ctx.t(s.kind.key())} " · " {s.date.to_string()} " · " {s.place.clone()}
                    " · " {hongling_core::training::hours_text(s.hours_tenths)} " h"</p>
            })}
            <p class="roll-count" data-testid="roll-count">
                {move || ctx.t(Key::Attended)} " "
                {move || marks.get().values().filter(|m| m.attended()).count()}
                " / " {move || roll().len()}
            </p>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <Show when=may_mark>
                <div class="toolbar">
                    <input type="search" class="search" data-testid="roll-search"
                        placeholder=move || ctx.t(Key::SearchNameOrInitials)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev)) />
                    <button type="button" class="btn" data-testid="mark-all" on:click=mark_all>
                        {move || ctx.t(Key::MarkFilteredPresent)}
                    </button>
                    <button type="button" class="btn" data-testid="scan-toggle"
                        on:click=move |_| { scanning.update(|s| *s = !*s); scan_message.set(None); }>
                        {move || if scanning.get() { ctx.t(Key::StopScanning) } else { ctx.t(Key::ScanToCheckIn) }}
                    </button>
                </div>
                <Show when=move || scanning.get()>
                    <QrScanner on_text=on_scan />
                </Show>
                {move || scan_message.get().map(|(ok, m)| view! {
                    <p class=if ok { "scan-result good" } else { "scan-result bad" } role="status"
                        data-testid="scan-result">{m}</p>
                })}
                <ul class="roll" data-testid="roll">
                    <For each=move || filtered.get() key=|r| r.worker_id let:row>
                        {
                            let id = row.worker_id;
                            let current = move || marks.get().get(&id).copied();
                            view! {
                                <li class="roll-row" data-testid="roll-row" data-name=row.name.clone()
                                    data-mark=move || current().map(mark_css).unwrap_or("none")>
                                    <div class="roll-who">
                                        <strong>{row.name.clone()}</strong>
                                        <span class="muted">{row.place.clone()}</span>
                                    </div>
                                    <div class="segs">
                                        {Mark::ALL.into_iter().map(|mark| view! {
                                            <button type="button"
                                                class=move || if current() == Some(mark) { format!("seg on {}", mark_css(mark)) } else { "seg".to_owned() }
                                                aria-pressed=move || (current() == Some(mark)).to_string()
                                                data-testid=format!("mark-{}", mark_css(mark))
                                                on:click=move |_| record(vec![MarkEntry { worker_id: id, mark, via: Via::Manual }])>
                                                {move || ctx.t(mark.key())}
                                            </button>
                                        }).collect_view()}
                                    </div>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </Show>
        </section>
    }
}
