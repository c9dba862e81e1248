//! Login attempt limits, per (account, address) pair, with bounded memory.
//!
//! Why a pair: counting per account lets anyone hold the owner out of their own tablet by
//! guessing wrongly from elsewhere, and counting per address lets one user behind an
//! office's shared address hold all the others. A pair is held only by its own failures.
//!
//! An attempt is counted *before* its password is hashed, so N requests sent at once get
//! no more guesses than [`ALLOWED`]; a success clears the pair. A held pair is refused at
//! once (the server never sleeps on a request) and each failure after a hold doubles the
//! next one, up to [`MAX_HOLD`].
//!
//! Kept in memory: a restart forgets the counts, which is acceptable for slowing down
//! guessing (each guess costs an argon2id hash). Entries expire [`FORGET_AFTER`] after
//! their last failure or the end of their hold, whichever is later, are pruned at most
//! once per [`PRUNE_EVERY`] (or at once when full), and there are never more than the
//! cap; when full, the tenth settled longest ago goes at once (held pairs last), so a
//! flood of new pairs costs O(1) each, amortised. With several server instances each
//! keeps its own counts.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Failed logins a pair may make before it is held.
pub const ALLOWED: u32 = 5;
/// The first hold; each further failure doubles it.
pub const FIRST_HOLD: Duration = Duration::from_secs(60);
/// The longest hold.
pub const MAX_HOLD: Duration = Duration::from_secs(60 * 60);
/// A pair with no failure for this long (and no hold left) starts again from zero.
pub const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// How often expired entries are swept out.
pub const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// The most pairs kept by default.
pub const DEFAULT_CAP: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
    held_until: Option<Instant>,
}

impl Entry {
    /// When the pair last mattered: its last failure, or the end of its hold if later.
    /// Forgetting counts from here, so a long hold is not forgotten as it ends, and the
    /// eviction of a full limiter takes held pairs last.
    fn settled(&self) -> Instant {
        self.held_until.map_or(self.last, |h| h.max(self.last))
    }

    fn expired(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.settled()) >= FORGET_AFTER
    }
}

#[derive(Debug)]
pub struct LoginLimiter {
    pairs: HashMap<(String, String), Entry>,
    cap: usize,
    last_prune: Option<Instant>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::with_cap(DEFAULT_CAP)
    }
}

/// The hold a pair gets after its `failures`-th failure, if any.
fn hold_for(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(ALLOWED)?;
    Some(
        FIRST_HOLD
            .checked_mul(1u32.checked_shl(over).unwrap_or(u32::MAX))
            .map_or(MAX_HOLD, |d| d.min(MAX_HOLD)),
    )
}

impl LoginLimiter {
    pub fn with_cap(cap: usize) -> Self {
        Self {
            pairs: HashMap::new(),
            cap: cap.max(1),
            last_prune: None,
        }
    }

    /// How many pairs are kept now.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    fn prune(&mut self, now: Instant, force: bool) {
        let due = self
            .last_prune
            .is_none_or(|t| now.saturating_duration_since(t) >= PRUNE_EVERY);
        if !(due || force) {
            return;
        }
        self.last_prune = Some(now);
        self.pairs.retain(|_, e| !e.expired(now));
    }

    /// Counts an attempt by `account` from `address` before its password is checked:
    /// `Err(wait)` when the pair is held (refuse it, saying when to try again), otherwise
    /// the attempt counts as a failure until [`Self::succeeded`] clears it.
    pub fn attempt(&mut self, account: &str, address: &str, now: Instant) -> Result<(), Duration> {
        self.prune(now, false);
        let key = (account.to_owned(), address.to_owned());
        if !self.pairs.contains_key(&key) && self.pairs.len() >= self.cap {
            self.prune(now, true);
            self.evict_idlest();
        }
        let entry = self.pairs.entry(key).or_insert(Entry {
            failures: 0,
            last: now,
            held_until: None,
        });
        if entry.expired(now) {
            *entry = Entry {
                failures: 0,
                last: now,
                held_until: None,
            };
        }
        if let Some(until) = entry.held_until.filter(|h| *h > now) {
            return Err(until - now);
        }
        entry.failures += 1;
        entry.last = now;
        entry.held_until = hold_for(entry.failures).map(|d| now + d);
        Ok(())
    }

    /// Makes room when full: the tenth of the pairs settled longest ago go at once (held
    /// pairs last, so a flood of new pairs cannot buy a held one fresh guesses), so the
    /// sweep is paid once per tenth of the cap and not on every new pair (a flood of new
    /// pairs costs O(1) each, amortised).
    fn evict_idlest(&mut self) {
        if self.pairs.len() < self.cap {
            return;
        }
        let room = (self.cap / 10).max(1);
        let mut by_age: Vec<(Instant, (String, String))> = self
            .pairs
            .iter()
            .map(|(k, e)| (e.settled(), k.clone()))
            .collect();
        let cut = room.min(by_age.len()) - 1;
        by_age.select_nth_unstable_by_key(cut, |(last, _)| *last);
        for (_, key) in by_age.into_iter().take(room) {
            self.pairs.remove(&key);
        }
    }

    /// How long the pair is held from `now`, without counting an attempt: after a failed
    /// login, whether that failure started (or lengthened) a hold.
    pub fn held_for(&self, account: &str, address: &str, now: Instant) -> Option<Duration> {
        let entry = self.pairs.get(&(account.to_owned(), address.to_owned()))?;
        entry.held_until.filter(|h| *h > now).map(|h| h - now)
    }

    /// The password was right: the pair starts again from zero.
    pub fn succeeded(&mut self, account: &str, address: &str) {
        self.pairs.remove(&(account.to_owned(), address.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guesses(l: &mut LoginLimiter, account: &str, address: &str, now: Instant) -> u32 {
        let mut n = 0;
        while l.attempt(account, address, now).is_ok() {
            n += 1;
            assert!(n < 100, "never held");
        }
        n
    }

    #[test]
    fn attempts_sent_at_once_get_no_more_guesses_than_allowed() {
        // Every attempt is counted before any of them is checked.
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        assert_eq!(guesses(&mut l, "zhidao01", "1.2.3.4", t0), ALLOWED);
        assert_eq!(l.attempt("zhidao01", "1.2.3.4", t0), Err(FIRST_HOLD));
    }

    #[test]
    fn a_guesser_elsewhere_holds_neither_the_owner_nor_the_office() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        guesses(&mut l, "zhidao01", "6.6.6.6", t0);
        assert!(l.attempt("zhidao01", "6.6.6.6", t0).is_err());
        assert_eq!(
            l.attempt("zhidao01", "1.2.3.4", t0),
            Ok(()),
            "the owner's tablet"
        );
        assert_eq!(
            l.attempt("zhidao02", "6.6.6.6", t0),
            Ok(()),
            "another user there"
        );
    }

    #[test]
    fn each_failure_after_a_hold_doubles_the_next_one_up_to_an_hour() {
        let mut l = LoginLimiter::default();
        let mut now = Instant::now();
        guesses(&mut l, "quwei", "1.1.1.1", now);
        let mut expected = FIRST_HOLD;
        for _ in 0..10 {
            let wait = l.attempt("quwei", "1.1.1.1", now).unwrap_err();
            assert_eq!(wait, expected);
            now += wait;
            l.attempt("quwei", "1.1.1.1", now).unwrap();
            expected = (expected * 2).min(MAX_HOLD);
        }
        assert_eq!(expected, MAX_HOLD);
    }

    #[test]
    fn a_success_clears_the_pair_and_quiet_pairs_are_forgotten() {
        let mut l = LoginLimiter::default();
        let t0 = Instant::now();
        for _ in 0..ALLOWED - 1 {
            l.attempt("quwei", "1.1.1.1", t0).unwrap();
        }
        l.succeeded("quwei", "1.1.1.1");
        assert_eq!(guesses(&mut l, "quwei", "1.1.1.1", t0), ALLOWED);
        // Held: a quiet time after the hold ends, the pair starts from zero again; not
        // before, or a long hold would be forgotten as it ends.
        let t1 = t0 + FORGET_AFTER;
        assert_eq!(l.attempt("quwei", "1.1.1.1", t1), Ok(()), "one more guess");
        assert_eq!(l.attempt("quwei", "1.1.1.1", t1), Err(FIRST_HOLD * 2));
        let later = t1 + FIRST_HOLD * 2 + FORGET_AFTER;
        assert_eq!(guesses(&mut l, "quwei", "1.1.1.1", later), ALLOWED);
    }

    #[test]
    fn memory_is_bounded_by_the_cap_and_expired_pairs_are_swept() {
        let mut l = LoginLimiter::with_cap(1_000);
        let t0 = Instant::now();
        // Held early, then busy: a flood of new pairs evicts the idlest, not this one.
        guesses(&mut l, "quwei", "9.9.9.9", t0);
        for i in 0..5_000u64 {
            let now = t0 + Duration::from_millis(i);
            l.attempt(&format!("random{i}"), "2.2.2.2", now).unwrap();
            if i % 500 == 0 {
                assert!(l.attempt("quwei", "9.9.9.9", now).is_err(), "still held");
            }
            assert!(l.len() <= 1_000);
        }
        assert!(l.len() > 900);
        // Once every hold is over and the quiet time has passed, the next sweep takes all.
        let t1 = t0 + FIRST_HOLD * 2 + FORGET_AFTER;
        l.attempt("someone", "3.3.3.3", t1).unwrap();
        assert_eq!(l.len(), 1, "the expired pairs were swept");
    }
}
