//! Base times: the clock values at `cycle_last` that the vDSO extrapolates from.
//!
//! A high-resolution base is kept in *shifted nanoseconds* (`ns << shift`) so
//! that it carries the sub-nanosecond fraction the counter implies. The vDSO
//! computes `(base + (counter - cycle_last) * mult) >> shift`; with `mult`
//! rounded down and the base exact, that value never exceeds the next base nor
//! the kernel's own clock, so time never goes backwards across an update.

use crate::mult::NANOS_PER_SEC;

/// The monotonic time at `counter`, in nanoseconds shifted left by `shift`.
///
/// The integer part is `mono_nanos`, the kernel's own value for `counter`. The
/// fraction is that of the exact time `counter * NANOS_PER_SEC / freq_hz`,
/// computed here because the clock interface reports whole nanoseconds only.
///
/// When the kernel's clock is exactly `floor(counter * NANOS_PER_SEC / freq_hz)`
/// (a counter that starts at 0 with the kernel's monotonic clock, and an
/// integer conversion, as axhal's `ticks_to_nanos` is for 10 MHz riscv64 or a
/// whole-MHz TSC), the result is the exact time
/// `floor((counter * NANOS_PER_SEC << shift) / freq_hz)`. For any other clock
/// the fraction is only an estimate; the writer then relies on its clamp
/// (see [`extrapolate`]) to keep time from going backwards.
pub(crate) fn monotonic_shifted(counter: u64, mono_nanos: u64, freq_hz: u64, shift: u32) -> u128 {
    if freq_hz == 0 || shift == 0 {
        return mono_nanos as u128;
    }
    // < 2^64 * 2^30 * 2^32 = 2^126: no overflow.
    let exact = ((counter as u128 * NANOS_PER_SEC as u128) << shift) / freq_hz as u128;
    let fraction = exact & ((1u128 << shift) - 1);
    ((mono_nanos as u128) << shift) | fraction
}

/// Where a reader of the record written at `(cycle_last, base)` arrives at
/// `counter`, in shifted nanoseconds; `None` if `counter` is behind
/// `cycle_last`.
pub(crate) fn extrapolate(base: u128, cycle_last: u64, counter: u64, mult: u32) -> Option<u128> {
    let delta = counter.checked_sub(cycle_last)?;
    // < 2^64 * 2^32: no overflow.
    Some(base + delta as u128 * mult as u128)
}

/// Splits shifted nanoseconds into `(seconds, nanoseconds << shift)`, the form
/// of a `basetime` slot.
pub(crate) fn split_shifted(shifted: u128, shift: u32) -> (u64, u64) {
    let sec = (shifted >> shift) / NANOS_PER_SEC as u128;
    let nsec = shifted - ((sec * NANOS_PER_SEC as u128) << shift);
    // `sec` < 2^128 / 2^30 only if the input came from u64 nanoseconds, which
    // it does (< 2^65 ns): it fits. `nsec` < NANOS_PER_SEC << shift <= 2^62.
    (sec as u64, nsec as u64)
}

/// Joins a `basetime` slot `(seconds, nanoseconds << shift)` back into shifted
/// nanoseconds.
pub(crate) fn join_shifted(sec: u64, nsec_shifted: u64, shift: u32) -> u128 {
    ((sec as u128 * NANOS_PER_SEC as u128) << shift) + nsec_shifted as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor_nanos(counter: u64, freq: u64) -> u64 {
        (counter as u128 * NANOS_PER_SEC as u128 / freq as u128) as u64
    }

    #[test]
    fn plain_clock_gives_the_exact_shifted_time() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for freq in [
            10_000_000,
            24_000_000,
            62_500_000,
            1_000_000_000,
            2_995_200_000,
            7,
        ] {
            for _ in 0..1000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Any counter whose time fits in u64 nanoseconds.
                let max_counter = (u64::MAX as u128 * freq as u128 / NANOS_PER_SEC as u128) as u64;
                let counter = x % max_counter;
                let mono = floor_nanos(counter, freq);
                let got = monotonic_shifted(counter, mono, freq, 24);
                let exact = ((counter as u128 * NANOS_PER_SEC as u128) << 24) / freq as u128;
                assert_eq!(got, exact, "freq {freq} counter {counter}");
                assert_eq!((got >> 24) as u64, mono);
            }
        }
    }

    #[test]
    fn integer_part_is_always_the_kernel_value() {
        // A clock that is not plain (offset by 12345 ns): the integer part
        // still comes from the kernel.
        let got = monotonic_shifted(1_000_003, 100_000_300 + 12_345, 10_000_000, 20);
        assert_eq!(got >> 20, 100_000_300 + 12_345);
        // 24 MHz, counter 1: 41.666.. ns, fraction 2/3.
        let got = monotonic_shifted(1, 41, 24_000_000, 24);
        assert_eq!(got, (41 << 24) + (2 << 24) / 3);
    }

    #[test]
    fn unusable_counter_gives_whole_nanoseconds() {
        assert_eq!(monotonic_shifted(123, 456, 0, 24), 456);
        assert_eq!(monotonic_shifted(123, 456, 10, 0), 456);
    }

    #[test]
    fn split_and_join_round_trip() {
        let shift = 24;
        let ns = 1_700_000_000_123_456_789_u128;
        let shifted = (ns << shift) + 12_345;
        let (sec, nsec) = split_shifted(shifted, shift);
        assert_eq!(sec, 1_700_000_000);
        assert_eq!(nsec, (123_456_789 << shift) + 12_345);
        assert_eq!(join_shifted(sec, nsec, shift), shifted);
        assert_eq!(split_shifted(2_999_999_999, 0), (2, 999_999_999));
        // The largest possible input: u64::MAX ns plus a full fraction.
        let max = ((u64::MAX as u128) << 32) | 0xffff_ffff;
        let (sec, nsec) = split_shifted(max, 32);
        assert_eq!(join_shifted(sec, nsec, 32), max);
    }

    #[test]
    fn extrapolation_needs_a_counter_at_or_after_cycle_last() {
        assert_eq!(extrapolate(1000, 10, 13, 7), Some(1021));
        assert_eq!(extrapolate(1000, 10, 10, 7), Some(1000));
        assert_eq!(extrapolate(1000, 10, 9, 7), None);
    }
}
