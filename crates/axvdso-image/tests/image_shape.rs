//! The shape of the images, for both arches, read with the tests' own ELF
//! reader: what glibc, musl, Go and unwinders rely on.
//!
//! The riscv64 image (and an x86_64 one) is built here with the same builder
//! code as `build.rs`, so these tests run on any host.

mod support;

use std::collections::BTreeSet;

use axvdso_abi::{Arch, PAGE_SIZE_4K as PAGE_SIZE};
use axvdso_image::{sigreturn_offset, vdso_image};
use support::{built::built_image, elf::*, embedded_elf, target_arch};

/// Everything every consumer relies on, for an image of `arch`.
fn check_shape(image: &[u8], arch: Arch) {
    let elf = Elf::new(image);
    let node = arch.version_node();
    assert_eq!(elf.e_type(), 3, "ET_DYN");
    assert_eq!(elf.e_machine(), arch.e_machine());

    // Segments: one R+X PT_LOAD at 0/0 holding everything, plus the three
    // read-only views into it.
    let types: Vec<u32> = elf.phdrs().iter().map(|p| p.p_type).collect();
    assert_eq!(types, [PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_GNU_EH_FRAME]);
    let load = elf.phdrs_of(PT_LOAD)[0];
    assert_eq!(
        (load.offset, load.vaddr, load.flags),
        (0, 0, 5),
        "PT_LOAD at 0/0, R+X"
    );
    assert_eq!(load.filesz, load.memsz);
    for phdr in elf.phdrs() {
        assert!(
            phdr.offset + phdr.filesz <= load.filesz,
            "{phdr:?} outside the PT_LOAD"
        );
    }
    assert!(elf.phdrs_of(PT_TLS).is_empty());
    assert!(
        image.len() <= PAGE_SIZE,
        "the image outgrew a page: {} bytes",
        image.len()
    );

    // Dynamic section: both hash tables, versions, no relocations, no needs.
    assert_eq!(elf.soname().as_deref(), Some("linux-vdso.so.1"));
    for tag in [
        DT_HASH,
        DT_GNU_HASH,
        DT_SYMTAB,
        DT_STRTAB,
        DT_VERSYM,
        DT_VERDEF,
    ] {
        assert!(elf.dyn_val(tag).is_some(), "tag {tag:#x} missing");
    }
    for tag in [
        DT_RELA,
        DT_RELASZ,
        DT_REL,
        DT_RELSZ,
        DT_JMPREL,
        DT_PLTRELSZ,
        DT_RELRSZ,
        DT_TEXTREL,
        DT_NEEDED,
    ] {
        assert!(elf.dyn_val(tag).is_none(), "tag {tag:#x} present");
    }
    for section in elf.sections() {
        assert!(
            section.sh_type != SHT_RELA && section.sh_type != SHT_REL,
            "{section:?}"
        );
        assert!(
            ![
                ".got", ".got.plt", ".plt", ".data", ".bss", ".tdata", ".tbss"
            ]
            .contains(&section.name.as_str()),
            "{section:?}"
        );
    }

    // Verdef: the base (the soname) and the arch's node, hashed.
    let verdefs: Vec<_> = elf
        .verdefs()
        .iter()
        .map(|v| (v.flags, v.ndx, v.hash, v.name.clone()))
        .collect();
    assert_eq!(
        verdefs,
        [
            (
                1,
                1,
                sysv_hash(b"linux-vdso.so.1"),
                "linux-vdso.so.1".to_owned()
            ),
            (0, 2, sysv_hash(node.as_bytes()), node.to_owned()),
        ]
    );

    // Dynamic symbols: exactly the required functions, all under the node.
    let syms: Vec<Sym> = elf.dynsyms().into_iter().skip(1).collect();
    let names: BTreeSet<&str> = syms.iter().map(|s| s.name.as_str()).collect();
    let required: BTreeSet<&str> = arch.exports().iter().map(|e| e.name).collect();
    assert_eq!(names, required);
    assert_eq!(syms.len(), required.len());
    let text = elf.section(".text").expect(".text");
    for sym in &syms {
        assert_eq!(sym.st_type(), STT_FUNC, "{sym:?}");
        assert_ne!(sym.shndx, 0, "{sym:?} undefined");
        assert_eq!(sym.version.as_deref(), Some(node), "{sym:?}");
        assert!(sym.value >= text.offset && sym.value + sym.size <= text.offset + text.size);
        assert!(sym.size > 0, "{sym:?}");
        let alias_of = format!("__vdso_{}", sym.name);
        if sym.name.starts_with("__vdso_") {
            assert_eq!(sym.binding(), STB_GLOBAL, "{sym:?}");
        } else {
            // The unprefixed x86_64 names: weak aliases.
            assert_eq!(sym.binding(), STB_WEAK, "{sym:?}");
            let target = elf.dynsym(&alias_of);
            assert_eq!(
                (sym.value, sym.size),
                (target.value, target.size),
                "{sym:?}"
            );
        }
        // What a libc does finds it, at the same place.
        assert_eq!(elf.lookup(&sym.name, node), Some(sym.value), "{}", sym.name);
        // ... and only under the right version.
        assert_eq!(elf.lookup(&sym.name, "LINUX_2.6.39"), None);
    }

    // The Linux version note: name "Linux", type 0, KERNEL_VERSION(6, 1, 0).
    let notes = elf.notes();
    assert!(
        notes.contains(&("Linux".to_owned(), 0, 0x06_01_00u32.to_le_bytes().to_vec())),
        "{notes:?}"
    );

    // Unwind tables: an FDE for every exported function.
    let fdes = eh_frame_fdes(&elf);
    for sym in &syms {
        assert!(
            fdes.iter().any(|f| f.start == sym.value),
            "no FDE for {}",
            sym.name
        );
    }
}

