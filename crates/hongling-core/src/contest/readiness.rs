//! 赛前检查: is everything in place for a contest day with no network?
//!
//! Why: at the venue nothing can be fixed by syncing. Whatever the administrator decided
//! (the setup, the draw) must already be on every judge's tablet, each tablet's key must
//! be registered (or the administrator's tablet cannot check its sheets), and each tablet
//! must still be inside its offline grace period on the day (or it locks itself). The
//! server knows which change each device last pulled and when it last heard from it; this
//! module decides, once, what that means.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Contest;
use super::signing::DeviceKey;

/// What the server knows of one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceContact {
    pub account_id: Uuid,
    pub device_id: Uuid,
    /// The change number its last complete pull reached.
    pub pulled_seq: u64,
    /// When the server last heard from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked: bool,
}

/// One judge's tablet, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceReadiness {
    pub device_id: Uuid,
    /// Its key is registered and not revoked.
    pub key: bool,
    /// It holds the contest as it stands now (setup and draw).
    pub current: bool,
    /// The last day it works offline, from its last contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub works_until: Option<NaiveDate>,
    /// It still works offline on the contest day.
    pub in_grace: bool,
}

impl DeviceReadiness {
    pub fn ready(&self) -> bool {
        self.key && self.current && self.in_grace
    }
}

/// One judge: ready when at least one of their tablets is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeReadiness {
    pub judge_id: Uuid,
    pub name: String,
    pub devices: Vec<DeviceReadiness>,
}

impl JudgeReadiness {
    pub fn ready(&self) -> bool {
        self.devices.iter().any(DeviceReadiness::ready)
    }
}

/// The whole check (`GET /api/v1/contests/{id}/readiness`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub contest_id: Uuid,
    /// The running order is drawn.
    pub drawn: bool,
    pub judges: Vec<JudgeReadiness>,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.drawn && !self.judges.is_empty() && self.judges.iter().all(JudgeReadiness::ready)
    }
}

/// Checks a contest whose record is at change `version` against what the server knows
/// of its judges' devices (`keys`: the `device_key` records by device id), with the
/// server's offline grace period.
pub fn check(
    id: Uuid,
    c: &Contest,
    version: u64,
    devices: &[DeviceContact],
    keys: &[(Uuid, DeviceKey)],
    grace_days: u32,
) -> Readiness {
    let judges = c
        .all_judges()
        .into_iter()
        .filter(|j| !c.judge_absences.iter().any(|a| a.judge_id == j.account_id))
        .map(|j| JudgeReadiness {
            judge_id: j.account_id,
            name: j.name.clone(),
            devices: devices
                .iter()
                .filter(|d| d.account_id == j.account_id && !d.revoked)
                .map(|d| {
                    let works_until = d.last_contact.map(|at| {
                        crate::kernel::time::china_today(at + Duration::days(i64::from(grace_days)))
                    });
                    DeviceReadiness {
                        device_id: d.device_id,
                        key: keys.iter().any(|(device, k)| {
                            *device == d.device_id && k.account_id == j.account_id && !k.revoked
                        }),
                        current: d.pulled_seq >= version,
                        works_until,
                        in_grace: works_until.is_some_and(|last| last >= c.date),
                    }
                })
                .collect(),
        })
        .collect();
    Readiness {
        contest_id: id,
        drawn: !c.order.is_empty(),
        judges,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contest::Judge;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_judge_is_ready_with_one_current_registered_tablet_in_grace() {
        let mut c: Contest = serde_json::from_value(serde_json::json!({
            "title": "实训比赛", "date": "2026-12-20", "venue": "区委党校",
            "created_by": "00000000-0000-0000-0000-000000000000",
            "rubric": [], "contestants": [], "judges": [], "trim_from": 5, "tie_break": []
        }))
        .unwrap();
        c.judges = vec![
            Judge {
                account_id: id(1),
                name: "评委一".into(),
            },
            Judge {
                account_id: id(2),
                name: "评委二".into(),
            },
        ];
        let at = |d: u32| Some(format!("2026-12-{d:02}T02:00:00Z").parse().unwrap());
        let contact = |account: u128, device: u128, seq: u64, last| DeviceContact {
            account_id: id(account),
            device_id: id(device),
            pulled_seq: seq,
            last_contact: last,
            revoked: false,
        };
        let key = |account: u128, revoked: bool| DeviceKey {
            account_id: id(account),
            public_key: String::new(),
            revoked,
        };
        let devices = [
            // Judge 1: an old phone that missed the draw, and a ready tablet.
            contact(1, 11, 40, at(6)),
            contact(1, 12, 50, at(6)),
            // Judge 2: current and registered, but last seen too long ago for the day.
            contact(2, 21, 55, at(3)),
        ];
        let keys = [
            (id(11), key(1, false)),
            (id(12), key(1, false)),
            (id(21), key(2, false)),
        ];
        let r = check(id(9), &c, 50, &devices, &keys, 14);
        assert!(!r.drawn, "no draw yet");
        let one = &r.judges[0];
        assert!(!one.devices[0].current && one.devices[1].ready() && one.ready());
        let two = &r.judges[1];
        assert_eq!(
            two.devices[0].works_until,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 17)
        );
        assert!(!two.ready());
        assert!(!r.ready());
        // Drawn, judge 2 seen lately: ready. A revoked key is not a key.
        c.order = vec![id(5)];
        let devices = [contact(1, 12, 50, at(6)), contact(2, 21, 55, at(10))];
        assert!(check(id(9), &c, 50, &devices, &keys, 14).ready());
        let revoked = [(id(12), key(1, true)), (id(21), key(2, false))];
        let r = check(id(9), &c, 50, &devices, &revoked, 14);
        assert!(!r.judges[0].devices[0].key && !r.ready());
    }
}
