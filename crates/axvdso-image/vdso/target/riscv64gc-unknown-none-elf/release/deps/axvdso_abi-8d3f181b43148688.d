/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/axvdso_abi-8d3f181b43148688.d: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_abi-8d3f181b43148688.rlib: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_abi-8d3f181b43148688.rmeta: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-abi/src/lib.rs:
/work/main/crates/axvdso-abi/src/arch.rs:
/work/main/crates/axvdso-abi/src/image.rs:
/work/main/crates/axvdso-abi/src/linux.rs:
/work/main/crates/axvdso-abi/src/../README.md:
