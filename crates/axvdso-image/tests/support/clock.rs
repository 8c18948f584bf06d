//! Clocks for the `Vvar` writer that run on the real TSC, the counter the
//! x86_64 vDSO reads.

use std::{
    arch::x86_64::{_mm_lfence, _rdtsc},
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use starry_hooks::ClockIf;

use super::host;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

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

/// A clock that claims the TSC runs at exactly 1 GHz.
///
/// That makes the writer's conversion exact (`mult = 1 << shift`, no
/// fraction), so the vDSO's monotonic time at TSC value `t` is exactly
/// `mono0 + (t - tsc0)` ns, and a test can compute what the vDSO must return
/// at any counter sample. The values are far from the host's clocks, so a
/// fallback to the host syscall is told apart from a page read.
pub struct FakeTscClock {
    pub tsc0: u64,
    /// Monotonic time at `tsc0`, in ns.
    pub mono0: u64,
    pub wall_offset: AtomicU64,
    pub tick: u64,
}

/// 1_000_000.123456789 s of monotonic time at the start.
pub const FAKE_MONO0: u64 = 1_000_000 * NANOS_PER_SEC + 123_456_789;
/// Wall time minus monotonic time: 1_700_000_000.5 s.
pub const FAKE_WALL_OFFSET: u64 = 1_700_000_000 * NANOS_PER_SEC + 500_000_000;
/// An unusual tick period, so that `coarse_res` is recognisable: 3.333333 ms.
pub const FAKE_TICK: u64 = 3_333_333;

impl FakeTscClock {
    pub fn new() -> Self {
        Self {
            tsc0: rdtsc(),
            mono0: FAKE_MONO0,
            wall_offset: AtomicU64::new(FAKE_WALL_OFFSET),
            tick: FAKE_TICK,
        }
    }

    /// Monotonic time at TSC value `tsc` (before or after `tsc0`), in ns.
    pub fn mono_at(&self, tsc: u64) -> u128 {
        (self.mono0 as i128 + (tsc as i128 - self.tsc0 as i128)) as u128
    }

    /// Wall time at TSC value `tsc`, in ns.
    pub fn wall_at(&self, tsc: u64) -> u128 {
        self.mono_at(tsc) + self.wall_offset.load(Ordering::Relaxed) as u128
    }
}

impl ClockIf for FakeTscClock {
    fn read_counter(&self) -> u64 {
        rdtsc()
    }

    fn counter_freq_hz(&self) -> u64 {
        NANOS_PER_SEC
    }

    fn counter_to_monotonic_nanos(&self, counter: u64) -> u64 {
        self.mono_at(counter) as u64
    }

    fn wall_offset_nanos(&self) -> u64 {
        self.wall_offset.load(Ordering::Relaxed)
    }

    fn tick_period_nanos(&self) -> u64 {
        self.tick
    }
}

/// A clock on the TSC at its real frequency, measured against the host's
/// `CLOCK_MONOTONIC`, and set to the host's monotonic and wall time.
pub struct CalibratedTscClock {
    pub freq_hz: u64,
    tsc0: u64,
    mono0: u64,
    wall_offset: u64,
}

impl CalibratedTscClock {
    /// Measures the TSC frequency over `window`.
    ///
    /// Each end is the middle of a `rdtsc` pair around a `clock_gettime`
    /// syscall, so the error of an end is at most half the syscall's latency
    /// (a few µs unless preempted): with a 100 ms window the frequency is off
    /// by well under 100 ppm.
    pub fn calibrate(window: Duration) -> Self {
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
        let freq_hz =
            ((tsc1 - tsc0) as u128 * NANOS_PER_SEC as u128 / (mono1 - mono0) as u128) as u64;
        let wall = host::clock_gettime(libc::CLOCK_REALTIME).unwrap().nanos();
        let mono = host::clock_gettime(libc::CLOCK_MONOTONIC).unwrap().nanos();
        Self {
            freq_hz,
            tsc0,
            mono0,
            wall_offset: (wall - mono) as u64,
        }
    }
}

impl ClockIf for CalibratedTscClock {
    fn read_counter(&self) -> u64 {
        rdtsc()
    }

    fn counter_freq_hz(&self) -> u64 {
        self.freq_hz
    }

    fn counter_to_monotonic_nanos(&self, counter: u64) -> u64 {
        let delta = counter.wrapping_sub(self.tsc0) as i64 as i128;
        (self.mono0 as i128 + delta * NANOS_PER_SEC as i128 / self.freq_hz as i128) as u64
    }

    fn wall_offset_nanos(&self) -> u64 {
        self.wall_offset
    }

    fn tick_period_nanos(&self) -> u64 {
        4_000_000
    }
}
