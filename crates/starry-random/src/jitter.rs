//! Entropy from timing jitter: the counter, read around work whose duration
//! varies.

use blake2::{Blake2s256, Digest};

/// How many counter samples [`seed_from_jitter`](crate::seed_from_jitter)
/// takes.
pub const JITTER_SAMPLES: usize = 4096;

/// The result of sampling: the digest of every sample, and how many samples
/// saw a different counter delta than the one before (a rough measure of how
/// much the timing varied; 0 means a counter that never moved).
pub(crate) struct Jitter {
    pub(crate) digest: [u8; 32],
    pub(crate) changes: usize,
}

/// Reads `read_counter` [`JITTER_SAMPLES`] times, each time after hashing a
/// number of blocks chosen by the previous reading, and hashes every reading.
///
/// The work's duration depends on caches, TLBs, interrupts, the host's
/// scheduling of a virtual CPU and the counter's phase, none of which an
/// observer of the boot can reproduce exactly; the work's length depends on
/// the last reading, so that variations compound.
pub(crate) fn sample(read_counter: &dyn Fn() -> u64) -> Jitter {
    let mut samples = Blake2s256::new();
    let mut work = Blake2s256::new();
    let mut block = [0u8; 64];
    let mut prev = read_counter();
    let mut prev_delta = 0;
    let mut changes = 0;
    for i in 0..JITTER_SAMPLES {
        let blocks = 1 + (prev as usize ^ i) % 4;
        for _ in 0..blocks {
            block[..8].copy_from_slice(&prev.to_le_bytes());
            work.update(block);
        }
        let now = read_counter();
        let delta = now.wrapping_sub(prev);
        if delta != prev_delta {
            changes += 1;
        }
        samples.update(now.to_le_bytes());
        (prev, prev_delta) = (now, delta);
    }
    samples.update(work.finalize());
    Jitter {
        digest: samples.finalize().into(),
        changes,
    }
}

#[cfg(test)]
mod tests {
    use core::cell::Cell;

    use super::*;

    #[test]
    fn a_still_counter_shows_no_changes() {
        let jitter = sample(&|| 42);
        assert_eq!(jitter.changes, 0);
    }

    #[test]
    fn the_digest_follows_the_readings() {
        let slow = Cell::new(0u64);
        let fast = Cell::new(0u64);
        let a = sample(&|| {
            slow.set(slow.get() + 1);
            slow.get()
        });
        let b = sample(&|| {
            fast.set(fast.get() + 2);
            fast.get()
        });
        assert_ne!(a.digest, b.digest);
    }

    #[test]
    fn a_real_clock_jitters() {
        let start = std::time::Instant::now();
        let jitter = sample(&|| start.elapsed().as_nanos() as u64);
        assert!(jitter.changes > 0);
    }
}
