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
    slices::{
        BOOT_HOOKS, BootHook, EXEC_HOOKS, ExecHook, TICK_HOOKS, TickHook, run_boot_hooks,
        run_exec_hooks, run_tick_hooks,
    },
    uspace::{AT_SYSINFO_EHDR, UserPerm, UserSpaceIf},
};

#[doc(hidden)]
pub mod __priv {
    pub use linkme::{self, distributed_slice};
}
