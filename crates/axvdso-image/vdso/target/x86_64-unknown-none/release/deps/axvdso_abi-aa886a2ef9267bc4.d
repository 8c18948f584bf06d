/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/axvdso_abi-aa886a2ef9267bc4.d: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/libaxvdso_abi-aa886a2ef9267bc4.rmeta: /work/main/crates/axvdso-abi/src/lib.rs /work/main/crates/axvdso-abi/src/arch.rs /work/main/crates/axvdso-abi/src/image.rs /work/main/crates/axvdso-abi/src/linux.rs /work/main/crates/axvdso-abi/src/../README.md

/work/main/crates/axvdso-abi/src/lib.rs:
/work/main/crates/axvdso-abi/src/arch.rs:
/work/main/crates/axvdso-abi/src/image.rs:
/work/main/crates/axvdso-abi/src/linux.rs:
/work/main/crates/axvdso-abi/src/../README.md:
