use leptos::prelude::*;

use crate::i18n::Key;
use crate::read_model::WorkerRow;
use crate::state::AppCtx;

/// One line of the list.
#[component]
pub fn WorkerItem(
    /// The worker to show.
    row: std::sync::Arc<WorkerRow>,
    /// The worker just saved: marked, and scrolled to.
    #[prop(optional)]
    just_saved: bool,
) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let role = match row.worker.role {
        hongling_core::WorkerRole::Secretary => Key::RoleSecretary,
        hongling_core::WorkerRole::Instructor => Key::RoleInstructor,
    };
    let post = row.worker.management_post.clone();
    let pending = row.pending;
    view! {
        <li class="worker-item" class:just-saved=just_saved>
            // A plain link (the router still handles the click): `<A>` watches the
            // location for each of the list's rows.
            <a href=format!("/workers/{}", row.id)>
                <div class="worker-main">
                    <span class="worker-name">{row.worker.name.clone()}</span>
                    <span class="tag">{move || ctx.t(role)}</span>
                    <Show when=move || pending>
                        <span class="tag tag-pending">"⟳ " {move || ctx.t(Key::LocalOnly)}</span>
                    </Show>
                </div>
                <div class="worker-sub">
                    <span>{row.township.clone()}</span>
                    " · "
                    <span>{row.organization.clone()}</span>
                </div>
                <div class="worker-sub">
                    {move || ctx.t(Key::ManagementPost)} {ctx.t(Key::Colon)}
                    {if post.is_empty() { ctx.t(Key::NoPost).to_owned() } else { post.clone() }}
                    " · " {move || ctx.t(Key::YearsInPost)} {ctx.t(Key::Colon)} {row.worker.years_in_post}
                </div>
            </a>
        </li>
    }
}
