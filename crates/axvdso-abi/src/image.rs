//! What every image shares, whatever the arch.

/// The soname of every Linux 64-bit vDSO (`DT_SONAME`, and the name of the
/// base version definition).
pub const VDSO_SONAME: &str = "linux-vdso.so.1";

/// The size of a page, in bytes: the unit the image and its data pages are
/// mapped in, and the linker's page size.
pub const PAGE_SIZE_4K: usize = 4096;

/// The number of data pages (vvar) directly below the image's first byte: the
/// `vdso_data` page and the time-namespace page of Linux 6.1. The image finds
/// them PC-relative at `image - VVAR_NR_PAGES * PAGE_SIZE_4K`.
pub const VVAR_NR_PAGES: usize = 2;
