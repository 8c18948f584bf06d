//! riscv64: `rdtime`, `ecall`, the signal trampoline and `__vdso_flush_icache`.
//!
//! Exports under `LINUX_4.15` (`link/riscv64.ver`).

use core::arch::{asm, global_asm};

use axvdso_vvar::{VVAR_SIZE, VvarPages};

use super::VdsoArch;
use crate::abi::{OutPtr, Timespec, Timeval, Timezone, out_addr};

// Syscall numbers (asm-generic/unistd.h; riscv has no `time` syscall).
const NR_CLOCK_GETTIME: usize = 113;
const NR_CLOCK_GETRES: usize = 114;
const NR_RT_SIGRETURN: usize = 139;
const NR_GETCPU: usize = 168;
const NR_GETTIMEOFDAY: usize = 169;
/// `__NR_arch_specific_syscall + 15`.
const NR_RISCV_FLUSH_ICACHE: usize = 259;

/// The riscv64 hooks.
pub(crate) struct Arch;

impl VdsoArch for Arch {
    /// `rdtime`: the `time` CSR, the counter the kernel's timer runs on.
    ///
    /// No fence, as in Linux: RVWMO does not order a CSR read after the
    /// seqcount's acquire load, so the counter may be read a little early;
    /// `counter_delta` turns a counter behind `cycle_last` into a zero delta.
    #[inline(always)]
    fn read_counter() -> u64 {
        let time: u64;
        // SAFETY: reading `time` touches no memory. It traps only if the kernel
        // has not enabled `scounteren.TM`, and then the kernel must not publish
        // VDSO_CLOCKMODE_ARCHTIMER, the only mode in which this is reached.
        // Not `nomem`: the compiler must keep it after the seqcount load.
        unsafe { asm!("rdtime {0}", out(reg) time, options(nostack, preserves_flags)) };
        time
    }

    #[inline(always)]
    fn vvar_pages() -> &'static VvarPages {
        let image_start: usize;
        // SAFETY: 1. `lla` only computes the PC-relative address of
        // `__ehdr_start`, the first byte of this image (the linker defines it
        // because the ELF header is loaded). 2. The vDSO's load contract
        // (DESIGN.md §5) is that the kernel maps a `VvarPages` of `VVAR_SIZE`
        // bytes, readable, page aligned, directly below the image for as long
        // as the image is mapped, and it is only accessed through its atomics.
        unsafe {
            asm!(
                "lla {0}, __ehdr_start",
                out(reg) image_start,
                options(pure, nomem, nostack, preserves_flags),
            );
            &*(image_start.wrapping_sub(VVAR_SIZE) as *const VvarPages)
        }
    }

    #[inline(always)]
    fn fallback_clock_gettime(clock: i32, ts: OutPtr<'_, Timespec>) -> isize {
        // SAFETY: clock_gettime writes only `*ts`, a valid output or NULL.
        unsafe { syscall3(NR_CLOCK_GETTIME, clock as usize, out_addr(ts), 0) }
    }

    #[inline(always)]
    fn fallback_clock_getres(clock: i32, res: OutPtr<'_, Timespec>) -> isize {
        // SAFETY: clock_getres writes only `*res`, a valid output or NULL.
        unsafe { syscall3(NR_CLOCK_GETRES, clock as usize, out_addr(res), 0) }
    }

    #[inline(always)]
    fn fallback_gettimeofday(tv: OutPtr<'_, Timeval>, tz: OutPtr<'_, Timezone>) -> isize {
        // SAFETY: gettimeofday writes only `*tv` and `*tz`, each a valid output
        // or NULL.
        unsafe { syscall3(NR_GETTIMEOFDAY, out_addr(tv), out_addr(tz), 0) }
    }

    #[inline(always)]
    fn fallback_getcpu(cpu: OutPtr<'_, u32>, node: OutPtr<'_, u32>, unused: usize) -> isize {
        // SAFETY: getcpu writes only `*cpu` and `*node`, each a valid output or
        // NULL; the kernel ignores the third argument.
        unsafe { syscall3(NR_GETCPU, out_addr(cpu), out_addr(node), unused) }
    }
}

/// Makes syscall `nr` with three arguments; returns `a0` (`-errno` on error).
///
/// # Safety
///
/// The syscall's effects with these arguments must be sound for the caller:
/// every pointer argument must be valid for what the syscall does with it.
#[inline(always)]
unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
    let ret: isize;
    // SAFETY: `ecall` with a7 = nr enters the kernel, which preserves every
    // register but a0; the caller vouches for the syscall's effects.
    unsafe {
        asm!(
            "ecall",
            in("a7") nr,
            inlateout("a0") a0 as isize => ret,
            in("a1") a1,
            in("a2") a2,
            options(nostack, preserves_flags),
        );
    }
    ret
}

/// `int __vdso_flush_icache(void *start, void *end, unsigned long flags)`:
/// the `riscv_flush_icache` syscall, which glibc's `__riscv_flush_icache`
/// calls through the vDSO.
#[unsafe(no_mangle)]
pub extern "C" fn __vdso_flush_icache(start: usize, end: usize, flags: usize) -> isize {
    // SAFETY: riscv_flush_icache reads and writes no user memory: it only
    // makes instruction fetches see earlier stores, on this or every hart.
    unsafe { syscall3(NR_RISCV_FLUSH_ICACHE, start, end, flags) }
}

// `__vdso_rt_sigreturn`: where a signal handler returns to (the kernel sets
// `ra` to it). Unwinders (libgcc's `riscv_fallback_frame_state`, and others)
// recognise a signal frame by these exact two instructions, so they are
// spelled out uncompressed: `li a7, 139` = 93 08 b0 08, `ecall` = 73 00 00 00.
// `.cfi_signal_frame` tells CFI-based unwinders that the caller's pc is exact.
global_asm!(
    ".pushsection .text.__vdso_rt_sigreturn, \"ax\", @progbits",
    ".globl __vdso_rt_sigreturn",
    ".type __vdso_rt_sigreturn, @function",
    ".balign 4",
    "__vdso_rt_sigreturn:",
    ".cfi_startproc",
    ".cfi_signal_frame",
    ".option push",
    ".option norvc",
    "li a7, {nr}",
    "ecall",
    ".option pop",
    ".cfi_endproc",
    ".size __vdso_rt_sigreturn, . - __vdso_rt_sigreturn",
    ".popsection",
    nr = const NR_RT_SIGRETURN,
);
