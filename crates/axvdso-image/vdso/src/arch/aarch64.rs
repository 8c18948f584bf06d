//! aarch64: `cntvct_el0`, `svc #0` and the signal trampoline
//! `__kernel_rt_sigreturn`.
//!
//! Exports under `LINUX_2.6.39` with Linux's arm64 names, `__kernel_*` (the
//! aarch64 row of `axvdso-abi`). Built for `aarch64-unknown-none-softfloat`:
//! no FP/SIMD register is touched, so the caller's need not be saved.

use core::arch::{asm, global_asm};

use axvdso_abi::nr;

use super::VdsoArch;

/// The C name of the entry point `$name` of `entry.rs`: Linux arm64's
/// `__kernel_` prefix.
macro_rules! entry_symbol {
    ($name:literal) => {
        concat!("__kernel_", $name)
    };
}
pub(crate) use entry_symbol;

/// The aarch64 hooks.
pub(crate) struct Arch;

impl VdsoArch for Arch {
    /// `isb; mrs cntvct_el0`, then a load that depends on the value read.
    ///
    /// The `isb` keeps the CPU from reading the counter speculatively, ahead
    /// of the seqcount's acquire load. A system-register read is not a memory
    /// access, so the acquire fence of `read_retry` alone would not order it
    /// before the count's re-read; a dummy load from the stack at an address
    /// computed from the counter value (`counter ^ counter`, always 0, added
    /// to `sp`) makes it so, as Linux does: the fence orders that load, and
    /// the load cannot issue before the counter is read.
    #[inline(always)]
    fn read_counter() -> u64 {
        let counter: u64;
        // SAFETY:
        // 1. `isb` and `mrs cntvct_el0` touch no memory. The read traps only
        //    if the kernel left CNTKCTL_EL1.EL0VCTEN clear, and then it must not
        //    publish VDSO_CLOCKMODE_ARCHTIMER, the only mode in which this is
        //    reached.
        // 2. The load reads the 8 bytes at `sp`, the lowest bytes of the
        //    calling thread's live stack (sp is 16-byte aligned), and discards
        //    them into `xzr`; no register but the two declared is written.
        // Not `nomem` (it reads memory): the compiler must keep it after the
        // seqcount load.
        unsafe {
            asm!(
                "isb",
                "mrs {counter}, cntvct_el0",
                "eor {addr}, {counter}, {counter}",
                "add {addr}, sp, {addr}",
                "ldr xzr, [{addr}]",
                counter = out(reg) counter,
                addr = out(reg) _,
                options(nostack, readonly, preserves_flags),
            );
        }
        counter
    }

    #[inline(always)]
    fn image_start() -> usize {
        let image_start: usize;
        // SAFETY: `adrp` and `add` only compute the PC-relative address of
        // `__ehdr_start`, the first byte of this image (the linker defines it,
        // hidden, because the ELF header is loaded, and resolves both
        // instructions at link time); no memory is touched.
        unsafe {
            asm!(
                "adrp {0}, __ehdr_start",
                "add {0}, {0}, :lo12:__ehdr_start",
                out(reg) image_start,
                options(pure, nomem, nostack, preserves_flags),
            );
        }
        image_start
    }

    #[inline(always)]
    unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
        let ret: isize;
        // SAFETY: `svc #0` with x8 = nr enters the kernel, which returns in x0
        // and preserves every other register and the flags; the caller vouches
        // for the syscall's effects.
        unsafe {
            asm!(
                "svc #0",
                in("x8") nr,
                inlateout("x0") a0 as isize => ret,
                in("x1") a1,
                in("x2") a2,
                options(nostack, preserves_flags),
            );
        }
        ret
    }
}

// `__kernel_rt_sigreturn`: where a signal handler returns to (the kernel sets
// x30 to it). Unwinders (libgcc's `aarch64_fallback_frame_state`, GDB, LLVM's
// libunwind) recognise a signal frame by these exact two instructions:
// `mov x8, #139` = d2801168, `svc #0` = d4000001 (checked by the image checks
// from `axvdso-abi`'s row).
//
// No CFI, as in Linux 6.1's image (arch/arm64/kernel/vdso/sigreturn.S keeps
// the directives commented out): an FDE that takes the CFA, x29 and x30 from
// the frame record (Linux's old CFI) cannot restore sp or the other
// registers, and libgcc crashes unwinding from a handler through it. With no
// FDE, libgcc falls back to matching the two instructions and reads every
// register from the frame's sigcontext (axvdso-abi: `sigreturn_has_cfi`).
// The `nop` before the symbol stays, as in Linux, for unwinders that subtract
// 1 from the return address.
global_asm!(
    ".pushsection .text.__kernel_rt_sigreturn, \"ax\", %progbits",
    ".balign 4",
    "nop",
    ".globl __kernel_rt_sigreturn",
    ".type __kernel_rt_sigreturn, %function",
    "__kernel_rt_sigreturn:",
    "mov x8, #{nr}",
    "svc #0",
    ".size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn",
    ".popsection",
    nr = const nr::RT_SIGRETURN,
);
