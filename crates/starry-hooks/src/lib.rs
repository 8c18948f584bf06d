#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod clock;
mod error;
mod slices;
mod uspace;

pub use self::{
    clock::ClockIf,
    error::{HookError, HookResult},
    slices::{BOOT_HOOKS, EXEC_HOOKS, TICK_HOOKS, run_boot_hooks, run_exec_hooks, run_tick_hooks},
    uspace::{AT_SYSINFO_EHDR, UserPerm, UserSpaceIf},
};

/// What [`register_hook!`] expands to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use linkme::{self, distributed_slice};

    pub use crate::slices::element_types::*;
}
