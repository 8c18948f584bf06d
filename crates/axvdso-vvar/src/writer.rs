//! The kernel's writer of the vvar pages.

use core::sync::atomic::Ordering;

use kspin::SpinNoIrq;
use starry_hooks::ClockIf;

use crate::{
    CS_HRES_COARSE, CS_RAW, VDSO_CLOCKMODE_ARCHTIMER, VDSO_CLOCKMODE_NONE, VdsoData, VvarPages,
    base::{extrapolate, join_shifted, monotonic_shifted, split_shifted},
    clock_id,
    counter::{measure_offset, read_user_counter},
    mult::{MAX_UPDATE_INTERVAL_SECS, calc_mult_shift, hres_resolution_nanos},
    seq::write_sections,
};

/// The single writer of a pair of vvar pages.
///
/// It turns the kernel clock ([`ClockIf`]) into the records the vDSO reads:
/// [`init`](Self::init) once at boot, then [`try_update`](Self::try_update)
/// on every timekeeping update (once per tick period). Every write happens
/// inside the seqcount write section of both records, under a [`SpinNoIrq`]
/// lock, so concurrent writers never interleave.
///
/// Until `init`, the pages are all zero: `clock_mode` is
/// [`VDSO_CLOCKMODE_NONE`], so the vDSO sends every high-resolution call to
/// the syscall.
///
/// # Contexts
///
/// Readers spin while a write is in progress, so a writer must not be
/// interrupted or preempted inside its write section. The lock enforces it:
/// while a writer holds it, local IRQs are off (and preemption, where
/// `kernel_guard` has its `preempt` feature), so a tick on the writing CPU
/// cannot even find the lock held. [`try_update`](Self::try_update) never
/// waits: it is what the tick (interrupt) handler calls. [`init`](Self::init) waits for the lock, from
/// any context but the tick.
///
/// Without kspin's `smp` feature (a one-CPU kernel) the lock has no state of
/// its own: masking IRQs is all it takes. An SMP kernel turns that feature on
/// (axfeat's `smp` does), and host tests do.
///
/// # Time never goes backwards
///
/// The high-resolution bases are stored in shifted nanoseconds with the exact
/// sub-nanosecond fraction, and `mult` is rounded down. The writer assumes the
/// kernel's monotonic clock is the *plain* clock
/// `counter_to_monotonic_nanos(c) == floor(c * 1e9 / freq)` (axhal's
/// `ticks_to_nanos` on riscv64 at 10 MHz, or a TSC at a whole number of MHz
/// whose counter starts at 0). Then a vDSO reader is exact at `cycle_last`,
/// never ahead of the kernel's clock, and never behind a reader of the
/// previous record. For any other clock the integer part of each base is
/// still the kernel's value; the writer additionally never publishes a base
/// below what readers of the previous record can have reached, so readers
/// stay monotonic, at the cost of being up to 1 ns ahead of the kernel.
///
/// # Panics
///
/// Never, except for a debug assertion on the seqcount parity, which only a
/// second writer of the same pages (outside this `VvarWriter`) could trip.
///
/// # Examples
///
/// ```
/// use axvdso_vvar::{CS_HRES_COARSE, VvarPages, VvarWriter, clock_id, read_begin, read_retry};
/// use starry_hooks::testing::FakeClock;
///
/// static PAGES: VvarPages = VvarPages::new();
/// static WRITER: VvarWriter<'static> = VvarWriter::new(&PAGES);
///
/// WRITER.init(&FakeClock::new(10_000_000, 25_000_000)); // 10 MHz, 2.5 s after boot
/// let data = &PAGES.data[CS_HRES_COARSE];
/// let mono = &data.basetime[clock_id::MONOTONIC_COARSE as usize];
/// let sec = loop {
///     let seq = read_begin(data);
///     let sec = mono.sec.load(core::sync::atomic::Ordering::Relaxed);
///     if !read_retry(data, seq) {
///         break sec;
///     }
/// };
/// assert_eq!(sec, 2);
/// ```
pub struct VvarWriter<'a> {
    pages: &'a VvarPages,
    /// The conversion [`init`](Self::init) chose; `None` before it. Holding
    /// the lock is also the right to write `pages`.
    params: SpinNoIrq<Option<Params>>,
}

