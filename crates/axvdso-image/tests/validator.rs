//! `validate` on good images and on images broken in one place each: every
//! defect gives its own error, with a message naming it.

mod support;

use axvdso_abi::{Arch, PAGE_SIZE_4K, VDSO_SONAME};
use object::{LittleEndian as LE, elf::*};
use support::{
    built::built_image,
    embedded_elf as vdso_elf,
    image::*,
    target_arch,
    validate::{IMAGE_SIZE_LIMIT, ImageError, validate},
};

/// The images to corrupt: the embedded one (the target's arch) and every
/// other arch's, built here.
fn images() -> Vec<(Arch, Vec<u8>)> {
    let others = Arch::all().filter(|&arch| arch != target_arch());
    let others = others.map(|arch| (arch, built_image(arch).to_vec()));
    [(target_arch(), vdso_elf().to_vec())]
        .into_iter()
        .chain(others)
        .collect()
}

/// Applies `corrupt` to a copy of each image and checks the error, which
/// `expected` computes from the arch and the intact image.
fn check_with(corrupt: impl Fn(&mut Vec<u8>, Arch), expected: impl Fn(Arch, &[u8]) -> ImageError) {
    for (arch, image) in images() {
        let mut broken = image.clone();
        corrupt(&mut broken, arch);
        assert_ne!(broken, image, "{arch}: the corruption changed nothing");
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(expected(arch, &image)),
            "{arch}"
        );
    }
}

fn check(corrupt: impl Fn(&mut Vec<u8>, Arch), expected: impl Fn(Arch) -> ImageError) {
    check_with(corrupt, |arch, _| expected(arch));
}

#[test]
fn good_images_pass_and_report_their_symbols() {
    for (arch, image) in images() {
        let info = validate(&image, arch).unwrap_or_else(|err| panic!("{arch}: {err}"));
        let parsed = Image::new(&image);
        assert_eq!(info.load_size as u64, parsed.phdr(PT_LOAD).p_filesz.get(LE));
        for export in arch.exports() {
            let offset = parsed.dynsym(export.name).value as usize;
            assert_eq!(info.offset(export.name), Some(offset));
        }
        // Padding to a page changes nothing.
        let mut padded = image.clone();
        padded.resize(image.len().next_multiple_of(PAGE_SIZE_4K), 0);
        assert!(validate(&padded, arch).is_ok());
    }
}

#[test]
fn header_defects() {
    check(|img, _| img[0] = b'X', |_| ImageError::NotElf);
    check(|img, _| img[4] = 1, |_| ImageError::NotElf64 { class: 1 });
    check(
        |img, _| img[5] = 2,
        |_| ImageError::NotLittleEndian { data: 2 },
    );
    check(
        |img, _| put_u16(img, 0x10, 2),
        |_| ImageError::NotSharedObject { e_type: 2 },
    );
    check(
        |img, _| put_u16(img, 0x36, 32),
        |_| ImageError::BadEntrySize {
            field: "e_phentsize",
            found: 32,
        },
    );
    // The right image for the wrong arch.
    for (arch, image) in images() {
        for other in Arch::all().filter(|&other| other != arch) {
            assert_eq!(
                validate(&image, other).map(|_| ()),
                Err(ImageError::WrongMachine {
                    arch: other,
                    found: arch.e_machine()
                })
            );
        }
    }
}

#[test]
fn size_defects() {
    check(
        |img, _| img.resize(IMAGE_SIZE_LIMIT + 1, 0),
        |_| ImageError::TooLarge {
            size: IMAGE_SIZE_LIMIT + 1,
        },
    );
    check(
        |img, _| img.truncate(40),
        |_| ImageError::Truncated {
            what: "ELF header",
            offset: 0,
            size: 64,
            available: 40,
        },
    );
    // Cut inside the PT_LOAD.
    for (arch, image) in images() {
        let filesz = Image::new(&image).phdr(PT_LOAD).p_filesz.get(LE);
        let cut = &image[..filesz as usize - 1];
        assert_eq!(
            validate(cut, arch).map(|_| ()),
            Err(ImageError::Truncated {
                what: "PT_LOAD contents",
                offset: 0,
                size: filesz,
                available: filesz - 1
            })
        );
    }
}

#[test]
fn segment_defects() {
    // A second PT_LOAD (the PT_NOTE turned into one).
    check(
        |img, _| {
            let at = phdr_at(img, PT_NOTE);
            put_u32(img, at, PT_LOAD.0)
        },
        |_| ImageError::LoadSegmentCount { count: 2 },
    );
    // No PT_LOAD at all.
    check(
        |img, _| {
            let at = phdr_at(img, PT_LOAD);
            put_u32(img, at, 0)
        },
        |_| ImageError::LoadSegmentCount { count: 0 },
    );
    check(
        |img, _| {
            let at = phdr_at(img, PT_LOAD) + 16;
            put_u64(img, at, 0x1000)
        },
        |_| ImageError::LoadSegmentPlacement {
            vaddr: 0x1000,
            offset: 0,
        },
    );
    check(
        |img, _| {
            let at = phdr_at(img, PT_LOAD) + 4;
            put_u32(img, at, 7)
        },
        |_| ImageError::LoadSegmentFlags { flags: 7 },
    );
    check(
        |img, _| {
            let at = phdr_at(img, PT_LOAD) + 4;
            put_u32(img, at, 4)
        },
        |_| ImageError::LoadSegmentFlags { flags: 4 },
    );
    for (arch, image) in images() {
        let mut broken = image.clone();
        let filesz = Image::new(&image).phdr(PT_LOAD).p_filesz.get(LE);
        put_u64(&mut broken, phdr_at(&image, PT_LOAD) + 40, filesz + 0x100);
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(ImageError::LoadSegmentSize {
                filesz,
                memsz: filesz + 0x100
            })
        );
    }
    check(
        |img, _| {
            let at = phdr_at(img, PT_NOTE);
            put_u32(img, at, PT_TLS.0)
        },
        |_| ImageError::HasTls,
    );
    check(
        |img, _| {
            let at = phdr_at(img, PT_DYNAMIC);
            put_u32(img, at, PT_NOTE.0)
        },
        |_| ImageError::NoDynamicSegment,
    );
    // The note and the unwinders' index are part of every vDSO's shape.
    check(
        |img, _| {
            let at = phdr_at(img, PT_NOTE);
            put_u32(img, at, 0)
        },
        |_| ImageError::MissingSegment { p_type: "PT_NOTE" },
    );
    check(
        |img, _| {
            let at = phdr_at(img, PT_GNU_EH_FRAME);
            put_u32(img, at, 0)
        },
        |_| ImageError::MissingSegment {
            p_type: "PT_GNU_EH_FRAME",
        },
    );
}

#[test]
fn relocation_defects() {
    // Reuse the DT_SYMENT entry (optional) for a relocation table size.
    for (tag, name, size, count) in [
        (DT_RELASZ, "DT_RELASZ", 72, 3),
        (DT_RELSZ, "DT_RELSZ", 32, 2),
        (DT_PLTRELSZ, "DT_PLTRELSZ", 24, 1),
        (DT_RELRSZ, "DT_RELRSZ", 16, 2),
    ] {
        check(
            |img, _| retag(img, DT_SYMENT, tag, size),
            |_| ImageError::Relocations {
                count,
                tag: name,
                size,
            },
        );
    }
    // A zero-size table is no relocation.
    for (arch, image) in images() {
        let mut ok = image.clone();
        retag(&mut ok, DT_SYMENT, DT_RELASZ, 0);
        assert!(validate(&ok, arch).is_ok());
    }
    check(
        |img, _| retag(img, DT_SYMENT, DT_TEXTREL, 0),
        |_| ImageError::TextRelocations,
    );
    // DT_FLAGS: DF_TEXTREL (0x4) is text relocations too; DF_BIND_NOW (0x8) is not.
    for (arch, image) in images() {
        let mut ok = image.clone();
        retag(&mut ok, DT_SYMENT, DT_FLAGS, 0x8);
        assert!(validate(&ok, arch).is_ok());
    }
    check(
        |img, _| retag(img, DT_SYMENT, DT_FLAGS, 0x4),
        |_| ImageError::TextRelocations,
    );
    // A relocation section (the .symtab's or .shstrtab's header retyped).
    for (arch, image) in images() {
        let mut broken = image.clone();
        let parsed = Image::new(&image);
        let last = parsed.sections().iter().last().unwrap();
        put_u32(&mut broken, parsed.at(last) + 4, SHT_RELA.0);
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(ImageError::RelocationSection {
                index: parsed.sections().len() - 1,
                sh_type: SHT_RELA.0
            })
        );
    }
}

