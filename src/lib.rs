//! 红领认证: the offline-first tablet app.
//!
//! Client-side rendered Leptos. Data lives in IndexedDB ([`storage`]); the server is
//! reached only through [`sync`]; every business rule comes from `hongling-core`.

pub mod act;
pub mod components;
pub mod download;
pub mod drafts;
pub mod i18n;
pub mod insecure;
pub mod labels;
pub mod local_data;
pub mod pages;
pub mod photo;
pub mod pwa;
pub mod read_model;
pub mod scan;
pub mod state;
pub mod storage;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::{AppHeader, InAppBrowserNotice, NavBar, UpdateBanner};
use crate::pages::{
    AccountsPage, AnnualReportPage, ApplicationFormPage, ApplicationPage, ApplicationsPage,
    CertificatePage, CollectPage, CompliancePage, ContestFormPage, ContestPage, ContestResultsPage,
    ContestScreenPage, ContestsPage, DashboardPage, FieldPage, HandOverPage, HomePage, ImportPage,
    InboxPage, InspectionsPage, LockedPage, LoginPage, MentoringPage, NotFoundPage, NoticesPage,
    PoolPage, ProgrammePage, QueuePage, RecommendationsPage, RecoveryPage, ScoreSheetPage,
    SecurityLogPage, SettingsPage, StipendsPage, TasksPage, TrainingPage, TrainingsPage,
    VerifyPage, VisitFormPage, VisitsPage, WorkerFormPage, WorkersPage,
};
use crate::state::AppCtx;

/// How often the app syncs by itself while online, in milliseconds.
const SYNC_EVERY_MS: u64 = 60_000;

/// The root component: state, service worker, sync triggers and the router.
#[component]
pub fn App() -> impl IntoView {
    let ctx = AppCtx::new();
    provide_context(ctx);
    ctx.hear_other_tabs();
    pwa::register(ctx.update_ready);
    leptos::task::spawn_local(async {
        storage::persist().await;
    });

    // Keep <html lang> and the window's title in step with the chosen language.
    Effect::new(move |_| {
        let lang = ctx.lang.get();
        if let Some(el) = document().document_element() {
            let _ = el.set_attribute("lang", lang.html_lang());
        }
        document().set_title(i18n::t(lang, i18n::Key::AppName));
    });

    // Sync on start, when the network comes back, and periodically while online.
    let on_online = window_event_listener(leptos::ev::online, move |_| {
        ctx.online.set(true);
        ctx.request_sync();
    });
    let on_offline = window_event_listener(leptos::ev::offline, move |_| ctx.online.set(false));
    on_cleanup(move || {
        on_online.remove();
        on_offline.remove();
    });
    let _ = set_interval_with_handle(
        move || {
            ctx.now.set(chrono::Utc::now());
            if ctx.online.get_untracked() {
                ctx.request_sync();
            }
        },
        std::time::Duration::from_millis(SYNC_EVERY_MS),
    );
    ctx.refresh_counts();
    if ctx.online.get_untracked() {
        ctx.request_sync();
    }

    view! {
        <Router>
            <UpdateBanner />
            <InAppBrowserNotice />
            <Show when=move || ctx.session.with(|s| s.as_ref().is_some_and(|s| s.demo))>
                <div class="demo-ribbon" role="note" data-testid="demo-ribbon">{move || ctx.t(crate::i18n::Key::DemoRibbon)}</div>
            </Show>
            <Show
                when=move || ctx.session.with(Option::is_some)
                fallback=|| view! { <LoginPage /> }
            >
                // The server ended the session: the tablet keeps its data behind one screen.
                <Show
                    when=move || ctx.session.with(|s| s.as_ref().is_some_and(|s| s.ended.is_none()))
                    fallback=|| view! { <LockedPage /> }
                >
                <Show
                    when=move || !ctx.session.with(|s| s.as_ref().is_some_and(|s| s.must_change_password))
                    fallback=move || view! {
                        <section class="login">
                            <div class="card form" data-testid="forced-password-change">
                                <h1>{move || ctx.t(crate::i18n::Key::ChangePassword)}</h1>
                                <p>{move || ctx.t(crate::i18n::Key::ChangePasswordFirst)}</p>
                                <crate::components::PasswordForm change=ctx.change_password() />
                            </div>
                        </section>
                    }
                >
                <div class="shell">
                    <AppHeader />
                    <NavBar />
                    <main class="content">
                        <Show when=move || ctx.grace_expired()>
                            <p class="grace-expired error" role="alert" data-testid="grace-expired">
                                {move || ctx.t(crate::i18n::Key::GraceExpired)}
                            </p>
                        </Show>
                        <Show when=move || !ctx.grace_expired()>
                        <Routes fallback=|| view! { <NotFoundPage /> }>
                            <Route path=path!("/") view=HomePage />
                            <Route path=path!("/workers") view=WorkersPage />
                            <Route path=path!("/workers/new") view=WorkerFormPage />
                            <Route path=path!("/workers/:id") view=WorkerFormPage />
                            <Route path=path!("/inbox") view=InboxPage />
                            <Route path=path!("/inbox/:rid") view=WorkerFormPage />
                            <Route path=path!("/settings") view=SettingsPage />
                            <Route path=path!("/admin/accounts") view=AccountsPage />
                            <Route path=path!("/admin/recovery") view=RecoveryPage />
                            <Route path=path!("/admin/security-log") view=SecurityLogPage />
                            <Route path=path!("/applications") view=ApplicationsPage />
                            <Route path=path!("/applications/new") view=ApplicationFormPage />
                            <Route path=path!("/applications/:id") view=ApplicationPage />
                            <Route path=path!("/applications/:id/resubmit") view=ApplicationFormPage />
                            <Route path=path!("/queue") view=QueuePage />
                            <Route path=path!("/notices") view=NoticesPage />
                            <Route path=path!("/certificates/:id") view=CertificatePage />
                            <Route path=path!("/verify") view=VerifyPage />
                            <Route path=path!("/admin/programme") view=ProgrammePage />
                            <Route path=path!("/stipends") view=StipendsPage />
                            <Route path=path!("/admin/import") view=ImportPage />
                            <Route path=path!("/recommendations") view=RecommendationsPage />
                            <Route path=path!("/pool") view=PoolPage />
                            <Route path=path!("/field") view=FieldPage />
                            <Route path=path!("/visits") view=VisitsPage />
                            <Route path=path!("/visits/new") view=VisitFormPage />
                            <Route path=path!("/trainings") view=TrainingsPage />
                            <Route path=path!("/trainings/compliance") view=CompliancePage />
                            <Route path=path!("/trainings/:id") view=TrainingPage />
                            <Route path=path!("/mentoring") view=MentoringPage />
                            <Route path=path!("/tasks") view=TasksPage />
                            <Route path=path!("/inspections") view=InspectionsPage />
                            <Route path=path!("/dashboard") view=DashboardPage />
                            <Route path=path!("/reports/annual") view=AnnualReportPage />
                            <Route path=path!("/contests") view=ContestsPage />
                            <Route path=path!("/contests/new") view=ContestFormPage />
                            <Route path=path!("/contests/:id") view=ContestPage />
                            <Route path=path!("/contests/:id/edit") view=ContestFormPage />
                            <Route path=path!("/contests/:id/sheet/:contestant") view=ScoreSheetPage />
                            <Route path=path!("/contests/:id/screen") view=ContestScreenPage />
                            <Route path=path!("/contests/:id/hand-over") view=HandOverPage />
                            <Route path=path!("/contests/:id/collect") view=CollectPage />
                            <Route path=path!("/contests/:id/results") view=ContestResultsPage />
                        </Routes>
                        </Show>
                    </main>
                </div>
                </Show>
                </Show>
            </Show>
        </Router>
    }
}
