#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod arch;
mod image;
mod linux;

pub use self::{
    arch::{Arch, Export, HashStyle, MishashedLookup},
    image::{PAGE_SIZE_4K, VDSO_SONAME, VVAR_NR_PAGES},
    linux::{clock_id, getrandom, nr},
};