/// What the writer publishes besides the time, fixed by [`VvarWriter::init`].
#[derive(Debug, Clone, Copy)]
struct Params {
    freq_hz: u64,
    mult: u32,
    shift: u32,
    /// The mode to publish (already forced to NONE for an unusable counter).
    clock_mode: i32,
    hrtimer_res: u32,
    coarse_res: u32,
    /// Kernel ticks minus the vDSO's counter (`crate::counter`): what
    /// `cycle_last` on the page is shifted by.
    user_offset: u64,
}

impl Params {
    /// The parameters for `clock`'s counter.
    fn new(clock: &dyn ClockIf, user_counter: impl FnMut() -> Option<u64>) -> Self {
        let freq_hz = clock.counter_freq_hz();
        let (mult, shift) = calc_mult_shift(freq_hz, MAX_UPDATE_INTERVAL_SECS);
        let clock_mode = if mult == 0 {
            VDSO_CLOCKMODE_NONE
        } else {
            VDSO_CLOCKMODE_ARCHTIMER
        };
        let tick = clock.tick_period_nanos();
        Self {
            user_offset: measure_offset(|| clock.read_counter(), user_counter, 3),
            freq_hz,
            mult,
            shift,
            clock_mode,
            hrtimer_res: hres_resolution_nanos(freq_hz),
            coarse_res: tick.clamp(1, u32::MAX.into()) as u32,
        }
    }
}

impl<'a> VvarWriter<'a> {
    /// A writer for `pages`, which must have no other writer.
    ///
    /// Nothing is written until [`init`](Self::init).
    pub const fn new(pages: &'a VvarPages) -> Self {
        Self {
            pages,
            params: SpinNoIrq::new(None),
        }
    }

