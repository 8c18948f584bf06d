//! The `Linux` ELF note that Linux puts in its vDSO: name `Linux`, type 0,
//! descriptor `LINUX_VERSION_CODE`.
//!
//! Old glibc (`_dl_discover_osversion`) reads it as the kernel version and
//! refuses to start ("FATAL: kernel too old") if it is below its minimum, so it
//! states the ABI this vDSO and its data pages follow: Linux 6.1.0. It sits in
//! the image's `PT_NOTE` segment.

use core::arch::global_asm;

/// `KERNEL_VERSION(6, 1, 0)`.
const LINUX_VERSION_CODE: u32 = (6 << 16) | (1 << 8);

global_asm!(
    ".pushsection .note.Linux, \"a\", @note",
    ".balign 4",
    ".long 2f - 1f", // namesz
    ".long 4f - 3f", // descsz
    ".long 0",       // type
    "1: .asciz \"Linux\"",
    "2: .balign 4",
    "3: .long {version}",
    "4: .balign 4",
    ".popsection",
    version = const LINUX_VERSION_CODE,
);
