//! Scoped pull: an account pulls only what its grants let it see; a record that leaves
//! its scope is deleted from its devices; a change of grants resets them.

mod common;

use std::cell::RefCell;

use chrono::Utc;
use common::{HttpTransport, Server, login};
use hongling_core::wire::{PROTOCOL_HEADER, PullQuery, PullResponse, PushRequest, PushResponse};
use hongling_core::{
    Actor, Grant, Op, Organization, Record, RecordKind, RejectCode, Role, Scope, Worker,
    WorkerCreateV1, WorkerRole, WorkerUpdateV1, can_see, can_see_record, testkit, visibility,
};
use hongling_sync::memory::MemoryStore;
use hongling_sync::{Transport, TransportError, commit_local, sync_once};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// A transport that checks every pulled page against the grants the account holds now.
struct Checked {
    inner: HttpTransport,
    grants: RefCell<Vec<Grant>>,
}

impl Transport for Checked {
    async fn push(&self, req: &PushRequest) -> Result<PushResponse, TransportError> {
        self.inner.push(req).await
    }

    async fn put_blob(&self, blob: &hongling_sync::BlobEntry) -> Result<(), TransportError> {
        self.inner.put_blob(blob).await
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let page = self.inner.pull(query).await?;
        let grants = self.grants.borrow();
        for r in page.records.iter().filter(|r| !r.deleted) {
            assert!(
                // These accounts judge no contest: the account id only matters for sheets.
                can_see_record(Uuid::nil(), &grants, r.kind, r.id, &r.body),
                "pull returned {:?} {} outside the scope {grants:?}",
                r.kind,
                r.body
            );
        }
        Ok(page)
    }
}

struct Device {
    store: MemoryStore,
    transport: Checked,
    id: Uuid,
    actor: Actor,
}

impl Device {
    async fn new(server: &Server, username: &str) -> Device {
        let id = Uuid::new_v4();
        let login = login(&server.base, username, id).await;
        Device {
            store: MemoryStore::new(),
            transport: Checked {
                inner: HttpTransport::new(&server.base, login.token),
                grants: RefCell::new(login.account.grants.clone()),
            },
            id,
            actor: Actor {
                account_id: login.account.id,
                grants: login.account.grants,
            },
        }
    }

    async fn sync(&self) {
        sync_once(&self.store, &self.transport, self.id, &self.actor, |_| {})
            .await
            .unwrap();
    }

    fn workers(&self) -> Vec<(Uuid, Worker)> {
        let mut w: Vec<(Uuid, Worker)> = self
            .store
            .view()
            .into_iter()
            .filter(|r| r.kind == RecordKind::Worker)
            .map(|r| (r.id, r.decode().unwrap()))
            .collect();
        w.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        w
    }

    fn names(&self) -> Vec<String> {
        self.workers().into_iter().map(|(_, w)| w.name).collect()
    }

    fn find(&self, kind: RecordKind, name: &str) -> Record {
        self.store
            .view()
            .into_iter()
            .find(|r| r.kind == kind && r.body["name"] == name)
            .unwrap()
    }
}

