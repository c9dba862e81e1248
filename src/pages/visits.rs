//! 走访考核: the visits this device holds, newest first, with their assessments.

use hongling_core::RecordKind;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::PhotoView;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::Programme;
use crate::state::AppCtx;

#[component]
pub fn VisitsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        async move { Programme::load().await.ok() }
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Visits)}</h1>
                <A href="/visits/new" attr:class="btn btn-primary" attr:data-testid="new-visit">{move || ctx.t(Key::NewVisit)}</A>
            </div>
            {move || data.get().flatten().map(|p| {
                let mut visits = p.visits.clone();
                visits.sort_by_key(|a| std::cmp::Reverse(a.1.date));
                if visits.is_empty() {
                    return view! { <p class="muted">{move || ctx.t(Key::NoVisits)}</p> }.into_any();
                }
                view! {
                    <ul class="visit-list">
                        {visits.into_iter().map(|(id, v)| {
                            let pending = p.is_pending(RecordKind::Visit, id);
                            let org = p.dir.organization_name(v.organization_id);
                            view! {
                                <li class="card" data-testid="visit-item">
                                    <h3>{v.date.to_string()} " · " {org}
                                        {pending.then(|| view! { <span class="badge pending">{move || ctx.t(Key::Pending)}</span> })}
                                    </h3>
                                    <p>{move || ctx.t(Key::PeopleMet)} {ctx.t(Key::Colon)} {v.people_met.clone()}</p>
                                    {(!v.notes.is_empty()).then(|| view! { <p class="muted">{v.notes.clone()}</p> })}
                                    <ul>
                                        {v.assessments.iter().map(|a| view! {
                                            <li data-testid="visit-assessment">
                                                <strong>{p.worker_name(a.worker_id)}</strong> {ctx.t(Key::Colon)} {ctx.t(a.result.key())}
                                                {(!a.comment.is_empty()).then(|| ctx.tr(Msg::Parenthetical { text: &a.comment }))}
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                    <div class="thumbs">
                                        {v.photos.into_iter().map(|sha| view! {
                                            <div class="thumb"><PhotoView photo=Signal::derive(move || Some(sha.clone())) /></div>
                                        }).collect_view()}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}
