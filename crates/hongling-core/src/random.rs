//! Seeded random ops for the property and fuzzing tests (feature `arbitrary`, which only
//! test dev-dependencies turn on). One seed replays a whole run, so a failure found once
//! can be run again with the seed it printed.

use arbitrary::{Arbitrary, Unstructured};

use crate::Op;

/// SplitMix64: small, fast, and every value follows from the seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (which must not be 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// A random op of any type, its fields drawn by `arbitrary`.
    pub fn op(&mut self) -> Op {
        loop {
            let data = self.bytes(4096);
            if let Ok(op) = Op::arbitrary(&mut Unstructured::new(&data)) {
                return op;
            }
        }
    }
}
