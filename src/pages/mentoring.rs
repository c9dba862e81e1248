//! 导师帮带: the mentor group (红领导师团), each mentor's mentees with a warning outside
//! 3–5, mentor studios with their yearly subsidy, and the log of mentoring activities.

use chrono::NaiveDate;
use hongling_core::Op;
use hongling_core::mentoring::{
    MenteeRange, MentorAppointV1, MentoringLogV1, MentoringPairV1, StudioSetV1, mentees_on,
    range_warning,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::read_model::Programme;
use crate::state::AppCtx;

fn parse_date(ev: &leptos::ev::Event) -> Option<NaiveDate> {
    event_target_value(ev).parse().ok()
}

/// The worker options of a select, in pinyin order.
fn worker_options(
    ctx: AppCtx,
    data: &Programme,
    only: impl Fn(Uuid) -> bool,
) -> Vec<(Uuid, String)> {
    data.workers
        .iter()
        .filter(|(id, _)| only(*id))
        .map(|(id, w)| {
            (
                *id,
                ctx.tr(Msg::NameAndPlace {
                    name: &w.name,
                    place: &data.dir.township_name(w.township_id),
                }),
            )
        })
        .collect()
}

#[component]
pub fn MentoringPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let today = hongling_core::china_today(chrono::Utc::now());
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    let error = RwSignal::new(None::<String>);
    let save = move |op: Op, after: Box<dyn FnOnce()>| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match ctx.save(op).await {
                Ok(()) => after(),
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    let keeper = move || ctx.may(hongling_core::permission::Action::KeepMentors);
    let committee = move || ctx.is_committee();
    let loaded = move || data.get().flatten();

    // 聘任导师.
    let appoint_worker = RwSignal::new(None::<Uuid>);
    let appoint_since = RwSignal::new(today);
    // 结对: the mentor whose form is open, the mentee and the start.
    let pair_mentee = RwSignal::new(None::<Uuid>);
    let pair_start = RwSignal::new(today);
    // 工作室.
    let studio_name = RwSignal::new(String::new());
    let studio_mentor = RwSignal::new(None::<Uuid>);
    let studio_year = RwSignal::new(chrono::Datelike::year(&today));
    let studio_subsidy = RwSignal::new(String::new());
    // 活动.
    let log_mentor = RwSignal::new(None::<Uuid>);
    let log_date = RwSignal::new(today);
    let log_title = RwSignal::new(String::new());
    let log_notes = RwSignal::new(String::new());

    let mentors = move || {
        let Some(d) = loaded() else { return Vec::new() };
        let pairs: Vec<_> = d.pairs.iter().map(|(_, p)| p.pair.clone()).collect();
        let mut out: Vec<_> = d
            .mentors
            .iter()
            .filter(|m| m.until.is_none_or(|u| u >= today))
            .map(|m| {
                let count = mentees_on(&pairs, m.worker_id, today);
                let mentees: Vec<(Uuid, String, NaiveDate, hongling_core::mentoring::Pair)> = d
                    .pairs
                    .iter()
                    .filter(|(_, p)| p.pair.mentor_id == m.worker_id && p.pair.active_on(today))
                    .map(|(id, p)| {
                        (
                            *id,
                            d.worker_name(p.pair.mentee_id),
                            p.pair.start,
                            p.pair.clone(),
                        )
                    })
                    .collect();
                (m.clone(), d.worker_name(m.worker_id), count, mentees)
            })
            .collect();
        hongling_core::text::sort_by_name(&mut out, |p| &p.1);
        out
    };

    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Mentoring)}</h1>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert" data-testid="mentoring-error">{m}</p> })}

            <h2>{move || ctx.t(Key::Mentors)}</h2>
            <ul class="card-list" data-testid="mentors">
                <For each=mentors key=|m| (m.0.worker_id, m.2, m.3.len()) let:m>
                    {
                        let (mentor, name, count, mentees) = m;
                        let mentor_id = mentor.worker_id;
                        let warning = range_warning(count);
                        view! {
                            <li class="card" data-testid="mentor" data-name=name.clone()>
                                <div class="row-main">
                                    <strong>{name.clone()}</strong>
                                    <span class="muted">{ctx.t(Key::Mentees)} " " {count}</span>
                                    {warning.map(|w| view! { <span class="tag tag-pending" data-testid="mentee-warning">{ctx.t(match w {
                                        MenteeRange::TooFew => Key::MenteeRangeLow,
                                        MenteeRange::TooMany => Key::MenteeRangeHigh,
                                    })}</span> })}
                                </div>
                                <ul class="pick-list">
                                    {mentees.into_iter().map(|(pair_id, mentee, start, pair)| view! {
                                        <li data-testid="mentee">{mentee} <span class="muted">" " {ctx.t(Key::PairStart)} " " {start.to_string()}</span>
                                            <Show when=keeper>
                                                {
                                                    let pair = pair.clone();
                                                    view! {
                                                        <button type="button" class="btn btn-small" data-testid="end-pair"
                                                            on:click=move |_| save(Op::MentoringPairV1(MentoringPairV1 {
                                                                id: pair_id,
                                                                mentor_id: pair.mentor_id,
                                                                mentee_id: pair.mentee_id,
                                                                start: pair.start,
                                                                end: Some(today),
                                                            }), Box::new(|| ()))>
                                                            {ctx.t(Key::EndPair)}
                                                        </button>
                                                    }
                                                }
                                            </Show>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <Show when=keeper>
                                    <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                        ev.prevent_default();
                                        let Some(mentee) = pair_mentee.get_untracked() else { return };
                                        save(Op::MentoringPairV1(MentoringPairV1 {
                                            id: Uuid::new_v4(),
                                            mentor_id,
                                            mentee_id: mentee,
                                            start: pair_start.get_untracked(),
                                            end: None,
                                        }), Box::new(move || pair_mentee.set(None)));
                                    }>
                                        <select data-testid="pair-mentee" on:change=move |ev| pair_mentee.set(event_target_value(&ev).parse().ok())>
                                            <option value="">{ctx.t(Key::Mentee)}</option>
                                            {move || loaded().map(|d| worker_options(ctx, &d, |w| w != mentor_id).into_iter().map(|(id, label)| view! {
                                                <option value=id.to_string()>{label}</option>
                                            }).collect_view())}
                                        </select>
                                        <input type="date" prop:value=move || pair_start.get().to_string()
                                            on:change=move |ev| if let Some(d) = parse_date(&ev) { pair_start.set(d) } />
                                        <button type="submit" class="btn" data-testid="add-pair">{ctx.t(Key::AddPair)}</button>
                                    </form>
                                </Show>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show when=committee>
                <form class="inline-form card" data-testid="appoint-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let Some(worker_id) = appoint_worker.get_untracked() else { return };
                    save(Op::MentorAppointV1(MentorAppointV1 { worker_id, since: appoint_since.get_untracked(), until: None }),
                        Box::new(move || appoint_worker.set(None)));
                }>
                    <select data-testid="appoint-worker" on:change=move |ev| appoint_worker.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || ctx.t(Key::Mentor)}</option>
                        {move || loaded().map(|d| {
                            let current: Vec<Uuid> = d.mentors.iter().filter(|m| m.until.is_none()).map(|m| m.worker_id).collect();
                            worker_options(ctx, &d, |w| !current.contains(&w)).into_iter().map(|(id, label)| view! {
                                <option value=id.to_string()>{label}</option>
                            }).collect_view()
                        })}
                    </select>
                    <input type="date" prop:value=move || appoint_since.get().to_string()
                        on:change=move |ev| if let Some(d) = parse_date(&ev) { appoint_since.set(d) } />
                    <button type="submit" class="btn btn-primary" data-testid="appoint">{move || ctx.t(Key::AppointMentor)}</button>
                </form>
            </Show>

            <h2>{move || ctx.t(Key::Studios)}</h2>
            <table class="table" data-testid="studios">
                <thead><tr>
                    <th>{move || ctx.t(Key::StudioName)}</th>
                    <th>{move || ctx.t(Key::Mentor)}</th>
                    <th>{move || ctx.t(Key::Subsidy)}</th>
                </tr></thead>
                <tbody>
                    {move || loaded().map(|d| d.studios.iter().map(|(_, s)| view! {
                        <tr data-testid="studio">
                            <td>{s.name.clone()}</td>
                            <td>{d.worker_name(s.mentor_id)}</td>
                            <td>{s.subsidies.iter().map(|(y, fen)| ctx.tr(Msg::SubsidyOfYear { year: y, amount: &hongling_core::stipend::yuan((*fen).max(0) as u64) })).collect::<Vec<_>>().join(ctx.t(Key::ItemSeparator))}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            <Show when=committee>
                <form class="inline-form card" data-testid="studio-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let Some(mentor_id) = studio_mentor.get_untracked() else { return };
                    let Some(fen) = hongling_core::stipend::parse_yuan(&studio_subsidy.get_untracked()) else {
                        error.set(Some(ctx.t(Key::SubsidyInvalid).to_owned()));
                        return;
                    };
                    let name = studio_name.get_untracked();
                    // The mentor's studio keeps its id, so a new year's subsidy adds to it.
                    let studios = loaded().map(|d| d.studios.clone()).unwrap_or_default();
                    let (id, founded) = hongling_core::mentoring::studio_for(mentor_id, &studios, today);
                    save(Op::StudioSetV1(StudioSetV1 {
                        id, name, mentor_id, founded, year: studio_year.get_untracked(), subsidy_fen: fen as i64,
                    }), Box::new(move || { studio_name.set(String::new()); studio_subsidy.set(String::new()); }));
                }>
                    <input type="text" maxlength="60" data-testid="studio-name" placeholder=move || ctx.t(Key::StudioName)
                        prop:value=move || studio_name.get() on:input=move |ev| studio_name.set(event_target_value(&ev)) />
                    <select data-testid="studio-mentor" on:change=move |ev| studio_mentor.set(event_target_value(&ev).parse().ok())>
                        <option value="">{move || ctx.t(Key::Mentor)}</option>
                        {move || loaded().map(|d| d.mentors.iter().map(|m| view! {
                            <option value=m.worker_id.to_string()>{d.worker_name(m.worker_id)}</option>
                        }).collect_view())}
                    </select>
                    <input type="number" min="2000" max="2100" prop:value=move || studio_year.get().to_string()
                        on:input=move |ev| if let Ok(y) = event_target_value(&ev).parse() { studio_year.set(y) } />
                    <input type="text" inputmode="decimal" data-testid="studio-subsidy" placeholder=move || ctx.t(Key::Subsidy)
                        prop:value=move || studio_subsidy.get() on:input=move |ev| studio_subsidy.set(event_target_value(&ev)) />
                    <button type="submit" class="btn" data-testid="save-studio">{move || ctx.t(Key::AddStudio)}</button>
                </form>
            </Show>

            <h2>{move || ctx.t(Key::ActivityLog)}</h2>
            <Show when=keeper>
                <form class="form card" data-testid="activity-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let Some(mentor_id) = log_mentor.get_untracked() else { return };
                    let date = log_date.get_untracked();
                    let mentee_ids = loaded().map(|d| d.pairs.iter()
                        .filter(|(_, p)| p.pair.mentor_id == mentor_id && p.pair.active_on(date))
                        .map(|(_, p)| p.pair.mentee_id).collect()).unwrap_or_default();
                    save(Op::MentoringLogV1(MentoringLogV1 {
                        id: Uuid::new_v4(), mentor_id, date, title: log_title.get_untracked(),
                        notes: log_notes.get_untracked(), mentee_ids, studio_id: None,
                    }), Box::new(move || { log_title.set(String::new()); log_notes.set(String::new()); }));
                }>
                    <div class="inline-form">
                        <select data-testid="activity-mentor" on:change=move |ev| log_mentor.set(event_target_value(&ev).parse().ok())>
                            <option value="">{move || ctx.t(Key::Mentor)}</option>
                            {move || loaded().map(|d| d.mentors.iter().map(|m| view! {
                                <option value=m.worker_id.to_string()>{d.worker_name(m.worker_id)}</option>
                            }).collect_view())}
                        </select>
                        <input type="date" prop:value=move || log_date.get().to_string()
                            on:change=move |ev| if let Some(d) = parse_date(&ev) { log_date.set(d) } />
                    </div>
                    <label class="field">
                        <span class="label">{move || ctx.t(Key::ActivitySummary)}</span>
                        <input type="text" maxlength="100" data-testid="activity-title"
                            prop:value=move || log_title.get() on:input=move |ev| log_title.set(event_target_value(&ev)) />
                    </label>
                    <textarea rows="2" prop:value=move || log_notes.get() on:input=move |ev| log_notes.set(event_target_value(&ev))></textarea>
                    <button type="submit" class="btn" data-testid="log-activity">{move || ctx.t(Key::LogActivity)}</button>
                </form>
            </Show>
            <ul class="decisions" data-testid="activities">
                {move || loaded().map(|d| {
                    let mut acts = d.activities.clone();
                    acts.sort_by_key(|a| std::cmp::Reverse(a.1.date));
                    acts.into_iter().map(|(_, a)| view! {
                        <li data-testid="activity">{a.date.to_string()} " · " {d.worker_name(a.mentor_id)} " · " {a.title.clone()}
                            <span class="muted">" " {a.mentee_ids.iter().map(|m| d.worker_name(*m)).collect::<Vec<_>>().join(ctx.t(Key::ListSeparator))}</span>
                        </li>
                    }).collect_view()
                })}
            </ul>
        </section>
    }
}
