//! loongarch64: `rdtime.d`, `syscall 0` and the signal trampoline
//! `__vdso_rt_sigreturn`.
//!
//! Exports under `LINUX_5.10` (the loongarch64 row of `axvdso-abi`). Built
//! for `loongarch64-unknown-none-softfloat`: no floating-point register is
//! touched, so the caller's need not be saved.

use core::arch::{asm, global_asm};

use axvdso_abi::nr;

use super::VdsoArch;

/// The C name of the entry point `$name` of `entry.rs`: Linux loongarch's
/// `__vdso_` prefix.
macro_rules! entry_symbol {
    ($name:literal) => {
        concat!("__vdso_", $name)
    };
}
pub(crate) use entry_symbol;

/// The loongarch64 hooks.
pub(crate) struct Arch;

impl VdsoArch for Arch {
    /// `rdtime.d`: the stable counter, the one the kernel's clock runs on
    /// (the counter id it also returns goes to `$zero`).
    ///
    /// No barrier, as in Linux: the counter may be read a little before the
    /// seqcount's acquire load completes; `counter_delta` turns a counter
    /// behind `cycle_last` into a zero delta.
    #[inline(always)]
    fn read_counter() -> u64 {
        let counter: u64;
        // SAFETY: `rdtime.d` touches no memory. It traps only if the kernel
        // set CSR.MISC.DRDTL3 (clear at reset), and then it must not publish
        // VDSO_CLOCKMODE_ARCHTIMER, the only mode in which this is reached.
        // Not `nomem`: the compiler must keep it after the seqcount load.
        unsafe {
            asm!(
                "rdtime.d {0}, $zero",
                out(reg) counter,
                options(nostack, preserves_flags),
            );
        }
        counter
    }

    #[inline(always)]
    fn image_start() -> usize {
        let image_start: usize;
        // SAFETY: `la.pcrel` (`pcalau12i` + `addi.d`) only computes the
        // PC-relative address of `__ehdr_start`, the first byte of this image
        // (the linker defines it, hidden, because the ELF header is loaded,
        // and resolves both instructions at link time); no memory is touched.
        unsafe {
            asm!(
                "la.pcrel {0}, __ehdr_start",
                out(reg) image_start,
                options(pure, nomem, nostack, preserves_flags),
            );
        }
        image_start
    }

    #[inline(always)]
    unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
        let ret: isize;
        // SAFETY: `syscall 0` with a7 = nr enters the kernel, which returns in
        // a0, may clobber the temporaries $t0-$t8 (declared, as Linux's own
        // fallbacks declare them) and preserves every other register; the
        // caller vouches for the syscall's effects.
        unsafe {
            asm!(
                "syscall 0",
                in("$a7") nr,
                inlateout("$a0") a0 as isize => ret,
                in("$a1") a1,
                in("$a2") a2,
                lateout("$t0") _,
                lateout("$t1") _,
                lateout("$t2") _,
                lateout("$t3") _,
                lateout("$t4") _,
                lateout("$t5") _,
                lateout("$t6") _,
                lateout("$t7") _,
                lateout("$t8") _,
                options(nostack, preserves_flags),
            );
        }
        ret
    }
}

/// Where `struct sigcontext` lies above the `sp` a signal handler returns
/// with: `rs_uc.uc_mcontext` of Linux's `struct rt_sigframe` (a 128-byte
/// siginfo, then the ucontext, whose `uc_mcontext` is at 176).
const RT_SIGFRAME_SC: usize = 128 + 176;
/// `sc_pc` in `struct sigcontext`.
const SC_PC: usize = 0;
/// `sc_regs[0]` in `struct sigcontext`; `sc_regs[n]` is 8 n bytes above.
const SC_REGS: usize = 8;

// `__vdso_rt_sigreturn`: where a signal handler returns to (the kernel sets
// `ra` to it). Unwinders (libgcc's `loongarch_fallback_frame_state`, LLVM's
// libunwind, GDB) recognise a signal frame by these exact two instructions:
// `li.w a7, 139` as GNU as writes it, `ori a7, zero, 139` = 03822c0b, and
// `syscall 0` = 002b0000 (checked by the image checks from `axvdso-abi`'s
// row). Spelled `ori` here: `li.w` lets the assembler choose.
//
// The CFI is the later Linux convention (`SYM_SIGFUNC_START`; Linux 6.1 put
// this function's CFI into `.debug_frame`, which the image does not keep, and
// its image has no other unwind tables): `.cfi_signal_frame`, the CFA at the
// `struct sigcontext` in the signal frame at `sp`, every register saved
// there, and the return address taken from `sc_pc` through column 0 (the
// unused `$zero`: `$ra` holds this trampoline, not where to resume). The
// `nop` lies inside the CFI block but before the symbol, so an unwinder that
// subtracts 1 from the return address (as for a call; GCC PR124050) still
// lands in this FDE and not in the function before it.
global_asm!(
    ".pushsection .text.__vdso_rt_sigreturn, \"ax\", @progbits",
    ".balign 4",
    ".cfi_startproc",
    ".cfi_signal_frame",
    ".cfi_def_cfa 3, {sc}",
    ".cfi_return_column 0",
    ".cfi_offset 0, {pc}",
    ".irp num, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, \
     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31",
    ".cfi_offset \\num, {regs} + \\num * 8",
    ".endr",
    "nop",
    ".globl __vdso_rt_sigreturn",
    ".type __vdso_rt_sigreturn, @function",
    "__vdso_rt_sigreturn:",
    "ori $a7, $zero, {nr}",
    "syscall 0",
    ".size __vdso_rt_sigreturn, . - __vdso_rt_sigreturn",
    ".cfi_endproc",
    ".popsection",
    sc = const RT_SIGFRAME_SC,
    pc = const SC_PC,
    regs = const SC_REGS,
    nr = const nr::RT_SIGRETURN,
);
