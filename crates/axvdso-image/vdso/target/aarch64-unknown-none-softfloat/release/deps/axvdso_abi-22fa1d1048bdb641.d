/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/axvdso_abi-22fa1d1048bdb641.d: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/libaxvdso_abi-22fa1d1048bdb641.rmeta: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-abi/src/lib.rs:
/work/main/crates/axvdso-abi/src/arch.rs:
/work/main/crates/axvdso-abi/src/image.rs:
/work/main/crates/axvdso-abi/src/linux.rs:
/work/main/crates/axvdso-abi/src/../README.md:
