use hongling_core::certificate::{Certificate, StatusEntry, standing};
use hongling_core::pool::{
    CRITERIA_ID, PoolApplyV1, PoolCriteria, PoolCriteriaPublishV1, PoolDecideV1, PoolEntry,
    PoolStatus,
};
use hongling_core::text::{matches_name, sort_by_name};
use hongling_core::{Op, RecordKey, RecordKind, Worker, WorkerRole};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use uuid::Uuid;

use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::{Directory, load_settings};
use crate::state::AppCtx;

/// One person in the pool list.
#[derive(Debug, Clone, PartialEq)]
struct PoolRow {
    entry_id: Uuid,
    entry: PoolEntry,
    name: String,
    township: String,
    role: WorkerRole,
    /// The grade of a valid certificate, if any.
    grade: Option<(u8, String)>,
}

/// What the page shows: rows, criteria, places, grades, and every worker (for applying).
type PoolData = (
    Vec<PoolRow>,
    Option<PoolCriteria>,
    Directory,
    Vec<(u8, String)>,
    Vec<(Uuid, Worker)>,
);

async fn load() -> Option<PoolData> {
    let dir = Directory::load().await.ok()?;
    let settings = load_settings().await.ok()?;
    let workers: Vec<(Uuid, Worker)> = crate::read_model::all(RecordKind::Worker).await.ok()?;
    let statuses: Vec<(Uuid, StatusEntry)> = crate::read_model::all(RecordKind::CertificateStatus)
        .await
        .ok()?;
    let certs: Vec<(Uuid, Certificate)> =
        crate::read_model::all(RecordKind::Certificate).await.ok()?;
    let criteria = crate::read_model::one(RecordKey::new(RecordKind::PoolCriteria, CRITERIA_ID))
        .await
        .ok()
        .flatten();
    let rows = crate::read_model::all::<PoolEntry>(RecordKind::PoolEntry)
        .await
        .ok()?
        .into_iter()
        .filter_map(|(entry_id, entry)| {
            let worker = workers.iter().find(|w| w.0 == entry.worker_id)?.1.clone();
            let grade = certs
                .iter()
                .filter(|(id, c)| {
                    c.worker_id == entry.worker_id
                        && standing(statuses.iter().find(|(s, _)| s == id).map(|(_, s)| s))
                            .is_valid()
                })
                .map(|(_, c)| (c.grade, c.grade_name.clone()))
                .max();
            Some(PoolRow {
                entry_id,
                name: worker.name.clone(),
                township: dir.township_name(worker.township_id),
                role: worker.role,
                grade,
                entry,
            })
        })
        .collect();
    let grades = settings
        .grades
        .iter()
        .map(|g| (g.level, g.name.clone()))
        .collect();
    Some((rows, criteria, dir, grades, workers))
}

