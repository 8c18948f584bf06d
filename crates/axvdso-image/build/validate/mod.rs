//! The vDSO image checks: what every consumer of `AT_SYSINFO_EHDR` relies on.
//!
//! Shared by `build.rs`, which checks every image before embedding it, and the
//! tests; both include it with `#[path]`. The ELF structures, hashes and hash
//! table lookups are `object`'s. The checks read what a dynamic loader reads:
//! the program headers, then `PT_DYNAMIC` and the tables its entries point at,
//! never the section headers (which an image need not have).
//!
//! [`validate`] lists the checks.

mod error;

use std::mem::size_of;

use axvdso_abi::{Arch, MishashedLookup, PAGE_SIZE_4K, VDSO_SONAME};
use object::{
    LittleEndian as LE, Pod, ReadRef, StringTable, U32, U64,
    elf::{self, Dyn64, FileHeader64, ProgramHeader64, SectionHeader64, Sym64, Versym},
    read::elf::{GnuHashTable, HashTable, SectionHeader as _, SectionTable, Version},
};

pub use self::error::{ImageError, ImageResult};

type Elf = FileHeader64<LE>;

/// The largest image accepted, in bytes: 4 pages.
///
/// Linux 6.1's own images take one page (riscv64, 4.6 KB file) or two
/// (x86_64); ours takes one. The loader reserves a fixed window for the image,
/// and a much larger file means something else was passed by mistake.
pub const IMAGE_SIZE_LIMIT: usize = 4 * PAGE_SIZE_4K;

/// What [`validate`] learnt about a valid image.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// The size of the `PT_LOAD` segment, in bytes: what must be mapped.
    pub load_size: usize,
    /// Each export of the arch's row, and its offset from the start of the
    /// image (its address), in bytes.
    pub exports: Vec<(&'static str, usize)>,
}

impl ImageInfo {
    /// The offset of the export `name`.
    pub fn offset(&self, name: &str) -> Option<usize> {
        let mut exports = self.exports.iter();
        exports
            .find(|&&(found, _)| found == name)
            .map(|&(_, offset)| offset)
    }
}

/// Checks that `image` is a vDSO for `arch` that every consumer accepts.
///
/// The checks, in this order (the first failing one is reported):
///
/// 1. ELF64, little endian, `e_machine` of the [`Arch`], `ET_DYN`, at most
///    [`IMAGE_SIZE_LIMIT`] bytes;
/// 2. exactly one `PT_LOAD`, at address 0 and file offset 0, R+X and not W,
///    with no zero-filled tail; no `PT_TLS`; a `PT_DYNAMIC` inside the load;
///    a `PT_NOTE`, and for an image we built a `PT_GNU_EH_FRAME` (the CFI of
///    its signal return; Linux's arm64 image has none);
/// 3. no relocations: no `DT_RELA`/`DT_REL`/`DT_JMPREL`/`DT_RELR` table of
///    nonzero size, no `DT_TEXTREL` (nor `DF_TEXTREL` in `DT_FLAGS`), no
///    `SHT_RELA`/`SHT_REL`/`SHT_RELR` section;
/// 4. `DT_HASH` (musl reads only this one), `DT_SYMTAB`, `DT_STRTAB`,
///    `DT_VERSYM`, `DT_VERDEF` and `DT_SONAME` present; `DT_GNU_HASH` present
///    or absent as the arch's [`HashStyle`](axvdso_abi::HashStyle) says; the
///    soname is `linux-vdso.so.1`;
/// 5. the verdef defines the arch's version node with the right ELF hash;
/// 6. every export of the arch's row is a defined global or weak `STT_FUNC`
///    of that version, inside the load, and every hash table finds it; an
///    external image's signal return may be `STT_NOTYPE` (Linux's arm64
///    `__kernel_rt_sigreturn` is a bare assembly label: the kernel only
///    needs its address, no libc calls it), and an external image may lack
///    the exports Linux added after 6.1 ([`Export::since`](axvdso_abi::Export::since));
/// 7. the signal-return code is the arch's exact bytes, and nothing more;
/// 8. where the arch has one, the version node's own symbol is a global
///    absolute symbol of that version;
/// 9. the arch's mishashed lookups (Go 1.19 on arm64) find their symbol.
///
/// # Errors
///
/// The [`ImageError`] naming the first defect found.
pub fn validate(image: &[u8], arch: Arch) -> ImageResult<ImageInfo> {
    validate_as(image, arch, Origin::Built)
}

/// Where an image comes from: the checks of an external (Linux-built) image
/// are what its consumers need; an image we build must also carry what we
/// promise beyond that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Built by this crate from the vDSO's sources.
    Built,
    /// Given by `AXVDSO_EXTERNAL_IMAGE` (Linux's own image).
    External,
}

/// [`validate`], for an image of the given [`Origin`].
///
/// # Errors
///
/// The [`ImageError`] naming the first defect found.
pub fn validate_as(image: &[u8], arch: Arch, origin: Origin) -> ImageResult<ImageInfo> {
    let header = check_header(image, arch)?;
    let (load_size, dynamic) = check_segments(image, header, origin)?;
    let tags = DynamicTags::new(dynamic)?;
    check_relocations(image, header, tags)?;
    // Everything the loader reads must lie in what the kernel maps.
    let tables = Tables::new(&image[..load_size], tags, arch)?;
    let node_ndx = check_version_node(&tables, arch)?;
    let exports = (arch.exports().iter())
        .filter_map(|export| {
            match check_symbol(&tables, arch, export.name, node_ndx, origin) {
                // Linux's 6.1 image predates it.
                Err(ImageError::MissingSymbol { .. })
                    if origin == Origin::External && !export.in_linux_6_1() =>
                {
                    None
                }
                checked => Some(checked),
            }
        })
        .collect::<ImageResult<_>>()?;
    let info = ImageInfo { load_size, exports };
    check_sigreturn(&tables, arch, &info)?;
    if arch.has_version_node_symbol() {
        check_version_node_symbol(&tables, arch, node_ndx)?;
    }
    for lookup in arch.mishashed_lookups() {
        check_mishashed_lookup(&tables, lookup, node_ndx)?;
    }
    Ok(info)
}

fn check_header(image: &[u8], arch: Arch) -> ImageResult<&Elf> {
    let header = &table::<Elf>(image, 0, size_of::<Elf>() as u64, "ELF header")?[0];
    let ident = &header.e_ident;
    if ident.magic != elf::ELFMAG {
        return Err(ImageError::NotElf);
    }
    if ident.class != elf::ELFCLASS64 {
        return Err(ImageError::NotElf64 {
            class: ident.class.0,
        });
    }
    if ident.data != elf::ELFDATA2LSB {
        return Err(ImageError::NotLittleEndian { data: ident.data.0 });
    }
    let machine = header.e_machine.get(LE).0;
    if machine != arch.e_machine() {
        return Err(ImageError::WrongMachine {
            arch,
            found: machine,
        });
    }
    let e_type = header.e_type.get(LE);
    if e_type != elf::ET_DYN {
        return Err(ImageError::NotSharedObject { e_type: e_type.0 });
    }
    if image.len() > IMAGE_SIZE_LIMIT {
        return Err(ImageError::TooLarge { size: image.len() });
    }
    Ok(header)
}

