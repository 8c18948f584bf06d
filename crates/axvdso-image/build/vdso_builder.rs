//! Builds `linux-vdso.so.1` from the `vdso/` crate: a nested cargo build of the
//! static library for the bare target, then a rust-lld link.
//!
//! Shared by `build.rs` and the tests (both include it with `#[path]`), so it
//! uses only `std` and refers to nothing outside itself.
//!
//! The nested cargo must not inherit the outer build's configuration: it runs
//! with every `CARGO_*` variable but `CARGO_HOME` removed (target, target dir,
//! rustflags, profile overrides, jobserver, ...), without `RUSTFLAGS`,
//! `RUSTC_WRAPPER` or `RUSTC_WORKSPACE_WRAPPER` (clippy sets the latter), with
//! its own rustflags (`CARGO_ENCODED_RUSTFLAGS` overrides every config file),
//! its own target dir, and with the source directory as working directory so
//! that only this repository's `.cargo/config.toml` files apply. It uses the
//! outer build's cargo and the rustc of the outer build's sysroot, `--offline
//! --locked`.
//!
//! What the link must export, and how, comes from `axvdso-abi`: the version
//! script is written from the arch's row, with a `-u` flag per export.

use std::{
    env,
    ffi::OsString,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use axvdso_abi::{Arch, PAGE_SIZE_4K, VDSO_SONAME};

/// Flags for every vDSO compilation: position independent code (no absolute
/// addresses, so no relocations), and unwind tables so that debuggers and
/// profilers can walk through the vDSO.
const RUSTFLAGS: &[&str] = &["-Crelocation-model=pic", "-Cforce-unwind-tables=yes"];

/// How to call the toolchain.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The cargo binary.
    pub cargo: PathBuf,
    /// The rustc binary (absolute, inside its sysroot).
    pub rustc: PathBuf,
    /// The toolchain's own `rust-lld`, beside its host libraries.
    pub rust_lld: PathBuf,
    /// The toolchain's sysroot.
    pub sysroot: PathBuf,
}

impl Toolchain {
    /// The toolchain of the current cargo invocation: `CARGO` and `RUSTC`
    /// (given to build scripts; tests get `CARGO` and find rustc next to it).
    pub fn from_env() -> Result<Self, String> {
        let cargo = env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
        let rustc = match env::var_os("RUSTC") {
            Some(rustc) => PathBuf::from(rustc),
            None => {
                let sibling = cargo.with_file_name(exe("rustc"));
                if sibling.is_file() {
                    sibling
                } else {
                    PathBuf::from("rustc")
                }
            }
        };
        let sysroot = PathBuf::from(run_capture(
            Command::new(&rustc).args(["--print", "sysroot"]),
        )?);
        let host_libdir = PathBuf::from(run_capture(
            Command::new(&rustc).args(["--print", "target-libdir"]),
        )?);
        // Pin the exact compiler: a bare `rustc` is a rustup proxy that could
        // resolve to another toolchain in the nested build's directory.
        let pinned = sysroot.join("bin").join(exe("rustc"));
        let rustc = if pinned.is_file() { pinned } else { rustc };
        Ok(Self {
            cargo,
            rustc,
            rust_lld: host_libdir.with_file_name("bin").join(exe("rust-lld")),
            sysroot,
        })
    }

