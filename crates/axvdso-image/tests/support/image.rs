//! An image read with `object` through its section headers (the image checks
//! read it through `PT_DYNAMIC`), with the file offset of every structure the
//! tests look at or corrupt.

use object::{
    LittleEndian as LE,
    elf::{
        self, Dyn64, DynamicTag, FileHeader64, PT_DYNAMIC, ProgramHeader64, ProgramType, SymbolInfo,
    },
    read::elf::{ElfFile64, ProgramHeader as _, SectionHeader as _, SectionTable, Sym as _},
};

/// The dynamic entries that locate the tables an image has (the validator
/// requires them, and `DT_SONAME`), with the names it reports them by:
/// [`TABLE_TAGS`] but `DT_GNU_HASH` where the arch's images have none.
pub fn table_tags(arch: axvdso_abi::Arch) -> Vec<(DynamicTag, &'static str)> {
    let gnu = arch.hash_style().has_gnu_hash();
    (TABLE_TAGS.into_iter())
        .filter(|&(tag, _)| gnu || tag != elf::DT_GNU_HASH)
        .collect()
}

/// The dynamic entries that locate the tables of an image of hash style
/// "both".
pub const TABLE_TAGS: [(DynamicTag, &str); 6] = [
    (elf::DT_HASH, "DT_HASH"),
    (elf::DT_GNU_HASH, "DT_GNU_HASH"),
    (elf::DT_SYMTAB, "DT_SYMTAB"),
    (elf::DT_STRTAB, "DT_STRTAB"),
    (elf::DT_VERSYM, "DT_VERSYM"),
    (elf::DT_VERDEF, "DT_VERDEF"),
];

/// A dynamic symbol, and where its parts are in the file.
#[derive(Debug, Clone)]
pub struct DynSym<'a> {
    /// The file offsets of its `Elf64_Sym`, its name and its `versym` entry.
    pub at: usize,
    pub name_at: usize,
    pub versym_at: usize,
    pub name: &'a str,
    pub info: SymbolInfo,
    pub defined: bool,
    /// `SHN_ABS`.
    pub absolute: bool,
    pub value: u64,
    pub size: u64,
    /// Its version, if not the base or local one.
    pub version: Option<&'a str>,
}

/// A version definition, and its file offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdef<'a> {
    pub at: usize,
    pub flags: u16,
    pub ndx: u16,
    pub hash: u32,
    pub name: &'a str,
}

/// An ELF64 little-endian image (a file, or the same bytes mapped).
pub struct Image<'a> {
    pub data: &'a [u8],
    pub file: ElfFile64<'a, LE>,
}

impl<'a> Image<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        let file = ElfFile64::parse(data).expect("an ELF64 little-endian image");
        Self { data, file }
    }

    /// The file offset of `item`, which lies in the image.
    pub fn at<T>(&self, item: &T) -> usize {
        let offset = (item as *const T as usize).wrapping_sub(self.data.as_ptr() as usize);
        assert!(offset < self.data.len(), "not in the image");
        offset
    }

    pub fn header(&self) -> &'a FileHeader64<LE> {
        self.file.elf_header()
    }

    pub fn sections(&self) -> &SectionTable<'a, FileHeader64<LE>> {
        self.file.elf_section_table()
    }

    /// The first program header of type `p_type`.
    pub fn phdr(&self, p_type: ProgramType) -> &'a ProgramHeader64<LE> {
        (self.file.elf_program_headers().iter())
            .find(|phdr| phdr.p_type.get(LE) == p_type)
            .unwrap_or_else(|| panic!("no {p_type:?}"))
    }

    /// The dynamic entries, up to and including `DT_NULL`.
    pub fn dynamic(&self) -> &'a [Dyn64<LE>] {
        let entries = self
            .phdr(PT_DYNAMIC)
            .dynamic(LE, self.data)
            .unwrap()
            .unwrap();
        let end = entries.iter().position(|d| d.d_tag.get(LE) == elf::DT_NULL);
        &entries[..=end.expect("DT_NULL")]
    }

    pub fn dyn_entry(&self, tag: DynamicTag) -> Option<&'a Dyn64<LE>> {
        self.dynamic().iter().find(|d| d.d_tag.get(LE) == tag)
    }

    /// The file offset of `text` + NUL in `.dynstr`, at a string start.
    pub fn dynstr_at(&self, text: &str) -> usize {
        let (_, dynstr) = self.sections().section_by_name(LE, b".dynstr").unwrap();
        let table = dynstr.data(LE, self.data).unwrap();
        let needle = [text.as_bytes(), b"\0"].concat();
        let at = (0..table.len())
            .find(|&i| table[i..].starts_with(&needle) && (i == 0 || table[i - 1] == 0))
            .unwrap_or_else(|| panic!("{text:?} not in .dynstr"));
        self.at(&table[at])
    }

    pub fn verdefs(&self) -> Vec<Verdef<'a>> {
        let sections = self.sections();
        let (mut verdefs, link) = sections.gnu_verdef(LE, self.data).unwrap().unwrap();
        let strings = sections.strings(LE, self.data, link).unwrap();
        let mut out = Vec::new();
        while let Some((verdef, mut auxs)) = verdefs.next().unwrap() {
            let name = auxs.next().unwrap().unwrap().name(LE, strings).unwrap();
            out.push(Verdef {
                at: self.at(verdef),
                flags: verdef.vd_flags.get(LE).0,
                ndx: verdef.vd_ndx.get(LE).0,
                hash: verdef.vd_hash.get(LE),
                name: std::str::from_utf8(name).unwrap(),
            });
        }
        out
    }

    /// The dynamic symbols but the null one.
    pub fn dynsyms(&self) -> Vec<DynSym<'a>> {
        let symbols = self.file.elf_dynamic_symbol_table();
        let (versyms, _) = self.sections().gnu_versym(LE, self.data).unwrap().unwrap();
        let versions = self.sections().versions(LE, self.data).unwrap().unwrap();
        (symbols.enumerate().skip(1))
            .map(|(index, sym)| {
                let name = sym.name(LE, symbols.strings()).unwrap();
                let version = versions.version(versyms[index.0].0.get(LE).index());
                DynSym {
                    at: self.at(sym),
                    name_at: self.at(&name[0]),
                    versym_at: self.at(&versyms[index.0]),
                    name: std::str::from_utf8(name).unwrap(),
                    info: sym.st_info(),
                    defined: !sym.is_undefined(LE),
                    absolute: sym.st_shndx(LE) == elf::SHN_ABS,
                    value: sym.st_value(LE),
                    size: sym.st_size(LE),
                    version: version
                        .unwrap()
                        .map(|v| std::str::from_utf8(v.name()).unwrap()),
                }
            })
            .collect()
    }

    pub fn dynsym(&self, name: &str) -> DynSym<'a> {
        (self.dynsyms().into_iter())
            .find(|sym| sym.name == name)
            .unwrap_or_else(|| panic!("no dynamic symbol {name}"))
    }

    /// The file offset and size of the section called `name`.
    pub fn section(&self, name: &str) -> Option<(u64, u64)> {
        let (_, section) = self.sections().section_by_name(LE, name.as_bytes())?;
        section.file_range(LE)
    }

    /// What a libc does: look `name`@`version` up through `DT_HASH` and the
    /// verdef, and return its address relative to the load base.
    pub fn lookup(&self, name: &str, version: &str) -> Option<u64> {
        let (hash, _) = self.sections().hash(LE, self.data).unwrap()?;
        let symbols = self.file.elf_dynamic_symbol_table();
        let versions = self.sections().versions(LE, self.data).unwrap()?;
        let wanted = (2..u16::MAX)
            .map_while(|ndx| versions.version(elf::VersionIndex(ndx)).ok())
            .flatten()
            .find(|v| v.name() == version.as_bytes())?;
        let name = name.as_bytes();
        let (_, sym) = hash.find(LE, name, elf::hash(name), Some(wanted), symbols, &versions)?;
        Some(sym.st_value(LE))
    }
}

/// The file offsets of the first program header of type `p_type`, of the
/// dynamic entry `tag` and of the dynamic symbol `name`'s parts, in `data`.
pub fn phdr_at(data: &[u8], p_type: ProgramType) -> usize {
    let image = Image::new(data);
    image.at(image.phdr(p_type))
}

pub fn dyn_at(data: &[u8], tag: DynamicTag) -> usize {
    let image = Image::new(data);
    image.at(image.dyn_entry(tag).unwrap())
}

pub fn sym_at(data: &[u8], name: &str) -> (usize, usize, usize, SymbolInfo) {
    let sym = Image::new(data).dynsym(name);
    (sym.at, sym.name_at, sym.versym_at, sym.info)
}

/// The exported function of `arch` that implements the entry point `entry`
/// (`clock_gettime` is `__vdso_clock_gettime` or `__kernel_clock_gettime`).
pub fn entry(arch: axvdso_abi::Arch, entry: &str) -> &'static str {
    (arch.exports().iter())
        .find(|e| {
            e.alias_of.is_none() && e.name.strip_suffix(entry).is_some_and(|p| p.ends_with('_'))
        })
        .unwrap_or_else(|| panic!("{arch} exports no {entry}"))
        .name
}

/// The little-endian `u32` at `at`.
pub fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(data[at..at + 4].try_into().unwrap())
}

/// Little-endian writes into an image being corrupted on purpose.
pub fn put_u16(data: &mut [u8], at: usize, value: u16) {
    data[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

pub fn put_u32(data: &mut [u8], at: usize, value: u32) {
    data[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

pub fn put_u64(data: &mut [u8], at: usize, value: u64) {
    data[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Turns the dynamic entry `old` into a `new` entry of value `value`.
pub fn retag(data: &mut [u8], old: DynamicTag, new: DynamicTag, value: u64) {
    let at = dyn_at(data, old);
    put_u64(data, at, new.0 as u64);
    put_u64(data, at + 8, value);
}
