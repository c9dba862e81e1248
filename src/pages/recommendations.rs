use chrono::Datelike;
use hongling_core::certification::{Recommendation, RecommendationKind, RecommendationRecordV1};
use hongling_core::{Op, RecordKind, Worker};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;

/// 推优推先: recommendations of outstanding holders, listed per year and kind; the
/// committee records new ones.
#[component]
pub fn RecommendationsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let this_year = hongling_core::china_today(chrono::Utc::now()).year();
    let year = RwSignal::new(this_year);
    let worker = RwSignal::new(String::new());
    let kind = RwSignal::new(RecommendationKind::ExcellentPartyWorker);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let workers: Vec<(Uuid, Worker)> =
                crate::read_model::all(RecordKind::Worker).await.ok()?;
            let recs: Vec<Recommendation> = crate::read_model::all(RecordKind::Recommendation)
                .await
                .ok()?
                .into_iter()
                .map(|(_, r)| r)
                .collect();
            Some((workers, recs))
        }
    });
    let save = move |_| {
        let Ok(worker_id) = worker.get_untracked().parse::<Uuid>() else {
            error.set(Some(ctx.t(Key::ChooseWorker).to_owned()));
            return;
        };
        let op = Op::RecommendationRecordV1(RecommendationRecordV1 {
            id: Uuid::new_v4(),
            worker_id,
            year: year.get_untracked(),
            kind: kind.get_untracked(),
            note: note.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    error.set(None);
                    note.set(String::new());
                }
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Recommendations)}</h1>
                <input type="number" name="year" min="2000" max="2100" prop:value=move || year.get().to_string()
                    on:input=move |ev| if let Ok(y) = event_target_value(&ev).parse() { year.set(y) } />
            </div>
            {move || data.get().flatten().map(|(workers, recs)| {
                let y = year.get();
                let name = |id: Uuid| workers.iter().find(|w| w.0 == id).map(|w| w.1.name.clone()).unwrap_or_default();
                RecommendationKind::ALL.into_iter().map(|k| {
                    let mut names: Vec<(String, String)> = recs
                        .iter()
                        .filter(|r| r.year == y && r.kind == k)
                        .map(|r| (name(r.worker_id), r.note.clone()))
                        .collect();
                    names.sort();
                    view! {
                        <div class="card" data-testid="recommendation-group">
                            <h2>{ctx.t(k.key())} <span class="count">{names.len()}</span></h2>
                            <ul>{names.into_iter().map(|(n, note)| view! {
                                <li><strong>{n}</strong>{(!note.is_empty()).then(|| format!("{}{note}", ctx.t(Key::Colon)))}</li>
                            }).collect_view()}</ul>
                        </div>
                    }
                }).collect_view()
            })}
            <Show when=move || ctx.is_committee()>
                <div class="card">
                    <h2>{move || ctx.t(Key::AddRecommendation)}</h2>
                    <div class="inline-form">
                        <select name="worker" on:change=move |ev| worker.set(event_target_value(&ev))>
                            <option value="">{move || ctx.t(Key::ChooseWorker)}</option>
                            {move || data.get().flatten().map(|(workers, _)| {
                                let mut workers = workers;
                                workers.sort_by(|a, b| a.1.name.cmp(&b.1.name));
                                workers.into_iter().map(|(id, w)| view! {
                                    <option value=id.to_string()>{w.name}</option>
                                }).collect_view()
                            })}
                        </select>
                        <select name="kind" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(k) = RecommendationKind::ALL.into_iter().find(|k| k.label_zh() == v) {
                                kind.set(k);
                            }
                        }>
                            {RecommendationKind::ALL.into_iter().map(|k| view! {
                                <option value=k.label_zh() selected=move || kind.get() == k>{ctx.t(k.key())}</option>
                            }).collect_view()}
                        </select>
                        <input type="text" name="note" placeholder=move || ctx.t(Key::Notes)
                            prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                        <button class="btn btn-primary" data-testid="add-recommendation" on:click=save>
                            {move || ctx.t(Key::Save)}
                        </button>
                    </div>
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                </div>
            </Show>
        </section>
    }
}