async fn set_grants(server: &Server, admin_token: &str, username: &str, grants: &[Grant]) -> u16 {
    reqwest::Client::new()
        .put(format!(
            "{}/api/v1/admin/accounts/{username}/grants",
            server.base
        ))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(admin_token)
        .json(grants)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn instructor(township: Uuid) -> Grant {
    Grant {
        role: Role::Instructor,
        scope: Scope::Township(township),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn pull_follows_scope_moves_and_grant_changes() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("scope.sqlite"), &[]);
    let admin = Device::new(&server, "quwei").await;
    let tablet = Device::new(&server, "zhidao01").await;
    admin.sync().await;
    tablet.sync().await;
    assert_eq!(
        admin.workers().len(),
        10,
        "the district sees every township"
    );
    assert_eq!(
        tablet.names(),
        ["孙海燕", "张红梅", "马俊杰", "黄丽娟"],
        "古井镇 and 花戏楼街道 only"
    );

    // Out of scope is refused on the tablet already, with the server's own rule.
    let far = tablet.find(RecordKind::Organization, "亳州市十八里镇新能源科技有限公司");
    let far_township = far.decode::<Organization>().unwrap().township_id;
    let op = testkit::create_worker(Uuid::new_v4(), far_township, far.id, "越权");
    let refusal = commit_local(&tablet.store, &tablet.actor, op, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.code, RejectCode::Forbidden);

    // The tablet records an honour of 孙海燕, a record about her.
    let (sun, _) = admin
        .workers()
        .into_iter()
        .find(|(_, w)| w.name == "孙海燕")
        .unwrap();
    let honour = Uuid::new_v4();
    let op = Op::HonourRecordV1(hongling_core::honour::HonourRecordV1 {
        id: honour,
        worker_id: sun,
        title: "优秀党务工作者".into(),
        level: hongling_core::honour::HonourLevel::City,
        holder: hongling_core::honour::HonourHolder::Worker,
        year: 2025,
        scan: None,
        supersedes: None,
    });
    commit_local(&tablet.store, &tablet.actor, op, Utc::now())
        .await
        .unwrap()
        .unwrap();
    tablet.sync().await;
    admin.sync().await;
    let honours = |d: &Device| {
        d.store
            .view()
            .into_iter()
            .filter(|r| r.kind == RecordKind::Honour && r.id == honour)
            .map(|r| r.body["township_id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(honours(&tablet).len(), 1);

    // The district moves 孙海燕 to 城父镇: the tablet's next pull deletes her, and her
    // honour goes with her.
    let chengfu = admin.find(RecordKind::Organization, "亳州市城父镇志愿者协会");
    let chengfu_township = chengfu.decode::<Organization>().unwrap().township_id;
    let mv = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: sun,
        organization_id: Some(chengfu.id),
        township_id: Some(chengfu_township),
        ..Default::default()
    });
    commit_local(&admin.store, &admin.actor, mv, Utc::now())
        .await
        .unwrap()
        .unwrap();
    admin.sync().await;
    tablet.sync().await;
    assert_eq!(tablet.names(), ["张红梅", "马俊杰", "黄丽娟"]);
    assert!(honours(&tablet).is_empty(), "the honour left with her");
    assert_eq!(honours(&admin), [chengfu_township.to_string()]);

    // A non-admin cannot change grants.
    let tablet_token = tablet.transport.inner.token.clone();
    assert_eq!(
        set_grants(&server, &tablet_token, "zhidao01", &[]).await,
        403
    );
    // The district gives zhidao01 城父镇 too: the next pull is a reset with her back.
    let admin_token = admin.transport.inner.token.clone();
    let gujing = tablet
        .workers()
        .iter()
        .find(|(_, w)| w.name == "黄丽娟")
        .unwrap()
        .1
        .township_id;
    let grants = vec![instructor(gujing), instructor(chengfu_township)];
    assert_eq!(
        set_grants(&server, &admin_token, "zhidao01", &grants).await,
        204
    );
    *tablet.transport.grants.borrow_mut() = grants;
    tablet.sync().await;
    assert_eq!(tablet.names(), ["孙海燕", "郑伟", "黄丽娟"]);
    assert_eq!(honours(&tablet), [chengfu_township.to_string()]);
    assert_eq!(set_grants(&server, &admin_token, "nobody", &[]).await, 404);
}

#[tokio::test(flavor = "current_thread")]
async fn random_scopes_and_moves_never_leak_a_record() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("scope-prop.sqlite"), &[]);
    let admin = Device::new(&server, "quwei").await;
    admin.sync().await;
    let orgs: Vec<(Uuid, Uuid)> = admin
        .store
        .view()
        .into_iter()
        .filter(|r| r.kind == RecordKind::Organization)
        .map(|r| (r.id, r.decode::<Organization>().unwrap().township_id))
        .collect();
    let townships: Vec<Uuid> = {
        let mut t: Vec<Uuid> = orgs.iter().map(|o| o.1).collect();
        t.sort();
        t.dedup();
        t
    };
    let admin_token = admin.transport.inner.token.clone();
    for seed in 0..25u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut devices = Vec::new();
        for user in ["zhidao01", "zhidao02"] {
            devices.push(Device::new(&server, user).await);
        }
        for _ in 0..30 {
            match rng.gen_range(0..10) {
                0..=3 => {
                    let (org, township) = *orgs.choose(&mut rng).unwrap();
                    let name = format!("人员{}", rng.gen_range(0..1000));
                    let op = testkit::create_worker(Uuid::new_v4(), township, org, &name);
                    commit_local(&admin.store, &admin.actor, op, Utc::now())
                        .await
                        .unwrap()
                        .unwrap();
                    admin.sync().await;
                }
                4..=5 => {
                    let workers = admin.workers();
                    let (id, _) = workers.choose(&mut rng).unwrap();
                    let (org, township) = *orgs.choose(&mut rng).unwrap();
                    let op = Op::WorkerUpdateV1(WorkerUpdateV1 {
                        id: *id,
                        organization_id: Some(org),
                        township_id: Some(township),
                        ..Default::default()
                    });
                    commit_local(&admin.store, &admin.actor, op, Utc::now())
                        .await
                        .unwrap()
                        .unwrap();
                    admin.sync().await;
                }
                6 => {
                    let d = devices.choose(&mut rng).unwrap();
                    let mut grants: Vec<Grant> = townships
                        .iter()
                        .filter(|_| rng.gen_bool(0.3))
                        .map(|t| instructor(*t))
                        .collect();
                    if rng.gen_bool(0.1) {
                        grants.push(Grant {
                            role: Role::Judge,
                            scope: Scope::District,
                        });
                    }
                    // Now and then a district-wide reader who is not the committee.
                    if rng.gen_bool(0.1) {
                        grants.push(Grant {
                            role: Role::DistrictReviewer,
                            scope: Scope::District,
                        });
                    }
                    let username = if d.actor.account_id == devices[0].actor.account_id {
                        "zhidao01"
                    } else {
                        "zhidao02"
                    };
                    assert_eq!(
                        set_grants(&server, &admin_token, username, &grants).await,
                        204
                    );
                    for other in devices
                        .iter()
                        .filter(|o| o.actor.account_id == d.actor.account_id)
                    {
                        *other.transport.grants.borrow_mut() = grants.clone();
                    }
                }
                _ => devices.choose(&mut rng).unwrap().sync().await,
            }
        }
        admin.sync().await;
        let all = admin.store.view();
        for d in &devices {
            d.sync().await;
            let grants = d.transport.grants.borrow().clone();
            let mut expected: Vec<Uuid> = all
                .iter()
                .filter(|r| can_see(&grants, visibility(r.kind, &r.body)))
                .map(|r| r.id)
                .collect();
            let mut seen: Vec<Uuid> = d.store.view().iter().map(|r| r.id).collect();
            expected.sort();
            seen.sort();
            assert_eq!(
                seen, expected,
                "seed {seed}: a device holds exactly what it may see"
            );
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_worker_account_sees_only_its_own_record_wherever_it_moves() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("own.sqlite"), &[]);
    let admin = Device::new(&server, "quwei").await;
    let me = Device::new(&server, "zhanghm").await;
    admin.sync().await;
    me.sync().await;
    assert_eq!(me.names(), ["张红梅"]);
    let kinds = |d: &Device, k: RecordKind| d.store.view().iter().filter(|r| r.kind == k).count();
    assert_eq!(
        kinds(&me, RecordKind::Township),
        8,
        "reference data still comes"
    );

    // Moved to another township, she still sees herself, and nobody else.
    let (id, _) = admin
        .workers()
        .into_iter()
        .find(|(_, w)| w.name == "张红梅")
        .unwrap();
    let chengfu = admin.find(RecordKind::Organization, "亳州市城父镇志愿者协会");
    let to = chengfu.decode::<Organization>().unwrap().township_id;
    let mv = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id,
        organization_id: Some(chengfu.id),
        township_id: Some(to),
        years_in_post: Some(9),
        ..Default::default()
    });
    commit_local(&admin.store, &admin.actor, mv, Utc::now())
        .await
        .unwrap()
        .unwrap();
    admin.sync().await;
    me.sync().await;
    let mine = me.workers();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].1.township_id, mine[0].1.years_in_post), (to, 9));

    // A worker account reads; it may not edit, even its own record.
    let edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id,
        years_in_post: Some(1),
        ..Default::default()
    });
    let refusal = commit_local(&me.store, &me.actor, edit, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.code, RejectCode::Forbidden);
}

