use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use hongling_core::permission::{Action, Home};

use crate::i18n::Key;
use crate::state::AppCtx;

/// The screens the 认证 tab stands for.
const CERTIFICATION: [&str; 7] = [
    "/applications",
    "/notices",
    "/inspections",
    "/pool",
    "/recommendations",
    "/admin/programme",
    "/stipends",
];

/// The first tab's name: the home it leads to.
fn home_key(home: Home) -> Key {
    match home {
        Home::Overview => Key::Overview,
        Home::Queue => Key::NavQueue,
        Home::Today => Key::Today,
        Home::Contests => Key::NavContests,
        Home::Judging => Key::MyScoring,
        Home::Mine => Key::Mine,
    }
}

/// Navigation: a bottom tab bar in portrait, a side rail in landscape (by CSS). The first
/// tab is the role's home; a tab the home already is (待办, 指标 in 总览, 比赛) is not
/// repeated. Few enough tabs for the committee that nothing is hidden: certification's
/// screens sit under 认证, the committee's administration under 设置.
#[component]
pub fn NavBar() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let location = use_location();
    // A tab stays lit on the screens it groups.
    let in_group = move |paths: &[&str]| {
        let here = location.pathname.get();
        paths
            .iter()
            .any(|p| here == *p || here.starts_with(&format!("{p}/")))
    };
    view! {
        <nav class="nav" aria-label=move || ctx.t(Key::MainNavigation)>
            // The role's home (总览, 待办, 今日, 比赛, 我的评分 or 我的).
            <A href="/" exact=true attr:data-testid="nav-home">
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M3 11.5 12 4l9 7.5" />
                    <path d="M5.5 9.5v11h13v-11M10 20.5v-6h4v6" />
                </svg>
                <span>{move || ctx.t(home_key(ctx.home()))}</span>
            </A>
            <Show when=move || ctx.may(Action::WorkOnProgramme)>
                <A href="/workers" attr:data-testid="nav-workers">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <circle cx="9" cy="8" r="3.5" />
                        <path d="M2.5 20c0-3.6 2.9-6.5 6.5-6.5s6.5 2.9 6.5 6.5" />
                        <circle cx="17" cy="9" r="2.5" />
                        <path d="M16 13.6c3 .3 5.5 2.8 5.5 6.4" />
                    </svg>
                    <span>{move || ctx.t(Key::NavWorkers)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::WorkOnProgramme)>
                // 认证: the applications and everything certification has (公示, 年审, 培育库,
                // 推优推先, 认证设置, 津贴), reached from the applications page's own tabs,
                // so the committee's rail fits 1280×800 and the bar 768×1024.
                <A href="/applications" attr:class=move || in_group(&CERTIFICATION).then_some("active-group")>
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M6 2.5h9l4 4v15H6z" />
                        <path d="M15 2.5v4h4M9 11h7M9 15h7M9 19h4" />
                    </svg>
                    <span>{move || ctx.t(Key::NavCertification)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::Review) && ctx.home() != Home::Queue>
                <A href="/queue">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <rect x="3.5" y="4.5" width="17" height="16" rx="2" />
                        <path d="M8 2.5v4M16 2.5v4M7.5 13l3 3 6-6" />
                    </svg>
                    <span>{move || ctx.t(Key::NavQueue)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::WorkOnProgramme)>
                <A href="/field" attr:data-testid="nav-field">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M12 21.5s-6.5-6-6.5-11a6.5 6.5 0 0 1 13 0c0 5-6.5 11-6.5 11z" />
                        <circle cx="12" cy="10.5" r="2.3" />
                    </svg>
                    <span>{move || ctx.t(Key::NavField)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::SeeIndicators) && ctx.home() != Home::Overview>
                <A href="/dashboard" attr:data-testid="nav-dashboard">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3.5 20.5h17M6.5 17v-5M11 17V7M15.5 17v-8M20 17v-3" />
                    </svg>
                    <span>{move || ctx.t(Key::NavDashboard)}</span>
                </A>
            </Show>
            <Show when=move || ctx.may(Action::SeeContests) && ctx.home() != Home::Contests>
                <A href="/contests" attr:data-testid="nav-contests">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M7 3.5h10v5a5 5 0 0 1-10 0z" />
                        <path d="M7 5.5H4v1.5a3 3 0 0 0 3 3M17 5.5h3v1.5a3 3 0 0 1-3 3M12 13.5v4M8 20.5h8" />
                    </svg>
                    <span>{move || ctx.t(Key::NavContests)}</span>
                </A>
            </Show>
            <A href="/verify">
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <path d="M12 2.5l8 3v6c0 5-3.4 8.6-8 10-4.6-1.4-8-5-8-10v-6z" />
                    <path d="M8.5 12l2.5 2.5 4.5-5" />
                </svg>
                <span>{move || ctx.t(Key::NavVerify)}</span>
            </A>
            <A href="/inbox">
                <span class="nav-icon-wrap">
                    <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3.5 13.5 6 5.5h12l2.5 8v5h-17z" />
                        <path d="M3.5 13.5h5l1 2h5l1-2h5" />
                    </svg>
                    <Show when=move || ctx.rejected.get() + ctx.duplicates.get() != 0>
                        <span class="red-dot" data-testid="inbox-dot" aria-label=move || ctx.t(Key::InboxHasItems)></span>
                    </Show>
                </span>
                <span>{move || ctx.t(Key::NavInbox)}</span>
            </A>
            // 设置, and for the committee 账号与权限, 恢复核对, 安全日志 and 导入 from it.
            <A href="/settings" attr:class=move || in_group(&["/settings", "/admin/accounts", "/admin/recovery", "/admin/security-log", "/admin/import"]).then_some("active-group")>
                <svg class="nav-icon" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="12" cy="12" r="3.2" />
                    <path d="M12 2.5v3M12 18.5v3M2.5 12h3M18.5 12h3M5.3 5.3l2.1 2.1M16.6 16.6l2.1 2.1M5.3 18.7l2.1-2.1M16.6 7.4l2.1-2.1" />
                </svg>
                <span>{move || ctx.t(Key::NavSettings)}</span>
            </A>
        </nav>
    }
}
