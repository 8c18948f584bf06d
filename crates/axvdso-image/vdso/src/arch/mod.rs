//! What an architecture supplies to the generic core, and its own exports.
//!
//! Each `arch/<arch>.rs` defines `Arch`, implementing [`VdsoArch`]: the counter
//! read, where the data pages are, and the fallback syscalls; and the macro
//! `entry_symbol!`, which gives an entry point of `entry.rs` its C name (the
//! arch's prefix, which `axvdso-abi`'s row lists and the image checks
//! require). The unsafe code of the vDSO lives there and nowhere else.

use core::sync::atomic::AtomicU32;

use axvdso_abi::nr;
use axvdso_vvar::{VVAR_SIZE, VvarPages};

use crate::abi::{OutPtr, Timespec, Timeval, Timezone, out_addr};

#[cfg(target_arch = "riscv64")]
mod riscv64;
#[cfg(target_arch = "riscv64")]
pub(crate) use riscv64::{Arch, entry_symbol};

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub(crate) use x86_64::{Arch, entry_symbol};

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub(crate) use aarch64::{Arch, entry_symbol};

#[cfg(target_arch = "loongarch64")]
mod loongarch64;
#[cfg(target_arch = "loongarch64")]
pub(crate) use loongarch64::{Arch, entry_symbol};

#[cfg(not(any(
    target_arch = "riscv64",
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "loongarch64"
)))]
compile_error!(
    "axvdso vDSO: unsupported target architecture (supported: riscv64, x86_64, aarch64, \
     loongarch64)"
);

/// The hooks of the generic core (Linux: `asm/vdso/gettimeofday.h`).
pub(crate) trait VdsoArch {
    /// Reads the counter the kernel's clock runs on, the one `cycle_last` was
    /// sampled from. Called right after the seqcount's acquire load; must not
    /// be satisfied much earlier than that (each arch says how).
    fn read_counter() -> u64;

    /// The address of the first byte of this image (its ELF header), computed
    /// PC-relative, never through a relocation.
    fn image_start() -> usize;

    /// Makes syscall `nr` with three arguments; returns the kernel's result
    /// (`-errno` on error).
    ///
    /// # Safety
    ///
    /// The syscall's effects with these arguments must be sound for the
    /// caller: every pointer argument must be valid for what the syscall does
    /// with it.
    unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize;

    /// The data pages, mapped read-only directly below the first byte of this
    /// image (`VVAR_SIZE` bytes).
    #[inline(always)]
    fn vvar_pages() -> &'static VvarPages {
        let pages = Self::image_start().wrapping_sub(VVAR_SIZE) as *const VvarPages;
        // SAFETY: the vDSO's load contract (DESIGN.md §5) is that the kernel
        // maps a `VvarPages` of `VVAR_SIZE` bytes, readable, page aligned,
        // directly below the image for as long as the image is mapped; it is
        // only accessed through its atomics.
        unsafe { &*pages }
    }

    /// The `clock_gettime` syscall.
    #[inline(always)]
    fn fallback_clock_gettime(clock: i32, ts: OutPtr<'_, Timespec>) -> isize {
        // SAFETY: clock_gettime writes only `*ts`, a valid output or NULL.
        unsafe { Self::syscall3(nr::CLOCK_GETTIME, clock as usize, out_addr(ts), 0) }
    }

    /// The `clock_getres` syscall.
    #[inline(always)]
    fn fallback_clock_getres(clock: i32, res: OutPtr<'_, Timespec>) -> isize {
        // SAFETY: clock_getres writes only `*res`, a valid output or NULL.
        unsafe { Self::syscall3(nr::CLOCK_GETRES, clock as usize, out_addr(res), 0) }
    }

    /// The `gettimeofday` syscall.
    #[inline(always)]
    fn fallback_gettimeofday(tv: OutPtr<'_, Timeval>, tz: OutPtr<'_, Timezone>) -> isize {
        // SAFETY: gettimeofday writes only `*tv` and `*tz`, each a valid output
        // or NULL.
        unsafe { Self::syscall3(nr::GETTIMEOFDAY, out_addr(tv), out_addr(tz), 0) }
    }

    /// The `getcpu` syscall.
    #[inline(always)]
    fn fallback_getcpu(cpu: OutPtr<'_, u32>, node: OutPtr<'_, u32>, unused: usize) -> isize {
        // SAFETY: getcpu writes only `*cpu` and `*node`, each a valid output or
        // NULL; the kernel ignores the third argument.
        unsafe { Self::syscall3(nr::GETCPU, out_addr(cpu), out_addr(node), unused) }
    }

    /// One ChaCha20 block (key `key`, block counter `counter`, nonce 0) into
    /// `out`, with no key or keystream word stored anywhere else (the stack
    /// included). The generic one keeps its state in general registers
    /// (`chacha.rs`); an arch with too few overrides it.
    #[inline(always)]
    fn chacha20_block(key: &[AtomicU32; 8], counter: u64, out: &[AtomicU32; 16]) {
        crate::chacha::block_to_words(key, counter, out);
    }

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
