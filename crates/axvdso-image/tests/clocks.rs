//! The embedded vDSO, mapped above a data page driven by the kernel-side
//! writer (`axvdso_vvar::VvarWriter`) and a clock on the real TSC: every
//! entry point, every clock class and every fallback.
//!
//! The vDSO reads the real counter, so high-resolution values are checked to
//! lie between what the page predicts at TSC samples taken just before and
//! just after the call; with the fake 1 GHz clock that prediction is exact.
//! Coarse values, `time()` and hand-written records are checked exactly.
//! Fallbacks are checked against the host's own syscalls.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod support;

use std::sync::atomic::Ordering::Relaxed;

use axvdso_vvar::{CS_HRES_COARSE, CS_RAW, VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TIMENS, clock_id};
use starry_hooks::testing::FakeClock;
use support::{
    Ts,
    clock::{FAKE_MONO0, FAKE_TICK, NANOS_PER_SEC, fake_tsc_clock, rdtsc},
    host,
    vdso::{MappedVdso, rewrite},
};

const EINVAL: i64 = -(libc::EINVAL as i64);
const EFAULT: i64 = -(libc::EFAULT as i64);

/// The clocks the page serves with counter interpolation, and whether each is
/// a wall clock (REALTIME base) or a monotonic one.
const HRES: [(i32, bool); 4] = [
    (libc::CLOCK_REALTIME, true),
    (libc::CLOCK_MONOTONIC, false),
    (libc::CLOCK_BOOTTIME, false),
    (libc::CLOCK_TAI, true),
];

/// Every clock id the page serves.
const PAGE_CLOCKS: [i32; 7] = [
    libc::CLOCK_REALTIME,
    libc::CLOCK_MONOTONIC,
    libc::CLOCK_MONOTONIC_RAW,
    libc::CLOCK_REALTIME_COARSE,
    libc::CLOCK_MONOTONIC_COARSE,
    libc::CLOCK_BOOTTIME,
    libc::CLOCK_TAI,
];

/// A fresh mapping whose page is initialised from a fake 1 GHz TSC clock.
fn setup() -> (&'static MappedVdso, &'static FakeClock) {
    let vdso = MappedVdso::new();
    let clock = Box::leak(Box::new(fake_tsc_clock()));
    vdso.init(clock);
    (vdso, clock)
}

/// Publishes the timezone `gettimeofday` reports in both records, as the
/// kernel would after `settimeofday` (no writer runs meanwhile).
fn set_timezone(vdso: &MappedVdso, minuteswest: i32, dsttime: i32) {
    for data in &vdso.pages.data {
        rewrite(data, |d| {
            d.tz_minuteswest.store(minuteswest, Relaxed);
            d.tz_dsttime.store(dsttime, Relaxed);
        });
    }
}

/// Sets `clock_mode` of both records to `mode`, until the next update
/// publishes the mode the writer's `init` chose again.
fn set_clock_mode(vdso: &MappedVdso, mode: i32) {
    for data in &vdso.pages.data {
        rewrite(data, |d| d.clock_mode.store(mode, Relaxed));
    }
}

/// Runs `f` between two TSC samples.
fn bracket<T>(f: impl FnOnce() -> T) -> (u64, T, u64) {
    let before = rdtsc();
    let value = f();
    let after = rdtsc();
    (before, value, after)
}

fn spin_for_nanos(ns: u64) {
    let start = std::time::Instant::now();
    while start.elapsed().as_nanos() < ns as u128 {
        std::hint::spin_loop();
    }
}

fn assert_normalised(ts: Ts) {
    assert!(
        (0..NANOS_PER_SEC as i64).contains(&ts.sub),
        "{ts:?} not normalised"
    );
}

