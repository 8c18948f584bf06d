#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod elf;
mod image;
pub mod symbols;

pub use self::{
    elf::{
        FoundName, IMAGE_SIZE_LIMIT, ImageError, ImageInfo, ImageResult, Symbol, elf_hash,
        gnu_hash, validate,
    },
    image::{
        ARCH, IMAGE_SOURCE, ImageSource, PageAligned, TEXT_SECTION, VDSO_ELF_SIZE, VDSO_IMAGE,
        VDSO_TEXT_SIZE, VERSION_NODE, VVAR_PAGES_BELOW, sigreturn_offset, vdso_elf, vdso_image,
    },
};
