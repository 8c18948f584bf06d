//! Counter-to-nanosecond conversion factors.
//!
//! The vDSO turns a counter delta into nanoseconds without a division:
//! `ns = (base_nsec_shifted + delta * mult) >> shift`, where
//! `mult / 2^shift ≈ NANOS_PER_SEC / freq`.

/// Nanoseconds per second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The longest time between two updates for which the vDSO arithmetic is
/// guaranteed not to overflow, in seconds.
///
/// Updates come from the timer tick, normally every few milliseconds. They can
/// stall much longer when no CPU takes a tick: a VM paused by its host or a
/// host suspended, a long section with interrupts disabled, or (later) a
/// tickless idle kernel. Ten minutes covers all of these with room to spare
/// while still leaving [`calc_mult_shift`] a 24-bit shift, which keeps the
/// conversion error far below a nanosecond per tick.
pub const MAX_UPDATE_INTERVAL_SECS: u32 = 600;

/// The largest shift considered; Linux uses the same bound.
const MAX_SHIFT: u32 = 32;

/// Chooses `(mult, shift)` so that `delta * mult >> shift` converts a delta of
/// a counter running at `freq_hz` into nanoseconds.
///
/// `mult` is `floor((NANOS_PER_SEC << shift) / freq_hz)`: rounded down, so a
/// converted delta never exceeds the exact value and the vDSO never runs ahead
/// of the kernel's clock. The shift is the largest one (at most 32) for which
///
/// - `mult` fits in a `u32`, and
/// - the vDSO's sum `base_nsec_shifted + delta * mult` fits in a `u64` for every
///   delta of up to `max_delta_secs` seconds (`base_nsec_shifted` is below
///   `NANOS_PER_SEC << shift`). This is stricter than bounding the product
///   alone, and it is what the reader actually computes.
///
/// The larger the shift, the smaller the rounding error: a delta of `d` cycles
/// is converted at most `d / 2^shift` ns short.
///
/// Returns `(0, 0)` when no shift works (`freq_hz` is 0, or so high that even
/// `mult = 1` would overflow): the counter cannot be used by the vDSO.
///
/// # Examples
///
/// ```
/// use axvdso_vvar::calc_mult_shift;
///
/// // QEMU riscv64 `virt`: a 10 MHz timebase, 100 ns per cycle.
/// let (mult, shift) = calc_mult_shift(10_000_000, 600);
/// assert_eq!((mult, shift), (100 << 24, 24));
/// assert_eq!((3 * u64::from(mult)) >> shift, 300);
/// ```
pub const fn calc_mult_shift(freq_hz: u64, max_delta_secs: u32) -> (u32, u32) {
    if freq_hz == 0 {
        return (0, 0);
    }
    let freq = freq_hz as u128;
    let max_delta_cycles = freq * max_delta_secs as u128;
    let mut shift = MAX_SHIFT + 1;
    while shift > 0 {
        shift -= 1;
        let one_sec_shifted = (NANOS_PER_SEC as u128) << shift;
        let mult = one_sec_shifted / freq;
        if mult == 0 {
            // A smaller shift only makes it smaller.
            break;
        }
        if mult <= u32::MAX as u128 && one_sec_shifted + max_delta_cycles * mult <= u64::MAX as u128
        {
            return (mult as u32, shift);
        }
    }
    (0, 0)
}

/// The resolution of the high-resolution clocks for a counter at `freq_hz`:
/// one counter period rounded up to whole nanoseconds, at least 1.
///
/// This is what the vvar page's `hrtimer_res` holds and what `clock_getres`
/// reports; the kernel's syscall should return the same value. A frequency of
/// 0 (no usable counter) gives 1.
///
/// # Examples
///
/// ```
/// use axvdso_vvar::hres_resolution_nanos;
///
/// assert_eq!(hres_resolution_nanos(10_000_000), 100);
/// assert_eq!(hres_resolution_nanos(24_000_000), 42);
/// assert_eq!(hres_resolution_nanos(3_000_000_000), 1);
/// ```
pub const fn hres_resolution_nanos(freq_hz: u64) -> u32 {
    if freq_hz == 0 {
        return 1;
    }
    // Below 1 Hz is impossible for an integer frequency, so this is at most
    // NANOS_PER_SEC and fits in a u32.
    NANOS_PER_SEC.div_ceil(freq_hz) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frequencies seen in practice: QEMU riscv timebase, Arm generic timer
    /// (24 MHz on many boards, 62.5 MHz on QEMU), a 1 GHz counter, TSCs.
    const FREQS: [u64; 7] = [
        10_000_000,
        24_000_000,
        62_500_000,
        1_000_000_000,
        2_995_200_000,
        3_000_000_000,
        1,
    ];

    fn exact_nanos(delta: u64, freq: u64) -> u128 {
        delta as u128 * NANOS_PER_SEC as u128 / freq as u128
    }

    fn converted(delta: u64, mult: u32, shift: u32) -> u128 {
        (delta as u128 * mult as u128) >> shift
    }

    #[test]
    fn exact_values_for_common_frequencies() {
        let secs = MAX_UPDATE_INTERVAL_SECS;
        assert_eq!(calc_mult_shift(10_000_000, secs), (100 << 24, 24));
        assert_eq!(calc_mult_shift(24_000_000, secs), (699_050_666, 24));
        assert_eq!(calc_mult_shift(62_500_000, secs), (16 << 24, 24));
        assert_eq!(calc_mult_shift(1_000_000_000, secs), (1 << 24, 24));
        assert_eq!(calc_mult_shift(3_000_000_000, secs), (5_592_405, 24));
        // 1 Hz: 1e9 ns per cycle leaves room for only two bits of shift.
        assert_eq!(calc_mult_shift(1, secs), (4_000_000_000, 2));
    }

    #[test]
    fn mult_is_rounded_down() {
        for freq in FREQS {
            let (mult, shift) = calc_mult_shift(freq, MAX_UPDATE_INTERVAL_SECS);
            let exact = ((NANOS_PER_SEC as u128) << shift) / freq as u128;
            assert_eq!(mult as u128, exact, "freq {freq}");
        }
    }

    #[test]
    fn shift_is_the_largest_that_fits() {
        for freq in FREQS {
            let secs = MAX_UPDATE_INTERVAL_SECS;
            let (_, shift) = calc_mult_shift(freq, secs);
            if shift == MAX_SHIFT {
                continue;
            }
            let bigger = shift + 1;
            let one_sec = (NANOS_PER_SEC as u128) << bigger;
            let mult = one_sec / freq as u128;
            let fits = mult <= u32::MAX as u128
                && one_sec + freq as u128 * secs as u128 * mult <= u64::MAX as u128;
            assert!(!fits, "freq {freq}: shift {bigger} would also fit");
        }
    }

    #[test]
    fn reader_sum_does_not_overflow_at_the_bound() {
        for freq in FREQS {
            let (mult, shift) = calc_mult_shift(freq, MAX_UPDATE_INTERVAL_SECS);
            let max_delta = freq * MAX_UPDATE_INTERVAL_SECS as u64;
            let base_max = (NANOS_PER_SEC << shift) - 1;
            let product = max_delta
                .checked_mul(mult as u64)
                .expect("product overflows");
            let sum = base_max.checked_add(product).expect("sum overflows");
            // And the result is the right time, within the rounding error.
            let ns = (sum >> shift) as u128;
            let exact = (NANOS_PER_SEC as u128 - 1) + exact_nanos(max_delta, freq);
            assert!(ns <= exact && exact - ns <= (max_delta >> shift) as u128 + 1);
        }
    }

    #[test]
    fn drift_over_an_update_interval_is_below_one_nanosecond() {
        // 10 ms: a 100 Hz tick.
        for freq in FREQS.into_iter().filter(|&f| f >= 100) {
            let (mult, shift) = calc_mult_shift(freq, MAX_UPDATE_INTERVAL_SECS);
            let delta = freq / 100;
            let exact = delta as u128 * NANOS_PER_SEC as u128 * (1 << shift) / freq as u128;
            let approx = delta as u128 * mult as u128;
            assert!(
                exact - approx < 1 << shift,
                "freq {freq}: drift of {} ns",
                (exact - approx) >> shift
            );
        }
    }

    #[test]
    fn conversion_never_exceeds_the_exact_value() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for freq in FREQS {
            let (mult, shift) = calc_mult_shift(freq, MAX_UPDATE_INTERVAL_SECS);
            let max_delta = freq * MAX_UPDATE_INTERVAL_SECS as u64;
            for _ in 0..10_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let delta = x % (max_delta + 1);
                let exact = exact_nanos(delta, freq);
                let got = converted(delta, mult, shift);
                assert!(got <= exact, "freq {freq} delta {delta}: {got} > {exact}");
                assert!(exact - got <= (delta >> shift) as u128 + 1);
            }
        }
    }

    #[test]
    fn unusable_frequencies_give_zero() {
        assert_eq!(calc_mult_shift(0, MAX_UPDATE_INTERVAL_SECS), (0, 0));
        // Even `mult = 1` at shift 0 would overflow within 600 s.
        assert_eq!(calc_mult_shift(u64::MAX, MAX_UPDATE_INTERVAL_SECS), (0, 0));
        // No bound on the delta: the largest shift is used.
        assert_eq!(calc_mult_shift(1_000_000_000, 0), (1 << 31, 31));
    }

    #[test]
    fn resolution_rounds_up() {
        assert_eq!(hres_resolution_nanos(10_000_000), 100);
        assert_eq!(hres_resolution_nanos(62_500_000), 16);
        assert_eq!(hres_resolution_nanos(24_000_000), 42);
        assert_eq!(hres_resolution_nanos(1_000_000_000), 1);
        assert_eq!(hres_resolution_nanos(3_000_000_000), 1);
        assert_eq!(hres_resolution_nanos(1), 1_000_000_000);
        assert_eq!(hres_resolution_nanos(0), 1);
        assert_eq!(hres_resolution_nanos(u64::MAX), 1);
    }
}
