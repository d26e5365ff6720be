//! The generator's random source: ChaCha8 seeded from sha256(seed, stream name), with our own
//! integer sampling and shuffling.
//!
//! `rand`'s distributions may change their output between minor releases; only the raw ChaCha
//! stream is guaranteed stable, so everything derived from it is implemented here. That keeps the
//! committed suite files reproducible from `--seed` across dependency upgrades.

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Deterministic random source for one generation stream.
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// A stream named `stream` under `seed`; distinct names give independent streams, so a split
    /// generated alone equals the same split generated alongside others.
    pub fn new(seed: u64, stream: &str) -> Rng {
        let mut h = Sha256::new();
        h.update(b"thimble-assistant\0");
        h.update(seed.to_le_bytes());
        h.update(stream.as_bytes());
        Rng(ChaCha8Rng::from_seed(h.finalize().into()))
    }

    /// Uniform in `0..n`; `n == 0` yields 0.
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let n = n as u64;
        // Rejection keeps the draw exactly uniform: values in the short last bucket are redrawn.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.0.next_u64();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 as usize + 1;
        lo + self.below(span) as i64
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    /// One element; callers only pass catalogue data, which tests keep non-empty.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

/// A stable 64-bit mix (splitmix64 finaliser) for hash-based value splitting.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over a string, fed through `mix`; used to assign generated strings to a split side.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}
