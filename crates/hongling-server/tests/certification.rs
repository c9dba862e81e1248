//! Certification through the real server and the real client logic: three review stages
//! on three accounts, the rules the server enforces whatever a tablet sends, two offline
//! decisions of one stage, the notice, and a certificate issued, signed and verified.

mod common;

use chrono::NaiveDate;
use common::{Server, Tablet, push_raw};
use hongling_core::certificate::{self, CertStatus, Certificate, StatusEntry};
use hongling_core::certification::{
    Application, ApplicationDecideV1, ApplicationFileV1, Assessment, BackgroundCheck, Batch, Check,
    NoticeCloseV1, NoticeOpenV1, Outcome, Rating, ReviewStage, Stage,
};
use hongling_core::wire::{MutationStatus, PROTOCOL_HEADER};
use hongling_core::{Op, RecordKind, RejectCode, SigningPublicKey, Worker, WorkerRole};
use serde_json::json;
use uuid::Uuid;

fn filing(id: Uuid, worker: Uuid, batch: Uuid) -> Op {
    let ok = || Check {
        passed: true,
        note: String::new(),
    };
    Op::ApplicationFileV1(ApplicationFileV1 {
        id,
        worker_id: worker,
        batch_id: batch,
        requested_grade: 1,
        assessment: Assessment {
            political: Rating::Excellent,
            professional: Rating::Good,
            tenure: Rating::Pass,
            performance: Rating::Good,
            recognition: Rating::Good,
            notes: "扎根企业六年".into(),
        },
        background: BackgroundCheck {
            political: ok(),
            ethics: ok(),
            ability: ok(),
            honours: ok(),
        },
    })
}

fn decide(app: Uuid, stage: ReviewStage, round: u32, outcome: Outcome) -> Op {
    Op::ApplicationDecideV1(ApplicationDecideV1 {
        id: app,
        stage,
        round,
        outcome,
        comment: if outcome == Outcome::Approve {
            String::new()
        } else {
            "请补充任职材料".into()
        },
    })
}

#[tokio::test(flavor = "current_thread")]
async fn an_application_is_reviewed_noticed_and_certified_across_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("cert.sqlite"), &[]);
    let base = server.base.clone();
    let instructor = Tablet::new(&base, "zhidao02").await;
    let first = Tablet::new(&base, "chushen01").await;
    let second = Tablet::new(&base, "chushen02").await;
    let district = Tablet::new(&base, "lianshen01").await;
    let committee = Tablet::new(&base, "quwei").await;
    for t in [&instructor, &first, &second, &district, &committee] {
        t.sync().await;
    }
    let (worker, _) = instructor
        .all::<Worker>(RecordKind::Worker)
        .into_iter()
        .find(|(_, w)| w.name == "孙海燕")
        .unwrap();
    let (batch, _) = instructor
        .all::<Batch>(RecordKind::Batch)
        .into_iter()
        .find(|(_, b)| b.category == WorkerRole::Secretary)
        .unwrap();

    // Filed offline on the instructor's tablet, synced later.
    let app = Uuid::new_v4();
    instructor.commit(filing(app, worker, batch)).await.unwrap();
    instructor.sync().await;
    first.sync().await;
    second.sync().await;
    let seen: Application = first.get(RecordKind::Application, app).unwrap();
    assert_eq!(seen.stage, Stage::Review(ReviewStage::Township));

    // The server refuses a stage decided by the wrong grant, whatever the tablet sends.
    for (who, stage) in [
        ("zhidao02", ReviewStage::Township),
        ("lianshen01", ReviewStage::Township),
        ("quwei", ReviewStage::Township),
        ("chushen01", ReviewStage::District),
        ("chushen01", ReviewStage::Committee),
    ] {
        let r = push_raw(&base, who, decide(app, stage, 1, Outcome::Approve)).await;
        assert_eq!(r.status, MutationStatus::Rejected, "{who} {stage:?}");
        assert_eq!(r.code.as_deref(), Some("forbidden"), "{who} {stage:?}");
    }

    // Two township reviewers decide offline; the first to sync wins, the second finds
    // its decision in its conflicts inbox and its tablet shows the server's state.
    first
        .commit(decide(app, ReviewStage::Township, 1, Outcome::Approve))
        .await
        .unwrap();
    second
        .commit(decide(app, ReviewStage::Township, 1, Outcome::Return))
        .await
        .unwrap();
    first.sync().await;
    second.sync().await;
    let refused = second.store.rejected();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].code, RejectCode::AlreadyDecided.as_str());
    assert!(
        refused[0].message.contains("乡镇初审"),
        "{}",
        refused[0].message
    );
    let now: Application = second.get(RecordKind::Application, app).unwrap();
    assert_eq!(now.stage, Stage::Review(ReviewStage::District));

    // One person may not decide two stages, even holding both grants.
    let admin = common::login(&base, "quwei", Uuid::new_v4()).await;
    let gujing = seen.township_id;
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/admin/accounts"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&admin.token)
        .json(
            &json!({"username": "shuangzhi", "display_name": "双职审核员",
            "password": common::password_of("shuangzhi"), "grants": [
                {"role": "township_reviewer", "scope": {"type": "township", "id": gujing}},
                {"role": "district_reviewer", "scope": {"type": "district"}}]}),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let other_app = Uuid::new_v4();
    instructor
        .commit(filing(other_app, worker, batch))
        .await
        .unwrap();
    instructor.sync().await;
    let r = push_raw(
        &base,
        "shuangzhi",
        decide(other_app, ReviewStage::Township, 1, Outcome::Approve),
    )
    .await;
    assert_eq!(r.status, MutationStatus::Applied);
    let r = push_raw(
        &base,
        "shuangzhi",
        decide(other_app, ReviewStage::District, 1, Outcome::Approve),
    )
    .await;
    assert_eq!(r.code.as_deref(), Some("forbidden"));
    assert!(r.message.unwrap().contains("两个审核阶段"));

    // 区级联审 and 综合研判, then the notice. It started weeks ago, so it can be closed.
    district.sync().await;
    district
        .commit(decide(app, ReviewStage::District, 1, Outcome::Approve))
        .await
        .unwrap();
    district.sync().await;
    committee.sync().await;
    committee
        .commit(decide(app, ReviewStage::Committee, 1, Outcome::Approve))
        .await
        .unwrap();
    let notice = Uuid::new_v4();
    let starts_on = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    committee
        .commit(Op::NoticeOpenV1(NoticeOpenV1 {
            id: notice,
            batch_id: batch,
            starts_on,
            application_ids: vec![app],
        }))
        .await
        .unwrap();
    committee
        .commit(Op::NoticeCloseV1(NoticeCloseV1 {
            id: notice,
            closed_on: NaiveDate::from_ymd_opt(2026, 11, 9).unwrap(),
        }))
        .await
        .unwrap();
    let waiting: Application = committee.get(RecordKind::Application, app).unwrap();
    assert_eq!(
        waiting.stage,
        Stage::AwaitingIssue,
        "offline, the tablet shows 待发证"
    );
    committee.sync().await;
    assert!(
        committee.store.rejected().is_empty(),
        "{:?}",
        committee.store.rejected()
    );

    // The server issued: the instructor's tablet gets the certificate. Any device, even
    // another worker's, has the status line and the keys to verify it, but not the
    // certificate itself.
    instructor.sync().await;
    let done: Application = instructor.get(RecordKind::Application, app).unwrap();
    assert_eq!(done.stage, Stage::Issued);
    let cert_id = done.certificate_id.unwrap();
    let cert: Certificate = instructor.get(RecordKind::Certificate, cert_id).unwrap();
    assert!(cert.number.starts_with("HL20"), "{}", cert.number);
    // The demo's eight certificates came first.
    assert!(cert.number.ends_with("-00009"), "{}", cert.number);
    assert_eq!(cert.holder_name, "孙海燕");
    assert_eq!(cert.grade_name, "初级");
    let far = Tablet::new(&base, "zhanghm").await;
    far.sync().await;
    assert!(
        far.get::<Certificate>(RecordKind::Certificate, cert_id)
            .is_none(),
        "another worker does not see it"
    );
    let status: StatusEntry = far.get(RecordKind::CertificateStatus, cert_id).unwrap();
    assert_eq!(status.status, CertStatus::Valid);
    assert_eq!(status.number, cert.number);
    let keys: Vec<SigningPublicKey> = far
        .all(RecordKind::SigningKey)
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    let verified = certificate::verify(&cert.qr, &keys).unwrap();
    // This test runs on the demo data: the demo server's key says so.
    assert!(verified.demo);
    let payload = verified.payload;

    // The month's stipend roster counts her from the day of issue, prorated in fen.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let month = hongling_core::stipend::month_of(today);
    let dim = hongling_core::stipend::days_in_month(
        chrono::Datelike::year(&today),
        chrono::Datelike::month(&today),
    );
    let days = dim - chrono::Datelike::day(&today) + 1;
    let fen = (2 * 30_000 * u64::from(days) + u64::from(dim)) / (2 * u64::from(dim));
    let expected = [
        "孙海燕".to_owned(),
        "古井镇".to_owned(),
        days.to_string(),
        "0".to_owned(),
        dim.to_string(),
        format!("{}.{:02}", fen / 100, fen % 100),
    ];
    let report = |who: String, query: String| {
        reqwest::Client::new()
            .get(format!("{base}/api/v1/reports/stipends?{query}"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(who)
            .send()
    };
    let res = report(admin.token.clone(), format!("month={month}&format=csv"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(
        text.contains(&format!("{}\r\n", expected.join(","))),
        "{text}"
    );
    let res = report(admin.token.clone(), format!("month={month}&format=xlsx"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = calamine::Reader::worksheet_range_at(&mut book, 0)
        .unwrap()
        .unwrap();
    let row: Vec<String> = sheet
        .rows()
        .find(|r| r[0] == "孙海燕")
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(row[..4], expected[..4]);
    assert_eq!(
        row[5].parse::<f64>().unwrap(),
        expected[5].parse::<f64>().unwrap()
    );
    let instructor_token = instructor.transport.token.clone();
    assert_eq!(
        report(instructor_token, format!("month={month}"))
            .await
            .unwrap()
            .status(),
        403
    );
    let bad = report(admin.token.clone(), "month=2026-13".into())
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<serde_json::Value>().await.unwrap()["code"],
        "invalid_month"
    );

    // The holder's own account reads her certificate.
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/admin/accounts"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&admin.token)
        .json(&json!({"username": "sunhy", "display_name": "孙海燕",
            "password": common::password_of("sunhy"), "grants": [
                {"role": "worker", "scope": {"type": "worker", "id": worker}}]}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let holder = Tablet::new(&base, "sunhy").await;
    holder.sync().await;
    let own: Certificate = holder.get(RecordKind::Certificate, cert_id).unwrap();
    assert_eq!(own.number, cert.number);
    assert!(
        holder
            .all::<Application>(RecordKind::Application)
            .is_empty(),
        "but not the review file"
    );

    // Reported lost: the old number is void, the server issues the next one.
    committee.sync().await;
    committee
        .commit(Op::CertificateReissueV1(
            hongling_core::certification::CertificateReissueV1 {
                certificate_id: cert_id,
                reported_on: today,
                reason: "本人遗失".into(),
            },
        ))
        .await
        .unwrap();
    committee.sync().await;
    assert!(committee.store.rejected().is_empty());
    let app_now: Application = committee.get(RecordKind::Application, app).unwrap();
    let new_id = app_now.certificate_id.unwrap();
    assert_ne!(new_id, cert_id);
    let new_cert: Certificate = committee.get(RecordKind::Certificate, new_id).unwrap();
    assert!(new_cert.number.ends_with("-00010"), "{}", new_cert.number);
    assert_eq!(new_cert.valid_until, cert.valid_until);
    far.sync().await;
    let old: StatusEntry = far.get(RecordKind::CertificateStatus, cert_id).unwrap();
    assert_eq!(old.status, CertStatus::Void);
    let new_status: StatusEntry = far.get(RecordKind::CertificateStatus, new_id).unwrap();
    assert_eq!(new_status.status, CertStatus::Valid);
    assert_eq!(payload.no, cert.number);
    assert_eq!(payload.name, "孙海燕");
}
