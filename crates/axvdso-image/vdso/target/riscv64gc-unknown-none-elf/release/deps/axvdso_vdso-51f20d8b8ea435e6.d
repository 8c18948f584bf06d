/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/axvdso_vdso-51f20d8b8ea435e6.d: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/riscv64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_vdso-51f20d8b8ea435e6.a: src/lib.rs src/abi.rs src/arch/mod.rs src/arch/riscv64.rs src/chacha.rs src/entry.rs src/getrandom.rs src/gettime.rs src/note.rs

src/lib.rs:
src/abi.rs:
src/arch/mod.rs:
src/arch/riscv64.rs:
src/chacha.rs:
src/entry.rs:
src/getrandom.rs:
src/gettime.rs:
src/note.rs:
