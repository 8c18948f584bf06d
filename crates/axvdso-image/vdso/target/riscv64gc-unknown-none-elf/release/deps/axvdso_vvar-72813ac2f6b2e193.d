/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/axvdso_vvar-72813ac2f6b2e193.d: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_vvar-72813ac2f6b2e193.rlib: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-image/vdso/target/riscv64gc-unknown-none-elf/release/deps/libaxvdso_vvar-72813ac2f6b2e193.rmeta: /work/main/crates/axvdso-vvar/src/lib.rs /work/main/crates/axvdso-vvar/src/layout.rs /work/main/crates/axvdso-vvar/src/seq.rs /work/main/crates/axvdso-vvar/src/../README.md

/work/main/crates/axvdso-vvar/src/lib.rs:
/work/main/crates/axvdso-vvar/src/layout.rs:
/work/main/crates/axvdso-vvar/src/seq.rs:
/work/main/crates/axvdso-vvar/src/../README.md:
