//! Who may do what, and who may see what: roles, scopes and grants.
//!
//! An account holds grants; one person may hold several (a supervisor is usually also an
//! instructor). The same checks run on the tablet (so a user is told at once) and on the
//! server (which alone decides, and filters every pull).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The roles of the programme. The wire names are public: never rename one.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 区委非公工委: decides the final stages, configures everything.
    DistrictCommittee,
    /// 区级联审.
    DistrictReviewer,
    /// 乡镇初审.
    TownshipReviewer,
    /// 党建工作指导站: files promotion requests for its townships.
    GuidanceStation,
    /// 党建工作指导员: files applications, visits, training logs.
    Instructor,
    /// 督察专员: duty assessments.
    Supervisor,
    /// Sets up contests, re-opens sheets, publishes results.
    ContestAdmin,
    /// 评委: scores the contests assigned.
    Judge,
    /// 党务工作者: reads their own record.
    Worker,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::DistrictCommittee,
        Role::DistrictReviewer,
        Role::TownshipReviewer,
        Role::GuidanceStation,
        Role::Instructor,
        Role::Supervisor,
        Role::ContestAdmin,
        Role::Judge,
        Role::Worker,
    ];

    /// The role's name in the programme's Chinese.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::DistrictCommittee => "区委非公工委",
            Role::DistrictReviewer => "区级联审",
            Role::TownshipReviewer => "乡镇初审",
            Role::GuidanceStation => "党建工作指导站",
            Role::Instructor => "党建工作指导员",
            Role::Supervisor => "督察专员",
            Role::ContestAdmin => "比赛管理员",
            Role::Judge => "评委",
            Role::Worker => "党务工作者",
        }
    }
}

/// Where a grant applies.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole district.
    District,
    /// One township or street office.
    Township(Uuid),
    /// One contest.
    Contest(Uuid),
    /// One worker (the account's own record).
    Worker(Uuid),
}

impl Scope {
    /// The text form stored by the server: `district`, `township:<id>`, `contest:<id>`,
    /// `worker:<id>`.
    pub fn to_text(self) -> String {
        match self {
            Scope::District => "district".to_owned(),
            Scope::Township(id) => format!("township:{id}"),
            Scope::Contest(id) => format!("contest:{id}"),
            Scope::Worker(id) => format!("worker:{id}"),
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        if s == "district" {
            return Some(Scope::District);
        }
        let (kind, id) = s.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "township" => Some(Scope::Township(id)),
            "contest" => Some(Scope::Contest(id)),
            "worker" => Some(Scope::Worker(id)),
            _ => None,
        }
    }
}

/// One role in one scope.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// Where a record lives, for the purpose of who may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Reference data every device gets (townships, organisations).
    Public,
    /// Records of one township's people.
    Township(Uuid),
    /// What only the district committee may hold (full ID-card numbers).
    Committee,
    /// Contest score sheets: the contest administrators and the committee (a judge reads
    /// their own sheets through `can_see_record`).
    Contest,
}

impl Visibility {
    /// The value stored in the server's `scope` column (`None` for public).
    pub fn column(self) -> Option<String> {
        match self {
            Visibility::Public => None,
            Visibility::Township(t) => Some(format!("township:{t}")),
            Visibility::Committee => Some(COMMITTEE_COLUMN.to_owned()),
            Visibility::Contest => Some(CONTEST_COLUMN.to_owned()),
        }
    }
}

/// Whether an account with `grants` may see records of `visibility`.
pub fn can_see(grants: &[Grant], visibility: Visibility) -> bool {
    match visibility {
        Visibility::Public => true,
        Visibility::Township(t) => grants.iter().any(|g| {
            g.role != Role::Judge
                && g.role != Role::Worker
                && (g.scope == Scope::District || g.scope == Scope::Township(t))
        }),
        Visibility::Committee => is_committee(grants),
        Visibility::Contest => {
            is_committee(grants) || grants.iter().any(|g| g.role == Role::ContestAdmin)
        }
    }
}

/// The scope column of committee-only records.
pub const COMMITTEE_COLUMN: &str = "committee";

/// The scope column of contest score sheets.
pub const CONTEST_COLUMN: &str = "contest";

/// The marker in [`visible_columns`] for "every township".
pub const EVERY_TOWNSHIP: &str = "township:*";

/// Whether the grants include the district committee for the whole district.
pub fn is_committee(grants: &[Grant]) -> bool {
    grants
        .iter()
        .any(|g| g.role == Role::DistrictCommittee && g.scope == Scope::District)
}

