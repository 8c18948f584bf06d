//! The axvdso vDSO: `linux-vdso.so.1` for riscv64, x86_64, aarch64 and
//! loongarch64, written in Rust.
//!
//! This crate is compiled only by `axvdso-image`'s build script, for a bare
//! target (`riscv64gc-unknown-none-elf`, `x86_64-unknown-none`,
//! `aarch64-unknown-none-softfloat`, `loongarch64-unknown-none-softfloat`)
//! as a position independent static
//! library, and linked by rust-lld with `link/vdso.lds` and the arch's version
//! script (written from `axvdso-abi`'s table) into the shared object the
//! kernel maps into every process. It never runs in the kernel.
//!
//! - `gettime`: the generic core. It computes clock values from the data
//!   pages it is given and says "cannot" instead of guessing.
//! - `entry`: the exported C entry points shared by every arch; each one asks
//!   the core and makes the real syscall when the core cannot answer.
//! - `arch`: what an arch supplies (counter read, syscalls, where the data
//!   pages are, the prefix of the entry points' names) and its own exports
//!   (riscv64 and loongarch64 `__vdso_rt_sigreturn`, aarch64
//!   `__kernel_rt_sigreturn`, x86_64 `__vdso_time` and the unprefixed
//!   aliases).
//! - `note`: the `Linux` version note.
//!
//! Unsafe code is confined to `arch/`: the counter read, the syscall
//! instruction and the one computation of the data-page address. The only
//! other `unsafe` keywords are the `#[unsafe(no_mangle)]` and
//! `#[unsafe(export_name)]` of the exports and
//! the `unsafe extern` declaration of the never-defined symbol below.
//!
//! The image must contain no panic path: a panic could only hang or crash the
//! calling program. The panic handler calls a function that does not exist, so
//! if any panic survives optimisation and `--gc-sections`, the link fails
//! (`--no-undefined`) naming `axvdso_link_error_a_panic_path_is_reachable`.

#![no_std]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

mod abi;
mod arch;
mod chacha;
mod entry;
mod getrandom;
mod gettime;
mod note;

// SAFETY: the symbol is never defined. A call to it is only ever emitted from
// the panic handler, and the link fails if that call is reachable, so it is
// never executed.
unsafe extern "C" {
    /// Never defined; see the crate docs.
    safe fn axvdso_link_error_a_panic_path_is_reachable() -> !;
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    axvdso_link_error_a_panic_path_is_reachable()
}