#[test]
fn hres_clocks_interpolate_the_counter_exactly() {
    let (vdso, clock) = setup();
    for (id, wall) in HRES {
        let at = |tsc| {
            if wall {
                clock.wall_nanos_at(tsc)
            } else {
                clock.monotonic_nanos_at(tsc)
            }
        };
        let mut previous = 0;
        for _ in 0..2000 {
            let (before, ts, after) = bracket(|| vdso.clock_gettime(id).unwrap());
            assert_normalised(ts);
            let ns = ts.nanos() as u128;
            assert!(
                at(before) <= ns && ns <= at(after),
                "clock {id}: {ns} outside [{}, {}]",
                at(before),
                at(after)
            );
            assert!(ns >= previous, "clock {id} went backwards");
            previous = ns;
        }
    }
    // Far from the last update the interpolation still holds.
    spin_for_nanos(20_000_000);
    let (before, ts, after) = bracket(|| vdso.clock_gettime(libc::CLOCK_MONOTONIC).unwrap());
    let ns = ts.nanos() as u128;
    assert!(clock.monotonic_nanos_at(before) <= ns && ns <= clock.monotonic_nanos_at(after));
    assert!(ns >= FAKE_MONO0 as u128 + 20_000_000);
}

#[test]
fn coarse_clocks_return_the_last_update_exactly() {
    let (vdso, clock) = setup();
    spin_for_nanos(2_000_000);
    vdso.update(clock);
    let cycle_last = vdso.pages.data[CS_HRES_COARSE].cycle_last.load(Relaxed);
    let mono = Ts::from_nanos(clock.monotonic_nanos_at(cycle_last));
    let wall = Ts::from_nanos(clock.wall_nanos_at(cycle_last));
    for _ in 0..3 {
        assert_eq!(vdso.clock_gettime(libc::CLOCK_MONOTONIC_COARSE), Ok(mono));
        assert_eq!(vdso.clock_gettime(libc::CLOCK_REALTIME_COARSE), Ok(wall));
        // Time passes; the coarse clocks wait for the next tick.
        spin_for_nanos(1_000_000);
    }
    assert!(vdso.clock_gettime(libc::CLOCK_MONOTONIC).unwrap() > mono);
    vdso.update(clock);
    assert!(vdso.clock_gettime(libc::CLOCK_MONOTONIC_COARSE).unwrap() > mono);
}

#[test]
fn raw_is_served_from_record_1() {
    let (vdso, clock) = setup();
    let record0 = &vdso.pages.data[CS_HRES_COARSE];
    let record1 = &vdso.pages.data[CS_RAW];
    let raw = clock_id::MONOTONIC_RAW as usize;
    // Garbage where RAW must not be read from.
    rewrite(record0, |d| d.basetime[raw].sec.store(42, Relaxed));
    // Record 1: the base 1000 s ahead, and cycle_last 10^9 cycles (1 s) back.
    let last = record1.cycle_last.load(Relaxed);
    rewrite(record1, |d| {
        let sec = d.basetime[raw].sec.load(Relaxed);
        d.basetime[raw].sec.store(sec + 1000, Relaxed);
        d.cycle_last.store(last - NANOS_PER_SEC, Relaxed);
    });
    let offset = 1001 * NANOS_PER_SEC as u128;
    for _ in 0..100 {
        let (before, ts, after) =
            bracket(|| vdso.clock_gettime(libc::CLOCK_MONOTONIC_RAW).unwrap());
        assert_normalised(ts);
        let ns = ts.nanos() as u128;
        assert!(
            clock.monotonic_nanos_at(before) + offset <= ns
                && ns <= clock.monotonic_nanos_at(after) + offset
        );
    }
    // Record 1's mode decides too.
    rewrite(record1, |d| {
        d.clock_mode.store(VDSO_CLOCKMODE_NONE, Relaxed)
    });
    assert_within_host(vdso, libc::CLOCK_MONOTONIC_RAW);
    assert!(
        vdso.clock_gettime(libc::CLOCK_MONOTONIC)
            .is_ok_and(|ts| ts.sec >= 1_000_000)
    );
}

