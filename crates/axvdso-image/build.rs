//! Builds the vDSO for the target arch (or takes an external image), checks it,
//! and writes into `OUT_DIR`:
//!
//! - `vdso.so`: the image as linked (or as given), for tools and for a
//!   Makefile target that finds it through `cargo build --message-format=json`
//!   (the `build-script-executed` message's `out_dir`);
//! - `vdso.img`: the same bytes zero-padded to whole pages, which the library
//!   embeds;
//! - `vdso_meta.rs` and `vdso_symbols.rs`: constants read from the image's
//!   ELF headers and dynamic symbol table, which the library includes.
//!
//! A built image also leaves `vdso-build/vdso.dbg.so` (with the static symbol
//! table) in `OUT_DIR`.
//!
//! `AXVDSO_EXTERNAL_IMAGE=/abs/path/vdso.so` embeds that file instead of
//! building one (riscv64 only: see `external_image`). Either way a defect
//! found by `src/elf.rs` fails the build with a message naming it.

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

#[allow(dead_code, reason = "the library uses the rest of the module")]
#[path = "src/elf.rs"]
mod elf;
#[allow(dead_code, reason = "the tests use the rest of the module")]
#[path = "build/vdso_builder.rs"]
mod vdso_builder;

use axvdso_abi::{Arch, PAGE_SIZE_4K};
use elf::ImageInfo;

/// The environment variable naming an external image to embed.
const EXTERNAL_IMAGE_VAR: &str = "AXVDSO_EXTERNAL_IMAGE";

fn main() {
    if let Err(message) = run() {
        panic!("{message}");
    }
}

fn run() -> Result<(), String> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/vdso_builder.rs");
    println!("cargo::rerun-if-changed=src/elf.rs");
    println!("cargo::rerun-if-env-changed={EXTERNAL_IMAGE_VAR}");

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    // The target's arch, not the host's: `cfg!` in a build script describes
    // the host.
    let target_arch =
        env::var("CARGO_CFG_TARGET_ARCH").map_err(|_| "CARGO_CFG_TARGET_ARCH is not set")?;
    let arch = Arch::from_target_arch(&target_arch).ok_or_else(|| {
        format!(
            "axvdso-image: unsupported target arch `{target_arch}`: the vDSO is built for \
             riscv64 and x86_64 only"
        )
    })?;

    let (origin, bytes, external) = match env::var_os(EXTERNAL_IMAGE_VAR) {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            (path.clone(), external_image(&path, arch)?, true)
        }
        _ => {
            let toolchain = vdso_builder::Toolchain::from_env()?;
            let built = vdso_builder::build_vdso(
                arch,
                &manifest_dir.join("vdso"),
                &out_dir.join("vdso-build"),
                &toolchain,
            )
            .map_err(|err| format!("axvdso-image: building the {arch} vDSO: {err}"))?;
            for input in &built.inputs {
                println!("cargo::rerun-if-changed={}", input.display());
            }
            let bytes = read(&built.image)?;
            (built.image, bytes, false)
        }
    };

    let info = elf::validate(&bytes, arch)
        .map_err(|err| format!("vDSO image {}: {err}", origin.display()))?;

    write(&out_dir.join("vdso.so"), &bytes)?;
    let mut padded = bytes.clone();
    padded.resize(bytes.len().next_multiple_of(PAGE_SIZE_4K), 0);
    write(&out_dir.join("vdso.img"), &padded)?;
    write(
        &out_dir.join("vdso_meta.rs"),
        meta_source(&info, &origin, external, padded.len()).as_bytes(),
    )?;
    write(
        &out_dir.join("vdso_symbols.rs"),
        symbols_source(&info, &origin).as_bytes(),
    )?;
    Ok(())
}

/// Reads the external image at `path`.
///
/// Only riscv64: Linux's riscv64 vDSO finds its data 2 pages below its text in
/// the 6.1 `vdso_data` layout, which is what the kernel side maps (for a
/// kernel built with `CONFIG_TIME_NS=y`, as distributions do). Linux's x86_64
/// vDSO expects 4 vvar pages with `vdso_data` at offset 128 of the first, so
/// it would read garbage: refused.
fn external_image(path: &Path, arch: Arch) -> Result<Vec<u8>, String> {
    if !path.is_absolute() {
        return Err(format!(
            "{EXTERNAL_IMAGE_VAR}={}: must be an absolute path",
            path.display()
        ));
    }
    if arch != Arch::Riscv64 {
        return Err(format!(
            "{EXTERNAL_IMAGE_VAR}={}: external images are supported for riscv64 only (a \
             Linux-built {arch} vDSO expects another data-page arrangement)",
            path.display()
        ));
    }
    println!("cargo::rerun-if-changed={}", path.display());
    read(path)
}

/// The crate-internal constants (`src/image.rs` includes them).
fn meta_source(info: &ImageInfo<'_>, origin: &Path, external: bool, padded: usize) -> String {
    let mut out = header(origin);
    let source = if external { "External" } else { "Built" };
    let text = match info.text_section() {
        Some((offset, size)) => format!("Some(({offset:#x}, {size}))"),
        None => "None".to_owned(),
    };
    let arch = match info.arch() {
        Arch::Riscv64 => "Riscv64",
        Arch::X86_64 => "X86_64",
    };
    let _ = write!(
        out,
        "pub(crate) const BUILT_ARCH: Arch = Arch::{arch};\n\
         pub(crate) const BUILT_SOURCE: ImageSource = ImageSource::{source};\n\
         pub(crate) const BUILT_ELF_SIZE: usize = {};\n\
         pub(crate) const BUILT_PADDED_SIZE: usize = {padded};\n\
         pub(crate) const BUILT_LOAD_SIZE: usize = {};\n\
         pub(crate) const BUILT_TEXT_SECTION: Option<(usize, usize)> = {text};\n",
        info.file_size(),
        info.load_size(),
    );
    out
}

/// The public symbol constants (`src/symbols.rs` includes them).
fn symbols_source(info: &ImageInfo<'_>, origin: &Path) -> String {
    let mut out = header(origin);
    for name in info.arch().exports().iter().map(|export| export.name) {
        // Only the `__vdso_` names get constants; aliases share their address.
        let Some(short) = name.strip_prefix("__vdso_") else {
            continue;
        };
        let symbol = info
            .symbol(name)
            .expect("validate() checked every required symbol");
        let constant = short.to_ascii_uppercase();
        let _ = write!(
            out,
            "/// Offset of `{name}` from the start of the image, in bytes.\n\
             pub const SYM_{constant}: usize = {:#x};\n\
             /// Size of `{name}`, in bytes.\n\
             pub const SYM_{constant}_SIZE: usize = {};\n",
            symbol.offset, symbol.size,
        );
    }
    out.push_str("/// Every symbol the image exports, in dynamic symbol table order.\n");
    out.push_str("pub const SYMBOLS: &[Symbol<'static>] = &[\n");
    for symbol in info.symbols() {
        let _ = writeln!(
            out,
            "    Symbol {{ name: {:?}, version: {:?}, offset: {:#x}, size: {}, weak: {}, function: {} }},",
            symbol.name, symbol.version, symbol.offset, symbol.size, symbol.weak, symbol.function,
        );
    }
    out.push_str("];\n");
    out
}

fn header(origin: &Path) -> String {
    format!(
        "// @generated by axvdso-image's build.rs from {}. Do not edit.\n\n",
        origin.display()
    )
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|err| format!("reading {}: {err}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    fs::write(path, bytes).map_err(|err| format!("writing {}: {err}", path.display()))
}
