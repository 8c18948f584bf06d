/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/axvdso_vvar-af43cf7516b787ee.d: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_vvar-af43cf7516b787ee.rmeta: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-vvar/src/lib.rs:
/work/main/crates/axvdso-vvar/src/layout.rs:
/work/main/crates/axvdso-vvar/src/seq.rs:
/work/main/crates/axvdso-vvar/src/../README.md:
