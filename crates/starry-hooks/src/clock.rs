//! The kernel clock, as a hook sees it.

/// Read access to the kernel's clock.
///
/// The *counter* is the free-running hardware counter the kernel's clock runs
/// on (`rdtime` on riscv64, the generic timer's physical or virtual count on
/// aarch64); the kernel's monotonic clock is a function of it:
/// [`counter_to_monotonic_nanos`]. User space may read the same counter, or
/// one a constant offset away (aarch64's `cntvct_el0`): the vDSO's writer
/// measures that offset itself, the kernel need not know of it.
/// Wall-clock time is monotonic time plus [`wall_offset_nanos`].
///
/// [`counter_to_monotonic_nanos`]: ClockIf::counter_to_monotonic_nanos
/// [`wall_offset_nanos`]: ClockIf::wall_offset_nanos
pub trait ClockIf {
    /// Reads the hardware counter now.
    fn read_counter(&self) -> u64;

    /// The counter frequency, in Hz.
    fn counter_freq_hz(&self) -> u64;

    /// Converts a counter value to nanoseconds of the kernel's monotonic clock.
    fn counter_to_monotonic_nanos(&self, counter: u64) -> u64;

    /// Wall-clock (`CLOCK_REALTIME`) time minus monotonic time, in nanoseconds.
    fn wall_offset_nanos(&self) -> u64;

    /// The period of the kernel's timer tick, in nanoseconds.
    fn tick_period_nanos(&self) -> u64;

    /// Tells the kernel that the coarse clocks (`CLOCK_REALTIME_COARSE`,
    /// `CLOCK_MONOTONIC_COARSE`) now stand at the time of counter value
    /// `counter`: the time of the last timekeeping update, which a hook (the
    /// vDSO data page) has just published.
    ///
    /// The kernel's own coarse clocks (the syscall) should then read the same
    /// value, so that both paths agree. The default does nothing: a kernel
    /// that ignores it serves its coarse clocks at full precision.
    fn publish_coarse_counter(&self, counter: u64) {
        let _ = counter;
    }
}
