//! What an account may start from a screen: a tab, a button, a form.
//!
//! Why here: a screen shows a way in only when the account could do what it leads to, and
//! that answer comes from the role lists the rules themselves check (`WORKER_EDITORS`,
//! `APPLICANTS`, the review stages' roles, …), so the app keeps no second list that could
//! drift from them. Whether one particular record lies in the account's townships is
//! still the rule's to decide when the intent is saved; [`may`] says whether the account
//! may do the thing anywhere.

use crate::certification::inspection::PROMOTION_FILERS;
use crate::certification::{APPLICANTS, ReviewStage};
use crate::contest::CONTEST_ADMINS;
use crate::development::mentoring::MENTOR_KEEPERS;
use crate::development::training::TRAINERS;
use crate::fieldwork::VISITORS;
use crate::kernel::grant::{Grant, Role, is_committee};
use crate::people::worker::WORKER_EDITORS;

/// Something a screen offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 新增党务工作者, and editing one.
    EditWorkers,
    /// 新建申请.
    FileApplication,
    /// The 申请 list and the programme's field work (访视, 培训, 帮带): the staff's.
    WorkOnProgramme,
    /// 待审: an application waits for this account at some stage.
    Review,
    /// 访视: record visits.
    Visit,
    /// 培训: set up sessions and take the roll.
    Train,
    /// 帮带: appoint mentors and pair them.
    KeepMentors,
    /// 年审 and 晋级 requests.
    Inspect,
    /// 指标 (the dashboard).
    SeeIndicators,
    /// The committee's own: 公示, 认证设置, 岗位津贴, 账号与权限, 导入.
    Administer,
    /// 比赛: the contests this account judges or runs.
    SeeContests,
    /// 新建比赛, the draw, the ranking, publication.
    AdministerContests,
    /// 我的: a worker's own certificates and record.
    SeeOwnRecord,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::EditWorkers,
        Action::FileApplication,
        Action::WorkOnProgramme,
        Action::Review,
        Action::Visit,
        Action::Train,
        Action::KeepMentors,
        Action::Inspect,
        Action::SeeIndicators,
        Action::Administer,
        Action::SeeContests,
        Action::AdministerContests,
        Action::SeeOwnRecord,
    ];
}

/// Everyone who works on the programme, as opposed to the people it certifies and the
/// contest's own accounts.
const STAFF: [Role; 6] = [
    Role::DistrictCommittee,
    Role::DistrictReviewer,
    Role::TownshipReviewer,
    Role::GuidanceStation,
    Role::Instructor,
    Role::Supervisor,
];

/// Who reads the indicators: the committee, the reviewers and the guidance station.
const INDICATOR_READERS: [Role; 4] = [
    Role::DistrictCommittee,
    Role::DistrictReviewer,
    Role::TownshipReviewer,
    Role::GuidanceStation,
];

/// Whether an account with `grants` may start `action` somewhere.
pub fn may(grants: &[Grant], action: Action) -> bool {
    let any = |roles: &[Role]| grants.iter().any(|g| roles.contains(&g.role));
    match action {
        Action::EditWorkers => any(&WORKER_EDITORS),
        Action::FileApplication => any(&APPLICANTS),
        Action::WorkOnProgramme => any(&STAFF),
        Action::Review => any(&[
            ReviewStage::Township.role(),
            ReviewStage::District.role(),
            ReviewStage::Committee.role(),
        ]),
        Action::Visit => any(&VISITORS),
        Action::Train => any(&TRAINERS),
        Action::KeepMentors => any(&MENTOR_KEEPERS),
        Action::Inspect => any(&PROMOTION_FILERS),
        Action::SeeIndicators => any(&INDICATOR_READERS),
        Action::Administer => is_committee(grants),
        Action::SeeContests => any(&CONTEST_ADMINS) || any(&[Role::Judge]),
        Action::AdministerContests => any(&CONTEST_ADMINS),
        Action::SeeOwnRecord => any(&[Role::Worker]),
    }
}

/// The first screen after login, and the first tab: what the account's work starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Home {
    /// 总览: the committee's headline indicators, the queues of every stage, the reminders.
    Overview,
    /// 待办: the reviewer's queue, oldest first, with counts per stage.
    Queue,
    /// 今日: the field staff's week of visits, drafts, what waits to sync, the quarter's
    /// tasks and today's training sessions.
    Today,
    /// The running contest's live ranking, else the contest list.
    Contests,
    /// 我的评分: the contest a judge judges, contestants in running order.
    Judging,
    /// 我的: a worker's own certificate, training log and tasks.
    Mine,
}

