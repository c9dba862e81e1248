//! 外勤: the hub of day-to-day work — visits, training, mentoring, tasks — so the
//! bottom bar of a portrait tablet keeps room for the rest.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::state::AppCtx;

#[component]
pub fn FieldPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let links = [
        ("/visits", Key::Visits, "field-visits"),
        ("/trainings", Key::Trainings, "field-trainings"),
        ("/trainings/compliance", Key::Compliance, "field-compliance"),
        ("/mentoring", Key::Mentoring, "field-mentoring"),
        ("/tasks", Key::Tasks, "field-tasks"),
    ];
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Field)}</h1>
            <ul class="hub">
                {links.into_iter().map(|(href, key, id)| view! {
                    <li><A href=href attr:class="hub-link" attr:data-testid=id>{move || ctx.t(key)}</A></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
