//! The writer's old names and methods, for `axvdso-image`'s tests until they
//! move to the new ones. Hidden from the docs; delete this file (and its
//! `mod` line in writer.rs) once nothing uses it.
//!
//! - `Vvar` is [`VvarWriter`].
//! - `update` has no caller in the kernel: a test with one writer calls
//!   [`VvarWriter::try_update`], which then always publishes.
//! - `set_timezone` and `set_clock_mode` have no caller in the kernel (Starry
//!   has no `settimeofday`): a test that owns the pages stores
//!   `tz_minuteswest`/`tz_dsttime`/`clock_mode` of both records itself, while
//!   no writer runs; the next update publishes `clock_mode` again.

use core::sync::atomic::Ordering;

use starry_hooks::ClockIf;

use super::VvarWriter;
use crate::{VDSO_CLOCKMODE_NONE, VDSO_CLOCKMODE_TIMENS};

/// The old name of [`VvarWriter`].
pub type Vvar<'a> = VvarWriter<'a>;

impl VvarWriter<'_> {
    /// Publishes the clock's current time, waiting for the lock. Use it after
    /// the wall-clock offset changes (`settimeofday`, `clock_settime`), so that
    /// `CLOCK_REALTIME` in the vDSO follows at once. Does nothing before
    /// [`init`](Self::init).
    #[doc(hidden)]
    pub fn update(&self, clock: &dyn ClockIf) {
        if let Some(params) = &*self.params.lock() {
            self.publish(params, clock, true);
        }
    }

    /// Publishes the timezone that `gettimeofday` reports (`struct timezone`),
    /// in both records. Waits for the lock.
    #[doc(hidden)]
    pub fn set_timezone(&self, minuteswest: i32, dsttime: i32) {
        let _params = self.params.lock();
        self.write_both(|hres, raw| {
            for data in [hres, raw] {
                data.tz_minuteswest.store(minuteswest, Ordering::Relaxed);
                data.tz_dsttime.store(dsttime, Ordering::Relaxed);
            }
        });
    }

    /// Publishes `mode` as the `clock_mode` of both records. Waits for the lock.
    ///
    /// [`VDSO_CLOCKMODE_NONE`] forces every high-resolution vDSO call onto the
    /// syscall (for tests, or when the counter turns out to be unusable from
    /// user space). [`VDSO_CLOCKMODE_TIMENS`] would send readers to the
    /// time-namespace page, which is never filled, so it is published as
    /// `NONE`; so is any mode while the counter is unusable (before
    /// [`init`](Self::init), or after an `init` that found no usable
    /// frequency). `init` resets the mode to [`VDSO_CLOCKMODE_ARCHTIMER`]:
    /// call this after it.
    #[doc(hidden)]
    pub fn set_clock_mode(&self, mode: i32) {
        let mut params = self.params.lock();
        let mode = match &mut *params {
            Some(params) if params.mult != 0 && mode != VDSO_CLOCKMODE_TIMENS => {
                params.clock_mode = mode;
                mode
            }
            Some(params) => {
                params.clock_mode = VDSO_CLOCKMODE_NONE;
                VDSO_CLOCKMODE_NONE
            }
            None => VDSO_CLOCKMODE_NONE,
        };
        self.write_both(|hres, raw| {
            for data in [hres, raw] {
                data.clock_mode.store(mode, Ordering::Relaxed);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use starry_hooks::testing::FakeClock;

    use super::*;
    use crate::{VDSO_CLOCKMODE_ARCHTIMER, VvarPages};

    fn modes(pages: &VvarPages) -> [i32; 2] {
        pages
            .data
            .each_ref()
            .map(|d| d.clock_mode.load(Ordering::Relaxed))
    }

    #[test]
    fn timezone_is_published_in_both_records_and_updates_keep_it() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        writer.set_timezone(-480, 1);
        for data in &pages.data {
            assert_eq!(data.seq.load(Ordering::Relaxed), 2);
            assert_eq!(data.tz_minuteswest.load(Ordering::Relaxed), -480);
            assert_eq!(data.tz_dsttime.load(Ordering::Relaxed), 1);
        }
        writer.init(&FakeClock::new(10_000_000, 1));
        writer.update(&FakeClock::new(10_000_000, 2));
        assert_eq!(pages.data[0].tz_minuteswest.load(Ordering::Relaxed), -480);
        assert_eq!(pages.data[0].cycle_last.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn clock_mode_can_be_forced_off_and_back_on_but_never_to_timens() {
        let pages = VvarPages::new();
        let writer = VvarWriter::new(&pages);
        let clock = FakeClock::new(10_000_000, 1);
        // Not before the counter is known.
        writer.set_clock_mode(VDSO_CLOCKMODE_ARCHTIMER);
        assert_eq!(modes(&pages), [VDSO_CLOCKMODE_NONE; 2]);
        writer.init(&clock);
        writer.set_clock_mode(VDSO_CLOCKMODE_NONE);
        writer.update(&clock);
        assert_eq!(modes(&pages), [VDSO_CLOCKMODE_NONE; 2]);
        writer.set_clock_mode(VDSO_CLOCKMODE_TIMENS);
        assert_eq!(modes(&pages), [VDSO_CLOCKMODE_NONE; 2]);
        writer.set_clock_mode(VDSO_CLOCKMODE_ARCHTIMER);
        writer.update(&clock);
        assert_eq!(modes(&pages), [VDSO_CLOCKMODE_ARCHTIMER; 2]);
        // Nor for an unusable counter.
        writer.init(&FakeClock::new(0, 1));
        writer.set_clock_mode(VDSO_CLOCKMODE_ARCHTIMER);
        assert_eq!(modes(&pages), [VDSO_CLOCKMODE_NONE; 2]);
    }
}