/// Returns the load size and the dynamic entries.
fn check_segments<'a>(
    image: &'a [u8],
    header: &Elf,
    origin: Origin,
) -> ImageResult<(usize, &'a [Dyn64<LE>])> {
    let phentsize = header.e_phentsize.get(LE);
    if usize::from(phentsize) != size_of::<ProgramHeader64<LE>>() {
        return Err(ImageError::BadEntrySize {
            field: "e_phentsize",
            found: phentsize,
        });
    }
    let phdrs: &[ProgramHeader64<LE>] = table(
        image,
        header.e_phoff.get(LE),
        u64::from(header.e_phnum.get(LE)) * u64::from(phentsize),
        "program headers",
    )?;
    let of_type = |p_type| phdrs.iter().filter(move |p| p.p_type.get(LE) == p_type);
    if of_type(elf::PT_TLS).next().is_some() {
        return Err(ImageError::HasTls);
    }
    let (load, count) = (of_type(elf::PT_LOAD).next(), of_type(elf::PT_LOAD).count());
    let Some(load) = load.filter(|_| count == 1) else {
        return Err(ImageError::LoadSegmentCount { count });
    };
    let (vaddr, offset) = (load.p_vaddr.get(LE), load.p_offset.get(LE));
    if vaddr != 0 || offset != 0 {
        return Err(ImageError::LoadSegmentPlacement { vaddr, offset });
    }
    let flags = load.p_flags.get(LE);
    if !flags.contains(elf::PF_R) || !flags.contains(elf::PF_X) || flags.contains(elf::PF_W) {
        return Err(ImageError::LoadSegmentFlags { flags: flags.0 });
    }
    let (filesz, memsz) = (load.p_filesz.get(LE), load.p_memsz.get(LE));
    if memsz != filesz {
        return Err(ImageError::LoadSegmentSize { filesz, memsz });
    }
    let load_size = bytes(image, 0, filesz, "PT_LOAD contents")?.len();
    let dynamic = of_type(elf::PT_DYNAMIC)
        .next()
        .ok_or(ImageError::NoDynamicSegment)?;
    for (p_type, name, required) in [
        (elf::PT_NOTE, "PT_NOTE", true),
        (
            elf::PT_GNU_EH_FRAME,
            "PT_GNU_EH_FRAME",
            origin == Origin::Built,
        ),
    ] {
        if required && of_type(p_type).next().is_none() {
            return Err(ImageError::MissingSegment { p_type: name });
        }
    }
    let dynamic = table(
        &image[..load_size],
        dynamic.p_offset.get(LE),
        dynamic.p_filesz.get(LE),
        "PT_DYNAMIC",
    )?;
    Ok((load_size, dynamic))
}

/// The dynamic entries, up to `DT_NULL`.
#[derive(Clone, Copy)]
struct DynamicTags<'a>(&'a [Dyn64<LE>]);

impl DynamicTags<'_> {
    fn new(entries: &[Dyn64<LE>]) -> ImageResult<DynamicTags<'_>> {
        let end = (entries
            .iter()
            .position(|entry| entry.d_tag.get(LE) == elf::DT_NULL))
        .ok_or(ImageError::Malformed {
            what: "the dynamic section has no DT_NULL terminator",
        })?;
        Ok(DynamicTags(&entries[..end]))
    }

    /// The value of the entry `tag`, if there is one.
    fn get(self, tag: elf::DynamicTag) -> Option<u64> {
        let mut entries = self.0.iter();
        let entry = entries.find(|entry| entry.d_tag.get(LE) == tag)?;
        Some(entry.d_val.get(LE))
    }
}

/// The relocation table size tags: `(tag, name, entry size)`.
const RELOCATION_TAGS: [(elf::DynamicTag, &str, u64); 4] = [
    (elf::DT_RELASZ, "DT_RELASZ", 24),
    (elf::DT_RELSZ, "DT_RELSZ", 16),
    (elf::DT_PLTRELSZ, "DT_PLTRELSZ", 24),
    (elf::DT_RELRSZ, "DT_RELRSZ", 8),
];

fn check_relocations(image: &[u8], header: &Elf, tags: DynamicTags<'_>) -> ImageResult<()> {
    for (tag_value, tag, entry_size) in RELOCATION_TAGS {
        let size = tags.get(tag_value).unwrap_or(0);
        if size != 0 {
            return Err(ImageError::Relocations {
                count: size.div_ceil(entry_size),
                tag,
                size,
            });
        }
    }
    let flags = tags.get(elf::DT_FLAGS).unwrap_or(0);
    if tags.get(elf::DT_TEXTREL).is_some() || flags & elf::DF_TEXTREL.0 != 0 {
        return Err(ImageError::TextRelocations);
    }
    let (shoff, shnum) = (header.e_shoff.get(LE), header.e_shnum.get(LE));
    if shoff == 0 || shnum == 0 {
        return Ok(());
    }
    let shentsize = header.e_shentsize.get(LE);
    if usize::from(shentsize) != size_of::<SectionHeader64<LE>>() {
        return Err(ImageError::BadEntrySize {
            field: "e_shentsize",
            found: shentsize,
        });
    }
    let size = u64::from(shnum) * u64::from(shentsize);
    let sections: &[SectionHeader64<LE>] = table(image, shoff, size, "section headers")?;
    for (index, section) in sections.iter().enumerate() {
        let sh_type = section.sh_type.get(LE);
        if matches!(sh_type, elf::SHT_RELA | elf::SHT_REL | elf::SHT_RELR) {
            return Err(ImageError::RelocationSection {
                index,
                sh_type: sh_type.0,
            });
        }
    }
    Ok(())
}

/// The dynamic tables, found through `PT_DYNAMIC` as a loader finds them
/// (addresses are file offsets: the load is at 0/0).
struct Tables<'a> {
    loaded: &'a [u8],
    /// `DT_SYMTAB` and its entries.
    symtab: u64,
    symbols: &'a [Sym64<LE>],
    /// `DT_VERSYM` and its entries, one per symbol.
    versym: u64,
    versyms: &'a [Versym<LE>],
    dynstr: u64,
    strsz: u64,
    verdef: u64,
    verdefnum: usize,
    hash: u64,
    /// `DT_GNU_HASH`, where the arch's hash style has it.
    gnu_hash: Option<u64>,
}

/// A version definition: `(vd_ndx, vd_flags, vd_hash, name)`.
type VerdefEntry<'a> = (u16, u16, u32, &'a [u8]);

impl<'a> Tables<'a> {
    fn new(loaded: &'a [u8], tags: DynamicTags<'_>, arch: Arch) -> ImageResult<Self> {
        let need =
            |tag_value, tag| (tags.get(tag_value)).ok_or(ImageError::MissingDynamicEntry { tag });
        let hash = need(elf::DT_HASH, "DT_HASH")?;
        let gnu_hash = if arch.hash_style().has_gnu_hash() {
            Some(need(elf::DT_GNU_HASH, "DT_GNU_HASH")?)
        } else if tags.get(elf::DT_GNU_HASH).is_some() {
            return Err(ImageError::UnwantedDynamicEntry {
                tag: "DT_GNU_HASH",
                arch,
            });
        } else {
            None
        };
        let symtab = need(elf::DT_SYMTAB, "DT_SYMTAB")?;
        let dynstr = need(elf::DT_STRTAB, "DT_STRTAB")?;
        let strsz = need(elf::DT_STRSZ, "DT_STRSZ")?;
        let versym = need(elf::DT_VERSYM, "DT_VERSYM")?;
        let verdef = need(elf::DT_VERDEF, "DT_VERDEF")?;
        let soname = need(elf::DT_SONAME, "DT_SONAME")?;
        if tags
            .get(elf::DT_SYMENT)
            .is_some_and(|size| size != size_of::<Sym64<LE>>() as u64)
        {
            return Err(ImageError::Malformed {
                what: "DT_SYMENT is not 24",
            });
        }
        bytes(loaded, dynstr, strsz, "DT_STRTAB")?;
        // The symbol count is DT_HASH's nchain, as every loader that reads it
        // assumes.
        let header = &table::<elf::HashHeader<LE>>(loaded, hash, 8, "DT_HASH header")?[0];
        let nsyms = u64::from(header.chain_count.get(LE));
        let tables = Self {
            loaded,
            symtab,
            symbols: table(loaded, symtab, nsyms * 24, "DT_SYMTAB")?,
            versym,
            versyms: table(loaded, versym, nsyms * 2, "DT_VERSYM")?,
            dynstr,
            strsz,
            verdef,
            // Without DT_VERDEFNUM, follow vd_next to the end.
            verdefnum: tags.get(elf::DT_VERDEFNUM).map_or(usize::MAX, to_usize),
            hash,
            gnu_hash,
        };
        let soname = tables.string(u32::try_from(soname).unwrap_or(u32::MAX))?;
        if soname != VDSO_SONAME.as_bytes() {
            return Err(ImageError::WrongSoname {
                found: found_name(soname),
            });
        }
        Ok(tables)
    }

