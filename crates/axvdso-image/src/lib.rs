#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod image;

pub use self::image::{sigreturn_offset, vdso_image};
