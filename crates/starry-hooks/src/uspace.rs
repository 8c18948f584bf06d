//! The user address space of a program being loaded, as an exec hook sees it.

use core::ops::{BitOr, Range};

use crate::HookResult;

/// `AT_SYSINFO_EHDR`: the auxv key whose value is the vDSO's ELF header address.
pub const AT_SYSINFO_EHDR: usize = 33;

/// Access permissions of a user mapping. User access is always implied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserPerm(u8);

impl UserPerm {
    /// Readable.
    pub const READ: Self = Self(1);
    /// Writable.
    pub const WRITE: Self = Self(2);
    /// Executable.
    pub const EXECUTE: Self = Self(4);

    /// Whether every permission in `other` is also in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for UserPerm {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

/// The services the kernel gives an exec hook over the fresh user address space.
///
/// All addresses and sizes are in bytes and must be 4 KiB aligned.
pub trait UserSpaceIf {
    /// The range of user virtual addresses of this address space.
    fn user_range(&self) -> Range<usize>;

    /// The window the kernel's memory layout keeps for special mappings such
    /// as the vDSO: the loader never places a program segment, interpreter,
    /// stack, heap or signal trampoline inside it.
    fn special_mapping_window(&self) -> Range<usize>;

    /// Finds a free range of `size` bytes inside `limit`, at or above `hint`,
    /// aligned to `align`. Returns its start, or `None`.
    fn find_free_range(
        &self,
        hint: usize,
        size: usize,
        limit: Range<usize>,
        align: usize,
    ) -> Option<usize>;

    /// Maps the kernel-owned pages at kernel virtual address `kernel_vaddr`
    /// (`size` bytes) at `user_start`, shared: every address space that maps
    /// them sees the same physical frames, and a fork shares them too.
    ///
    /// `name` is how the mapping is listed (e.g. `[vdso]` in `/proc/PID/maps`).
    ///
    /// The frames stay the kernel's: the process may unmap the mapping or
    /// remove permissions from it, but never gain a permission beyond `perm`
    /// (`mprotect` fails with `EACCES`), so no process writes a frame that
    /// another one reads.
    fn map_kernel_pages(
        &mut self,
        user_start: usize,
        kernel_vaddr: usize,
        size: usize,
        perm: UserPerm,
        name: &'static str,
    ) -> HookResult;

    /// Removes the mapping of `[user_start, user_start + size)`.
    fn unmap(&mut self, user_start: usize, size: usize) -> HookResult;

    /// Sets where this program's signal handlers return when installed
    /// without `SA_RESTORER`: `Some(user_addr)` of code that calls
    /// `rt_sigreturn`, such as the vDSO's `__vdso_rt_sigreturn`, or `None`
    /// for the kernel's default. A fork inherits it; every exec starts from
    /// the default.
    fn set_signal_return(&mut self, user_addr: Option<usize>) -> HookResult;

    /// Appends an entry to the program's auxiliary vector.
    ///
    /// A kernel may accept only the keys it knows hooks need (Starry: only
    /// [`AT_SYSINFO_EHDR`]) and answer [`HookError::Unsupported`](crate::HookError::Unsupported) for others.
    fn push_aux(&mut self, key: usize, value: usize) -> HookResult;

    /// Returns 64 random bits from the kernel's random source.
    fn random_u64(&mut self) -> u64;
}
