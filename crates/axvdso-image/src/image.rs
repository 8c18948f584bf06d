//! The embedded image and the facts a loader needs about it.

use axvdso_abi::PAGE_SIZE_4K;

// BUILT_ELF_SIZE, BUILT_PADDED_SIZE, BUILT_LOAD_SIZE, BUILT_SIGRETURN_OFFSET,
// written by build.rs from the checked image.
include!(concat!(env!("OUT_DIR"), "/vdso_meta.rs"));

/// A value aligned to a page.
#[repr(C, align(4096))]
struct PageAligned<T: ?Sized>(T);

/// The image, page aligned, zero-padded to whole pages: it occupies pages of
/// its own, so a kernel can map its frames into user space without exposing
/// anything else.
static VDSO_IMAGE: PageAligned<[u8; BUILT_PADDED_SIZE]> =
    PageAligned(*include_bytes!(concat!(env!("OUT_DIR"), "/vdso.img")));

/// The image, page aligned and zero-padded to whole pages: what to map R+X,
/// directly above the data pages (`axvdso_abi::VVAR_NR_PAGES` of them).
pub fn vdso_image() -> &'static [u8] {
    &VDSO_IMAGE.0
}

/// The offset of the image's signal-return code (the arch's
/// `axvdso_abi::Arch::sigreturn_symbol`) from its first byte, read from its
/// symbol table at build time; `None` on arches where libcs bring their own.
pub fn sigreturn_offset() -> Option<usize> {
    BUILT_SIGRETURN_OFFSET
}

// The loader contract, checked at compile time.
const _: () = {
    assert!(BUILT_PADDED_SIZE % PAGE_SIZE_4K == 0 && BUILT_PADDED_SIZE > 0);
    assert!(BUILT_ELF_SIZE <= BUILT_PADDED_SIZE);
    assert!(BUILT_PADDED_SIZE - BUILT_ELF_SIZE < PAGE_SIZE_4K);
    assert!(BUILT_LOAD_SIZE <= BUILT_ELF_SIZE);
    assert!(core::mem::align_of::<PageAligned<[u8; BUILT_PADDED_SIZE]>>() == PAGE_SIZE_4K);
    assert!(core::mem::size_of::<PageAligned<[u8; BUILT_PADDED_SIZE]>>() == BUILT_PADDED_SIZE);
};
