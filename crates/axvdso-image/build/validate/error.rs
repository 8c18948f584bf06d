//! Why an image is not a usable vDSO: one variant per defect, each with a
//! message naming it (`build.rs` fails with it; `scripts/check-external-image.sh`
//! greps two of them).

use std::fmt;

use axvdso_abi::{Arch, VDSO_SONAME};
use object::elf;

use super::IMAGE_SIZE_LIMIT;

/// Why an image is not a usable vDSO. Each variant names one defect.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        /// The soname found (at most 40 bytes of it).
        found: String,
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
        /// indices 0 and 1, `#?` for an index with no verdef; at most 40
        /// bytes of it).
        found: String,
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
    /// A dynamic entry the arch's images must not have (`DT_GNU_HASH` where
    /// the hash style is `DT_HASH` only).
    UnwantedDynamicEntry {
        /// The tag.
        tag: &'static str,
        /// The arch.
        arch: Arch,
    },
    /// The signal-return code is not the arch's exact bytes, so unwinders do
    /// not recognise a signal frame.
    WrongSigreturnCode {
        /// The symbol.
        name: &'static str,
        /// The bytes found (the symbol's `st_size` of them).
        found: Vec<u8>,
        /// The bytes expected.
        expected: &'static [u8],
    },
    /// The version node's own absolute symbol is missing, or not global,
    /// absolute and of that version.
    MissingVersionNodeSymbol {
        /// The node.
        node: &'static str,
    },
    /// A consumer's lookup with another name's hashes does not find its
    /// symbol: the two hashes fall into different `DT_HASH` buckets.
    MishashedLookupFailed {
        /// The consumer.
        consumer: &'static str,
        /// The symbol it looks up.
        name: &'static str,
        /// The name whose hashes it uses.
        hashed_as: &'static str,
    },
    /// Some other inconsistency, described.
    Malformed {
        /// What is wrong.
        what: &'static str,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
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
                elf::hash(node.as_bytes())
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
            Self::UnwantedDynamicEntry { tag, arch } => write!(
                f,
                "has a {tag} dynamic entry, which {arch} images must not have \
                 (hash style {})",
                arch.hash_style().linker_value()
            ),
            Self::WrongSigreturnCode {
                name,
                found,
                expected,
            } => write!(
                f,
                "symbol {name} is {}, expected exactly {} (what unwinders match)",
                hex(found),
                hex(expected)
            ),
            Self::MissingVersionNodeSymbol { node } => write!(
                f,
                "has no global absolute symbol {node}@{node} (GNU ld's version-node symbol)"
            ),
            Self::MishashedLookupFailed {
                consumer,
                name,
                hashed_as,
            } => write!(
                f,
                "DT_HASH lookup of {name} with the hash of {hashed_as}, as {consumer} \
                 makes it, does not find it"
            ),
            Self::Malformed { what } => write!(f, "malformed: {what}"),
        }
    }
}

impl std::error::Error for ImageError {}

/// `bytes` as hex, space separated: `d2 80 11 68`.
fn hex(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if hex.is_empty() {
        "empty".to_owned()
    } else {
        hex.join(" ")
    }
}

/// The result of an image check.
pub type ImageResult<T> = Result<T, ImageError>;
