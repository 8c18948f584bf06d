//! What an architecture supplies to the generic core, and its own exports.
//!
//! Each `arch/<arch>.rs` defines `Arch`, implementing [`VdsoArch`]: the counter
//! read, where the data pages are, and the fallback syscalls. The unsafe code
//! of the vDSO lives there and nowhere else.

use axvdso_vvar::VvarPages;

use crate::abi::{OutPtr, Timespec, Timeval, Timezone};

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
pub(crate) use riscv64::Arch;

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::Arch;

#[cfg(not(any(target_arch = "riscv64", target_arch = "x86_64")))]
compile_error!("axvdso vDSO: unsupported target architecture (supported: riscv64, x86_64)");

/// The hooks of the generic core (Linux: `asm/vdso/gettimeofday.h`).
pub(crate) trait VdsoArch {
    /// Reads the counter the kernel's clock runs on, the one `cycle_last` was
    /// sampled from. Called right after the seqcount's acquire load; must not
    /// be satisfied much earlier than that (each arch says how).
    fn read_counter() -> u64;

    /// The data pages, mapped read-only directly below the first byte of this
    /// image (`VVAR_SIZE` bytes), found PC-relative, never through a
    /// relocation.
    fn vvar_pages() -> &'static VvarPages;

    /// The `clock_gettime` syscall.
    fn fallback_clock_gettime(clock: i32, ts: OutPtr<'_, Timespec>) -> isize;

    /// The `clock_getres` syscall.
    fn fallback_clock_getres(clock: i32, res: OutPtr<'_, Timespec>) -> isize;

    /// The `gettimeofday` syscall.
    fn fallback_gettimeofday(tv: OutPtr<'_, Timeval>, tz: OutPtr<'_, Timezone>) -> isize;

    /// The `getcpu` syscall.
    fn fallback_getcpu(cpu: OutPtr<'_, u32>, node: OutPtr<'_, u32>, unused: usize) -> isize;

    /// `counter - cycle_last` under `mask`.
    ///
    /// A counter behind `cycle_last` (read on a CPU whose counter lags the
    /// updating CPU's by a few cycles, or read a little early by the CPU)
    /// would wrap to a huge delta and push the time forward by most of the
    /// counter's range. A delta in the upper half of the mask's range is taken
    /// as such a wrap and counted as zero: the time is then the base, which
    /// the kernel published as already past.
    #[inline(always)]
    fn counter_delta(counter: u64, cycle_last: u64, mask: u64) -> u64 {
        let delta = counter.wrapping_sub(cycle_last) & mask;
        if delta > mask >> 1 { 0 } else { delta }
    }
}
