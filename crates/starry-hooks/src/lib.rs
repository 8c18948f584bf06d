#![doc = include_str!("../README.md")]
// Without `test-support` the module the README names does not exist: point
// its links at the features section instead of leaving them broken.
#![cfg_attr(
    not(feature = "test-support"),
    doc = "",
    doc = "[`testing`]: #crate-features",
    doc = "[`testing::FakeClock`]: #crate-features",
    doc = "[`testing::RecordingSpace`]: #crate-features"
)]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod clock;
mod error;
mod slices;
#[cfg(feature = "test-support")]
pub mod testing;
mod uspace;

pub use self::{
    clock::ClockIf,
    error::{HookError, HookResult},
    slices::{
        BOOT_HOOKS, CLOCK_SET_HOOKS, EXEC_HOOKS, RESEED_HOOKS, TICK_HOOKS, run_boot_hooks,
        run_clock_set_hooks, run_exec_hooks, run_reseed_hooks, run_tick_hooks,
    },
    uspace::{AT_SYSINFO_EHDR, UserPerm, UserSpaceIf},
};

/// What [`register_hook!`] expands to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use linkme::{self, distributed_slice};

    pub use crate::slices::element_types::*;
}
