//! Writes the kernel's linker script (starry-kernel's `linker.ld`, which
//! INCLUDEs ax-runtime's `runtime.x`) as `linker.x` where the link finds it:
//! the kernel is linked with `-Tlinker.x` (scripts/base/0.12.sh).

use std::{env, fs, path::PathBuf};

/// The kernel tree of `[patch.crates-io]` in Cargo.toml.
const KERNEL_DIR: &str = "../../../build/starry-0.12/starry-kernel";

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let script = manifest_dir.join(KERNEL_DIR).join("linker.ld");
    println!("cargo:rerun-if-changed={}", script.display());
    let text = fs::read_to_string(&script)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/starry-src.sh)", script.display()));

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap());
    fs::write(out_dir.join("linker.x"), text).unwrap();
    println!("cargo:rustc-link-search={}", out_dir.display());
}