#[tokio::test(flavor = "current_thread")]
async fn a_photo_goes_up_before_the_mutation_that_names_it() {
    use hongling_core::BlobRef;
    use hongling_sync::{BlobEntry, commit_with_blobs};
    use sha2::{Digest, Sha256};

    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("blobs.sqlite"), &[]);
    let tablet = Device::new(&server, "zhidao01").await;
    let other = Device::new(&server, "quwei").await;
    tablet.sync().await;
    other.sync().await;
    let blob = |bytes: Vec<u8>| BlobEntry {
        sha256: BlobRef::parse(&hex::encode(Sha256::digest(&bytes))).unwrap(),
        mime: "image/jpeg".into(),
        bytes,
        uploaded: false,
    };
    let (zhang, _) = tablet
        .workers()
        .into_iter()
        .find(|(_, w)| w.name == "张红梅")
        .unwrap();

    // Taken offline and saved with the edit in one transaction; the sync uploads it first.
    let photo = blob((0..50_000u32).map(|i| (i % 253) as u8).collect());
    let edit = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        photo: Some(Some(photo.sha256.clone())),
        ..Default::default()
    });
    commit_with_blobs(
        &tablet.store,
        &tablet.actor,
        edit,
        Utc::now(),
        std::slice::from_ref(&photo),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!tablet.store.blob(&photo.sha256).unwrap().uploaded);
    tablet.sync().await;
    assert!(tablet.store.rejected().is_empty());
    assert!(tablet.store.blob(&photo.sha256).unwrap().uploaded);
    let got = reqwest::Client::new()
        .get(format!("{}/api/v1/blobs/{}", server.base, photo.sha256))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&other.transport.inner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().to_vec(), photo.bytes);
    other.sync().await;
    let seen = other
        .workers()
        .into_iter()
        .find(|(id, _)| *id == zhang)
        .unwrap();
    assert_eq!(seen.1.photo.as_ref(), Some(&photo.sha256));

    // A mutation naming bytes this device never had: the server refuses it with a
    // reason, the edit waits in the conflicts inbox, and the mutations behind it apply.
    let lost = blob(b"never stored here".to_vec());
    let named = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        photo: Some(Some(lost.sha256.clone())),
        ..Default::default()
    });
    commit_local(&tablet.store, &tablet.actor, named, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let after = Op::WorkerUpdateV1(WorkerUpdateV1 {
        id: zhang,
        years_in_post: Some(9),
        ..Default::default()
    });
    commit_local(&tablet.store, &tablet.actor, after, Utc::now())
        .await
        .unwrap()
        .unwrap();
    tablet.sync().await;
    let refused = tablet.store.rejected();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].code, "blob_missing");
    assert!(
        refused[0].message.contains("附件"),
        "{}",
        refused[0].message
    );
    let (_, now) = tablet
        .workers()
        .into_iter()
        .find(|(id, _)| *id == zhang)
        .unwrap();
    assert_eq!(now.years_in_post, 9);
    assert_eq!(
        now.photo.as_ref(),
        Some(&photo.sha256),
        "the refused photo is undone on the tablet"
    );
}

