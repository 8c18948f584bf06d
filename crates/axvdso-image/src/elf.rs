//! The vDSO image checks: what every consumer of `AT_SYSINFO_EHDR` relies on.
//!
//! This file is shared: the library compiles it as a module, and `build.rs`
//! includes it with `#[path]` to check an image before embedding it. So it is
//! `no_std`, depends only on `axvdso-abi` and refers to nothing else outside
//! itself.
//!
//! [`validate`] lists the checks.

use core::fmt;

use axvdso_abi::{Arch, PAGE_SIZE_4K, VDSO_SONAME};

/// The largest image accepted, in bytes: 4 pages.
///
/// Linux 6.1's own images take one page (riscv64, 4.6 KB file) or two
/// (x86_64); ours takes one. The loader reserves a fixed window for the image,
/// and a much larger file means something else was passed by mistake.
pub const IMAGE_SIZE_LIMIT: usize = 4 * PAGE_SIZE_4K;

const ET_DYN: u16 = 3;

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_NOTE: u32 = 4;
const PT_TLS: u32 = 7;
const PT_GNU_EH_FRAME: u32 = 0x6474_e550;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

const SHT_RELA: u32 = 4;
const SHT_REL: u32 = 9;
const SHT_RELR: u32 = 19;

const DT_NULL: u64 = 0;
const DT_PLTRELSZ: u64 = 2;
const DT_HASH: u64 = 4;
const DT_STRTAB: u64 = 5;
const DT_SYMTAB: u64 = 6;
const DT_RELASZ: u64 = 8;
const DT_STRSZ: u64 = 10;
const DT_SYMENT: u64 = 11;
const DT_SONAME: u64 = 14;
const DT_RELSZ: u64 = 18;
const DT_TEXTREL: u64 = 22;
const DT_FLAGS: u64 = 30;
/// `DT_FLAGS` bit: the object has text relocations.
const DF_TEXTREL: u64 = 0x4;
const DT_RELRSZ: u64 = 35;
const DT_GNU_HASH: u64 = 0x6fff_fef5;
const DT_VERSYM: u64 = 0x6fff_fff0;
const DT_VERDEF: u64 = 0x6fff_fffc;
const DT_VERDEFNUM: u64 = 0x6fff_fffd;

const STB_GLOBAL: u8 = 1;
const STB_WEAK: u8 = 2;
const STT_FUNC: u8 = 2;
const SHN_UNDEF: u16 = 0;
const VER_FLG_BASE: u16 = 1;
/// `versym` bit marking a hidden (non-default) version.
const VERSYM_HIDDEN: u16 = 0x8000;

const EHDR_SIZE: usize = 64;
const PHDR_SIZE: usize = 56;
const SHDR_SIZE: usize = 64;
const DYN_SIZE: usize = 16;
const SYM_SIZE: usize = 24;
const RELA_SIZE: u64 = 24;
const REL_SIZE: u64 = 16;
const RELR_SIZE: u64 = 8;

/// A short copy of a string found in the image, for error messages
/// (at most 40 bytes; longer ones are cut and end in `...`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FoundName {
    bytes: [u8; Self::CAPACITY],
    len: u8,
    cut: bool,
}

impl FoundName {
    const CAPACITY: usize = 40;

    /// A copy of (the first 40 bytes of) `name`.
    pub fn new(name: &[u8]) -> Self {
        let len = name.len().min(Self::CAPACITY);
        let mut bytes = [0; Self::CAPACITY];
        bytes[..len].copy_from_slice(&name[..len]);
        Self {
            bytes,
            len: len as u8,
            cut: name.len() > len,
        }
    }
}

impl fmt::Display for FoundName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes[..usize::from(self.len)].utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{fffd}")?;
            }
        }
        if self.cut {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FoundName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Why an image is not a usable vDSO. Each variant names one defect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageError {
    /// A structure (`what`) at `offset`, `size` bytes long, extends past the
    /// end of the image (or of its load segment, for what is loaded).
    Truncated {
        /// The structure.
        what: &'static str,
        /// Its file offset.
        offset: u64,
        /// Its size.
        size: u64,
        /// The bytes available.
        available: u64,
    },
    /// No ELF magic.
    NotElf,
    /// `EI_CLASS` is not `ELFCLASS64`.
    NotElf64 {
        /// The `EI_CLASS` found.
        class: u8,
    },
    /// `EI_DATA` is not `ELFDATA2LSB`.
    NotLittleEndian {
        /// The `EI_DATA` found.
        data: u8,
    },
    /// `e_machine` is not the arch's.
    WrongMachine {
        /// The arch asked for.
        arch: Arch,
        /// The `e_machine` found.
        found: u16,
    },
    /// `e_type` is not `ET_DYN`.
    NotSharedObject {
        /// The `e_type` found.
        e_type: u16,
    },
    /// The image is larger than [`IMAGE_SIZE_LIMIT`].
    TooLarge {
        /// The image size, in bytes.
        size: usize,
    },
    /// `e_phentsize` or `e_shentsize` is not the ELF64 size.
    BadEntrySize {
        /// The header field.
        field: &'static str,
        /// The value found.
        found: u16,
    },
    /// The number of `PT_LOAD` segments is not 1.
    LoadSegmentCount {
        /// How many there are.
        count: usize,
    },
    /// The `PT_LOAD` does not start at address 0 and file offset 0.
    LoadSegmentPlacement {
        /// Its `p_vaddr`.
        vaddr: u64,
        /// Its `p_offset`.
        offset: u64,
    },
    /// The `PT_LOAD` is writable, or not readable and executable.
    LoadSegmentFlags {
        /// Its `p_flags`.
        flags: u32,
    },
    /// The `PT_LOAD` has a zero-filled tail (`p_memsz` != `p_filesz`).
    LoadSegmentSize {
        /// Its `p_filesz`.
        filesz: u64,
        /// Its `p_memsz`.
        memsz: u64,
    },
    /// There is a `PT_TLS` segment.
    HasTls,
    /// There is no `PT_DYNAMIC` segment.
    NoDynamicSegment,
    /// A segment every vDSO has (`PT_NOTE`: the kernel-version note;
    /// `PT_GNU_EH_FRAME`: the unwinders' index) is missing.
    MissingSegment {
        /// The segment type's name.
        p_type: &'static str,
    },
    /// A relocation table of nonzero size.
    Relocations {
        /// The number of entries.
        count: u64,
        /// The size tag: `DT_RELASZ`, `DT_RELSZ`, `DT_PLTRELSZ` or `DT_RELRSZ`.
        tag: &'static str,
        /// Its value, in bytes.
        size: u64,
    },
    /// `DT_TEXTREL` is present, or `DT_FLAGS` has `DF_TEXTREL`.
    TextRelocations,
    /// A relocation section.
    RelocationSection {
        /// Its section index.
        index: usize,
        /// Its `sh_type`.
        sh_type: u32,
    },
    /// A required dynamic entry is missing.
    MissingDynamicEntry {
        /// The tag.
        tag: &'static str,
    },
    /// `DT_SONAME` is not [`VDSO_SONAME`].
    WrongSoname {
        /// The soname found.
        found: FoundName,
    },
    /// The verdef does not define the arch's version node.
    MissingVersionNode {
        /// The node.
        node: &'static str,
    },
    /// The version node's `vd_hash` is not the ELF hash of its name, so glibc's
    /// lookup would not match it.
    VersionHashMismatch {
        /// The node.
        node: &'static str,
        /// The `vd_hash` found.
        found: u32,
    },
    /// A required symbol is not in the dynamic symbol table.
    MissingSymbol {
        /// The symbol.
        name: &'static str,
        /// The version it must have.
        version: &'static str,
    },
    /// A required symbol is undefined (`SHN_UNDEF`).
    UndefinedSymbol {
        /// The symbol.
        name: &'static str,
    },
    /// A required symbol is not `STT_FUNC`.
    SymbolNotFunction {
        /// The symbol.
        name: &'static str,
        /// Its `STT_*` type.
        st_type: u8,
    },
    /// A required symbol is neither global nor weak.
    SymbolNotGlobal {
        /// The symbol.
        name: &'static str,
        /// Its `STB_*` binding.
        binding: u8,
    },
    /// A required symbol has another version than the arch's node.
    SymbolWrongVersion {
        /// The symbol.
        name: &'static str,
        /// The version it must have.
        expected: &'static str,
        /// The version it has (`*local*` or `*global*` for the reserved
        /// indices 0 and 1, `#N` for an index with no verdef).
        found: FoundName,
    },
    /// A required symbol lies (partly) outside the load segment.
    SymbolOutsideImage {
        /// The symbol.
        name: &'static str,
        /// Its `st_value`.
        value: u64,
        /// Its `st_size`.
        size: u64,
    },
    /// A hash table does not lead to a required symbol, so a loader using
    /// that table would not find it.
    HashLookupFailed {
        /// `DT_HASH` or `DT_GNU_HASH`.
        table: &'static str,
        /// The symbol.
        name: &'static str,
    },
    /// Some other inconsistency, described.
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Truncated {
                what,
                offset,
                size,
                available,
            } => write!(
                f,
                "truncated: {what} at offset {offset:#x} ({size} bytes) extends past the \
                 {available} bytes available"
            ),
            Self::NotElf => f.write_str("not an ELF file (bad magic)"),
            Self::NotElf64 { class } => write!(f, "not ELF64 (EI_CLASS={class}, expected 2)"),
            Self::NotLittleEndian { data } => {
                write!(f, "not little endian (EI_DATA={data}, expected 1)")
            }
            Self::WrongMachine { arch, found } => write!(
                f,
                "e_machine is {found}, expected {} for {arch}",
                arch.e_machine()
            ),
            Self::NotSharedObject { e_type } => {
                write!(f, "e_type is {e_type}, expected ET_DYN (3)")
            }
            Self::TooLarge { size } => write!(
                f,
                "is {size} bytes, larger than the {IMAGE_SIZE_LIMIT}-byte limit"
            ),
            Self::BadEntrySize { field, found } => {
                write!(f, "{field} is {found}, not the ELF64 entry size")
            }
            Self::LoadSegmentCount { count } => {
                write!(f, "has {count} PT_LOAD segments, expected exactly 1")
            }
            Self::LoadSegmentPlacement { vaddr, offset } => write!(
                f,
                "PT_LOAD is at vaddr {vaddr:#x}, file offset {offset:#x}; expected 0 and 0"
            ),
            Self::LoadSegmentFlags { flags } => {
                write!(f, "PT_LOAD has p_flags {flags:#x}, expected R+X without W")
            }
            Self::LoadSegmentSize { filesz, memsz } => write!(
                f,
                "PT_LOAD has p_memsz {memsz:#x} != p_filesz {filesz:#x} (zero-filled tail)"
            ),
            Self::HasTls => f.write_str("has a PT_TLS segment"),
            Self::NoDynamicSegment => f.write_str("has no PT_DYNAMIC segment"),
            Self::MissingSegment { p_type } => write!(f, "has no {p_type} segment"),
            Self::Relocations { count, tag, size } => {
                write!(f, "has {count} relocations ({tag}={size})")
            }
            Self::TextRelocations => f.write_str("has DT_TEXTREL (text relocations)"),
            Self::RelocationSection { index, sh_type } => write!(
                f,
                "has a relocation section (section {index}, sh_type {sh_type})"
            ),
            Self::MissingDynamicEntry { tag } => write!(f, "has no {tag} dynamic entry"),
            Self::WrongSoname { found } => {
                write!(f, "soname is \"{found}\", expected \"{VDSO_SONAME}\"")
            }
            Self::MissingVersionNode { node } => {
                write!(f, "verdef does not define version node {node}")
            }
            Self::VersionHashMismatch { node, found } => write!(
                f,
                "version node {node} has vd_hash {found:#x}, expected {:#x}",
                elf_hash(node.as_bytes())
            ),
            Self::MissingSymbol { name, version } => {
                write!(f, "missing symbol {name}@{version}")
            }
            Self::UndefinedSymbol { name } => write!(f, "symbol {name} is undefined"),
            Self::SymbolNotFunction { name, st_type } => {
                write!(f, "symbol {name} has type {st_type}, expected STT_FUNC (2)")
            }
            Self::SymbolNotGlobal { name, binding } => write!(
                f,
                "symbol {name} has binding {binding}, expected STB_GLOBAL (1) or STB_WEAK (2)"
            ),
            Self::SymbolWrongVersion {
                name,
                expected,
                found,
            } => {
                write!(f, "symbol {name} has version {found}, expected {expected}")
            }
            Self::SymbolOutsideImage { name, value, size } => write!(
                f,
                "symbol {name} at {value:#x} ({size} bytes) lies outside the PT_LOAD"
            ),
            Self::HashLookupFailed { table, name } => {
                write!(f, "{table} lookup does not find symbol {name}")
            }
            Self::Malformed { what } => write!(f, "malformed: {what}"),
        }
    }
}

impl core::error::Error for ImageError {}

/// The result of an image check.
pub type ImageResult<T> = Result<T, ImageError>;

/// A dynamic symbol an image exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbol<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its version, if it has one other than the base.
    pub version: Option<&'a str>,
    /// Its address, which is its offset from the start of the image, in bytes.
    pub offset: usize,
    /// Its size, in bytes.
    pub size: usize,
    /// `STB_WEAK` rather than `STB_GLOBAL`.
    pub weak: bool,
    /// `STT_FUNC`.
    pub function: bool,
}

/// What [`validate`] learnt about a valid image.
#[derive(Debug, Clone, Copy)]
pub struct ImageInfo<'a> {
    image: &'a [u8],
    arch: Arch,
    load_size: usize,
    dynsym: usize,
    nsyms: usize,
    dynstr: usize,
    strsz: usize,
    versym: usize,
    verdef: usize,
    verdefnum: usize,
}

impl<'a> ImageInfo<'a> {
    /// The arch the image was checked for.
    pub fn arch(&self) -> Arch {
        self.arch
    }

    /// The size of the image file, in bytes.
    pub fn file_size(&self) -> usize {
        self.image.len()
    }

    /// The size of the `PT_LOAD` segment, in bytes: what must be mapped.
    pub fn load_size(&self) -> usize {
        self.load_size
    }

    /// The exported dynamic symbols: defined, global or weak.
    pub fn symbols(&self) -> impl Iterator<Item = Symbol<'a>> + 'a {
        let info = *self;
        (1..self.nsyms).filter_map(move |index| info.symbol_at(index))
    }

    /// The exported dynamic symbol called `name`.
    pub fn symbol(&self, name: &str) -> Option<Symbol<'a>> {
        self.symbols().find(|sym| sym.name == name)
    }

    /// The offset and size of the `.text` section, if the image has section
    /// headers.
    pub fn text_section(&self) -> Option<(usize, usize)> {
        let reader = Reader(self.image);
        // `validate` does not require section headers: every offset below is
        // unchecked file content, so the arithmetic is checked.
        let shoff = to_usize(reader.u64(0x28, "e_shoff").ok()?);
        let shnum = usize::from(reader.u16(0x3c, "e_shnum").ok()?);
        let shstrndx = usize::from(reader.u16(0x3e, "e_shstrndx").ok()?);
        if shstrndx >= shnum {
            return None;
        }
        let shdr_at = |index: usize| shoff.checked_add(index * SHDR_SIZE);
        let shstr_offset = to_usize(
            reader
                .u64(shdr_at(shstrndx)?.checked_add(0x18)?, "sh_offset")
                .ok()?,
        );
        (0..shnum).find_map(|index| {
            let shdr = shdr_at(index)?;
            let name = reader.u32(shdr, "sh_name").ok()?;
            let name = reader
                .cstr(shstr_offset.checked_add(name as usize)?, "section name")
                .ok()?;
            (name == b".text").then_some(())?;
            let offset = reader.u64(shdr.checked_add(0x18)?, "sh_offset").ok()?;
            let size = reader.u64(shdr.checked_add(0x20)?, "sh_size").ok()?;
            Some((to_usize(offset), to_usize(size)))
        })
    }

    fn symbol_at(&self, index: usize) -> Option<Symbol<'a>> {
        let reader = Reader(self.image);
        let sym = self.dynsym + index * SYM_SIZE;
        let info = reader.u8(sym + 4, "st_info").ok()?;
        let shndx = reader.u16(sym + 6, "st_shndx").ok()?;
        let binding = info >> 4;
        if shndx == SHN_UNDEF || (binding != STB_GLOBAL && binding != STB_WEAK) {
            return None;
        }
        let name = reader.u32(sym, "st_name").ok()?;
        let name = core::str::from_utf8(self.string(name).ok()?).ok()?;
        let versym = reader.u16(self.versym + 2 * index, "versym").ok()? & !VERSYM_HIDDEN;
        let version = self
            .version_name(versym)
            .and_then(|v| core::str::from_utf8(v).ok());
        Some(Symbol {
            name,
            version,
            offset: reader.u64(sym + 8, "st_value").ok()? as usize,
            size: reader.u64(sym + 16, "st_size").ok()? as usize,
            weak: binding == STB_WEAK,
            function: info & 0xf == STT_FUNC,
        })
    }

    fn string(&self, offset: u32) -> ImageResult<&'a [u8]> {
        let offset = offset as usize;
        if offset >= self.strsz {
            return Err(ImageError::Malformed {
                what: "a string offset is past DT_STRSZ",
            });
        }
        let table = Reader(&self.image[..self.dynstr + self.strsz]);
        table.cstr(self.dynstr + offset, "dynamic string")
    }

    /// The verdef entry with index `ndx`: `(flags, hash, name)`.
    fn verdef_entry(&self, ndx: u16) -> Option<(u16, u32, &'a [u8])> {
        self.verdefs()
            .map_while(Result::ok)
            .find(|&(found, ..)| found & !VERSYM_HIDDEN == ndx)
            .map(|(_, flags, hash, name)| (flags, hash, name))
    }

    /// The name of version index `ndx` (hidden bit cleared), if it is a
    /// non-base verdef.
    fn version_name(&self, ndx: u16) -> Option<&'a [u8]> {
        match self.verdef_entry(ndx)? {
            (flags, _, _) if flags & VER_FLG_BASE != 0 => None,
            (_, _, name) => Some(name),
        }
    }

    /// Walks the verdef: `(ndx, flags, hash, name)` per entry.
    fn verdefs(&self) -> impl Iterator<Item = ImageResult<(u16, u16, u32, &'a [u8])>> + '_ {
        let reader = Reader(&self.image[..self.load_size]);
        let mut at = Some(self.verdef);
        (0..self.verdefnum).map_while(move |_| {
            let entry = at?;
            let parsed = (|| {
                let version = reader.u16(entry, "vd_version")?;
                if version != 1 {
                    return Err(ImageError::Malformed {
                        what: "verdef vd_version is not 1",
                    });
                }
                let flags = reader.u16(entry + 2, "vd_flags")?;
                let ndx = reader.u16(entry + 4, "vd_ndx")?;
                let hash = reader.u32(entry + 8, "vd_hash")?;
                let aux = reader.u32(entry + 12, "vd_aux")? as usize;
                let next = reader.u32(entry + 16, "vd_next")? as usize;
                let name = reader.u32(entry + aux, "vda_name")?;
                let name = self.string(name)?;
                Ok(((ndx, flags, hash, name), next))
            })();
            match parsed {
                Ok((item, next)) => {
                    at = (next != 0).then(|| entry + next);
                    Some(Ok(item))
                }
                Err(err) => {
                    at = None;
                    Some(Err(err))
                }
            }
        })
    }
}

/// The SysV ELF hash of `name` (`DT_HASH`, `vd_hash`).
pub fn elf_hash(name: &[u8]) -> u32 {
    let mut hash: u32 = 0;
    for &byte in name {
        hash = (hash << 4).wrapping_add(u32::from(byte));
        let high = hash & 0xf000_0000;
        hash ^= high >> 24;
        hash &= !high;
    }
    hash
}

/// The GNU hash of `name` (`DT_GNU_HASH`): djb2.
pub fn gnu_hash(name: &[u8]) -> u32 {
    name.iter().fold(5381u32, |hash, &byte| {
        hash.wrapping_mul(33).wrapping_add(u32::from(byte))
    })
}

/// Checks that `image` is a vDSO for `arch` that every consumer accepts.
///
/// The checks, in this order (the first failing one is reported):
///
/// 1. ELF64, little endian, `e_machine` of the [`Arch`], `ET_DYN`, at most
///    [`IMAGE_SIZE_LIMIT`] bytes;
/// 2. exactly one `PT_LOAD`, at address 0 and file offset 0, R+X and not W,
///    with no zero-filled tail; no `PT_TLS`; a `PT_DYNAMIC` inside the load;
///    a `PT_NOTE` and a `PT_GNU_EH_FRAME`;
/// 3. no relocations: no `DT_RELA`/`DT_REL`/`DT_JMPREL`/`DT_RELR` table of
///    nonzero size, no `DT_TEXTREL` (nor `DF_TEXTREL` in `DT_FLAGS`), no
///    `SHT_RELA`/`SHT_REL`/`SHT_RELR` section;
/// 4. `DT_HASH` (musl reads only this one), `DT_GNU_HASH`, `DT_SYMTAB`,
///    `DT_STRTAB`, `DT_VERSYM`, `DT_VERDEF` and `DT_SONAME` present; the soname
///    is `linux-vdso.so.1`;
/// 5. the verdef defines the arch's version node with the right ELF hash;
/// 6. every symbol of [`Arch::exports`] is a defined global or weak
///    `STT_FUNC` of that version, inside the load, and both hash tables find it.
///
/// # Errors
///
/// The [`ImageError`] naming the first defect found.
pub fn validate(image: &[u8], arch: Arch) -> ImageResult<ImageInfo<'_>> {
    let reader = Reader(image);
    check_header(&reader, arch)?;
    let (load_size, dynamic) = check_segments(&reader)?;
    // Everything the loader reads must lie in what the kernel maps.
    let loaded = Reader(&image[..load_size]);
    let tags = read_dynamic(&loaded, dynamic)?;
    check_relocations(&reader, &tags)?;
    let info = check_tables(image, arch, load_size, &tags)?;
    let node_ndx = check_version_node(&info, arch)?;
    for export in arch.exports() {
        check_symbol(&info, &loaded, export.name, node_ndx, &tags)?;
    }
    Ok(info)
}

fn check_header(reader: &Reader<'_>, arch: Arch) -> ImageResult<()> {
    let image = reader.0;
    reader.bytes(0, EHDR_SIZE, "ELF header")?;
    if image[..4] != *b"\x7fELF" {
        return Err(ImageError::NotElf);
    }
    if image[4] != 2 {
        return Err(ImageError::NotElf64 { class: image[4] });
    }
    if image[5] != 1 {
        return Err(ImageError::NotLittleEndian { data: image[5] });
    }
    let machine = reader.u16(0x12, "e_machine")?;
    if machine != arch.e_machine() {
        return Err(ImageError::WrongMachine {
            arch,
            found: machine,
        });
    }
    let e_type = reader.u16(0x10, "e_type")?;
    if e_type != ET_DYN {
        return Err(ImageError::NotSharedObject { e_type });
    }
    if image.len() > IMAGE_SIZE_LIMIT {
        return Err(ImageError::TooLarge { size: image.len() });
    }
    Ok(())
}

/// Returns the load size and the file range of the dynamic segment.
fn check_segments(reader: &Reader<'_>) -> ImageResult<(usize, (usize, usize))> {
    let phoff = reader.u64(0x20, "e_phoff")? as usize;
    let phentsize = reader.u16(0x36, "e_phentsize")?;
    let phnum = usize::from(reader.u16(0x38, "e_phnum")?);
    if phentsize as usize != PHDR_SIZE {
        return Err(ImageError::BadEntrySize {
            field: "e_phentsize",
            found: phentsize,
        });
    }
    reader.bytes(phoff, phnum * PHDR_SIZE, "program headers")?;
    let mut loads = 0;
    let mut load = None;
    let mut dynamic = None;
    let (mut note, mut eh_frame_hdr) = (false, false);
    for index in 0..phnum {
        let phdr = phoff + index * PHDR_SIZE;
        let p_type = reader.u32(phdr, "p_type")?;
        let flags = reader.u32(phdr + 4, "p_flags")?;
        let offset = reader.u64(phdr + 8, "p_offset")?;
        let vaddr = reader.u64(phdr + 16, "p_vaddr")?;
        let filesz = reader.u64(phdr + 32, "p_filesz")?;
        let memsz = reader.u64(phdr + 40, "p_memsz")?;
        match p_type {
            PT_LOAD => {
                loads += 1;
                load = Some((flags, offset, vaddr, filesz, memsz));
            }
            PT_DYNAMIC => dynamic = Some((offset, filesz)),
            PT_TLS => return Err(ImageError::HasTls),
            PT_NOTE => note = true,
            PT_GNU_EH_FRAME => eh_frame_hdr = true,
            _ => {}
        }
    }
    let Some((flags, offset, vaddr, filesz, memsz)) = load.filter(|_| loads == 1) else {
        return Err(ImageError::LoadSegmentCount { count: loads });
    };
    if vaddr != 0 || offset != 0 {
        return Err(ImageError::LoadSegmentPlacement { vaddr, offset });
    }
    if flags & (PF_R | PF_X) != PF_R | PF_X || flags & PF_W != 0 {
        return Err(ImageError::LoadSegmentFlags { flags });
    }
    if memsz != filesz {
        return Err(ImageError::LoadSegmentSize { filesz, memsz });
    }
    let load_size = reader.bytes(0, to_usize(filesz), "PT_LOAD contents")?.len();
    let (dyn_offset, dyn_size) = dynamic.ok_or(ImageError::NoDynamicSegment)?;
    for (present, p_type) in [(note, "PT_NOTE"), (eh_frame_hdr, "PT_GNU_EH_FRAME")] {
        if !present {
            return Err(ImageError::MissingSegment { p_type });
        }
    }
    Reader(&reader.0[..load_size]).bytes(to_usize(dyn_offset), to_usize(dyn_size), "PT_DYNAMIC")?;
    Ok((load_size, (to_usize(dyn_offset), to_usize(dyn_size))))
}

/// The dynamic entries this check looks at, by tag.
#[derive(Default)]
struct DynamicTags {
    hash: Option<u64>,
    gnu_hash: Option<u64>,
    symtab: Option<u64>,
    strtab: Option<u64>,
    strsz: Option<u64>,
    syment: Option<u64>,
    soname: Option<u64>,
    versym: Option<u64>,
    verdef: Option<u64>,
    verdefnum: Option<u64>,
    /// The values of [`RELOCATION_TAGS`], in that order (0 when absent).
    relocation_sizes: [u64; 4],
    textrel: bool,
}

/// The relocation table size tags: `(tag, name, entry size)`.
const RELOCATION_TAGS: [(u64, &str, u64); 4] = [
    (DT_RELASZ, "DT_RELASZ", RELA_SIZE),
    (DT_RELSZ, "DT_RELSZ", REL_SIZE),
    (DT_PLTRELSZ, "DT_PLTRELSZ", RELA_SIZE),
    (DT_RELRSZ, "DT_RELRSZ", RELR_SIZE),
];

fn read_dynamic(loaded: &Reader<'_>, (offset, size): (usize, usize)) -> ImageResult<DynamicTags> {
    let mut tags = DynamicTags::default();
    for entry in (offset..offset + size).step_by(DYN_SIZE) {
        let tag = loaded.u64(entry, "dynamic entry")?;
        let value = loaded.u64(entry + 8, "dynamic entry")?;
        if let Some(slot) = RELOCATION_TAGS.iter().position(|&(known, ..)| known == tag) {
            tags.relocation_sizes[slot] = value;
            continue;
        }
        let slot = match tag {
            DT_NULL => return Ok(tags),
            DT_HASH => &mut tags.hash,
            DT_GNU_HASH => &mut tags.gnu_hash,
            DT_SYMTAB => &mut tags.symtab,
            DT_STRTAB => &mut tags.strtab,
            DT_STRSZ => &mut tags.strsz,
            DT_SYMENT => &mut tags.syment,
            DT_SONAME => &mut tags.soname,
            DT_VERSYM => &mut tags.versym,
            DT_VERDEF => &mut tags.verdef,
            DT_VERDEFNUM => &mut tags.verdefnum,
            DT_TEXTREL => {
                tags.textrel = true;
                continue;
            }
            DT_FLAGS => {
                tags.textrel |= value & DF_TEXTREL != 0;
                continue;
            }
            _ => continue,
        };
        *slot = Some(value);
    }
    Err(ImageError::Malformed {
        what: "the dynamic section has no DT_NULL terminator",
    })
}

fn check_relocations(reader: &Reader<'_>, tags: &DynamicTags) -> ImageResult<()> {
    for (&size, &(_, tag, entry_size)) in tags.relocation_sizes.iter().zip(&RELOCATION_TAGS) {
        if size != 0 {
            return Err(ImageError::Relocations {
                count: size.div_ceil(entry_size),
                tag,
                size,
            });
        }
    }
    if tags.textrel {
        return Err(ImageError::TextRelocations);
    }
    let shoff = reader.u64(0x28, "e_shoff")? as usize;
    let shnum = usize::from(reader.u16(0x3c, "e_shnum")?);
    if shoff == 0 || shnum == 0 {
        return Ok(());
    }
    let shentsize = reader.u16(0x3a, "e_shentsize")?;
    if shentsize as usize != SHDR_SIZE {
        return Err(ImageError::BadEntrySize {
            field: "e_shentsize",
            found: shentsize,
        });
    }
    reader.bytes(shoff, shnum * SHDR_SIZE, "section headers")?;
    for index in 0..shnum {
        let sh_type = reader.u32(shoff + index * SHDR_SIZE + 4, "sh_type")?;
        if matches!(sh_type, SHT_RELA | SHT_REL | SHT_RELR) {
            return Err(ImageError::RelocationSection { index, sh_type });
        }
    }
    Ok(())
}

fn check_tables<'a>(
    image: &'a [u8],
    arch: Arch,
    load_size: usize,
    tags: &DynamicTags,
) -> ImageResult<ImageInfo<'a>> {
    let need = |value: Option<u64>, tag| value.ok_or(ImageError::MissingDynamicEntry { tag });
    let hash = to_usize(need(tags.hash, "DT_HASH")?);
    need(tags.gnu_hash, "DT_GNU_HASH")?;
    let dynsym = to_usize(need(tags.symtab, "DT_SYMTAB")?);
    let dynstr = to_usize(need(tags.strtab, "DT_STRTAB")?);
    let strsz = to_usize(need(tags.strsz, "DT_STRSZ")?);
    let versym = to_usize(need(tags.versym, "DT_VERSYM")?);
    let verdef = to_usize(need(tags.verdef, "DT_VERDEF")?);
    let soname = need(tags.soname, "DT_SONAME")?;
    if tags.syment.is_some_and(|size| size != SYM_SIZE as u64) {
        return Err(ImageError::Malformed {
            what: "DT_SYMENT is not 24",
        });
    }
    let loaded = Reader(&image[..load_size]);
    loaded.bytes(dynstr, strsz, "DT_STRTAB")?;
    // The symbol count is DT_HASH's nchain, as every loader that reads it
    // assumes. Saturating: an offset near `usize::MAX` is reported as
    // truncated instead of overflowing.
    let nsyms = loaded.u32(hash.saturating_add(4), "DT_HASH header")? as usize;
    loaded.bytes(dynsym, nsyms * SYM_SIZE, "DT_SYMTAB")?;
    loaded.bytes(versym, nsyms * 2, "DT_VERSYM")?;
    let info = ImageInfo {
        image,
        arch,
        load_size,
        dynsym,
        nsyms,
        dynstr,
        strsz,
        versym,
        verdef,
        // Without DT_VERDEFNUM, follow vd_next (bounded by the table count).
        verdefnum: tags.verdefnum.map_or(usize::from(u16::MAX), to_usize),
    };
    let soname = info.string(u32::try_from(soname).unwrap_or(u32::MAX))?;
    if soname != VDSO_SONAME.as_bytes() {
        return Err(ImageError::WrongSoname {
            found: FoundName::new(soname),
        });
    }
    Ok(info)
}

/// Returns the version index of the arch's node.
fn check_version_node(info: &ImageInfo<'_>, arch: Arch) -> ImageResult<u16> {
    let node = arch.version_node();
    for entry in info.verdefs() {
        let (ndx, flags, hash, name) = entry?;
        if flags & VER_FLG_BASE == 0 && name == node.as_bytes() {
            if hash != elf_hash(name) {
                return Err(ImageError::VersionHashMismatch { node, found: hash });
            }
            return Ok(ndx & !VERSYM_HIDDEN);
        }
    }
    Err(ImageError::MissingVersionNode { node })
}

fn check_symbol(
    info: &ImageInfo<'_>,
    loaded: &Reader<'_>,
    name: &'static str,
    node_ndx: u16,
    tags: &DynamicTags,
) -> ImageResult<()> {
    let version = info.arch.version_node();
    // A linear scan first, to tell "absent" from "present but wrong".
    let index = (1..info.nsyms)
        .find(|&index| {
            loaded
                .u32(info.dynsym + index * SYM_SIZE, "st_name")
                .and_then(|offset| info.string(offset))
                .is_ok_and(|found| found == name.as_bytes())
        })
        .ok_or(ImageError::MissingSymbol { name, version })?;
    let sym = info.dynsym + index * SYM_SIZE;
    let st_info = loaded.u8(sym + 4, "st_info")?;
    let shndx = loaded.u16(sym + 6, "st_shndx")?;
    let value = loaded.u64(sym + 8, "st_value")?;
    let size = loaded.u64(sym + 16, "st_size")?;
    if shndx == SHN_UNDEF {
        return Err(ImageError::UndefinedSymbol { name });
    }
    if st_info & 0xf != STT_FUNC {
        return Err(ImageError::SymbolNotFunction {
            name,
            st_type: st_info & 0xf,
        });
    }
    let binding = st_info >> 4;
    if binding != STB_GLOBAL && binding != STB_WEAK {
        return Err(ImageError::SymbolNotGlobal { name, binding });
    }
    let ndx = loaded.u16(info.versym + 2 * index, "versym")? & !VERSYM_HIDDEN;
    if ndx != node_ndx {
        let found = match (ndx, info.verdef_entry(ndx)) {
            (0, _) => FoundName::new(b"*local*"),
            (_, Some((_, _, found))) => FoundName::new(found),
            (1, None) => FoundName::new(b"*global*"),
            (_, None) => FoundName::new(b"#?"),
        };
        return Err(ImageError::SymbolWrongVersion {
            name,
            expected: version,
            found,
        });
    }
    if value
        .checked_add(size)
        .is_none_or(|end| end > info.load_size as u64)
        || value == 0
    {
        return Err(ImageError::SymbolOutsideImage { name, value, size });
    }
    let hash = to_usize(tags.hash.unwrap_or_default());
    if sysv_lookup(info, loaded, hash, name.as_bytes())? != Some(index) {
        return Err(ImageError::HashLookupFailed {
            table: "DT_HASH",
            name,
        });
    }
    let gnu = to_usize(tags.gnu_hash.unwrap_or_default());
    if gnu_lookup(info, loaded, gnu, name.as_bytes())? != Some(index) {
        return Err(ImageError::HashLookupFailed {
            table: "DT_GNU_HASH",
            name,
        });
    }
    Ok(())
}

fn symbol_name_is(info: &ImageInfo<'_>, loaded: &Reader<'_>, index: usize, name: &[u8]) -> bool {
    index < info.nsyms
        && loaded
            .u32(info.dynsym + index * SYM_SIZE, "st_name")
            .and_then(|offset| info.string(offset))
            .is_ok_and(|found| found == name)
}

/// The index `DT_HASH` leads to for `name`, as musl and the SysV ABI look up.
fn sysv_lookup(
    info: &ImageInfo<'_>,
    loaded: &Reader<'_>,
    table: usize,
    name: &[u8],
) -> ImageResult<Option<usize>> {
    let nbucket = loaded.u32(table, "DT_HASH header")? as usize;
    let nchain = loaded.u32(table + 4, "DT_HASH header")? as usize;
    if nbucket == 0 {
        return Ok(None);
    }
    let buckets = table + 8;
    let chains = buckets + 4 * nbucket;
    let mut index = loaded.u32(
        buckets + 4 * (elf_hash(name) as usize % nbucket),
        "DT_HASH bucket",
    )? as usize;
    // Each step visits a new symbol in a well-formed table: bound the walk.
    for _ in 0..nchain {
        if index == 0 {
            return Ok(None);
        }
        if symbol_name_is(info, loaded, index, name) {
            return Ok(Some(index));
        }
        if index >= nchain {
            break;
        }
        index = loaded.u32(chains + 4 * index, "DT_HASH chain")? as usize;
    }
    Err(ImageError::Malformed {
        what: "a DT_HASH chain does not end",
    })
}

/// The index `DT_GNU_HASH` leads to for `name`, bloom filter included, as
/// glibc looks up.
fn gnu_lookup(
    info: &ImageInfo<'_>,
    loaded: &Reader<'_>,
    table: usize,
    name: &[u8],
) -> ImageResult<Option<usize>> {
    let nbuckets = loaded.u32(table, "DT_GNU_HASH header")? as usize;
    let symoffset = loaded.u32(table + 4, "DT_GNU_HASH header")? as usize;
    let bloom_size = loaded.u32(table + 8, "DT_GNU_HASH header")? as usize;
    let bloom_shift = loaded.u32(table + 12, "DT_GNU_HASH header")?;
    if nbuckets == 0 || bloom_size == 0 {
        return Ok(None);
    }
    let hash = gnu_hash(name);
    let bloom = table + 16;
    let word = loaded.u64(
        bloom + 8 * ((hash as usize / 64) % bloom_size),
        "DT_GNU_HASH bloom",
    )?;
    let bits = (1u64 << (hash % 64)) | (1u64 << (hash.wrapping_shr(bloom_shift) % 64));
    if word & bits != bits {
        return Ok(None);
    }
    let buckets = bloom + 8 * bloom_size;
    let chains = buckets + 4 * nbuckets;
    let mut index = loaded.u32(
        buckets + 4 * (hash as usize % nbuckets),
        "DT_GNU_HASH bucket",
    )? as usize;
    if index == 0 {
        return Ok(None);
    }
    if index < symoffset {
        return Err(ImageError::Malformed {
            what: "a DT_GNU_HASH bucket is below symoffset",
        });
    }
    while index < info.nsyms {
        let chain = loaded.u32(chains + 4 * (index - symoffset), "DT_GNU_HASH chain")?;
        if chain | 1 == hash | 1 && symbol_name_is(info, loaded, index, name) {
            return Ok(Some(index));
        }
        if chain & 1 != 0 {
            return Ok(None);
        }
        index += 1;
    }
    Err(ImageError::Malformed {
        what: "a DT_GNU_HASH chain does not end",
    })
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Bounds-checked little-endian reads.
#[derive(Clone, Copy)]
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn bytes(&self, offset: usize, size: usize, what: &'static str) -> ImageResult<&'a [u8]> {
        offset
            .checked_add(size)
            .and_then(|end| self.0.get(offset..end))
            .ok_or(ImageError::Truncated {
                what,
                offset: offset as u64,
                size: size as u64,
                available: self.0.len() as u64,
            })
    }

    fn array<const N: usize>(&self, offset: usize, what: &'static str) -> ImageResult<[u8; N]> {
        let mut out = [0; N];
        out.copy_from_slice(self.bytes(offset, N, what)?);
        Ok(out)
    }

    fn u8(&self, offset: usize, what: &'static str) -> ImageResult<u8> {
        Ok(self.array::<1>(offset, what)?[0])
    }

    fn u16(&self, offset: usize, what: &'static str) -> ImageResult<u16> {
        self.array(offset, what).map(u16::from_le_bytes)
    }

    fn u32(&self, offset: usize, what: &'static str) -> ImageResult<u32> {
        self.array(offset, what).map(u32::from_le_bytes)
    }

    fn u64(&self, offset: usize, what: &'static str) -> ImageResult<u64> {
        self.array(offset, what).map(u64::from_le_bytes)
    }

    /// The NUL-terminated string at `offset`, without the NUL.
    fn cstr(&self, offset: usize, what: &'static str) -> ImageResult<&'a [u8]> {
        let rest = self.0.get(offset..).ok_or(ImageError::Truncated {
            what,
            offset: offset as u64,
            size: 1,
            available: self.0.len() as u64,
        })?;
        let len = rest
            .iter()
            .position(|&byte| byte == 0)
            .ok_or(ImageError::Malformed {
                what: "a string is not NUL-terminated",
            })?;
        Ok(&rest[..len])
    }
}
