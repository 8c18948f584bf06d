//! The counter the vDSO reads, against the one the kernel's clock runs on.
//!
//! `cycle_last` on the data page is a value of the counter the vDSO reads at
//! user level, which need not be the kernel's: on aarch64 Linux's image (and
//! ours) reads the virtual counter `CNTVCT_EL0`, while a kernel may keep time
//! by the physical one, `CNTPCT_EL0`; the two differ by `CNTVOFF_EL2` (0
//! unless a hypervisor set it). The writer keeps its arithmetic in kernel
//! ticks ([`ClockIf::read_counter`](starry_hooks::ClockIf::read_counter)) and
//! publishes `cycle_last` shifted by the offset measured once at
//! [`VvarWriter::init`](crate::VvarWriter::init).

/// Reads the counter the vDSO reads, where it may differ from the kernel's:
/// `CNTVCT_EL0` after an `isb` on aarch64, as the vDSO does.
#[cfg(target_arch = "aarch64")]
pub fn read_user_counter() -> Option<u64> {
    use aarch64_cpu::{
        asm::barrier::{SY, isb},
        registers::{CNTVCT_EL0, Readable},
    };
    isb(SY);
    Some(CNTVCT_EL0.get())
}

/// Reads the counter the vDSO reads, where it may differ from the kernel's:
/// elsewhere it is the kernel's own, `None`. riscv64: `rdtime`. x86_64: the
/// raw TSC, which is also the starry-kernel 0.12 clock's counter (its
/// platform's ticks are `ax_cpu::timer::read_counter`, a bare `rdtsc`, at the
/// frequency it calibrates); a kernel whose ticks were the TSC less a boot
/// value would need the TSC read here, and this crate has no safe way to
/// execute `rdtsc` of its own.
#[cfg(not(target_arch = "aarch64"))]
pub fn read_user_counter() -> Option<u64> {
    None
}

/// The user counter's offset from the kernel's: `kernel - user`, from up to
/// `tries` reads of the user counter each between two kernel reads.
///
/// 0 if a user read ever falls between its two kernel reads (the same
/// counter, or one with no offset that can be told at this resolution);
/// otherwise the offset from the midpoint of the last pair. Without a user
/// counter of its own (`user` answers `None`) the offset is 0.
pub fn measure_offset(
    mut kernel: impl FnMut() -> u64,
    mut user: impl FnMut() -> Option<u64>,
    tries: usize,
) -> u64 {
    let mut offset = 0;
    for _ in 0..tries {
        let before = kernel();
        let Some(at) = user() else {
            return 0;
        };
        let after = kernel();
        if (before..=after).contains(&at) {
            return 0;
        }
        let mid = before / 2 + after / 2 + (before % 2 + after % 2) / 2;
        offset = mid.wrapping_sub(at);
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_counter_has_no_offset() {
        let now = core::cell::Cell::new(1_000u64);
        let step = || {
            now.set(now.get() + 3);
            now.get()
        };
        assert_eq!(measure_offset(step, || Some(step()), 3), 0);
    }

    #[test]
    fn an_offset_counter_is_measured_to_the_midpoint() {
        // The user counter runs 5000 behind; each read takes 2 ticks.
        let now = core::cell::Cell::new(100_000u64);
        let step = || {
            now.set(now.get() + 2);
            now.get()
        };
        let offset = measure_offset(step, || Some(step() - 5_000), 3);
        assert_eq!(offset, 5_000);
    }

    #[test]
    fn a_counter_ahead_of_the_kernel_wraps_to_a_negative_offset() {
        let now = core::cell::Cell::new(100u64);
        let step = || {
            now.set(now.get() + 1);
            now.get()
        };
        let offset = measure_offset(step, || Some(step() + (1 << 40)), 1);
        assert_eq!(100u64.wrapping_sub(offset), 100 + (1 << 40));
    }

    #[test]
    fn no_user_counter_means_no_offset() {
        assert_eq!(measure_offset(|| 7, || None, 3), 0);
        #[cfg(not(target_arch = "aarch64"))]
        assert_eq!(read_user_counter(), None);
    }
}
