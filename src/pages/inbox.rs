use leptos::prelude::*;

use hongling_core::idcard::{IdCard, IdCardDuplicate};
use hongling_core::{RecordKey, RecordKind, Worker};

use crate::components::InboxItem;
use crate::i18n::Key;
use crate::read_model;
use crate::state::AppCtx;

/// 待处理: mutations the server refused, each with its reason. Nothing here blocks the
/// mutations behind it; each can be fixed and resubmitted, or discarded on purpose. The
/// committee also finds here the 身份证号重复 that instructors' tablets were not told of.
#[component]
pub fn InboxPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let entries = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let mut out = Vec::new();
            for entry in read_model::rejected().await.unwrap_or_default() {
                // Name the record as this device knows it, when it still does.
                let subject = match read_model::record(entry.op.target()).await {
                    Ok(Some(r)) => r.body["name"].as_str().map(str::to_owned),
                    _ => None,
                };
                out.push((entry, subject));
            }
            out
        }
    });
    view! {
        <section class="page">
            <DuplicateIdCards />
            <h1>{move || ctx.t(Key::Inbox)}</h1>
            <p class="muted">{move || ctx.t(Key::InboxHint)}</p>
            {move || {
                let list = entries.get().unwrap_or_default();
                if list.is_empty() {
                    view! { <p class="empty-state" data-testid="inbox-empty">{ctx.t(Key::InboxEmpty)}</p> }
                        .into_any()
                } else {
                    view! {
                        <ul class="inbox-list" data-testid="inbox-list">
                            {list
                                .into_iter()
                                .map(|(entry, subject)| view! { <InboxItem entry subject /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// One worker as the duplicate list shows them: name, organisation and full number.
#[derive(Clone)]
struct Named {
    id: uuid::Uuid,
    name: String,
    organization: String,
    number: String,
}

async fn named(id: uuid::Uuid) -> Named {
    let worker = read_model::one::<Worker>(RecordKey::new(RecordKind::Worker, id))
        .await
        .ok()
        .flatten();
    let organization = match &worker {
        Some(w) => read_model::one::<hongling_core::Organization>(RecordKey::new(
            RecordKind::Organization,
            w.organization_id,
        ))
        .await
        .ok()
        .flatten()
        .map(|o| o.name)
        .unwrap_or_default(),
        None => String::new(),
    };
    let number = read_model::one::<IdCard>(RecordKey::new(RecordKind::IdCard, id))
        .await
        .ok()
        .flatten()
        .map(|c| c.number)
        .unwrap_or_default();
    Named {
        id,
        name: worker.map(|w| w.name).unwrap_or_else(|| "?".into()),
        organization,
        number,
    }
}

/// 身份证号重复 (committee only): each worker given a number another already holds, beside
/// that other worker, with links to correct either one.
#[component]
fn DuplicateIdCards() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let items = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let mut out = Vec::new();
            let duplicates: Vec<(uuid::Uuid, IdCardDuplicate)> =
                read_model::all(RecordKind::IdCardDuplicate)
                    .await
                    .unwrap_or_default();
            for (_, d) in duplicates {
                out.push((named(d.worker_id).await, named(d.holder_id).await));
            }
            out
        }
    });
    let person = move |n: Named| {
        view! {
            <a href=format!("/workers/{}", n.id) data-testid="duplicate-worker">
                <strong>{n.name}</strong>
            </a>
            " " <span class="muted">{n.organization}</span>
            " " <span>{n.number}</span>
        }
    };
    move || {
        let list = items.get().unwrap_or_default();
        (!list.is_empty()).then(|| {
            view! {
                <h1>{ctx.t(Key::DuplicateIdCards)}</h1>
                <p class="muted">{ctx.t(Key::DuplicateIdCardsHint)}</p>
                <ul class="inbox-list" data-testid="duplicate-id-cards">
                    {list
                        .into_iter()
                        .map(|(worker, holder)| {
                            view! {
                                <li class="inbox-item" data-testid="duplicate-id-card">
                                    <div>{person(worker)}</div>
                                    <div class="muted">
                                        {ctx.t(Key::DuplicateOf)} {person(holder)}
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
        })
    }
}
