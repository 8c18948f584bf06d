//! The error a hook or a kernel service reports.

use core::fmt;

/// Why a kernel service or a hook failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookError {
    /// The kernel ran out of memory (frames or page-table pages).
    NoMemory,
    /// An address or size was not page aligned, or not inside user space.
    InvalidInput,
    /// The range overlaps an existing mapping.
    AlreadyMapped,
    /// No free range of the requested size exists in the requested window.
    NoSpace,
    /// The kernel does not support this request (e.g. an aux key it cannot encode).
    Unsupported,
}

/// The result type of hooks and kernel services; the default is unit.
pub type HookResult<T = ()> = Result<T, HookError>;

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoMemory => "out of memory",
            Self::InvalidInput => "unaligned or out-of-range address",
            Self::AlreadyMapped => "range already mapped",
            Self::NoSpace => "no free range large enough",
            Self::Unsupported => "not supported by this kernel",
        })
    }
}

impl core::error::Error for HookError {}
