//! The arches, one table row each: what a vDSO for that arch exports and
//! under which names a libc looks it up (Linux 6.1, `arch/*/kernel/vdso/`).

use core::fmt;

use linux_raw_sys::elf_uapi::{EM_AARCH64, EM_LOONGARCH, EM_RISCV, EM_X86_64};

/// A symbol a vDSO exports, under its arch's version node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The symbol name.
    pub name: &'static str,
    /// For a weak alias (`STB_WEAK`), the export it names again, at the same
    /// address, with the same type and size; `None` for a global function.
    pub alias_of: Option<&'static str>,
    /// The first Linux release whose image of the arch exports it, where that
    /// is later than 6.1: Linux's 6.1 image lacks it, so an external image
    /// need not have it. `None`: Linux 6.1's image exports it.
    pub since: Option<&'static str>,
}

impl Export {
    const fn function(name: &'static str) -> Self {
        Self {
            name,
            alias_of: None,
            since: None,
        }
    }

    const fn weak_alias(name: &'static str, of: &'static str) -> Self {
        Self {
            name,
            alias_of: Some(of),
            since: None,
        }
    }

    /// A weak alias that Linux's image exports from release `since` on.
    const fn weak_alias_since(name: &'static str, of: &'static str, since: &'static str) -> Self {
        Self {
            name,
            alias_of: Some(of),
            since: Some(since),
        }
    }

    /// A global function that Linux's image exports from release `since` on.
    const fn function_since(name: &'static str, since: &'static str) -> Self {
        Self {
            name,
            alias_of: None,
            since: Some(since),
        }
    }

    /// Whether Linux 6.1's image of the arch exports it (an external image
    /// must then export it too).
    pub const fn in_linux_6_1(self) -> bool {
        self.since.is_none()
    }

    /// Whether the symbol is weak: Linux exports its unprefixed aliases weak.
    pub const fn is_weak(self) -> bool {
        self.alias_of.is_some()
    }
}

/// The symbol hash tables an image carries: the linker's `--hash-style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashStyle {
    /// `DT_HASH` only, as Linux's arm64 image (see [`Arch::mishashed_lookups`]).
    Sysv,
    /// Both `DT_HASH`, the only one musl reads, and `DT_GNU_HASH`, which glibc
    /// prefers.
    Both,
}

impl HashStyle {
    /// The value of the linker's `--hash-style` option.
    pub const fn linker_value(self) -> &'static str {
        match self {
            Self::Sysv => "sysv",
            Self::Both => "both",
        }
    }

    /// Whether the image has a `DT_GNU_HASH` table.
    pub const fn has_gnu_hash(self) -> bool {
        matches!(self, Self::Both)
    }
}

/// A lookup a known consumer makes with the hashes of another name.
///
/// It walks the `DT_HASH` chain of the bucket of
/// [`hashed_as`](Self::hashed_as)'s ELF hash and compares names there, so it
/// finds [`name`](Self::name) only if both hashes fall into the same bucket:
/// the bucket count must divide their difference. With a `DT_GNU_HASH`
/// table present the consumer uses that one instead and never finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MishashedLookup {
    /// The consumer, for messages.
    pub consumer: &'static str,
    /// The export it looks up (one of the arch's [`exports`](Arch::exports)).
    pub name: &'static str,
    /// The name whose hashes it uses instead.
    pub hashed_as: &'static str,
}

/// An architecture axvdso builds vDSO images for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 64-bit RISC-V (`riscv64gc`).
    Riscv64,
    /// x86_64.
    X86_64,
    /// 64-bit Arm (AArch64).
    Aarch64,
    /// 64-bit LoongArch (LA64).
    Loongarch64,
}

/// The facts of one arch.
struct Row {
    arch: Arch,
    name: &'static str,
    rust_target: &'static str,
    e_machine: u16,
    version_node: &'static str,
    /// In the order Linux's version script lists them.
    exports: &'static [Export],
    sigreturn: Option<Sigreturn>,
    hash_style: HashStyle,
    version_node_symbol: bool,
    mishashed_lookups: &'static [MishashedLookup],
    /// See [`Arch::linux_image_fits_our_data_pages`].
    linux_data_pages: bool,
}

