//! Kernel clocks on the real TSC, the counter the x86_64 vDSO reads: a
//! `starry_hooks::testing::FakeClock` whose counter [`MappedVdso`] moves to the
//! TSC before every update.
//!
//! [`MappedVdso`]: super::vdso::MappedVdso

use std::{
    arch::x86_64::{_mm_lfence, _rdtsc},
    time::Duration,
};

use starry_hooks::testing::FakeClock;

use super::host;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// 1_000_000.123456789 s of monotonic time at the start.
pub const FAKE_MONO0: u64 = 1_000_000 * NANOS_PER_SEC + 123_456_789;
/// Wall time minus monotonic time: 1_700_000_000.5 s.
pub const FAKE_WALL_OFFSET: u64 = 1_700_000_000 * NANOS_PER_SEC + 500_000_000;
/// An unusual tick period, so that `coarse_res` is recognisable: 3.333333 ms.
pub const FAKE_TICK: u64 = 3_333_333;

/// The TSC, read the way the vDSO reads it (`lfence; rdtsc`), plus an
/// `lfence` after, so that a sample taken after a vDSO call is not older than
/// the counter the call read.
pub fn rdtsc() -> u64 {
    // SAFETY: lfence (SSE2, part of x86_64) only orders instructions; rdtsc
    // only reads the time-stamp counter, which user space may read on Linux
    // x86_64 (CR4.TSD is clear, or the vDSO itself would not work).
    unsafe {
        _mm_lfence();
        let tsc = _rdtsc();
        _mm_lfence();
        tsc
    }
}

/// A clock that claims the TSC runs at exactly 1 GHz, from the TSC now.
///
/// That makes the writer's conversion exact (`mult = 1 << shift`, no
/// fraction), so the vDSO's monotonic time at TSC value `t` is exactly
/// [`FAKE_MONO0`]` + (t - tsc0)` ns, and a test can compute what the vDSO must
/// return at any counter sample (`monotonic_nanos_at`, `wall_nanos_at`). The
/// values are far from the host's clocks, so a fallback to the host syscall is
/// told apart from a page read.
pub fn fake_tsc_clock() -> FakeClock {
    let tsc0 = rdtsc();
    FakeClock::new(NANOS_PER_SEC, tsc0)
        .with_origin(tsc0)
        .with_monotonic_start_nanos(FAKE_MONO0)
        .with_wall_offset_nanos(FAKE_WALL_OFFSET)
        .with_tick_period_nanos(FAKE_TICK)
}

/// A clock on the TSC at its real frequency, measured against the host's
/// `CLOCK_MONOTONIC` over `window`, and set to the host's monotonic and wall
/// time, with a 4 ms tick.
///
/// Each end of the window is the middle of a `rdtsc` pair around a
/// `clock_gettime` syscall, so the error of an end is at most half the
/// syscall's latency (a few µs unless preempted): with a 100 ms window the
/// frequency is off by well under 100 ppm.
pub fn calibrated_tsc_clock(window: Duration) -> FakeClock {
    let sample = || {
        // Keep the tightest of a few tries (the least disturbed one).
        (0..5)
            .map(|_| {
                let before = rdtsc();
                let mono = host::clock_gettime(libc::CLOCK_MONOTONIC).unwrap().nanos() as u64;
                let after = rdtsc();
                (after - before, before + (after - before) / 2, mono)
            })
            .min()
            .map(|(_, tsc, mono)| (tsc, mono))
            .unwrap()
    };
    let (tsc0, mono0) = sample();
    std::thread::sleep(window);
    let (tsc1, mono1) = sample();
    let freq_hz = ((tsc1 - tsc0) as u128 * NANOS_PER_SEC as u128 / (mono1 - mono0) as u128) as u64;
    let wall = host::clock_gettime(libc::CLOCK_REALTIME).unwrap().nanos();
    let mono = host::clock_gettime(libc::CLOCK_MONOTONIC).unwrap().nanos();
    FakeClock::new(freq_hz, tsc1)
        .with_origin(tsc0)
        .with_monotonic_start_nanos(mono0)
        .with_wall_offset_nanos((wall - mono) as u64)
        .with_tick_period_nanos(4_000_000)
}
