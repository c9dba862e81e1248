use hongling_core::wire::ImportReply;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Key;
use crate::state::AppCtx;

/// 导入导出 (district committee, online): organisations and workers from the office's
/// Excel or CSV lists. A preview shows each row's problems; only a clean file imports,
/// all of it at once. The same columns export back.
#[component]
pub fn ImportPage() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let what = RwSignal::new("workers".to_owned());
    let file = RwSignal::new(None::<Vec<u8>>);
    let reply = RwSignal::new(None::<ImportReply>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let token = move || ctx.token();

    let send = move |commit: bool| {
        let (Some(token), Some(bytes)) = (token(), file.get_untracked()) else {
            return;
        };
        let what = what.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::sync::api::import_list(&token, &what, commit, &bytes).await {
                Ok(r) => {
                    if r.imported > 0 {
                        file.set(None);
                        ctx.request_sync();
                    }
                    error.set(None);
                    reply.set(Some(r));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().expect("input").unchecked_into();
        let Some(f) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // Cleared, so choosing the same file again after fixing it in Excel previews it.
        input.set_value("");
        reply.set(None);
        leptos::task::spawn_local(async move {
            if let Ok(buffer) = JsFuture::from(f.array_buffer()).await {
                file.set(Some(js_sys::Uint8Array::new(&buffer).to_vec()));
                send(false);
            }
        });
    };
    let export = move |kind: &'static str, format: &'static str| {
        let Some(token) = token() else { return };
        leptos::task::spawn_local(async move {
            let path = format!("/admin/export/{kind}?format={format}");
            match crate::sync::api::get_file(&token, &path).await {
                Ok(bytes) => {
                    let mime = if format == "csv" {
                        "text/csv"
                    } else {
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    };
                    let _ = crate::download::save(&format!("{kind}.{format}"), mime, &bytes);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <section class="page">
            <h1>{move || ctx.t(Key::ImportExport)}</h1>
            <Show when=move || !ctx.online.get()>
                <p class="notice-box">{move || ctx.t(Key::NeedsNetwork)}</p>
            </Show>
            <div class="card">
                <div class="segmented">
                    <label class:on=move || what.get() == "organizations">
                        <input type="radio" name="what" value="organizations"
                            on:change=move |_| { what.set("organizations".into()); reply.set(None); } />
                        {move || ctx.t(Key::Organizations)}
                    </label>
                    <label class:on=move || what.get() == "workers">
                        <input type="radio" name="what" value="workers" checked=true
                            on:change=move |_| { what.set("workers".into()); reply.set(None); } />
                        {move || ctx.t(Key::Workers)}
                    </label>
                </div>
                // The column headers the file must carry, as the district's spreadsheets
                // name them: Chinese in every language.
                <p class="muted" lang="zh-CN" data-testid="import-columns">{move || if what.get() == "workers" {
                    hongling_core::import::WORKER_COLUMNS.join(ctx.t(Key::ListSeparator))
                } else {
                    hongling_core::import::ORG_COLUMNS.join(ctx.t(Key::ListSeparator))
                }}</p>
                <label class="btn">
                    {move || ctx.t(Key::ChooseFile)}
                    <input type="file" class="visually-hidden" data-testid="import-file"
                        accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
                        disabled=move || busy.get() || !ctx.online.get() on:change=choose />
                </label>
                <div class="inline-form">
                    <button class="btn" on:click=move |_| export("organizations", "xlsx")>{move || ctx.t(Key::ExportOrganizations)}</button>
                    <button class="btn" on:click=move |_| export("workers", "xlsx")>{move || ctx.t(Key::ExportWorkers)}</button>
                </div>
            </div>
            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || reply.get().map(|r| {
                let clean = r.code == "ok";
                let done = r.imported > 0;
                view! {
                    <p class=if clean { "ok" } else { "field-error" } role="status" data-testid="import-message">{r.message.clone()}</p>
                    {r.file_errors.iter().map(|e| view! { <p class="field-error">{e.clone()}</p> }).collect_view()}
                    <table class="table" data-testid="import-preview">
                        <tbody>
                            {r.rows.iter().map(|row| {
                                let bad = !row.errors.is_empty();
                                view! {
                                    <tr class:bad-row=bad>
                                        <td>{row.row}</td>
                                        {row.values.iter().map(|v| view! { <td>{v.clone()}</td> }).collect_view()}
                                        <td class="row-errors">{if bad { format!("✗ {}", row.errors.join(ctx.t(Key::ItemSeparator))) } else { "✓".to_owned() }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(clean && !done).then(|| view! {
                        <button class="btn btn-primary btn-block" data-testid="confirm-import"
                            disabled=move || busy.get() on:click=move |_| send(true)>
                            {move || ctx.t(Key::ConfirmImport)}
                        </button>
                    })}
                }
            })}
        </section>
    }
}
