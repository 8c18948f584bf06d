//! The shape of the images, for every arch, read with `object` through
//! their section headers: what glibc, musl, Go and unwinders rely on.
//!
//! Every arch's image is built here with the same builder code as
//! `build.rs`, so these tests run on any host.

mod support;

use std::collections::BTreeSet;

use axvdso_abi::{Arch, PAGE_SIZE_4K, VDSO_SONAME};
use axvdso_image::{sigreturn_offset, vdso_image};
use object::{
    LittleEndian as LE,
    elf::{self, *},
    read::elf::ProgramHeader as _,
};
use support::{built::built_image, embedded_elf, image::*, target_arch};

/// Everything every consumer relies on, for an image of `arch`.
fn check_shape(data: &[u8], arch: Arch) {
    let image = Image::new(data);
    let node = arch.version_node();
    assert_eq!(image.header().e_type.get(LE), elf::ET_DYN);
    assert_eq!(image.header().e_machine.get(LE).0, arch.e_machine());

    // Segments: one R+X PT_LOAD at 0/0 holding everything, plus the three
    // read-only views into it.
    let phdrs = image.file.elf_program_headers();
    let types: Vec<_> = phdrs.iter().map(|p| p.p_type.get(LE)).collect();
    assert_eq!(types, [PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_GNU_EH_FRAME]);
    let load = image.phdr(PT_LOAD);
    let (offset, vaddr, flags) = (load.p_offset(LE), load.p_vaddr(LE), load.p_flags(LE));
    assert_eq!((offset, vaddr, flags), (0, 0, elf::PF_R | elf::PF_X));
    assert_eq!(load.p_filesz(LE), load.p_memsz(LE));
    for phdr in phdrs {
        assert!(phdr.p_offset(LE) + phdr.p_filesz(LE) <= load.p_filesz(LE));
    }
    // Two pages at most: getrandom's ChaCha20 took the riscv64 image to 5 KB
    // (Linux 6.1's riscv64 image, without it, is 4.6 KB).
    assert!(
        data.len() <= 2 * PAGE_SIZE_4K,
        "the image outgrew two pages"
    );

    // Dynamic section: the arch's hash tables, versions, no relocations, no
    // needs.
    let dynamic = image.file.elf_dynamic_table().unwrap();
    let soname = dynamic.iter().find(|d| d.tag == DT_SONAME);
    assert_eq!(dynamic.string(soname.unwrap()), Ok(VDSO_SONAME.as_bytes()));
    for (tag, name) in table_tags(arch) {
        assert!(image.dyn_entry(tag).is_some(), "{name} missing");
    }
    let gnu_hash = image.dyn_entry(DT_GNU_HASH).is_some();
    assert_eq!(gnu_hash, arch.hash_style().has_gnu_hash(), "DT_GNU_HASH");
    let absent = [
        DT_RELA,
        DT_RELASZ,
        DT_REL,
        DT_RELSZ,
        DT_JMPREL,
        DT_PLTRELSZ,
        DT_RELRSZ,
        DT_TEXTREL,
        DT_NEEDED,
    ];
    for tag in absent {
        assert!(image.dyn_entry(tag).is_none(), "{tag:?} present");
    }
    let forbidden = [
        ".got", ".got.plt", ".plt", ".data", ".bss", ".tdata", ".tbss",
    ];
    for section in image.sections().iter() {
        let name = image.sections().section_name(LE, section).unwrap();
        let name = std::str::from_utf8(name).unwrap();
        let sh_type = section.sh_type.get(LE);
        assert!(sh_type != SHT_RELA && sh_type != SHT_REL, "{name}");
        assert!(!forbidden.contains(&name), "{name}");
    }

    // Verdef: the base (the soname) and the arch's node, hashed.
    let verdefs: Vec<_> = (image.verdefs().into_iter())
        .map(|v| (v.flags, v.ndx, v.hash, v.name))
        .collect();
    let hash = |name: &str| elf::hash(name.as_bytes());
    assert_eq!(
        verdefs,
        [
            (1, 1, hash(VDSO_SONAME), VDSO_SONAME),
            (0, 2, hash(node), node)
        ]
    );

    // Dynamic symbols: exactly the table's exports, all under the node, and
    // the node's own absolute symbol where the arch has it (as GNU ld writes).
    let syms = image.dynsyms();
    let names: BTreeSet<&str> = syms.iter().map(|s| s.name).collect();
    let mut expected: BTreeSet<&str> = arch.exports().iter().map(|e| e.name).collect();
    if arch.has_version_node_symbol() {
        expected.insert(node);
        let sym = image.dynsym(node);
        assert!(sym.absolute, "{sym:?}");
        assert_eq!(sym.info.st_bind(), STB_GLOBAL, "{sym:?}");
        assert_eq!((sym.value, sym.version), (0, Some(node)), "{sym:?}");
    }
    assert_eq!(names, expected);
    assert_eq!(syms.len(), expected.len());
    let (text, text_size) = image.section(".text").expect(".text");
    for export in arch.exports() {
        let sym = image.dynsym(export.name);
        assert_eq!(sym.info.st_type(), STT_FUNC, "{sym:?}");
        assert!(sym.defined, "{sym:?}");
        assert_eq!(sym.version, Some(node), "{sym:?}");
        assert!(sym.value >= text && sym.value + sym.size <= text + text_size);
        assert!(sym.size > 0, "{sym:?}");
        if let Some(target) = export.alias_of {
            assert_eq!(sym.info.st_bind(), STB_WEAK, "{sym:?}");
            let target = image.dynsym(target);
            assert_eq!((sym.value, sym.size), (target.value, target.size));
        } else {
            assert_eq!(sym.info.st_bind(), STB_GLOBAL, "{sym:?}");
        }
        // What a libc does finds it, at the same place.
        assert_eq!(image.lookup(sym.name, node), Some(sym.value), "{sym:?}");
        // ... and only under the right version.
        for other in Arch::all().map(Arch::version_node).filter(|&n| n != node) {
            assert_eq!(image.lookup(sym.name, other), None);
        }
    }

    // The Linux version note: name "Linux", type 0, KERNEL_VERSION(6, 1, 0).
    let mut notes = image.phdr(PT_NOTE).notes(LE, data).unwrap().unwrap();
    let note = notes.next().unwrap().expect("a note");
    assert_eq!((note.name(), note.n_type(LE)), (&b"Linux"[..], NoteType(0)));
    assert_eq!(note.desc(), 0x06_01_00u32.to_le_bytes());

    // Unwind tables: an FDE for every exported function, starting at it, or
    // covering a signal trampoline, but for a trampoline that Linux leaves
    // without CFI (aarch64's): no FDE covers it.
    let fdes = eh_frame_fdes(&image);
    for export in arch.exports() {
        let sym = image.dynsym(export.name);
        let found = fdes
            .iter()
            .any(|f| f.start == sym.value || f.covers(sym.value));
        let bare = arch.sigreturn_symbol() == Some(export.name) && !arch.sigreturn_has_cfi();
        assert_eq!(found, !bare, "FDE for {}", sym.name);
    }
}

/// An FDE found through `.eh_frame_hdr`'s binary search table.
#[derive(Debug)]
struct Fde {
    start: u64,
    /// The size of the code it describes, in bytes.
    len: u64,
    /// The augmentation string of its CIE.
    augmentation: String,
    /// Its CIE's return address column.
    return_column: u64,
    /// Its call frame instructions (after the augmentation data).
    instructions: Vec<u8>,
}

impl Fde {
    fn covers(&self, address: u64) -> bool {
        (self.start..self.start + self.len).contains(&address)
    }
}

fn eh_frame_fdes(image: &Image<'_>) -> Vec<Fde> {
    let data = image.data;
    let u32_at = |at: usize| u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
    let hdr = image.phdr(PT_GNU_EH_FRAME).p_offset(LE) as usize;
    // Version 1; pcrel|sdata4 frame pointer, udata4 count, datarel|sdata4 table.
    assert_eq!(data[hdr..hdr + 4], [1, 0x1b, 0x03, 0x3b]);
    let signed = |at: usize| hdr as i64 + i64::from(u32_at(at) as i32);
    (0..u32_at(hdr + 8) as usize)
        .map(|i| {
            let entry = hdr + 12 + 8 * i;
            let fde = signed(entry + 4) as usize;
            let cie = fde + 4 - u32_at(fde + 4) as usize;
            assert_eq!(u32_at(cie + 4), 0, "CIE id");
            let augmentation = data[cie + 9..].split(|&b| b == 0).next().unwrap();
            // The CIE goes on with the code and data alignment factors, then
            // the return address column (a byte in version 1, which LLVM
            // writes, read as a ULEB128 all the same).
            let mut at = cie + 9 + augmentation.len() + 1;
            for _ in 0..2 {
                leb128(data, &mut at);
            }
            let return_column = leb128(data, &mut at);
            // The FDE: length, CIE pointer, pc_begin, then pc_range (udata4
            // or sdata4, the encoding LLVM writes for every arch here), the
            // augmentation data ("z") and the instructions.
            let end = fde + 4 + u32_at(fde) as usize;
            let mut at = fde + 16;
            let skip = leb128(data, &mut at) as usize;
            Fde {
                start: signed(entry) as u64,
                len: u64::from(u32_at(fde + 12)),
                augmentation: String::from_utf8(augmentation.to_vec()).unwrap(),
                return_column,
                instructions: data[at + skip..end].to_vec(),
            }
        })
        .collect()
}

/// The ULEB128 at `*at` (its value as unsigned: an SLEB128's bits), moving
/// `*at` past it.
fn leb128(data: &[u8], at: &mut usize) -> u64 {
    let mut value = 0;
    for shift in (0..64).step_by(7) {
        let byte = data[*at];
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
    }
    value
}

#[test]
fn built_images_have_the_shape() {
    for arch in Arch::all() {
        check_shape(built_image(arch), arch);
    }
}

#[test]
fn rt_sigreturn_is_the_linux_trampoline() {
    for arch in Arch::all() {
        let (Some(name), Some(code)) = (arch.sigreturn_symbol(), arch.sigreturn_code()) else {
            continue;
        };
        let data = built_image(arch);
        let image = Image::new(data);
        let sigreturn = image.dynsym(name);
        assert_eq!(sigreturn.size, 8, "{arch}");
        let at = sigreturn.value as usize;
        assert_eq!(data[at..at + 8], *code, "{arch}");
        // Its CFI, if Linux has some, marks a signal frame ("S"
        // augmentation), and nothing else does.
        for fde in eh_frame_fdes(&image) {
            let signal_frame = fde.augmentation.contains('S');
            let covers = fde.covers(sigreturn.value);
            assert_eq!(
                signal_frame,
                covers && arch.sigreturn_has_cfi(),
                "{arch}: {fde:?}"
            );
            assert!(!covers || arch.sigreturn_has_cfi(), "{arch}: {fde:?}");
        }
    }
    // riscv64: li a7, 139 ; ecall -- uncompressed, as unwinders match them.
    assert_eq!(
        Arch::Riscv64.sigreturn_code(),
        Some(&[0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00][..])
    );
}

#[test]
fn aarch64_rt_sigreturn_has_no_cfi_as_linux() {
    let data = built_image(Arch::Aarch64);
    let image = Image::new(data);
    let sigreturn = image.dynsym("__kernel_rt_sigreturn").value;
    let word = |at: u64| u32::from_le_bytes(data[at as usize..][..4].try_into().unwrap());
    // nop ; mov x8, #139 ; svc #0
    assert_eq!(
        [word(sigreturn - 4), word(sigreturn), word(sigreturn + 4)],
        [0xd503_201f, 0xd280_1168, 0xd400_0001]
    );
    // No FDE covers the `nop` or the trampoline: libgcc then recognises the
    // instructions and reads the registers from the frame's sigcontext.
    for fde in eh_frame_fdes(&image) {
        assert!(
            !(sigreturn - 4..sigreturn + 8).any(|a| fde.covers(a)),
            "{fde:?}"
        );
    }
}

#[test]
fn loongarch64_rt_sigreturn_has_the_linux_cfi() {
    let data = built_image(Arch::Loongarch64);
    let image = Image::new(data);
    let sigreturn = image.dynsym("__vdso_rt_sigreturn").value;
    let word = |at: u64| u32::from_le_bytes(data[at as usize..][..4].try_into().unwrap());
    // ori a7, zero, 139 (GNU as's `li.w a7, 139`) ; syscall 0
    assert_eq!(
        [word(sigreturn), word(sigreturn + 4)],
        [0x0382_2c0b, 0x002b_0000]
    );
    // The FDE starts at the `nop` just before the symbol (Linux's
    // `SYM_SIGFUNC_START`), so an unwinder that subtracts 1 from the return
    // address still finds it.
    let fdes = eh_frame_fdes(&image);
    let fde = fdes.iter().find(|f| f.covers(sigreturn)).expect("an FDE");
    assert_eq!((fde.start, fde.len), (sigreturn - 4, 12));
    assert_eq!(word(fde.start), 0x0340_0000, "nop (andi zero, zero, 0)");
    assert!(fde.augmentation.contains('S'), "{fde:?}");
    // The return address is column 0, at `sc_pc`; the CFA is the `struct
    // sigcontext` 304 bytes above `sp` (siginfo 128 + `uc_mcontext` 176);
    // then $r1..$r31 at `sc_regs[n]`, 8 + 8 n bytes above the CFA.
    assert_eq!(fde.return_column, 0, "{fde:?}");
    let mut expected = vec![
        0x0c, 3, 0xb0, 0x02, // DW_CFA_def_cfa r3, 304
        0x80, 0, // DW_CFA_offset r0, 0
    ];
    for reg in 1..32u8 {
        // DW_CFA_offset_extended_sf: the data alignment factor is -8.
        let factored = -(1 + i8::try_from(reg).unwrap());
        expected.extend([0x11, reg, factored as u8 & 0x7f]);
    }
    let instructions = &fde.instructions;
    assert_eq!(instructions[..expected.len()], expected[..], "{fde:?}");
    assert!(
        instructions[expected.len()..].iter().all(|&op| op == 0),
        "{fde:?}"
    );
}

#[test]
fn embedded_image_is_the_checked_build_for_the_target() {
    let (arch, elf) = (target_arch(), embedded_elf());
    check_shape(elf, arch);
    // Built twice from the same sources with the same toolchain: the same bytes.
    assert_eq!(elf, built_image(arch), "the vDSO build is not reproducible");
    // Page aligned, padded with zeros to whole pages.
    let image = vdso_image();
    assert_eq!(image.as_ptr() as usize % PAGE_SIZE_4K, 0);
    assert_eq!(image.len(), elf.len().next_multiple_of(PAGE_SIZE_4K));
    assert_eq!(&image[..elf.len()], elf);
    assert!(image[elf.len()..].iter().all(|&b| b == 0));
}

#[test]
fn sigreturn_offset_is_the_symbol() {
    let image = Image::new(embedded_elf());
    let expected = (target_arch().sigreturn_symbol()).map(|name| image.dynsym(name).value as usize);
    assert_eq!(sigreturn_offset(), expected);
    #[cfg(target_arch = "riscv64")]
    assert!(expected.is_some());
}
