//! A reader that does what the vDSO does, and a PRNG. (The fake kernel clock
//! is `starry_hooks::testing::FakeClock`.)

#![allow(dead_code)]

use std::sync::atomic::Ordering::Relaxed;

use axvdso_vvar::{
    CS_HRES_COARSE, CS_RAW, NANOS_PER_SEC, VDSO_COARSE, VvarPages, clock_id, read_begin, read_retry,
};

/// Reads clock `id` at `counter` exactly as the vDSO does (Linux 6.1
/// `do_hres` / `do_coarse`), in ns. Panics if the u64 arithmetic overflows.
pub fn read_nanos(pages: &VvarPages, id: u32, counter: u64) -> u128 {
    let record = if id == clock_id::MONOTONIC_RAW {
        CS_RAW
    } else {
        CS_HRES_COARSE
    };
    let data = &pages.data[record];
    let ts = &data.basetime[id as usize];
    let (cycle_last, mask, mult, shift, sec, nsec) = loop {
        let seq = read_begin(data);
        let fields = (
            data.cycle_last.load(Relaxed),
            data.mask.load(Relaxed),
            data.mult.load(Relaxed),
            data.shift.load(Relaxed),
            ts.sec.load(Relaxed),
            ts.nsec.load(Relaxed),
        );
        if !read_retry(data, seq) {
            break fields;
        }
    };
    let whole = sec as u128 * NANOS_PER_SEC as u128;
    if VDSO_COARSE & (1 << id) != 0 {
        return whole + nsec as u128;
    }
    assert!(
        counter >= cycle_last,
        "reader counter {counter} behind cycle_last {cycle_last}"
    );
    let delta = (counter - cycle_last) & mask;
    let product = delta
        .checked_mul(mult as u64)
        .expect("delta * mult overflows");
    let ns = nsec
        .checked_add(product)
        .expect("nsec + delta * mult overflows")
        >> shift;
    whole + ns as u128
}

/// xorshift64*: a small deterministic PRNG, so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..=hi` (bias irrelevant here).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi == u64::MAX && lo == 0 {
            return self.next_u64();
        }
        lo + self.next_u64() % (hi - lo + 1)
    }
}