/// The scope columns an account may see besides public records, or `None` when it sees
/// everything (the district committee). [`EVERY_TOWNSHIP`] stands for every township's
/// column (a district-wide grant other than the committee's).
pub fn visible_columns(grants: &[Grant]) -> Option<Vec<String>> {
    if is_committee(grants) {
        return None;
    }
    let reads = |g: &&Grant| g.role != Role::Judge && g.role != Role::Worker;
    let contest = grants
        .iter()
        .any(|g| g.role == Role::ContestAdmin)
        .then(|| CONTEST_COLUMN.to_owned());
    if grants
        .iter()
        .filter(reads)
        .any(|g| g.scope == Scope::District)
    {
        return Some(
            [EVERY_TOWNSHIP.to_owned()]
                .into_iter()
                .chain(contest)
                .collect(),
        );
    }
    let mut cols: Vec<String> = grants
        .iter()
        .filter(reads)
        .filter_map(|g| match g.scope {
            Scope::Township(t) => Visibility::Township(t).column(),
            _ => None,
        })
        .chain(contest)
        .collect();
    cols.sort();
    cols.dedup();
    Some(cols)
}

/// Whether the grants allow `role`'s work in `township` (a district-wide grant covers
/// every township).
pub fn holds_in_township(grants: &[Grant], roles: &[Role], township: Uuid) -> bool {
    grants.iter().any(|g| {
        roles.contains(&g.role)
            && (g.scope == Scope::District || g.scope == Scope::Township(township))
    })
}

/// The worker records the account reads as its own (a worker's own account).
pub fn own_workers(grants: &[Grant]) -> Vec<Uuid> {
    grants
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::Worker, Scope::Worker(id)) => Some(id),
            _ => None,
        })
        .collect()
}

/// The townships in which `roles` may work, or `None` for every township.
pub fn townships_for(grants: &[Grant], roles: &[Role]) -> Option<Vec<Uuid>> {
    let mine = grants.iter().filter(|g| roles.contains(&g.role));
    if mine.clone().any(|g| g.scope == Scope::District) {
        return None;
    }
    let mut ids: Vec<Uuid> = mine
        .filter_map(|g| match g.scope {
            Scope::Township(t) => Some(t),
            _ => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    Some(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn district_grants_see_every_township_and_township_grants_only_theirs() {
        let district = [Grant {
            role: Role::DistrictCommittee,
            scope: Scope::District,
        }];
        let local = [Grant {
            role: Role::Instructor,
            scope: Scope::Township(t(1)),
        }];
        let judge = [Grant {
            role: Role::Judge,
            scope: Scope::District,
        }];
        assert!(can_see(&district, Visibility::Township(t(2))));
        assert!(can_see(&local, Visibility::Township(t(1))));
        assert!(!can_see(&local, Visibility::Township(t(2))));
        assert!(
            !can_see(&judge, Visibility::Township(t(1))),
            "a judge sees contests, not people"
        );
        assert!(can_see(&judge, Visibility::Public));
        assert_eq!(visible_columns(&district), None);
        assert_eq!(
            visible_columns(&local),
            Some(vec![format!("township:{}", t(1))])
        );
        assert_eq!(visible_columns(&judge), Some(vec![]));
    }

    #[test]
    fn scopes_round_trip_through_their_text_form() {
        for s in [
            Scope::District,
            Scope::Township(t(1)),
            Scope::Contest(t(2)),
            Scope::Worker(t(3)),
        ] {
            assert_eq!(Scope::parse(&s.to_text()), Some(s));
        }
        assert_eq!(Scope::parse("township:nope"), None);
        assert_eq!(Scope::parse("planet:1"), None);
    }

    #[test]
    fn grants_have_a_stable_wire_form() {
        let g = Grant {
            role: Role::TownshipReviewer,
            scope: Scope::Township(t(5)),
        };
        assert_eq!(
            serde_json::to_value(g).unwrap(),
            serde_json::json!({"role": "township_reviewer", "scope": {"type": "township", "id": "00000000-0000-0000-0000-000000000005"}})
        );
        let d = Grant {
            role: Role::DistrictCommittee,
            scope: Scope::District,
        };
        assert_eq!(
            serde_json::to_value(d).unwrap(),
            serde_json::json!({"role": "district_committee", "scope": {"type": "district"}})
        );
    }
}
