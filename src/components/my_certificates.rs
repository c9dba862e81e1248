//! 我的证书: on a worker's own home, the certificate they hold with its QR code large
//! enough to scan from another tablet (验证证书 reads it offline), the others below it,
//! each a tap away from its printable page; then their record in the programme.

use hongling_core::RecordKind;
use hongling_core::certificate::{Certificate, Standing, StatusEntry, standing};
use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::components::{QrCode, WorkerRecord};
use crate::i18n::Key;
use crate::labels::Label;
use crate::state::AppCtx;

#[component]
pub fn MyCertificates() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let certs = LocalResource::new(move || {
        ctx.data_rev.get();
        async move {
            let mut certs: Vec<(Uuid, Certificate)> =
                crate::read_model::all(RecordKind::Certificate).await.ok()?;
            let statuses: Vec<(Uuid, StatusEntry)> =
                crate::read_model::all(RecordKind::CertificateStatus)
                    .await
                    .ok()?;
            certs.sort_by_key(|c| std::cmp::Reverse(c.1.issued_on));
            Some(
                certs
                    .into_iter()
                    .map(|(id, c)| {
                        let status = standing(statuses.iter().find(|s| s.0 == id).map(|s| &s.1));
                        (id, c, status)
                    })
                    .collect::<Vec<(Uuid, Certificate, Standing)>>(),
            )
        }
    });
    view! {
        {move || certs.get().flatten().map(|list| {
            // The newest valid certificate is the one to show; the rest are links.
            let shown = list.iter().position(|(_, _, s)| s.is_valid());
            let main = shown.map(|i| list[i].clone());
            let rest: Vec<_> = list.into_iter().enumerate().filter(|(i, _)| Some(*i) != shown).map(|(_, c)| c).collect();
            view! {
                {match main {
                    Some((id, c, status)) => view! {
                        <div class="card my-certificate" data-testid="my-certificate" data-number=c.number.clone()>
                            <QrCode text=c.qr.clone() class="qr-large" />
                            <dl class="cert-facts">
                                <dt>{ctx.t(Key::CertNumber)}</dt><dd>{c.number.clone()}</dd>
                                <dt>{ctx.t(Key::Grade)}</dt><dd>{c.grade_name.clone()}</dd>
                                <dt>{ctx.t(Key::ValidUntil)}</dt><dd>{c.valid_until.to_string()}</dd>
                                <dt>{ctx.t(Key::CertStatusLabel)}</dt><dd>{ctx.t(status.key())}</dd>
                            </dl>
                            <A href=format!("/certificates/{id}") attr:class="btn">{ctx.t(Key::OpenCertificate)}</A>
                        </div>
                    }.into_any(),
                    None => view! {
                        <div class="card" data-testid="my-certificates">
                            <h2>{ctx.t(Key::MyCertificates)}</h2>
                            <p class="muted">{ctx.t(Key::NoCertificates)}</p>
                        </div>
                    }.into_any(),
                }}
                {(!rest.is_empty()).then(|| view! {
                    <div class="card" data-testid="my-certificates">
                        <h2>{ctx.t(Key::MyCertificates)}</h2>
                        <ul>{rest.into_iter().map(|(id, c, status)| view! {
                            <li><A href=format!("/certificates/{id}")>{c.number} " · " {c.grade_name} " · " {ctx.t(status.key())}</A></li>
                        }).collect_view()}</ul>
                    </div>
                })}
            }
        })}
        {move || ctx.actor().map(|a| hongling_core::grant::own_workers(&a.grants).into_iter().map(|worker_id| view! {
            <WorkerRecord worker_id />
        }).collect_view())}
    }
}
