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
    /// `getrandom`.
    pub const GETRANDOM: usize = linux::__NR_getrandom as usize;
    /// `time` (x86_64 only: riscv64, aarch64 and loongarch64 have no `time`
    /// syscall).
    #[cfg(target_arch = "x86_64")]
    pub const TIME: usize = linux::__NR_time as usize;
    /// `riscv_flush_icache` (`__NR_arch_specific_syscall + 15`).
    #[cfg(target_arch = "riscv64")]
    pub const RISCV_FLUSH_ICACHE: usize = linux::__NR_riscv_flush_icache as usize;
}

/// What `getrandom` in the vDSO needs (Linux 6.11's `vgetrandom` ABI).
pub mod getrandom {
    use super::linux;

    /// `EFAULT`: the answer for a state that crosses a page boundary.
    pub const EFAULT: u32 = linux_raw_sys::errno::EFAULT;
    /// `GRND_NONBLOCK`.
    pub const GRND_NONBLOCK: u32 = linux::GRND_NONBLOCK;
    /// `GRND_RANDOM`.
    pub const GRND_RANDOM: u32 = linux::GRND_RANDOM;
    /// `GRND_INSECURE`.
    pub const GRND_INSECURE: u32 = linux::GRND_INSECURE;
    /// `PROT_READ | PROT_WRITE`: how libc must map the per-thread states.
    pub const STATE_MMAP_PROT: u32 = linux::PROT_READ | linux::PROT_WRITE;
    /// `MAP_DROPPABLE | MAP_ANONYMOUS`: how libc must map the per-thread
    /// states (a fork child sees them zeroed, the kernel may zero them).
    pub const STATE_MMAP_FLAGS: u32 = linux::MAP_DROPPABLE | linux::MAP_ANONYMOUS;
    /// `struct vgetrandom_opaque_params`: what the vDSO tells libc about its
    /// states when asked (`opaque_len == ~0`).
    pub type OpaqueParams = linux::vgetrandom_opaque_params;
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
        assert_eq!(nr::GETRANDOM, 318);
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
        assert_eq!(nr::GETRANDOM, 278);
    }
}
