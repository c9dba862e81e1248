//! When to try again after a failed sync: exponential backoff with full jitter.

/// Retry delays: `base · 2^attempt`, capped, then a random point below it ("full
/// jitter"), so a room of tablets coming back online does not retry in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_ms: u64,
    pub max_ms: u64,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base_ms: 2_000,
            max_ms: 5 * 60_000,
        }
    }
}

impl Backoff {
    /// The delay before retry number `attempt` (0 for the first retry), given a random
    /// number in `0.0..1.0`.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> u64 {
        let ceiling = self
            .base_ms
            .saturating_mul(1u64 << attempt.min(30))
            .min(self.max_ms);
        let random = random.clamp(0.0, 1.0);
        // At least a tenth of the ceiling, so a retry never spins.
        (ceiling as f64 * (0.1 + 0.9 * random)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_then_stop_at_the_cap_and_stay_within_the_ceiling() {
        let b = Backoff {
            base_ms: 1_000,
            max_ms: 60_000,
        };
        assert_eq!(b.delay_ms(0, 1.0), 1_000);
        assert_eq!(b.delay_ms(3, 1.0), 8_000);
        assert_eq!(b.delay_ms(10, 1.0), 60_000);
        assert_eq!(b.delay_ms(40, 1.0), 60_000);
        assert_eq!(b.delay_ms(3, 0.0), 800);
        for attempt in 0..12 {
            for r in [0.0, 0.3, 0.99] {
                let d = b.delay_ms(attempt, r);
                assert!((100..=60_000).contains(&d), "{attempt} {r} {d}");
            }
        }
    }
}
