use hongling_core::{
    BlobRef, Op, RecordKey, RecordKind, Worker, WorkerCreateV1, WorkerRole, WorkerUpdateV1,
};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use uuid::Uuid;

use serde::{Deserialize, Serialize};

use crate::components::{Honours, PhotoField, RecordHistory, WorkerRecord};
use crate::drafts;
use crate::i18n::Key;
use crate::read_model::Directory;
use crate::state::AppCtx;

/// Errors next to their fields; `form` is for the whole form.
#[derive(Debug, Clone, Default, PartialEq)]
struct Errors {
    name: Option<String>,
    township: Option<String>,
    organization: Option<String>,
    post: Option<String>,
    years: Option<String>,
    id_card: Option<String>,
    form: Option<String>,
}

impl Errors {
    fn from_field(field: Option<&str>, message: String) -> Errors {
        let mut e = Errors::default();
        match field {
            Some("name") => e.name = Some(message),
            Some("township_id") => e.township = Some(message),
            Some("organization_id") => e.organization = Some(message),
            Some("management_post") => e.post = Some(message),
            Some("years_in_post") => e.years = Some(message),
            Some("id_card") => e.id_card = Some(message),
            _ => e.form = Some(message),
        }
        e
    }
}

/// What the form holds, as typed (a draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Draft {
    name: String,
    township: String,
    organization: String,
    role: WorkerRole,
    post: String,
    years: String,
    /// The chosen photo: its bytes are already in IndexedDB.
    #[serde(default)]
    photo: Option<BlobRef>,
    // Never the ID-card number: local storage is readable by anything on the device and
    // outlives the session, so the number is typed again after a restored draft.
}

