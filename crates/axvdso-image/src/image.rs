//! The embedded image and the facts a loader needs about it.

use axvdso_abi::{Arch, PAGE_SIZE_4K as PAGE_SIZE};
use axvdso_vvar::{VVAR_NR_PAGES, VVAR_SIZE};

// BUILT_ARCH, BUILT_SOURCE, BUILT_ELF_SIZE, BUILT_PADDED_SIZE, BUILT_LOAD_SIZE,
// BUILT_TEXT_SECTION, written by build.rs from the checked image.
include!(concat!(env!("OUT_DIR"), "/vdso_meta.rs"));

/// Where the embedded image came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSource {
    /// Built by `build.rs` from this crate's `vdso/` sources.
    Built,
    /// Taken from the file named by `AXVDSO_EXTERNAL_IMAGE` at build time.
    External,
}

/// A value aligned to a page (4 KiB).
#[repr(C, align(4096))]
#[derive(Debug)]
pub struct PageAligned<T: ?Sized>(pub T);

/// The arch the image was built for: the target's.
pub const ARCH: Arch = BUILT_ARCH;

/// Where the embedded image came from.
pub const IMAGE_SOURCE: ImageSource = BUILT_SOURCE;

/// The version node the image's symbols are exported under (`LINUX_4.15` on
/// riscv64, `LINUX_2.6` on x86_64).
pub const VERSION_NODE: &str = ARCH.version_node();

/// The size of the vDSO text mapping, in bytes: the ELF file zero-padded to
/// whole pages. A multiple of [`PAGE_SIZE`].
pub const VDSO_TEXT_SIZE: usize = BUILT_PADDED_SIZE;

/// The size of the ELF file itself, in bytes (at most [`VDSO_TEXT_SIZE`]).
pub const VDSO_ELF_SIZE: usize = BUILT_ELF_SIZE;

/// The offset and size of the image's `.text` section (its code), in bytes,
/// if the image has section headers.
pub const TEXT_SECTION: Option<(usize, usize)> = BUILT_TEXT_SECTION;

/// The number of data pages (`axvdso_vvar::VvarPages`) the image expects
/// directly below its first byte. It finds them PC-relative at
/// `image - VVAR_PAGES_BELOW * PAGE_SIZE`.
pub const VVAR_PAGES_BELOW: usize = VVAR_NR_PAGES;

/// The image, page aligned, zero-padded to [`VDSO_TEXT_SIZE`] bytes.
///
/// It occupies whole pages of its own, so a kernel can map its frames into
/// user space without exposing anything else.
pub static VDSO_IMAGE: PageAligned<[u8; VDSO_TEXT_SIZE]> =
    PageAligned(*include_bytes!(concat!(env!("OUT_DIR"), "/vdso.img")));

/// The page-aligned image, [`VDSO_TEXT_SIZE`] bytes: what to map R+X.
pub fn vdso_image() -> &'static [u8] {
    &VDSO_IMAGE.0
}

/// The offset of the image's signal-return code ([`Arch::sigreturn_symbol`])
/// from its first byte, read from its symbol table at build time; `None` on
/// arches where libcs bring their own.
pub fn sigreturn_offset() -> Option<usize> {
    let name = ARCH.sigreturn_symbol()?;
    let symbol = crate::symbols::SYMBOLS.iter().find(|s| s.name == name);
    // build.rs refused an image without every required symbol.
    Some(
        symbol
            .expect("the sigreturn symbol is a required symbol")
            .offset,
    )
}

/// The ELF file without the padding ([`VDSO_ELF_SIZE`] bytes), e.g. for
/// [`validate`](crate::validate).
pub fn vdso_elf() -> &'static [u8] {
    &VDSO_IMAGE.0[..VDSO_ELF_SIZE]
}

// The loader contract, checked at compile time.
const _: () = {
    assert!(VVAR_PAGES_BELOW * PAGE_SIZE == VVAR_SIZE);
    assert!(VDSO_TEXT_SIZE % PAGE_SIZE == 0 && VDSO_TEXT_SIZE > 0);
    assert!(VDSO_ELF_SIZE <= VDSO_TEXT_SIZE && VDSO_TEXT_SIZE - VDSO_ELF_SIZE < PAGE_SIZE);
    assert!(BUILT_LOAD_SIZE <= VDSO_ELF_SIZE);
    assert!(core::mem::align_of::<PageAligned<[u8; VDSO_TEXT_SIZE]>>() == PAGE_SIZE);
    assert!(core::mem::size_of::<PageAligned<[u8; VDSO_TEXT_SIZE]>>() == VDSO_TEXT_SIZE);
};
