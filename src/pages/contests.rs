//! 红领实训比赛: the contests this device holds, newest first; administrators set up new
//! ones. Judges, administrators and the committee reach each contest from here.

use hongling_core::permission::Action;
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::i18n::Key;
use crate::read_model::{ContestData, load_contests};
use crate::state::AppCtx;

/// Whether the signed-in account administers contests (reactive).
pub fn is_contest_admin(ctx: &AppCtx) -> bool {
    ctx.may(Action::AdministerContests)
}

#[component]
pub fn ContestsPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let contests = LocalResource::new(move || {
        ctx.data_rev.get();
        load_contests()
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || ctx.t(Key::Contests)}</h1>
                <Show when=move || is_contest_admin(&ctx)>
                    <A href="/contests/new" attr:class="btn btn-primary" attr:data-testid="new-contest">
                        {move || ctx.t(Key::NewContest)}
                    </A>
                </Show>
            </div>
            {move || contests.get().map(|list| if list.is_empty() {
                view! { <p class="empty-state">{ctx.t(Key::NoContests)}</p> }.into_any()
            } else {
                view! {
                    <ul class="card-list" data-testid="contests">
                        {list.into_iter().map(|(id, c)| view! {
                            <li class="card" data-testid="contest-item">
                                <A href=format!("/contests/{id}")>
                                    <strong>{c.title.clone()}</strong>
                                </A>
                                <p class="muted">{c.date.to_string()} " · " {c.venue.clone()} " · "
                                    {c.contestants.len()} {ctx.t(Key::ContestantsCount)}
                                    {c.published.is_some().then(|| view! { " · " <span class="tag">{ctx.t(Key::Published)}</span> })}
                                </p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

/// The contest named by the route's `:id`, reloaded whenever local data changes.
pub fn contest_of_route(ctx: AppCtx) -> LocalResource<Option<ContestData>> {
    let params = leptos_router::hooks::use_params_map();
    LocalResource::new(move || {
        ctx.data_rev.get();
        let id = params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()));
        async move { ContestData::load(id?).await }
    })
}
