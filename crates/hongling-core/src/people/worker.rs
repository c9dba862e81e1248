//! The rules of worker profiles and organisations: who may create and edit them, the
//! per-field merge of an edit, the ID-card number kept apart in committee-only records,
//! and the dossier that moves with a worker to another township.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::blob::BlobRef;
use crate::kernel::grant::{Role, holds_in_township, is_committee};
use crate::kernel::record::{RecordKey, RecordKind};
use crate::kernel::{Actor, Change, RejectCode, Rejection, State, committee_only};
use crate::people::model::{Organization, Worker, WorkerRole};

/// Roles that may create and edit worker profiles in their townships.
pub const WORKER_EDITORS: [Role; 3] = [Role::DistrictCommittee, Role::Instructor, Role::Supervisor];

pub(crate) fn create_organization(
    state: &dyn State,
    actor: &Actor,
    o: &OrganizationCreateV1,
) -> Result<Vec<Change>, Rejection> {
    committee_only(actor, "新增单位")?;
    crate::kernel::conflict::append(state, RecordKey::new(RecordKind::Organization, o.id))?;
    let org = Organization {
        name: o.name.trim().to_owned(),
        kind: o.kind,
        township_id: o.township_id,
        party_org: o.party_org.trim().to_owned(),
        industry: o.industry.trim().to_owned(),
    };
    org.validate()
        .map_err(|e| Rejection::field(RejectCode::InvalidData, e.field, e.message))?;
    if state
        .get(RecordKey::new(RecordKind::Township, o.township_id))
        .is_none()
    {
        return Err(Rejection::field(
            RejectCode::NotFound,
            "township_id",
            "所选乡镇（街道）不存在",
        ));
    }
    Ok(vec![Change {
        key: RecordKey::new(RecordKind::Organization, o.id),
        deleted: false,
        body: serde_json::to_value(&org).expect("serializes"),
    }])
}

fn may_edit_workers_in(actor: &Actor, township: Uuid) -> Result<(), Rejection> {
    if holds_in_township(&actor.grants, &WORKER_EDITORS, township) {
        Ok(())
    } else {
        Err(Rejection::new(
            RejectCode::Forbidden,
            "无权录入或修改该乡镇（街道）的党务工作者",
        ))
    }
}

pub(crate) fn create_worker(
    state: &dyn State,
    actor: &Actor,
    c: &WorkerCreateV1,
) -> Result<Vec<Change>, Rejection> {
    may_edit_workers_in(actor, c.township_id)?;
    let key = RecordKey::new(RecordKind::Worker, c.id);
    if state.get(key).is_some() {
        return Err(Rejection::new(
            RejectCode::AlreadyExists,
            "该党务工作者已存在",
        ));
    }
    let mut worker = c.worker();
    // References first: the ID-card number is looked at only for an otherwise valid worker.
    check_worker(state, &worker)?;
    let mut changes = Vec::new();
    if let Some(number) = &c.id_card {
        changes = set_id_card(state, actor, c.id, &mut worker, number)?;
    }
    changes.insert(0, worker_change(key, &worker));
    Ok(changes)
}

pub(crate) fn update_worker(
    state: &dyn State,
    actor: &Actor,
    u: &WorkerUpdateV1,
) -> Result<Vec<Change>, Rejection> {
    let key = RecordKey::new(RecordKind::Worker, u.id);
    let Some(current) = state.get(key) else {
        return Err(Rejection::new(
            RejectCode::NotFound,
            "要修改的党务工作者不存在",
        ));
    };
    if u.is_empty() {
        return Err(Rejection::new(RejectCode::InvalidData, "没有要修改的内容"));
    }
    let mut worker: Worker = current
        .decode()
        .map_err(|_| Rejection::new(RejectCode::InvalidData, "党务工作者记录已损坏"))?;
    // Both where the worker is and where the edit would put them must be in scope.
    may_edit_workers_in(actor, worker.township_id)?;
    if let Some(t) = u.township_id {
        may_edit_workers_in(actor, t)?;
    }
    let moved = u.township_id.filter(|t| *t != worker.township_id);
    u.lay_over(&mut worker);
    check_worker(state, &worker)?;
    let mut changes = Vec::new();
    if let Some(number) = &u.id_card {
        changes = set_id_card(state, actor, u.id, &mut worker, number)?;
    }
    changes.insert(0, worker_change(key, &worker));
    // The records about the worker go where the worker now works.
    if let Some(township) = moved {
        changes.extend(crate::people::dossier::move_to(state, u.id, township));
    }
    Ok(changes)
}

