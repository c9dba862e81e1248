//! 各环节待办: how many applications wait in each stage (`hongling_core::certification::
//! stage_counts`), among those this tablet holds, each a link to the list filtered to it.
//! On the committee's overview and a reviewer's home.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::stage_css;
use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::load_applications;
use crate::state::AppCtx;

#[component]
pub fn StageCounts() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let counts = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let rows = load_applications().await.ok()?;
            Some(hongling_core::certification::stage_counts(
                rows.iter().map(|r| &r.app),
            ))
        }
    });
    view! {
        <section class="card" data-testid="stage-counts">
            <h2>{move || ctx.t(Key::Queues)}</h2>
            <ul class="stage-counts">
                {move || counts.get().flatten().map(|list| list.into_iter().map(|(stage, n)| {
                    let css = stage_css(stage);
                    view! {
                        <li data-testid="stage-count" data-stage=css data-count=n.to_string()>
                            <A href=format!("/applications?stage={css}")>
                                <span class=format!("tag stage stage-{css}")>{ctx.t(stage.key())}</span>
                                <strong class="num">{n}</strong>
                            </A>
                        </li>
                    }
                }).collect_view())}
            </ul>
        </section>
    }
}
