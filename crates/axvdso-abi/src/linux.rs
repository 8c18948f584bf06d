//! Linux numbers the vDSO uses, from `linux-raw-sys` for the arch being
//! compiled for.

use linux_raw_sys::general as linux;

/// The clock ids the vDSO serves or passes on (`include/uapi/linux/time.h`).
pub mod clock_id {
    use super::linux;

    /// `CLOCK_REALTIME`.
    pub const REALTIME: u32 = linux::CLOCK_REALTIME;
    /// `CLOCK_MONOTONIC`.
    pub const MONOTONIC: u32 = linux::CLOCK_MONOTONIC;
    /// `CLOCK_PROCESS_CPUTIME_ID`.
    pub const PROCESS_CPUTIME_ID: u32 = linux::CLOCK_PROCESS_CPUTIME_ID;
    /// `CLOCK_THREAD_CPUTIME_ID`.
    pub const THREAD_CPUTIME_ID: u32 = linux::CLOCK_THREAD_CPUTIME_ID;
    /// `CLOCK_MONOTONIC_RAW`.
    pub const MONOTONIC_RAW: u32 = linux::CLOCK_MONOTONIC_RAW;
    /// `CLOCK_REALTIME_COARSE`.
    pub const REALTIME_COARSE: u32 = linux::CLOCK_REALTIME_COARSE;
    /// `CLOCK_MONOTONIC_COARSE`.
    pub const MONOTONIC_COARSE: u32 = linux::CLOCK_MONOTONIC_COARSE;
    /// `CLOCK_BOOTTIME`.
    pub const BOOTTIME: u32 = linux::CLOCK_BOOTTIME;
    /// `CLOCK_TAI`.
    pub const TAI: u32 = linux::CLOCK_TAI;
    /// One past the largest fixed clock id (`MAX_CLOCKS`); the vDSO serves
    /// none at or above it.
    pub const MAX_CLOCKS: u32 = linux::MAX_CLOCKS;
}

/// The syscall numbers of the vDSO's fallbacks, for the arch being compiled
/// for.
pub mod nr {
    use super::linux;

    /// `clock_gettime`.
    pub const CLOCK_GETTIME: usize = linux::__NR_clock_gettime as usize;
    /// `clock_getres`.
    pub const CLOCK_GETRES: usize = linux::__NR_clock_getres as usize;
    /// `gettimeofday`.
    pub const GETTIMEOFDAY: usize = linux::__NR_gettimeofday as usize;
    /// `getcpu`.
    pub const GETCPU: usize = linux::__NR_getcpu as usize;
    /// `rt_sigreturn`.
    pub const RT_SIGRETURN: usize = linux::__NR_rt_sigreturn as usize;
    /// `time` (x86_64 only: riscv64, aarch64 and loongarch64 have no `time`
    /// syscall).
    #[cfg(target_arch = "x86_64")]
    pub const TIME: usize = linux::__NR_time as usize;
    /// `riscv_flush_icache` (`__NR_arch_specific_syscall + 15`).
    #[cfg(target_arch = "riscv64")]
    pub const RISCV_FLUSH_ICACHE: usize = linux::__NR_riscv_flush_icache as usize;
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::{clock_id, nr};

    #[test]
    fn numbers_are_linux_x86_64_ones() {
        // arch/x86/entry/syscalls/syscall_64.tbl
        assert_eq!(
            [
                nr::CLOCK_GETTIME,
                nr::CLOCK_GETRES,
                nr::GETTIMEOFDAY,
                nr::GETCPU,
                nr::TIME
            ],
            [228, 229, 96, 309, 201]
        );
        assert_eq!((clock_id::MONOTONIC_RAW, clock_id::TAI), (4, 11));
        assert_eq!(clock_id::MAX_CLOCKS, 16);
    }
}

/// aarch64 and loongarch64 both take asm-generic's numbers
/// (include/uapi/asm-generic/unistd.h).
#[cfg(all(test, any(target_arch = "aarch64", target_arch = "loongarch64")))]
mod tests_asm_generic {
    use super::nr;

    #[test]
    fn numbers_are_asm_generic_ones() {
        assert_eq!(
            [
                nr::CLOCK_GETTIME,
                nr::CLOCK_GETRES,
                nr::GETTIMEOFDAY,
                nr::GETCPU,
                nr::RT_SIGRETURN
            ],
            [113, 114, 169, 168, 139]
        );
    }
}
