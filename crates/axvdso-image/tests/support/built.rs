//! vDSO images built in the test, with the same builder code as `build.rs`.

use std::{path::Path, sync::OnceLock};

use axvdso_abi::Arch;

#[allow(dead_code, reason = "build.rs uses the rest")]
#[path = "../../build/vdso_builder.rs"]
mod vdso_builder;

/// The image for `arch`, built once per test binary into the test target's
/// temporary directory.
pub fn built_image(arch: Arch) -> &'static [u8] {
    static RISCV64: OnceLock<Vec<u8>> = OnceLock::new();
    static X86_64: OnceLock<Vec<u8>> = OnceLock::new();
    static AARCH64: OnceLock<Vec<u8>> = OnceLock::new();
    static LOONGARCH64: OnceLock<Vec<u8>> = OnceLock::new();
    let cell = match arch {
        Arch::Riscv64 => &RISCV64,
        Arch::X86_64 => &X86_64,
        Arch::Aarch64 => &AARCH64,
        Arch::Loongarch64 => &LOONGARCH64,
    };
    cell.get_or_init(|| {
        let toolchain = vdso_builder::Toolchain::from_env().unwrap_or_else(|err| panic!("{err}"));
        let work_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("vdso-{}", arch.name()));
        let source_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("vdso");
        let built = vdso_builder::build_vdso(arch, &source_dir, &work_dir, &toolchain)
            .unwrap_or_else(|err| panic!("building the {arch} vDSO: {err}"));
        std::fs::read(&built.image).unwrap()
    })
}
