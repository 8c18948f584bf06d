//! Fakes of the kernel services, for host tests of hooks (feature
//! `test-support`).
//!
//! [`FakeClock`] is a [`ClockIf`] whose counter the test sets;
//! [`RecordingSpace`] is a [`UserSpaceIf`] that records what a hook maps and
//! pushes, and can be told to fail a step.
//!
//! # Examples
//!
//! ```
//! use starry_hooks::{
//!     AT_SYSINFO_EHDR, ClockIf, HookError, UserPerm, UserSpaceIf,
//!     testing::{FakeClock, RecordingSpace},
//! };
//!
//! let clock = FakeClock::new(10_000_000, 25); // 10 MHz: 100 ns per cycle
//! assert_eq!(clock.counter_to_monotonic_nanos(clock.read_counter()), 2_500);
//!
//! let mut space = RecordingSpace::new(7);
//! space.push_aux(AT_SYSINFO_EHDR, 0x1000).unwrap();
//! assert_eq!(space.aux, [(AT_SYSINFO_EHDR, 0x1000)]);
//! space.fail_map = Some(("[vdso]", HookError::NoMemory));
//! let err = space.map_kernel_pages(0x1000, 0xffff_0000, 0x1000, UserPerm::READ, "[vdso]");
//! assert_eq!(err, Err(HookError::NoMemory));
//! ```

extern crate alloc;

use alloc::vec::Vec;
use core::{
    ops::Range,
    sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
};

use crate::{ClockIf, HookError, HookResult, UserPerm, UserSpaceIf};

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// A kernel clock whose counter the test sets.
///
/// The kernel's monotonic clock is
/// `start + floor((counter - origin) * 1e9 / freq)`: with the default origin
/// and start 0 this is the plain clock that axhal's `ticks_to_nanos` is. A
/// frequency of 0 stands for a counter user space cannot use; the counter then
/// counts nanoseconds of the kernel's clock.
///
/// Every method takes `&self`, so a test can move the clock while hooks on
/// other threads read it.
#[derive(Debug)]
pub struct FakeClock {
    counter: AtomicU64,
    step: u64,
    freq_hz: u64,
    origin: u64,
    start_nanos: u64,
    wall_offset_nanos: AtomicU64,
    tick_period_nanos: u64,
    coarse_counter: AtomicU64,
    coarse_published: AtomicBool,
    on_read_counter: Option<fn()>,
    on_publish_coarse_counter: Option<fn(u64)>,
}

impl FakeClock {
    /// A plain clock at `freq_hz` whose counter stands at `counter`: origin 0,
    /// start 0, wall offset 0, a 10 ms tick, and a counter that moves only
    /// when set.
    pub const fn new(freq_hz: u64, counter: u64) -> Self {
        Self {
            counter: AtomicU64::new(counter),
            step: 0,
            freq_hz,
            origin: 0,
            start_nanos: 0,
            wall_offset_nanos: AtomicU64::new(0),
            tick_period_nanos: 10_000_000,
            coarse_counter: AtomicU64::new(0),
            coarse_published: AtomicBool::new(false),
            on_read_counter: None,
            on_publish_coarse_counter: None,
        }
    }

    /// Starts the kernel's monotonic clock at counter value `origin` instead
    /// of 0, so that its sub-nanosecond fraction differs from the one the
    /// counter implies.
    pub const fn with_origin(mut self, origin: u64) -> Self {
        self.origin = origin;
        self
    }

    /// Has the kernel's monotonic clock read `nanos` (instead of 0) at the
    /// origin: e.g. a clock on a real counter (the TSC), set far from the
    /// host's own clocks.
    pub const fn with_monotonic_start_nanos(mut self, nanos: u64) -> Self {
        self.start_nanos = nanos;
        self
    }

    /// Advances the counter by `step` before every [`read_counter`], as a
    /// running counter does.
    ///
    /// [`read_counter`]: ClockIf::read_counter
    pub const fn with_step(mut self, step: u64) -> Self {
        self.step = step;
        self
    }

    /// Sets the tick period, in nanoseconds.
    pub const fn with_tick_period_nanos(mut self, nanos: u64) -> Self {
        self.tick_period_nanos = nanos;
        self
    }

