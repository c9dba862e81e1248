use chrono::NaiveDate;
use hongling_core::certification::{BatchCreateV1, GradeDef, ProgrammeSettings, SettingsUpdateV1};
use hongling_core::{Op, WorkerRole};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::{load_batches, load_settings};
use crate::state::AppCtx;

/// The dates of a list typed by hand, or the first piece that is not a date. Commas
/// (also the full-width \u{ff0c}), the enumeration comma \u{3001}, spaces and new lines
/// separate them.
fn dates(text: &str) -> Result<Vec<NaiveDate>, String> {
    text.split([',', '\u{ff0c}', '\n', ' ', '\u{3001}'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| s.to_owned()))
        .collect()
}

fn join(dates: &[NaiveDate]) -> String {
    dates
        .iter()
        .map(NaiveDate::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// 认证设置 (district committee): grades and their stipends, the notice length and its
/// calendar, certificate validity, and the batches applications are filed into.
#[component]
pub fn ProgrammePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let grades = RwSignal::new(Vec::<(String, String)>::new());
    let notice_days = RwSignal::new(String::new());
    let validity = RwSignal::new(String::new());
    let holidays = RwSignal::new(String::new());
    let workdays = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let photo_kib = RwSignal::new(String::new());
    let batch_name = RwSignal::new(String::new());
    let batch_year = RwSignal::new(
        hongling_core::china_today(chrono::Utc::now())
            .format("%Y")
            .to_string(),
    );
    let batch_category = RwSignal::new(WorkerRole::Secretary);

    let loaded = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            (
                load_settings().await.ok(),
                load_batches().await.unwrap_or_default(),
            )
        }
    });
    Effect::new(move |_| {
        if let Some((Some(s), _)) = loaded.get() {
            grades.set(
                s.grades
                    .iter()
                    .map(|g| {
                        (
                            g.name.clone(),
                            hongling_core::stipend::yuan(g.monthly_stipend_fen),
                        )
                    })
                    .collect(),
            );
            notice_days.set(s.notice_working_days.to_string());
            validity.set(s.validity_years.to_string());
            holidays.set(join(&s.holidays));
            workdays.set(join(&s.extra_workdays));
            photo_kib.set(s.photo_max_kib.to_string());
        }
    });

    // Only the number of grades re-renders the rows, so typing keeps the focus.
    let count = Memo::new(move |_| grades.with(Vec::len));
    let run = move |op: Op, done: Key| {
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    message.set(Some((true, ctx.t(done).to_owned())));
                }
                Err(m) => message.set(Some((false, m.message))),
            }
        });
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let parsed = (|| -> Result<ProgrammeSettings, String> {
            let grades = grades
                .get_untracked()
                .into_iter()
                .enumerate()
                .map(|(i, (name, yuan))| {
                    let fen = hongling_core::stipend::parse_yuan(&yuan)
                        .ok_or_else(|| ctx.tr(Msg::BadStipend { amount: &yuan }))?;
                    Ok(GradeDef {
                        level: i as u8 + 1,
                        name: name.trim().to_owned(),
                        monthly_stipend_fen: fen,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok(ProgrammeSettings {
                grades,
                notice_working_days: notice_days
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ctx.t(Key::NoticeDaysNotWhole).to_owned())?,
                validity_years: validity
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ctx.t(Key::ValidityNotWhole).to_owned())?,
                holidays: dates(&holidays.get_untracked())
                    .map_err(|bad| ctx.tr(Msg::BadDate { text: &bad }))?,
                extra_workdays: dates(&workdays.get_untracked())
                    .map_err(|bad| ctx.tr(Msg::BadDate { text: &bad }))?,
                photo_max_kib: photo_kib
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| ctx.t(Key::PhotoLimitNotWhole).to_owned())?,
            })
        })();
        match parsed {
            Ok(settings) => run(
                Op::SettingsUpdateV1(SettingsUpdateV1 { settings }),
                Key::SavedShort,
            ),
            Err(m) => message.set(Some((false, m))),
        }
    };

    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::ProgrammeSettings)}</h1>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "ok" } else { "field-error" } role="status" data-testid="programme-message">{m}</p>
            })}
            <form class="form card" on:submit=save data-testid="programme-form">
                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::GradesAndStipends)}</legend>
                    {move || (0..count.get()).map(|i| view! {
                        <div class="inline-form">
                            <span class="muted">{move || ctx.tr(Msg::GradeN { n: &(i + 1) })}</span>
                            <input type="text" name=format!("grade{i}") maxlength="10"
                                prop:value=move || grades.with(|g| g.get(i).map(|g| g.0.clone()).unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); grades.update(|g| g[i].0 = v); } />
                            <input type="text" inputmode="decimal" name=format!("stipend{i}")
                                prop:value=move || grades.with(|g| g.get(i).map(|g| g.1.clone()).unwrap_or_default())
                                on:input=move |ev| { let v = event_target_value(&ev); grades.update(|g| g[i].1 = v); } />
                            <span class="muted">{move || ctx.t(Key::YuanPerMonth)}</span>
                        </div>
                    }).collect_view()}
                    <div class="inline-form">
                        <button type="button" class="btn" on:click=move |_| grades.update(|g| g.push((String::new(), "0.00".into())))>
                            {move || ctx.t(Key::AddGrade)}
                        </button>
                        <button type="button" class="btn" on:click=move |_| grades.update(|g| { if g.len() > 1 { g.pop(); } })>
                            {move || ctx.t(Key::RemoveGrade)}
                        </button>
                    </div>
                </fieldset>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::NoticeWorkingDays)}</span>
                    <input type="number" name="notice_days" min="1" max="30" prop:value=move || notice_days.get()
                        on:input=move |ev| notice_days.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::ValidityYears)}</span>
                    <input type="number" name="validity" min="1" max="10" prop:value=move || validity.get()
                        on:input=move |ev| validity.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Holidays)}</span>
                    <textarea name="holidays" rows="2" prop:value=move || holidays.get()
                        on:input=move |ev| holidays.set(event_target_value(&ev))></textarea>
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::ExtraWorkdays)}</span>
                    <textarea name="workdays" rows="2" prop:value=move || workdays.get()
                        on:input=move |ev| workdays.set(event_target_value(&ev))></textarea>
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::PhotoMaxKib)}</span>
                    <input type="number" name="photo_max_kib" min="100" max="10240" prop:value=move || photo_kib.get()
                        on:input=move |ev| photo_kib.set(event_target_value(&ev)) />
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary btn-block" data-testid="save-programme">{move || ctx.t(Key::Save)}</button>
                </div>
            </form>
            <div class="card">
                <h2>{move || ctx.t(Key::Batches)}</h2>
                <ul data-testid="batches">
                    {move || loaded.get().map(|(_, batches)| batches.into_iter().map(|(id, b)| {
                        let open = !b.closed;
                        view! {
                            <li>
                                {b.name} " · " {b.year} " · " {ctx.t(b.category.key())}
                                {if open {
                                    view! {
                                        <button class="btn btn-small" on:click=move |_| run(
                                            Op::BatchCloseV1(hongling_core::certification::BatchCloseV1 { id }),
                                            Key::BatchClosedDone,
                                        )>{ctx.t(Key::CloseBatch)}</button>
                                    }.into_any()
                                } else {
                                    view! { <span class="tag">{ctx.t(Key::BatchClosed)}</span> }.into_any()
                                }}
                            </li>
                        }
                    }).collect_view())}
                </ul>
                <div class="inline-form">
                    <input type="text" name="batch_name" placeholder=move || ctx.t(Key::BatchNameHint)
                        prop:value=move || batch_name.get() on:input=move |ev| batch_name.set(event_target_value(&ev)) />
                    <input type="number" name="batch_year" prop:value=move || batch_year.get()
                        on:input=move |ev| batch_year.set(event_target_value(&ev)) />
                    <select name="batch_category" on:change=move |ev| batch_category.set(
                        if event_target_value(&ev) == "instructor" { WorkerRole::Instructor } else { WorkerRole::Secretary })>
                        <option value="secretary">{move || ctx.t(WorkerRole::Secretary.key())}</option>
                        <option value="instructor">{move || ctx.t(WorkerRole::Instructor.key())}</option>
                    </select>
                    <button class="btn btn-primary" data-testid="create-batch" on:click=move |_| {
                        let Ok(year) = batch_year.get_untracked().trim().parse::<i32>() else {
                            message.set(Some((false, ctx.t(Key::BadYear).to_owned())));
                            return;
                        };
                        run(Op::BatchCreateV1(BatchCreateV1 {
                            id: Uuid::new_v4(),
                            name: batch_name.get_untracked(),
                            year,
                            category: batch_category.get_untracked(),
                        }), Key::BatchCreated);
                        batch_name.set(String::new());
                    }>{move || ctx.t(Key::CreateBatch)}</button>
                </div>
            </div>
        </section>
    }
}
