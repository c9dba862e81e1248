//! A contest day with no network, through the real server: each device registers its
//! Ed25519 key at login (published as `device_key`, marked revoked with the device), the
//! judges sign their sheets with it (`sheet.sign@2`) while offline, the administrator's
//! tablet relays the sheets it scanned (`sheet.relay@1`), and whichever reaches the server
//! first, every sheet is signed once, nothing is refused and nothing is lost.

mod common;

use base64::Engine;
use common::{Server, Tablet, push_raw};
use ed25519_dalek::{Signer, SigningKey};
use hongling_core::contest::signing::{DeviceKey, signed_bytes};
use hongling_core::contest::{
    Contest, ScoreSheet, SheetRelayV1, SheetSaveV1, SheetSignV2, SheetSignature, sheet_id,
    standings,
};
use hongling_core::wire::MutationStatus;
use hongling_core::{Op, RecordKind};
use uuid::Uuid;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A judge's tablet with its device key.
struct Judging {
    tablet: Tablet,
    key: SigningKey,
}

impl Judging {
    async fn new(base: &str, username: &str, seed: u8) -> Judging {
        let key = SigningKey::from_bytes(&[seed; 32]);
        let tablet =
            Tablet::login(base, username, Some(&b64(&key.verifying_key().to_bytes()))).await;
        Judging { tablet, key }
    }

    /// The judge's signed sheet, as the score sheet page makes it.
    fn sign(&self, contest: Uuid, contestant: Uuid, marks: [u32; 2]) -> SheetSignV2 {
        let marks: Vec<Option<u32>> = marks.into_iter().map(Some).collect();
        let judge = self.tablet.actor.account_id;
        let bytes = signed_bytes(contest, judge, contestant, 1, &marks, self.tablet.id);
        SheetSignV2 {
            contest_id: contest,
            judge_id: judge,
            contestant_id: contestant,
            marks,
            revision: 1,
            signature: SheetSignature {
                device_id: self.tablet.id,
                signature: b64(&self.key.sign(&bytes).to_bytes()),
            },
        }
    }
}

/// A contest of three contestants and the given judges, set up and synced.
async fn contest_of(admin: &Tablet, judges: &[&Judging]) -> (Uuid, Vec<Uuid>) {
    admin.sync().await;
    let tablets: Vec<&Tablet> = judges.iter().map(|j| &j.tablet).collect();
    let (contest, contestants) = common::create_contest(admin, &tablets).await;
    admin.sync().await;
    // Before the day: every judge holds the contest, the administrator every key.
    for j in judges {
        j.tablet.sync().await;
    }
    admin.sync().await;
    (contest, contestants.iter().map(|c| c.worker_id).collect())
}

fn relay(sheet: &SheetSignV2) -> Op {
    Op::SheetRelayV1(SheetRelayV1 {
        sheet: sheet.clone(),
    })
}

