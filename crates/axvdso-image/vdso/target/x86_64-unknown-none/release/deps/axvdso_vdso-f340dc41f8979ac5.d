/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/axvdso_vdso-f340dc41f8979ac5.d: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/x86_64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/libaxvdso_vdso-f340dc41f8979ac5.rmeta: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/x86_64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs Cargo.toml

src/lib.rs:
src/abi.rs:
src/arch/mod.rs:
src/arch/x86_64.rs:
src/chacha.rs:
src/entry.rs:
src/getrandom.rs:
src/gettime.rs:
src/note.rs:
Cargo.toml:

# env-dep:CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# env-dep:CLIPPY_CONF_DIR
