//! 提醒: what the programme's calendar asks of the office now, worded in the user's
//! language from the core's reminders, computed from what this tablet holds (scoped to
//! the account's townships). Many holders with the same reminder make one line with their
//! count, and their names below it. On the staff's homes.

use hongling_core::permission::Action;
use hongling_core::reminders::Reminder;
use leptos::prelude::*;

use crate::i18n::{Key, Msg};
use crate::labels::Label;
use crate::state::AppCtx;

#[component]
pub fn RemindersCard() -> impl IntoView {
    let ctx = expect_context::<AppCtx>();
    let loaded = LocalResource::new(move || {
        ctx.data_rev.get();
        // Not the clock's every tick: the whole programme is read again for them.
        let today = hongling_core::china_today(ctx.now.get_untracked());
        let staff = ctx.may(Action::WorkOnProgramme);
        async move {
            if staff {
                crate::read_model::load_reminders(today)
                    .await
                    .unwrap_or_default()
            } else {
                Vec::new()
            }
        }
    });
    let items = Signal::derive(move || loaded.get().unwrap_or_default());
    let lines = move || {
        let items = items.get();
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        let mut inspections: Vec<String> = Vec::new();
        let mut untrained: Vec<String> = Vec::new();
        let mut year = 0;
        for row in &items {
            match &row.reminder {
                Reminder::NoticeEnding {
                    ends_on,
                    working_days_left,
                    ..
                } => out.push((
                    if *working_days_left == 0 {
                        ctx.tr(Msg::ReminderNoticeEnded { date: ends_on })
                    } else {
                        ctx.tr(Msg::ReminderNoticeLeft {
                            date: ends_on,
                            n: working_days_left,
                        })
                    },
                    Vec::new(),
                )),
                Reminder::InspectionDue { year: y, .. } => {
                    year = *y;
                    inspections.push(row.subject.clone());
                }
                Reminder::Untrained { year: y, .. } => {
                    year = *y;
                    untrained.push(row.subject.clone());
                }
                Reminder::MenteesOutOfRange { mentees, .. } => out.push((
                    ctx.tr(Msg::ReminderMentees {
                        name: &row.subject,
                        n: mentees,
                    }),
                    Vec::new(),
                )),
                Reminder::TasksNotSet { quarter, org_kind } => out.push((
                    ctx.tr(Msg::ReminderTasks {
                        quarter: &String::from(*quarter),
                        kind: &ctx.t(org_kind.key()),
                    }),
                    Vec::new(),
                )),
                Reminder::SheetsMissing { missing, .. } => out.push((
                    ctx.tr(Msg::ReminderSheets {
                        title: &row.subject,
                        n: missing,
                    }),
                    Vec::new(),
                )),
                Reminder::HolidaysMissing { year } => {
                    out.push((ctx.tr(Msg::ReminderHolidays { year }), Vec::new()))
                }
            }
        }
        if !inspections.is_empty() {
            let n = inspections.len();
            out.push((
                ctx.tr(Msg::ReminderInspections { n: &n, year: &year }),
                inspections,
            ));
        }
        if !untrained.is_empty() {
            let n = untrained.len();
            out.push((
                ctx.tr(Msg::ReminderUntrained { n: &n, year: &year }),
                untrained,
            ));
        }
        out
    };
    view! {
        <Show when=move || !items.with(Vec::is_empty)>
            <section class="card reminders" data-testid="reminders">
                <h2>{move || ctx.t(Key::Reminders)}</h2>
                <ul>
                    {move || lines().into_iter().map(|(text, names)| view! {
                        <li data-testid="reminder">
                            {if names.is_empty() {
                                view! { <span>{text}</span> }.into_any()
                            } else {
                                view! {
                                    <details>
                                        <summary>{text}</summary>
                                        <p class="muted">{names.join(ctx.t(Key::ListSeparator))}</p>
                                    </details>
                                }.into_any()
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}
