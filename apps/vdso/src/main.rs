//! The axvdso demo kernel: Starry with a vDSO.
//!
//! The init command line is fixed at build time by the `STARRY_INIT`
//! environment variable (space separated; `make ... INIT="/prog arg"` sets it).
//! Without the default feature `vdso` no program gets a vDSO.

#![no_std]
#![no_main]

extern crate alloc;

mod init_cmd;

// Linked for their hook registrations (linkme slice entries) only.
#[cfg(feature = "vdso")]
use axvdso_loader as _;

#[unsafe(no_mangle)]
fn main() {
    let (args, envs) = init_cmd::init_command();
    starry_kernel::entry::init(&args, &envs);
}
