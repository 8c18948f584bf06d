//! The embedded vDSO under concurrency and against the host's real clock.

#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

mod support;

use std::{
    sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    thread,
    time::{Duration, Instant},
};

use support::{
    clock::{CalibratedTscClock, FakeTscClock, rdtsc},
    host,
    vdso::MappedVdso,
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
    let clock = Box::leak(Box::new(FakeTscClock::new()));
    vdso.vvar.init(clock);
    let stop = AtomicBool::new(false);
    let updates = AtomicU64::new(0);
    let started = Instant::now();

    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Relaxed) {
                vdso.vvar.update(clock);
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
                                clock.wall_at(tsc)
                            } else {
                                clock.mono_at(tsc)
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
        for reader in readers {
            reader.join().unwrap();
        }
        stop.store(true, Relaxed);
    });

    let updates = updates.load(Relaxed);
    eprintln!(
        "{} vDSO calls against {updates} updates in {:?}",
        READERS * CALLS_PER_READER,
        started.elapsed()
    );
    assert!(updates > 1000, "the writer hardly ran ({updates} updates)");
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

    let clock = CalibratedTscClock::calibrate(Duration::from_millis(100));
    let vdso = MappedVdso::new();
    vdso.vvar.init(&clock);
    let stop = AtomicBool::new(false);
    let mut worst = [0i128; 2];

    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Relaxed) {
                thread::sleep(Duration::from_millis(4));
                vdso.vvar.update(&clock);
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
                    clock.freq_hz
                );
            }
        }
        stop.store(true, Relaxed);
    });
    eprintln!(
        "TSC {} Hz; worst error outside the host bracket: MONOTONIC {} ns, REALTIME {} ns",
        clock.freq_hz, worst[0], worst[1]
    );
}
