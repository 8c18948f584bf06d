//! The generic core: clock values computed from the data pages.
//!
//! Every function here takes the data pages (or one record) as a parameter
//! and returns `None` when the vDSO cannot answer; the entry points in
//! `entry.rs` then make the real syscall. The core never guesses.
//!
//! Hooks the arch supplies (`arch::VdsoArch`):
//! - `read_counter`: the counter `cycle_last` was sampled from;
//! - `counter_delta`: `counter - cycle_last` under `mask` (has a default).
//!
//! Which record serves which clock (`include/vdso/datapage.h`):
//!
//! | clock ids | record | value |
//! |---|---|---|
//! | REALTIME, MONOTONIC, BOOTTIME, TAI ([`VDSO_HRES`]) | [`CS_HRES_COARSE`] | base + counter delta |
//! | REALTIME_COARSE, MONOTONIC_COARSE ([`VDSO_COARSE`]) | [`CS_HRES_COARSE`] | base as of the last update |
//! | MONOTONIC_RAW ([`VDSO_RAW`]) | [`CS_RAW`] | base + counter delta |
//!
//! Every other id (the CPU-time clocks, negative ids that name another
//! process's or thread's CPU clock, invalid ids) is the kernel's business. So
//! is every clock while a record's `clock_mode` is not `ARCHTIMER`
//! ([`VdsoData::uses_counter`]): `NONE` (no usable counter, or pages not set up
//! yet, whose zeroed values must not be served as the time) and `TIMENS`
//! (time namespaces are not implemented here; the kernel applies the offsets).

use core::sync::atomic::Ordering::Relaxed;

use axvdso_vvar::{
    CS_HRES_COARSE, CS_RAW, VDSO_COARSE, VDSO_HRES, VDSO_RAW, VdsoData, VvarPages, clock_id,
    read_begin, read_retry,
};

use crate::{
    abi::{Timespec, Timeval, Timezone},
    arch::VdsoArch,
};

const NANOS_PER_SEC: u64 = 1_000_000_000;
const NANOS_PER_MICRO: u64 = 1_000;

/// Where a clock id is served from.
enum ClockClass {
    /// Counter interpolation from this record.
    Hres(usize),
    /// The base of record [`CS_HRES_COARSE`] as of the last update.
    Coarse,
}

/// Sorts a clock id into its class by the Linux masks; `None` for the ids the
/// kernel must answer.
#[inline(always)]
fn classify(clock: i32) -> Option<(u32, ClockClass)> {
    // A negative id turns into a huge u32 and fails the range check.
    let clock = clock as u32;
    // MAX_CLOCKS (16) also keeps `1 << clock` inside a `u32`.
    if clock >= clock_id::MAX_CLOCKS {
        return None;
    }
    let bit = 1u32 << clock;
    if bit & VDSO_HRES != 0 {
        Some((clock, ClockClass::Hres(CS_HRES_COARSE)))
    } else if bit & VDSO_COARSE != 0 {
        Some((clock, ClockClass::Coarse))
    } else if bit & VDSO_RAW != 0 {
        Some((clock, ClockClass::Hres(CS_RAW)))
    } else {
        None
    }
}

/// `clock_gettime(clock)` from `pages`, or `None` for the syscall.
#[inline(always)]
pub(crate) fn clock_gettime<A: VdsoArch>(pages: &VvarPages, clock: i32) -> Option<Timespec> {
    match classify(clock)? {
        (clock, ClockClass::Hres(record)) => do_hres::<A>(&pages.data[record], clock),
        (clock, ClockClass::Coarse) => do_coarse(&pages.data[CS_HRES_COARSE], clock),
    }
}

/// `clock_getres(clock)` from `pages`, or `None` for the syscall.
///
/// The interpolated clocks resolve to `hrtimer_res`, the coarse ones to
/// `coarse_res` (the tick period). A zero resolution means the kernel did not
/// provide one: the syscall answers.
#[inline(always)]
pub(crate) fn clock_getres(pages: &VvarPages, clock: i32) -> Option<Timespec> {
    let res = match classify(clock)? {
        (_, ClockClass::Hres(record)) => {
            let vd = &pages.data[record];
            if !vd.uses_counter() {
                return None;
            }
            // Linux keeps the resolution in record 0 for every class.
            pages.data[CS_HRES_COARSE].hrtimer_res.load(Relaxed)
        }
        (_, ClockClass::Coarse) => {
            let vd = &pages.data[CS_HRES_COARSE];
            if !vd.uses_counter() {
                return None;
            }
            vd.coarse_res.load(Relaxed)
        }
    };
    if res == 0 {
        return None;
    }
    Some(timespec(0, u64::from(res)))
}

