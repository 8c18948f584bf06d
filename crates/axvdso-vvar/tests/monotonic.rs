//! What the vDSO computes from the pages never goes backwards across an update,
//! and never runs ahead of the kernel's own clock.
//!
//! Each case emulates readers (the vDSO formula) at counter values around an
//! update: with the old record (including "late" readers whose counter is
//! already past the new sample, because the writer had not published yet) and
//! with the new one.

mod common;

use axvdso_vvar::{MAX_UPDATE_INTERVAL_SECS, NANOS_PER_SEC, VvarPages, VvarWriter, clock_id};
use common::{Rng, read_nanos};
use starry_hooks::testing::FakeClock;

const HRES_IDS: [u32; 5] = [
    clock_id::REALTIME,
    clock_id::MONOTONIC,
    clock_id::BOOTTIME,
    clock_id::TAI,
    clock_id::MONOTONIC_RAW,
];
const COARSE_IDS: [u32; 2] = [clock_id::REALTIME_COARSE, clock_id::MONOTONIC_COARSE];
const FIXED_FREQS: [u64; 8] = [
    10_000_000,
    24_000_000,
    62_500_000,
    19_200_000,
    1_000_000_000,
    3_000_000_000,
    2_995_200_012,
    32_768,
];
const UPDATES_PER_CASE: usize = 40;
const LATE: [u64; 4] = [1, 2, 1000, 99_991];

fn is_wall(id: u32) -> bool {
    id == clock_id::REALTIME || id == clock_id::TAI || id == clock_id::REALTIME_COARSE
}

/// The kernel's value of clock `id` at `counter`.
fn kernel_nanos(clock: &FakeClock, id: u32, counter: u64) -> u128 {
    if is_wall(id) {
        clock.wall_nanos_at(counter)
    } else {
        clock.monotonic_nanos_at(counter)
    }
}

fn next_step(rng: &mut Rng, freq: u64, max_step: u64) -> u64 {
    let step = match rng.range(0, 3) {
        0 => rng.range(0, 100),
        1 => rng.range(freq / 200, freq / 50), // around a 100 Hz tick
        2 => rng.range(0, max_step),
        _ => max_step,
    };
    step.min(max_step)
}

/// Runs one case: a clock at `freq` whose origin is `origin` (0 = the plain
/// clock), starting at `start`, through a series of updates.
fn run_case(rng: &mut Rng, freq: u64, start: u64, origin: u64) {
    let plain = origin == 0;
    let pages = Box::new(VvarPages::new());
    let writer = VvarWriter::new(&pages);
    let clock = FakeClock::new(freq, start)
        .with_origin(origin)
        .with_wall_offset_nanos(rng.range(0, 2_000_000_000 * NANOS_PER_SEC));
    writer.init(&clock);
    let shift = pages.data[0]
        .shift
        .load(std::sync::atomic::Ordering::Relaxed);
    // Late readers extrapolate up to `max_step + LATE` from the old sample.
    let max_step = freq * MAX_UPDATE_INTERVAL_SECS as u64 - LATE[LATE.len() - 1];
    let mut now = start;
    let mut coarse_before = COARSE_IDS.map(|id| read_nanos(&pages, id, now));

    for update in 0..UPDATES_PER_CASE {
        let next = now + next_step(rng, freq, max_step);
        let late = LATE.map(|late| next + late);
        let probes: Vec<u64> = [now, next.saturating_sub(1).max(now), next]
            .into_iter()
            .chain(late)
            .collect();
        let old: Vec<Vec<u128>> = HRES_IDS
            .iter()
            .map(|&id| probes.iter().map(|&p| read_nanos(&pages, id, p)).collect())
            .collect();

        clock.set_counter(next);
        assert!(writer.try_update(&clock));

        let ctx = format!("freq {freq} origin {origin} update {update} next {next}");
        for (i, &id) in HRES_IDS.iter().enumerate() {
            for (j, &p) in probes.iter().enumerate() {
                let kernel = kernel_nanos(&clock, id, p);
                let before = old[i][j];
                // Never ahead of the kernel (a non-plain clock may be 1 ns off).
                assert!(
                    before <= kernel + u128::from(!plain),
                    "{ctx} id {id} p {p}: old {before} > kernel {kernel}"
                );
                if j > 0 {
                    assert!(
                        old[i][j - 1] <= before,
                        "{ctx} id {id}: old reads go backwards at {p}"
                    );
                }
                if p < next {
                    continue;
                }
                let after = read_nanos(&pages, id, p);
                assert!(
                    before <= after,
                    "{ctx} id {id} p {p}: {before} then {after}: backwards"
                );
                assert!(
                    after <= kernel + u128::from(!plain),
                    "{ctx} id {id} p {p}: new {after} > kernel {kernel}"
                );
                if plain {
                    // At the sample the vDSO is exact; after it, it lags by
                    // at most the rounding of `mult`.
                    let lag_bound = 1 + u128::from((p - next) >> shift);
                    assert!(
                        kernel - after <= lag_bound,
                        "{ctx} id {id} p {p}: lags {} ns",
                        kernel - after
                    );
                    if p == next {
                        assert_eq!(after, kernel, "{ctx} id {id}: not exact at the sample");
                    }
                }
            }
        }
        // Coarse clocks: the time of the sample, never going backwards.
        let coarse_after = COARSE_IDS.map(|id| read_nanos(&pages, id, next));
        for (k, &id) in COARSE_IDS.iter().enumerate() {
            assert!(
                coarse_before[k] <= coarse_after[k],
                "{ctx} coarse id {id} went backwards"
            );
            if plain {
                assert_eq!(
                    coarse_after[k],
                    kernel_nanos(&clock, id, next),
                    "{ctx} coarse id {id}"
                );
            }
        }
        coarse_before = coarse_after;
        now = next;
    }
}

