/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/axvdso_vdso-9d30960486740b20.d: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/aarch64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/libaxvdso_vdso-9d30960486740b20.rmeta: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/aarch64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

src/lib.rs:
src/abi.rs:
src/arch/mod.rs:
src/arch/aarch64.rs:
src/chacha.rs:
src/entry.rs:
src/getrandom.rs:
src/gettime.rs:
src/note.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# env-dep:CLIPPY_CONF_DIR
