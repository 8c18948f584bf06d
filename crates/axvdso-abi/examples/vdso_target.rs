//! Prints the bare Rust target the vDSO is built for: of each arch named on
//! the command line, or of every arch. For scripts, so that the targets are
//! written down once, in the table.
//!
//! `cargo run -q -p axvdso-abi --example vdso_target -- aarch64`

use std::{env, process::ExitCode};

use axvdso_abi::Arch;

fn main() -> ExitCode {
    let names: Vec<String> = env::args().skip(1).collect();
    if names.is_empty() {
        Arch::all().for_each(|arch| println!("{}", arch.rust_target()));
        return ExitCode::SUCCESS;
    }
    for name in names {
        let Some(arch) = Arch::from_target_arch(&name) else {
            let known: Vec<_> = Arch::all().map(Arch::name).collect();
            eprintln!(
                "vdso_target: no vDSO for `{name}` (arches: {})",
                known.join(", ")
            );
            return ExitCode::FAILURE;
        };
        println!("{}", arch.rust_target());
    }
    ExitCode::SUCCESS
}