#[test]
fn dynamic_table_defects() {
    for (arch, image) in images() {
        for (tag, name) in table_tags(arch)
            .into_iter()
            .chain([(DT_SONAME, "DT_SONAME")])
        {
            let mut broken = image.clone();
            retag(&mut broken, tag, DT_DEBUG, 0);
            assert_eq!(
                validate(&broken, arch).map(|_| ()),
                Err(ImageError::MissingDynamicEntry { tag: name }),
                "{arch}"
            );
        }
    }
    // A DT_GNU_HASH where the arch has DT_HASH only (Go would use it).
    for (arch, image) in images() {
        if arch.hash_style().has_gnu_hash() {
            continue;
        }
        let mut broken = image.clone();
        let hash = Image::new(&image).dyn_entry(DT_HASH).unwrap().d_val.get(LE);
        retag(&mut broken, DT_SYMENT, DT_GNU_HASH, hash);
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(ImageError::UnwantedDynamicEntry {
                tag: "DT_GNU_HASH",
                arch
            })
        );
    }
    // A soname other than linux-vdso.so.1 (also the base version's name).
    check(
        |img, _| {
            let at = Image::new(img).dynstr_at(VDSO_SONAME);
            img[at + 5] = b'X';
        },
        |_| ImageError::WrongSoname {
            found: "linuxXvdso.so.1".to_owned(),
        },
    );
}

#[test]
fn version_defects() {
    // The node renamed: LINUX_2.6 -> LINUX_2.7, LINUX_4.15 -> LINUX_4.16
    // (every copy of the name: aarch64's own symbol has another one).
    check(
        |img, arch| {
            let node = arch.version_node();
            let (start, size) = Image::new(img).section(".dynstr").unwrap();
            let needle = [b"\0", node.as_bytes(), b"\0"].concat();
            for at in start as usize..=(start + size) as usize - needle.len() {
                if img[at..].starts_with(&needle) {
                    img[at + node.len()] += 1;
                }
            }
        },
        |arch| ImageError::MissingVersionNode {
            node: arch.version_node(),
        },
    );
    check(
        |img, arch| {
            let verdefs = Image::new(img).verdefs();
            let verdef = verdefs.iter().find(|v| v.name == arch.version_node());
            let (at, hash) = verdef.map(|v| (v.at, v.hash)).unwrap();
            put_u32(img, at + 8, hash ^ 1);
        },
        |arch| ImageError::VersionHashMismatch {
            node: arch.version_node(),
            found: object::elf::hash(arch.version_node().as_bytes()) ^ 1,
        },
    );
    // One symbol moved to the base version (index 1) or made local (0).
    check(
        |img, arch| {
            let at = sym_at(img, entry(arch, "clock_gettime")).2;
            put_u16(img, at, 1)
        },
        |arch| ImageError::SymbolWrongVersion {
            name: entry(arch, "clock_gettime"),
            expected: arch.version_node(),
            found: VDSO_SONAME.to_owned(),
        },
    );
    let message = {
        let mut image = vdso_elf().to_vec();
        let at = sym_at(&image, entry(target_arch(), "clock_gettime")).2;
        put_u16(&mut image, at, 0);
        validate(&image, target_arch()).unwrap_err().to_string()
    };
    assert_eq!(
        message,
        format!(
            "symbol {} has version *local*, expected {}",
            entry(target_arch(), "clock_gettime"),
            target_arch().version_node()
        )
    );
}

#[test]
fn symbol_defects() {
    // A name changed: __vdso_clock_getres -> __vdso_clock_getreX.
    check(
        |img, arch| {
            let name = entry(arch, "clock_getres");
            let at = sym_at(img, name).1;
            img[at + name.len() - 1] = b'X';
        },
        |arch| ImageError::MissingSymbol {
            name: entry(arch, "clock_getres"),
            version: arch.version_node(),
        },
    );
    check(
        |img, arch| {
            let at = sym_at(img, entry(arch, "gettimeofday")).0 + 6;
            put_u16(img, at, 0)
        },
        |arch| ImageError::UndefinedSymbol {
            name: entry(arch, "gettimeofday"),
        },
    );
    check(
        |img, arch| {
            let (at, _, _, info) = sym_at(img, entry(arch, "gettimeofday"));
            img[at + 4] = SymbolInfo::new(info.st_bind(), STT_OBJECT).0;
        },
        |arch| ImageError::SymbolNotFunction {
            name: entry(arch, "gettimeofday"),
            st_type: 1,
        },
    );
    check(
        |img, arch| {
            let (at, _, _, info) = sym_at(img, entry(arch, "gettimeofday"));
            img[at + 4] = SymbolInfo::new(STB_LOCAL, info.st_type()).0;
        },
        |arch| ImageError::SymbolNotGlobal {
            name: entry(arch, "gettimeofday"),
            binding: 0,
        },
    );
    check_with(
        |img, arch| {
            let at = sym_at(img, entry(arch, "gettimeofday")).0 + 8;
            put_u64(img, at, 0x10_0000)
        },
        |arch, image| ImageError::SymbolOutsideImage {
            name: entry(arch, "gettimeofday"),
            value: 0x10_0000,
            size: Image::new(image).dynsym(entry(arch, "gettimeofday")).size,
        },
    );
}

#[test]
fn hash_table_defects() {
    // Every DT_HASH bucket emptied: musl finds nothing.
    check(
        |img, _| {
            let hash = Image::new(img).section(".hash").unwrap().0 as usize;
            for bucket in 0..u32_at(img, hash) as usize {
                put_u32(img, hash + 8 + 4 * bucket, 0);
            }
        },
        |arch| ImageError::HashLookupFailed {
            table: "DT_HASH",
            name: arch.exports()[0].name,
        },
    );
    // The GNU bloom filter cleared: glibc finds nothing.
    for (arch, image) in images() {
        if !arch.hash_style().has_gnu_hash() {
            continue;
        }
        let mut broken = image.clone();
        let gnu = Image::new(&image).section(".gnu.hash").unwrap().0 as usize;
        for word in 0..u32_at(&image, gnu + 8) as usize {
            put_u64(&mut broken, gnu + 16 + 8 * word, 0);
        }
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(ImageError::HashLookupFailed {
                table: "DT_GNU_HASH",
                name: arch.exports()[0].name,
            })
        );
    }
    // DT_HASH rebuilt with one bucket less: every name's own lookup still
    // works, but Go 1.19's arm64 lookup with the hash of another name lands
    // in another bucket.
    for (arch, image) in images() {
        for lookup in arch.mishashed_lookups() {
            let mut broken = image.clone();
            let nbucket = u32_at(
                &image,
                Image::new(&image).section(".hash").unwrap().0 as usize,
            );
            rehash_sysv(&mut broken, nbucket - 1);
            assert_eq!(
                validate(&broken, arch).map(|_| ()),
                Err(ImageError::MishashedLookupFailed {
                    consumer: lookup.consumer,
                    name: lookup.name,
                    hashed_as: lookup.hashed_as,
                })
            );
            // The same rebuild with the original count is the original table.
            let mut same = image.clone();
            rehash_sysv(&mut same, nbucket);
            assert_eq!(same, image, "{arch}: rehash_sysv");
        }
    }
}

/// Rewrites `DT_HASH` in place with `nbucket` buckets, as lld fills them
/// (each symbol pushed on the front of its bucket's chain, in symbol order).
fn rehash_sysv(img: &mut [u8], nbucket: u32) {
    let names: Vec<String> = std::iter::once(String::new())
        .chain(Image::new(img).dynsyms().iter().map(|s| s.name.to_owned()))
        .collect();
    let hash = Image::new(img).section(".hash").unwrap().0 as usize;
    let nchain = names.len() as u32;
    assert_eq!(u32_at(img, hash + 4), nchain);
    let mut buckets = vec![0u32; nbucket as usize];
    let mut chains = vec![0u32; nchain as usize];
    for (index, name) in names.iter().enumerate().skip(1) {
        let bucket = (object::elf::hash(name.as_bytes()) % nbucket) as usize;
        chains[index] = buckets[bucket];
        buckets[bucket] = index as u32;
    }
    put_u32(img, hash, nbucket);
    for (i, word) in buckets.iter().chain(&chains).enumerate() {
        put_u32(img, hash + 8 + 4 * i, *word);
    }
}

#[test]
fn arch_specific_defects() {
    // One byte of the signal trampoline changed: unwinders no longer match it.
    for (arch, image) in images() {
        let (Some(name), Some(code)) = (arch.sigreturn_symbol(), arch.sigreturn_code()) else {
            continue;
        };
        let mut broken = image.clone();
        let at = Image::new(&image).dynsym(name).value as usize;
        broken[at] ^= 0x01;
        let mut found = code.to_vec();
        found[0] ^= 0x01;
        assert_eq!(
            validate(&broken, arch).map(|_| ()),
            Err(ImageError::WrongSigreturnCode {
                name,
                found,
                expected: code
            }),
            "{arch}"
        );
    }
    // The version node's own symbol made local, or moved into a section.
    for (arch, image) in images() {
        if !arch.has_version_node_symbol() {
            continue;
        }
        let node = arch.version_node();
        let (at, _, _, info) = sym_at(&image, node);
        let mut local = image.clone();
        local[at + 4] = SymbolInfo::new(STB_LOCAL, info.st_type()).0;
        let mut in_section = image.clone();
        put_u16(&mut in_section, at + 6, 1);
        for broken in [local, in_section] {
            assert_eq!(
                validate(&broken, arch).map(|_| ()),
                Err(ImageError::MissingVersionNodeSymbol { node })
            );
        }
    }
}

#[test]
fn messages_name_the_defect() {
    let image = vdso_elf();
    let node = target_arch().version_node();
    let mut broken = image.to_vec();
    retag(&mut broken, DT_SYMENT, DT_RELASZ, 72);
    assert_eq!(
        validate(&broken, target_arch()).unwrap_err().to_string(),
        "has 3 relocations (DT_RELASZ=72)"
    );

    let mut broken = image.to_vec();
    let name = entry(target_arch(), "clock_getres");
    let at = sym_at(&broken, name).1;
    broken[at + 2] = b'X';
    assert_eq!(
        validate(&broken, target_arch()).unwrap_err().to_string(),
        format!("missing symbol {name}@{node}")
    );

    let mut broken = image.to_vec();
    put_u32(&mut broken, phdr_at(image, PT_NOTE), PT_LOAD.0);
    assert_eq!(
        validate(&broken, target_arch()).unwrap_err().to_string(),
        "has 2 PT_LOAD segments, expected exactly 1"
    );

    let mut broken = image.to_vec();
    put_u16(&mut broken, 0x10, 2);
    assert_eq!(
        validate(&broken, target_arch()).unwrap_err().to_string(),
        "e_type is 2, expected ET_DYN (3)"
    );

    let mut broken = image.to_vec();
    let at = Image::new(&broken).dynstr_at(node);
    broken[at + node.len() - 1] += 1;
    assert_eq!(
        validate(&broken, target_arch()).unwrap_err().to_string(),
        format!("verdef does not define version node {node}")
    );

    // The arch-specific checks, on the aarch64 image.
    let arch = Arch::Aarch64;
    let a64 = built_image(arch);
    let mut broken = a64.to_vec();
    let at = Image::new(a64).dynsym("__kernel_rt_sigreturn").value as usize;
    broken[at + 7] = 0xd5;
    assert_eq!(
        validate(&broken, arch).unwrap_err().to_string(),
        "symbol __kernel_rt_sigreturn is 68 11 80 d2 01 00 00 d5, expected exactly \
         68 11 80 d2 01 00 00 d4 (what unwinders match)"
    );
    let mut broken = a64.to_vec();
    let hash = Image::new(a64).dyn_entry(DT_HASH).unwrap().d_val.get(LE);
    retag(&mut broken, DT_SYMENT, DT_GNU_HASH, hash);
    assert_eq!(
        validate(&broken, arch).unwrap_err().to_string(),
        "has a DT_GNU_HASH dynamic entry, which aarch64 images must not have (hash style sysv)"
    );
    let mut broken = a64.to_vec();
    rehash_sysv(&mut broken, 5);
    assert_eq!(
        validate(&broken, arch).unwrap_err().to_string(),
        "DT_HASH lookup of __kernel_clock_gettime with the hash of __vdso_clock_gettime, as \
         Go 1.19's arm64 runtime (Debian bookworm) makes it, does not find it"
    );

    // ... and on the loongarch64 image: its sigreturn bytes, its sysv-only
    // hash style.
    let arch = Arch::Loongarch64;
    let la64 = built_image(arch);
    let mut broken = la64.to_vec();
    let at = Image::new(la64).dynsym("__vdso_rt_sigreturn").value as usize;
    // addi.w a7, zero, 139: the same effect, not the bytes unwinders match.
    broken[at + 3] = 0x02;
    assert_eq!(
        validate(&broken, arch).unwrap_err().to_string(),
        "symbol __vdso_rt_sigreturn is 0b 2c 82 02 00 00 2b 00, expected exactly \
         0b 2c 82 03 00 00 2b 00 (what unwinders match)"
    );
    let mut broken = la64.to_vec();
    let hash = Image::new(la64).dyn_entry(DT_HASH).unwrap().d_val.get(LE);
    retag(&mut broken, DT_SYMENT, DT_GNU_HASH, hash);
    assert_eq!(
        validate(&broken, arch).unwrap_err().to_string(),
        "has a DT_GNU_HASH dynamic entry, which loongarch64 images must not have (hash style \
         sysv)"
    );
}

#[test]
fn offsets_past_the_address_space_are_errors_not_panics() {
    // Each table pointer (and e_shoff) set to the largest values: the
    // validator must report a defect, never overflow.
    for value in [u64::MAX, u64::MAX - 3, u64::MAX - 0x17] {
        for (arch, image) in images() {
            for (tag, _) in table_tags(arch) {
                let mut broken = image.clone();
                put_u64(&mut broken, dyn_at(&image, tag) + 8, value);
                assert!(
                    validate(&broken, arch).is_err(),
                    "{arch}: {tag:?} = {value:#x}"
                );
            }
        }
        for (arch, image) in images() {
            // e_shoff: the section headers are optional, so validate may
            // accept the image, but it must not panic.
            let mut broken = image.clone();
            put_u64(&mut broken, 0x28, value);
            assert!(
                validate(&broken, arch).is_err(),
                "{arch}: e_shoff = {value:#x}"
            );
            put_u16(&mut broken, 0x3c, 0); // e_shnum = 0: checks skipped
            assert!(
                validate(&broken, arch).is_ok(),
                "{arch}: e_shoff = {value:#x}"
            );
        }
    }
}
