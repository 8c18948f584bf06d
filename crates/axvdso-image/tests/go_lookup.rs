//! Go 1.19's arm64 runtime (Debian bookworm's golang-1.19) finds
//! `__kernel_clock_gettime` in the aarch64 image.
//!
//! Its `vdsoSymbolKeys` for arm64 carry the name `__kernel_clock_gettime`
//! with the hashes of `__vdso_clock_gettime` (ELF hash 0x0d35ec75, GNU hash
//! 0x6e43a318). With a `DT_GNU_HASH` table it uses that one and never finds
//! the symbol; with `DT_HASH` only it walks the chain of bucket
//! `0x0d35ec75 % nbucket` and compares names, so it finds it only if
//! `__kernel_clock_gettime` (ELF hash 0x0b0cd725) is in that chain. This test
//! does that lookup on the built image, from the bytes, with nothing of
//! `object` or of the image checks.

mod support;

use axvdso_abi::Arch;
use support::built::built_image;

/// Go 1.19's arm64 key: the name and the hash it looks it up with.
const NAME: &str = "__kernel_clock_gettime";
const SYM_HASH: u32 = 0x0d35_ec75;
/// Go 1.19's arm64 version key.
const VERSION: &str = "LINUX_2.6.39";
const VERSION_HASH: u32 = 0x075f_cb89;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const DT_NULL: u64 = 0;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_GNU_HASH: u64 = 0x6fff_fef5;
const DT_VERSYM: u64 = 0x6fff_fff0;
const DT_VERDEF: u64 = 0x6fff_fffc;
const VER_FLG_BASE: u16 = 1;
const STT_NOTYPE: u8 = 0;
const STT_FUNC: u8 = 2;
const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u16(&self, at: u64) -> u16 {
        u16::from_le_bytes(self.0[at as usize..][..2].try_into().unwrap())
    }
    fn u32(&self, at: u64) -> u32 {
        u32::from_le_bytes(self.0[at as usize..][..4].try_into().unwrap())
    }
    fn u64(&self, at: u64) -> u64 {
        u64::from_le_bytes(self.0[at as usize..][..8].try_into().unwrap())
    }
    fn c_str(&self, at: u64) -> &str {
        let bytes = &self.0[at as usize..];
        let end = bytes.iter().position(|&b| b == 0).unwrap();
        std::str::from_utf8(&bytes[..end]).unwrap()
    }
}

/// Go's lookup: the symbol's address relative to the image, if found.
fn go_lookup(image: &[u8]) -> Option<u64> {
    let elf = Bytes(image);
    let (phoff, phnum) = (elf.u64(0x20), elf.u16(0x38));
    // The load offset of the first PT_LOAD, and PT_DYNAMIC.
    let mut load_offset = None;
    let mut dynamic = None;
    for i in 0..u64::from(phnum) {
        let phdr = phoff + 56 * i;
        match elf.u32(phdr) {
            PT_LOAD if load_offset.is_none() => {
                load_offset = Some(elf.u64(phdr + 8).wrapping_sub(elf.u64(phdr + 16)));
            }
            PT_DYNAMIC => dynamic = Some(elf.u64(phdr + 8)),
            _ => {}
        }
    }
    let (base, mut entry) = (load_offset?, dynamic?);
    let (mut strtab, mut symtab, mut hash, mut gnu_hash, mut versym, mut verdef) =
        (None, None, None, None, None, None);
    while elf.u64(entry) != DT_NULL {
        let value = Some(base.wrapping_add(elf.u64(entry + 8)));
        match elf.u64(entry) {
            DT_STRTAB => strtab = value,
            DT_SYMTAB => symtab = value,
            DT_HASH => hash = value,
            DT_GNU_HASH => gnu_hash = value,
            DT_VERSYM => versym = value,
            DT_VERDEF => verdef = value,
            _ => {}
        }
        entry += 16;
    }
    let (strtab, symtab) = (strtab?, symtab?);
    // Go prefers DT_GNU_HASH, where its arm64 key's GNU hash is wrong.
    assert!(
        gnu_hash.is_none(),
        "DT_GNU_HASH present: Go 1.19 never finds {NAME}"
    );
    let hash = hash?;
    // The version index: the non-base verdef with the key's hash and name.
    let mut version = -1i32;
    let mut def = verdef?;
    loop {
        let (flags, ndx) = (elf.u16(def + 2), elf.u16(def + 4));
        let (vd_hash, vd_aux, vd_next) = (elf.u32(def + 8), elf.u32(def + 12), elf.u32(def + 16));
        let name = elf.c_str(strtab + u64::from(elf.u32(def + u64::from(vd_aux))));
        if flags & VER_FLG_BASE == 0 && vd_hash == VERSION_HASH && name == VERSION {
            version = i32::from(ndx & 0x7fff);
            break;
        }
        if vd_next == 0 {
            break;
        }
        def += u64::from(vd_next);
    }
    // DT_HASH: walk the chain of the key's bucket.
    let nbucket = elf.u32(hash);
    let bucket = |i: u32| elf.u32(hash + 8 + 4 * u64::from(i));
    let chain = |i: u32| elf.u32(hash + 8 + 4 * u64::from(nbucket) + 4 * u64::from(i));
    let mut index = bucket(SYM_HASH % nbucket);
    while index != 0 {
        let sym = symtab + 24 * u64::from(index);
        let (info, shndx) = (elf.0[sym as usize + 4], elf.u16(sym + 6));
        let (typ, bind) = (info & 0xf, info >> 4);
        let usable = matches!(typ, STT_FUNC | STT_NOTYPE)
            && matches!(bind, STB_GLOBAL | STB_WEAK)
            && shndx != 0;
        let named = elf.c_str(strtab + u64::from(elf.u32(sym))) == NAME;
        let versioned = versym.is_none_or(|versym| {
            version == 0 || i32::from(elf.u16(versym + 2 * u64::from(index)) & 0x7fff) == version
        });
        if usable && named && versioned {
            return Some(elf.u64(sym + 8));
        }
        index = chain(index);
    }
    None
}

#[test]
fn go_1_19_finds_kernel_clock_gettime() {
    let image = built_image(Arch::Aarch64);
    let found = go_lookup(image).expect("Go 1.19's lookup does not find __kernel_clock_gettime");
    // At the symbol's address.
    let symbol = support::image::Image::new(image).dynsym(NAME);
    assert_eq!(found, symbol.value);
    // The keys are what the table says Go uses.
    let lookup = Arch::Aarch64.mishashed_lookups()[0];
    assert_eq!(
        (lookup.name, lookup.hashed_as),
        (NAME, "__vdso_clock_gettime")
    );
    assert_eq!(object::elf::hash(lookup.hashed_as.as_bytes()), SYM_HASH);
    assert_eq!(object::elf::hash(VERSION.as_bytes()), VERSION_HASH);
}

#[test]
fn go_1_19_does_not_find_it_with_five_buckets() {
    // The lookup above is not vacuous: lld's table without the version-node
    // symbol (5 dynamic symbols, 5 buckets) puts the two hashes apart.
    assert_ne!(SYM_HASH % 5, object::elf::hash(NAME.as_bytes()) % 5);
    assert_eq!(SYM_HASH % 6, object::elf::hash(NAME.as_bytes()) % 6);
}
