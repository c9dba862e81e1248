//! 我的证书: on a worker's own account, the certificates they hold, each a tap away from
//! its printable page with the QR code.

use hongling_core::RecordKind;
use hongling_core::certificate::Certificate;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::WorkerRecord;
use crate::i18n::Key;
use crate::state::AppCtx;

#[component]
pub fn MyCertificates() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let certs = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let mut certs: Vec<(uuid::Uuid, Certificate)> =
                crate::read_model::all(RecordKind::Certificate).await.ok()?;
            certs.sort_by_key(|c| std::cmp::Reverse(c.1.issued_on));
            Some(certs)
        }
    });
    view! {
        <div class="card" data-testid="my-certificates">
            <h2>{move || ctx.t(Key::MyCertificates)}</h2>
            {move || match certs.get().flatten() {
                Some(list) if !list.is_empty() => view! {
                    <ul>{list.into_iter().map(|(id, c)| view! {
                        <li><A href=format!("/certificates/{id}")>{c.number} " · " {c.grade_name}</A></li>
                    }).collect_view()}</ul>
                }.into_any(),
                _ => view! { <p class="muted">{ctx.t(Key::NoCertificates)}</p> }.into_any(),
            }}
        </div>
        {move || ctx.actor().map(|a| hongling_core::grant::own_workers(&a.grants).into_iter().map(|worker_id| view! {
            <WorkerRecord worker_id />
        }).collect_view())}
    }
}
