//! Field work through the real server: a visit with a photo and an assessment, a roll
//! call, a promotion filed by the guidance station and approved by the committee, and
//! an inspection that downgrades a certificate; each seen by the right devices only.

mod common;

use chrono::{NaiveDate, Utc};
use common::{Server, Tablet};
use hongling_core::BlobRef;
use hongling_core::certificate::{CertStatus, Certificate, StatusEntry};
use hongling_core::fieldwork::{DutyAssessment, TaskRating, TaskScore, Visit, VisitRecordV1};
use hongling_core::inspection::{
    Inspection, InspectionRecordV1, Outcome, PromotionDecideV1, PromotionRequestV1, YearRecord,
    inspection_id,
};
use hongling_core::tasks::Quarter;
use hongling_core::training::{
    Attendance, Mark, MarkEntry, TrainingAttendV1, TrainingCreateV1, TrainingKind, Via,
    attendance_id,
};
use hongling_core::{Op, Organization, RecordKind, Worker};
use hongling_sync::{BlobEntry, commit_with_blobs};
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn find<T: serde::de::DeserializeOwned>(
    tablet: &Tablet,
    kind: RecordKind,
    pred: impl Fn(&T) -> bool,
) -> (Uuid, T) {
    tablet
        .all::<T>(kind)
        .into_iter()
        .find(|(_, t)| pred(t))
        .expect("the record is on the tablet")
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn visits_trainings_promotions_and_inspections_reach_the_right_devices() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("field.sqlite"), &[]);
    let base = server.base.clone();
    let supervisor = Tablet::new(&base, "zhidao02").await;
    let instructor = Tablet::new(&base, "zhidao01").await;
    let station = Tablet::new(&base, "zhidaozhan01").await;
    let committee = Tablet::new(&base, "quwei").await;
    let holder = Tablet::new(&base, "zhanghm").await;
    // A second committee tablet that will decide an inspection offline.
    let other = Tablet::new(&base, "quwei").await;
    for t in [
        &supervisor,
        &instructor,
        &station,
        &committee,
        &holder,
        &other,
    ] {
        t.sync().await;
    }
    let (huang, huang_w) = find::<Worker>(&supervisor, RecordKind::Worker, |w| w.name == "黄丽娟");
    let (org, _) = find::<Organization>(&supervisor, RecordKind::Organization, |o| {
        o.township_id == huang_w.township_id
    });

    // A visit with a photo and an assessment, recorded by the supervisor.
    let bytes: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    let photo = BlobEntry {
        sha256: BlobRef::parse(&hex::encode(Sha256::digest(&bytes))).unwrap(),
        mime: "image/jpeg".into(),
        bytes,
        uploaded: false,
    };
    let visit = Uuid::new_v4();
    let op = Op::VisitRecordV1(VisitRecordV1 {
        id: visit,
        organization_id: org,
        date: day(11, 20),
        people_met: "支部书记、党员代表".into(),
        notes: "党建台账齐全".into(),
        photos: vec![photo.sha256.clone()],
        assessments: vec![DutyAssessment {
            worker_id: huang,
            quarter: Quarter::parse("2026Q4").unwrap(),
            tasks: vec![TaskScore {
                task: "每月组织一次主题党日".into(),
                rating: TaskRating::Done,
            }],
            result: hongling_core::fieldwork::AssessmentResult::Excellent,
            comment: "扎实".into(),
        }],
    });
    commit_with_blobs(
        &supervisor.store,
        &supervisor.actor,
        op,
        Utc::now(),
        std::slice::from_ref(&photo),
    )
    .await
    .unwrap()
    .unwrap();
    supervisor.sync().await;
    assert!(supervisor.store.rejected().is_empty());
    assert!(supervisor.store.blob(&photo.sha256).unwrap().uploaded);
    // The instructor of 古井镇 gets the visit naming the photo; the worker's account
    // does not get the visit.
    instructor.sync().await;
    let seen: Visit = instructor.get(RecordKind::Visit, visit).unwrap();
    assert_eq!(seen.assessments[0].worker_id, huang);
    assert_eq!(seen.photos, std::slice::from_ref(&photo.sha256));
    holder.sync().await;
    assert!(holder.get::<Visit>(RecordKind::Visit, visit).is_none());

    // A session and its roll: 黄丽娟 (古井镇) and 张红梅 (花戏楼街道), by the instructor
    // who works in both.
    let (zhang, _) = find::<Worker>(&instructor, RecordKind::Worker, |w| w.name == "张红梅");
    let session = Uuid::new_v4();
    instructor
        .commit(Op::TrainingCreateV1(TrainingCreateV1 {
            id: session,
            kind: TrainingKind::Classroom,
            title: "红领党务课堂：发展党员工作规程".into(),
            date: day(11, 21),
            place: "区党群服务中心".into(),
            hours_tenths: 20,
            trainer: "王老师".into(),
        }))
        .await
        .unwrap();
    instructor
        .commit(Op::TrainingAttendV1(TrainingAttendV1 {
            session_id: session,
            marks: vec![
                MarkEntry {
                    worker_id: huang,
                    mark: Mark::Present,
                    via: Via::Qr,
                },
                MarkEntry {
                    worker_id: zhang,
                    mark: Mark::Late,
                    via: Via::Manual,
                },
            ],
        }))
        .await
        .unwrap();
    instructor.sync().await;
    assert!(instructor.store.rejected().is_empty());
    // The holder reads her own attendance, and not 黄丽娟's.
    holder.sync().await;
    let mine: Attendance = holder
        .get(RecordKind::Attendance, attendance_id(session, zhang))
        .unwrap();
    assert_eq!(mine.mark, Mark::Late);
    assert!(
        holder
            .get::<Attendance>(RecordKind::Attendance, attendance_id(session, huang))
            .is_none()
    );

    // The guidance station files 黄丽娟's promotion; the committee approves it; the
    // server issues the grade-2 certificate and every device sees the old one 已换发.
    station.sync().await;
    let (old_cert, _) =
        find::<Certificate>(&station, RecordKind::Certificate, |c| c.worker_id == huang);
    let promotion = Uuid::new_v4();
    station
        .commit(Op::PromotionRequestV1(PromotionRequestV1 {
            id: promotion,
            certificate_id: old_cert,
            to_grade: 2,
            reason: "履职考核优秀，获市级表彰".into(),
            filed_on: day(11, 22),
        }))
        .await
        .unwrap();
    station.sync().await;
    committee.sync().await;
    committee
        .commit(Op::PromotionDecideV1(PromotionDecideV1 {
            id: promotion,
            approve: true,
            note: String::new(),
            decided_on: day(11, 25),
        }))
        .await
        .unwrap();
    committee.sync().await;
    assert!(committee.store.rejected().is_empty());
    holder.sync().await;
    let old: StatusEntry = holder.get(RecordKind::CertificateStatus, old_cert).unwrap();
    assert_eq!(old.status, CertStatus::Superseded);
    supervisor.sync().await;
    let certs: Vec<(Uuid, Certificate)> = supervisor
        .all::<Certificate>(RecordKind::Certificate)
        .into_iter()
        .filter(|(_, c)| c.worker_id == huang)
        .collect();
    assert_eq!(certs.len(), 2);
    assert!(
        certs
            .iter()
            .any(|(_, c)| c.grade == 2 && c.grade_name == "中级")
    );

    // The inspection downgrades 张红梅 (grade 2): her own account sees the inspection,
    // the old certificate 已降级 and the new grade-1 certificate.
    let (zhang_cert, _) = find::<Certificate>(&committee, RecordKind::Certificate, |c| {
        c.worker_id == zhang && c.grade == 2
    });
    let inspect = |outcome| {
        Op::InspectionRecordV1(InspectionRecordV1 {
            certificate_id: zhang_cert,
            year: 2026,
            facts: YearRecord {
                trainings: 1,
                assessments: vec![hongling_core::fieldwork::AssessmentResult::Fail],
                honours: Vec::new(),
            },
            outcome,
            note: "履职考核不合格".into(),
            decided_on: day(12, 20),
        })
    };
    committee.commit(inspect(Outcome::Downgrade)).await.unwrap();
    committee.sync().await;
    assert!(committee.store.rejected().is_empty());
    holder.sync().await;
    let record: Inspection = holder
        .get(RecordKind::Inspection, inspection_id(zhang_cert, 2026))
        .unwrap();
    assert_eq!(
        (record.suggested, record.outcome),
        (Outcome::Downgrade, Outcome::Downgrade)
    );
    let status: StatusEntry = holder
        .get(RecordKind::CertificateStatus, zhang_cert)
        .unwrap();
    assert_eq!(status.status, CertStatus::Downgraded);
    assert_eq!(status.ended_on, Some(day(12, 20)));
    let own: Vec<Certificate> = holder
        .all::<Certificate>(RecordKind::Certificate)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert!(own.iter().any(|c| c.grade == 1 && c.worker_id == zhang));
    // The second committee tablet decided the same inspection offline: it is refused
    // (the first decision wins) and lands in that tablet's conflicts inbox.
    other.commit(inspect(Outcome::Keep)).await.unwrap();
    other.sync().await;
    let refused = other.store.rejected();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].code, "already_decided");
}
