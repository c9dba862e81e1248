//! 红领学院: the sessions this device knows, newest first, and a form to set one up.

use chrono::NaiveDate;
use hongling_core::Op;
use hongling_core::training::{TrainingCreateV1, TrainingKind};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use uuid::Uuid;

use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::Programme;
use crate::state::AppCtx;

#[component]
pub fn TrainingsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let navigate = use_navigate();
    let today = hongling_core::china_today(chrono::Utc::now());
    let kind = RwSignal::new(TrainingKind::RoundTraining);
    let title = RwSignal::new(String::new());
    let date = RwSignal::new(today);
    let place = RwSignal::new(String::new());
    let hours = RwSignal::new("2".to_owned());
    let trainer = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let may_train = move || ctx.may(hongling_core::permission::Action::Train);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(hours_tenths) = hongling_core::training::parse_hours(&hours.get_untracked())
        else {
            error.set(Some(ctx.t(Key::HoursInvalid).to_owned()));
            return;
        };
        let id = Uuid::new_v4();
        let op = Op::TrainingCreateV1(TrainingCreateV1 {
            id,
            kind: kind.get_untracked(),
            title: title.get_untracked(),
            date: date.get_untracked(),
            place: place.get_untracked(),
            hours_tenths,
            trainer: trainer.get_untracked(),
        });
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ctx.save(op).await {
                Ok(()) => navigate(&format!("/trainings/{id}"), Default::default()),
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Trainings)}</h1>
                <A href="/trainings/compliance" attr:class="btn" attr:data-testid="compliance-link">{move || ctx.t(Key::Compliance)}</A>
            </div>
            {move || data.get().flatten().map(|p| {
                let mut sessions = p.sessions.clone();
                sessions.sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.title.cmp(&b.1.title)));
                if sessions.is_empty() {
                    return view! { <p class="muted">{move || ctx.t(Key::NoTrainings)}</p> }.into_any();
                }
                view! {
                    <ul class="visit-list">
                        {sessions.into_iter().map(|(id, s)| {
                            let marked: Vec<_> = p.attendance.iter().filter(|a| a.session_id == id).collect();
                            let came = marked.iter().filter(|a| a.mark.attended()).count();
                            view! {
                                <li class="card" data-testid="training-item">
                                    <A href=format!("/trainings/{id}")>
                                        <h3>{s.date.to_string()} " · " {s.title.clone()}</h3>
                                    </A>
                                    <p class="muted">{ctx.t(s.kind.key())} " · " {s.place.clone()} " · " {hongling_core::training::hours_text(s.hours_tenths)} " " {ctx.t(Key::HoursUnit)}
                                        {(!s.trainer.is_empty()).then(|| format!(" · {}", s.trainer))}</p>
                                    <p data-testid="training-count">{move || ctx.t(Key::Attended)} " " {came} " / " {marked.len()}</p>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            <Show when=may_train>
                <form class="form card" on:submit=create.clone() data-testid="training-form">
                    <h2>{move || ctx.t(Key::NewTraining)}</h2>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::TrainingKind)}</span>
                        <select name="kind" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if let Some(k) = TrainingKind::ALL.into_iter().find(|k| format!("{k:?}") == v) { kind.set(k) }
                        }>
                            {TrainingKind::ALL.into_iter().map(|k| view! {
                                <option value=format!("{k:?}") selected=move || kind.get() == k>{ctx.t(k.key())}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::TrainingTitle)}</span>
                        <input type="text" name="title" maxlength="100" prop:value=move || title.get()
                            on:input=move |ev| title.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::TrainingDate)}</span>
                        <input type="date" name="date" prop:value=move || date.get().to_string()
                            on:input=move |ev| {
                                if let Ok(d) = event_target_value(&ev).parse::<NaiveDate>() {
                                    date.set(d);
                                }
                            } />
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::TrainingPlace)}</span>
                        <input type="text" name="place" maxlength="100" prop:value=move || place.get()
                            on:input=move |ev| place.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::TrainingHours)}</span>
                        <input type="text" inputmode="decimal" name="hours" prop:value=move || hours.get()
                            on:input=move |ev| hours.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::Trainer)}</span>
                        <input type="text" name="trainer" maxlength="50" prop:value=move || trainer.get()
                            on:input=move |ev| trainer.set(event_target_value(&ev)) />
                    </label>
                    {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary btn-block" data-testid="create-training">{move || ctx.t(Key::Save)}</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
