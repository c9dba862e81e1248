//! 荣誉表彰 on a worker's page: the honours on record, a form to add one, and 更正, which
//! records a correction that supersedes the old entry (honours are never edited).

use chrono::Datelike;
use hongling_core::honour::{Honour, HonourHolder, HonourLevel, HonourRecordV1};
use hongling_core::{BlobRef, Op, RecordKind};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::{PhotoField, PhotoView};
use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;

#[component]
pub fn Honours(worker_id: Uuid) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let title = RwSignal::new(String::new());
    let level = RwSignal::new(HonourLevel::City);
    let holder = RwSignal::new(HonourHolder::Worker);
    let year = RwSignal::new(
        hongling_core::china_today(chrono::Utc::now())
            .year()
            .to_string(),
    );
    let scan = RwSignal::new(None::<BlobRef>);
    let correcting = RwSignal::new(None::<Uuid>);
    let error = RwSignal::new(None::<String>);
    let list = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let mut honours: Vec<(Uuid, Honour)> =
                crate::read_model::all::<Honour>(RecordKind::Honour)
                    .await
                    .ok()?
                    .into_iter()
                    .filter(|(_, h)| h.worker_id == worker_id && h.superseded_by.is_none())
                    .collect();
            honours.sort_by_key(|h| std::cmp::Reverse(h.1.year));
            Some(honours)
        }
    });
    let save = move |_| {
        let Ok(y) = year.get_untracked().trim().parse::<i32>() else {
            error.set(Some(ctx.t(Key::HonourYearInvalid).to_owned()));
            return;
        };
        let op = Op::HonourRecordV1(HonourRecordV1 {
            id: Uuid::new_v4(),
            worker_id,
            title: title.get_untracked(),
            level: level.get_untracked(),
            holder: holder.get_untracked(),
            year: y,
            scan: scan.get_untracked(),
            supersedes: correcting.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    error.set(None);
                    title.set(String::new());
                    scan.set(None);
                    correcting.set(None);
                }
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    view! {
        <div class="card honours" data-testid="honours">
            <h2>{move || ctx.t(Key::Honours)}</h2>
            <ul class="honour-list">
                {move || list.get().flatten().unwrap_or_default().into_iter().map(|(id, h)| {
                    let again = h.clone();
                    view! {
                        <li data-testid="honour">
                            <strong>{h.title.clone()}</strong> " · " {ctx.t(h.level.key())} " · "
                            {ctx.t(h.holder.key())} " · " {h.year}
                            {h.scan.clone().map(|sha| view! {
                                <div class="honour-scan"><PhotoView photo=Signal::stored(Some(sha)) /></div>
                            })}
                            <button type="button" class="btn btn-small" on:click=move |_| {
                                title.set(again.title.clone());
                                level.set(again.level);
                                holder.set(again.holder);
                                year.set(again.year.to_string());
                                scan.set(again.scan.clone());
                                correcting.set(Some(id));
                            }>{move || ctx.t(Key::Correct)}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || correcting.get().is_some()>
                <p class="muted">{move || ctx.t(Key::Correcting)}</p>
            </Show>
            <div class="inline-form">
                <input type="text" name="honour_title" placeholder=move || ctx.t(Key::HonourTitle)
                    prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                <select name="honour_level" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(l) = HonourLevel::ALL.into_iter().find(|l| l.label_zh() == v) { level.set(l) }
                }>
                    {HonourLevel::ALL.into_iter().map(|l| view! {
                        <option value=l.label_zh() selected=move || level.get() == l>{move || ctx.t(l.key())}</option>
                    }).collect_view()}
                </select>
                <select name="honour_holder" on:change=move |ev| holder.set(
                    if event_target_value(&ev) == "branch" { HonourHolder::Branch } else { HonourHolder::Worker })>
                    <option value="worker" selected=move || holder.get() == HonourHolder::Worker>{move || ctx.t(HonourHolder::Worker.key())}</option>
                    <option value="branch" selected=move || holder.get() == HonourHolder::Branch>{move || ctx.t(HonourHolder::Branch.key())}</option>
                </select>
                <input type="number" name="honour_year" min="1949" max="2100"
                    prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev)) />
            </div>
            <PhotoField photo=scan />
            <button type="button" class="btn btn-primary" data-testid="save-honour" on:click=save>
                {move || if correcting.get().is_some() { ctx.t(Key::SaveCorrection) } else { ctx.t(Key::AddHonour) }}
            </button>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}