    /// The string at `offset` in the dynamic string table.
    fn string(&self, offset: u32) -> ImageResult<&'a [u8]> {
        if u64::from(offset) >= self.strsz {
            return Err(ImageError::Malformed {
                what: "a string offset is past DT_STRSZ",
            });
        }
        let end = self.dynstr + self.strsz;
        StringTable::new(self.loaded, self.dynstr, end)
            .get(offset)
            .map_err(|()| ImageError::Malformed {
                what: "a string is not NUL-terminated",
            })
    }

    /// The version definitions, base included, in table order.
    fn verdefs(&self) -> ImageResult<Vec<VerdefEntry<'a>>> {
        let headers = self.section_headers();
        let mut entries = Vec::new();
        let verdefs = headers[VERDEF].gnu_verdef(LE, self.loaded);
        let (verdefs, _) = verdefs
            .map_err(malformed("DT_VERDEF is past the load"))?
            .expect("SHT_GNU_VERDEF");
        for entry in verdefs.take(self.verdefnum) {
            let (verdef, mut auxs) = entry.map_err(malformed("a verdef entry is truncated"))?;
            if verdef.vd_version.get(LE) != elf::VER_DEF_CURRENT {
                return Err(ImageError::Malformed {
                    what: "verdef vd_version is not 1",
                });
            }
            let aux = auxs
                .next()
                .map_err(malformed("a verdaux entry is truncated"))?;
            let aux = aux.ok_or(ImageError::Malformed {
                what: "a verdef has no name",
            })?;
            entries.push((
                verdef.vd_ndx.get(LE).0,
                verdef.vd_flags.get(LE).0,
                verdef.vd_hash.get(LE),
                self.string(aux.vda_name.get(LE))?,
            ));
        }
        Ok(entries)
    }

    /// The tables as the section headers a linker writes for them, so that
    /// `object`'s symbol, version and hash table readers (which start from
    /// sections) read what a loader reads.
    fn section_headers(&self) -> [SectionHeader64<LE>; 5] {
        let section = |sh_type: elf::SectionType, offset, size, link| SectionHeader64 {
            sh_name: U32::new(LE, 0),
            sh_type: U32::new(LE, sh_type),
            sh_flags: U64::new(LE, elf::SHF_ALLOC),
            sh_addr: U64::new(LE, offset),
            sh_offset: U64::new(LE, offset),
            sh_size: U64::new(LE, size),
            sh_link: U32::new(LE, link),
            sh_info: U32::new(LE, 0),
            sh_addralign: U64::new(LE, 0),
            sh_entsize: U64::new(LE, 0),
        };
        let nsyms = self.symbols.len() as u64;
        // The verdef is walked entry by entry (vd_next), up to the end of the load.
        let verdef_size = (self.loaded.len() as u64).saturating_sub(self.verdef);
        [
            section(elf::SHT_NULL, 0, 0, 0),
            section(elf::SHT_STRTAB, self.dynstr, self.strsz, 0),
            section(elf::SHT_DYNSYM, self.symtab, nsyms * 24, 1),
            section(elf::SHT_GNU_VERSYM, self.versym, nsyms * 2, 2),
            section(elf::SHT_GNU_VERDEF, self.verdef, verdef_size, 1),
        ]
    }
}

const VERDEF: usize = 4;

/// Returns the version index of the arch's node.
fn check_version_node(tables: &Tables<'_>, arch: Arch) -> ImageResult<u16> {
    let node = arch.version_node();
    for (ndx, flags, hash, name) in tables.verdefs()? {
        if flags & elf::VER_FLG_BASE.0 == 0 && name == node.as_bytes() {
            if hash != elf::hash(name) {
                return Err(ImageError::VersionHashMismatch { node, found: hash });
            }
            return Ok(ndx & !elf::VERSYM_HIDDEN.0);
        }
    }
    Err(ImageError::MissingVersionNode { node })
}

/// Returns the symbol's offset.
fn check_symbol(
    tables: &Tables<'_>,
    arch: Arch,
    name: &'static str,
    node_ndx: u16,
    origin: Origin,
) -> ImageResult<(&'static str, usize)> {
    let version = arch.version_node();
    // A linear scan first, to tell "absent" from "present but wrong".
    let (index, sym) = (tables.symbols.iter().enumerate().skip(1))
        .find(|(_, sym)| {
            tables
                .string(sym.st_name.get(LE))
                .is_ok_and(|n| n == name.as_bytes())
        })
        .ok_or(ImageError::MissingSymbol { name, version })?;
    if sym.st_shndx.get(LE) == elf::SHN_UNDEF {
        return Err(ImageError::UndefinedSymbol { name });
    }
    let untyped_ok = origin == Origin::External && arch.sigreturn_symbol() == Some(name);
    if sym.st_type() != elf::STT_FUNC && !(untyped_ok && sym.st_type() == elf::STT_NOTYPE) {
        return Err(ImageError::SymbolNotFunction {
            name,
            st_type: sym.st_type().0,
        });
    }
    let binding = sym.st_bind();
    if binding != elf::STB_GLOBAL && binding != elf::STB_WEAK {
        return Err(ImageError::SymbolNotGlobal {
            name,
            binding: binding.0,
        });
    }
    let ndx = tables.versyms[index].0.get(LE).index().0;
    if ndx != node_ndx {
        let verdefs = tables.verdefs()?;
        let found = match (ndx, verdefs.iter().find(|&&(found, ..)| found == ndx)) {
            (0, _) => "*local*".to_owned(),
            (_, Some(&(.., found))) => found_name(found),
            (1, None) => "*global*".to_owned(),
            (_, None) => "#?".to_owned(),
        };
        return Err(ImageError::SymbolWrongVersion {
            name,
            expected: version,
            found,
        });
    }
    let (value, size) = (sym.st_value.get(LE), sym.st_size.get(LE));
    if value == 0
        || value
            .checked_add(size)
            .is_none_or(|end| end > tables.loaded.len() as u64)
    {
        return Err(ImageError::SymbolOutsideImage { name, value, size });
    }
    check_hash_lookups(tables, name, index)?;
    Ok((name, to_usize(value)))
}

/// Both hash tables lead a libc looking `name` up (with the arch's version) to
/// symbol `index`.
fn check_hash_lookups(tables: &Tables<'_>, name: &'static str, index: usize) -> ImageResult<()> {
    let headers = tables.section_headers();
    let sections = SectionTable::<Elf>::new(&headers, StringTable::default());
    let symbols = sections.symbols(LE, tables.loaded, elf::SHT_DYNSYM);
    let symbols = symbols.map_err(malformed("the dynamic symbol table"))?;
    let versions = sections.versions(LE, tables.loaded);
    let versions = versions
        .map_err(malformed("the version tables"))?
        .expect("SHT_GNU_VERSYM");
    // The version the symbol has, which the check above made the arch's node.
    let ndx = versions
        .version_index(LE, object::SymbolIndex(index))
        .index();
    let version: Option<&Version<'_>> = versions
        .version(ndx)
        .map_err(malformed("a symbol's version index"))?;
    let found = |table, found: Option<(object::SymbolIndex, _)>| match found {
        Some((found, _)) if found.0 == index => Ok(()),
        _ => Err(ImageError::HashLookupFailed { table, name }),
    };
    let loaded = tables.loaded;
    let rest = |offset: u64| loaded.get(to_usize(offset)..).unwrap_or_default();
    let name = name.as_bytes();
    let sysv = HashTable::<Elf>::parse(LE, rest(tables.hash)).ok();
    let sysv = sysv.and_then(|t| t.find(LE, name, elf::hash(name), version, &symbols, &versions));
    found("DT_HASH", sysv)?;
    let Some(gnu_hash) = tables.gnu_hash else {
        return Ok(());
    };
    let gnu = GnuHashTable::<Elf>::parse(LE, rest(gnu_hash)).ok();
    let gnu = gnu.and_then(|t| t.find(LE, name, elf::gnu_hash(name), version, &symbols, &versions));
    found("DT_GNU_HASH", gnu)
}

/// The signal-return symbol's code is exactly the arch's bytes.
fn check_sigreturn(tables: &Tables<'_>, arch: Arch, info: &ImageInfo) -> ImageResult<()> {
    let (Some(name), Some(code)) = (arch.sigreturn_symbol(), arch.sigreturn_code()) else {
        return Ok(());
    };
    let offset = info
        .offset(name)
        .expect("check_symbol checked every export");
    let (_, sym) = (tables.symbols.iter().enumerate().skip(1))
        .find(|(_, sym)| {
            tables
                .string(sym.st_name.get(LE))
                .is_ok_and(|n| n == name.as_bytes())
        })
        .expect("check_symbol found it");
    let size = sym.st_size.get(LE);
    // check_symbol checked that the symbol lies in the load.
    let found = &tables.loaded[offset..offset + to_usize(size)];
    if found != code {
        return Err(ImageError::WrongSigreturnCode {
            name,
            found: found.to_vec(),
            expected: code,
        });
    }
    Ok(())
}

