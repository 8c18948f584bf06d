//! A small ELF64 reader for the tests, written independently of `src/elf.rs`
//! so that the tests do not check the validator with itself.
//!
//! It also does what a libc does with a vDSO: find a symbol through `DT_HASH`
//! (name hash, bucket, chain) and accept it only if its version matches by
//! hash and name in the verdef (glibc's `_dl_vdso_vsym`, musl's `__vdsosym`).

pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const PT_NOTE: u32 = 4;
pub const PT_TLS: u32 = 7;
pub const PT_GNU_EH_FRAME: u32 = 0x6474_e550;

pub const DT_NULL: u64 = 0;
pub const DT_NEEDED: u64 = 1;
pub const DT_PLTRELSZ: u64 = 2;
pub const DT_HASH: u64 = 4;
pub const DT_STRTAB: u64 = 5;
pub const DT_SYMTAB: u64 = 6;
pub const DT_RELA: u64 = 7;
pub const DT_RELASZ: u64 = 8;
pub const DT_SYMENT: u64 = 11;
pub const DT_SONAME: u64 = 14;
pub const DT_REL: u64 = 17;
pub const DT_RELSZ: u64 = 18;
pub const DT_DEBUG: u64 = 21;
pub const DT_TEXTREL: u64 = 22;
pub const DT_JMPREL: u64 = 23;
pub const DT_RELRSZ: u64 = 35;
pub const DT_GNU_HASH: u64 = 0x6fff_fef5;
pub const DT_VERSYM: u64 = 0x6fff_fff0;
pub const DT_VERDEF: u64 = 0x6fff_fffc;
pub const DT_VERDEFNUM: u64 = 0x6fff_fffd;

pub const SHT_RELA: u32 = 4;
pub const SHT_REL: u32 = 9;

pub const STT_FUNC: u8 = 2;
pub const STB_GLOBAL: u8 = 1;
pub const STB_WEAK: u8 = 2;

/// A program header and where it is in the file.
#[derive(Debug, Clone, Copy)]
pub struct Phdr {
    /// File offset of the header itself.
    pub at: usize,
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
}

/// A dynamic entry and where it is in the file.
#[derive(Debug, Clone, Copy)]
pub struct Dyn {
    pub at: usize,
    pub tag: u64,
    pub val: u64,
}

/// A dynamic symbol and where its parts are in the file.
#[derive(Debug, Clone)]
pub struct Sym {
    pub index: usize,
    /// File offset of the `Elf64_Sym`.
    pub at: usize,
    /// File offset of its name in the string table.
    pub name_at: usize,
    /// File offset of its `versym` entry.
    pub versym_at: usize,
    pub name: String,
    pub info: u8,
    pub shndx: u16,
    pub value: u64,
    pub size: u64,
    /// `versym` with the hidden bit cleared.
    pub version_index: u16,
    pub version: Option<String>,
}

impl Sym {
    pub fn st_type(&self) -> u8 {
        self.info & 0xf
    }

    pub fn binding(&self) -> u8 {
        self.info >> 4
    }
}

/// A version definition and where it is in the file.
#[derive(Debug, Clone)]
pub struct Verdef {
    pub at: usize,
    pub flags: u16,
    pub ndx: u16,
    pub hash: u32,
    pub name: String,
}

/// A section header and where it is in the file.
#[derive(Debug, Clone)]
pub struct Section {
    pub at: usize,
    pub name: String,
    pub sh_type: u32,
    pub offset: u64,
    pub size: u64,
}

/// An ELF64 little-endian file (or a mapped image: the same bytes).
pub struct Elf<'a> {
    pub data: &'a [u8],
}

