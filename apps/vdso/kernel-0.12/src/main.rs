//! The axvdso demo kernel on the starry-kernel 0.12.1 base.
//!
//! The init command line is fixed at build time by the `STARRY_INIT`
//! environment variable (space separated; `make ... INIT="/prog arg"` sets it).
//! The vDSO is linked in by the `vdso` feature (on by default).

#![no_std]
#![no_main]

extern crate alloc;

// The init command line, as on the 0.2 base.
#[path = "../../src/init_cmd.rs"]
mod init_cmd;

// The ArceOS runtime and library the kernel runs on.
use ax_std as _;

// Linked for its hook registrations (linkme slice entries) only.
#[cfg(feature = "vdso")]
use axvdso_loader as _;

#[unsafe(no_mangle)]
extern "C" fn main() {
    let (args, envs) = init_cmd::init_command();
    starry_kernel::entry::init(&args, &envs);
}
