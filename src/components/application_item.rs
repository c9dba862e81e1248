use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::labels::Label;
use crate::read_model::ApplicationRow;
use crate::state::AppCtx;

/// One application in a list or a queue: who, where, which batch, and its stage.
#[component]
pub fn ApplicationItem(row: ApplicationRow) -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let stage = row.app.stage;
    let stage_class = format!("tag stage stage-{}", stage_css(stage));
    view! {
        <li class="application-item card" data-testid="application-item">
            <A href=format!("/applications/{}", row.id)>
                <div class="row-main">
                    <strong>{row.worker_name.clone()}</strong>
                    <span class=stage_class data-testid="stage">{ctx.t(stage.key())}</span>
                    {row.pending.then(|| view! {
                        <span class="tag tag-pending">{move || ctx.t(Key::Pending)}</span>
                    })}
                </div>
                <div class="muted">
                    {row.township.clone()} " · " {row.batch_name.clone()} " · "
                    {move || ctx.t(Key::RequestedGrade)} " " {row.grade_name.clone()}
                </div>
            </A>
        </li>
    }
}

/// A CSS name for a stage, for its colour (the text says it too).
pub fn stage_css(stage: hongling_core::certification::Stage) -> &'static str {
    use hongling_core::certification::{ReviewStage, Stage};
    match stage {
        Stage::Review(ReviewStage::Township) => "township",
        Stage::Review(ReviewStage::District) => "district",
        Stage::Review(ReviewStage::Committee) => "committee",
        Stage::AwaitingNotice | Stage::InNotice => "notice",
        Stage::AwaitingIssue => "awaiting-issue",
        Stage::Issued => "issued",
        Stage::Returned => "returned",
        Stage::Rejected => "rejected",
    }
}
