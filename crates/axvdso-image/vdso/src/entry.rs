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

use crate::{
    abi::{OutPtr, Timespec, Timeval, Timezone},
    arch::{Arch, VdsoArch, entry_symbol},
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
