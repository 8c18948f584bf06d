//! The embedded vDSO under concurrency and against the host's real clock.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod support;

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    thread,
    time::{Duration, Instant},
};

use axvdso_vvar::{CS_HRES_COARSE, CS_RAW, VdsoData, clock_id};
use starry_hooks::ClockIf;
use support::{
    clock::{NANOS_PER_SEC, calibrated_tsc_clock, fake_tsc_clock, rdtsc},
    host,
    vdso::{MappedVdso, rewrite},
};

/// Readers call the vDSO while a writer rewrites the page as fast as it can:
/// no reader may ever see a torn record.
///
/// With the fake 1 GHz clock the exact value at any counter is known, so each
/// result is checked against the TSC samples around its call: a base from one
/// update mixed with a `cycle_last` from another, or seconds from one and
/// nanoseconds from another, lands outside that window. Each reader also
/// checks that every clock it reads never goes backwards.
#[test]
fn seqcount_readers_never_see_a_torn_record() {
    const READERS: usize = 2;
    const CALLS_PER_READER: usize = 1_000_000;
    // (clock, wall clock?, coarse?)
    const CLOCKS: [(i32, bool, bool); 4] = [
        (libc::CLOCK_MONOTONIC, false, false),
        (libc::CLOCK_REALTIME, true, false),
        (libc::CLOCK_MONOTONIC_RAW, false, false),
        (libc::CLOCK_MONOTONIC_COARSE, false, true),
    ];

    let vdso = MappedVdso::new();
    let clock = fake_tsc_clock();
    vdso.init(&clock);
    let stop = AtomicBool::new(false);
    let updates = AtomicU64::new(0);
    let started = Instant::now();

    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Relaxed) {
                vdso.update(&clock);
                updates.fetch_add(1, Relaxed);
            }
        });
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut last = [0u128; CLOCKS.len()];
                    for call in 0..CALLS_PER_READER {
                        let slot = call % CLOCKS.len();
                        let (id, wall, coarse) = CLOCKS[slot];
                        let at = |tsc| {
                            if wall {
                                clock.wall_nanos_at(tsc)
                            } else {
                                clock.monotonic_nanos_at(tsc)
                            }
                        };
                        let before = rdtsc();
                        let ts = vdso.clock_gettime(id).unwrap();
                        let after = rdtsc();
                        assert!((0..1_000_000_000).contains(&ts.sub), "clock {id}: {ts:?}");
                        let ns = ts.nanos() as u128;
                        assert!(ns <= at(after), "clock {id}: {ns} after {}", at(after));
                        // A coarse clock lags by up to one update; an exact one
                        // cannot lag at all.
                        if !coarse {
                            assert!(ns >= at(before), "clock {id}: {ns} before {}", at(before));
                        }
                        assert!(
                            ns >= last[slot],
                            "clock {id} went back: {ns} < {}",
                            last[slot]
                        );
                        last[slot] = ns;
                    }
                })
            })
            .collect();
        // Stop the writer before reporting a failed reader, or the scope
        // would wait for it forever.
        let results: Vec<_> = readers.into_iter().map(|reader| reader.join()).collect();
        stop.store(true, Relaxed);
        for result in results {
            if let Err(panic) = result {
                std::panic::resume_unwind(panic);
            }
        }
    });

    let updates = updates.load(Relaxed);
    eprintln!(
        "{} vDSO calls against {updates} updates in {:?}",
        READERS * CALLS_PER_READER,
        started.elapsed()
    );
    assert!(updates > 1000, "the writer hardly ran ({updates} updates)");
}

