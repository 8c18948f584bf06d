//! The exported entry points every arch shares.
//!
//! Each is a thin wrapper: ask the core (`gettime.rs`) with the arch's data
//! pages, write the answer, or make the real syscall and return exactly what
//! it returns (`-errno` on failure, as the kernel does). The symbols are
//! exported under the arch's version node by the version script `build.rs`
//! writes from `axvdso-abi`.
//!
//! Their C names are the arch's (`arch::entry_symbol!`): `__vdso_clock_gettime`
//! on riscv64 and x86_64, `__kernel_clock_gettime` on aarch64. An entry point
//! the arch's row does not list (`getcpu` on aarch64, as in Linux) is left out
//! of the version script, so it is local and the link discards it.
//!
//! All return a C `long`: the value a Linux `int` entry returns, sign-extended,
//! so a caller that declares either type reads it correctly.

use core::mem::MaybeUninit;

use axvdso_abi::{
    getrandom::{EFAULT, OpaqueParams, STATE_MMAP_FLAGS, STATE_MMAP_PROT},
    nr,
};

use crate::{
    abi::{OutPtr, Timespec, Timeval, Timezone},
    arch::{Arch, VdsoArch, entry_symbol},
    getrandom::{self, Fallback, MAX_LEN, STATE_SIZE, State},
    gettime,
};

/// `int clock_gettime(clockid_t clock, struct timespec *ts)`.
#[unsafe(export_name = entry_symbol!("clock_gettime"))]
pub extern "C" fn clock_gettime(clock: i32, ts: OutPtr<'_, Timespec>) -> isize {
    match ts {
        Some(out) => match gettime::clock_gettime::<Arch>(Arch::vvar_pages(), clock) {
            Some(now) => {
                out.write(now);
                0
            }
            None => Arch::fallback_clock_gettime(clock, Some(out)),
        },
        // NULL: the kernel reports EFAULT (or EINVAL for a bad id first).
        None => Arch::fallback_clock_gettime(clock, None),
    }
}

/// `int clock_getres(clockid_t clock, struct timespec *res)`.
///
/// `res` may be NULL: then only the validity of `clock` is reported.
#[unsafe(export_name = entry_symbol!("clock_getres"))]
pub extern "C" fn clock_getres(clock: i32, res: OutPtr<'_, Timespec>) -> isize {
    match gettime::clock_getres(Arch::vvar_pages(), clock) {
        Some(value) => {
            if let Some(out) = res {
                out.write(value);
            }
            0
        }
        None => Arch::fallback_clock_getres(clock, res),
    }
}

/// `int gettimeofday(struct timeval *tv, struct timezone *tz)`.
///
/// Either pointer may be NULL.
#[unsafe(export_name = entry_symbol!("gettimeofday"))]
pub extern "C" fn gettimeofday(tv: OutPtr<'_, Timeval>, tz: OutPtr<'_, Timezone>) -> isize {
    let pages = Arch::vvar_pages();
    let now = tv
        .as_ref()
        .and_then(|_| gettime::realtime_timeval::<Arch>(pages));
    let zone = tz.as_ref().and_then(|_| gettime::timezone(pages));
    if tv.is_some() != now.is_some() || tz.is_some() != zone.is_some() {
        return Arch::fallback_gettimeofday(tv, tz);
    }
    if let (Some(out), Some(now)) = (tv, now) {
        out.write(now);
    }
    if let (Some(out), Some(zone)) = (tz, zone) {
        out.write(zone);
    }
    0
}

/// `long getcpu(unsigned *cpu, unsigned *node, void *unused)`.
///
/// Always the syscall: answering from user space needs a per-CPU value the
/// kernel sets up for each CPU (Linux x86 uses a GDT segment limit read with
/// `lsl`, and `rdpid` where the kernel programs `TSC_AUX`; Linux loongarch
/// reads the timer id `CSR.TMID`, which its kernel sets to the CPU number,
/// through `rdtime.d`, and the node from a per-CPU data page; Linux riscv
/// makes the syscall too). Starry provides none of these, and a wrong CPU
/// number is worse than a slow one.
#[unsafe(export_name = entry_symbol!("getcpu"))]
pub extern "C" fn getcpu(cpu: OutPtr<'_, u32>, node: OutPtr<'_, u32>, unused: usize) -> isize {
    Arch::fallback_getcpu(cpu, node, unused)
}