/// Records `number` as the ID card of `worker_id`: validated, stored once in
/// committee-only records (the previous number's index removed if it was this worker's),
/// and masked on the worker.
///
/// A number another worker already holds is refused to the committee, next to the field.
/// From anyone else it is accepted, without the index, and an `id_card_duplicate` record
/// puts it before the committee: the reply must not tell an instructor whether a number is
/// registered (issue 13, item 3).
fn set_id_card(
    state: &dyn State,
    actor: &Actor,
    worker_id: Uuid,
    worker: &mut Worker,
    number: &str,
) -> Result<Vec<Change>, Rejection> {
    use crate::people::idcard::{
        IdCard, IdCardDuplicate, IdCardIndex, index_id, mask, normalize, validate,
    };
    let number = normalize(number);
    validate(&number).map_err(|m| Rejection::field(RejectCode::InvalidData, "id_card", m))?;
    let holder_of = |number: &str| {
        state
            .get(RecordKey::new(RecordKind::IdCardIndex, index_id(number)))
            .and_then(|r| r.decode::<IdCardIndex>().ok())
            .map(|h| h.worker_id)
    };
    let other_holder = holder_of(&number).filter(|h| *h != worker_id);
    if other_holder.is_some() && is_committee(&actor.grants) {
        return Err(Rejection::field(
            RejectCode::AlreadyExists,
            "id_card",
            "该身份证号已登记在另一位党务工作者名下",
        ));
    }
    let mut changes = Vec::new();
    let own = RecordKey::new(RecordKind::IdCard, worker_id);
    if let Some(old) = state.get(own).and_then(|r| r.decode::<IdCard>().ok())
        && old.number != number
        && holder_of(&old.number) == Some(worker_id)
    {
        changes.push(Change {
            key: RecordKey::new(RecordKind::IdCardIndex, index_id(&old.number)),
            deleted: true,
            body: serde_json::json!({}),
        });
    }
    changes.push(Change {
        key: own,
        deleted: false,
        body: serde_json::to_value(IdCard {
            number: number.clone(),
        })
        .expect("serializes"),
    });
    let duplicate = RecordKey::new(RecordKind::IdCardDuplicate, worker_id);
    match other_holder {
        Some(holder_id) => changes.push(Change {
            key: duplicate,
            deleted: false,
            body: serde_json::to_value(IdCardDuplicate {
                worker_id,
                holder_id,
            })
            .expect("serializes"),
        }),
        None => {
            changes.push(Change {
                key: RecordKey::new(RecordKind::IdCardIndex, index_id(&number)),
                deleted: false,
                body: serde_json::to_value(IdCardIndex { worker_id }).expect("serializes"),
            });
            if state.get(duplicate).is_some() {
                changes.push(Change {
                    key: duplicate,
                    deleted: true,
                    body: serde_json::json!({}),
                });
            }
        }
    }
    worker.id_card_masked = Some(mask(&number));
    Ok(changes)
}

/// The rules every stored worker satisfies: valid fields, an existing township, and an
/// existing organisation that lies in that township.
fn check_worker(state: &dyn State, worker: &Worker) -> Result<(), Rejection> {
    worker
        .validate()
        .map_err(|e| Rejection::field(RejectCode::InvalidData, e.field, e.message))?;
    if state
        .get(RecordKey::new(RecordKind::Township, worker.township_id))
        .is_none()
    {
        return Err(Rejection::field(
            RejectCode::NotFound,
            "township_id",
            "所选乡镇（街道）不存在",
        ));
    }
    let Some(org) = state.get(RecordKey::new(
        RecordKind::Organization,
        worker.organization_id,
    )) else {
        return Err(Rejection::field(
            RejectCode::NotFound,
            "organization_id",
            "所选单位不存在",
        ));
    };
    let org: Organization = org
        .decode()
        .map_err(|_| Rejection::new(RejectCode::InvalidData, "单位记录已损坏"))?;
    if org.township_id != worker.township_id {
        return Err(Rejection::field(
            RejectCode::InvalidData,
            "organization_id",
            "所选单位不在该乡镇（街道）",
        ));
    }
    Ok(())
}