    /// Sets the wall-clock offset, in nanoseconds.
    pub const fn with_wall_offset_nanos(mut self, nanos: u64) -> Self {
        self.wall_offset_nanos = AtomicU64::new(nanos);
        self
    }

    /// Calls `hook` at the start of every [`read_counter`], e.g. to run a
    /// nested tick as a timer interrupt would.
    ///
    /// [`read_counter`]: ClockIf::read_counter
    pub const fn on_read_counter(mut self, hook: fn()) -> Self {
        self.on_read_counter = Some(hook);
        self
    }

    /// Calls `hook` with the counter of every
    /// [`publish_coarse_counter`](ClockIf::publish_coarse_counter), after
    /// recording it.
    pub const fn on_publish_coarse_counter(mut self, hook: fn(u64)) -> Self {
        self.on_publish_coarse_counter = Some(hook);
        self
    }

    /// The counter now, without advancing it.
    pub fn counter(&self) -> u64 {
        self.counter.load(Relaxed)
    }

    /// Moves the counter to `counter`.
    pub fn set_counter(&self, counter: u64) {
        self.counter.store(counter, Relaxed);
    }

    /// Sets the wall-clock offset (as `settimeofday` would), in nanoseconds.
    pub fn set_wall_offset_nanos(&self, nanos: u64) {
        self.wall_offset_nanos.store(nanos, Relaxed);
    }

    /// The kernel's monotonic clock at `counter`, in nanoseconds, exactly
    /// (not truncated to `u64`).
    ///
    /// # Panics
    ///
    /// If `counter` is below the origin.
    pub fn monotonic_nanos_at(&self, counter: u64) -> u128 {
        let since_origin = counter
            .checked_sub(self.origin)
            .unwrap_or_else(|| panic!("counter {counter} is below the origin {}", self.origin));
        let since_origin = u128::from(since_origin);
        let elapsed = match self.freq_hz {
            0 => since_origin,
            freq => since_origin * NANOS_PER_SEC / u128::from(freq),
        };
        u128::from(self.start_nanos) + elapsed
    }

    /// The kernel's wall clock at `counter`, in nanoseconds: the monotonic
    /// clock plus the wall-clock offset now.
    ///
    /// # Panics
    ///
    /// If `counter` is below the origin.
    pub fn wall_nanos_at(&self, counter: u64) -> u128 {
        self.monotonic_nanos_at(counter) + u128::from(self.wall_offset_nanos.load(Relaxed))
    }

    /// The counter of the last
    /// [`publish_coarse_counter`](ClockIf::publish_coarse_counter), if any.
    pub fn published_coarse_counter(&self) -> Option<u64> {
        self.coarse_published
            .load(Relaxed)
            .then(|| self.coarse_counter.load(Relaxed))
    }
}

impl ClockIf for FakeClock {
    fn read_counter(&self) -> u64 {
        if let Some(hook) = self.on_read_counter {
            hook();
        }
        self.counter.fetch_add(self.step, Relaxed) + self.step
    }

    fn counter_freq_hz(&self) -> u64 {
        self.freq_hz
    }

    fn counter_to_monotonic_nanos(&self, counter: u64) -> u64 {
        self.monotonic_nanos_at(counter) as u64
    }

    fn wall_offset_nanos(&self) -> u64 {
        self.wall_offset_nanos.load(Relaxed)
    }

    fn tick_period_nanos(&self) -> u64 {
        self.tick_period_nanos
    }

    fn publish_coarse_counter(&self, counter: u64) {
        self.coarse_counter.store(counter, Relaxed);
        self.coarse_published.store(true, Relaxed);
        if let Some(hook) = self.on_publish_coarse_counter {
            hook(counter);
        }
    }
}

/// One mapping made through [`UserSpaceIf::map_kernel_pages`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// User address of the first page.
    pub start: usize,
    /// Size, in bytes.
    pub size: usize,
    /// Kernel virtual address of the pages mapped.
    pub kernel_vaddr: usize,
    /// Permissions.
    pub perm: UserPerm,
    /// The name it is listed under (`[vdso]`, ...).
    pub name: &'static str,
}

/// A user address space that records what hooks do to it, and can be told to
/// fail a step.
///
/// The fields are public: set `occupied` and the `fail_*` fields before
/// running a hook, read `maps`, `aux` and `signal_return` after.
#[derive(Debug, Clone)]
pub struct RecordingSpace {
    /// What [`UserSpaceIf::user_range`] returns.
    pub user_range: Range<usize>,
    /// What [`UserSpaceIf::special_mapping_window`] returns.
    pub window: Range<usize>,
    /// Ranges taken by something other than a hook (the program, its stack).
    pub occupied: Vec<Range<usize>>,
    /// The mappings hooks made and have not unmapped, in order.
    pub maps: Vec<Mapping>,
    /// The auxv entries pushed, in order.
    pub aux: Vec<(usize, usize)>,
    /// Where signal handlers return: `None` is the kernel's default.
    pub signal_return: Option<usize>,
    /// What every [`UserSpaceIf::random_u64`] returns.
    pub random: u64,
    /// Mapping pages under this name fails with this error.
    pub fail_map: Option<(&'static str, HookError)>,
    /// Pushing an auxv entry fails with this error.
    pub fail_aux: Option<HookError>,
    /// Setting a signal return address fails with this error (going back to
    /// the default never fails).
    pub fail_signal_return: Option<HookError>,
}

impl RecordingSpace {
    /// The user range of [`new`](Self::new) (riscv64's Sv39 user half, less
    /// page 0).
    pub const USER_RANGE: Range<usize> = 0x1000..0x40_0000_0000;
    /// The special-mapping window of [`new`](Self::new).
    pub const WINDOW: Range<usize> = 0x10_0000_0000..0x20_0000_0000;

    /// An empty space of [`USER_RANGE`](Self::USER_RANGE) with the special
    /// mapping window [`WINDOW`](Self::WINDOW), whose random source always
    /// answers `random`. Nothing fails.
    pub fn new(random: u64) -> Self {
        Self {
            user_range: Self::USER_RANGE,
            window: Self::WINDOW,
            occupied: Vec::new(),
            maps: Vec::new(),
            aux: Vec::new(),
            signal_return: None,
            random,
            fail_map: None,
            fail_aux: None,
            fail_signal_return: None,
        }
    }

    /// Whether `[start, start + size)` overlaps neither an occupied range nor
    /// a mapping.
    pub fn is_free(&self, start: usize, size: usize) -> bool {
        let end = start + size;
        let clear = |r: Range<usize>| end <= r.start || start >= r.end;
        self.occupied.iter().cloned().all(clear)
            && self.maps.iter().all(|m| clear(m.start..m.start + m.size))
    }
}

impl Default for RecordingSpace {
    fn default() -> Self {
        Self::new(0)
    }
}

impl UserSpaceIf for RecordingSpace {
    fn user_range(&self) -> Range<usize> {
        self.user_range.clone()
    }

    fn special_mapping_window(&self) -> Range<usize> {
        self.window.clone()
    }

    /// The first free, `align`-aligned range at or above `hint` (and `limit`'s
    /// start) that ends inside `limit`.
    fn find_free_range(
        &self,
        hint: usize,
        size: usize,
        limit: Range<usize>,
        align: usize,
    ) -> Option<usize> {
        let mut at = hint.max(limit.start).next_multiple_of(align);
        while at + size <= limit.end {
            if self.is_free(at, size) {
                return Some(at);
            }
            at += align;
        }
        None
    }

    /// Records the mapping; fails as `fail_map` says, or with
    /// [`HookError::AlreadyMapped`] over a taken range.
    fn map_kernel_pages(
        &mut self,
        user_start: usize,
        kernel_vaddr: usize,
        size: usize,
        perm: UserPerm,
        name: &'static str,
    ) -> HookResult {
        if let Some((_, err)) = self.fail_map.filter(|&(failing, _)| failing == name) {
            return Err(err);
        }
        if !self.is_free(user_start, size) {
            return Err(HookError::AlreadyMapped);
        }
        self.maps.push(Mapping {
            start: user_start,
            size,
            kernel_vaddr,
            perm,
            name,
        });
        Ok(())
    }

