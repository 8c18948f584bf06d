//! The arches, one table row each: what a vDSO for that arch exports and
//! under which names a libc looks it up (Linux 6.1, `arch/*/kernel/vdso/`).

use core::fmt;

use linux_raw_sys::elf_uapi::{EM_RISCV, EM_X86_64};

/// A symbol a vDSO exports, under its arch's version node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Export {
    /// The symbol name.
    pub name: &'static str,
    /// For a weak alias (`STB_WEAK`), the export it names again, at the same
    /// address, with the same type and size; `None` for a global function.
    pub alias_of: Option<&'static str>,
}

impl Export {
    const fn function(name: &'static str) -> Self {
        Self {
            name,
            alias_of: None,
        }
    }

    const fn weak_alias(name: &'static str, of: &'static str) -> Self {
        Self {
            name,
            alias_of: Some(of),
        }
    }

    /// Whether the symbol is weak: Linux exports its unprefixed aliases weak.
    pub const fn is_weak(self) -> bool {
        self.alias_of.is_some()
    }
}

/// An architecture axvdso builds vDSO images for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    /// 64-bit RISC-V (`riscv64gc`).
    Riscv64,
    /// x86_64.
    X86_64,
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
    sigreturn: Option<&'static str>,
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
        ],
        sigreturn: Some("__vdso_rt_sigreturn"),
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
        ],
        // libcs always pass their own restorer (`SA_RESTORER`).
        sigreturn: None,
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

    /// The `target_arch` name: `riscv64` or `x86_64`.
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
    /// Linux 6.1 exports, which libcs or the kernel look up.
    pub const fn exports(self) -> &'static [Export] {
        self.row().exports
    }

    /// The function the kernel points a signal handler's return address at
    /// (one of the [`exports`](Self::exports)), or `None` where libcs always
    /// pass their own restorer (`SA_RESTORER` on x86_64).
    pub const fn sigreturn_symbol(self) -> Option<&'static str> {
        self.row().sigreturn
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
        for arch in [Arch::Riscv64, Arch::X86_64] {
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
        assert_eq!(
            (Arch::Riscv64.e_machine(), Arch::X86_64.e_machine()),
            (243, 62)
        );
    }

    #[test]
    fn sigreturn_is_an_exported_function() {
        assert_eq!(
            Arch::Riscv64.sigreturn_symbol(),
            Some("__vdso_rt_sigreturn")
        );
        assert_eq!(Arch::X86_64.sigreturn_symbol(), None);
        for arch in Arch::all() {
            if let Some(name) = arch.sigreturn_symbol() {
                let export = arch.exports().iter().find(|e| e.name == name);
                assert_eq!(export, Some(&Export::function(name)), "{arch}");
            }
        }
    }

    #[test]
    fn exports_are_unique_and_aliases_name_functions() {
        for arch in Arch::all() {
            let exports = arch.exports();
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
                    assert!(export.name.starts_with("__vdso_"), "{arch}: {export:?}");
                }
            }
            // Every function libcs look up on every arch.
            for name in [
                "__vdso_clock_gettime",
                "__vdso_gettimeofday",
                "__vdso_clock_getres",
            ] {
                assert!(exports.iter().any(|e| e.name == name), "{arch}: {name}");
            }
        }
    }
}
