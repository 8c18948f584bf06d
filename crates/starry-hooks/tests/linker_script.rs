//! The 0.2 base's kernel links with `apps/vdso/linkme.x`, which must place
//! every slice this crate declares: a slice it misses is an orphan section
//! there and the kernel fails to link ("relocation ... out of range").

use std::{fs, path::Path};

#[test]
fn the_0_2_linker_script_keeps_every_slice() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let slices = fs::read_to_string(root.join("src/slices.rs")).unwrap();
    let script = fs::read_to_string(root.join("../../apps/vdso/linkme.x")).unwrap();
    let declared: Vec<&str> = slices
        .split("#[distributed_slice]\npub static ")
        .skip(1)
        .map(|rest| rest.split(':').next().unwrap().trim())
        .collect();
    assert_eq!(
        declared,
        [
            "BOOT_HOOKS",
            "EXEC_HOOKS",
            "TICK_HOOKS",
            "CLOCK_SET_HOOKS",
            "RESEED_HOOKS"
        ],
        "the slices as src/slices.rs declares them"
    );
    for name in declared {
        for section in [format!("linkme_{name}"), format!("linkm2_{name}")] {
            assert!(
                script.contains(&format!("KEEP(*({section}))")),
                "apps/vdso/linkme.x does not keep {section}"
            );
        }
    }
}