/// `ssize_t getrandom(void *buffer, size_t len, unsigned int flags,
/// void *opaque_state, size_t opaque_len)` (Linux 6.11's vDSO ABI).
///
/// Asked with `buffer` NULL, `len` and `flags` 0 and `opaque_len` `~0`, it
/// writes a `struct vgetrandom_opaque_params` to `opaque_state` (how to
/// allocate states) and returns 0 (a NULL `opaque_state` gets `-EFAULT`;
/// Linux's would fault). Otherwise `opaque_state` is this thread's state,
/// `opaque_len` its size: it fills `buffer` with up to `len` random bytes
/// (at most `MAX_RW_COUNT`) and returns the count, or returns what the
/// `getrandom` syscall returns for `buffer`, `len` and `flags` when it
/// cannot answer (see `getrandom.rs`). A state that crosses a page boundary
/// gets `-EFAULT`, as in Linux. A NULL `buffer` goes to the syscall
/// (`-EFAULT`); any other bad `buffer` faults, as in Linux.
#[unsafe(export_name = entry_symbol!("getrandom"))]
pub extern "C" fn getrandom(
    buffer: *mut u8,
    len: usize,
    flags: u32,
    opaque_state: *mut u8,
    opaque_len: usize,
) -> isize {
    let syscall = || {
        // SAFETY: getrandom writes at most `len` bytes at `buffer`, which the
        // caller provides (the kernel checks the range).
        unsafe { Arch::syscall3(nr::GETRANDOM, buffer as usize, len, flags as usize) }
    };
    if opaque_len == usize::MAX && buffer.is_null() && len == 0 && flags == 0 {
        if opaque_state.is_null() {
            return -(EFAULT as isize);
        }
        let params = OpaqueParams {
            size_of_opaque_state: STATE_SIZE as u32,
            mmap_prot: STATE_MMAP_PROT,
            mmap_flags: STATE_MMAP_FLAGS,
            reserved: [0; 13],
        };
        // SAFETY: the caller passes a writable `struct
        // vgetrandom_opaque_params` when it asks this question (the ABI).
        unsafe { opaque_state.cast::<OpaqueParams>().write_unaligned(params) };
        return 0;
    }
    if !getrandom::fits_in_a_page(opaque_state as usize) {
        return -(EFAULT as isize);
    }
    if !getrandom::known_flags(flags)
        || opaque_len != STATE_SIZE
        || opaque_state.is_null()
        || !(opaque_state as usize).is_multiple_of(align_of::<State>())
        || (buffer.is_null() && len != 0)
    {
        return syscall();
    }
    // SAFETY: a non-NULL, aligned state of the right size is, by the ABI,
    // this thread's state, mapped read-write for the whole call; a signal
    // handler of this thread may use it too, through atomics only.
    let state = unsafe { &*opaque_state.cast::<State>() };
    let len = len.min(MAX_LEN);
    let buf: &mut [MaybeUninit<u8>] = if len == 0 {
        &mut []
    } else {
        // SAFETY: the caller passes `len` writable bytes at `buffer`
        // (non-NULL here), which nothing else uses during the call; a bad
        // buffer faults in the caller's process, as the C function would.
        unsafe { core::slice::from_raw_parts_mut(buffer.cast(), len) }
    };
    let fetch_key = |key: &[core::sync::atomic::AtomicU32; 8]| {
        let want = size_of_val(key);
        // SAFETY: getrandom writes `want` bytes at `key`, the state's key
        // words, which this call owns while the state is in use.
        let got = unsafe { Arch::syscall3(nr::GETRANDOM, key.as_ptr() as usize, want, 0) };
        got == want as isize
    };
    match getrandom::fill(&Arch::vvar_pages().rng, state, buf, fetch_key) {
        Ok(written) => written as isize,
        Err(Fallback) => syscall(),
    }
}