#[test]
fn hres_base_is_shifted_normalised_and_truncated() {
    let (vdso, _) = setup();
    let data = &vdso.pages.data[CS_HRES_COARSE];
    let shift = data.shift.load(Relaxed);
    // mult = 0: the value is the base alone, whatever the counter says.
    rewrite(data, |d| {
        let realtime = &d.basetime[clock_id::REALTIME as usize];
        let monotonic = &d.basetime[clock_id::MONOTONIC as usize];
        d.mult.store(0, Relaxed);
        realtime.sec.store(1_700_000_000, Relaxed);
        // 999_999_999 ns and a fraction just below the next nanosecond.
        realtime
            .nsec
            .store((999_999_999 << shift) + (1 << shift) - 1, Relaxed);
        monotonic.sec.store(5, Relaxed);
        // 2.5 s in the nsec field: carried into seconds.
        monotonic.nsec.store(2_500_000_000 << shift, Relaxed);
    });
    assert_eq!(
        vdso.clock_gettime(libc::CLOCK_REALTIME),
        Ok(Ts {
            sec: 1_700_000_000,
            sub: 999_999_999
        })
    );
    assert_eq!(
        vdso.clock_gettime(libc::CLOCK_MONOTONIC),
        Ok(Ts {
            sec: 7,
            sub: 500_000_000
        })
    );
}

#[test]
fn counter_behind_cycle_last_counts_as_zero() {
    let (vdso, _) = setup();
    let data = &vdso.pages.data[CS_HRES_COARSE];
    let base = &data.basetime[clock_id::MONOTONIC as usize];
    let shift = data.shift.load(Relaxed);
    rewrite(data, |d| {
        // A cycle_last 2^40 cycles (18 min at 1 GHz) in the future.
        d.cycle_last.store(rdtsc() + (1 << 40), Relaxed);
        base.sec.store(100, Relaxed);
        base.nsec.store(7 << shift, Relaxed);
    });
    assert_eq!(
        vdso.clock_gettime(libc::CLOCK_MONOTONIC),
        Ok(Ts { sec: 100, sub: 7 })
    );
}

#[test]
fn mask_limits_the_counter_delta() {
    let (vdso, _) = setup();
    let data = &vdso.pages.data[CS_HRES_COARSE];
    let base = &data.basetime[clock_id::MONOTONIC as usize];
    let start = rdtsc();
    rewrite(data, |d| {
        // A 32-bit counter that wrapped once, plus 10^6 cycles (1 ms at
        // "1 GHz"), since cycle_last.
        d.mask.store(u32::MAX as u64, Relaxed);
        d.cycle_last.store(start - (1 << 32) - 1_000_000, Relaxed);
        base.sec.store(100, Relaxed);
        base.nsec.store(0, Relaxed);
    });
    let (_, ts, after) = bracket(|| vdso.clock_gettime(libc::CLOCK_MONOTONIC).unwrap());
    let ns = ts.nanos() as u128;
    let low = 100 * NANOS_PER_SEC as u128 + 1_000_000;
    assert!(low <= ns && ns <= low + (after - start) as u128, "{ts:?}");
}

#[test]
fn null_timespec_takes_the_syscall() {
    let (vdso, _) = setup();
    for id in PAGE_CLOCKS {
        assert_eq!(vdso.clock_gettime_null(id), EFAULT);
        assert_eq!(vdso.clock_gettime_null(id), host::clock_gettime_null(id));
    }
    assert_eq!(vdso.clock_gettime_null(-1), host::clock_gettime_null(-1));
}

/// Asserts that the vDSO's `clock_gettime(id)` behaves as the host syscall:
/// the same error, or a value between two host readings.
fn assert_within_host(vdso: &MappedVdso, id: i32) {
    let before = host::clock_gettime(id);
    let got = vdso.clock_gettime(id);
    let after = host::clock_gettime(id);
    match (before, after) {
        (Ok(before), Ok(after)) => {
            let got = got.unwrap_or_else(|err| panic!("clock {id}: vDSO failed with {err}"));
            assert!(
                before <= got && got <= after,
                "clock {id}: {got:?} not in [{before:?}, {after:?}]"
            );
        }
        (Err(err), _) => assert_eq!(got, Err(err), "clock {id}"),
        (Ok(_), Err(err)) => panic!("clock {id}: host failed with {err} on the second call"),
    }
}

/// `clock_gettime` and `clock_getres` (with and without a buffer) for `id`
/// give what the host syscall gives.
fn assert_answered_by_host(vdso: &MappedVdso, id: i32) {
    assert_within_host(vdso, id);
    assert_eq!(vdso.clock_getres(id), host::clock_getres(id), "getres {id}");
    assert_eq!(
        vdso.clock_getres_null(id),
        host::clock_getres_null(id),
        "getres NULL {id}"
    );
}

/// Every entry point behaves as the host syscall, for every clock id.
fn assert_everything_falls_back(vdso: &MappedVdso) {
    for id in PAGE_CLOCKS.into_iter().chain(host::KERNEL_CLOCK_IDS) {
        assert_answered_by_host(vdso, id);
    }
    let (host_before, host_tz) = host::gettimeofday();
    let (r, tv, tz) = vdso.gettimeofday(true, true);
    let (host_after, _) = host::gettimeofday();
    assert_eq!(r, 0);
    assert!(host_before <= tv.unwrap() && tv.unwrap() <= host_after);
    assert_eq!(tz, Some(host_tz));
    assert_eq!(vdso.gettimeofday(false, true), (0, None, Some(host_tz)));
    let before = host::time();
    let (t, stored) = vdso.time(true);
    assert!(before <= t && t <= host::time());
    assert_eq!(stored, Some(t));
}

#[test]
fn kernel_clock_ids_take_the_syscall() {
    let (vdso, _) = setup();
    for id in host::KERNEL_CLOCK_IDS {
        assert_answered_by_host(vdso, id);
    }
    // The ones Linux rejects are rejected, with the kernel's errno.
    for id in [12, 16, 100, i32::MAX, -1, i32::MIN] {
        assert_eq!(vdso.clock_gettime(id), Err(EINVAL), "clock {id}");
        assert_eq!(vdso.clock_getres(id), Err(EINVAL), "getres {id}");
    }
}

#[test]
fn modes_none_and_timens_send_everything_to_the_syscall() {
    let (vdso, clock) = setup();
    set_timezone(vdso, -120, 1);
    for mode in [VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TIMENS] {
        set_clock_mode(vdso, mode);
        assert_everything_falls_back(vdso);
        // And back: the next update publishes the writer's mode again, and
        // keeps the timezone.
        vdso.update(clock);
        assert!(
            vdso.clock_gettime(libc::CLOCK_MONOTONIC)
                .is_ok_and(|ts| ts.sec >= 1_000_000),
            "mode {mode}"
        );
        assert_eq!(vdso.gettimeofday(false, true), (0, None, Some((-120, 1))));
    }
}

#[test]
fn zeroed_page_sends_everything_to_the_syscall() {
    // Pages the kernel never initialised: every value is zero.
    let vdso = MappedVdso::new();
    assert_everything_falls_back(vdso);
}

#[test]
fn getres_reads_the_page() {
    let (vdso, _) = setup();
    let data = &vdso.pages.data[CS_HRES_COARSE];
    // The writer's values: one cycle at "1 GHz" and the tick.
    assert_eq!(data.hrtimer_res.load(Relaxed), 1);
    assert_eq!(data.coarse_res.load(Relaxed) as u64, FAKE_TICK);
    // A recognisable hres resolution (the host's is 1 ns).
    rewrite(data, |d| d.hrtimer_res.store(7, Relaxed));
    for id in [
        libc::CLOCK_REALTIME,
        libc::CLOCK_MONOTONIC,
        libc::CLOCK_BOOTTIME,
        libc::CLOCK_TAI,
        libc::CLOCK_MONOTONIC_RAW,
    ] {
        assert_eq!(
            vdso.clock_getres(id),
            Ok(Ts { sec: 0, sub: 7 }),
            "clock {id}"
        );
        assert_eq!(vdso.clock_getres_null(id), 0);
    }
    for id in [libc::CLOCK_REALTIME_COARSE, libc::CLOCK_MONOTONIC_COARSE] {
        assert_eq!(
            vdso.clock_getres(id),
            Ok(Ts {
                sec: 0,
                sub: FAKE_TICK as i64
            }),
            "clock {id}"
        );
        assert_eq!(vdso.clock_getres_null(id), 0);
    }
    // A resolution of a second or more is normalised.
    rewrite(data, |d| d.coarse_res.store(1_250_000_000, Relaxed));
    assert_eq!(
        vdso.clock_getres(libc::CLOCK_MONOTONIC_COARSE),
        Ok(Ts {
            sec: 1,
            sub: 250_000_000
        })
    );
    // No coarse resolution published: the kernel answers.
    rewrite(data, |d| d.coarse_res.store(0, Relaxed));
    for id in [libc::CLOCK_REALTIME_COARSE, libc::CLOCK_MONOTONIC_COARSE] {
        assert_eq!(vdso.clock_getres(id), host::clock_getres(id), "clock {id}");
        assert_ne!(
            host::clock_getres(id),
            Ok(Ts {
                sec: 0,
                sub: FAKE_TICK as i64
            })
        );
    }
    // Nor an hres one.
    rewrite(data, |d| d.hrtimer_res.store(0, Relaxed));
    assert_eq!(
        vdso.clock_getres(libc::CLOCK_MONOTONIC),
        host::clock_getres(libc::CLOCK_MONOTONIC)
    );
}

