//! The host kernel's own syscalls, the reference for every fallback.

use super::Ts;

/// `-errno` of the last failed libc call.
fn neg_errno() -> i64 {
    -(std::io::Error::last_os_error().raw_os_error().unwrap() as i64)
}

fn ret(result: libc::c_long) -> i64 {
    if result == -1 { neg_errno() } else { result }
}

pub fn clock_gettime(clock: i32) -> Result<Ts, i64> {
    // SAFETY: clock_gettime writes one timespec to a valid pointer.
    Ts::from_call(|ts| ret(unsafe { libc::syscall(libc::SYS_clock_gettime, clock, ts) }))
}

pub fn clock_getres(clock: i32) -> Result<Ts, i64> {
    // SAFETY: clock_getres writes one timespec to a valid pointer.
    Ts::from_call(|ts| ret(unsafe { libc::syscall(libc::SYS_clock_getres, clock, ts) }))
}

pub fn clock_getres_null(clock: i32) -> i64 {
    // SAFETY: a NULL result pointer is allowed.
    ret(unsafe {
        libc::syscall(
            libc::SYS_clock_getres,
            clock,
            std::ptr::null_mut::<libc::timespec>(),
        )
    })
}

pub fn clock_gettime_null(clock: i32) -> i64 {
    // SAFETY: the kernel checks the pointer: NULL gives EFAULT (or EINVAL).
    ret(unsafe {
        libc::syscall(
            libc::SYS_clock_gettime,
            clock,
            std::ptr::null_mut::<libc::timespec>(),
        )
    })
}

/// `(tv as (sec, usec), tz as (minuteswest, dsttime))`.
pub fn gettimeofday() -> (Ts, (i32, i32)) {
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    let mut tz = [0i32; 2];
    // SAFETY: gettimeofday writes a timeval and a struct timezone (two ints).
    let r = ret(unsafe { libc::syscall(libc::SYS_gettimeofday, &mut tv, tz.as_mut_ptr()) });
    assert_eq!(r, 0);
    (
        Ts {
            sec: tv.tv_sec,
            sub: tv.tv_usec,
        },
        (tz[0], tz[1]),
    )
}

pub fn time() -> i64 {
    // SAFETY: time with a NULL pointer only returns the time.
    ret(unsafe { libc::syscall(libc::SYS_time, std::ptr::null_mut::<libc::time_t>()) })
}

pub fn getcpu() -> (u32, u32) {
    let (mut cpu, mut node) = (u32::MAX, u32::MAX);
    // SAFETY: getcpu writes two unsigned ints; the third argument is unused.
    let r = ret(unsafe { libc::syscall(libc::SYS_getcpu, &mut cpu, &mut node, 0usize) });
    assert_eq!(r, 0);
    (cpu, node)
}

/// Clock ids the kernel answers: CPU-time clocks (including the negative ids
/// of the calling process and thread), ids Linux does not define, and
/// garbage. Valid or not, the vDSO must return what the syscall returns.
pub const KERNEL_CLOCK_IDS: [i32; 16] = [
    libc::CLOCK_PROCESS_CPUTIME_ID,
    libc::CLOCK_THREAD_CPUTIME_ID,
    8,  // CLOCK_REALTIME_ALARM
    9,  // CLOCK_BOOTTIME_ALARM
    10, // CLOCK_SGI_CYCLE (removed)
    12,
    15,
    16, // MAX_CLOCKS
    100,
    i32::MAX,
    -1, // FD clock of fd ~0: EINVAL
    -2, // CPUCLOCK_SCHED of the calling thread (pid 0)
    -6, // CPUCLOCK_SCHED of the calling process (pid 0)
    -8, // CPUCLOCK_PROF of the calling process
    -1_000_000,
    i32::MIN,
];
