/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/axvdso_vdso-dfecee812c177739.d: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/riscv64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_vdso-dfecee812c177739.rmeta: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/riscv64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

src/lib.rs:
src/abi.rs:
src/arch/mod.rs:
src/arch/riscv64.rs:
src/chacha.rs:
src/entry.rs:
src/getrandom.rs:
src/gettime.rs:
src/note.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# env-dep:CLIPPY_CONF_DIR
