//! The review and notice state machine, transition by transition, and issuing.

use std::collections::BTreeMap;

use base64::Engine;
use chrono::NaiveDate;
use ed25519_dalek::Signer;
use serde_json::json;

use super::*;
use crate::Op;
use crate::apply::apply;
use crate::certification::certificate::{self, CertStatus, Certificate, StatusEntry, VerifyError};
use crate::kernel::grant::Grant;
use crate::kernel::record::Record;
use crate::people::model::{OrgKind, Organization, SigningPublicKey, Township};

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

const T: u128 = 1;
const OTHER_T: u128 = 2;
const ORG: u128 = 3;
const WORKER: u128 = 4;
const BATCH: u128 = 5;
const APP: u128 = 6;
const NOTICE: u128 = 7;

fn actor(n: u128, grants: &[(Role, Scope)]) -> Actor {
    Actor {
        account_id: id(100 + n),
        grants: grants
            .iter()
            .map(|&(role, scope)| Grant { role, scope })
            .collect(),
    }
}

fn instructor() -> Actor {
    actor(1, &[(Role::Instructor, Scope::Township(id(T)))])
}
fn township_reviewer() -> Actor {
    actor(2, &[(Role::TownshipReviewer, Scope::Township(id(T)))])
}
fn second_township_reviewer() -> Actor {
    actor(3, &[(Role::TownshipReviewer, Scope::Township(id(T)))])
}
fn district_reviewer() -> Actor {
    actor(4, &[(Role::DistrictReviewer, Scope::District)])
}
fn committee() -> Actor {
    actor(5, &[(Role::DistrictCommittee, Scope::District)])
}

struct World {
    state: BTreeMap<RecordKey, Record>,
    version: u64,
}

impl World {
    fn new() -> World {
        let mut w = World {
            state: BTreeMap::new(),
            version: 0,
        };
        w.put(
            RecordKind::Township,
            id(T),
            json!(Township {
                name: "古井镇".into()
            }),
        );
        w.put(
            RecordKind::Township,
            id(OTHER_T),
            json!(Township {
                name: "十八里镇".into()
            }),
        );
        w.put(
            RecordKind::Organization,
            id(ORG),
            json!(Organization {
                industry: String::new(),
                name: "宏达酿造".into(),
                kind: OrgKind::Enterprise,
                township_id: id(T),
                party_org: String::new(),
            }),
        );
        w.put(
            RecordKind::Worker,
            id(WORKER),
            json!(Worker {
                id_card_masked: None,
                name: "张红梅".into(),
                organization_id: id(ORG),
                township_id: id(T),
                role: WorkerRole::Secretary,
                management_post: "副总经理".into(),
                years_in_post: 6,
                photo: None,
            }),
        );
        w.run(
            &committee(),
            Op::BatchCreateV1(BatchCreateV1 {
                id: id(BATCH),
                name: "第一批".into(),
                year: 2026,
                category: WorkerRole::Secretary,
            }),
        )
        .unwrap();
        w
    }

    fn put(&mut self, kind: RecordKind, id: Uuid, body: serde_json::Value) {
        self.version += 1;
        self.state.insert(
            RecordKey::new(kind, id),
            Record {
                kind,
                id,
                version: self.version,
                deleted: false,
                body,
            },
        );
    }

    fn run(&mut self, actor: &Actor, op: Op) -> Result<(), Rejection> {
        let changes = apply(&self.state, actor, &op)?;
        self.write(changes);
        Ok(())
    }

    /// Writes a mutation's changes, deletions included, each with the next version.
    fn write(&mut self, changes: Vec<Change>) {
        self.version += 1;
        crate::testkit::write_at(&mut self.state, changes, self.version);
    }

    fn app(&self) -> Application {
        self.state[&RecordKey::new(RecordKind::Application, id(APP))]
            .decode()
            .unwrap()
    }

    fn file(&mut self) {
        self.run(&instructor(), file_op(APP)).unwrap();
    }

    fn decide(
        &mut self,
        who: &Actor,
        stage: ReviewStage,
        outcome: Outcome,
    ) -> Result<(), Rejection> {
        let round = self.app().round;
        self.run(
            who,
            Op::ApplicationDecideV1(ApplicationDecideV1 {
                id: id(APP),
                stage,
                round,
                outcome,
                comment: if outcome == Outcome::Approve {
                    String::new()
                } else {
                    "材料不全".into()
                },
            }),
        )
    }

    fn through_review(&mut self) {
        self.file();
        self.decide(
            &township_reviewer(),
            ReviewStage::Township,
            Outcome::Approve,
        )
        .unwrap();
        self.decide(
            &district_reviewer(),
            ReviewStage::District,
            Outcome::Approve,
        )
        .unwrap();
        self.decide(&committee(), ReviewStage::Committee, Outcome::Approve)
            .unwrap();
    }

    fn open_notice(&mut self, starts_on: NaiveDate) -> Result<(), Rejection> {
        self.run(
            &committee(),
            Op::NoticeOpenV1(NoticeOpenV1 {
                id: id(NOTICE),
                batch_id: id(BATCH),
                starts_on,
                application_ids: vec![id(APP)],
            }),
        )
    }

    fn notice(&self) -> Notice {
        self.state[&RecordKey::new(RecordKind::Notice, id(NOTICE))]
            .decode()
            .unwrap()
    }
}

fn assessment() -> Assessment {
    Assessment {
        political: Rating::Excellent,
        professional: Rating::Good,
        tenure: Rating::Good,
        performance: Rating::Excellent,
        recognition: Rating::Pass,
        notes: String::new(),
    }
}

fn background() -> BackgroundCheck {
    let ok = || Check {
        passed: true,
        note: String::new(),
    };
    BackgroundCheck {
        political: ok(),
        ethics: ok(),
        ability: ok(),
        honours: ok(),
    }
}

fn file_op(n: u128) -> Op {
    Op::ApplicationFileV1(ApplicationFileV1 {
        id: id(n),
        worker_id: id(WORKER),
        batch_id: id(BATCH),
        requested_grade: 1,
        assessment: assessment(),
        background: background(),
    })
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn an_application_goes_through_three_stages_notice_and_issue() {
    let mut w = World::new();
    w.file();
    assert_eq!(w.app().stage, Stage::Review(ReviewStage::Township));
    assert_eq!(w.app().township_id, id(T));
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    assert_eq!(w.app().stage, Stage::Review(ReviewStage::District));
    w.decide(
        &district_reviewer(),
        ReviewStage::District,
        Outcome::Approve,
    )
    .unwrap();
    assert_eq!(w.app().stage, Stage::Review(ReviewStage::Committee));
    w.decide(&committee(), ReviewStage::Committee, Outcome::Approve)
        .unwrap();
    assert_eq!(w.app().stage, Stage::AwaitingNotice);

    // Monday 2026-11-30: five working days end on Friday 12-04.
    w.open_notice(date(2026, 11, 30)).unwrap();
    assert_eq!(w.app().stage, Stage::InNotice);
    assert_eq!(w.notice().ends_on, date(2026, 12, 4));
    let early = w
        .run(
            &committee(),
            Op::NoticeCloseV1(NoticeCloseV1 {
                id: id(NOTICE),
                closed_on: date(2026, 12, 4),
            }),
        )
        .unwrap_err();
    assert_eq!(early.field.as_deref(), Some("closed_on"));
    assert!(early.message.contains("2026-12-04"), "{}", early.message);
    w.run(
        &committee(),
        Op::NoticeCloseV1(NoticeCloseV1 {
            id: id(NOTICE),
            closed_on: date(2026, 12, 5),
        }),
    )
    .unwrap();
    assert_eq!(
        w.app().stage,
        Stage::AwaitingIssue,
        "待发证 until the server issues"
    );
    let again = w
        .run(
            &committee(),
            Op::NoticeCloseV1(NoticeCloseV1 {
                id: id(NOTICE),
                closed_on: date(2026, 12, 6),
            }),
        )
        .unwrap_err();
    assert_eq!(again.code, RejectCode::AlreadyDecided);

    // The server issues with its key; any device verifies with the public half.
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = SigningPublicKey {
        key_id: "k1".into(),
        algorithm: "ed25519".into(),
        public_key: base64::engine::general_purpose::STANDARD
            .encode(key.verifying_key().to_bytes()),
        created_at: chrono::Utc::now(),
        retired_at: None,
        demo: false,
    };
    let worker: Worker = w.state[&RecordKey::new(RecordKind::Worker, id(WORKER))]
        .decode()
        .unwrap();
    let sign = |bytes: &[u8]| key.sign(bytes).to_bytes();
    let changes = certificate::issue(
        id(APP),
        &w.app(),
        &worker,
        &ProgrammeSettings::default(),
        certificate::Issuer {
            number: certificate::number(2026, 63),
            issued_on: date(2026, 12, 7),
            key_id: "k1",
            sign: &sign,
        },
    );
    assert_eq!(changes.len(), 3);
    w.write(changes);
    let app = w.app();
    assert_eq!(app.stage, Stage::Issued);
    let cert_id = app.certificate_id.unwrap();
    let cert: Certificate = w.state[&RecordKey::new(RecordKind::Certificate, cert_id)]
        .decode()
        .unwrap();
    assert_eq!(cert.number, "HL2026-00063");
    assert_eq!(cert.grade_name, "初级");
    assert_eq!(cert.valid_until, date(2029, 12, 6));
    let status: StatusEntry = w.state[&RecordKey::new(RecordKind::CertificateStatus, cert_id)]
        .decode()
        .unwrap();
    assert_eq!(status.status, CertStatus::Valid);
    // Issuing twice makes nothing more.
    assert!(
        certificate::issue(
            id(APP),
            &w.app(),
            &worker,
            &ProgrammeSettings::default(),
            certificate::Issuer {
                number: certificate::number(2026, 64),
                issued_on: date(2026, 12, 7),
                key_id: "k1",
                sign: &sign,
            },
        )
        .is_empty()
    );

    let verified = certificate::verify(&cert.qr, std::slice::from_ref(&public)).unwrap();
    assert!(!verified.demo);
    assert_eq!(verified.payload.no, "HL2026-00063");
    assert_eq!(verified.payload.name, "张红梅");
    // A demo server's key: the same certificate says it is a demo one.
    let demo_key = SigningPublicKey {
        demo: true,
        ..public.clone()
    };
    assert!(
        certificate::verify(&cert.qr, std::slice::from_ref(&demo_key))
            .unwrap()
            .demo
    );
    // Issued on 2026-12-07 (China): a key retired that day, at 23:30 China time, still
    // vouches for it; one retired the day before does not.
    let retired_at = |y, m, d, h, min| {
        use chrono::TimeZone;
        Some(chrono::Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap())
    };
    let same_day = SigningPublicKey {
        retired_at: retired_at(2026, 12, 7, 15, 30),
        ..public.clone()
    };
    assert!(certificate::verify(&cert.qr, std::slice::from_ref(&same_day)).is_ok());
    let day_before = SigningPublicKey {
        // 2026-12-06 15:59 UTC is 23:59 on the 6th in China.
        retired_at: retired_at(2026, 12, 6, 15, 59),
        ..public.clone()
    };
    assert_eq!(
        certificate::verify(&cert.qr, std::slice::from_ref(&day_before)),
        Err(VerifyError::IssuedAfterRetirement {
            key_id: "k1".into(),
            issued: date(2026, 12, 7),
            retired: date(2026, 12, 6),
        })
    );
    // A changed payload, an unknown key, or not a certificate at all.
    let mut parts: Vec<String> = cert.qr.split('.').map(str::to_owned).collect();
    let forged = serde_json::to_vec(&json!({"v": 1, "no": "HL2026-00063", "name": "李四",
        "cat": "secretary", "grade": 2, "grade_name": "中级",
        "issued": "2026-12-07", "until": "2029-12-06"}))
    .unwrap();
    parts[2] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged);
    assert_eq!(
        certificate::verify(&parts.join("."), std::slice::from_ref(&public)),
        Err(VerifyError::BadSignature)
    );
    assert_eq!(
        certificate::verify(&cert.qr, &[]),
        Err(VerifyError::UnknownKey("k1".into()))
    );
    assert_eq!(
        certificate::verify("https://example.com", &[public]),
        Err(VerifyError::NotACertificate)
    );
}

#[test]
fn each_stage_needs_its_own_grant_in_scope() {
    let mut w = World::new();
    w.file();
    let elsewhere = actor(9, &[(Role::TownshipReviewer, Scope::Township(id(OTHER_T)))]);
    for who in [instructor(), elsewhere, district_reviewer(), committee()] {
        let r = w
            .decide(&who, ReviewStage::Township, Outcome::Approve)
            .unwrap_err();
        assert_eq!(r.code, RejectCode::Forbidden, "{who:?}");
    }
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    for who in [township_reviewer(), committee(), instructor()] {
        let r = w
            .decide(&who, ReviewStage::District, Outcome::Approve)
            .unwrap_err();
        assert_eq!(r.code, RejectCode::Forbidden);
    }
    w.decide(
        &district_reviewer(),
        ReviewStage::District,
        Outcome::Approve,
    )
    .unwrap();
    let r = w
        .decide(
            &district_reviewer(),
            ReviewStage::Committee,
            Outcome::Approve,
        )
        .unwrap_err();
    assert_eq!(r.code, RejectCode::Forbidden);
}

#[test]
fn the_first_decision_of_a_stage_wins() {
    let mut w = World::new();
    w.file();
    // Two township reviewers decided offline; the server applies one first.
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    let second = w
        .run(
            &second_township_reviewer(),
            Op::ApplicationDecideV1(ApplicationDecideV1 {
                id: id(APP),
                stage: ReviewStage::Township,
                round: 1,
                outcome: Outcome::Reject,
                comment: "不符合条件".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(second.code, RejectCode::AlreadyDecided);
    assert_eq!(w.app().decisions.len(), 1);
    assert_eq!(w.app().stage, Stage::Review(ReviewStage::District));
}

#[test]
fn one_person_cannot_decide_two_stages() {
    let mut w = World::new();
    w.file();
    let both = actor(
        8,
        &[
            (Role::TownshipReviewer, Scope::Township(id(T))),
            (Role::DistrictReviewer, Scope::District),
        ],
    );
    w.decide(&both, ReviewStage::Township, Outcome::Approve)
        .unwrap();
    let r = w
        .decide(&both, ReviewStage::District, Outcome::Approve)
        .unwrap_err();
    assert_eq!(r.code, RejectCode::Forbidden);
    assert!(r.message.contains("乡镇初审"), "{}", r.message);
}

#[test]
fn a_returned_application_is_resubmitted_as_a_new_round() {
    let mut w = World::new();
    w.file();
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    let no_comment = w
        .run(
            &district_reviewer(),
            Op::ApplicationDecideV1(ApplicationDecideV1 {
                id: id(APP),
                stage: ReviewStage::District,
                round: 1,
                outcome: Outcome::Return,
                comment: " ".into(),
            }),
        )
        .unwrap_err();
    assert_eq!(no_comment.field.as_deref(), Some("comment"));
    w.decide(&district_reviewer(), ReviewStage::District, Outcome::Return)
        .unwrap();
    assert_eq!(w.app().stage, Stage::Returned);
    let resubmit = Op::ApplicationResubmitV1(ApplicationResubmitV1 {
        id: id(APP),
        requested_grade: 2,
        assessment: assessment(),
        background: background(),
    });
    let r = w.run(&township_reviewer(), resubmit.clone()).unwrap_err();
    assert_eq!(r.code, RejectCode::Forbidden, "reviewers do not file");
    w.run(&instructor(), resubmit.clone()).unwrap();
    let app = w.app();
    assert_eq!(
        (app.round, app.stage),
        (2, Stage::Review(ReviewStage::Township))
    );
    assert_eq!(app.requested_grade, 2);
    assert_eq!(
        w.run(&instructor(), resubmit).unwrap_err().code,
        RejectCode::AlreadyDecided,
        "only a returned application is resubmitted"
    );
    // A decision made for the old round is stale.
    let stale = w
        .run(
            &second_township_reviewer(),
            Op::ApplicationDecideV1(ApplicationDecideV1 {
                id: id(APP),
                stage: ReviewStage::Township,
                round: 1,
                outcome: Outcome::Approve,
                comment: String::new(),
            }),
        )
        .unwrap_err();
    assert_eq!(stale.code, RejectCode::AlreadyDecided);
    // The same reviewers decide their own stages again in the new round.
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    w.decide(&district_reviewer(), ReviewStage::District, Outcome::Reject)
        .unwrap();
    assert_eq!(w.app().stage, Stage::Rejected);
    assert_eq!(w.app().decisions.len(), 4);
}

#[test]
fn an_objection_sends_the_application_back_to_the_committee() {
    let mut w = World::new();
    w.through_review();
    w.open_notice(date(2026, 11, 30)).unwrap();
    let object = Op::NoticeObjectV1(NoticeObjectV1 {
        application_id: id(APP),
        text: "群众反映其任职年限不实".into(),
    });
    assert_eq!(
        w.run(&district_reviewer(), object.clone())
            .unwrap_err()
            .code,
        RejectCode::Forbidden
    );
    w.run(&committee(), object.clone()).unwrap();
    let app = w.app();
    assert_eq!(
        (app.round, app.stage),
        (2, Stage::Review(ReviewStage::Committee))
    );
    assert_eq!(app.objections.len(), 1);
    assert_eq!(
        w.run(&committee(), object).unwrap_err().code,
        RejectCode::AlreadyDecided,
        "no longer on notice"
    );
    // The notice closes without it.
    w.run(
        &committee(),
        Op::NoticeCloseV1(NoticeCloseV1 {
            id: id(NOTICE),
            closed_on: date(2026, 12, 7),
        }),
    )
    .unwrap();
    assert_eq!(w.app().stage, Stage::Review(ReviewStage::Committee));
    // The committee looks again and approves; it waits for the next notice.
    w.decide(&committee(), ReviewStage::Committee, Outcome::Approve)
        .unwrap();
    assert_eq!(w.app().stage, Stage::AwaitingNotice);
}

#[test]
fn a_notice_takes_only_approved_applications_of_its_batch() {
    let mut w = World::new();
    w.file();
    let r = w.open_notice(date(2026, 11, 30)).unwrap_err();
    assert_eq!(r.code, RejectCode::AlreadyDecided);
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    w.decide(
        &district_reviewer(),
        ReviewStage::District,
        Outcome::Approve,
    )
    .unwrap();
    w.decide(&committee(), ReviewStage::Committee, Outcome::Approve)
        .unwrap();
    let r = w
        .run(
            &district_reviewer(),
            Op::NoticeOpenV1(NoticeOpenV1 {
                id: id(NOTICE),
                batch_id: id(BATCH),
                starts_on: date(2026, 11, 30),
                application_ids: vec![id(APP)],
            }),
        )
        .unwrap_err();
    assert_eq!(r.code, RejectCode::Forbidden);
    w.open_notice(date(2026, 11, 30)).unwrap();
    assert_eq!(
        w.open_notice(date(2026, 11, 30)).unwrap_err().code,
        RejectCode::AlreadyExists
    );
}

#[test]
fn working_days_skip_weekends_and_holidays_and_count_makeup_days() {
    let mut s = ProgrammeSettings::default();
    // Friday start: Fri, Mon, Tue, Wed, Thu.
    assert_eq!(s.notice_end(date(2026, 11, 27)), date(2026, 12, 3));
    // A Saturday start counts from Monday.
    assert_eq!(s.notice_end(date(2026, 11, 28)), date(2026, 12, 4));
    // National Day week: 10-01..10-07 off, Sunday 09-27 and Saturday 10-10 worked (调休).
    s.holidays = (1..=7).map(|d| date(2026, 10, d)).collect();
    s.extra_workdays = vec![date(2026, 9, 27), date(2026, 10, 10)];
    // Sun 09-27 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), then Thu 10-08 (5).
    assert_eq!(s.notice_end(date(2026, 9, 27)), date(2026, 10, 8));
    s.notice_working_days = 1;
    assert_eq!(s.notice_end(date(2026, 10, 3)), date(2026, 10, 8));
}

#[test]
fn filing_checks_batch_category_grade_and_scope() {
    let mut w = World::new();
    let out_of_scope = actor(9, &[(Role::Instructor, Scope::Township(id(OTHER_T)))]);
    assert_eq!(
        w.run(&out_of_scope, file_op(APP)).unwrap_err().code,
        RejectCode::Forbidden
    );
    let Op::ApplicationFileV1(mut op) = file_op(APP) else {
        unreachable!()
    };
    op.requested_grade = 3;
    assert_eq!(
        w.run(&instructor(), Op::ApplicationFileV1(op.clone()))
            .unwrap_err()
            .field
            .as_deref(),
        Some("requested_grade")
    );
    w.run(
        &committee(),
        Op::BatchCreateV1(BatchCreateV1 {
            id: id(50),
            name: "指导员第一批".into(),
            year: 2026,
            category: WorkerRole::Instructor,
        }),
    )
    .unwrap();
    op.requested_grade = 1;
    op.batch_id = id(50);
    let r = w.run(&instructor(), Op::ApplicationFileV1(op)).unwrap_err();
    assert_eq!(r.field.as_deref(), Some("batch_id"));
    w.file();
    assert_eq!(
        w.run(&instructor(), file_op(APP)).unwrap_err().code,
        RejectCode::AlreadyExists
    );
}

#[test]
fn only_the_committee_configures_and_settings_are_validated() {
    let mut w = World::new();
    let mut s = ProgrammeSettings::default();
    s.grades.push(GradeDef {
        level: 3,
        name: "高级".into(),
        monthly_stipend_fen: 80_000,
    });
    let op = |s: &ProgrammeSettings| {
        Op::SettingsUpdateV1(SettingsUpdateV1 {
            settings: s.clone(),
        })
    };
    assert_eq!(
        w.run(&district_reviewer(), op(&s)).unwrap_err().code,
        RejectCode::Forbidden
    );
    w.run(&committee(), op(&s)).unwrap();
    assert_eq!(settings(&w.state).grade(3).unwrap().name, "高级");
    let mut bad = s.clone();
    bad.grades.swap(0, 1);
    assert_eq!(
        w.run(&committee(), op(&bad)).unwrap_err().field.as_deref(),
        Some("grades")
    );
    bad = s.clone();
    bad.notice_working_days = 0;
    assert_eq!(
        w.run(&committee(), op(&bad)).unwrap_err().field.as_deref(),
        Some("notice_working_days")
    );
    assert_eq!(
        w.run(
            &instructor(),
            Op::BatchCreateV1(BatchCreateV1 {
                id: id(60),
                name: "第二批".into(),
                year: 2026,
                category: WorkerRole::Secretary,
            })
        )
        .unwrap_err()
        .code,
        RejectCode::Forbidden
    );
}

/// Runs the server's issuing step on the world, as the push transaction does.
fn issue_now(w: &mut World, seq: u32, on: NaiveDate) -> Uuid {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let worker: Worker = w.state[&RecordKey::new(RecordKind::Worker, id(WORKER))]
        .decode()
        .unwrap();
    let sign = |bytes: &[u8]| key.sign(bytes).to_bytes();
    let changes = certificate::issue(
        id(APP),
        &w.app(),
        &worker,
        &ProgrammeSettings::default(),
        certificate::Issuer {
            number: certificate::number(2026, seq),
            issued_on: on,
            key_id: "k1",
            sign: &sign,
        },
    );
    w.write(changes);
    w.app().certificate_id.unwrap()
}

#[test]
fn a_lost_certificate_is_reissued_under_a_new_number_and_the_old_one_is_void() {
    let mut w = World::new();
    w.through_review();
    w.open_notice(date(2026, 11, 2)).unwrap();
    w.run(
        &committee(),
        Op::NoticeCloseV1(NoticeCloseV1 {
            id: id(NOTICE),
            closed_on: date(2026, 11, 9),
        }),
    )
    .unwrap();
    let first = issue_now(&mut w, 1, date(2026, 11, 10));
    let reissue = |cert: Uuid, reason: &str| {
        Op::CertificateReissueV1(CertificateReissueV1 {
            certificate_id: cert,
            reported_on: date(2027, 3, 1),
            reason: reason.into(),
        })
    };
    assert_eq!(
        w.run(&instructor(), reissue(first, "遗失"))
            .unwrap_err()
            .code,
        RejectCode::Forbidden
    );
    assert_eq!(
        w.run(&committee(), reissue(first, " "))
            .unwrap_err()
            .field
            .as_deref(),
        Some("reason")
    );
    w.run(&committee(), reissue(first, "本人遗失，已登报声明"))
        .unwrap();
    assert_eq!(w.app().stage, Stage::AwaitingIssue);
    let old: StatusEntry = w.state[&RecordKey::new(RecordKind::CertificateStatus, first)]
        .decode()
        .unwrap();
    assert_eq!(old.status, CertStatus::Void);
    assert_eq!(old.ended_on, Some(date(2027, 3, 1)));

    let second = issue_now(&mut w, 7, date(2027, 3, 2));
    assert_ne!(second, first);
    let new: Certificate = w.state[&RecordKey::new(RecordKind::Certificate, second)]
        .decode()
        .unwrap();
    let lost: Certificate = w.state[&RecordKey::new(RecordKind::Certificate, first)]
        .decode()
        .unwrap();
    assert_eq!(new.number, "HL2026-00007");
    assert_eq!(
        new.valid_until, lost.valid_until,
        "a reissue keeps the validity"
    );
    assert_eq!(w.app().issued, 2);
    // The void one cannot be reissued again; the new one can.
    assert_eq!(
        w.run(&committee(), reissue(first, "再次遗失"))
            .unwrap_err()
            .code,
        RejectCode::AlreadyDecided
    );
    assert!(w.run(&committee(), reissue(second, "再次遗失")).is_ok());
}

#[test]
fn recommendations_are_recorded_by_the_committee_per_year() {
    let mut w = World::new();
    let op = |n: u128, year: i32| {
        Op::RecommendationRecordV1(RecommendationRecordV1 {
            id: id(n),
            worker_id: id(WORKER),
            year,
            kind: RecommendationKind::ExcellentPartyWorker,
            note: "带领党支部获评市级先进".into(),
        })
    };
    assert_eq!(
        w.run(&instructor(), op(90, 2026)).unwrap_err().code,
        RejectCode::Forbidden
    );
    assert_eq!(
        w.run(&committee(), op(90, 1999))
            .unwrap_err()
            .field
            .as_deref(),
        Some("year")
    );
    w.run(&committee(), op(90, 2026)).unwrap();
    let r: Recommendation = w.state[&RecordKey::new(RecordKind::Recommendation, id(90))]
        .decode()
        .unwrap();
    assert_eq!((r.year, r.township_id), (2026, id(T)));
    assert_eq!(
        w.run(&committee(), op(90, 2026)).unwrap_err().code,
        RejectCode::AlreadyExists,
        "append-only"
    );
}

#[test]
fn every_stage_and_outcome_leads_where_the_programme_says() {
    use Outcome::{Approve, Reject, Return};
    use ReviewStage::{Committee, District, Township};
    let cases = [
        (Township, Approve, Stage::Review(District)),
        (Township, Return, Stage::Returned),
        (Township, Reject, Stage::Rejected),
        (District, Approve, Stage::Review(Committee)),
        (District, Return, Stage::Returned),
        (District, Reject, Stage::Rejected),
        (Committee, Approve, Stage::AwaitingNotice),
        (Committee, Return, Stage::Returned),
        (Committee, Reject, Stage::Rejected),
    ];
    for (stage, outcome, expected) in cases {
        let mut w = World::new();
        w.file();
        let steps = [
            (Township, township_reviewer()),
            (District, district_reviewer()),
            (Committee, committee()),
        ];
        for (s, who) in &steps {
            if *s == stage {
                w.decide(who, stage, outcome).unwrap();
                break;
            }
            w.decide(who, *s, Approve).unwrap();
        }
        assert_eq!(w.app().stage, expected, "{stage:?} {outcome:?}");
        // A decided stage takes no second decision, by anyone.
        for (s, who) in &steps {
            if w.app().stage != Stage::Review(*s) {
                let r = w.decide(who, *s, Approve);
                assert!(r.is_err(), "{s:?} after {stage:?} {outcome:?}");
            }
        }
    }
}

#[test]
fn a_closed_batch_takes_no_applications() {
    let mut w = World::new();
    let close = Op::BatchCloseV1(BatchCloseV1 { id: id(BATCH) });
    assert_eq!(
        w.run(&instructor(), close.clone()).unwrap_err().code,
        RejectCode::Forbidden
    );
    w.run(&committee(), close.clone()).unwrap();
    assert_eq!(
        w.run(&committee(), close).unwrap_err().code,
        RejectCode::AlreadyDecided
    );
    let r = w.run(&instructor(), file_op(APP)).unwrap_err();
    assert_eq!(r.field.as_deref(), Some("batch_id"));
    assert!(r.message.contains("截止"));
}

#[test]
fn promotion_inspection_downgrade_and_revocation_chain_certificates() {
    use crate::certification::inspection::{
        Inspection, InspectionRecordV1, Outcome as Inspect, PromotionDecideV1, PromotionRequestV1,
        YearRecord, inspection_id,
    };
    let mut w = World::new();
    w.through_review();
    w.open_notice(date(2026, 11, 2)).unwrap();
    w.run(
        &committee(),
        Op::NoticeCloseV1(NoticeCloseV1 {
            id: id(NOTICE),
            closed_on: date(2026, 11, 9),
        }),
    )
    .unwrap();
    let first = issue_now(&mut w, 1, date(2026, 11, 10));
    let status = |w: &World, c: Uuid| -> StatusEntry {
        w.state[&RecordKey::new(RecordKind::CertificateStatus, c)]
            .decode()
            .unwrap()
    };
    let station = |t| actor(6, &[(Role::GuidanceStation, Scope::Township(id(t)))]);
    let request = |to_grade, reason: &str| {
        Op::PromotionRequestV1(PromotionRequestV1 {
            id: id(40),
            certificate_id: first,
            to_grade,
            reason: reason.into(),
            filed_on: date(2026, 11, 20),
        })
    };
    // Only the station of the holder's township files, and only upwards.
    assert_eq!(
        w.run(&station(OTHER_T), request(2, "获市级荣誉"))
            .unwrap_err()
            .code,
        RejectCode::Forbidden
    );
    assert_eq!(
        w.run(&station(T), request(1, "获市级荣誉"))
            .unwrap_err()
            .field
            .as_deref(),
        Some("to_grade")
    );
    w.run(&station(T), request(2, "获市级荣誉")).unwrap();
    let decide = |approve| {
        Op::PromotionDecideV1(PromotionDecideV1 {
            id: id(40),
            approve,
            note: String::new(),
            decided_on: date(2026, 11, 25),
        })
    };
    assert_eq!(
        w.run(&station(T), decide(true)).unwrap_err().code,
        RejectCode::Forbidden
    );
    w.run(&committee(), decide(true)).unwrap();
    assert_eq!(
        w.run(&committee(), decide(false)).unwrap_err().code,
        RejectCode::AlreadyDecided
    );
    let old = status(&w, first);
    assert_eq!(old.status, CertStatus::Superseded);
    assert_eq!(old.ended_on, Some(date(2026, 11, 25)));
    assert_eq!(w.app().stage, Stage::AwaitingIssue);
    assert_eq!(w.app().requested_grade, 2);
    let second = issue_now(&mut w, 2, date(2026, 11, 26));
    let cert: Certificate = w.state[&RecordKey::new(RecordKind::Certificate, second)]
        .decode()
        .unwrap();
    assert_eq!((cert.grade, cert.grade_name.as_str()), (2, "中级"));

    // The inspection of the year: no training, so the core suggests a downgrade; the
    // committee decides it and a grade-1 certificate follows.
    let inspect = |cert, year, outcome| {
        Op::InspectionRecordV1(InspectionRecordV1 {
            certificate_id: cert,
            year,
            facts: YearRecord {
                trainings: 0,
                assessments: Vec::new(),
                honours: Vec::new(),
            },
            outcome,
            note: String::new(),
            decided_on: date(2026, 12, 20),
        })
    };
    assert_eq!(
        w.run(&station(T), inspect(second, 2026, Inspect::Downgrade))
            .unwrap_err()
            .code,
        RejectCode::Forbidden
    );
    w.run(&committee(), inspect(second, 2026, Inspect::Downgrade))
        .unwrap();
    let record: Inspection = w.state
        [&RecordKey::new(RecordKind::Inspection, inspection_id(second, 2026))]
        .decode()
        .unwrap();
    assert_eq!(record.suggested, Inspect::Downgrade);
    assert!(record.reasons[0].contains("未参加培训"));
    assert_eq!(status(&w, second).status, CertStatus::Downgraded);
    // A second inspection of the same certificate and year is refused.
    assert_eq!(
        w.run(&committee(), inspect(second, 2026, Inspect::Keep))
            .unwrap_err()
            .code,
        RejectCode::AlreadyDecided
    );
    let third = issue_now(&mut w, 3, date(2026, 12, 21));
    assert_eq!(status(&w, third).grade, 1);
    // At the lowest grade there is no downgrade, only revocation.
    assert_eq!(
        w.run(&committee(), inspect(third, 2027, Inspect::Downgrade))
            .unwrap_err()
            .field
            .as_deref(),
        Some("outcome")
    );
    w.run(&committee(), inspect(third, 2027, Inspect::Revoke))
        .unwrap();
    let revoked = status(&w, third);
    assert_eq!(revoked.status, CertStatus::Revoked);
    assert_eq!(revoked.ended_on, Some(date(2026, 12, 20)));
    assert_eq!(w.app().stage, Stage::Issued, "a revocation issues nothing");
    // A revoked certificate is not inspected again.
    assert_eq!(
        w.run(&committee(), inspect(third, 2028, Inspect::Keep))
            .unwrap_err()
            .code,
        RejectCode::AlreadyDecided
    );
}

/// The queues count an application in the stage it waits in, and nowhere once it leaves.
#[test]
fn the_queues_follow_an_application_through_its_stages() {
    let mut w = World::new();
    let count = |w: &World, stage: Stage| {
        let app = w.app();
        stage_counts([&app])
            .into_iter()
            .find(|(s, _)| *s == stage)
            .map(|(_, n)| n)
            .unwrap()
    };
    w.file();
    assert_eq!(count(&w, Stage::Review(ReviewStage::Township)), 1);
    w.decide(
        &township_reviewer(),
        ReviewStage::Township,
        Outcome::Approve,
    )
    .unwrap();
    assert_eq!(count(&w, Stage::Review(ReviewStage::Township)), 0);
    assert_eq!(count(&w, Stage::Review(ReviewStage::District)), 1);
    w.decide(&district_reviewer(), ReviewStage::District, Outcome::Return)
        .unwrap();
    assert_eq!(count(&w, Stage::Returned), 1);
    let all = stage_counts([&w.app()]);
    assert_eq!(all.len(), Stage::OPEN.len());
    assert_eq!(all.iter().map(|(_, n)| n).sum::<usize>(), 1);
    // A refused application waits nowhere.
    let mut refused = w.app();
    refused.stage = Stage::Rejected;
    assert_eq!(
        stage_counts([&refused])
            .iter()
            .map(|(_, n)| n)
            .sum::<usize>(),
        0
    );
}
