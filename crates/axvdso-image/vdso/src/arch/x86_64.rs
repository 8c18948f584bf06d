//! x86_64: `rdtsc`, `syscall`, `__vdso_time` and the unprefixed aliases.
//!
//! Exports under `LINUX_2.6` (the x86_64 row of `axvdso-abi`).

use core::{
    arch::{asm, global_asm},
    sync::atomic::AtomicU32,
};

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

    /// The SSE2 block function below: the state in four XMM registers (the
    /// general registers are too few for sixteen words), no stack.
    #[inline(always)]
    fn chacha20_block(key: &[AtomicU32; 8], counter: u64, out: &[AtomicU32; 16]) {
        // SAFETY: `key` is 32 readable bytes, `out` 64 writable ones (atomics:
        // written through their shared reference). Every x86_64 has SSE2.
        unsafe { chacha20_block_sse2(out.as_ptr().cast_mut().cast(), key.as_ptr().cast(), counter) }
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

/// The quarter round on the four columns of xmm0-xmm3 at once (a, b, c, d =
/// rows 0-3), xmm4 the rotations' scratch: `a += b; d ^= a; d <<<= 16`, then
/// 12, 8 and 7 the same way (16 by swapping half-words).
macro_rules! quarter_rounds_sse2 {
    () => {
        concat!(
            "paddd xmm0, xmm1\n",
            "pxor xmm3, xmm0\n",
            "pshuflw xmm3, xmm3, 0xb1\n",
            "pshufhw xmm3, xmm3, 0xb1\n",
            "paddd xmm2, xmm3\n",
            "pxor xmm1, xmm2\n",
            "movdqa xmm4, xmm1\n",
            "pslld xmm1, 12\n",
            "psrld xmm4, 20\n",
            "por xmm1, xmm4\n",
            "paddd xmm0, xmm1\n",
            "pxor xmm3, xmm0\n",
            "movdqa xmm4, xmm3\n",
            "pslld xmm3, 8\n",
            "psrld xmm4, 24\n",
            "por xmm3, xmm4\n",
            "paddd xmm2, xmm3\n",
            "pxor xmm1, xmm2\n",
            "movdqa xmm4, xmm1\n",
            "pslld xmm1, 7\n",
            "psrld xmm4, 25\n",
            "por xmm1, xmm4",
        )
    };
}

/// One ChaCha20 block into `out` (16 words) from `key` (8 words) and the
/// 64-bit block `counter` (nonce 0), in SSE2 registers only.
///
/// The four rows of the state are xmm0-xmm3 (constants, key 0-3, key 4-7,
/// counter and zero nonce), their first values xmm8-xmm11 for the final sum,
/// xmm4 the rotations' scratch. A double round is the quarter round on the
/// four columns at once, the rows turned so that the diagonals line up
/// (pshufd), the quarter round again, and the rows turned back. The
/// constants are built in rax and rcx. Nothing is stored but the 64 output
/// bytes, and the XMM registers that held key material are cleared.
///
/// # Safety
///
/// `key` must be readable for 32 bytes and `out` writable for 64 bytes;
/// they may overlap (the key is read before anything is written).
#[inline(never)]
unsafe fn chacha20_block_sse2(out: *mut u32, key: *const u32, counter: u64) {
    // SAFETY: reads 32 bytes at `key`, then writes 64 at `out`, as the
    // caller allows; uses no stack; clobbers only the registers listed.
    unsafe {
        asm!(
            "movabs rax, 0x3320646e61707865",
            "movq xmm0, rax",
            "movabs rax, 0x6b20657479622d32",
            "movq xmm4, rax",
            "punpcklqdq xmm0, xmm4",
            "movdqu xmm1, xmmword ptr [{key}]",
            "movdqu xmm2, xmmword ptr [{key} + 16]",
            "movq xmm3, {counter}",
            "movdqa xmm8, xmm0",
            "movdqa xmm9, xmm1",
            "movdqa xmm10, xmm2",
            "movdqa xmm11, xmm3",
            "mov ecx, 10",
            "2:",
            quarter_rounds_sse2!(),
            "pshufd xmm1, xmm1, 0x39", "pshufd xmm2, xmm2, 0x4e", "pshufd xmm3, xmm3, 0x93",
            quarter_rounds_sse2!(),
            "pshufd xmm1, xmm1, 0x93", "pshufd xmm2, xmm2, 0x4e", "pshufd xmm3, xmm3, 0x39",
            "dec ecx",
            "jnz 2b",
            "paddd xmm0, xmm8",
            "paddd xmm1, xmm9",
            "paddd xmm2, xmm10",
            "paddd xmm3, xmm11",
            "movdqu xmmword ptr [{out}], xmm0",
            "movdqu xmmword ptr [{out} + 16], xmm1",
            "movdqu xmmword ptr [{out} + 32], xmm2",
            "movdqu xmmword ptr [{out} + 48], xmm3",
            "pxor xmm0, xmm0", "pxor xmm1, xmm1", "pxor xmm2, xmm2", "pxor xmm3, xmm3",
            "pxor xmm4, xmm4", "pxor xmm8, xmm8", "pxor xmm9, xmm9", "pxor xmm10, xmm10",
            "pxor xmm11, xmm11",
            out = in(reg) out,
            key = in(reg) key,
            counter = in(reg) counter,
            out("rax") _, out("ecx") _,
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _, out("xmm4") _,
            out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
            options(nostack),
        );
    }
}

global_asm!(
    ".weak getrandom",
    ".type getrandom, @function",
    ".set getrandom, __vdso_getrandom",
);