/// The signing keys as a device holds them, oldest first.
fn signing_keys(device: &Device) -> Vec<hongling_core::SigningPublicKey> {
    let mut keys: Vec<hongling_core::SigningPublicKey> = device
        .store
        .view()
        .into_iter()
        .filter(|r| r.kind == RecordKind::SigningKey)
        .map(|r| r.decode().unwrap())
        .collect();
    keys.sort_by_key(|k| k.created_at);
    keys
}

#[tokio::test(flavor = "current_thread")]
async fn every_device_pulls_the_signing_keys_and_a_rotation_keeps_the_old_one() {
    use base64::Engine;
    use sha2::{Digest, Sha256};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("keys.sqlite");
    let mut server = Server::start(&db, &[]);
    // The narrowest account there is: a worker who sees only their own record.
    let worker = Device::new(&server, "zhanghm").await;
    worker.sync().await;
    let keys = signing_keys(&worker);
    assert_eq!(keys.len(), 1, "one key on a new server");
    let first = keys[0].clone();
    assert_eq!(first.algorithm, "ed25519");
    assert_eq!(first.retired_at, None);
    let public = base64::engine::general_purpose::STANDARD
        .decode(&first.public_key)
        .unwrap();
    assert_eq!(public.len(), 32);
    assert_eq!(first.key_id, hex::encode(Sha256::digest(&public))[..16]);

    // A restart keeps the key; a rotation retires it and publishes a new one.
    server.kill9();
    let server = Server::start(&db, &[]);
    let worker = Device::new(&server, "zhanghm").await;
    worker.sync().await;
    assert_eq!(signing_keys(&worker), vec![first.clone()]);
    drop(server);
    let server = Server::start_args(&db, &[], &["--rotate-signing-key"]);
    let tablet = Device::new(&server, "zhidao01").await;
    tablet.sync().await;
    let keys = signing_keys(&tablet);
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].key_id, first.key_id);
    assert!(
        keys[0].retired_at.is_some(),
        "the old key is marked retired"
    );
    assert_eq!(keys[0].public_key, first.public_key, "and still published");
    assert_eq!(keys[1].retired_at, None);
    assert_ne!(keys[1].key_id, first.key_id);
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_id_card_number_reaches_only_the_committee_and_is_held_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("idcard.sqlite"), &[]);
    let tablet = Device::new(&server, "zhidao01").await;
    let other = Device::new(&server, "zhidao02").await;
    let committee = Device::new(&server, "quwei").await;
    for d in [&tablet, &other, &committee] {
        d.sync().await;
    }
    let org = tablet.find(RecordKind::Organization, "亳州市古井镇宏达酿造配套有限公司");
    let township = org.decode::<Organization>().unwrap().township_id;
    let new = |name: &str| WorkerCreateV1 {
        id: Uuid::new_v4(),
        name: name.into(),
        organization_id: org.id,
        township_id: township,
        role: WorkerRole::Secretary,
        management_post: String::new(),
        years_in_post: 1,
        photo: None,
        id_card: Some("11010519491231002X".into()),
    };
    let first = new("王芳");
    commit_local(
        &tablet.store,
        &tablet.actor,
        Op::WorkerCreateV1(first.clone()),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let full = |d: &Device| {
        d.store
            .view()
            .iter()
            .any(|r| r.body.to_string().contains("11010519491231002X"))
    };
    assert!(!full(&tablet), "not even before the first sync");
    tablet.sync().await;
    committee.sync().await;
    let (_, seen) = tablet
        .workers()
        .into_iter()
        .find(|(id, _)| *id == first.id)
        .unwrap();
    assert_eq!(seen.id_card_masked.as_deref(), Some("**************002X"));
    assert!(
        !full(&tablet),
        "the instructor's tablet holds the masked number only"
    );
    assert!(full(&committee), "the committee holds the full number");

    // The same number typed on another instructor's tablet, offline: accepted like any
    // other (a refusal would tell the instructor the number is registered), and put
    // before the committee as a duplicate.
    let twin = new("李明");
    commit_local(
        &other.store,
        &other.actor,
        Op::WorkerCreateV1(twin.clone()),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    other.sync().await;
    assert!(other.store.rejected().is_empty());
    assert!(other.names().contains(&"李明".to_owned()));
    assert!(!full(&other));
    committee.sync().await;
    let duplicate = committee
        .store
        .view()
        .into_iter()
        .find(|r| r.kind == RecordKind::IdCardDuplicate)
        .expect("the committee sees the duplicate");
    assert_eq!(duplicate.id, twin.id);
    assert_eq!(duplicate.body["holder_id"], first.id.to_string());
}
