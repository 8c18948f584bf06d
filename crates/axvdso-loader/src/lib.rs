#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

#[cfg(feature = "kernel")]
mod hook;
mod plan;

pub use self::plan::{VdsoLayout, VdsoPages, map_vdso, pick_base};
