//! Builds the vDSO for the target arch (or takes an external image), checks it,
//! and writes into `OUT_DIR`:
//!
//! - `vdso.so`: the image as linked (or as given), for tools and for a
//!   Makefile target that finds it through `cargo build --message-format=json`
//!   (the `build-script-executed` message's `out_dir`);
//! - `vdso.img`: the same bytes zero-padded to whole pages, which the library
//!   embeds;
//! - `vdso_meta.rs`: constants read from the image's ELF headers and dynamic
//!   symbol table, which the library includes.
//!
//! A built image also leaves `vdso-build/vdso.dbg.so` (with the static symbol
//! table) in `OUT_DIR`.
//!
//! `AXVDSO_EXTERNAL_IMAGE=/abs/path/vdso.so` embeds that file instead of
//! building one (where Linux's image reads our data pages: see
//! `external_image`). Either way a defect
//! found by `build/validate` fails the build with a message naming it.

use std::{
    env,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

#[allow(dead_code, reason = "the tests use the rest of the module")]
#[path = "build/validate/mod.rs"]
mod validate;
#[allow(dead_code, reason = "the tests use the rest of the module")]
#[path = "build/vdso_builder.rs"]
mod vdso_builder;

use axvdso_abi::{Arch, PAGE_SIZE_4K};
use validate::ImageInfo;

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
    println!("cargo::rerun-if-changed=build/validate");
    println!("cargo::rerun-if-env-changed={EXTERNAL_IMAGE_VAR}");

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    // The target's arch, not the host's: `cfg!` in a build script describes
    // the host.
    let target_arch =
        env::var("CARGO_CFG_TARGET_ARCH").map_err(|_| "CARGO_CFG_TARGET_ARCH is not set")?;
    let arch = Arch::from_target_arch(&target_arch).ok_or_else(|| {
        let known: Vec<_> = Arch::all().map(Arch::name).collect();
        format!(
            "axvdso-image: unsupported target arch `{target_arch}`: the vDSO is built for {} only",
            known.join(", ")
        )
    })?;

    let (origin, bytes, kind) = match env::var_os(EXTERNAL_IMAGE_VAR) {
        Some(path) if !path.is_empty() => {
            let path = PathBuf::from(path);
            let bytes = external_image(&path, arch)?;
            (path, bytes, validate::Origin::External)
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
            (built.image, bytes, validate::Origin::Built)
        }
    };

    let info = validate::validate_as(&bytes, arch, kind)
        .map_err(|err| format!("vDSO image {}: {err}", origin.display()))?;

    write(&out_dir.join("vdso.so"), &bytes)?;
    let mut padded = bytes.clone();
    padded.resize(bytes.len().next_multiple_of(PAGE_SIZE_4K), 0);
    write(&out_dir.join("vdso.img"), &padded)?;
    write(
        &out_dir.join("vdso_meta.rs"),
        meta_source(&info, arch, &origin, bytes.len(), padded.len()).as_bytes(),
    )?;
    Ok(())
}

/// Reads the external image at `path`.
///
/// Only where [`Arch::linux_image_fits_our_data_pages`]: Linux's riscv64 and
/// arm64 vDSOs find their data 2 pages below their text in the 6.1
/// `vdso_data` layout, which is what the kernel side maps (for a kernel built
/// with `CONFIG_TIME_NS=y`, as distributions do). Linux's x86_64 vDSO expects
/// 4 vvar pages with `vdso_data` at offset 128 of the first, and its
/// loongarch vDSO the per-CPU pages of `getcpu` between the two and the
/// image, so that its data lies 3 or more pages below: they would read
/// garbage, so they are refused.
fn external_image(path: &Path, arch: Arch) -> Result<Vec<u8>, String> {
    if !path.is_absolute() {
        return Err(format!(
            "{EXTERNAL_IMAGE_VAR}={}: must be an absolute path",
            path.display()
        ));
    }
    if !arch.linux_image_fits_our_data_pages() {
        return Err(format!(
            "{EXTERNAL_IMAGE_VAR}={}: no external image for {arch}: a Linux-built {arch} vDSO \
             expects another data-page arrangement",
            path.display()
        ));
    }
    println!("cargo::rerun-if-changed={}", path.display());
    read(path)
}

/// The crate-internal constants (`src/image.rs` includes them).
fn meta_source(info: &ImageInfo, arch: Arch, origin: &Path, size: usize, padded: usize) -> String {
    let sigreturn = arch
        .sigreturn_symbol()
        .map(|name| info.offset(name).expect("validate() checked every export"));
    let mut out = header(origin);
    let _ = write!(
        out,
        "pub(crate) const BUILT_ELF_SIZE: usize = {size};\n\
         pub(crate) const BUILT_PADDED_SIZE: usize = {padded};\n\
         pub(crate) const BUILT_LOAD_SIZE: usize = {};\n\
         pub(crate) const BUILT_SIGRETURN_OFFSET: Option<usize> = {sigreturn:?};\n",
        info.load_size,
    );
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