fn worker_change(key: RecordKey, worker: &Worker) -> Change {
    Change {
        key,
        deleted: false,
        body: serde_json::to_value(worker).expect("a worker always serializes"),
    }
}

/// Fields of a new organisation; `id` is made by the client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationCreateV1 {
    pub id: Uuid,
    pub name: String,
    pub kind: crate::people::model::OrgKind,
    pub township_id: Uuid,
    #[serde(default)]
    pub party_org: String,
    #[serde(default)]
    pub industry: String,
}

/// Fields of a new worker; `id` is made by the client.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerCreateV1 {
    pub id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub township_id: Uuid,
    pub role: WorkerRole,
    #[serde(default)]
    pub management_post: String,
    pub years_in_post: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<BlobRef>,
    /// The full ID-card number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card: Option<String>,
}

/// The fields of a worker that one edit changes.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkerUpdateV1 {
    pub id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<WorkerRole>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_post: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years_in_post: Option<u32>,
    /// `Some(None)` (JSON `null`) removes the photo; absent leaves it alone.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub photo: Option<Option<BlobRef>>,
    /// A new ID-card number (it cannot be removed, only corrected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_card: Option<String>,
}

/// Deserializes a field that is present (possibly `null`) as `Some(..)`, so that an
/// absent field (`None`, by `default`) and an explicit `null` (`Some(None)`) differ.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

impl WorkerCreateV1 {
    /// The profile this creates (text trimmed; the ID-card number is kept apart).
    pub fn worker(&self) -> Worker {
        Worker {
            name: self.name.trim().to_owned(),
            organization_id: self.organization_id,
            township_id: self.township_id,
            role: self.role,
            management_post: self.management_post.trim().to_owned(),
            years_in_post: self.years_in_post,
            photo: self.photo.clone(),
            id_card_masked: None,
        }
    }
}

impl WorkerUpdateV1 {
    /// The edit that turns `old` into `new`: only the fields that differ (the per-field
    /// merge then leaves the others to whoever changes them). No ID-card number: the
    /// form adds one only when it was typed.
    pub fn between(id: Uuid, old: &Worker, new: &Worker) -> WorkerUpdateV1 {
        fn changed<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        WorkerUpdateV1 {
            id,
            name: changed(&old.name, &new.name),
            organization_id: changed(&old.organization_id, &new.organization_id),
            township_id: changed(&old.township_id, &new.township_id),
            role: changed(&old.role, &new.role),
            management_post: changed(&old.management_post, &new.management_post),
            years_in_post: changed(&old.years_in_post, &new.years_in_post),
            photo: changed(&old.photo, &new.photo),
            id_card: None,
        }
    }

    /// Lays the edit over `worker`: the fields it carries replace theirs (text trimmed),
    /// the others stay. The rule applies an edit this way, and a form shows a refused
    /// edit this way over the worker as the device now has it.
    pub fn lay_over(&self, worker: &mut Worker) {
        if let Some(name) = &self.name {
            worker.name = name.trim().to_owned();
        }
        if let Some(org) = self.organization_id {
            worker.organization_id = org;
        }
        if let Some(township) = self.township_id {
            worker.township_id = township;
        }
        if let Some(role) = self.role {
            worker.role = role;
        }
        if let Some(post) = &self.management_post {
            worker.management_post = post.trim().to_owned();
        }
        if let Some(years) = self.years_in_post {
            worker.years_in_post = years;
        }
        if let Some(photo) = &self.photo {
            worker.photo = photo.clone();
        }
    }

    /// True when the edit changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.organization_id.is_none()
            && self.township_id.is_none()
            && self.role.is_none()
            && self.management_post.is_none()
            && self.years_in_post.is_none()
            && self.photo.is_none()
            && self.id_card.is_none()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::apply::{apply, apply_with_loader};
    use crate::kernel::MissRecorder;
    use crate::kernel::grant::{Grant, Visibility};
    use crate::kernel::record::Record;
    use crate::kernel::visibility::visibility;
    use crate::op::Op;
    use crate::people::model::{OrgKind, Township};

    struct Fixture {
        state: BTreeMap<RecordKey, Record>,
        township: Uuid,
        other_township: Uuid,
        org: Uuid,
    }