/// `CLOCK_REALTIME` as a `timeval`, or `None` for the syscall.
#[inline(always)]
pub(crate) fn realtime_timeval<A: VdsoArch>(pages: &VvarPages) -> Option<Timeval> {
    let now = do_hres::<A>(&pages.data[CS_HRES_COARSE], clock_id::REALTIME)?;
    Some(Timeval {
        tv_sec: now.tv_sec,
        // tv_nsec is in [0, NANOS_PER_SEC): non-negative.
        tv_usec: (now.tv_nsec as u64 / NANOS_PER_MICRO) as i64,
    })
}

/// The timezone the kernel last published, or `None` for the syscall.
///
/// Each field is one untorn load; like Linux, the pair is not read under the
/// seqcount (`settimeofday` changes it once in a blue moon).
#[inline(always)]
pub(crate) fn timezone(pages: &VvarPages) -> Option<Timezone> {
    let vd = &pages.data[CS_HRES_COARSE];
    if !vd.uses_counter() {
        return None;
    }
    Some(Timezone {
        tz_minuteswest: vd.tz_minuteswest.load(Relaxed),
        tz_dsttime: vd.tz_dsttime.load(Relaxed),
    })
}

/// `time()`: the seconds of `CLOCK_REALTIME` at the last update, as Linux
/// answers it, or `None` for the syscall.
///
/// One 64-bit load cannot tear, so there is no seqcount loop.
#[allow(
    dead_code,
    reason = "only arches that export a `time` entry (x86_64) use it"
)]
#[inline(always)]
pub(crate) fn time_secs(pages: &VvarPages) -> Option<i64> {
    let vd = &pages.data[CS_HRES_COARSE];
    if !vd.uses_counter() {
        return None;
    }
    Some(vd.basetime[clock_id::REALTIME as usize].sec.load(Relaxed) as i64)
}

/// Counter interpolation: `base + (counter - cycle_last) * mult >> shift`.
#[inline(always)]
fn do_hres<A: VdsoArch>(vd: &VdsoData, clock: u32) -> Option<Timespec> {
    let base = vd.basetime.get(clock as usize)?;
    // Inside the loop: only loads. The arithmetic waits until the snapshot is
    // known to be consistent.
    let (counter, cycle_last, mask, mult, shift, sec, nsec_shifted) = loop {
        let seq = read_begin(vd);
        if !vd.uses_counter() {
            return None;
        }
        // After `read_begin`'s acquire load, so the counter is not older than
        // the record (the arch's `read_counter` says how it keeps the CPU from
        // reading it early; `counter_delta` copes if it does anyway).
        let counter = A::read_counter();
        let snapshot = (
            counter,
            vd.cycle_last.load(Relaxed),
            vd.mask.load(Relaxed),
            vd.mult.load(Relaxed),
            vd.shift.load(Relaxed),
            base.sec.load(Relaxed),
            base.nsec.load(Relaxed),
        );
        if !read_retry(vd, seq) {
            break snapshot;
        }
    };
    let delta = A::counter_delta(counter, cycle_last, mask);
    // 64 x 32 bits plus a 64-bit base in 128 bits: no overflow however long the
    // kernel went without an update (the writer sizes mult/shift so that a u64
    // suffices for 10 minutes; this costs two instructions and removes the
    // limit). `wrapping_shr`: a corrupt shift cannot reach a panic path.
    let shifted = u128::from(delta) * u128::from(mult) + u128::from(nsec_shifted);
    let nsec = shifted.wrapping_shr(shift) as u64;
    Some(timespec(sec, nsec))
}

/// The base as of the last update: no counter, no arithmetic.
#[inline(always)]
fn do_coarse(vd: &VdsoData, clock: u32) -> Option<Timespec> {
    let base = vd.basetime.get(clock as usize)?;
    let (sec, nsec) = loop {
        let seq = read_begin(vd);
        if !vd.uses_counter() {
            return None;
        }
        let snapshot = (base.sec.load(Relaxed), base.nsec.load(Relaxed));
        if !read_retry(vd, seq) {
            break snapshot;
        }
    };
    Some(Timespec {
        tv_sec: sec as i64,
        tv_nsec: nsec as i64,
    })
}

/// Normalises `sec` seconds plus `nsec` nanoseconds (any size).
///
/// Outside the seqcount loop: a division has no business inside the retry
/// window. The divisor is a constant, so this compiles to a multiply-high on
/// both arches (no libcall, no loop, no panic path).
#[inline(always)]
fn timespec(sec: u64, nsec: u64) -> Timespec {
    Timespec {
        tv_sec: sec.wrapping_add(nsec / NANOS_PER_SEC) as i64,
        tv_nsec: (nsec % NANOS_PER_SEC) as i64,
    }
}
