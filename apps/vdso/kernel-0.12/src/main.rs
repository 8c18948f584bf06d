//! The axvdso demo kernel on the starry-kernel 0.12.1 base.
//!
//! The init command line is fixed at build time by the `STARRY_INIT`
//! environment variable (space separated; `make ... INIT="/prog arg"` sets it).
//! The vDSO is linked in by the `vdso` feature (on by default).

#![no_std]
#![no_main]

extern crate alloc;

use alloc::{borrow::ToOwned, string::String, vec::Vec};

// The ArceOS runtime and library the kernel runs on.
use ax_std as _;

// Linked for its hook registrations (linkme slice entries) only.
#[cfg(feature = "vdso")]
use axvdso_loader as _;

/// The init command when `STARRY_INIT` is not set: the test runner.
const DEFAULT_INIT: &str = "/bin/runner";

#[unsafe(no_mangle)]
extern "C" fn main() {
    let cmdline = option_env!("STARRY_INIT").unwrap_or(DEFAULT_INIT);
    let args: Vec<String> = cmdline
        .split_ascii_whitespace()
        .map(ToOwned::to_owned)
        .collect();
    let envs = ["PATH=/bin".to_owned(), "HOME=/".to_owned()];
    starry_kernel::entry::init(&args, &envs);
}
