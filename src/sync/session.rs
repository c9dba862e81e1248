//! The login kept in local storage: token, device id and account.
//!
//! The device id is made at login and kept until logout; the server binds it to the
//! account. Two tabs of the same browser profile share it (and the mutation ids, which
//! IndexedDB hands out).

use chrono::{DateTime, Utc};
use gloo_storage::{LocalStorage, Storage};
use hongling_core::Actor;
use hongling_core::wire::{AccountInfo, LoginResponse, SessionEnding};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const SESSION_KEY: &str = "hongling.session";
const DEVICE_KEY: &str = "hongling.device";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub device_id: Uuid,
    pub account: AccountInfo,
    pub logged_in_at: DateTime<Utc>,
    /// The last time the server answered (login or a successful sync).
    #[serde(default = "Utc::now")]
    pub last_online: DateTime<Utc>,
    #[serde(default = "default_grace")]
    pub offline_grace_days: u32,
    /// The password was set by someone else: the app shows only 修改密码 until the user
    /// sets their own.
    #[serde(default)]
    pub must_change_password: bool,
    /// The server holds demo data: every screen says 演示环境.
    #[serde(default)]
    pub demo: bool,
    /// The server ended this session (disabled account, revoked device, password changed,
    /// logged out elsewhere or unused): the app shows only the locked screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<SessionEnding>,
}

fn default_grace() -> u32 {
    hongling_core::wire::DEFAULT_GRACE_DAYS
}

impl Session {
    /// The session a login on `device_id` answered with.
    pub fn from_login(reply: LoginResponse, device_id: Uuid) -> Session {
        Session {
            token: reply.token,
            device_id,
            account: reply.account,
            logged_in_at: Utc::now(),
            last_online: Utc::now(),
            offline_grace_days: reply.offline_grace_days,
            must_change_password: reply.must_change_password,
            demo: reply.demo,
            ended: None,
        }
    }

    pub fn load() -> Option<Session> {
        LocalStorage::get(SESSION_KEY).ok()
    }

    pub fn save(&self) {
        let _ = LocalStorage::set(SESSION_KEY, self);
    }

    /// Forgets the session and the device id.
    pub fn clear() {
        LocalStorage::delete(SESSION_KEY);
        LocalStorage::delete(DEVICE_KEY);
    }

    /// This browser profile's device id, made on first use.
    pub fn device_id() -> Uuid {
        if let Ok(id) = LocalStorage::get::<Uuid>(DEVICE_KEY) {
            return id;
        }
        let id = Uuid::new_v4();
        let _ = LocalStorage::set(DEVICE_KEY, id);
        id
    }

    /// Until when the app may be used without reaching the server.
    pub fn grace_until(&self) -> DateTime<Utc> {
        self.last_online + chrono::Duration::days(i64::from(self.offline_grace_days))
    }

    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.account.id,
            grants: self.account.grants.clone(),
        }
    }
}