    /// The pages this writer fills.
    pub fn pages(&self) -> &'a VvarPages {
        self.pages
    }

    /// Sets up the conversion from the clock and publishes a first update.
    /// Waits for the lock.
    ///
    /// Chooses `mult`/`shift` for [`ClockIf::counter_freq_hz`] (see
    /// [`calc_mult_shift`], with [`MAX_UPDATE_INTERVAL_SECS`]), and publishes
    /// `mask = u64::MAX`, `hrtimer_res` = [`hres_resolution_nanos`],
    /// `coarse_res` = [`ClockIf::tick_period_nanos`] (saturated to `u32`, at
    /// least 1) and `clock_mode` = [`VDSO_CLOCKMODE_ARCHTIMER`].
    ///
    /// If the counter is unusable (frequency 0, or too fast for any shift),
    /// `clock_mode` stays [`VDSO_CLOCKMODE_NONE`]: the vDSO takes the syscall
    /// for every clock (the coarse ones, `time()` and the timezone included).
    /// Calling `init` again restarts from the new frequency; time
    /// may then step (the previous base is not carried over).
    pub fn init(&self, clock: &dyn ClockIf) {
        self.init_with(clock, read_user_counter);
    }

    /// [`init`](Self::init), with `user_counter` as the counter the vDSO
    /// reads (`crate::counter`).
    fn init_with(&self, clock: &dyn ClockIf, user_counter: impl FnMut() -> Option<u64>) {
        let mut params = self.params.lock();
        let new = Params::new(clock, user_counter);
        *params = Some(new);
        self.publish(&new, clock, false);
    }

    /// Publishes the clock's current time, unless another CPU is writing the
    /// pages right now. Never waits: this is the tick path.
    ///
    /// Returns `false`, having done nothing, if the lock was held (the other
    /// writer's update is as fresh). Returns `true` otherwise; before
    /// [`init`](Self::init) there is nothing to publish and the pages are left
    /// untouched.
    pub fn try_update(&self, clock: &dyn ClockIf) -> bool {
        let Some(params) = self.params.try_lock() else {
            return false;
        };
        if let Some(params) = &*params {
            self.publish(params, clock, true);
        }
        true
    }

    /// Publishes the clock's current time, waiting for a concurrent writer:
    /// for a change the pages must show before the caller goes on (the wall
    /// clock was set). Before [`init`](Self::init) there is nothing to
    /// publish and the pages are left untouched.
    pub fn update(&self, clock: &dyn ClockIf) {
        let params = self.params.lock();
        if let Some(params) = &*params {
            self.publish(params, clock, true);
        }
    }

    /// Publishes that the kernel's random generator took a new key, of
    /// `generation` (nonzero), for the vDSO's `getrandom`: from now on every
    /// per-thread state keyed under an older generation takes a new key
    /// before it gives out another byte. Marks the generator ready.
    ///
    /// Lock-free, callable in any context: the generation only grows (a
    /// reseed that reports late, after a later one, changes nothing) and is
    /// stored before `is_ready`, both with `Release`. A `generation` of 0
    /// (never seeded) is ignored.
    pub fn publish_rng_generation(&self, generation: u64) {
        if generation == 0 {
            return;
        }
        let rng = &self.pages.rng;
        rng.generation.fetch_max(generation, Ordering::Release);
        rng.is_ready.store(1, Ordering::Release);
    }

    /// Runs `write` on both records (`CS_HRES_COARSE`, `CS_RAW`) inside their
    /// write sections. The caller holds the lock.
    fn write_both(&self, write: impl FnOnce(&VdsoData, &VdsoData)) {
        let hres = &self.pages.data[CS_HRES_COARSE];
        let raw = &self.pages.data[CS_RAW];
        write_sections([&hres.seq, &raw.seq], || write(hres, raw));
    }

    /// Takes one counter sample and publishes every base from it. The caller
    /// holds the lock; `params` is what it guards. With `continue_from_page`
    /// the new bases never fall behind what readers of the record on the
    /// page can have reached (the record was written with `params`).
    fn publish(&self, params: &Params, clock: &dyn ClockIf, continue_from_page: bool) {
        let &Params {
            freq_hz,
            mult,
            shift,
            clock_mode: mode,
            hrtimer_res,
            coarse_res,
            user_offset,
        } = params;
        let hres = &self.pages.data[CS_HRES_COARSE];

        // The previous base, read back from the page (only the lock holder
        // writes it).
        let prev = continue_from_page.then(|| {
            let mono = &hres.basetime[clock_id::MONOTONIC as usize];
            let base = join_shifted(
                mono.sec.load(Ordering::Relaxed),
                mono.nsec.load(Ordering::Relaxed),
                shift,
            );
            let cycle_last = hres.cycle_last.load(Ordering::Relaxed);
            (cycle_last.wrapping_add(user_offset), base)
        });

        // The one sample. A counter behind `cycle_last` (counters of two CPUs
        // slightly out of step) would move the base backwards: keep the old one.
        let mut counter = clock.read_counter();
        if let Some((prev_cycle, _)) = prev {
            counter = counter.max(prev_cycle);
        }
        let mono_nanos = clock.counter_to_monotonic_nanos(counter);
        let wall_offset = clock.wall_offset_nanos();

        let mut mono = monotonic_shifted(counter, mono_nanos, freq_hz, shift);
        // A reader of the previous record may already have reached this value
        // at `counter`; never publish less. For the plain clock
        // (`floor(counter * 1e9 / freq)`) this never triggers, because `mult`
        // is rounded down and the bases are exact; it protects other clocks
        // from sub-nanosecond steps backwards.
        if let Some(reached) =
            prev.and_then(|(cycle, base)| extrapolate(base, cycle, counter, mult))
        {
            mono = mono.max(reached);
        }
        let wall = mono + ((wall_offset as u128) << shift);

        let (mono_sec, mono_nsec) = split_shifted(mono, shift);
        let (wall_sec, wall_nsec) = split_shifted(wall, shift);
        let (mono_coarse_sec, mono_coarse_nsec) = split_shifted(mono >> shift, 0);
        let (wall_coarse_sec, wall_coarse_nsec) = split_shifted(wall >> shift, 0);

        let set = |data: &VdsoData, id: u32, sec: u64, nsec: u64| {
            let slot = &data.basetime[id as usize];
            slot.sec.store(sec, Ordering::Relaxed);
            slot.nsec.store(nsec, Ordering::Relaxed);
        };
        self.write_both(|hres, raw| {
            for data in [hres, raw] {
                data.clock_mode.store(mode, Ordering::Relaxed);
                data.cycle_last
                    .store(counter.wrapping_sub(user_offset), Ordering::Relaxed);
                data.mask.store(u64::MAX, Ordering::Relaxed);
                data.mult.store(mult, Ordering::Relaxed);
                data.shift.store(shift, Ordering::Relaxed);
                data.hrtimer_res.store(hrtimer_res, Ordering::Relaxed);
                data.coarse_res.store(coarse_res, Ordering::Relaxed);
            }
            // Starry has no suspend, so BOOTTIME is MONOTONIC; its TAI clock
            // is the wall clock (TAI offset 0), as its syscall reports.
            set(hres, clock_id::REALTIME, wall_sec, wall_nsec);
            set(hres, clock_id::MONOTONIC, mono_sec, mono_nsec);
            set(hres, clock_id::BOOTTIME, mono_sec, mono_nsec);
            set(hres, clock_id::TAI, wall_sec, wall_nsec);
            set(
                hres,
                clock_id::REALTIME_COARSE,
                wall_coarse_sec,
                wall_coarse_nsec,
            );
            set(
                hres,
                clock_id::MONOTONIC_COARSE,
                mono_coarse_sec,
                mono_coarse_nsec,
            );
            // No frequency adjustment (NTP slewing) exists, so RAW is MONOTONIC.
            set(raw, clock_id::MONOTONIC_RAW, mono_sec, mono_nsec);
            // Inside the write section: a syscall that sees the new coarse
            // time happens after vDSO readers start to wait for it.
            clock.publish_coarse_counter(counter);
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    use starry_hooks::testing::FakeClock;

    use super::*;
    use crate::{VDSO_BASES, read_begin};

    /// A plain clock at `freq` with a 4 ms tick.
    fn clock_at(freq: u64, counter: u64) -> FakeClock {
        FakeClock::new(freq, counter).with_tick_period_nanos(4_000_000)
    }

    static PUBLISH_PAGES: VvarPages = VvarPages::new();
    static PUBLISH_SEQ: AtomicU32 = AtomicU32::new(0);

    /// Records the count of record 0 when the coarse counter is published.
    fn record_publish_seq(_counter: u64) {
        let seq = PUBLISH_PAGES.data[CS_HRES_COARSE]
            .seq
            .load(Ordering::Relaxed);
        PUBLISH_SEQ.store(seq, Ordering::Relaxed);
    }

    #[test]
    fn coarse_counter_is_published_inside_the_write_section() {
        let writer = VvarWriter::new(&PUBLISH_PAGES);
        let clock = clock_at(10_000_000, 1_000).on_publish_coarse_counter(record_publish_seq);
        writer.init(&clock);
        clock.set_counter(123_456);
        assert!(writer.try_update(&clock));
        assert_eq!(clock.published_coarse_counter(), Some(123_456));
        assert_eq!(
            PUBLISH_PAGES.data[CS_HRES_COARSE]
                .cycle_last
                .load(Ordering::Relaxed),
            123_456
        );
        let seq = PUBLISH_SEQ.load(Ordering::Relaxed);
        assert_eq!(seq % 2, 1, "published outside the write section");
    }

    fn seqs(pages: &VvarPages) -> [u32; 2] {
        pages.data.each_ref().map(|d| d.seq.load(Ordering::Relaxed))
    }

    fn slot(pages: &VvarPages, record: usize, id: u32) -> (u64, u64) {
        let ts = &pages.data[record].basetime[id as usize];
        (
            ts.sec.load(Ordering::Relaxed),
            ts.nsec.load(Ordering::Relaxed),
        )
    }

    #[test]
    fn rng_generation_only_grows_and_marks_ready() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let rng = &pages.rng;
        writer.publish_rng_generation(0);
        assert_eq!(
            (
                rng.generation.load(Ordering::Relaxed),
                rng.is_ready.load(Ordering::Relaxed)
            ),
            (0, 0)
        );
        writer.publish_rng_generation(3);
        assert_eq!(
            (
                rng.generation.load(Ordering::Relaxed),
                rng.is_ready.load(Ordering::Relaxed)
            ),
            (3, 1)
        );
        // A reseed that reports after a later one.
        writer.publish_rng_generation(2);
        assert_eq!(rng.generation.load(Ordering::Relaxed), 3);
        writer.publish_rng_generation(4);
        assert_eq!(rng.generation.load(Ordering::Relaxed), 4);
        // The clock records are untouched.
        assert_eq!(seqs(&pages), [0, 0]);
    }

    #[test]
    fn nothing_is_written_before_init() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(10_000_000, 123);
        assert!(writer.try_update(&clock));
        assert_eq!(seqs(&pages), [0, 0]);
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 0);
        assert_eq!(
            pages.data[0].clock_mode.load(Ordering::Relaxed),
            VDSO_CLOCKMODE_NONE
        );
    }

    #[test]
    fn every_write_bumps_both_records_by_two() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(24_000_000, 1_000);
        writer.init(&clock);
        assert_eq!(seqs(&pages), [2, 2]);
        assert!(writer.try_update(&clock));
        assert_eq!(seqs(&pages), [4, 4]);
        clock.set_counter(1_000_000);
        assert!(writer.try_update(&clock));
        assert_eq!(seqs(&pages), [6, 6]);
        writer.init(&clock);
        assert_eq!(seqs(&pages), [8, 8]);
        assert_eq!(read_begin(&pages.data[0]), 8);
    }

    #[test]
    fn init_publishes_the_parameters_in_both_records() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        writer.init(&clock_at(10_000_000, 5));
        for data in &pages.data {
            assert_eq!(
                data.clock_mode.load(Ordering::Relaxed),
                VDSO_CLOCKMODE_ARCHTIMER
            );
            assert!(data.uses_counter());
            assert_eq!(data.mask.load(Ordering::Relaxed), u64::MAX);
            assert_eq!(data.mult.load(Ordering::Relaxed), 100 << 24);
            assert_eq!(data.shift.load(Ordering::Relaxed), 24);
            assert_eq!(data.hrtimer_res.load(Ordering::Relaxed), 100);
            assert_eq!(data.coarse_res.load(Ordering::Relaxed), 4_000_000);
            assert_eq!(data.cycle_last.load(Ordering::Relaxed), 5);
        }
    }

    #[test]
    fn every_base_comes_from_one_sample() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        // 24 MHz, so the fraction is not zero: 2.5 s + 1 cycle.
        let clock = clock_at(24_000_000, 60_000_001);
        clock.set_wall_offset_nanos(1_700_000_000_999_999_999);
        writer.init(&clock);

        let shift = 24;
        // 60_000_001 / 24 MHz = 2.500000041666.. s
        let mono_ns: u128 = 2_500_000_041;
        let frac = ((60_000_001u128 * 1_000_000_000) << shift) / 24_000_000 - (mono_ns << shift);
        assert_eq!(frac, (2 << shift) / 3);
        let mono = (2, ((500_000_041 << shift) + frac) as u64);
        // 2.500000041 + 1_700_000_000.999999999 = 1_700_000_003.500000040
        let wall = (1_700_000_003, ((500_000_040 << shift) + frac) as u64);

        assert_eq!(slot(&pages, CS_HRES_COARSE, clock_id::REALTIME), wall);
        assert_eq!(slot(&pages, CS_HRES_COARSE, clock_id::MONOTONIC), mono);
        assert_eq!(slot(&pages, CS_HRES_COARSE, clock_id::BOOTTIME), mono);
        assert_eq!(slot(&pages, CS_HRES_COARSE, clock_id::TAI), wall);
        assert_eq!(
            slot(&pages, CS_HRES_COARSE, clock_id::REALTIME_COARSE),
            (1_700_000_003, 500_000_040)
        );
        assert_eq!(
            slot(&pages, CS_HRES_COARSE, clock_id::MONOTONIC_COARSE),
            (2, 500_000_041)
        );
        assert_eq!(slot(&pages, CS_RAW, clock_id::MONOTONIC_RAW), mono);
        // Every other slot stays empty.
        for record in [CS_HRES_COARSE, CS_RAW] {
            for id in 0..VDSO_BASES as u32 {
                let used = if record == CS_RAW {
                    id == clock_id::MONOTONIC_RAW
                } else {
                    [0, 1, 5, 6, 7, 11].contains(&id)
                };
                if !used {
                    assert_eq!(slot(&pages, record, id), (0, 0), "record {record} id {id}");
                }
            }
        }
    }

    #[test]
    fn realtime_is_monotonic_plus_offset() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(62_500_000, 0);
        writer.init(&clock);
        for (counter, offset) in [
            (1, 0),
            (62_500_000, 999_999_999),
            (7_777_777_777, 1_234_567_890_123_456_789),
        ] {
            clock.set_counter(counter);
            clock.set_wall_offset_nanos(offset);
            assert!(writer.try_update(&clock));
            let (ms, mn) = slot(&pages, 0, clock_id::MONOTONIC);
            let (rs, rn) = slot(&pages, 0, clock_id::REALTIME);
            let mono = join_shifted(ms, mn, 24);
            assert_eq!(join_shifted(rs, rn, 24), mono + ((offset as u128) << 24));
            assert_eq!(slot(&pages, 0, clock_id::TAI), (rs, rn));
            let (cs, cn) = slot(&pages, 0, clock_id::REALTIME_COARSE);
            assert_eq!(
                cs as u128 * 1_000_000_000 + cn as u128,
                (mono >> 24) + offset as u128
            );
        }
    }

    #[test]
    fn unusable_counter_keeps_the_syscall_but_fills_coarse_clocks() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        // Frequency 0: the counter counts nanoseconds of the kernel's clock.
        let clock = FakeClock::new(0, 3_000_000_001)
            .with_wall_offset_nanos(10_000_000_000)
            .with_tick_period_nanos(0);
        writer.init(&clock);
        for data in &pages.data {
            assert_eq!(data.clock_mode.load(Ordering::Relaxed), VDSO_CLOCKMODE_NONE);
            assert!(!data.uses_counter());
            assert_eq!(data.mult.load(Ordering::Relaxed), 0);
            assert_eq!(data.hrtimer_res.load(Ordering::Relaxed), 1);
            assert_eq!(data.coarse_res.load(Ordering::Relaxed), 1);
        }
        assert_eq!(slot(&pages, 0, clock_id::MONOTONIC_COARSE), (3, 1));
        assert_eq!(slot(&pages, 0, clock_id::REALTIME_COARSE), (13, 1));
        assert_eq!(slot(&pages, 0, clock_id::MONOTONIC), (3, 1));
    }

    #[test]
    fn cycle_last_is_published_in_the_vdso_s_counter() {
        // The vDSO's counter reads 7000 behind the kernel's (CNTVOFF).
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(10_000_000, 1_000_000);
        writer.init_with(&clock, || Some(clock.read_counter() - 7_000));
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 993_000);
        assert_eq!(pages.data[1].cycle_last.load(Ordering::Relaxed), 993_000);
        let at_init = slot(&pages, 0, clock_id::MONOTONIC);
        // The base is the kernel's time at its own counter value, as without
        // an offset.
        let plain = VvarPages::new();
        VvarWriter::new(&plain).init(&clock);
        assert_eq!(at_init, slot(&plain, 0, clock_id::MONOTONIC));
        // A later update continues from the page's record, offset undone: no
        // step back when the kernel's counter has not moved past it.
        clock.set_counter(999_000);
        assert!(writer.try_update(&clock));
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 993_000);
        assert_eq!(slot(&pages, 0, clock_id::MONOTONIC), at_init);
        clock.set_counter(2_000_000);
        assert!(writer.try_update(&clock));
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 1_993_000);
    }

    #[test]
    fn a_counter_behind_cycle_last_does_not_move_time_back() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(10_000_000, 1_000_000);
        writer.init(&clock);
        let before = slot(&pages, 0, clock_id::MONOTONIC);
        clock.set_counter(999_000);
        assert!(writer.try_update(&clock));
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 1_000_000);
        assert_eq!(slot(&pages, 0, clock_id::MONOTONIC), before);
    }

    #[test]
    fn updates_keep_the_timezone_and_republish_the_clock_mode() {
        // What a test (Starry has no settimeofday) stores by hand while no
        // writer runs: the timezone, and a mode that sends every call to the
        // syscall.
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(10_000_000, 1);
        writer.init(&clock);
        for data in &pages.data {
            data.tz_minuteswest.store(-480, Ordering::Relaxed);
            data.tz_dsttime.store(1, Ordering::Relaxed);
            data.clock_mode
                .store(VDSO_CLOCKMODE_NONE, Ordering::Relaxed);
        }
        clock.set_counter(2);
        assert!(writer.try_update(&clock));
        for data in &pages.data {
            assert_eq!(data.tz_minuteswest.load(Ordering::Relaxed), -480);
            assert_eq!(data.tz_dsttime.load(Ordering::Relaxed), 1);
            assert!(data.uses_counter(), "init's mode is published again");
            assert_eq!(data.cycle_last.load(Ordering::Relaxed), 2);
        }
    }

    #[test]
    fn update_publishes_a_wall_clock_set_backwards_at_once() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = clock_at(10_000_000, 5_000_000).with_wall_offset_nanos(2_000_000_000);
        writer.update(&clock);
        assert_eq!(seqs(&pages), [0, 0], "nothing before init");
        writer.init(&clock);
        let mono = slot(&pages, 0, clock_id::MONOTONIC);
        // The clock is set one second back, within the same counter value.
        clock.set_wall_offset_nanos(1_000_000_000);
        writer.update(&clock);
        assert_eq!(slot(&pages, 0, clock_id::MONOTONIC), mono);
        let (rs, rn) = slot(&pages, 0, clock_id::REALTIME);
        assert_eq!(join_shifted(rs, rn, 24) >> 24, 500_000_000 + 1_000_000_000);
        assert_eq!(slot(&pages, 0, clock_id::REALTIME_COARSE), (1, 500_000_000));
    }

    static NESTED_PAGES: VvarPages = VvarPages::new();
    static NESTED_WRITER: VvarWriter<'static> = VvarWriter::new(&NESTED_PAGES);
    static NESTED_RESULT: AtomicBool = AtomicBool::new(true);

    /// A tick's `try_update` on the writing CPU, as a timer interrupt inside
    /// the writer's critical section would run it.
    fn nested_tick() {
        let published = NESTED_WRITER.try_update(&clock_at(10_000_000, 999_999));
        NESTED_RESULT.store(published, Ordering::Relaxed);
    }

    #[test]
    fn try_update_gives_up_while_a_writer_holds_the_lock() {
        let clock = clock_at(10_000_000, 42).on_read_counter(nested_tick);
        NESTED_WRITER.init(&clock);
        assert!(!NESTED_RESULT.load(Ordering::Relaxed));
        // The nested tick wrote nothing: the sample is the outer writer's.
        assert_eq!(NESTED_PAGES.data[0].cycle_last.load(Ordering::Relaxed), 42);
        assert_eq!(seqs(&NESTED_PAGES), [2, 2]);
        // With the lock free, the tick path does update.
        assert!(NESTED_WRITER.try_update(&clock_at(10_000_000, 43)));
        assert_eq!(NESTED_PAGES.data[0].cycle_last.load(Ordering::Relaxed), 43);
    }
}
