//! The init program and its environment, shared by the demo kernel of each
//! Starry base (`apps/vdso` and `apps/vdso/kernel-0.12` include this file).

use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// The init command when `STARRY_INIT` is not set: the test runner.
const DEFAULT_INIT: &str = "/bin/runner";

/// The init command line (`STARRY_INIT` at build time, split on spaces, or
/// [`DEFAULT_INIT`]) and its environment.
pub fn init_command() -> (Vec<String>, Vec<String>) {
    let cmdline = option_env!("STARRY_INIT").unwrap_or(DEFAULT_INIT);
    let args = cmdline
        .split_ascii_whitespace()
        .map(ToOwned::to_owned)
        .collect();
    let envs = ["PATH=/bin", "HOME=/"].map(ToOwned::to_owned).to_vec();
    (args, envs)
}
