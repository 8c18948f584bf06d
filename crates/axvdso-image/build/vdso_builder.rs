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

use std::{
    env,
    ffi::OsString,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

/// Flags for every vDSO compilation: position independent code (no absolute
/// addresses, so no relocations), and unwind tables so that debuggers and
/// profilers can walk through the vDSO.
const RUSTFLAGS: &[&str] = &["-Crelocation-model=pic", "-Cforce-unwind-tables=yes"];

/// The soname Linux gives its 64-bit vDSOs.
const SONAME: &str = "linux-vdso.so.1";

/// How to call the toolchain.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// The cargo binary.
    pub cargo: PathBuf,
    /// The rustc binary (absolute, inside its sysroot).
    pub rustc: PathBuf,
    /// The sysroot of `rustc`.
    pub sysroot: PathBuf,
    /// The host triple of `rustc`.
    pub host: String,
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
        let version = run_capture(Command::new(&rustc).arg("-vV"))?;
        let host = version
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .ok_or_else(|| format!("`{} -vV` printed no host line", rustc.display()))?
            .to_owned();
        // Pin the exact compiler: a bare `rustc` is a rustup proxy that could
        // resolve to another toolchain in the nested build's directory.
        let pinned = sysroot.join("bin").join(exe("rustc"));
        let rustc = if pinned.is_file() { pinned } else { rustc };
        Ok(Self {
            cargo,
            rustc,
            sysroot,
            host,
        })
    }

    /// The toolchain's own `rust-lld`.
    pub fn rust_lld(&self) -> PathBuf {
        self.sysroot
            .join("lib/rustlib")
            .join(&self.host)
            .join("bin")
            .join(exe("rust-lld"))
    }
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct Built {
    /// The image to embed: stripped of the static symbol table.
    pub image: PathBuf,
    /// The same link with the static symbol table, for debuggers.
    pub debug_image: PathBuf,
    /// Every file the image was built from (sources, manifests, lock file,
    /// linker script, version script), for `rerun-if-changed`.
    pub inputs: Vec<PathBuf>,
}

/// The bare Rust target a vDSO for `arch` (a `target_arch` value) is built for.
pub fn rust_target(arch: &str) -> Option<&'static str> {
    match arch {
        "riscv64" => Some("riscv64gc-unknown-none-elf"),
        "x86_64" => Some("x86_64-unknown-none"),
        _ => None,
    }
}

/// Builds the vDSO for `arch` from `source_dir` (the `vdso/` crate), working in
/// `work_dir` (created if missing; nothing is written elsewhere).
pub fn build_vdso(
    arch: &str,
    source_dir: &Path,
    work_dir: &Path,
    toolchain: &Toolchain,
) -> Result<Built, String> {
    let target = rust_target(arch)
        .ok_or_else(|| format!("unsupported arch `{arch}` (supported: riscv64, x86_64)"))?;
    let manifest = source_dir.join("Cargo.toml");
    let linker_script = source_dir.join("link/vdso.lds");
    let version_script = source_dir.join(format!("link/{arch}.ver"));
    let target_dir = work_dir.join("target");
    fs::create_dir_all(work_dir)
        .map_err(|err| format!("creating {}: {err}", work_dir.display()))?;

    const RELEASE_PROFILE: [&str; 8] = [
        "opt-level=2",
        "lto=true",
        "codegen-units=1",
        "panic=\"abort\"",
        "debug=false",
        "debug-assertions=false",
        "overflow-checks=false",
        "incremental=false",
    ];
    let mut cargo = Command::new(&toolchain.cargo);
    scrub_env(&mut cargo);
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
        .arg("--target-dir")
        .arg(&target_dir);
    // The profile the image relies on, restated on the command line: a
    // `[profile.release]` in a user's or a parent directory's cargo config
    // would otherwise override vdso/Cargo.toml's.
    for setting in RELEASE_PROFILE {
        cargo.args(["--config", &format!("profile.release.{setting}")]);
    }
    run(&mut cargo)?;

    let release = target_dir.join(target).join("release");
    let staticlib = release.join("libaxvdso_vdso.a");
    let exports = read_exports(&version_script)?;
    let link = |output: &Path, strip: bool| {
        let mut lld = Command::new(toolchain.rust_lld());
        lld.args(["-flavor", "gnu", "-shared"])
            .arg(format!("-soname={SONAME}"))
            .args(["--hash-style=both", "--eh-frame-hdr", "--build-id=sha1"])
            .args(["-z", "max-page-size=4096", "-z", "common-page-size=4096"])
            .args(["--no-undefined", "--gc-sections"])
            .arg("-T")
            .arg(&linker_script)
            .arg(format!("--version-script={}", version_script.display()));
        if strip {
            lld.arg("--strip-all");
        }
        // A static library member is linked only if it defines a symbol that
        // is needed: without `-u` the output is an empty, valid-looking .so.
        for export in &exports {
            lld.args(["-u", export]);
        }
        lld.arg("-o").arg(output).arg(&staticlib);
        run(&mut lld)
    };
    let image = work_dir.join("vdso.so");
    let debug_image = work_dir.join("vdso.dbg.so");
    link(&debug_image, false)?;
    link(&image, true)?;

    let mut inputs = vec![
        manifest,
        source_dir.join("Cargo.lock"),
        linker_script,
        version_script,
    ];
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
    Ok(Built {
        image,
        debug_image,
        inputs,
    })
}

/// The global symbols of a version script (between `global:` and `local:`).
pub fn read_exports(version_script: &Path) -> Result<Vec<String>, String> {
    let text = fs::read_to_string(version_script)
        .map_err(|err| format!("reading {}: {err}", version_script.display()))?;
    let mut text = text.as_str();
    let mut plain = String::new();
    // Drop /* comments */.
    while let Some(start) = text.find("/*") {
        plain.push_str(&text[..start]);
        let end = text[start..]
            .find("*/")
            .ok_or_else(|| format!("{}: unterminated comment", version_script.display()))?;
        text = &text[start + end + 2..];
    }
    plain.push_str(text);
    let globals = plain
        .split_once("global:")
        .and_then(|(_, rest)| rest.split_once("local:"))
        .map(|(globals, _)| globals)
        .ok_or_else(|| {
            format!(
                "{}: no `global:` ... `local:` list",
                version_script.display()
            )
        })?;
    let exports: Vec<String> = globals
        .split(';')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect();
    if exports.is_empty() {
        return Err(format!("{}: exports nothing", version_script.display()));
    }
    Ok(exports)
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