#[tokio::test(flavor = "current_thread")]
async fn a_device_key_is_checked_at_login_published_and_revoked_with_its_device() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("keys.sqlite"), &[]);
    let base = server.base.clone();

    // A key that is no Ed25519 public key: a clear 400, and no session.
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .header("x-hongling-protocol", "1")
        .json(
            &serde_json::json!({"username": "pingwei01", "password": "hongling2026",
            "device_id": Uuid::new_v4(), "device_key": b64(&[1; 31])}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_device_key");
    assert!(body["message"].as_str().unwrap().contains("设备公钥无效"));

    let judge = Judging::new(&base, "pingwei01", 11).await;
    let admin = Tablet::new(&base, "bisai01").await;
    admin.sync().await;
    let key: DeviceKey = admin
        .get(RecordKind::DeviceKey, judge.tablet.id)
        .expect("the administrator's tablet holds the judge's key");
    assert_eq!(key.account_id, judge.tablet.actor.account_id);
    assert_eq!(key.bytes(), Some(judge.key.verifying_key().to_bytes()));
    assert!(!key.revoked);

    // A sheet signed with it is relayed; once the committee revokes the device, the
    // record says so and a relayed sheet signed with it is refused.
    let (contest, contestants) = contest_of(&admin, &[&judge]).await;
    let committee = common::login(&base, "quwei", Uuid::new_v4()).await.token;
    let res = reqwest::Client::new()
        .post(format!(
            "{base}/api/v1/admin/devices/{}/revoke",
            judge.tablet.id
        ))
        .header("x-hongling-protocol", "1")
        .bearer_auth(&committee)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    admin.sync().await;
    let key: DeviceKey = admin.get(RecordKind::DeviceKey, judge.tablet.id).unwrap();
    assert!(key.revoked, "the revocation reaches the administrator");
    let refused = push_raw(
        &base,
        "bisai01",
        relay(&judge.sign(contest, contestants[0], [5000, 3000])),
    )
    .await;
    assert_eq!(refused.status, MutationStatus::Rejected);
    assert_eq!(refused.code.as_deref(), Some("forbidden"));
    admin.sync().await;
    let none: Option<ScoreSheet> = admin.get(
        RecordKind::ScoreSheet,
        sheet_id(contest, judge.tablet.actor.account_id, contestants[0]),
    );
    assert!(none.is_none(), "nothing was written");
}

#[tokio::test(flavor = "current_thread")]
async fn sheets_relayed_at_the_venue_and_the_judges_own_signing_meet_in_either_order() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("venue.sqlite"), &[]);
    let base = server.base.clone();
    let judges = [
        Judging::new(&base, "pingwei01", 21).await,
        Judging::new(&base, "pingwei02", 22).await,
        Judging::new(&base, "pingwei03", 23).await,
    ];
    let admin = Tablet::new(&base, "bisai01").await;
    let (contest, contestants) = contest_of(&admin, &[&judges[0], &judges[1], &judges[2]]).await;
    let (a, b, c) = (contestants[0], contestants[1], contestants[2]);

    // At the venue, nobody online. Each judge saves a draft of contestant A, then signs
    // A and B; the administrator scans every signed sheet and relays it.
    let mut signed = Vec::new();
    for (i, j) in judges.iter().enumerate() {
        let judge_id = j.tablet.actor.account_id;
        j.tablet
            .commit(Op::SheetSaveV1(SheetSaveV1 {
                contest_id: contest,
                judge_id,
                contestant_id: a,
                marks: vec![Some(4000), None],
            }))
            .await
            .unwrap();
        for (k, who) in [a, b].into_iter().enumerate() {
            let sheet = j.sign(contest, who, [5000 + 100 * (i as u32 + k as u32), 3000]);
            j.tablet
                .commit(Op::SheetSignV2(sheet.clone()))
                .await
                .unwrap();
            signed.push(sheet);
        }
    }
    for sheet in &signed {
        admin.commit(relay(sheet)).await.unwrap();
    }
    // The administrator's ranking of A and B is complete from scanned sheets alone.
    let setup: Contest = admin.get(RecordKind::Contest, contest).unwrap();
    let sheets: Vec<ScoreSheet> = admin
        .all::<ScoreSheet>(RecordKind::ScoreSheet)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    let lines = standings(&setup, &sheets);
    let line = |who: Uuid| lines.iter().find(|l| l.contestant_id == who).unwrap();
    assert!(line(a).missing.is_empty() && line(b).missing.is_empty());
    assert_eq!(line(b).score.as_deref(), Some("82.00"));
    assert_eq!(line(a).score.as_deref(), Some("81.00"));
    assert_eq!(line(b).rank, Some(1));

    // Contestant C performs after the scan: the judges go on signing offline, mutations
    // later in their sequences than the relayed ones.
    for j in &judges {
        let sheet = j.sign(contest, c, [5500, 3500]);
        j.tablet
            .commit(Op::SheetSignV2(sheet.clone()))
            .await
            .unwrap();
        signed.push(sheet);
    }
    // Judge 1 syncs before the administrator (judge first), the others after it (relay
    // first).
    judges[0].tablet.sync().await;
    admin.sync().await;
    judges[1].tablet.sync().await;
    judges[2].tablet.sync().await;
    admin.sync().await;
    for t in [
        &admin,
        &judges[0].tablet,
        &judges[1].tablet,
        &judges[2].tablet,
    ] {
        assert!(t.store.outbox().is_empty(), "everything was sent");
        assert!(
            t.store.rejected().is_empty(),
            "no 待处理 entry: {:?}",
            t.store.rejected()
        );
    }
    // Every sheet is signed once, with the judge's own device signature, marks as signed.
    let held: Vec<ScoreSheet> = admin
        .all::<ScoreSheet>(RecordKind::ScoreSheet)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(held.len(), 9, "no duplicate");
    for sheet in &signed {
        let s = held
            .iter()
            .find(|h| h.judge_id == sheet.judge_id && h.contestant_id == sheet.contestant_id)
            .expect("no loss");
        assert!(s.lock.is_signed());
        assert_eq!(s.marks, sheet.marks);
        assert_eq!(s.signature.as_ref(), Some(&sheet.signature));
        assert!(!s.relayed, "the judge's own signing arrived too");
    }
    // Each judge holds their own three sheets, all signed by their own op.
    for j in &judges {
        let own: Vec<ScoreSheet> = j
            .tablet
            .all::<ScoreSheet>(RecordKind::ScoreSheet)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(own.len(), 3);
        assert!(own.iter().all(|s| s.lock.is_signed() && !s.relayed));
    }

    // A relayed sheet whose marks differ from the signed ones is a conflict the
    // administrator sees, never dropped: signed by the judge's key over other marks.
    let other = judges[0].sign(contest, a, [1000, 1000]);
    let conflict = push_raw(&base, "bisai01", relay(&other)).await;
    assert_eq!(conflict.status, MutationStatus::Rejected);
    assert_eq!(conflict.code.as_deref(), Some("already_decided"));
}

#[tokio::test(flavor = "current_thread")]
async fn the_pre_contest_check_wants_the_draw_and_every_judge_tablet_current_and_registered() {
    use hongling_core::contest::ContestDrawV2;
    use hongling_core::contest::readiness::Readiness;
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("check.sqlite"), &[]);
    let base = server.base.clone();
    let judges = [
        Judging::new(&base, "pingwei01", 31).await,
        Judging::new(&base, "pingwei02", 32).await,
    ];
    let admin = Tablet::new(&base, "bisai01").await;
    let (contest, _) = contest_of(&admin, &[&judges[0], &judges[1]]).await;
    let token = common::login(&base, "bisai01", Uuid::new_v4()).await.token;
    let check = || async {
        let (status, body) =
            common::get(&base, &format!("/contests/{contest}/readiness"), &token).await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value::<Readiness>(body).unwrap()
    };

    // Set up and on both tablets, keys registered, but not drawn yet.
    let r = check().await;
    assert!(!r.drawn && !r.ready());
    assert!(r.judges.iter().all(|j| j.ready()), "{r:?}");

    // Drawn: a tablet that has not pulled since holds an old setup.
    admin
        .commit(Op::ContestDrawV2(ContestDrawV2 {
            id: contest,
            seed: "2026-12-05 区委党校 037".into(),
        }))
        .await
        .unwrap();
    admin.sync().await;
    judges[0].tablet.sync().await;
    let r = check().await;
    assert!(r.drawn);
    assert!(r.judges[0].ready());
    assert!(!r.judges[1].devices[0].current && !r.ready());
    judges[1].tablet.sync().await;
    assert!(check().await.ready());

    // A judge's own device is not the administrator's business: refused.
    let judge_token = common::login(&base, "pingwei01", Uuid::new_v4())
        .await
        .token;
    let (status, body) = common::get(
        &base,
        &format!("/contests/{contest}/readiness"),
        &judge_token,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "forbidden");
    let (status, body) = common::get(
        &base,
        &format!("/contests/{}/readiness", Uuid::new_v4()),
        &token,
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("not_found"))
    );
}
