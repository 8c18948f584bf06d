//! x86_64: `rdtsc`, `syscall`, `__vdso_time` and the unprefixed aliases.
//!
//! Exports under `LINUX_2.6` (the x86_64 row of `axvdso-abi`).

use core::arch::{asm, global_asm};

use axvdso_abi::nr;

use super::VdsoArch;
use crate::{
    abi::{OutPtr, out_addr},
    gettime,
};

/// The C name of the entry point `$name` of `entry.rs`: Linux x86_64's
/// `__vdso_` prefix.
macro_rules! entry_symbol {
    ($name:literal) => {
        concat!("__vdso_", $name)
    };
}
pub(crate) use entry_symbol;

/// The x86_64 hooks.
pub(crate) struct Arch;

impl VdsoArch for Arch {
    /// `lfence; rdtsc`.
    ///
    /// `rdtsc` is not ordered with earlier loads: without a fence the CPU may
    /// read the TSC before the seqcount load. Linux patches in `lfence; rdtsc`
    /// or `rdtscp` at boot; an image with no patching must pick one that works
    /// everywhere. `rdtscp` faults where the CPU or hypervisor lacks it, while
    /// `lfence` (SSE2) exists on every x86_64 and is dispatch-serialising on
    /// Intel, and on AMD once the kernel sets the MSR bit that makes it so (as
    /// Linux does since 2018; Zen 2 and later always are). This image runs in
    /// the host tests under Linux; a Starry x86_64 kernel would have to set
    /// that bit itself. Where `lfence` does not serialise, `counter_delta`
    /// still turns a counter read early, behind `cycle_last`, into a zero delta.
    #[inline(always)]
    fn read_counter() -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: `lfence` and `rdtsc` touch no memory. `rdtsc` faults only if
        // the kernel set CR4.TSD, and then it must not publish
        // VDSO_CLOCKMODE_ARCHTIMER, the only mode in which this is reached.
        // Not `nomem`: the compiler must keep it after the seqcount load.
        unsafe {
            asm!("lfence", "rdtsc", out("eax") lo, out("edx") hi, options(nostack, preserves_flags));
        }
        (u64::from(hi) << 32) | u64::from(lo)
    }

    #[inline(always)]
    fn image_start() -> usize {
        let image_start: usize;
        // SAFETY: `lea` only computes the RIP-relative address of
        // `__ehdr_start`, the first byte of this image (the linker defines it
        // because the ELF header is loaded); no memory is touched.
        unsafe {
            asm!(
                "lea {0}, [rip + __ehdr_start]",
                out(reg) image_start,
                options(pure, nomem, nostack, preserves_flags),
            );
        }
        image_start
    }

    #[inline(always)]
    unsafe fn syscall3(nr: usize, a0: usize, a1: usize, a2: usize) -> isize {
        let ret: isize;
        // SAFETY: `syscall` enters the kernel, which returns in rax and clobbers
        // only rcx and r11 (declared); the caller vouches for the effects.
        unsafe {
            asm!(
                "syscall",
                inlateout("rax") nr as isize => ret,
                in("rdi") a0,
                in("rsi") a1,
                in("rdx") a2,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        ret
    }
}

/// `time_t __vdso_time(time_t *t)`: the seconds of `CLOCK_REALTIME` at the
/// last update (as Linux answers), also stored in `*t` if `t` is not NULL.
#[unsafe(no_mangle)]
pub extern "C" fn __vdso_time(t: OutPtr<'_, i64>) -> i64 {
    match gettime::time_secs(Arch::vvar_pages()) {
        Some(secs) => {
            if let Some(out) = t {
                out.write(secs);
            }
            secs
        }
        // SAFETY: time writes only `*t`, a valid output or NULL.
        None => unsafe { Arch::syscall3(nr::TIME, out_addr(t), 0, 0) as i64 },
    }
}

// The unprefixed names Linux also exports (weak, same version), as aliases of
// the `__vdso_` functions: same address, type and size.
global_asm!(
    ".weak clock_gettime",
    ".type clock_gettime, @function",
    ".set clock_gettime, __vdso_clock_gettime",
    ".weak gettimeofday",
    ".type gettimeofday, @function",
    ".set gettimeofday, __vdso_gettimeofday",
    ".weak time",
    ".type time, @function",
    ".set time, __vdso_time",
    ".weak getcpu",
    ".type getcpu, @function",
    ".set getcpu, __vdso_getcpu",
    ".weak clock_getres",
    ".type clock_getres, @function",
    ".set clock_getres, __vdso_clock_getres",
);