/// The vDSO's side of the seqcount, against a writer that does nothing but
/// flip the records between two states as fast as it can, so that reads
/// overlap writes as often as possible.
///
/// Both states describe the same clock exactly (`base = f(cycle_last)` with
/// the fake 1 GHz TSC), but their `cycle_last` are 1.5 s apart: any mix of the
/// two (a base from one and a `cycle_last` from the other, or seconds from one
/// and nanoseconds from the other) is off by at least half a second. The test
/// also counts the reads a write overlapped, to show that it exercised them.
#[test]
fn seqcount_retries_reads_that_overlap_a_write() {
    const READS: usize = 1_000_000;
    const WANTED_OVERLAPS: u64 = 10_000;
    let vdso = MappedVdso::new();
    let clock = fake_tsc_clock();
    vdso.init(&clock);
    let shift = vdso.pages.data[CS_HRES_COARSE].shift.load(Relaxed);
    let last_a = rdtsc();
    let last_b = last_a - 3 * NANOS_PER_SEC / 2;
    // (cycle_last, sec, nsec << shift) of each state. The clock's time at
    // `last`, counted back from `last_a` one ns a cycle ("1 GHz"): `last_b`
    // may be before the clock's origin, where it cannot be asked.
    let ns_a = clock.monotonic_nanos_at(last_a);
    let state = |last: u64| {
        let ns = ns_a - u128::from(last_a - last);
        let (sec, nsec) = (
            (ns / NANOS_PER_SEC as u128) as u64,
            (ns % NANOS_PER_SEC as u128) as u64,
        );
        (last, sec, nsec << shift)
    };
    let states = [state(last_a), state(last_b)];
    let write = |data: &VdsoData, id: u32, (last, sec, nsec): (u64, u64, u64)| {
        rewrite(data, |data| {
            data.cycle_last.store(last, Relaxed);
            data.basetime[id as usize].sec.store(sec, Relaxed);
            data.basetime[id as usize].nsec.store(nsec, Relaxed);
        });
    };
    let hres = &vdso.pages.data[CS_HRES_COARSE];
    let raw = &vdso.pages.data[CS_RAW];
    write(hres, clock_id::MONOTONIC, states[0]);
    write(raw, clock_id::MONOTONIC_RAW, states[0]);
    let stop = AtomicBool::new(false);
    let overlapped = AtomicU64::new(0);

    thread::scope(|scope| {
        scope.spawn(|| {
            let mut flip = 0;
            while !stop.load(Relaxed) {
                flip ^= 1;
                write(hres, clock_id::MONOTONIC, states[flip]);
                write(raw, clock_id::MONOTONIC_RAW, states[flip]);
            }
        });
        let reader = scope.spawn(|| {
            // At least READS reads, and on until enough of them overlapped a
            // write (how often they do depends on how the threads share the
            // CPUs) or the time is up.
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut call = 0;
            while call < READS
                || (overlapped.load(Relaxed) < WANTED_OVERLAPS && Instant::now() < deadline)
            {
                call += 1;
                let (id, data) = if call % 2 == 0 {
                    (libc::CLOCK_MONOTONIC, hres)
                } else {
                    (libc::CLOCK_MONOTONIC_RAW, raw)
                };
                let seq = data.seq.load(Relaxed);
                let before = rdtsc();
                let ts = vdso.clock_gettime(id).unwrap();
                let after = rdtsc();
                if data.seq.load(Relaxed) != seq {
                    overlapped.fetch_add(1, Relaxed);
                }
                let ns = ts.nanos() as u128;
                let (low, high) = (
                    clock.monotonic_nanos_at(before),
                    clock.monotonic_nanos_at(after),
                );
                assert!(
                    low <= ns && ns <= high,
                    "clock {id}: torn read {ts:?}, expected [{low}, {high}]"
                );
            }
        });
        let result = reader.join();
        stop.store(true, Relaxed);
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    });
    let overlapped = overlapped.load(Relaxed);
    eprintln!("{overlapped} reads overlapped a write");
    // With one CPU the threads only take turns, and a read overlaps a write
    // only when the writer is preempted inside its section: rarely.
    if thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        assert!(
            overlapped >= 100,
            "only {overlapped} reads overlapped a write"
        );
    }
}

/// A TSC calibrated against the host's `CLOCK_MONOTONIC`, published by the
/// writer on a 4 ms "tick", makes the vDSO track the host's clocks.
///
/// Each vDSO reading must lie between host readings taken just before and
/// just after it, widened by `TOLERANCE`. The errors the tolerance covers:
/// the calibration (each end of a 100 ms window within a few µs: < 100 ppm,
/// so < 50 µs over the < 0.5 s this test runs) and NTP slewing of the host's
/// clock during the test (at most 500 ppm: < 250 µs). 1 ms covers both with
/// room; a wrong `mult`/`shift`, a stale or wrong base or a wrong record is off
/// by far more (a tick is 4 ms, a missing fraction or wrong shift is seconds).
#[test]
fn calibrated_counter_tracks_the_host_clocks() {
    const TOLERANCE_NS: i128 = 1_000_000;

    let clock = calibrated_tsc_clock(Duration::from_millis(100));
    let vdso = MappedVdso::new();
    vdso.init(&clock);
    let stop = AtomicBool::new(false);
    let mut worst = [0i128; 2];

    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Relaxed) {
                thread::sleep(Duration::from_millis(4));
                vdso.update(&clock);
            }
        });
        let end = Instant::now() + Duration::from_millis(200);
        while Instant::now() < end {
            for (slot, id) in [libc::CLOCK_MONOTONIC, libc::CLOCK_REALTIME]
                .into_iter()
                .enumerate()
            {
                let before = host::clock_gettime(id).unwrap().nanos();
                let got = vdso.clock_gettime(id).unwrap().nanos();
                let after = host::clock_gettime(id).unwrap().nanos();
                let error = if got < before {
                    got - before
                } else {
                    (got - after).max(0)
                };
                if error.abs() > worst[slot].abs() {
                    worst[slot] = error;
                }
                assert!(
                    before - TOLERANCE_NS <= got && got <= after + TOLERANCE_NS,
                    "clock {id}: vDSO {got} vs host [{before}, {after}] (TSC at {} Hz)",
                    clock.counter_freq_hz()
                );
            }
        }
        stop.store(true, Relaxed);
    });
    eprintln!(
        "TSC {} Hz; worst error outside the host bracket: MONOTONIC {} ns, REALTIME {} ns",
        clock.counter_freq_hz(),
        worst[0],
        worst[1]
    );
}
