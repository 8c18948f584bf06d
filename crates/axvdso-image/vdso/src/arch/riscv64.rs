//! riscv64: `rdtime`, `ecall`, the signal trampoline and `__vdso_flush_icache`.
//!
//! Exports under `LINUX_4.15` (the riscv64 row of `axvdso-abi`).

use core::arch::{asm, global_asm};

use axvdso_abi::nr;

use super::VdsoArch;

/// The C name of the entry point `$name` of `entry.rs`: Linux riscv64's
/// `__vdso_` prefix.
macro_rules! entry_symbol {
    ($name:literal) => {
        concat!("__vdso_", $name)
    };
}
pub(crate) use entry_symbol;

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
    fn image_start() -> usize {
        let image_start: usize;
        // SAFETY: `lla` only computes the PC-relative address of
        // `__ehdr_start`, the first byte of this image (the linker defines it
        // because the ELF header is loaded); no memory is touched.
        unsafe {
            asm!(
                "lla {0}, __ehdr_start",
                out(reg) image_start,
                options(pure, nomem, nostack, preserves_flags),
            );
        }
        image_start
    }

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
}

/// `int __vdso_flush_icache(void *start, void *end, unsigned long flags)`:
/// the `riscv_flush_icache` syscall, which glibc's `__riscv_flush_icache`
/// calls through the vDSO.
#[unsafe(no_mangle)]
pub extern "C" fn __vdso_flush_icache(start: usize, end: usize, flags: usize) -> isize {
    // SAFETY: riscv_flush_icache reads and writes no user memory: it only
    // makes instruction fetches see earlier stores, on this or every hart.
    unsafe { Arch::syscall3(nr::RISCV_FLUSH_ICACHE, start, end, flags) }
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
    nr = const nr::RT_SIGRETURN,
);
