use hongling_core::certificate::{self, StatusEntry, Verified, VerifyError};
use leptos::prelude::*;

use crate::components::QrScanner;
use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::read_model::load_verification;
use crate::state::AppCtx;

/// 验证证书: checks a certificate's QR text offline, with the signing keys and the status
/// list this device pulled at its last sync.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let text = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<(Verified, Option<StatusEntry>), VerifyError>>);
    let scanning = RwSignal::new(false);
    let check = move || {
        let qr = text.get_untracked();
        leptos::task::spawn_local(async move {
            let (keys, statuses) = load_verification().await.unwrap_or_default();
            result.set(Some(certificate::verify(&qr, &keys).map(|v| {
                let status = statuses.into_iter().find(|s| s.number == v.payload.no);
                (v, status)
            })));
        });
    };
    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::Verify)}</h1>
            <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); check(); }>
                <label class="field">
                    <span class="label">{move || ctx.t(Key::VerifyHint)}</span>
                    <textarea name="qr" rows="3" data-testid="verify-input"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </label>
                <button type="submit" class="btn btn-primary btn-block" data-testid="verify">
                    {move || ctx.t(Key::VerifyButton)}
                </button>
                <button type="button" class="btn btn-block" data-testid="verify-scan"
                    on:click=move |_| scanning.update(|s| *s = !*s)>
                    {move || if scanning.get() { ctx.t(Key::StopScanning) } else { ctx.t(Key::ScanCertificate) }}
                </button>
            </form>
            <Show when=move || scanning.get()>
                <QrScanner on_text=Callback::new(move |qr: String| {
                    text.set(qr);
                    check();
                }) />
            </Show>
            {move || result.get().map(|r| match r {
                Err(e) => view! {
                    <div class="verify-result bad" role="alert" data-testid="verify-result">
                        <strong>"✗ "</strong>{e.to_string()}
                    </div>
                }.into_any(),
                Ok((Verified { payload: p, demo }, status)) => {
                    let line = status.as_ref().map(|s| {
                        let status = ctx.t(s.status.key());
                        match &s.replaced_by {
                            Some(by) => ctx.tr(Msg::StatusReplacedBy { status: &status, by }),
                            None => status.to_owned(),
                        }
                    });
                    // A demo certificate is never shown as a good one, whatever its status.
                    let valid = !demo
                        && certificate::standing(status.as_ref()).is_valid();
                    view! {
                        <div class=if valid { "verify-result good" } else { "verify-result warn" }
                            role="status" data-testid="verify-result">
                            {if demo {
                                view! { <p data-testid="verify-demo"><strong>"⚠ "</strong>{ctx.t(Key::VerifyDemo)}</p> }.into_any()
                            } else {
                                view! { <p><strong>"✓ "</strong>{ctx.t(Key::VerifyOk)}</p> }.into_any()
                            }}
                            <dl class="cert-facts">
                                <dt>{ctx.t(Key::Holder)}</dt><dd data-testid="verify-holder">{p.name.clone()}</dd>
                                <dt>{ctx.t(Key::CertNumber)}</dt><dd>{p.no.clone()}</dd>
                                <dt>{ctx.t(Key::Grade)}</dt><dd>{p.grade_name.clone()}</dd>
                                <dt>{ctx.t(Key::ValidUntil)}</dt><dd>{p.until.to_string()}</dd>
                                <dt>{ctx.t(Key::CertStatusLabel)}</dt>
                                <dd data-testid="verify-status">{match line {
                                    Some(l) => ctx.tr(Msg::AsOfSync { status: &l }),
                                    None => ctx.t(Key::StatusUnknown).to_owned(),
                                }}</dd>
                            </dl>
                        </div>
                    }.into_any()
                }
            })}
        </section>
    }
}
