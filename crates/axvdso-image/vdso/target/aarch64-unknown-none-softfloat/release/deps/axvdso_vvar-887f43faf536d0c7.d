/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/axvdso_vvar-887f43faf536d0c7.d: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-image/vdso/target/aarch64-unknown-none-softfloat/release/deps/libaxvdso_vvar-887f43faf536d0c7.rmeta: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-vvar/src/lib.rs:
/work/main/crates/axvdso-vvar/src/layout.rs:
/work/main/crates/axvdso-vvar/src/seq.rs:
/work/main/crates/axvdso-vvar/src/../README.md:
