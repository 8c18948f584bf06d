//! Writers on two threads (two CPUs' tick paths) against reader threads using
//! `read_begin`/`read_retry`: no reader ever accepts a torn record.
//!
//! Every update derives all bases from `cycle_last` by fixed functions, so a
//! record mixing two updates violates an invariant that the readers check.

use std::{
    sync::{
        Barrier,
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
    },
    thread,
    time::{Duration, Instant},
};

use axvdso_vvar::{
    CS_HRES_COARSE, CS_RAW, MAX_UPDATE_INTERVAL_SECS, NANOS_PER_SEC, VDSO_CLOCKMODE_ARCHTIMER,
    VvarPages, VvarWriter, calc_mult_shift, clock_id, read_begin, read_retry,
};
use starry_hooks::testing::FakeClock;

const FREQ: u64 = 24_000_000;
const READERS: usize = 3;
const TICKERS: usize = 2;
const READS_PER_READER: u64 = 1_000_000;
/// Readers go on past their quota until this many reads overlapped a write
/// (on a loaded machine threads may rarely run at the same time).
const MIN_RETRIES: u64 = 1_000;
/// ... and until each saw this many distinct records (the check below wants
/// 500 in all).
const MIN_DISTINCT_PER_READER: u64 = 200;
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// The wall clock's offset from the monotonic clock.
const WALL_OFFSET_NANOS: u64 = 1_600_000_000 * NANOS_PER_SEC + 123_456_789;

/// A clock that advances on every read, as a running counter does.
fn racing_clock() -> FakeClock {
    FakeClock::new(FREQ, 1 << 40)
        .with_step(977)
        .with_tick_period_nanos(1_000_000)
        .with_wall_offset_nanos(WALL_OFFSET_NANOS)
}

/// Everything one successful read of record 0 returned.
struct Snapshot {
    cycle_last: u64,
    mode: i32,
    mask: u64,
    mult: u32,
    shift: u32,
    bases: [(u64, u64); 6],
}

const RECORD0_IDS: [u32; 6] = [
    clock_id::REALTIME,
    clock_id::MONOTONIC,
    clock_id::BOOTTIME,
    clock_id::TAI,
    clock_id::REALTIME_COARSE,
    clock_id::MONOTONIC_COARSE,
];

fn split(shifted: u128, shift: u32) -> (u64, u64) {
    let sec = (shifted >> shift) / NANOS_PER_SEC as u128;
    (
        sec as u64,
        (shifted - ((sec * NANOS_PER_SEC as u128) << shift)) as u64,
    )
}

/// The bases of record 0 as a pure function of `cycle_last`.
fn expected_bases(cycle_last: u64, shift: u32) -> [(u64, u64); 6] {
    let mono = ((cycle_last as u128 * NANOS_PER_SEC as u128) << shift) / FREQ as u128;
    let wall = mono + ((WALL_OFFSET_NANOS as u128) << shift);
    [
        split(wall, shift),
        split(mono, shift),
        split(mono, shift),
        split(wall, shift),
        split(wall >> shift, 0),
        split(mono >> shift, 0),
    ]
}

fn read_record0(pages: &VvarPages, retries: &mut u64) -> (u32, Snapshot) {
    let data = &pages.data[CS_HRES_COARSE];
    loop {
        let seq = read_begin(data);
        let snap = Snapshot {
            cycle_last: data.cycle_last.load(Relaxed),
            mode: data.clock_mode.load(Relaxed),
            mask: data.mask.load(Relaxed),
            mult: data.mult.load(Relaxed),
            shift: data.shift.load(Relaxed),
            bases: RECORD0_IDS.map(|id| {
                let ts = &data.basetime[id as usize];
                (ts.sec.load(Relaxed), ts.nsec.load(Relaxed))
            }),
        };
        if !read_retry(data, seq) {
            return (seq, snap);
        }
        *retries += 1;
    }
}

fn read_record1(pages: &VvarPages, retries: &mut u64) -> (u32, u64, (u64, u64)) {
    let data = &pages.data[CS_RAW];
    let ts = &data.basetime[clock_id::MONOTONIC_RAW as usize];
    loop {
        let seq = read_begin(data);
        let read = (
            data.cycle_last.load(Relaxed),
            (ts.sec.load(Relaxed), ts.nsec.load(Relaxed)),
        );
        if !read_retry(data, seq) {
            return (seq, read.0, read.1);
        }
        *retries += 1;
    }
}

