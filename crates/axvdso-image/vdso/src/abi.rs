//! The C types of the entry points (LP64 Linux: `long` and `time_t` are 64-bit).
//!
//! The entry points take pointers as `Option<&mut MaybeUninit<T>>`: the same
//! ABI as a C pointer (NULL is `None`), writable without `unsafe`, and it
//! states the C contract (a valid, writable, aligned pointer, or NULL) in the
//! signature. The callee only writes through them, never reads.

use core::mem::MaybeUninit;

/// `struct timespec` (`struct __kernel_timespec`).
#[repr(C)]
pub(crate) struct Timespec {
    /// Seconds.
    pub(crate) tv_sec: i64,
    /// Nanoseconds, below one second.
    pub(crate) tv_nsec: i64,
}

/// `struct timeval` (`struct __kernel_old_timeval`).
#[repr(C)]
pub(crate) struct Timeval {
    /// Seconds.
    pub(crate) tv_sec: i64,
    /// Microseconds, below one second.
    pub(crate) tv_usec: i64,
}

/// `struct timezone`.
#[repr(C)]
pub(crate) struct Timezone {
    /// Minutes west of Greenwich.
    pub(crate) tz_minuteswest: i32,
    /// Type of DST correction.
    pub(crate) tz_dsttime: i32,
}

/// A C output pointer: `None` is NULL.
pub(crate) type OutPtr<'a, T> = Option<&'a mut MaybeUninit<T>>;

/// The address an output pointer holds, for passing it on to a syscall.
#[inline(always)]
pub(crate) fn out_addr<T>(ptr: OutPtr<'_, T>) -> usize {
    ptr.map_or(0, |ptr| ptr.as_mut_ptr() as usize)
}