/// 培育库: the published entry criteria, the pool searchable (name, pinyin initials) and
/// filterable (township, category, grade, status; kept in the URL), sorted by pinyin;
/// instructors apply for a worker, the committee admits or declines.
#[component]
pub fn PoolPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let query = use_query_map();
    let navigate = use_navigate();
    let param = move |k: &'static str| move || query.with(|m| m.get(k).unwrap_or_default());
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        load()
    });
    let set_param = move |k: &'static str, v: String| {
        let mut pairs: Vec<(String, String)> = query.with_untracked(|m| {
            ["q", "township", "category", "grade", "status"]
                .into_iter()
                .filter(|key| *key != k)
                .filter_map(|key| m.get(key).map(|v| (key.to_owned(), v)))
                .collect()
        });
        if !v.is_empty() {
            pairs.push((k.to_owned(), v));
        }
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", js_sys::encode_uri_component(v)))
            .collect::<Vec<_>>()
            .join("&");
        let url = if q.is_empty() {
            "/pool".to_owned()
        } else {
            format!("/pool?{q}")
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    let error = RwSignal::new(None::<String>);
    let new_worker = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let criteria_text = RwSignal::new(String::new());
    let run = move |op: Op| {
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    error.set(None);
                    notes.set(String::new());
                }
                Err(m) => error.set(Some(m.message)),
            }
        });
    };
    let filtered = move || {
        let (q, t, c, g, s) = (
            param("q")(),
            param("township")(),
            param("category")(),
            param("grade")(),
            param("status")(),
        );
        data.get().flatten().map(|(rows, _, _, _, _)| {
            let mut rows: Vec<PoolRow> = rows
                .into_iter()
                .filter(|r| matches_name(&r.name, &q))
                .filter(|r| t.is_empty() || r.township == t)
                .filter(|r| c.is_empty() || (c == "secretary") == (r.role == WorkerRole::Secretary))
                .filter(|r| match g.as_str() {
                    "" => true,
                    "none" => r.grade.is_none(),
                    g => r.grade.as_ref().is_some_and(|(l, _)| l.to_string() == g),
                })
                .filter(|r| s.is_empty() || r.entry.status().label_zh() == s)
                .collect();
            sort_by_name(&mut rows, |r| &r.name);
            rows
        })
    };
    let set = set_param.clone();
    let set2 = set_param.clone();
    let set3 = set_param.clone();
    let set4 = set_param.clone();
    let set5 = set_param;

    view! {
        <section class="page">
            <div class="page-head">
                <h1>
                    {move || ctx.t(Key::Pool)}
                    <span class="count" data-testid="pool-count">{move || filtered().map_or(0, |r| r.len())}</span>
                </h1>
            </div>
            {move || data.get().flatten().map(|(_, criteria, _, _, _)| view! {
                <details class="card" open=criteria.is_none()>
                    <summary>{ctx.t(Key::PoolCriteria)}
                        {criteria.as_ref().map(|c| ctx.tr(Msg::PublishedOn { date: &c.published_on }))}
                    </summary>
                    <p class="criteria" data-testid="criteria">
                        {criteria.as_ref().map_or_else(|| ctx.t(Key::NoCriteria).to_owned(), |c| c.text.clone())}
                    </p>
                    <Show when=move || ctx.is_committee()>
                        <textarea rows="3" name="criteria" placeholder=move || ctx.t(Key::PoolCriteria)
                            prop:value=move || criteria_text.get()
                            on:input=move |ev| criteria_text.set(event_target_value(&ev))></textarea>
                        <button class="btn" data-testid="publish-criteria" on:click=move |_| run(Op::PoolCriteriaPublishV1(PoolCriteriaPublishV1 {
                            text: criteria_text.get_untracked(),
                            published_on: hongling_core::china_today(chrono::Utc::now()),
                        }))>{move || ctx.t(Key::PublishCriteria)}</button>
                    </Show>
                </details>
            })}
            <input class="search" type="search" data-testid="search" placeholder=move || ctx.t(Key::SearchPinyin)
                prop:value=param("q") on:input=move |ev| set("q", event_target_value(&ev)) />
            <div class="inline-form filters">
                <select name="township" on:change=move |ev| set2("township", event_target_value(&ev))>
                    <option value="">{move || ctx.t(Key::AllTownships)}</option>
                    {move || data.get().flatten().map(|(_, _, dir, _, _)| dir.townships.into_iter().map(|(_, t)| {
                        let selected = param("township")() == t.name;
                        let label = t.name.clone();
                        view! { <option value=t.name selected=selected>{label}</option> }
                    }).collect_view())}
                </select>
                <select name="category" on:change=move |ev| set3("category", event_target_value(&ev))>
                    <option value="">{move || ctx.t(Key::AllCategories)}</option>
                    <option value="secretary" selected=move || param("category")() == "secretary">{move || ctx.t(WorkerRole::Secretary.key())}</option>
                    <option value="instructor" selected=move || param("category")() == "instructor">{move || ctx.t(WorkerRole::Instructor.key())}</option>
                </select>
                <select name="grade" on:change=move |ev| set4("grade", event_target_value(&ev))>
                    <option value="">{move || ctx.t(Key::AllGrades)}</option>
                    <option value="none" selected=move || param("grade")() == "none">{move || ctx.t(Key::NotCertified)}</option>
                    {move || data.get().flatten().map(|(_, _, _, grades, _)| grades.into_iter().map(|(l, n)| {
                        let v = l.to_string();
                        let selected = param("grade")() == v;
                        view! { <option value=v selected=selected>{n}</option> }
                    }).collect_view())}
                </select>
                <select name="status" on:change=move |ev| set5("status", event_target_value(&ev))>
                    <option value="">{move || ctx.t(Key::AllStatuses)}</option>
                    // The value stays the Chinese name: links and bookmarks carry it.
                    {PoolStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.label_zh() selected=move || param("status")() == s.label_zh()>{move || ctx.t(s.key())}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <ul class="application-list" data-testid="pool-list">
                {move || filtered().unwrap_or_default().into_iter().map(|r| {
                    let id = r.entry_id;
                    let pending = r.entry.decision.is_none();
                    view! {
                        <li class="card" data-testid="pool-item">
                            <div class="row-main">
                                <strong>{r.name.clone()}</strong>
                                <span class="tag">{ctx.t(r.entry.status().key())}</span>
                                {r.grade.clone().map(|(_, n)| view! { <span class="tag stage-issued">{n}</span> })}
                            </div>
                            <div class="muted">{r.township.clone()} " · " {ctx.t(r.role.key())}
                                {(!r.entry.notes.is_empty()).then(|| format!(" · {}", r.entry.notes))}</div>
                            {(pending && ctx.is_committee()).then(|| view! {
                                <div class="decide-actions">
                                    <button class="btn btn-primary" data-testid="admit"
                                        on:click=move |_| run(Op::PoolDecideV1(PoolDecideV1 { id, admit: true, comment: String::new() }))>
                                        {ctx.t(Key::Admit)}
                                    </button>
                                    <button class="btn" on:click=move |_| run(Op::PoolDecideV1(PoolDecideV1 {
                                        id, admit: false, comment: ctx.t(Key::NotAdmittedComment).to_owned(),
                                    }))>{ctx.t(Key::Decline)}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || ctx.may(hongling_core::permission::Action::FileApplication)>
                <div class="card">
                    <h2>{move || ctx.t(Key::ApplyForPool)}</h2>
                    <div class="inline-form">
                        <select name="pool_worker" on:change=move |ev| new_worker.set(event_target_value(&ev))>
                            <option value="">{move || ctx.t(Key::ChooseWorker)}</option>
                            {move || {
                                let actor = ctx.actor();
                                data.get().flatten().map(|(_, _, _, _, mut ws)| {
                                    ws.retain(|(_, w)| actor.as_ref().is_some_and(|a| hongling_core::certification::may_file(a, w.township_id)));
                                    sort_by_name(&mut ws, |w| &w.1.name);
                                    ws.into_iter().map(|(id, w)| view! { <option value=id.to_string()>{w.name}</option> }).collect_view()
                                })
                            }}
                        </select>
                        <input type="text" name="pool_notes" placeholder=move || ctx.t(Key::PoolReason)
                            prop:value=move || notes.get() on:input=move |ev| notes.set(event_target_value(&ev)) />
                        <button class="btn btn-primary" data-testid="apply-pool" on:click=move |_| {
                            let Ok(worker_id) = new_worker.get_untracked().parse::<Uuid>() else {
                                error.set(Some(ctx.t(Key::ChooseWorker).to_owned()));
                                return;
                            };
                            run(Op::PoolApplyV1(PoolApplyV1 { id: Uuid::new_v4(), worker_id, notes: notes.get_untracked() }));
                        }>{move || ctx.t(Key::ApplyForPool)}</button>
                    </div>
                </div>
            </Show>
        </section>
    }
}