#[test]
fn readers_never_accept_a_torn_record() {
    let pages: &'static VvarPages = Box::leak(Box::new(VvarPages::new()));
    let writer: &'static VvarWriter<'static> = Box::leak(Box::new(VvarWriter::new(pages)));
    let clock: &'static FakeClock = Box::leak(Box::new(racing_clock()));
    writer.init(clock);
    let (mult, shift) = calc_mult_shift(FREQ, MAX_UPDATE_INTERVAL_SECS);

    let stop = AtomicBool::new(false);
    let all_retries = AtomicU64::new(0);
    let start = Barrier::new(READERS + TICKERS);
    let deadline = Instant::now() + TIME_LIMIT;
    let (tickers, reads, retries, distinct) = thread::scope(|s| {
        // The tick path of each CPU: never blocks, sometimes finds the lock
        // taken by the other.
        let tickers: Vec<_> = (0..TICKERS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let (mut ticks, mut busy) = (0u64, 0u64);
                    while !stop.load(Relaxed) {
                        if writer.try_update(clock) {
                            ticks += 1;
                        } else {
                            busy += 1;
                        }
                        if (ticks + busy) % 64 == 0 {
                            thread::yield_now();
                        }
                    }
                    (ticks, busy)
                })
            })
            .collect();
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    let (mut reads, mut retries, mut distinct) = (0u64, 0u64, 0u64);
                    let (mut last_seq, mut last_cycle) = (0u32, 0u64);
                    while (reads < READS_PER_READER
                        || all_retries.load(Relaxed) < MIN_RETRIES
                        || distinct < MIN_DISTINCT_PER_READER)
                        && Instant::now() < deadline
                    {
                        let before = retries;
                        let (seq, snap) = read_record0(pages, &mut retries);
                        assert_eq!(seq % 2, 0, "read_begin returned an odd count");
                        assert!(seq >= last_seq, "count went back: {last_seq} then {seq}");
                        assert!(snap.cycle_last >= last_cycle, "cycle_last went back");
                        assert_eq!(snap.mode, VDSO_CLOCKMODE_ARCHTIMER);
                        assert_eq!((snap.mask, snap.mult, snap.shift), (u64::MAX, mult, shift));
                        assert_eq!(
                            snap.bases,
                            expected_bases(snap.cycle_last, shift),
                            "torn record 0 at cycle_last {}",
                            snap.cycle_last
                        );
                        distinct += u64::from(snap.cycle_last != last_cycle);
                        (last_seq, last_cycle) = (seq, snap.cycle_last);

                        let (seq1, cycle1, raw) = read_record1(pages, &mut retries);
                        assert_eq!(seq1 % 2, 0);
                        assert!(
                            cycle1 >= snap.cycle_last,
                            "record 1 older than record 0 read before it"
                        );
                        assert_eq!(
                            raw,
                            expected_bases(cycle1, shift)[1],
                            "torn record 1 at {cycle1}"
                        );
                        reads += 2;
                        all_retries.fetch_add(retries - before, Relaxed);
                        if reads % 8192 == 0 {
                            // Let the writers run on small machines, so that
                            // readers see many records.
                            thread::yield_now();
                        }
                    }
                    (reads, retries, distinct)
                })
            })
            .collect();
        let results: Vec<_> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        stop.store(true, Relaxed);
        let tickers: Vec<(u64, u64)> = tickers.into_iter().map(|t| t.join().unwrap()).collect();
        let sum = |f: fn(&(u64, u64, u64)) -> u64| results.iter().map(f).sum::<u64>();
        (tickers, sum(|r| r.0), sum(|r| r.1), sum(|r| r.2))
    });
    println!(
        "{reads} reads, {retries} retries, {distinct} records seen; (ticks, busy ticks) per writer: {tickers:?}"
    );
    // The run must have interleaved for real: readers saw many different
    // records, and both writers wrote.
    assert!(reads >= 200_000, "only {reads} reads");
    assert!(distinct >= 500, "readers saw only {distinct} records");
    assert!(tickers.iter().all(|&(ticks, _)| ticks > 0));
    assert!(
        retries > 0,
        "no read ever overlapped a write: the test proved nothing"
    );
    // Both records end even and equal: every write section covered both.
    let seqs = pages.data.each_ref().map(|d| d.seq.load(Relaxed));
    assert_eq!(seqs[0], seqs[1]);
    assert_eq!(seqs[0] % 2, 0);
}
