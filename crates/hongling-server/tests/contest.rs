//! A contest through the real server: judges score on their own tablets offline, a
//! signed sheet refuses edits on the server too, each judge pulls only their own
//! sheets, the administrator sees them all and publishes, and everyone sees the
//! published results.

mod common;

use chrono::NaiveDate;
use common::{Server, Tablet, push_raw};
use hongling_core::contest::{
    Contest, ContestCreateV1, ContestPublishV1, ContestResults, Contestant, Judge, ScoreSheet,
    SheetReopenV1, SheetSaveV1, SheetSignV1, standings,
};
use hongling_core::scoring::Criterion;
use hongling_core::wire::MutationStatus;
use hongling_core::{Op, RecordKind, Worker};
use uuid::Uuid;

#[tokio::test(flavor = "current_thread")]
async fn judges_score_offline_see_only_their_own_sheets_and_the_admin_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("contest.sqlite"), &[]);
    let base = server.base.clone();
    let admin = Tablet::new(&base, "bisai01").await;
    let judges = [
        Tablet::new(&base, "pingwei01").await,
        Tablet::new(&base, "pingwei02").await,
        Tablet::new(&base, "pingwei03").await,
    ];
    admin.sync().await;
    let workers = admin.all::<Worker>(RecordKind::Worker);
    assert!(
        !workers.is_empty(),
        "a contest administrator reads the people to enter"
    );
    let (contest, contestants) = common::create_contest(&admin, &judges.each_ref()).await;
    admin.sync().await;

    // Every judge scores every contestant offline, then syncs.
    for (i, judge) in judges.iter().enumerate() {
        judge.sync().await;
        assert!(judge.get::<Contest>(RecordKind::Contest, contest).is_some());
        for (k, c) in contestants.iter().enumerate() {
            let marks = vec![Some(5000 + 100 * (i as u32 + k as u32)), Some(3000)];
            judge
                .commit(Op::SheetSignV1(SheetSignV1 {
                    contest_id: contest,
                    judge_id: judge.actor.account_id,
                    contestant_id: c.worker_id,
                    marks,
                }))
                .await
                .unwrap();
        }
        judge.sync().await;
    }
    // The server refuses an edit of a signed sheet even from a device that never saw it.
    let first = &judges[0];
    let edit = push_raw(
        &base,
        "pingwei01",
        Op::SheetSaveV1(SheetSaveV1 {
            contest_id: contest,
            judge_id: first.actor.account_id,
            contestant_id: contestants[0].worker_id,
            marks: vec![Some(6000), Some(4000)],
        }),
    )
    .await;
    assert_eq!(edit.status, MutationStatus::Rejected);
    assert_eq!(edit.code.as_deref(), Some("sheet_locked"));

    // Each judge holds only their own three sheets; the administrator holds all nine.
    for judge in &judges {
        judge.sync().await;
        let own = judge.all::<ScoreSheet>(RecordKind::ScoreSheet);
        assert_eq!(own.len(), 3);
        assert!(
            own.iter()
                .all(|(_, s)| s.judge_id == judge.actor.account_id)
        );
    }
    admin.sync().await;
    let sheets: Vec<ScoreSheet> = admin
        .all::<ScoreSheet>(RecordKind::ScoreSheet)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(sheets.len(), 9);
    let c: Contest = admin.get(RecordKind::Contest, contest).unwrap();
    let lines = standings(&c, &sheets);
    // Three judges, under the threshold of 5: the plain mean. Contestant 3 scored highest.
    assert_eq!(lines[0].contestant_id, contestants[2].worker_id);
    assert_eq!(lines[0].score.as_deref(), Some("83.00"));

    // A judge may not re-open or publish; the administrator re-opens with a reason.
    let reopen = Op::SheetReopenV1(SheetReopenV1 {
        contest_id: contest,
        judge_id: first.actor.account_id,
        contestant_id: contestants[0].worker_id,
        reason: "评委申请更正".into(),
    });
    assert_eq!(
        push_raw(&base, "pingwei02", reopen.clone()).await.status,
        MutationStatus::Rejected
    );
    assert_eq!(
        push_raw(&base, "bisai01", reopen).await.status,
        MutationStatus::Applied
    );
    let publish = Op::ContestPublishV1(ContestPublishV1 {
        id: contest,
        published_on: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
    });
    let refused = push_raw(&base, "bisai01", publish.clone()).await;
    assert_eq!(
        refused.status,
        MutationStatus::Rejected,
        "a sheet is open again"
    );
    first.sync().await;
    first
        .commit(Op::SheetSignV1(SheetSignV1 {
            contest_id: contest,
            judge_id: first.actor.account_id,
            contestant_id: contestants[0].worker_id,
            marks: vec![Some(5100), Some(3000)],
        }))
        .await
        .unwrap();
    first.sync().await;
    assert_eq!(
        push_raw(&base, "bisai01", publish).await.status,
        MutationStatus::Applied
    );

    // Taking part is a 红领实训比赛 training in each contestant's log.
    admin.sync().await;
    let marks = admin.all::<hongling_core::training::Attendance>(RecordKind::Attendance);
    for c in &contestants {
        assert!(marks.iter().any(|(_, a)| a.worker_id == c.worker_id
            && a.session_id == contest
            && a.kind == hongling_core::training::TrainingKind::Contest));
    }

    // The results as a spreadsheet, and the judges a contest administrator may choose.
    let http = reqwest::Client::new();
    let token = common::login(&base, "bisai01", Uuid::new_v4()).await.token;
    let get = |path: String| {
        http.get(format!("{base}/api/v1{path}"))
            .header("x-hongling-protocol", "1")
            .bearer_auth(&token)
            .send()
    };
    let csv = get(format!("/reports/contests/{contest}?format=csv"))
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.contains("名次,选手,单位,评委,评委,评委,最后得分"),
        "{text}"
    );
    let xlsx = get(format!("/reports/contests/{contest}?format=xlsx"))
        .await
        .unwrap();
    assert_eq!(xlsx.status(), 200);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let missing = get(format!("/reports/contests/{}", Uuid::new_v4()))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    let roster: Vec<serde_json::Value> = get("/contest/judges".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roster.len(), 5);
    assert!(roster.iter().any(|j| j["username"] == "pingwei01"));
    let judge_token = common::login(&base, "pingwei02", Uuid::new_v4())
        .await
        .token;
    let refused = http
        .get(format!("{base}/api/v1/contest/judges"))
        .header("x-hongling-protocol", "1")
        .bearer_auth(&judge_token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // The published results reach every judge.
    for judge in &judges {
        judge.sync().await;
        let results: ContestResults = judge.get(RecordKind::ContestResults, contest).unwrap();
        assert_eq!(results.standings.len(), 3);
        assert_eq!(results.standings[0].rank, Some(1));
        assert_eq!(
            results.standings[0].result.as_ref().unwrap().totals.len(),
            3
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_recusal_reason_reaches_the_administrator_and_its_judge_but_no_other_judge() {
    use hongling_core::contest::ContestRecuseV1;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("recusal.sqlite"), &[]);
    let base = server.base.clone();
    let admin = Tablet::new(&base, "bisai01").await;
    let judges = [
        Tablet::new(&base, "pingwei01").await,
        Tablet::new(&base, "pingwei02").await,
        Tablet::new(&base, "pingwei03").await,
    ];
    admin.sync().await;
    let contestants: Vec<Contestant> = admin
        .all::<Worker>(RecordKind::Worker)
        .into_iter()
        .take(2)
        .map(|(id, w)| Contestant {
            worker_id: id,
            name: w.name,
            organization: String::new(),
        })
        .collect();
    let contest = Uuid::new_v4();
    admin
        .commit(Op::ContestCreateV1(ContestCreateV1 {
            id: contest,
            title: "2026年红领实训比赛".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            venue: "区委党校报告厅".into(),
            rubric: vec![Criterion {
                name: "内容".into(),
                max: 10000,
                weight: 100,
                step: 50,
            }],
            contestants: contestants.clone(),
            judges: judges
                .iter()
                .map(|t| Judge {
                    account_id: t.actor.account_id,
                    name: "评委".into(),
                })
                .collect(),
            trim_from: 5,
            tie_break: vec![0],
        }))
        .await
        .unwrap();
    const REASON: &str = "与该选手系亲属";
    admin
        .commit(Op::ContestRecuseV1(ContestRecuseV1 {
            id: contest,
            judge_id: judges[0].actor.account_id,
            contestant_id: contestants[0].worker_id,
            reason: REASON.into(),
        }))
        .await
        .unwrap();
    admin.sync().await;
    for judge in &judges {
        judge.sync().await;
    }
    let reasons = |t: &Tablet| -> Vec<String> {
        let c: Contest = t.get(RecordKind::Contest, contest).unwrap();
        c.recusals.into_iter().map(|r| r.reason).collect()
    };
    assert_eq!(reasons(&admin), [REASON], "the administrator reads it");
    assert_eq!(
        reasons(&judges[0]),
        [REASON],
        "so does the judge who gave it"
    );
    for other in &judges[1..] {
        // The panel knows the judge stands aside, not why.
        assert_eq!(reasons(other), [""], "another judge does not");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_panel_holds_only_enabled_judges_of_the_district_or_of_that_contest() {
    use hongling_core::wire::PROTOCOL_HEADER;
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("panel.sqlite"), &[]);
    let base = server.base.clone();
    let admin = Tablet::new(&base, "bisai01").await;
    admin.sync().await;
    let worker = admin.all::<Worker>(RecordKind::Worker)[0].0;
    let id_of = |username: &'static str| {
        let base = base.clone();
        async move {
            common::login(&base, username, Uuid::new_v4())
                .await
                .account
                .id
        }
    };
    let (judge, instructor) = (id_of("pingwei01").await, id_of("zhidao01").await);
    let contest = Uuid::new_v4();
    // The committee gives one account a judge grant for this contest only.
    let office = common::login(&base, "quwei", Uuid::new_v4()).await.token;
    let grant = |username: &str, scope: serde_json::Value| {
        json!({"username": username, "display_name": "特邀评委", "password": common::password_of(username),
               "grants": [{"role": "judge", "scope": scope}]})
    };
    let http = reqwest::Client::new();
    for (username, scope) in [
        ("tebie01", json!({"type": "contest", "id": contest})),
        ("tebie02", json!({"type": "contest", "id": Uuid::new_v4()})),
    ] {
        let res = http
            .post(format!("{base}/api/v1/admin/accounts"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(&office)
            .json(&grant(username, scope))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let (this_one, other_one) = (id_of("tebie01").await, id_of("tebie02").await);
    let create = |judges: &[Uuid]| {
        Op::ContestCreateV1(ContestCreateV1 {
            id: contest,
            title: "2026年红领实训比赛".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
            venue: String::new(),
            rubric: vec![Criterion {
                name: "内容".into(),
                max: 10000,
                weight: 100,
                step: 50,
            }],
            contestants: vec![Contestant {
                worker_id: worker,
                name: "选手".into(),
                organization: String::new(),
            }],
            judges: judges
                .iter()
                .map(|a| Judge {
                    account_id: *a,
                    name: "评委".into(),
                })
                .collect(),
            trim_from: 5,
            tie_break: vec![],
        })
    };
    for (what, panel) in [
        ("an instructor", vec![judge, instructor]),
        ("a judge of another contest", vec![judge, other_one]),
        ("an account nobody has", vec![judge, Uuid::new_v4()]),
    ] {
        let r = push_raw(&base, "bisai01", create(&panel)).await;
        assert_eq!(r.status, MutationStatus::Rejected, "{what}");
        assert_eq!(
            (r.code.as_deref(), r.field.as_deref()),
            (Some("forbidden"), Some("judges")),
            "{what}"
        );
    }
    let r = push_raw(&base, "bisai01", create(&[judge, this_one])).await;
    assert_eq!(r.status, MutationStatus::Applied, "{r:?}");
}