/// The signal-return code: its symbol, its exact bytes, and whether unwind
/// tables describe it.
struct Sigreturn {
    symbol: &'static str,
    code: &'static [u8],
    cfi: bool,
}

/// One row per arch: adding an arch is a variant of [`Arch`] and a row here.
const TABLE: &[Row] = &[
    Row {
        arch: Arch::Riscv64,
        name: "riscv64",
        rust_target: "riscv64gc-unknown-none-elf",
        e_machine: EM_RISCV as u16,
        version_node: "LINUX_4.15",
        exports: &[
            Export::function("__vdso_rt_sigreturn"),
            Export::function("__vdso_gettimeofday"),
            Export::function("__vdso_clock_gettime"),
            Export::function("__vdso_clock_getres"),
            Export::function("__vdso_getcpu"),
            Export::function("__vdso_flush_icache"),
            Export::function_since("__vdso_getrandom", "6.16"),
        ],
        // li a7, 139 ; ecall (uncompressed).
        sigreturn: Some(Sigreturn {
            symbol: "__vdso_rt_sigreturn",
            code: &[0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00],
            // Linux's riscv image describes it (.cfi_signal_frame, the
            // registers in the frame's uc_mcontext).
            cfi: true,
        }),
        hash_style: HashStyle::Both,
        version_node_symbol: false,
        mishashed_lookups: &[],
        linux_data_pages: true,
    },
    Row {
        arch: Arch::X86_64,
        name: "x86_64",
        rust_target: "x86_64-unknown-none",
        e_machine: EM_X86_64 as u16,
        version_node: "LINUX_2.6",
        exports: &[
            Export::weak_alias("clock_gettime", "__vdso_clock_gettime"),
            Export::function("__vdso_clock_gettime"),
            Export::weak_alias("gettimeofday", "__vdso_gettimeofday"),
            Export::function("__vdso_gettimeofday"),
            Export::weak_alias("getcpu", "__vdso_getcpu"),
            Export::function("__vdso_getcpu"),
            Export::weak_alias("time", "__vdso_time"),
            Export::function("__vdso_time"),
            Export::weak_alias("clock_getres", "__vdso_clock_getres"),
            Export::function("__vdso_clock_getres"),
            Export::weak_alias_since("getrandom", "__vdso_getrandom", "6.11"),
            Export::function_since("__vdso_getrandom", "6.11"),
        ],
        // libcs always pass their own restorer (`SA_RESTORER`).
        sigreturn: None,
        hash_style: HashStyle::Both,
        version_node_symbol: false,
        mishashed_lookups: &[],
        linux_data_pages: false,
    },
    Row {
        arch: Arch::Aarch64,
        name: "aarch64",
        // Soft-float: the vDSO must not touch the caller's FP/SIMD registers.
        rust_target: "aarch64-unknown-none-softfloat",
        e_machine: EM_AARCH64 as u16,
        version_node: "LINUX_2.6.39",
        // arch/arm64/kernel/vdso/vdso.lds.S
        exports: &[
            Export::function("__kernel_rt_sigreturn"),
            Export::function("__kernel_gettimeofday"),
            Export::function("__kernel_clock_gettime"),
            Export::function("__kernel_clock_getres"),
            Export::function_since("__kernel_getrandom", "6.12"),
        ],
        // mov x8, #139 ; svc #0 (d2801168 d4000001).
        sigreturn: Some(Sigreturn {
            symbol: "__kernel_rt_sigreturn",
            code: &[0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4],
            // Linux 6.1's arm64 image has none (its sigreturn.S comments the
            // directives out): with an FDE that unwinds through the frame
            // record only, libgcc's _Unwind_Backtrace from a handler crashes;
            // without one, libgcc matches the bytes and reads the sigcontext.
            cfi: false,
        }),
        // As Linux's arm64 image: Go 1.19 (below) uses DT_GNU_HASH when it is
        // there, and then never finds its symbol.
        hash_style: HashStyle::Sysv,
        // As GNU ld writes for Linux. (lld's DT_HASH bucket count is the
        // dynamic symbol count, 7 with it; the image builder re-buckets the
        // table to one that Go 1.19's lookup below works with.)
        version_node_symbol: true,
        mishashed_lookups: &[MishashedLookup {
            consumer: "Go 1.19's arm64 runtime (Debian bookworm)",
            name: "__kernel_clock_gettime",
            hashed_as: "__vdso_clock_gettime",
        }],
        linux_data_pages: true,
    },
    Row {
        arch: Arch::Loongarch64,
        name: "loongarch64",
        // Soft-float: the vDSO must not touch the caller's FP/SIMD registers.
        rust_target: "loongarch64-unknown-none-softfloat",
        e_machine: EM_LOONGARCH as u16,
        version_node: "LINUX_5.10",
        // arch/loongarch/vdso/vdso.lds.S
        exports: &[
            Export::function("__vdso_getcpu"),
            Export::function("__vdso_clock_getres"),
            Export::function("__vdso_clock_gettime"),
            Export::function("__vdso_gettimeofday"),
            Export::function("__vdso_rt_sigreturn"),
        ],
        // li.w a7, 139 (as GNU as writes it: ori a7, zero, 139) ; syscall 0
        // (03822c0b 002b0000).
        sigreturn: Some(Sigreturn {
            symbol: "__vdso_rt_sigreturn",
            code: &[0x0b, 0x2c, 0x82, 0x03, 0x00, 0x00, 0x2b, 0x00],
            // Linux 6.1's image keeps none (its CFI goes to .debug_frame,
            // stripped); ours describes the sigcontext as Linux 6.12's
            // SYM_SIGFUNC_START does, since our other functions have FDEs.
            cfi: true,
        }),
        // As Linux's loongarch image (`--hash-style=sysv` in its Makefile).
        hash_style: HashStyle::Sysv,
        // As GNU ld writes for Linux's image.
        version_node_symbol: true,
        mishashed_lookups: &[],
        // Linux's vvar area is 2 pages plus the per-CPU `loongarch_vdso_data`
        // (one more page with 64 CPUs), and its image finds the generic data
        // at the bottom of it: 3 or more pages below the image, not 2.
        linux_data_pages: false,
    },
];