/// The version node's own symbol, as GNU ld writes it: a global absolute
/// symbol, named and versioned after the node.
fn check_version_node_symbol(tables: &Tables<'_>, arch: Arch, node_ndx: u16) -> ImageResult<()> {
    let node = arch.version_node();
    let found = (tables.symbols.iter().enumerate().skip(1)).find(|(_, sym)| {
        tables
            .string(sym.st_name.get(LE))
            .is_ok_and(|n| n == node.as_bytes())
    });
    let ok = found.is_some_and(|(index, sym)| {
        sym.st_shndx.get(LE) == elf::SHN_ABS
            && sym.st_bind() == elf::STB_GLOBAL
            && tables.versyms[index].0.get(LE).index().0 == node_ndx
    });
    if !ok {
        return Err(ImageError::MissingVersionNodeSymbol { node });
    }
    Ok(())
}

/// What the consumer does: walk the `DT_HASH` chain of the bucket of
/// `hashed_as`'s ELF hash, and take the first symbol there with the name, a
/// function (or untyped) global or weak definition of the arch's version
/// (Go 1.19's `vdsoParseSymbols`). It also needs `DT_GNU_HASH` absent, which
/// the hash style required.
fn check_mishashed_lookup(
    tables: &Tables<'_>,
    lookup: &MishashedLookup,
    node_ndx: u16,
) -> ImageResult<()> {
    let failed = ImageError::MishashedLookupFailed {
        consumer: lookup.consumer,
        name: lookup.name,
        hashed_as: lookup.hashed_as,
    };
    let header = &table::<elf::HashHeader<LE>>(tables.loaded, tables.hash, 8, "DT_HASH header")?[0];
    let nbucket = u64::from(header.bucket_count.get(LE));
    let nchain = u64::from(header.chain_count.get(LE));
    let words: &[U32<LE>] = table(
        tables.loaded,
        tables.hash + 8,
        4 * (nbucket + nchain),
        "DT_HASH",
    )?;
    if nbucket == 0 {
        return Err(failed);
    }
    let (buckets, chains) = words.split_at(to_usize(nbucket));
    let bucket = u64::from(elf::hash(lookup.hashed_as.as_bytes())) % nbucket;
    let mut index = buckets[to_usize(bucket)].get(LE);
    // A chain longer than the table loops.
    for _ in 0..nchain {
        if index == 0 {
            break;
        }
        let (Some(sym), Some(versym)) = (
            tables.symbols.get(index as usize),
            tables.versyms.get(index as usize),
        ) else {
            break;
        };
        let name_matches = tables
            .string(sym.st_name.get(LE))
            .is_ok_and(|n| n == lookup.name.as_bytes());
        if name_matches
            && matches!(sym.st_type(), elf::STT_FUNC | elf::STT_NOTYPE)
            && matches!(sym.st_bind(), elf::STB_GLOBAL | elf::STB_WEAK)
            && sym.st_shndx.get(LE) != elf::SHN_UNDEF
            && versym.0.get(LE).0 & !elf::VERSYM_HIDDEN.0 == node_ndx
        {
            return Ok(());
        }
        index = chains.get(index as usize).map_or(0, |next| next.get(LE));
    }
    Err(failed)
}

/// The `Malformed` error for a structure (`what`) that `object` refused.
fn malformed(what: &'static str) -> impl Fn(object::read::Error) -> ImageError {
    move |_| ImageError::Malformed { what }
}

/// A short copy of a name found in the image, for error messages: at most
/// 40 bytes, longer ones cut and ending in `...`.
fn found_name(name: &[u8]) -> String {
    let mut found = String::from_utf8_lossy(&name[..name.len().min(40)]).into_owned();
    if name.len() > 40 {
        found.push_str("...");
    }
    found
}

/// `size` bytes at `offset` of `data`.
fn bytes<'a>(data: &'a [u8], offset: u64, size: u64, what: &'static str) -> ImageResult<&'a [u8]> {
    data.read_bytes_at(offset, size)
        .map_err(|()| ImageError::Truncated {
            what,
            offset,
            size,
            available: data.len() as u64,
        })
}

/// The `T`s in the `size` bytes at `offset` of `data`.
fn table<'a, T: Pod>(
    data: &'a [u8],
    offset: u64,
    size: u64,
    what: &'static str,
) -> ImageResult<&'a [T]> {
    let bytes = bytes(data, offset, size, what)?;
    let count = bytes.len() / size_of::<T>();
    // Any alignment will do: `object` is built with `unaligned`.
    Ok(object::pod::slice_from_bytes(bytes, count)
        .expect("in bounds")
        .0)
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}