/// Create (`/workers/new`) or edit (`/workers/:id`) a 党务工作者, offline or online.
#[component]
pub fn WorkerFormPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    // 修改记录 comes from the server's audit trail (the committee's, online only).
    let history = move |id: Uuid| {
        crate::act::Act::new(move |()| async move {
            let lang = ctx.lang.get_untracked();
            let token = ctx.token().unwrap_or_default();
            crate::sync::api::admin::history(&token, "worker", id)
                .await
                .map_err(|e| crate::labels::api_error_text(lang, &e, Key::NeedsNetwork))
        })
    };
    // Memoised: each sync sets the session again (its last contact), which must not
    // re-create 修改记录 and close it under the reader's finger.
    let committee = Memo::new(move |_| ctx.is_committee());
    let params = use_params_map();
    let navigate = use_navigate();
    // The worker being edited: from the address, or from the refused edit being fixed.
    let target: RwSignal<Option<Uuid>> = RwSignal::new(None);
    let editing = move || target.get();
    // `/inbox/:rid`: fixing a mutation the server refused.
    let fixing = move || params.with(|p| p.get("rid").and_then(|v| v.parse::<u64>().ok()));
    let refusal = RwSignal::new(None::<String>);

    let name = RwSignal::new(String::new());
    let township = RwSignal::new(String::new());
    let organization = RwSignal::new(String::new());
    let role = RwSignal::new(WorkerRole::Secretary);
    let post = RwSignal::new(String::new());
    let years = RwSignal::new(String::from("0"));
    let photo = RwSignal::new(None::<BlobRef>);
    let id_card = RwSignal::new(String::new());
    // What is on record: masked, or in full on the committee's devices.
    let id_card_shown = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Errors::default());
    let saving = RwSignal::new(false);
    let original: RwSignal<Option<Worker>> = RwSignal::new(None);
    let missing = RwSignal::new(false);

    let directory = LocalResource::new(move || {
        ctx.data_rev.get();
        Directory::load()
    });

    // The unsaved draft of this form, kept as the user types.
    let draft_key = RwSignal::new(None::<String>);
    let touched = RwSignal::new(false);
    let restored = RwSignal::new(false);
    Effect::new(move |_| {
        let draft = Draft {
            name: name.get(),
            township: township.get(),
            organization: organization.get(),
            role: role.get(),
            post: post.get(),
            years: years.get(),
            photo: photo.get(),
        };
        if touched.get()
            && let Some(key) = draft_key.get_untracked()
        {
            drafts::save(&key, &draft);
        }
    });
    let restore = move |key: String| {
        if let Some(d) = drafts::load::<Draft>(&key) {
            name.set(d.name);
            township.set(d.township);
            organization.set(d.organization);
            role.set(d.role);
            post.set(d.post);
            years.set(d.years);
            photo.set(d.photo);
            restored.set(true);
        }
        draft_key.set(Some(key));
    };

    let fill = move |w: &Worker| {
        name.set(w.name.clone());
        township.set(w.township_id.to_string());
        organization.set(w.organization_id.to_string());
        role.set(w.role);
        post.set(w.management_post.clone());
        years.set(w.years_in_post.to_string());
        photo.set(w.photo.clone());
        id_card_shown.set(w.id_card_masked.clone());
    };

    let load_record = move |id: Option<Uuid>, rid: Option<u64>| async move {
        {
            let load = async |id: Uuid| {
                crate::read_model::one::<Worker>(RecordKey::new(RecordKind::Worker, id))
                    .await
                    .ok()
                    .flatten()
            };
            if let Some(rid) = rid {
                let Ok(Some(entry)) = crate::read_model::rejected_entry(rid).await else {
                    missing.set(true);
                    return;
                };
                refusal.set(Some(entry.message.clone()));
                errors.set(Errors::from_field(
                    entry.field.as_deref(),
                    entry.message.clone(),
                ));
                match entry.op {
                    Op::WorkerCreateV1(c) => fill(&c.worker()),
                    Op::WorkerUpdateV1(u) => {
                        let Some(mut w) = load(u.id).await else {
                            missing.set(true);
                            return;
                        };
                        original.set(Some(w.clone()));
                        target.set(Some(u.id));
                        // The refused edit, laid over the worker as the server has it.
                        u.lay_over(&mut w);
                        fill(&w);
                    }
                    // Not a worker intent: this form cannot fix it.
                    _ => missing.set(true),
                }
                return;
            }
            let Some(id) = id else { return };
            match load(id).await {
                Some(w) => {
                    fill(&w);
                    if let Ok(Some(card)) = crate::read_model::one::<hongling_core::idcard::IdCard>(
                        RecordKey::new(RecordKind::IdCard, id),
                    )
                    .await
                    {
                        id_card_shown.set(Some(card.number));
                    }
                    original.set(Some(w));
                    target.set(Some(id));
                }
                None => missing.set(true),
            }
        }
    };

    // Load the worker being edited, or the refused intent being fixed, into the fields.
    Effect::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok()));
        let rid = fixing();
        let key = match (rid, id) {
            (Some(rid), _) => format!("inbox/{rid}"),
            (None, Some(id)) => format!("worker/{id}"),
            (None, None) => "worker/new".to_owned(),
        };
        leptos::task::spawn_local(async move {
            load_record(id, rid).await;
            restore(key);
        });
    });

    // Only the townships this account may file workers in.
    let editable = move || {
        ctx.session.with(|s| {
            s.as_ref().map(|s| {
                hongling_core::grant::townships_for(
                    &s.account.grants,
                    &hongling_core::people::worker::WORKER_EDITORS,
                )
            })
        })
    };
    let townships = move || {
        let allowed = editable().flatten();
        directory
            .get()
            .and_then(|d| d.ok())
            .map(|d| d.townships)
            .unwrap_or_default()
            .into_iter()
            .filter(|(id, _)| allowed.as_ref().is_none_or(|a| a.contains(id)))
            .collect::<Vec<_>>()
    };
    let organizations = move || {
        let t = township.get();
        directory
            .get()
            .and_then(|d| d.ok())
            .map(|d| {
                d.organizations
                    .into_iter()
                    .filter(|(_, o)| o.township_id.to_string() == t)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let lang = ctx.lang.get_untracked();
        let tr = |k| crate::i18n::t(lang, k).to_owned();
        let Ok(township_id) = township.get_untracked().parse::<Uuid>() else {
            errors.set(Errors {
                township: Some(tr(Key::ChooseTownship)),
                ..Default::default()
            });
            return;
        };
        let Ok(organization_id) = organization.get_untracked().parse::<Uuid>() else {
            errors.set(Errors {
                organization: Some(tr(Key::ChooseOrganization)),
                ..Default::default()
            });
            return;
        };
        let Ok(years_in_post) = years.get_untracked().trim().parse::<u32>() else {
            errors.set(Errors {
                years: Some(ctx.t(Key::YearsInPostInvalid).to_owned()),
                ..Default::default()
            });
            return;
        };
        let typed = hongling_core::idcard::normalize(&id_card.get_untracked());
        let typed_id_card = (!typed.is_empty()).then_some(typed);
        let worker = Worker {
            id_card_masked: None,
            name: name.get_untracked().trim().to_owned(),
            organization_id,
            township_id,
            role: role.get_untracked(),
            management_post: post.get_untracked().trim().to_owned(),
            years_in_post,
            photo: photo.get_untracked(),
        };
        let op = match (editing(), original.get_untracked()) {
            (Some(id), Some(old)) => {
                let mut update = WorkerUpdateV1::between(id, &old, &worker);
                update.id_card = typed_id_card.clone();
                if update.is_empty() {
                    navigate("/workers", Default::default());
                    return;
                }
                Op::WorkerUpdateV1(update)
            }
            _ => Op::WorkerCreateV1(WorkerCreateV1 {
                id_card: typed_id_card.clone(),
                id: Uuid::new_v4(),
                name: worker.name,
                organization_id,
                township_id,
                role: worker.role,
                management_post: worker.management_post,
                years_in_post,
                photo: worker.photo,
            }),
        };
        let saved_id = match &op {
            Op::WorkerUpdateV1(u) => u.id,
            Op::WorkerCreateV1(c) => c.id,
            _ => Uuid::nil(),
        };
        saving.set(true);
        let navigate = navigate.clone();
        let fixing_id = fixing();
        leptos::task::spawn_local(async move {
            let outcome = ctx.save_fixing(op, fixing_id).await;
            saving.set(false);
            match outcome {
                Ok(()) => {
                    errors.set(Errors::default());
                    if let Some(key) = draft_key.get_untracked() {
                        drafts::remove(&key);
                    }
                    // Back to the list, opened at the saved worker.
                    let back = if fixing_id.is_some() {
                        "/inbox".to_owned()
                    } else {
                        format!("/workers?at={saved_id}")
                    };
                    navigate(&back, Default::default());
                }
                Err(refusal) => {
                    errors.set(Errors::from_field(
                        refusal.field.as_deref(),
                        refusal.message,
                    ));
                }
            }
        });
    };

    let field_error = move |f: fn(&Errors) -> Option<String>| {
        move || {
            errors
                .with(f)
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    };

    view! {
        <section class="page">
            <h1>{move || if editing().is_some() { ctx.t(Key::EditWorker) } else { ctx.t(Key::AddWorker) }}</h1>
            {move || refusal.get().map(|m| view! {
                <p class="refusal" role="alert" data-testid="refusal">
                    {ctx.t(Key::RefusedBecause)} {m}
                </p>
            })}
            <Show when=move || missing.get()>
                <p class="error" role="alert">{move || ctx.t(Key::NotFoundWorker)}</p>
            </Show>
            <Show when=move || restored.get()>
                <p class="muted" role="status" data-testid="draft-restored">{move || ctx.t(Key::DraftRestored)} {move || ctx.t(Key::DraftNoIdCard)}</p>
            </Show>
            <form class="form" on:submit=submit novalidate=true data-testid="worker-form"
                on:input=move |_| touched.set(true) on:change=move |_| touched.set(true)>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Name)} <em class="req">{move || ctx.t(Key::Required)}</em></span>
                    <input name="name" type="text" autocomplete="off" maxlength="40"
                        prop:value=move || name.get()
                        on:input=move |ev| {
                            name.set(event_target_value(&ev));
                            errors.update(|e| e.name = None);
                        } />
                    {field_error(|e| e.name.clone())}
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Township)} <em class="req">{move || ctx.t(Key::Required)}</em></span>
                    <select name="township"
                        prop:value=move || township.get()
                        on:change=move |ev| {
                            township.set(event_target_value(&ev));
                            organization.set(String::new());
                            errors.update(|e| e.township = None);
                        }>
                        <option value="">{move || ctx.t(Key::ChooseTownship)}</option>
                        {move || townships().into_iter().map(|(id, t)| {
                            let id = id.to_string();
                            let selected = township.get_untracked() == id;
                            view! { <option value=id selected=selected>{t.name}</option> }
                        }).collect_view()}
                    </select>
                    {field_error(|e| e.township.clone())}
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::Organization)} <em class="req">{move || ctx.t(Key::Required)}</em></span>
                    <select name="organization"
                        prop:value=move || organization.get()
                        disabled=move || township.with(String::is_empty)
                        on:change=move |ev| {
                            organization.set(event_target_value(&ev));
                            errors.update(|e| e.organization = None);
                        }>
                        <option value="">{move || if township.with(String::is_empty) {
                            ctx.t(Key::ChooseTownshipFirst)
                        } else if directory.get().and_then(|d| d.ok()).is_some_and(|d| d.organizations.is_empty()) {
                            ctx.t(Key::NoOrganizations)
                        } else {
                            ctx.t(Key::ChooseOrganization)
                        }}</option>
                        {move || organizations().into_iter().map(|(id, o)| {
                            let id = id.to_string();
                            let selected = organization.get_untracked() == id;
                            view! { <option value=id selected=selected>{o.name}</option> }
                        }).collect_view()}
                    </select>
                    {field_error(|e| e.organization.clone())}
                </label>
                <fieldset class="field">
                    <legend class="label">{move || ctx.t(Key::Role)}</legend>
                    <div class="segmented">
                        <label class:on=move || role.get() == WorkerRole::Secretary>
                            <input type="radio" name="role" value="secretary"
                                prop:checked=move || role.get() == WorkerRole::Secretary
                                on:change=move |_| role.set(WorkerRole::Secretary) />
                            {move || ctx.t(Key::RoleSecretary)}
                        </label>
                        <label class:on=move || role.get() == WorkerRole::Instructor>
                            <input type="radio" name="role" value="instructor"
                                prop:checked=move || role.get() == WorkerRole::Instructor
                                on:change=move |_| role.set(WorkerRole::Instructor) />
                            {move || ctx.t(Key::RoleInstructor)}
                        </label>
                    </div>
                </fieldset>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::ManagementPost)}</span>
                    <input name="management_post" type="text" maxlength="40"
                        placeholder=move || ctx.t(Key::ManagementPostHint)
                        prop:value=move || post.get()
                        on:input=move |ev| post.set(event_target_value(&ev)) />
                    {field_error(|e| e.post.clone())}
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::YearsInPost)}</span>
                    <input name="years_in_post" type="number" inputmode="numeric" min="0" max="60"
                        prop:value=move || years.get()
                        on:input=move |ev| {
                            years.set(event_target_value(&ev));
                            errors.update(|e| e.years = None);
                        } />
                    {field_error(|e| e.years.clone())}
                </label>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::IdCard)}</span>
                    {move || id_card_shown.get().map(|shown| view! {
                        <span class="muted" data-testid="id-card-on-record">{ctx.t(Key::IdCardOnRecord)} " " {shown}</span>
                    })}
                    <input name="id_card" type="text" inputmode="text" autocomplete="off" maxlength="18"
                        placeholder=move || if id_card_shown.with(Option::is_some) { ctx.t(Key::IdCardChangeHint) } else { "" }
                        prop:value=move || id_card.get()
                        on:input=move |ev| {
                            id_card.set(event_target_value(&ev));
                            errors.update(|e| e.id_card = None);
                        } />
                    {field_error(|e| e.id_card.clone())}
                </label>
                <PhotoField photo />
                {field_error(|e| e.form.clone())}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary btn-block" data-testid="save" disabled=move || saving.get()>
                        {move || if saving.get() { ctx.t(Key::Saving) } else { ctx.t(Key::Save) }}
                    </button>
                </div>
            </form>
            {move || (fixing().is_none()).then(|| editing().map(|worker_id| view! { <Honours worker_id /> }))}
            {move || (fixing().is_none()).then(|| editing().map(|worker_id| view! { <WorkerRecord worker_id /> }))}
            {move || (committee.get() && fixing().is_none())
                .then(|| editing().map(|id| view! { <RecordHistory load=history(id) /> }))}
        </section>
    }
}