#[test]
fn gettimeofday_with_and_without_each_pointer() {
    let (vdso, clock) = setup();
    set_timezone(vdso, -120, 1);
    let micros = |tsc| clock.wall_nanos_at(tsc) / 1000;
    let (before, (r, tv, tz), after) = bracket(|| vdso.gettimeofday(true, true));
    assert_eq!((r, tz), (0, Some((-120, 1))));
    let tv = tv.unwrap();
    assert!((0..1_000_000).contains(&tv.sub), "{tv:?}");
    let us = tv.sec as u128 * 1_000_000 + tv.sub as u128;
    assert!(micros(before) <= us && us <= micros(after));

    let (before, (r, tv, tz), after) = bracket(|| vdso.gettimeofday(true, false));
    assert_eq!((r, tz), (0, None));
    let tv = tv.unwrap();
    let us = tv.sec as u128 * 1_000_000 + tv.sub as u128;
    assert!(micros(before) <= us && us <= micros(after));

    assert_eq!(vdso.gettimeofday(false, true), (0, None, Some((-120, 1))));
    assert_eq!(vdso.gettimeofday(false, false), (0, None, None));
    set_timezone(vdso, 300, 0);
    assert_eq!(vdso.gettimeofday(false, true), (0, None, Some((300, 0))));
}

#[test]
fn time_is_the_realtime_base_seconds() {
    let (vdso, clock) = setup();
    spin_for_nanos(1_000_000);
    vdso.update(clock);
    let data = &vdso.pages.data[CS_HRES_COARSE];
    let secs = data.basetime[clock_id::REALTIME as usize].sec.load(Relaxed) as i64;
    assert_eq!(
        secs as u128,
        clock.wall_nanos_at(data.cycle_last.load(Relaxed)) / NANOS_PER_SEC as u128
    );
    assert_eq!(vdso.time(false), (secs, None));
    assert_eq!(vdso.time(true), (secs, Some(secs)));
    // Exactly the page: a changed base shows at once.
    rewrite(data, |d| {
        d.basetime[clock_id::REALTIME as usize]
            .sec
            .store(12_345, Relaxed)
    });
    assert_eq!(vdso.time(true), (12_345, Some(12_345)));
}

#[test]
fn getcpu_is_the_syscall() {
    let (vdso, _) = setup();
    // Pin this thread so that the host and the vDSO answer for the same CPU.
    let (cpu, node) = host::getcpu();
    // SAFETY: a zeroed cpu_set_t is valid; CPU_SET and sched_setaffinity only
    // touch it and this thread's affinity.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu as usize, &mut set);
        assert_eq!(
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set),
            0
        );
    }
    assert_eq!(host::getcpu(), (cpu, node));
    assert_eq!(vdso.getcpu(), (0, cpu, node));
}

#[test]
fn page_clocks_never_leave_the_page() {
    // With the fake clock every page clock is ~10^6 s monotonic or ~1.7e9 s
    // wall; the host's clocks are not (a fallback would show).
    let (vdso, clock) = setup();
    vdso.update(clock);
    for id in PAGE_CLOCKS {
        let ts = vdso.clock_gettime(id).unwrap();
        let host = host::clock_gettime(id).unwrap();
        assert_ne!(
            ts.sec / 1000,
            host.sec / 1000,
            "clock {id} looks like the host's"
        );
        assert!(ts.sec >= 1_000_000, "clock {id}: {ts:?}");
    }
}