impl<'a> Elf<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        assert_eq!(&data[..4], b"\x7fELF", "not an ELF file");
        assert_eq!(data[4], 2, "not ELF64");
        assert_eq!(data[5], 1, "not little endian");
        Self { data }
    }

    pub fn u8(&self, at: usize) -> u8 {
        self.data[at]
    }

    pub fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.data[at..at + 2].try_into().unwrap())
    }

    pub fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.data[at..at + 4].try_into().unwrap())
    }

    pub fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.data[at..at + 8].try_into().unwrap())
    }

    pub fn cstr(&self, at: usize) -> String {
        let len = self.data[at..]
            .iter()
            .position(|&b| b == 0)
            .expect("unterminated string");
        String::from_utf8(self.data[at..at + len].to_vec()).expect("non-UTF-8 string")
    }

    pub fn e_type(&self) -> u16 {
        self.u16(0x10)
    }

    pub fn e_machine(&self) -> u16 {
        self.u16(0x12)
    }

    pub fn phdrs(&self) -> Vec<Phdr> {
        let phoff = self.u64(0x20) as usize;
        let phnum = self.u16(0x38) as usize;
        (0..phnum)
            .map(|i| {
                let at = phoff + i * 56;
                Phdr {
                    at,
                    p_type: self.u32(at),
                    flags: self.u32(at + 4),
                    offset: self.u64(at + 8),
                    vaddr: self.u64(at + 16),
                    filesz: self.u64(at + 32),
                    memsz: self.u64(at + 40),
                }
            })
            .collect()
    }

    pub fn phdrs_of(&self, p_type: u32) -> Vec<Phdr> {
        self.phdrs()
            .into_iter()
            .filter(|p| p.p_type == p_type)
            .collect()
    }

    /// File offset of a virtual address, through the (first) PT_LOAD.
    pub fn offset_of(&self, vaddr: u64) -> usize {
        let load = self.phdrs_of(PT_LOAD)[0];
        assert!(
            vaddr >= load.vaddr && vaddr < load.vaddr + load.filesz,
            "{vaddr:#x} not loaded"
        );
        (vaddr - load.vaddr + load.offset) as usize
    }

    /// The dynamic entries, up to and including DT_NULL.
    pub fn dynamic(&self) -> Vec<Dyn> {
        let dynamic = self.phdrs_of(PT_DYNAMIC)[0];
        let mut out = Vec::new();
        let mut at = dynamic.offset as usize;
        while at + 16 <= (dynamic.offset + dynamic.filesz) as usize {
            let entry = Dyn {
                at,
                tag: self.u64(at),
                val: self.u64(at + 8),
            };
            out.push(entry);
            if entry.tag == DT_NULL {
                break;
            }
            at += 16;
        }
        out
    }

    pub fn dyn_entry(&self, tag: u64) -> Option<Dyn> {
        self.dynamic().into_iter().find(|d| d.tag == tag)
    }

    pub fn dyn_val(&self, tag: u64) -> Option<u64> {
        self.dyn_entry(tag).map(|d| d.val)
    }

    fn strtab(&self) -> usize {
        self.offset_of(self.dyn_val(DT_STRTAB).expect("DT_STRTAB"))
    }

    pub fn dynstr(&self, offset: u32) -> String {
        self.cstr(self.strtab() + offset as usize)
    }

    pub fn soname(&self) -> Option<String> {
        self.dyn_val(DT_SONAME).map(|off| self.dynstr(off as u32))
    }

    /// File offset of the first occurrence of `text` + NUL in the string table.
    pub fn dynstr_at(&self, text: &str) -> usize {
        let start = self.strtab();
        let mut needle = text.as_bytes().to_vec();
        needle.push(0);
        let table = &self.data[start..];
        let pos = table
            .windows(needle.len())
            .enumerate()
            .find(|&(i, w)| w == needle && (i == 0 || table[i - 1] == 0))
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("{text:?} not in the string table"));
        start + pos
    }

    pub fn verdefs(&self) -> Vec<Verdef> {
        let Some(verdef) = self.dyn_val(DT_VERDEF) else {
            return Vec::new();
        };
        let mut at = self.offset_of(verdef);
        let mut out = Vec::new();
        loop {
            let aux = self.u32(at + 12) as usize;
            out.push(Verdef {
                at,
                flags: self.u16(at + 2),
                ndx: self.u16(at + 4),
                hash: self.u32(at + 8),
                name: self.dynstr(self.u32(at + aux)),
            });
            let next = self.u32(at + 16) as usize;
            if next == 0 {
                return out;
            }
            at += next;
        }
    }

    /// Number of dynamic symbols: DT_HASH's nchain.
    pub fn nsyms(&self) -> usize {
        self.u32(self.offset_of(self.dyn_val(DT_HASH).expect("DT_HASH")) + 4) as usize
    }

    pub fn dynsyms(&self) -> Vec<Sym> {
        let symtab = self.offset_of(self.dyn_val(DT_SYMTAB).expect("DT_SYMTAB"));
        let versym = self.dyn_val(DT_VERSYM).map(|v| self.offset_of(v));
        let verdefs = self.verdefs();
        (0..self.nsyms())
            .map(|index| {
                let at = symtab + index * 24;
                let versym_at = versym.map_or(0, |v| v + 2 * index);
                let version_index = versym.map_or(1, |_| self.u16(versym_at) & 0x7fff);
                let name_off = self.u32(at);
                Sym {
                    index,
                    at,
                    name_at: self.strtab() + name_off as usize,
                    versym_at,
                    name: self.dynstr(name_off),
                    info: self.u8(at + 4),
                    shndx: self.u16(at + 6),
                    value: self.u64(at + 8),
                    size: self.u64(at + 16),
                    version_index,
                    version: verdefs
                        .iter()
                        .find(|v| v.ndx == version_index && v.flags & 1 == 0)
                        .map(|v| v.name.clone()),
                }
            })
            .collect()
    }

    pub fn dynsym(&self, name: &str) -> Sym {
        self.dynsyms()
            .into_iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no dynamic symbol {name}"))
    }

    pub fn sections(&self) -> Vec<Section> {
        let shoff = self.u64(0x28) as usize;
        let shnum = self.u16(0x3c) as usize;
        if shoff == 0 {
            return Vec::new();
        }
        let shstrndx = self.u16(0x3e) as usize;
        let shstr = self.u64(shoff + shstrndx * 64 + 0x18) as usize;
        (0..shnum)
            .map(|i| {
                let at = shoff + i * 64;
                Section {
                    at,
                    name: self.cstr(shstr + self.u32(at) as usize),
                    sh_type: self.u32(at + 4),
                    offset: self.u64(at + 0x18),
                    size: self.u64(at + 0x20),
                }
            })
            .collect()
    }

    pub fn section(&self, name: &str) -> Option<Section> {
        self.sections().into_iter().find(|s| s.name == name)
    }

    /// The notes of every PT_NOTE: `(name, type, descriptor)`.
    pub fn notes(&self) -> Vec<(String, u32, Vec<u8>)> {
        let mut out = Vec::new();
        for note in self.phdrs_of(PT_NOTE) {
            let mut at = note.offset as usize;
            let end = at + note.filesz as usize;
            while at + 12 <= end {
                let namesz = self.u32(at) as usize;
                let descsz = self.u32(at + 4) as usize;
                let n_type = self.u32(at + 8);
                let name = &self.data[at + 12..at + 12 + namesz];
                let name = String::from_utf8_lossy(name.strip_suffix(&[0]).unwrap_or(name));
                let desc = at + 12 + namesz.next_multiple_of(4);
                out.push((
                    name.into_owned(),
                    n_type,
                    self.data[desc..desc + descsz].to_vec(),
                ));
                at = desc + descsz.next_multiple_of(4);
            }
        }
        out
    }

    /// What a libc does: look `name`@`version` up through DT_HASH and the
    /// verdef, and return the symbol's address relative to the load base.
    pub fn lookup(&self, name: &str, version: &str) -> Option<u64> {
        let hash = self.offset_of(self.dyn_val(DT_HASH)?);
        let symtab = self.offset_of(self.dyn_val(DT_SYMTAB)?);
        let versym = self.offset_of(self.dyn_val(DT_VERSYM)?);
        let nbucket = self.u32(hash) as usize;
        let nchain = self.u32(hash + 4) as usize;
        let buckets = hash + 8;
        let chains = buckets + 4 * nbucket;
        let wanted_version_hash = sysv_hash(version.as_bytes());
        let mut index = self.u32(buckets + 4 * (sysv_hash(name.as_bytes()) as usize % nbucket));
        let mut steps = 0;
        while index != 0 {
            steps += 1;
            assert!(steps <= nchain, "DT_HASH chain loops");
            let sym = symtab + 24 * index as usize;
            let info = self.u8(sym + 4);
            let defined = self.u16(sym + 6) != 0;
            let binding_ok = matches!(info >> 4, STB_GLOBAL | STB_WEAK);
            if defined && binding_ok && info & 0xf == STT_FUNC && self.dynstr(self.u32(sym)) == name
            {
                let ndx = self.u16(versym + 2 * index as usize) & 0x7fff;
                let version_ok = self.verdefs().iter().any(|v| {
                    v.ndx & 0x7fff == ndx
                        && v.flags & 1 == 0
                        && v.hash == wanted_version_hash
                        && v.name == version
                });
                if version_ok {
                    return Some(self.u64(sym + 8));
                }
            }
            index = self.u32(chains + 4 * index as usize);
        }
        None
    }
}

/// The SysV ELF hash.
pub fn sysv_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for &c in name {
        h = (h << 4).wrapping_add(c as u32);
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
        }
        h &= !g;
    }
    h
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