    /// Puts a record with a new id into the world (`testkit::put`) and returns the id.
    fn put<T: Serialize>(state: &mut crate::testkit::World, kind: RecordKind, body: &T) -> Uuid {
        let id = Uuid::new_v4();
        crate::testkit::put(state, kind, id, body);
        id
    }

    fn fixture() -> Fixture {
        let mut state = BTreeMap::new();
        let township = put(
            &mut state,
            RecordKind::Township,
            &Township {
                name: "古井镇".into(),
            },
        );
        let other_township = put(
            &mut state,
            RecordKind::Township,
            &Township {
                name: "华佗镇".into(),
            },
        );
        let org = put(
            &mut state,
            RecordKind::Organization,
            &Organization {
                industry: String::new(),
                name: "亳州市古井酿造有限公司".into(),
                kind: OrgKind::Enterprise,
                township_id: township,
                party_org: "党支部".into(),
            },
        );
        Fixture {
            state,
            township,
            other_township,
            org,
        }
    }

    fn actor() -> Actor {
        Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::DistrictCommittee,
                scope: crate::Scope::District,
            }],
        }
    }

    fn create(f: &Fixture, name: &str) -> WorkerCreateV1 {
        WorkerCreateV1 {
            id_card: None,
            photo: None,
            id: Uuid::new_v4(),
            name: name.into(),
            organization_id: f.org,
            township_id: f.township,
            role: WorkerRole::Secretary,
            management_post: "副总经理".into(),
            years_in_post: 6,
        }
    }

    fn commit(state: &mut BTreeMap<RecordKey, Record>, changes: Vec<Change>) {
        crate::testkit::write(state, changes);
    }

    #[test]
    fn an_edit_is_the_difference_and_lays_over_the_worker_as_the_rule_does() {
        let f = fixture();
        let old = create(&f, "张红梅").worker();
        let mut new = old.clone();
        new.management_post = "总经理".into();
        new.years_in_post = 7;
        let edit = WorkerUpdateV1::between(Uuid::nil(), &old, &new);
        assert_eq!(
            edit,
            WorkerUpdateV1 {
                id: Uuid::nil(),
                management_post: Some("总经理".into()),
                years_in_post: Some(7),
                ..WorkerUpdateV1::default()
            }
        );
        assert!(WorkerUpdateV1::between(Uuid::nil(), &old, &old).is_empty());
        let mut laid = old.clone();
        edit.lay_over(&mut laid);
        assert_eq!(laid, new);
        // Text is trimmed on the way in, as the rule stores it.
        let mut padded = old.clone();
        WorkerUpdateV1 {
            name: Some("  李梅 ".into()),
            ..WorkerUpdateV1::default()
        }
        .lay_over(&mut padded);
        assert_eq!(padded.name, "李梅");
    }

    #[test]
    fn creating_a_worker_writes_one_trimmed_record() {
        let f = fixture();
        let c = create(&f, "  张红梅 ");
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].key, RecordKey::new(RecordKind::Worker, c.id));
        let w: Worker = serde_json::from_value(changes[0].body.clone()).unwrap();
        assert_eq!(w.name, "张红梅");
        assert!(w.holds_management_post());
    }

    #[test]
    fn creating_the_same_id_twice_is_refused() {
        let mut f = fixture();
        let c = create(&f, "张红梅");
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap();
        commit(&mut f.state, changes);
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c)).unwrap_err();
        assert_eq!(err.code, RejectCode::AlreadyExists);
    }

    #[test]
    fn invalid_fields_are_refused_with_the_field_named() {
        let f = fixture();
        let mut c = create(&f, "   ");
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (RejectCode::InvalidData, Some("name"))
        );
        c.name = "李".repeat(41);
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("name"));
        c.name = "李".repeat(40);
        c.years_in_post = 61;
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c)).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("years_in_post"));
    }

    #[test]
    fn an_organisation_outside_the_township_is_refused() {
        let f = fixture();
        let mut c = create(&f, "王志强");
        c.township_id = f.other_township;
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c)).unwrap_err();
        assert_eq!(err.code, RejectCode::InvalidData);
        assert_eq!(err.field.as_deref(), Some("organization_id"));
    }

    #[test]
    fn unknown_references_are_refused() {
        let f = fixture();
        let mut c = create(&f, "王志强");
        c.organization_id = Uuid::new_v4();
        let err = apply(&f.state, &actor(), &Op::WorkerCreateV1(c)).unwrap_err();
        assert_eq!(err.code, RejectCode::NotFound);
    }

    #[test]
    fn an_update_changes_only_the_fields_it_carries() {
        let mut f = fixture();
        let c = create(&f, "张红梅");
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap();
        commit(&mut f.state, changes);
        let u = WorkerUpdateV1 {
            id: c.id,
            years_in_post: Some(7),
            ..Default::default()
        };
        let changes = apply(&f.state, &actor(), &Op::WorkerUpdateV1(u)).unwrap();
        let w: Worker = serde_json::from_value(changes[0].body.clone()).unwrap();
        assert_eq!(w.years_in_post, 7);
        assert_eq!(w.name, "张红梅");
        assert_eq!(w.management_post, "副总经理");
    }

    #[test]
    fn updating_a_missing_worker_or_with_nothing_is_refused() {
        let mut f = fixture();
        let u = WorkerUpdateV1 {
            id: Uuid::new_v4(),
            name: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            apply(&f.state, &actor(), &Op::WorkerUpdateV1(u))
                .unwrap_err()
                .code,
            RejectCode::NotFound
        );
        let c = create(&f, "张红梅");
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap();
        commit(&mut f.state, changes);
        let empty = WorkerUpdateV1 {
            id: c.id,
            ..Default::default()
        };
        assert_eq!(
            apply(&f.state, &actor(), &Op::WorkerUpdateV1(empty))
                .unwrap_err()
                .code,
            RejectCode::InvalidData
        );
    }

    #[test]
    fn only_editors_in_scope_may_create_or_move_workers() {
        let mut f = fixture();
        let local = Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::Instructor,
                scope: crate::Scope::Township(f.township),
            }],
        };
        let elsewhere = Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::Instructor,
                scope: crate::Scope::Township(f.other_township),
            }],
        };
        let reviewer = Actor {
            account_id: Uuid::nil(),
            grants: vec![Grant {
                role: Role::TownshipReviewer,
                scope: crate::Scope::Township(f.township),
            }],
        };
        let c = create(&f, "张红梅");
        assert_eq!(
            apply(&f.state, &elsewhere, &Op::WorkerCreateV1(c.clone()))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        assert_eq!(
            apply(&f.state, &reviewer, &Op::WorkerCreateV1(c.clone()))
                .unwrap_err()
                .code,
            RejectCode::Forbidden,
            "a reviewer reviews; an instructor files"
        );
        let changes = apply(&f.state, &local, &Op::WorkerCreateV1(c.clone())).unwrap();
        commit(&mut f.state, changes);
        let edit = WorkerUpdateV1 {
            id: c.id,
            years_in_post: Some(1),
            ..Default::default()
        };
        assert_eq!(
            apply(&f.state, &elsewhere, &Op::WorkerUpdateV1(edit.clone()))
                .unwrap_err()
                .code,
            RejectCode::Forbidden
        );
        assert!(apply(&f.state, &local, &Op::WorkerUpdateV1(edit)).is_ok());
        let away = WorkerUpdateV1 {
            id: c.id,
            township_id: Some(f.other_township),
            ..Default::default()
        };
        assert_eq!(
            apply(&f.state, &local, &Op::WorkerUpdateV1(away))
                .unwrap_err()
                .code,
            RejectCode::Forbidden,
            "moving a worker needs the destination too"
        );
    }

    #[test]
    fn workers_are_visible_by_township_and_reference_data_to_all() {
        let f = fixture();
        let body = serde_json::to_value(Worker {
            id_card_masked: None,
            photo: None,
            name: "x".into(),
            organization_id: f.org,
            township_id: f.township,
            role: WorkerRole::Secretary,
            management_post: String::new(),
            years_in_post: 1,
        })
        .unwrap();
        assert_eq!(
            visibility(RecordKind::Worker, &body),
            Visibility::Township(f.township)
        );
        assert_eq!(
            visibility(RecordKind::Organization, &serde_json::json!({})),
            Visibility::Public
        );
        // A person's record without a readable township fails closed.
        for body in [
            serde_json::json!({"name": "张红梅"}),
            serde_json::json!({"township_id": "古井镇"}),
            serde_json::json!({"township_id": null}),
        ] {
            assert_eq!(visibility(RecordKind::Worker, &body), Visibility::Committee);
            assert_eq!(
                visibility(RecordKind::Attendance, &body),
                Visibility::Committee
            );
        }
    }

    #[test]
    fn the_loader_fetches_what_apply_needs_and_gives_the_same_answer() {
        let f = fixture();
        let c = Op::WorkerCreateV1(create(&f, "张红梅"));
        let mut recorder = MissRecorder::new();
        let mut rounds = 0;
        let outcome = apply_with_loader::<()>(&mut recorder, &actor(), &c, |rec, missed| {
            rounds += 1;
            for key in missed {
                rec.learn(key, f.state.get(&key).cloned());
            }
            Ok(())
        })
        .unwrap();
        assert!(rounds >= 1);
        assert_eq!(outcome, apply(&f.state, &actor(), &c));
    }

    #[test]
    fn an_id_card_is_validated_stored_once_for_the_committee_and_masked_on_the_worker() {
        use crate::kernel::grant::can_see;
        use crate::people::idcard::{IdCard, IdCardIndex, index_id};
        let mut f = fixture();
        let mut c = create(&f, "王芳");
        c.id_card = Some("11010519491231002x".into());
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(c.clone())).unwrap();
        let worker: Worker = serde_json::from_value(changes[0].body.clone()).unwrap();
        assert_eq!(worker.id_card_masked.as_deref(), Some("**************002X"));
        assert!(
            !changes[0].body.to_string().contains("11010519491231002X"),
            "the worker record holds only the masked number"
        );
        let kinds: Vec<RecordKind> = changes.iter().map(|c| c.key.kind).collect();
        assert_eq!(
            kinds,
            [
                RecordKind::Worker,
                RecordKind::IdCard,
                RecordKind::IdCardIndex
            ]
        );
        let instructor = [Grant {
            role: Role::Instructor,
            scope: crate::Scope::Township(f.township),
        }];
        for c in &changes[1..] {
            assert_eq!(visibility(c.key.kind, &c.body), Visibility::Committee);
            assert!(!can_see(&instructor, Visibility::Committee));
            assert!(can_see(&actor().grants, Visibility::Committee));
        }
        commit(&mut f.state, changes);

        // The same number for someone else is refused, next to the field.
        let mut twin = create(&f, "李明");
        twin.id_card = Some("11010519491231002X".into());
        let refusal = apply(&f.state, &actor(), &Op::WorkerCreateV1(twin.clone())).unwrap_err();
        assert_eq!(refusal.code, RejectCode::AlreadyExists);
        assert_eq!(refusal.field.as_deref(), Some("id_card"));
        twin.id_card = Some("110105194912310021".into());
        let refusal = apply(&f.state, &actor(), &Op::WorkerCreateV1(twin)).unwrap_err();
        assert_eq!(refusal.field.as_deref(), Some("id_card"));
        assert!(refusal.message.contains("校验位"));

        // A correction replaces the number and frees the old one.
        let fixed = format!(
            "34010119900101123{}",
            crate::people::idcard::check_char("34010119900101123").unwrap()
        );
        let fix = Op::WorkerUpdateV1(WorkerUpdateV1 {
            id: c.id,
            id_card: Some(fixed.clone()),
            ..Default::default()
        });
        let changes = apply(&f.state, &actor(), &fix).unwrap();
        assert!(changes.iter().any(|ch| ch.deleted
            && ch.key == RecordKey::new(RecordKind::IdCardIndex, index_id("11010519491231002X"))));
        commit(&mut f.state, changes);
        let held: IdCard = State::get(&f.state, RecordKey::new(RecordKind::IdCard, c.id))
            .unwrap()
            .decode()
            .unwrap();
        assert_eq!(held.number, fixed);
        let index: IdCardIndex = State::get(
            &f.state,
            RecordKey::new(RecordKind::IdCardIndex, index_id(&fixed)),
        )
        .unwrap()
        .decode()
        .unwrap();
        assert_eq!(index.worker_id, c.id);
        let mut again = create(&f, "李明");
        again.id_card = Some("11010519491231002X".into());
        assert!(apply(&f.state, &actor(), &Op::WorkerCreateV1(again)).is_ok());
    }

    #[test]
    fn an_instructor_learns_nothing_about_registered_id_card_numbers() {
        use crate::people::idcard::{IdCard, IdCardDuplicate, IdCardIndex, index_id};
        let mut f = fixture();
        let instructor = Actor {
            account_id: Uuid::from_u128(7),
            grants: vec![Grant {
                role: Role::Instructor,
                scope: crate::Scope::Township(f.township),
            }],
        };
        let mut held = create(&f, "王芳");
        held.id_card = Some("11010519491231002X".into());
        let changes = apply(&f.state, &actor(), &Op::WorkerCreateV1(held.clone())).unwrap();
        commit(&mut f.state, changes);

        // A made-up organisation is refused for that, whatever the number.
        let fresh = format!(
            "34010119900101123{}",
            crate::people::idcard::check_char("34010119900101123").unwrap()
        );
        for number in ["11010519491231002X", fresh.as_str()] {
            let mut probe = create(&f, "试探");
            probe.organization_id = Uuid::from_u128(999);
            probe.id_card = Some(number.into());
            let refusal = apply(&f.state, &instructor, &Op::WorkerCreateV1(probe)).unwrap_err();
            assert_eq!(
                (refusal.code, refusal.field.as_deref()),
                (RejectCode::NotFound, Some("organization_id"))
            );
        }

        // A registered number from an instructor is accepted like any other, and the
        // worker records they see are alike; the committee gets a duplicate to resolve.
        let mut twin = create(&f, "李明");
        twin.id_card = Some("11010519491231002X".into());
        let dup = apply(&f.state, &instructor, &Op::WorkerCreateV1(twin.clone())).unwrap();
        let mut other = create(&f, "赵强");
        other.id_card = Some(fresh.clone());
        let new = apply(&f.state, &instructor, &Op::WorkerCreateV1(other)).unwrap();
        let seen = |changes: &[Change]| -> Vec<(RecordKind, bool)> {
            changes
                .iter()
                .filter(|c| {
                    crate::kernel::grant::can_see(
                        &instructor.grants,
                        visibility(c.key.kind, &c.body),
                    )
                })
                .map(|c| (c.key.kind, c.deleted))
                .collect()
        };
        assert_eq!(seen(&dup), seen(&new));
        let worker: Worker = serde_json::from_value(dup[0].body.clone()).unwrap();
        assert_eq!(worker.id_card_masked.as_deref(), Some("**************002X"));
        let duplicate = dup
            .iter()
            .find(|c| c.key.kind == RecordKind::IdCardDuplicate)
            .expect("a duplicate for the committee");
        assert_eq!(
            serde_json::from_value::<IdCardDuplicate>(duplicate.body.clone()).unwrap(),
            IdCardDuplicate {
                worker_id: twin.id,
                holder_id: held.id
            }
        );
        assert!(
            !dup.iter().any(|c| c.key.kind == RecordKind::IdCardIndex),
            "the holder keeps the index"
        );
        commit(&mut f.state, dup);

        // The committee corrects the second worker's number: the duplicate goes, and the
        // first worker still holds theirs.
        let corrected = format!(
            "44030119851010456{}",
            crate::people::idcard::check_char("44030119851010456").unwrap()
        );
        let fix = Op::WorkerUpdateV1(WorkerUpdateV1 {
            id: twin.id,
            id_card: Some(corrected.clone()),
            ..Default::default()
        });
        let changes = apply(&f.state, &actor(), &fix).unwrap();
        assert!(changes.iter().any(|c| c.deleted
            && c.key == RecordKey::new(RecordKind::IdCardDuplicate, twin.id)));
        assert!(
            !changes
                .iter()
                .any(|c| c.deleted && c.key.kind == RecordKind::IdCardIndex),
            "the holder's index is not the duplicate's to remove"
        );
        commit(&mut f.state, changes);
        let index: IdCardIndex = State::get(
            &f.state,
            RecordKey::new(RecordKind::IdCardIndex, index_id("11010519491231002X")),
        )
        .unwrap()
        .decode()
        .unwrap();
        assert_eq!(index.worker_id, held.id);
        let card: IdCard = State::get(&f.state, RecordKey::new(RecordKind::IdCard, twin.id))
            .unwrap()
            .decode()
            .unwrap();
        assert_eq!(card.number, corrected);
    }
}
