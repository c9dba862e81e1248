use hongling_core::certificate::standing;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::{PhotoView, QrCode};
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::load_certificate;
use crate::state::AppCtx;

/// 红领资格证 (`/certificates/:id`): the certificate as it prints on A4, with the QR code
/// of its signed payload.
/// A date written out as the certificate prints it (2026年10月01日).
fn long_date(ctx: AppCtx, d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    ctx.tr(Msg::LongDate {
        year: &d.year(),
        month: &format_args!("{:02}", d.month()),
        day: &format_args!("{:02}", d.day()),
    })
}

#[component]
pub fn CertificatePage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<Uuid>().ok()));
    let data = LocalResource::new(move || {
        ctx.data_rev.get();
        let id = id();
        async move { load_certificate(id?).await.ok().flatten() }
    });
    let reason = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let reissue = move |certificate_id: Uuid| {
        let op = hongling_core::Op::CertificateReissueV1(
            hongling_core::certification::CertificateReissueV1 {
                certificate_id,
                reported_on: hongling_core::china_today(chrono::Utc::now()),
                reason: reason.get_untracked(),
            },
        );
        leptos::task::spawn_local(async move {
            let outcome = ctx.save(op).await;
            match outcome {
                Ok(()) => {
                    message.set(Some(ctx.t(Key::ReissueQueued).to_owned()));
                }
                Err(m) => message.set(Some(m.message)),
            }
        });
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <section class="page certificate-page">
            {move || match data.get() {
                None => ().into_any(),
                Some(None) => view! { <p class="error">{ctx.t(Key::NotFoundCertificate)}</p> }.into_any(),
                Some(Some(v)) => {
                    let c = v.certificate;
                    let status = standing(v.status.as_ref());
                    view! {
                        <div class="no-print page-head">
                            <h1>{ctx.t(Key::Certificate)}</h1>
                            <button class="btn btn-primary" data-testid="print" on:click=print>{ctx.t(Key::Print)}</button>
                        </div>
                        <article class="certificate" data-testid="certificate" data-qr=c.qr.clone()>
                            <header>
                                <div class="cert-title">{ctx.t(Key::CertTitle)}</div>
                                <div class="cert-sub">{ctx.t(Key::IssuedBy)}</div>
                            </header>
                            <div class="cert-body">
                                {c.photo.clone().map(|sha| view! {
                                    <div class="cert-photo"><PhotoView photo=Signal::stored(Some(sha)) /></div>
                                })}
                                <dl class="cert-facts">
                                    <dt>{ctx.t(Key::Holder)}</dt><dd data-testid="holder">{c.holder_name.clone()}</dd>
                                    <dt>{ctx.t(Key::Category)}</dt><dd>{ctx.t(c.category.key())}</dd>
                                    <dt>{ctx.t(Key::Grade)}</dt><dd data-testid="grade">{c.grade_name.clone()}</dd>
                                    <dt>{ctx.t(Key::CertNumber)}</dt><dd data-testid="number">{c.number.clone()}</dd>
                                    <dt>{ctx.t(Key::IssuedOn)}</dt><dd>{long_date(ctx, c.issued_on)}</dd>
                                    <dt>{ctx.t(Key::ValidUntil)}</dt><dd>{long_date(ctx, c.valid_until)}</dd>
                                    <dt>{ctx.t(Key::CertStatusLabel)}</dt><dd data-testid="status">{ctx.t(status.key())}</dd>
                                </dl>
                                <QrCode text=c.qr.clone() class="cert-qr" />
                            </div>
                            <footer class="cert-foot">{ctx.t(Key::CertFooter)}</footer>
                        </article>
                        {(ctx.is_committee() && status.is_valid()).then(|| {
                            let cid = id().unwrap_or_default();
                            view! {
                                <div class="card no-print" data-testid="reissue">
                                    <h2>{ctx.t(Key::Reissue)}</h2>
                                    <input type="text" name="reason" placeholder=ctx.t(Key::ReissueReason)
                                        prop:value=move || reason.get()
                                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                                    <button class="btn btn-danger" on:click=move |_| reissue(cid)>{ctx.t(Key::Reissue)}</button>
                                </div>
                            }
                        })}
                        {move || message.get().map(|m| view! { <p class="muted no-print" role="status">{m}</p> })}
                    }.into_any()
                }
            }}
        </section>
    }
}