/// An FDE found through `.eh_frame_hdr`'s binary search table.
#[derive(Debug)]
struct Fde {
    start: u64,
    /// The augmentation string of its CIE.
    augmentation: String,
}

fn eh_frame_fdes(elf: &Elf<'_>) -> Vec<Fde> {
    let hdr = elf.phdrs_of(PT_GNU_EH_FRAME)[0].offset as usize;
    assert_eq!(elf.u8(hdr), 1, "eh_frame_hdr version");
    // pcrel|sdata4 frame pointer, udata4 count, datarel|sdata4 table.
    assert_eq!(
        (elf.u8(hdr + 1), elf.u8(hdr + 2), elf.u8(hdr + 3)),
        (0x1b, 0x03, 0x3b)
    );
    let count = elf.u32(hdr + 8) as usize;
    let signed = |at: usize| elf.u32(at) as i32 as i64;
    (0..count)
        .map(|i| {
            let entry = hdr + 12 + 8 * i;
            let start = (hdr as i64 + signed(entry)) as u64;
            let fde = (hdr as i64 + signed(entry + 4)) as usize;
            let cie = fde + 4 - elf.u32(fde + 4) as usize;
            assert_eq!(elf.u32(cie + 4), 0, "CIE id");
            Fde {
                start,
                augmentation: elf.cstr(cie + 9),
            }
        })
        .collect()
}

#[test]
fn riscv64_image_shape() {
    let image = built_image(Arch::Riscv64);
    check_shape(image, Arch::Riscv64);
    let elf = Elf::new(image);
    let names: BTreeSet<String> = elf.dynsyms().into_iter().skip(1).map(|s| s.name).collect();
    assert_eq!(
        names,
        [
            "__vdso_rt_sigreturn",
            "__vdso_gettimeofday",
            "__vdso_clock_gettime",
            "__vdso_clock_getres",
            "__vdso_getcpu",
            "__vdso_flush_icache",
        ]
        .map(str::to_owned)
        .into()
    );
}

#[test]
fn riscv64_rt_sigreturn_is_the_linux_trampoline() {
    let image = built_image(Arch::Riscv64);
    let elf = Elf::new(image);
    let sigreturn = elf.dynsym("__vdso_rt_sigreturn");
    assert_eq!(sigreturn.size, 8);
    let at = sigreturn.value as usize;
    // li a7, 139 ; ecall -- uncompressed, as unwinders pattern-match them.
    assert_eq!(
        image[at..at + 8],
        [0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00]
    );
    // Its CFI marks a signal frame ("S" augmentation), and nothing else does.
    for fde in eh_frame_fdes(&elf) {
        assert_eq!(
            fde.augmentation.contains('S'),
            fde.start == sigreturn.value,
            "{fde:?}"
        );
    }
}

#[test]
fn x86_64_image_shape() {
    let image = built_image(Arch::X86_64);
    check_shape(image, Arch::X86_64);
    let names: BTreeSet<String> = Elf::new(image)
        .dynsyms()
        .into_iter()
        .skip(1)
        .map(|s| s.name)
        .collect();
    let prefixed = [
        "clock_gettime",
        "gettimeofday",
        "time",
        "getcpu",
        "clock_getres",
    ];
    let expected: BTreeSet<String> = prefixed
        .iter()
        .flat_map(|n| [format!("__vdso_{n}"), (*n).to_owned()])
        .collect();
    assert_eq!(names, expected);
}

#[test]
fn embedded_image_is_the_checked_build_for_the_target() {
    let arch = target_arch();
    check_shape(embedded_elf(), arch);
    // Built twice from the same sources with the same toolchain: the same bytes.
    assert_eq!(
        embedded_elf(),
        built_image(arch),
        "the vDSO build is not reproducible"
    );
    // Page aligned, padded with zeros to whole pages.
    let image = vdso_image();
    assert_eq!(image.as_ptr() as usize % PAGE_SIZE, 0);
    assert_eq!(
        image.len(),
        embedded_elf().len().next_multiple_of(PAGE_SIZE)
    );
    assert_eq!(&image[..embedded_elf().len()], embedded_elf());
    assert!(image[embedded_elf().len()..].iter().all(|&b| b == 0));
}

#[test]
fn sigreturn_offset_is_the_symbol() {
    let elf = Elf::new(embedded_elf());
    let expected = target_arch()
        .sigreturn_symbol()
        .map(|name| elf.dynsym(name).value as usize);
    assert_eq!(sigreturn_offset(), expected);
    #[cfg(target_arch = "riscv64")]
    assert!(expected.is_some());
}
