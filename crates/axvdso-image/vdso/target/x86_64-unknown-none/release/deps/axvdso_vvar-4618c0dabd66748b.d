/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/axvdso_vvar-4618c0dabd66748b.d: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-image/vdso/target/x86_64-unknown-none/release/deps/libaxvdso_vvar-4618c0dabd66748b.rmeta: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-vvar/src/lib.rs:
/work/main/crates/axvdso-vvar/src/layout.rs:
/work/main/crates/axvdso-vvar/src/seq.rs:
/work/main/crates/axvdso-vvar/src/../README.md:
