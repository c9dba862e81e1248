//! Login attempt limits, per account and per address.
//!
//! Kept in memory: a restart forgets them, which is acceptable for slowing down password
//! guessing (argon2 already makes each guess cost ~20 ms of a core). With several server
//! instances each keeps its own count.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Failed logins allowed per account in [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
/// Failed logins allowed per client address in [`WINDOW`].
pub const PER_ADDRESS: usize = 20;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: HashMap<String, VecDeque<Instant>>,
}

impl LoginLimiter {
    fn recent(&mut self, key: &str, now: Instant) -> &mut VecDeque<Instant> {
        let q = self.failures.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
            q.pop_front();
        }
        q
    }

    /// How long until `account` from `address` may try again; `None` when it may now.
    pub fn wait(&mut self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let mut wait = None;
        for (key, max) in [
            (format!("a:{account}"), PER_ACCOUNT),
            (format!("ip:{address}"), PER_ADDRESS),
        ] {
            let q = self.recent(&key, now);
            if q.len() >= max {
                let until = q[q.len() - max] + WINDOW;
                let w = until.saturating_duration_since(now);
                wait = Some(wait.map_or(w, |x: Duration| x.max(w)));
            }
        }
        wait
    }

    pub fn failed(&mut self, account: &str, address: &str, now: Instant) {
        for key in [format!("a:{account}"), format!("ip:{address}")] {
            self.recent(&key, now).push_back(now);
        }
    }

    pub fn succeeded(&mut self, account: &str) {
        self.failures.remove(&format!("a:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_held_after_five_failures_until_the_window_passes() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_ACCOUNT {
            assert_eq!(l.wait("zhidao01", "1.2.3.4", t0), None, "attempt {i}");
            l.failed("zhidao01", "1.2.3.4", t0);
        }
        assert_eq!(
            l.wait("zhidao01", "5.6.7.8", t0),
            Some(WINDOW),
            "any address"
        );
        assert_eq!(
            l.wait("zhidao02", "5.6.7.8", t0),
            None,
            "other accounts are not held"
        );
        assert_eq!(l.wait("zhidao01", "1.2.3.4", t0 + WINDOW), None);
    }

    #[test]
    fn an_address_is_held_after_twenty_failures_on_any_accounts() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        for i in 0..PER_ADDRESS {
            l.failed(&format!("user{i}"), "9.9.9.9", t0);
        }
        assert!(l.wait("someone", "9.9.9.9", t0).is_some());
        assert_eq!(l.wait("someone", "9.9.9.8", t0), None);
    }

    #[test]
    fn a_success_clears_the_account() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..PER_ACCOUNT - 1 {
            l.failed("quwei", "1.1.1.1", t0);
        }
        l.succeeded("quwei");
        l.failed("quwei", "1.1.1.1", t0);
        assert_eq!(l.wait("quwei", "1.1.1.2", t0), None);
    }
}
