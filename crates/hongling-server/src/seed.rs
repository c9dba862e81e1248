//! Demo data of the Qiaocheng programme, written on the first start of a new database
//! when `--demo` is given. Township names are Qiaocheng's; organisations and people are
//! invented.

use hongling_core::certification::Batch;
use hongling_core::{
    Grant, OrgKind, Organization, Record, RecordKind, Role, Scope, Township, Worker, WorkerRole,
};
use uuid::Uuid;

use crate::auth::hash_password;
use crate::store::{NewAccount, Store};

/// Where a demo grant applies: the district, a township or a worker of the lists below
/// (by index).
#[derive(Debug, Clone, Copy)]
pub enum DemoScope {
    District,
    Township(usize),
    Worker(usize),
}

/// A demo account: username, display name, grants.
pub type DemoAccount = (&'static str, &'static str, &'static [(Role, DemoScope)]);

/// The demo accounts. All share [`DEMO_PASSWORD`].
pub const DEMO_ACCOUNTS: [DemoAccount; 14] = [
    (
        "quwei",
        "区委非公工委 管理员",
        &[(Role::DistrictCommittee, DemoScope::District)],
    ),
    (
        "zhidao01",
        "李文华（党建工作指导员）",
        &[
            (Role::Instructor, DemoScope::Township(4)),
            (Role::Instructor, DemoScope::Township(0)),
        ],
    ),
    (
        "zhidao02",
        "赵晓东（党建工作指导员、督察专员）",
        &[
            (Role::Instructor, DemoScope::Township(4)),
            (Role::Supervisor, DemoScope::Township(4)),
            (Role::Instructor, DemoScope::Township(6)),
        ],
    ),
    (
        "zhanghm",
        "张红梅（党务工作者）",
        &[(Role::Worker, DemoScope::Worker(0))],
    ),
    (
        "chushen01",
        "王建国（古井镇 乡镇初审）",
        &[(Role::TownshipReviewer, DemoScope::Township(4))],
    ),
    (
        "chushen02",
        "刘芳（古井镇 乡镇初审）",
        &[(Role::TownshipReviewer, DemoScope::Township(4))],
    ),
    (
        "lianshen01",
        "陈志强（区级联审）",
        &[(Role::DistrictReviewer, DemoScope::District)],
    ),
    (
        "zhidaozhan01",
        "古井镇党建工作指导站",
        &[(Role::GuidanceStation, DemoScope::Township(4))],
    ),
    (
        "bisai01",
        "钱丽（比赛管理员）",
        &[(Role::ContestAdmin, DemoScope::District)],
    ),
    (
        "pingwei01",
        "评委 周明",
        &[(Role::Judge, DemoScope::District)],
    ),
    (
        "pingwei02",
        "评委 吴芳",
        &[(Role::Judge, DemoScope::District)],
    ),
    (
        "pingwei03",
        "评委 郑强",
        &[(Role::Judge, DemoScope::District)],
    ),
    (
        "pingwei04",
        "评委 冯雪",
        &[(Role::Judge, DemoScope::District)],
    ),
    (
        "pingwei05",
        "评委 陈刚",
        &[(Role::Judge, DemoScope::District)],
    ),
];

/// The grade of each demo worker's certificate (by index in [`WORKERS`]). 孙海燕 (4)
/// and 马俊杰 (8) are not certified yet: the demo's certification path starts with them.
const CERTIFIED: [(usize, u8); 8] = [
    (0, 2),
    (1, 1),
    (2, 1),
    (3, 1),
    (5, 2),
    (6, 1),
    (7, 1),
    (9, 1),
];

/// The demo's quarterly tasks, for both kinds of organisation at both grades.
const TASKS: [&str; 3] = [
    "每月组织一次主题党日",
    "发展或培养一名入党积极分子",
    "按时报送党建工作台账",
];

/// The demo's certification batches: name, year, category.
const BATCHES: [(&str, i32, WorkerRole); 2] = [
    ("2026年第一批", 2026, WorkerRole::Secretary),
    ("2026年第一批", 2026, WorkerRole::Instructor),
];

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "hongling2026";

const TOWNSHIPS: [&str; 8] = [
    "花戏楼街道",
    "薛阁街道",
    "汤陵街道",
    "火神庙街道",
    "古井镇",
    "华佗镇",
    "十八里镇",
    "城父镇",
];

/// (name, kind, township index, party organisation)
const ORGANIZATIONS: [(&str, OrgKind, usize, &str); 8] = [
    (
        "亳州市谯韵中药饮片有限公司",
        OrgKind::Enterprise,
        0,
        "谯韵中药饮片有限公司党支部",
    ),
    (
        "亳州市涡河智慧物流有限公司",
        OrgKind::Enterprise,
        1,
        "涡河智慧物流有限公司党支部",
    ),
    (
        "亳州市汤陵社区养老服务中心",
        OrgKind::SocialOrg,
        2,
        "汤陵社区养老服务中心党支部",
    ),
    (
        "亳州市药都电子商务协会",
        OrgKind::SocialOrg,
        3,
        "药都电子商务协会党支部",
    ),
    (
        "亳州市古井镇宏达酿造配套有限公司",
        OrgKind::Enterprise,
        4,
        "宏达酿造配套有限公司党总支",
    ),
    (
        "亳州市华佗百草种植专业合作社",
        OrgKind::Enterprise,
        5,
        "百草种植专业合作社党支部",
    ),
    (
        "亳州市十八里镇新能源科技有限公司",
        OrgKind::Enterprise,
        6,
        "新能源科技有限公司党支部",
    ),
    (
        "亳州市城父镇志愿者协会",
        OrgKind::SocialOrg,
        7,
        "城父镇志愿者协会党支部",
    ),
];

/// (name, organisation index, role, management post, years in post)
const WORKERS: [(&str, usize, WorkerRole, &str, u32); 10] = [
    ("张红梅", 0, WorkerRole::Secretary, "副总经理", 6),
    ("王志强", 1, WorkerRole::Secretary, "行政部经理", 4),
    ("刘静", 2, WorkerRole::Secretary, "中心主任", 8),
    ("陈立新", 3, WorkerRole::Secretary, "秘书长", 3),
    ("孙海燕", 4, WorkerRole::Secretary, "", 2),
    ("周建国", 5, WorkerRole::Secretary, "理事长", 10),
    ("吴晓丽", 6, WorkerRole::Secretary, "人力资源部经理", 5),
    ("郑伟", 7, WorkerRole::Secretary, "", 1),
    ("马俊杰", 0, WorkerRole::Instructor, "", 7),
    ("黄丽娟", 4, WorkerRole::Instructor, "", 9),
];

fn record<T: serde::Serialize>(kind: RecordKind, body: &T) -> Record {
    Record {
        kind,
        id: Uuid::new_v4(),
        version: 0,
        deleted: false,
        body: serde_json::to_value(body).expect("demo data serializes"),
    }
}

/// Seeds a new database; does nothing when accounts already exist. Returns whether it
/// seeded.
/// The `meta` key that marks a demo database, for good.
pub const DEMO_META: &str = "demo";

/// True when the database was seeded as a demo.
pub async fn is_demo<S: Store>(store: &S) -> Result<bool, crate::store::StoreError> {
    Ok(store.meta(DEMO_META).await?.as_deref() == Some("1"))
}

pub async fn seed_demo<S: Store>(store: &S) -> anyhow::Result<bool> {
    if !store.is_empty().await? {
        if store.meta(DEMO_META).await?.as_deref() == Some("1") {
            return Ok(false);
        }
        anyhow::bail!(
            "this database is not a demo database: --demo seeds only a new database, \
             and never mixes demo data with real data"
        );
    }
    // Marked first, so a seed cut short still leaves a database that is a demo for good.
    store.set_meta(DEMO_META, "1").await?;
    let townships: Vec<Record> = TOWNSHIPS
        .iter()
        .map(|name| {
            record(
                RecordKind::Township,
                &Township {
                    name: (*name).to_owned(),
                },
            )
        })
        .collect();
    let organizations: Vec<Record> = ORGANIZATIONS
        .iter()
        .map(|(name, kind, t, party)| {
            record(
                RecordKind::Organization,
                &Organization {
                    industry: String::new(),
                    name: (*name).to_owned(),
                    kind: *kind,
                    township_id: townships[*t].id,
                    party_org: (*party).to_owned(),
                },
            )
        })
        .collect();
    let workers: Vec<Record> = WORKERS
        .iter()
        .map(|(name, o, role, post, years)| {
            let (_, _, t, _) = ORGANIZATIONS[*o];
            record(
                RecordKind::Worker,
                &Worker {
                    id_card_masked: None,
                    name: (*name).to_owned(),
                    organization_id: organizations[*o].id,
                    township_id: townships[t].id,
                    role: *role,
                    management_post: (*post).to_owned(),
                    years_in_post: *years,
                    photo: None,
                },
            )
        })
        .collect();
    let township_ids: Vec<Uuid> = townships.iter().map(|t| t.id).collect();
    let worker_ids: Vec<Uuid> = workers.iter().map(|w| w.id).collect();
    let batches = BATCHES.iter().map(|(name, year, category)| {
        record(
            RecordKind::Batch,
            &Batch {
                name: (*name).to_owned(),
                year: *year,
                category: *category,
                closed: false,
            },
        )
    });
    let batches: Vec<Record> = batches.collect();
    // Certified workers: applications that went through review and notice and wait
    // for their certificate, which the server issues with its key once it has one
    // (`issue_waiting`).
    let applications = CERTIFIED.iter().map(|(w, grade)| {
        let (_, o, category, _, _) = WORKERS[*w];
        let (_, _, t, _) = ORGANIZATIONS[o];
        let batch = if category == WorkerRole::Secretary {
            0
        } else {
            1
        };
        let check = serde_json::json!({"passed": true, "note": ""});
        record(
            RecordKind::Application,
            &serde_json::json!({
                "worker_id": workers[*w].id,
                "township_id": townships[t].id,
                "batch_id": batches[batch].id,
                "category": category,
                "requested_grade": grade,
                "assessment": {"political": "excellent", "professional": "good",
                    "tenure": "good", "performance": "good", "recognition": "good",
                    "notes": ""},
                "background": {"political": check, "ethics": check, "ability": check,
                    "honours": check},
                "filed_by": Uuid::nil(),
                "round": 1,
                "stage": "awaiting_issue",
            }),
        )
    });
    let applications: Vec<Record> = applications.collect();
    let quarter = hongling_core::tasks::Quarter::of(hongling_core::china_today(chrono::Utc::now()));
    let task_lists = [OrgKind::Enterprise, OrgKind::SocialOrg]
        .into_iter()
        .flat_map(|kind| [1u8, 2].map(|grade| (kind, grade)))
        .map(|(org_kind, grade)| Record {
            kind: RecordKind::TaskList,
            id: hongling_core::tasks::list_id(quarter, org_kind, grade),
            version: 0,
            deleted: false,
            body: serde_json::to_value(hongling_core::tasks::TaskList {
                quarter,
                org_kind,
                grade,
                tasks: TASKS.iter().map(|t| (*t).to_owned()).collect(),
            })
            .expect("demo data serializes"),
        });
    let all = townships
        .into_iter()
        .chain(organizations)
        .chain(workers)
        .chain(batches)
        .chain(applications)
        .chain(task_lists)
        .collect();
    store.put_records(all).await?;
    let hash = hash_password(DEMO_PASSWORD)?;
    for (username, display_name, grants) in DEMO_ACCOUNTS {
        let grants = grants
            .iter()
            .map(|(role, scope)| Grant {
                role: *role,
                scope: match scope {
                    DemoScope::District => Scope::District,
                    DemoScope::Township(i) => Scope::Township(township_ids[*i]),
                    DemoScope::Worker(i) => Scope::Worker(worker_ids[*i]),
                },
            })
            .collect();
        store
            .create_account(NewAccount {
                username: username.to_owned(),
                display_name: display_name.to_owned(),
                password_hash: hash.clone(),
                grants,
                must_change_password: false,
            })
            .await?;
    }
    Ok(true)
}