    /// Removes the mapping that starts at `user_start` and is `size` bytes.
    ///
    /// # Panics
    ///
    /// If there is no such mapping: a hook unmapped what it did not map.
    fn unmap(&mut self, user_start: usize, size: usize) -> HookResult {
        let at = self
            .maps
            .iter()
            .position(|m| m.start == user_start && m.size == size);
        let at = at
            .unwrap_or_else(|| panic!("unmap of {user_start:#x}+{size:#x}, which was not mapped"));
        self.maps.remove(at);
        Ok(())
    }

    fn set_signal_return(&mut self, user_addr: Option<usize>) -> HookResult {
        match self.fail_signal_return {
            Some(err) if user_addr.is_some() => Err(err),
            _ => {
                self.signal_return = user_addr;
                Ok(())
            }
        }
    }

    fn push_aux(&mut self, key: usize, value: usize) -> HookResult {
        match self.fail_aux {
            Some(err) => Err(err),
            None => {
                self.aux.push((key, value));
                Ok(())
            }
        }
    }

    fn random_u64(&mut self) -> u64 {
        self.random
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_steps_converts_and_records_the_coarse_counter() {
        let clock = FakeClock::new(24_000_000, 100)
            .with_step(24)
            .with_origin(4)
            .with_wall_offset_nanos(5);
        assert_eq!(clock.read_counter(), 124);
        assert_eq!(clock.read_counter(), 148);
        assert_eq!(clock.counter(), 148);
        // (148 - 4) / 24 MHz = 6 us.
        assert_eq!(clock.counter_to_monotonic_nanos(148), 6_000);
        assert_eq!(clock.wall_offset_nanos(), 5);
        assert_eq!(clock.wall_nanos_at(148), 6_005);
        assert_eq!(clock.published_coarse_counter(), None);
        clock.publish_coarse_counter(148);
        assert_eq!(clock.published_coarse_counter(), Some(148));
        // A counter user space cannot use counts nanoseconds.
        assert_eq!(
            FakeClock::new(0, 7).monotonic_nanos_at(3_000_000_001),
            3_000_000_001
        );
        // The monotonic clock may start elsewhere than 0 at the origin.
        let started = FakeClock::new(1_000_000_000, 0)
            .with_origin(10)
            .with_monotonic_start_nanos(u64::MAX);
        assert_eq!(started.monotonic_nanos_at(12), u128::from(u64::MAX) + 2);
    }

    #[test]
    fn space_finds_free_ranges_around_what_is_taken() {
        let mut space = RecordingSpace::new(0);
        space.occupied.push(0x2000..0x4000);
        let free =
            |space: &RecordingSpace| space.find_free_range(0x1000, 0x2000, 0..0x8000, 0x1000);
        assert_eq!(free(&space), Some(0x4000));
        space
            .map_kernel_pages(0x4000, 0xffff_0000, 0x1000, UserPerm::READ, "[x]")
            .unwrap();
        assert_eq!(free(&space), Some(0x5000));
        let again = space.map_kernel_pages(0x4000, 0xffff_0000, 0x1000, UserPerm::READ, "[y]");
        assert_eq!(again, Err(HookError::AlreadyMapped));
        space.unmap(0x4000, 0x1000).unwrap();
        assert!(space.maps.is_empty());
    }

    #[test]
    #[should_panic(expected = "was not mapped")]
    fn unmapping_what_was_not_mapped_panics() {
        let _ = RecordingSpace::new(0).unmap(0x4000, 0x1000);
    }

    #[test]
    fn a_failing_signal_return_can_still_be_reset() {
        let mut space = RecordingSpace::new(0);
        space.fail_signal_return = Some(HookError::InvalidInput);
        assert_eq!(
            space.set_signal_return(Some(0x1000)),
            Err(HookError::InvalidInput)
        );
        assert_eq!(space.set_signal_return(None), Ok(()));
        space.fail_aux = Some(HookError::Unsupported);
        assert_eq!(space.push_aux(1, 2), Err(HookError::Unsupported));
        assert!(space.aux.is_empty());
    }
}