    /// Whether the toolchain ships a prebuilt `core` for `target`; without
    /// one (a nightly with `rust-src` only, as the starry-kernel 0.12 base
    /// uses, or a toolchain whose mirror lacks the target's `rust-std`) the
    /// build compiles `core` from the toolchain's `rust-src`.
    pub fn has_prebuilt_core(&self, target: &str) -> bool {
        self.sysroot
            .join("lib/rustlib")
            .join(target)
            .join("lib")
            .is_dir()
    }
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Built {
    /// The image to embed: stripped of the static symbol table (the same
    /// link with it, for debuggers, is `vdso.dbg.so` beside it).
    pub image: PathBuf,
    /// Every file the image was built from (sources, manifests, lock file,
    /// linker script), for `rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
}

/// Builds the vDSO for `arch` from `source_dir` (the `vdso/` crate), working in
/// `work_dir` (created if missing; nothing is written elsewhere).
pub fn build_vdso(
    arch: Arch,
    source_dir: &Path,
    work_dir: &Path,
    toolchain: &Toolchain,
) -> Result<Built, String> {
    let target = arch.rust_target();
    let manifest = source_dir.join("Cargo.toml");
    let linker_script = source_dir.join("link/vdso.lds");
    let version_script = work_dir.join(format!("{arch}.ver"));
    let target_dir = work_dir.join("target");
    fs::create_dir_all(work_dir)
        .map_err(|err| format!("creating {}: {err}", work_dir.display()))?;
    fs::write(&version_script, version_script_text(arch))
        .map_err(|err| format!("writing {}: {err}", version_script.display()))?;

    let prebuilt_core = toolchain.has_prebuilt_core(target);
    let mut cargo = Command::new(&toolchain.cargo);
    scrub_env(&mut cargo);
    if !prebuilt_core {
        // `-Z build-std` on a stable toolchain too: only `core` is built,
        // from the toolchain's own `rust-src`, for a target whose prebuilt
        // one is not installed.
        cargo.env("RUSTC_BOOTSTRAP", "1");
    }
    cargo
        .current_dir(source_dir)
        .env("RUSTC", &toolchain.rustc)
        .env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\x1f"))
        .args([
            "build",
            "--release",
            "--offline",
            "--locked",
            "--lib",
            "--quiet",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--target", target])
        .args(if prebuilt_core {
            &[][..]
        } else {
            &["-Z", "build-std=core"][..]
        })
        .arg("--target-dir")
        .arg(&target_dir)
        // The manifest's `[profile.release]` again, as a config file: a
        // profile in a user's or a parent directory's cargo config would
        // otherwise override the manifest's, and a `--config` file outranks
        // them all. (Cargo reads only config keys from it; the manifest has
        // none of the tables the two formats share but `profile`.)
        .arg("--config")
        .arg(&manifest);
    run(&mut cargo)?;

    let release = target_dir.join(target).join("release");
    let staticlib = release.join("libaxvdso_vdso.a");
    let link = |output: &Path, strip: bool| {
        let mut lld = Command::new(&toolchain.rust_lld);
        lld.args(["-flavor", "gnu", "-shared"])
            .arg(format!("-soname={VDSO_SONAME}"))
            .arg(format!("--hash-style={}", arch.hash_style().linker_value()))
            .args(["--eh-frame-hdr", "--build-id=sha1"])
            .arg("-z")
            .arg(format!("max-page-size={PAGE_SIZE_4K}"))
            .arg("-z")
            .arg(format!("common-page-size={PAGE_SIZE_4K}"))
            .args(["--no-undefined", "--gc-sections"])
            .arg("-T")
            .arg(&linker_script)
            .arg(format!("--version-script={}", version_script.display()));
        if strip {
            lld.arg("--strip-all");
        }
        // A static library member is linked only if it defines a symbol that
        // is needed: without `-u` the output is an empty, valid-looking .so.
        for export in arch.exports() {
            lld.args(["-u", export.name]);
        }
        // GNU ld defines an absolute symbol for each version node; lld does
        // not, so define it (the version script exports it).
        if arch.has_version_node_symbol() {
            lld.arg(format!("--defsym={}=0", arch.version_node()));
        }
        lld.arg("-o").arg(output).arg(&staticlib);
        run(&mut lld)
    };
    let image = work_dir.join("vdso.so");
    link(&work_dir.join("vdso.dbg.so"), false)?;
    link(&image, true)?;
    if !arch.mishashed_lookups().is_empty() {
        let mut bytes =
            fs::read(&image).map_err(|err| format!("reading {}: {err}", image.display()))?;
        rebucket_sysv_hash(&mut bytes, arch)?;
        fs::write(&image, bytes).map_err(|err| format!("writing {}: {err}", image.display()))?;
    }

    let mut inputs = vec![manifest, source_dir.join("Cargo.lock"), linker_script];
    for source in read_dep_info(&release.join("libaxvdso_vdso.d"))? {
        // The manifest of each crate a source belongs to (the path dependency's
        // features and edition matter too).
        if let Some(crate_manifest) = source
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("Cargo.toml"))
            .find(|candidate| candidate.is_file())
        {
            if !inputs.contains(&crate_manifest) {
                inputs.push(crate_manifest);
            }
        }
        if !inputs.contains(&source) {
            inputs.push(source);
        }
    }
    Ok(Built { image, inputs })
}

/// Rewrites the image's `DT_HASH` table with a bucket count that the arch's
/// mishashed lookups work with ([`Arch::mishashed_lookups`]).
///
/// lld gives `DT_HASH` as many buckets as there are dynamic symbols. Go
/// 1.19's arm64 lookup finds its symbol only if the bucket count divides
/// the difference of two hashes (6 and 8 do, 7 does not), so whether it
/// works would depend on how many functions the image exports. This keeps
/// lld's table where it works, and otherwise rebuilds it in place with the
/// largest bucket count below lld's that works: the same chains' symbols, a
/// smaller table, the words after it zero (the section keeps its size). The
/// image checks then look every export up through it, and run the lookup.
fn rebucket_sysv_hash(image: &mut [u8], arch: Arch) -> Result<(), String> {
    use object::{
        LittleEndian as LE,
        elf::{FileHeader64, SHT_DYNSYM},
        read::elf::{FileHeader, SectionHeader},
    };
    let fail = |what: &str| format!("re-bucketing the {arch} image's DT_HASH: {what}");
    let header = FileHeader64::<LE>::parse(&*image).map_err(|err| fail(&err.to_string()))?;
    let sections = header
        .sections(LE, &*image)
        .map_err(|err| fail(&err.to_string()))?;
    let symbols = sections
        .symbols(LE, &*image, SHT_DYNSYM)
        .map_err(|err| fail(&err.to_string()))?;
    let hashes: Vec<u32> = (symbols.iter())
        .map(|sym| symbols.symbol_name(LE, sym).map(object::elf::hash))
        .collect::<Result<_, _>>()
        .map_err(|err| fail(&err.to_string()))?;
    let (_, hash_section) = sections
        .section_by_name(LE, b".hash")
        .ok_or_else(|| fail("no .hash section"))?;
    let (offset, size) = hash_section
        .file_range(LE)
        .ok_or_else(|| fail(".hash has no file range"))?;
    let (offset, size) = (offset as usize, size as usize);
    let word = |bytes: &[u8], at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let nchain = word(image, offset + 4) as usize;
    if nchain != hashes.len() || size < 4 * (2 + 2 * nchain) {
        return Err(fail("its size or chain count is not lld's"));
    }
    let works = |nbucket: usize| {
        arch.mishashed_lookups().iter().all(|lookup| {
            let (name, as_) = (lookup.name.as_bytes(), lookup.hashed_as.as_bytes());
            object::elf::hash(name) as usize % nbucket == object::elf::hash(as_) as usize % nbucket
        })
    };
    let nbucket = (1..=word(image, offset) as usize)
        .rev()
        .find(|&n| works(n))
        .ok_or_else(|| fail("no bucket count works"))?;
    // Chains in symbol order, each bucket's head the last symbol in it (as
    // lld and GNU ld link them).
    let mut buckets = vec![0u32; nbucket];
    let mut chains = vec![0u32; nchain];
    for (index, &hash) in hashes.iter().enumerate().skip(1) {
        let bucket = hash as usize % nbucket;
        chains[index] = buckets[bucket];
        buckets[bucket] = index as u32;
    }
    let table = &mut image[offset..offset + size];
    table.fill(0);
    let words = [nbucket as u32, nchain as u32]
        .into_iter()
        .chain(buckets)
        .chain(chains);
    for (slot, value) in table.chunks_exact_mut(4).zip(words) {
        slot.copy_from_slice(&value.to_le_bytes());
    }
    Ok(())
}

/// The version script for `arch`: every export (and the version node's own
/// symbol, where the arch has one) under its version node, everything else
/// local.
fn version_script_text(arch: Arch) -> String {
    let node = arch.version_node();
    let mut text = format!(
        "/* @generated by axvdso-image's build from axvdso-abi's {arch} row. */\n{node} {{\n    global:\n",
    );
    for export in arch.exports() {
        let _ = writeln!(text, "        {};", export.name);
    }
    if arch.has_version_node_symbol() {
        // Quoted: an exact name, not a pattern.
        let _ = writeln!(text, "        \"{node}\";");
    }
    text.push_str("    local: *;\n};\n");
    text
}

/// The sources listed in a cargo dep-info file (`target: source source ...`).
fn read_dep_info(path: &Path) -> Result<Vec<PathBuf>, String> {
    let text =
        fs::read_to_string(path).map_err(|err| format!("reading {}: {err}", path.display()))?;
    let (_, deps) = text
        .lines()
        .next()
        .and_then(|line| line.split_once(": "))
        .ok_or_else(|| format!("{}: not a dep-info file", path.display()))?;
    let mut sources = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars();
    while let Some(c) = chars.next() {
        match c {
            // Make escapes a space in a path as `\ `.
            '\\' => current.extend(chars.next()),
            ' ' => {
                sources.extend((!current.is_empty()).then(|| PathBuf::from(current.split_off(0))))
            }
            c => current.push(c),
        }
    }
    sources.extend((!current.is_empty()).then(|| PathBuf::from(current)));
    Ok(sources)
}

/// Removes what the outer cargo invocation would leak into a nested one.
fn scrub_env(command: &mut Command) {
    let leaked = env::vars_os().map(|(name, _)| name).filter(|name| {
        let name = name.to_string_lossy();
        (name.starts_with("CARGO_") && name != "CARGO_HOME")
            || name.starts_with("__CARGO")
            || matches!(
                &*name,
                "CARGO"
                    | "RUSTC"
                    | "RUSTDOC"
                    | "RUSTFLAGS"
                    | "RUSTDOCFLAGS"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "MAKEFLAGS"
                    | "MFLAGS"
            )
    });
    let leaked: Vec<OsString> = leaked.collect();
    for name in leaked {
        command.env_remove(name);
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .output()
        .map_err(|err| format!("running {}: {err}", describe(command)))?;
    if output.status.success() {
        return Ok(());
    }
    let mut message = format!("{} failed ({})", describe(command), output.status);
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        if !text.trim().is_empty() {
            let _ = write!(message, "\n{}", text.trim_end());
        }
    }
    Err(message)
}

fn run_capture(command: &mut Command) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|err| format!("running {}: {err}", describe(command)))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed ({}): {}",
            describe(command),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    String::from_utf8(output.stdout)
        .map(|text| text.trim().to_owned())
        .map_err(|_| format!("{} printed non-UTF-8 output", describe(command)))
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

fn exe(name: &str) -> String {
    format!("{name}{}", env::consts::EXE_SUFFIX)
}