impl Arch {
    /// Every supported arch, in table order.
    pub fn all() -> impl Iterator<Item = Self> {
        TABLE.iter().map(|row| row.arch)
    }

    /// The arch for a `target_arch` value (`CARGO_CFG_TARGET_ARCH`), if supported.
    pub fn from_target_arch(target_arch: &str) -> Option<Self> {
        Self::all().find(|arch| arch.name() == target_arch)
    }

    const fn row(self) -> &'static Row {
        let mut index = 0;
        while TABLE[index].arch as u8 != self as u8 {
            index += 1;
        }
        &TABLE[index]
    }

    /// The `target_arch` name: `riscv64`, `x86_64`, `aarch64` or `loongarch64`.
    pub const fn name(self) -> &'static str {
        self.row().name
    }

    /// The bare-metal Rust target the vDSO is compiled for.
    pub const fn rust_target(self) -> &'static str {
        self.row().rust_target
    }

    /// The ELF `e_machine` of its images.
    pub const fn e_machine(self) -> u16 {
        self.row().e_machine
    }

    /// The version node the symbols are exported under; libcs look them up
    /// with exactly this string (and its ELF hash).
    pub const fn version_node(self) -> &'static str {
        self.row().version_node
    }

    /// What an image exports under [`version_node`](Self::version_node): what
    /// Linux 6.1 exports, which libcs or the kernel look up, and the later
    /// exports axvdso implements ([`Export::since`]).
    pub const fn exports(self) -> &'static [Export] {
        self.row().exports
    }

    /// The function the kernel points a signal handler's return address at
    /// (one of the [`exports`](Self::exports)), or `None` where libcs always
    /// pass their own restorer (`SA_RESTORER` on x86_64).
    pub const fn sigreturn_symbol(self) -> Option<&'static str> {
        match &self.row().sigreturn {
            Some(sigreturn) => Some(sigreturn.symbol),
            None => None,
        }
    }

    /// The exact bytes of [`sigreturn_symbol`](Self::sigreturn_symbol)'s
    /// code: Linux's, which unwinders (libgcc, LLVM's libunwind) pattern-match
    /// to recognise a signal frame.
    pub const fn sigreturn_code(self) -> Option<&'static [u8]> {
        match &self.row().sigreturn {
            Some(sigreturn) => Some(sigreturn.code),
            None => None,
        }
    }

    /// Whether unwind tables (an FDE marked as a signal frame) cover
    /// [`sigreturn_symbol`](Self::sigreturn_symbol), as in Linux's image of
    /// the arch; `false` where there is none.
    pub const fn sigreturn_has_cfi(self) -> bool {
        match &self.row().sigreturn {
            Some(sigreturn) => sigreturn.cfi,
            None => false,
        }
    }

    /// The symbol hash tables of its images.
    pub const fn hash_style(self) -> HashStyle {
        self.row().hash_style
    }

    /// Whether its images also export an absolute symbol named after the
    /// [`version_node`](Self::version_node), of that version, as GNU ld
    /// writes for a version node (Linux's images have it; lld writes none).
    pub const fn has_version_node_symbol(self) -> bool {
        self.row().version_node_symbol
    }

    /// The lookups known consumers make with the wrong hashes, which its
    /// images must nevertheless answer.
    pub const fn mishashed_lookups(self) -> &'static [MishashedLookup] {
        self.row().mishashed_lookups
    }

    /// Whether Linux 6.1's own image for the arch reads the data pages we
    /// map, where we map them (two pages directly below the image, the
    /// generic `vdso_data` layout), so that it can run in place of ours.
    /// x86_64's does not: its vvar area has more pages, in another order;
    /// loongarch64's neither: its vvar area has the per-CPU pages of
    /// `getcpu` above the two generic ones, and its image finds the data at
    /// the bottom of the whole area (3 or more pages below the image).
    pub const fn linux_image_fits_our_data_pages(self) -> bool {
        self.row().linux_data_pages
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_arch() {
        for arch in [
            Arch::Riscv64,
            Arch::X86_64,
            Arch::Aarch64,
            Arch::Loongarch64,
        ] {
            assert_eq!(TABLE.iter().filter(|row| row.arch == arch).count(), 1);
            assert_eq!(Arch::from_target_arch(arch.name()), Some(arch));
        }
        assert_eq!(Arch::all().count(), TABLE.len());
        assert_eq!(Arch::from_target_arch("mips64"), None);
    }

    #[test]
    fn versions_are_what_libcs_look_up() {
        assert_eq!(Arch::Riscv64.version_node(), "LINUX_4.15");
        assert_eq!(Arch::X86_64.version_node(), "LINUX_2.6");
        assert_eq!(Arch::Aarch64.version_node(), "LINUX_2.6.39");
        assert_eq!(Arch::Loongarch64.version_node(), "LINUX_5.10");
        assert_eq!(
            (
                Arch::Riscv64.e_machine(),
                Arch::X86_64.e_machine(),
                Arch::Aarch64.e_machine(),
                Arch::Loongarch64.e_machine()
            ),
            (243, 62, 183, 258)
        );
    }

    #[test]
    fn sigreturn_is_an_exported_function() {
        assert_eq!(
            Arch::Riscv64.sigreturn_symbol(),
            Some("__vdso_rt_sigreturn")
        );
        assert_eq!(
            Arch::Aarch64.sigreturn_symbol(),
            Some("__kernel_rt_sigreturn")
        );
        assert_eq!(
            Arch::Loongarch64.sigreturn_symbol(),
            Some("__vdso_rt_sigreturn")
        );
        assert_eq!(Arch::X86_64.sigreturn_symbol(), None);
        let bytes =
            |words: [u32; 2]| -> Vec<u8> { words.iter().flat_map(|w| w.to_le_bytes()).collect() };
        // mov x8, #139 ; svc #0
        let aarch64 = bytes([0xd280_1168, 0xd400_0001]);
        assert_eq!(Arch::Aarch64.sigreturn_code(), Some(&aarch64[..]));
        // ori a7, zero, 139 ; syscall 0: what libgcc, libunwind and GDB match.
        let loongarch64 = bytes([0x0382_2c0b, 0x002b_0000]);
        assert_eq!(Arch::Loongarch64.sigreturn_code(), Some(&loongarch64[..]));
        assert!(Arch::Riscv64.sigreturn_has_cfi());
        assert!(!Arch::Aarch64.sigreturn_has_cfi());
        assert!(Arch::Loongarch64.sigreturn_has_cfi());
        assert!(!Arch::X86_64.sigreturn_has_cfi());
        for arch in Arch::all() {
            assert_eq!(
                arch.sigreturn_symbol().is_some(),
                arch.sigreturn_code().is_some()
            );
            if let Some(name) = arch.sigreturn_symbol() {
                let export = arch.exports().iter().find(|e| e.name == name);
                assert_eq!(export, Some(&Export::function(name)), "{arch}");
            }
        }
    }

    #[test]
    fn hash_styles_are_linux_ones() {
        assert_eq!(Arch::Riscv64.hash_style(), HashStyle::Both);
        assert_eq!(Arch::X86_64.hash_style(), HashStyle::Both);
        assert_eq!(Arch::Aarch64.hash_style(), HashStyle::Sysv);
        assert_eq!(Arch::Loongarch64.hash_style(), HashStyle::Sysv);
        assert_eq!(HashStyle::Sysv.linker_value(), "sysv");
        assert!(!HashStyle::Sysv.has_gnu_hash() && HashStyle::Both.has_gnu_hash());
        for arch in Arch::all() {
            for lookup in arch.mishashed_lookups() {
                // Only a DT_HASH-only image can answer it.
                assert_eq!(arch.hash_style(), HashStyle::Sysv, "{arch}");
                let export = arch.exports().iter().find(|e| e.name == lookup.name);
                assert!(export.is_some(), "{arch}: {lookup:?}");
            }
        }
    }

    #[test]
    fn exports_are_unique_and_aliases_name_functions() {
        for arch in Arch::all() {
            let exports = arch.exports();
            let prefix = if arch == Arch::Aarch64 {
                "__kernel_"
            } else {
                "__vdso_"
            };
            for (i, export) in exports.iter().enumerate() {
                assert!(
                    exports[..i].iter().all(|e| e.name != export.name),
                    "{arch}: {} twice",
                    export.name
                );
                if let Some(target) = export.alias_of {
                    let target = exports.iter().find(|e| e.name == target);
                    assert!(target.is_some_and(|t| !t.is_weak()), "{arch}: {export:?}");
                } else {
                    // The arch's one prefix (Linux arm64 names them
                    // `__kernel_*`, the others `__vdso_*`).
                    assert!(export.name.starts_with(prefix), "{arch}: {export:?}");
                }
            }
            // Every function libcs look up on every arch.
            for name in ["clock_gettime", "gettimeofday", "clock_getres"] {
                let name = format!("{prefix}{name}");
                assert!(exports.iter().any(|e| e.name == name), "{arch}: {name}");
            }
        }
    }

    /// The ELF (SysV) hash of `name`, as `DT_HASH` uses it.
    fn elf_hash(name: &str) -> u32 {
        name.bytes().fold(0u32, |h, b| {
            let h = (h << 4).wrapping_add(u32::from(b));
            (h ^ ((h & 0xf000_0000) >> 24)) & 0x0fff_ffff
        })
    }

    #[test]
    fn mishashed_lookups_share_a_bucket_at_some_useful_count() {
        // lld's DT_HASH has one bucket per dynamic symbol, the null one
        // included; where that count does not work, the image builder
        // re-buckets the table with the largest count below it that does
        // (the image tests check the real table). One bucket always works
        // but makes every lookup walk every symbol: a count of at least 2
        // must exist.
        assert_eq!(elf_hash("__kernel_clock_gettime"), 0x0b0c_d725);
        assert_eq!(elf_hash("__vdso_clock_gettime"), 0x0d35_ec75);
        assert_eq!(elf_hash("LINUX_2.6.39"), 0x075f_cb89);
        for arch in Arch::all() {
            let symbols = 1 + arch.exports().len() + usize::from(arch.has_version_node_symbol());
            for lookup in arch.mishashed_lookups() {
                let works = |n: usize| {
                    elf_hash(lookup.name) as usize % n == elf_hash(lookup.hashed_as) as usize % n
                };
                assert!((2..=symbols).any(works), "{arch}");
            }
        }
        // aarch64's 7 symbols (getrandom included) need it: 6 works, 7 not.
        assert_ne!(0x0b0c_d725 % 7, 0x0d35_ec75 % 7);
        assert_eq!(0x0b0c_d725 % 6, 0x0d35_ec75 % 6);
    }
}
