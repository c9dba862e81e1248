//! A worker's dossier: the keys of every record about one person, so that the records
//! move with the person when they change township (issue 13, item 10).
//!
//! A record about a person (an application, a certificate, an honour, an attendance…)
//! lives where the person works: its `township_id` decides who may read it. When the
//! worker moves to another township, those records must follow, or the old township keeps
//! reading about someone who left and the new one sees a worker without a history.
//! Records about an organisation (a visit and its assessments) stay with it.
//!
//! `apply` reads records by key only (the [`State`] trait), and the stores keep no index
//! by person. Rather than give every store (SQLite, PostgreSQL later, IndexedDB, memory)
//! an index of its own, the core keeps one as a record: `dossier`, id the worker's,
//! written by `apply` in the same mutation as every record it lists. A dossier names
//! keys only, nothing personal, and lives where the worker works.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Change, State};

/// The kinds of record about one person, and the body field that names the person.
///
/// A mentor pair lives with the mentee; a mentoring activity and a mentor's appointment
/// with the mentor.
pub const ABOUT_A_PERSON: [(RecordKind, &str); 11] = [
    (RecordKind::Application, "worker_id"),
    (RecordKind::Certificate, "worker_id"),
    (RecordKind::Recommendation, "worker_id"),
    (RecordKind::PoolEntry, "worker_id"),
    (RecordKind::Honour, "worker_id"),
    (RecordKind::Attendance, "worker_id"),
    (RecordKind::Mentor, "worker_id"),
    (RecordKind::MentorPair, "mentee_id"),
    (RecordKind::MentoringActivity, "mentor_id"),
    (RecordKind::Inspection, "worker_id"),
    (RecordKind::Promotion, "worker_id"),
];

/// The worker a record is about, for the kinds [`ABOUT_A_PERSON`] lists.
pub fn subject(kind: RecordKind, body: &serde_json::Value) -> Option<Uuid> {
    let (_, field) = ABOUT_A_PERSON.iter().find(|(k, _)| *k == kind)?;
    body.get(*field)?.as_str()?.parse().ok()
}

/// The dossier of one worker (record `dossier`, id the worker's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dossier {
    pub worker_id: Uuid,
    /// Where the worker works, so the dossier is read where its records are.
    pub township_id: Uuid,
    /// Every record about the worker, in the order they were first written.
    pub records: Vec<RecordKey>,
}

fn load(state: &dyn State, changes: &[Change], worker: Uuid) -> Option<Dossier> {
    let key = RecordKey::new(RecordKind::Dossier, worker);
    match changes.iter().rev().find(|c| c.key == key) {
        Some(c) => serde_json::from_value(c.body.clone()).ok(),
        None => state.get(key)?.decode().ok(),
    }
}

fn put(changes: &mut Vec<Change>, dossier: &Dossier) {
    let key = RecordKey::new(RecordKind::Dossier, dossier.worker_id);
    let body = serde_json::to_value(dossier).expect("a dossier serializes");
    changes.retain(|c| c.key != key);
    changes.push(Change {
        key,
        deleted: false,
        body,
    });
}

/// Lists in their subjects' dossiers the records about a person that `changes` writes
/// and no dossier lists yet. `apply` calls it on every mutation it accepts.
pub(crate) fn file(state: &dyn State, changes: &mut Vec<Change>) {
    let mut new: BTreeMap<Uuid, (Uuid, Vec<RecordKey>)> = BTreeMap::new();
    for c in changes.iter().filter(|c| !c.deleted) {
        let Some(worker) = subject(c.key.kind, &c.body) else {
            continue;
        };
        let township = c
            .body
            .get("township_id")
            .and_then(|t| t.as_str())
            .and_then(|t| t.parse().ok());
        let entry = new.entry(worker).or_insert((Uuid::nil(), Vec::new()));
        if let Some(t) = township {
            entry.0 = t;
        }
        entry.1.push(c.key);
    }
    for (worker, (township, keys)) in new {
        let mut dossier = load(state, changes, worker).unwrap_or(Dossier {
            worker_id: worker,
            township_id: township,
            records: Vec::new(),
        });
        let before = dossier.records.len();
        for key in keys {
            if !dossier.records.contains(&key) {
                dossier.records.push(key);
            }
        }
        if dossier.records.len() != before {
            put(changes, &dossier);
        }
    }
}

/// The changes that take every record about `worker` to `township`, the dossier with
/// them. Records already there, and records deleted since, are left as they are.
pub(crate) fn move_to(state: &dyn State, worker: Uuid, township: Uuid) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(mut dossier) = load(state, &[], worker) else {
        return changes;
    };
    let text = township.to_string();
    for key in &dossier.records {
        let Some(record) = state.get(*key) else {
            continue;
        };
        let mut body = record.body;
        if body.get("township_id").and_then(|t| t.as_str()) == Some(text.as_str()) {
            continue;
        }
        if let Some(fields) = body.as_object_mut() {
            fields.insert(
                "township_id".into(),
                serde_json::Value::String(text.clone()),
            );
        }
        changes.push(Change {
            key: *key,
            deleted: false,
            body,
        });
    }
    if dossier.township_id != township {
        dossier.township_id = township;
        put(&mut changes, &dossier);
    }
    changes
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use uuid::Uuid;

    use super::Dossier;
    use crate::development::mentoring::MentorAppointV1;
    use crate::development::training::{
        MarkEntry, TrainingAttendV1, TrainingCreateV1, TrainingKind,
    };
    use crate::fieldwork::VisitRecordV1;
    use crate::people::honour::{HonourHolder, HonourLevel, HonourRecordV1};
    use crate::testkit::{World, actor, get, run, township_with_workers};
    use crate::{Op, RecordKey, RecordKind, Role, Scope, WorkerUpdateV1};

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn township_of(w: &World, key: RecordKey) -> String {
        w[&key].body["township_id"].as_str().unwrap().to_owned()
    }

    fn honour(n: u128, worker: u128) -> Op {
        Op::HonourRecordV1(HonourRecordV1 {
            id: id(n),
            worker_id: id(worker),
            title: "优秀党务工作者".into(),
            level: HonourLevel::City,
            holder: HonourHolder::Worker,
            year: 2025,
            scan: None,
            supersedes: None,
        })
    }

    /// Worker 100 moves to the second township's organisation.
    fn move_to_second_township(
        w: &mut World,
        actor: &crate::kernel::Actor,
    ) -> Result<(), crate::kernel::Rejection> {
        run(
            w,
            actor,
            Op::WorkerUpdateV1(WorkerUpdateV1 {
                id: id(100),
                organization_id: Some(id(12)),
                township_id: Some(id(2)),
                ..Default::default()
            }),
        )
    }

    #[test]
    fn the_records_about_a_worker_move_with_them_and_an_organisations_stay() {
        let mut w = township_with_workers(2);
        let committee = actor(1, Role::DistrictCommittee, Scope::District);
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        // Worker 100 gets an honour, an attendance and a mentor's appointment; worker 101
        // an honour; organisation 11 a visit. All in the first township.
        run(&mut w, &committee, honour(500, 100)).unwrap();
        run(&mut w, &committee, honour(501, 101)).unwrap();
        run(
            &mut w,
            &committee,
            Op::TrainingCreateV1(TrainingCreateV1 {
                id: id(600),
                kind: TrainingKind::RoundTraining,
                title: "全员轮训".into(),
                date: day,
                place: "区党校".into(),
                hours_tenths: 30,
                trainer: "王老师".into(),
            }),
        )
        .unwrap();
        run(
            &mut w,
            &committee,
            Op::TrainingAttendV1(TrainingAttendV1 {
                session_id: id(600),
                marks: vec![MarkEntry {
                    worker_id: id(100),
                    mark: crate::development::training::Mark::Present,
                    via: crate::development::training::Via::Manual,
                }],
            }),
        )
        .unwrap();
        run(
            &mut w,
            &committee,
            Op::MentorAppointV1(MentorAppointV1 {
                worker_id: id(100),
                since: day,
                until: None,
            }),
        )
        .unwrap();
        run(
            &mut w,
            &committee,
            Op::VisitRecordV1(VisitRecordV1 {
                id: id(700),
                organization_id: id(11),
                date: day,
                people_met: "支部书记".into(),
                notes: String::new(),
                photos: Vec::new(),
                assessments: Vec::new(),
            }),
        )
        .unwrap();
        let dossier: Dossier = get(&w, RecordKind::Dossier, id(100));
        assert_eq!(dossier.township_id, id(1));
        assert_eq!(dossier.records.len(), 3, "{dossier:?}");
        // A second write of a listed record lists it once.
        run(&mut w, &committee, honour(502, 100)).unwrap();
        let dossier: Dossier = get(&w, RecordKind::Dossier, id(100));
        assert_eq!(dossier.records.len(), 4);

        // An instructor of both townships moves worker 100 to the second.
        let instructor = crate::kernel::Actor {
            account_id: id(1002),
            grants: [1, 2]
                .map(|t| crate::kernel::grant::Grant {
                    role: Role::Instructor,
                    scope: Scope::Township(id(t)),
                })
                .to_vec(),
        };
        move_to_second_township(&mut w, &instructor).unwrap();
        let there = id(2).to_string();
        for key in &dossier.records {
            assert_eq!(township_of(&w, *key), there, "{key:?}");
        }
        let dossier: Dossier = get(&w, RecordKind::Dossier, id(100));
        assert_eq!(dossier.township_id, id(2));
        // The organisation's visit and the other worker's honour stay.
        let here = id(1).to_string();
        assert_eq!(
            township_of(&w, RecordKey::new(RecordKind::Visit, id(700))),
            here
        );
        assert_eq!(
            township_of(&w, RecordKey::new(RecordKind::Honour, id(501))),
            here
        );
        // So does the training session, which is public.
        assert!(
            w[&RecordKey::new(RecordKind::TrainingSession, id(600))].body["township_id"].is_null()
        );
    }

    #[test]
    fn an_instructor_of_the_old_township_alone_cannot_move_a_worker() {
        let mut w = township_with_workers(1);
        let committee = actor(1, Role::DistrictCommittee, Scope::District);
        run(&mut w, &committee, honour(500, 100)).unwrap();
        let instructor = actor(2, Role::Instructor, Scope::Township(id(1)));
        let before = w.clone();
        let refused = move_to_second_township(&mut w, &instructor);
        assert!(refused.is_err());
        assert_eq!(w, before);
    }
}