/// The counter frequency of case `case`: each of [`FIXED_FREQS`] first, then
/// random ones from 1 kHz to 6 GHz.
fn case_freq(rng: &mut Rng, case: usize) -> u64 {
    match FIXED_FREQS.get(case) {
        Some(&freq) => freq,
        None => rng.range(1_000, 6_000_000_000),
    }
}

/// A start counter whose time, after every update of a case, still fits u64 ns.
fn start_counter(rng: &mut Rng, freq: u64) -> u64 {
    let max_counter = (u64::MAX as u128 / 4 * freq as u128 / NANOS_PER_SEC as u128) as u64;
    match rng.range(0, 2) {
        0 => rng.range(0, 1000),
        _ => rng.range(0, max_counter),
    }
}

#[test]
fn plain_clock_never_goes_backwards_nor_ahead() {
    let mut rng = Rng::new(0x5eed_0001);
    for case in 0..1000 {
        let freq = case_freq(&mut rng, case);
        let start = start_counter(&mut rng, freq);
        run_case(&mut rng, freq, start, 0);
    }
}

#[test]
fn other_clocks_never_go_backwards_either() {
    // The kernel's clock starts at a counter value that is not 0, so its
    // fraction differs from the one the counter implies: the writer's clamp
    // must keep readers monotonic.
    let mut rng = Rng::new(0x5eed_0002);
    for case in 0..500 {
        let freq = case_freq(&mut rng, case);
        let origin = rng.range(1, 1 << 40);
        let start = origin + start_counter(&mut rng, freq);
        run_case(&mut rng, freq, start, origin);
    }
}

#[test]
fn realtime_follows_a_clock_set_at_once() {
    let pages = VvarPages::new();
    let writer = VvarWriter::new(&pages);
    let clock =
        FakeClock::new(24_000_000, 240_000_000).with_wall_offset_nanos(1_000 * NANOS_PER_SEC); // 10 s
    writer.init(&clock);
    // 24 cycles after the sample: 1000 ns, less the sub-ns rounding of `mult`.
    let mono_before = read_nanos(&pages, clock_id::MONOTONIC, 240_000_024);
    assert_eq!(mono_before, 10_000_000_999);
    assert_eq!(
        read_nanos(&pages, clock_id::REALTIME, 240_000_024),
        mono_before + 1_000 * NANOS_PER_SEC as u128
    );

    // settimeofday: the wall clock moves back by 500 s.
    clock.set_wall_offset_nanos(500 * NANOS_PER_SEC);
    clock.set_counter(240_000_048);
    assert!(writer.try_update(&clock));
    let mono_after = read_nanos(&pages, clock_id::MONOTONIC, 240_000_048);
    assert_eq!(mono_after, 10_000_002_000);
    assert_eq!(
        read_nanos(&pages, clock_id::REALTIME, 240_000_048),
        mono_after + 500 * NANOS_PER_SEC as u128
    );
    assert_eq!(
        read_nanos(&pages, clock_id::TAI, 240_000_048),
        mono_after + 500 * NANOS_PER_SEC as u128
    );
    assert_eq!(
        read_nanos(&pages, clock_id::REALTIME_COARSE, 0),
        10_000_002_000 + 500 * NANOS_PER_SEC as u128
    );
}