/// The home of an account with `grants`. An account with several roles lands where its
/// broadest work is: the committee's overview before a reviewer's queue, a queue before
/// field work, the programme's staff before the contest's accounts.
pub fn home(grants: &[Grant]) -> Home {
    if may(grants, Action::Administer) {
        Home::Overview
    } else if may(grants, Action::Review) {
        Home::Queue
    } else if may(grants, Action::WorkOnProgramme) {
        Home::Today
    } else if may(grants, Action::AdministerContests) {
        Home::Contests
    } else if may(grants, Action::SeeContests) {
        Home::Judging
    } else if may(grants, Action::SeeOwnRecord) {
        Home::Mine
    } else {
        // No grant at all (a suspended account's last session): nothing but the frame.
        Home::Today
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::grant::Scope;
    use crate::testkit::{World, actor, run, township_with_workers};
    use crate::{Op, RecordKind, WorkerCreateV1, WorkerRole};

    fn grants(role: Role) -> Vec<Grant> {
        vec![Grant {
            role,
            scope: Scope::District,
        }]
    }

    /// A worker and a judge are offered none of the staff's work.
    #[test]
    fn a_worker_and_a_judge_are_not_offered_the_staffs_work() {
        for role in [Role::Worker, Role::Judge] {
            for action in [
                Action::EditWorkers,
                Action::FileApplication,
                Action::WorkOnProgramme,
                Action::Review,
                Action::Administer,
                Action::AdministerContests,
            ] {
                assert!(!may(&grants(role), action), "{role:?} {action:?}");
            }
        }
        assert!(may(&grants(Role::Worker), Action::SeeOwnRecord));
        assert!(may(&grants(Role::Judge), Action::SeeContests));
        assert!(!may(&grants(Role::Judge), Action::SeeOwnRecord));
    }

    /// The button 新增党务工作者 shows exactly for the roles whose intent the rule takes.
    #[test]
    fn add_worker_is_offered_exactly_to_those_whose_intent_the_rule_accepts() {
        for role in Role::ALL {
            let mut world: World = township_with_workers(0);
            let (township, organization) = world
                .values()
                .find(|r| r.kind == RecordKind::Organization)
                .map(|r| {
                    let o: crate::Organization = r.decode().unwrap();
                    (o.township_id, r.id)
                })
                .unwrap();
            let who = actor(1, role, Scope::District);
            let op = Op::WorkerCreateV1(WorkerCreateV1 {
                id: uuid::Uuid::from_u128(77),
                name: "新人".into(),
                organization_id: organization,
                township_id: township,
                role: WorkerRole::Secretary,
                management_post: String::new(),
                years_in_post: 1,
                photo: None,
                id_card: None,
            });
            let accepted = run(&mut world, &who, op).is_ok();
            assert_eq!(
                may(&who.grants, Action::EditWorkers),
                accepted,
                "{role:?}: the button and the rule agree"
            );
        }
    }

    #[test]
    fn the_committee_may_do_everything_but_what_is_a_workers_own() {
        for action in Action::ALL {
            let expected = action != Action::SeeOwnRecord;
            assert_eq!(
                may(&grants(Role::DistrictCommittee), action),
                expected,
                "{action:?}"
            );
        }
    }

    #[test]
    fn each_role_lands_on_its_own_home() {
        let expected = [
            (Role::DistrictCommittee, Home::Overview),
            (Role::DistrictReviewer, Home::Queue),
            (Role::TownshipReviewer, Home::Queue),
            (Role::GuidanceStation, Home::Today),
            (Role::Instructor, Home::Today),
            (Role::Supervisor, Home::Today),
            (Role::ContestAdmin, Home::Contests),
            (Role::Judge, Home::Judging),
            (Role::Worker, Home::Mine),
        ];
        for role in Role::ALL {
            let want = expected.iter().find(|(r, _)| *r == role).map(|(_, h)| *h);
            assert_eq!(Some(home(&grants(role))), want, "{role:?}");
        }
        // An instructor who also judges works from the programme's home.
        let both = [grants(Role::Instructor), grants(Role::Judge)].concat();
        assert_eq!(home(&both), Home::Today);
    }
}
