//! The ChaCha20 code of `getrandom` keeps key material off the stack.
//!
//! Disassembles the built image with the arch's GNU `objdump` (binutils of
//! the cross toolchain `make setup` installs; the host's for x86_64) and
//! finds each function that builds the ChaCha20 constant ("expand 32-byte
//! k": its word 0x61707865 is loaded as an immediate). In each, every store to the stack must come
//! before the first load from any other memory: what a function stores to
//! the stack before it has read anything can only be the registers it was
//! called with (callee-saved registers, pointers), never a key or keystream
//! word. The loads that follow read the key and the counter; after them the
//! function stores only through its output pointer.

mod support;

use std::{path::PathBuf, process::Command};

use axvdso_abi::Arch;
use support::built::built_image;

/// How an arch's disassembly spells the things the check needs.
struct Syntax {
    objdump: &'static str,
    /// Marks the instruction that materialises the upper half of 0x61707865.
    sigma: &'static str,
    /// A function's first instruction (it allocates its frame).
    prologue: fn(&str) -> bool,
    /// A return.
    ret: fn(&str) -> bool,
    /// A store whose address is the stack pointer plus an offset.
    stack_store: fn(&str) -> bool,
    /// A load from memory that is not the stack.
    other_load: fn(&str) -> bool,
}

fn syntax(arch: Arch) -> Option<Syntax> {
    match arch {
        Arch::Riscv64 => Some(Syntax {
            objdump: "riscv64-linux-gnu-objdump",
            sigma: "lui",
            prologue: |i| i.starts_with("add\tsp,sp,-") || i.starts_with("addi\tsp,sp,-"),
            ret: |i| i == "ret",
            stack_store: |i| {
                ["sd\t", "sw\t", "sh\t", "sb\t"]
                    .iter()
                    .any(|op| i.starts_with(op))
                    && i.ends_with("(sp)")
            },
            other_load: |i| {
                ["ld\t", "lw\t", "lwu\t", "lh\t", "lhu\t", "lb\t", "lbu\t"]
                    .iter()
                    .any(|op| i.starts_with(op))
                    && !i.ends_with("(sp)")
            },
        }),
        Arch::Aarch64 => Some(Syntax {
            objdump: "aarch64-linux-gnu-objdump",
            sigma: "movk",
            prologue: |i| {
                i.starts_with("stp\tx29, x30, [sp, #-") || i.starts_with("sub\tsp, sp, #")
            },
            ret: |i| i == "ret",
            stack_store: |i| i.starts_with("st") && i.contains("[sp"),
            other_load: |i| i.starts_with("ld") && i.contains('[') && !i.contains("[sp"),
        }),
        // The SSE2 block function (`arch/x86_64.rs`): no frame at all; it
        // builds the constant's first half in rax.
        Arch::X86_64 => Some(Syntax {
            objdump: "objdump",
            sigma: "movabs",
            prologue: |i| i.starts_with("push") || i.starts_with("sub ") && i.ends_with(",%rsp"),
            ret: |i| i == "ret",
            stack_store: |i| i.contains("%rsp") || i.starts_with("push"),
            other_load: |i| i.starts_with("mov") && i.contains("(%r") && !i.ends_with(")"),
        }),
        _ => None,
    }
}

/// `(instruction text)` per line of the disassembly of `image`.
fn disassemble(arch: Arch, objdump: &str, image: &[u8]) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("getrandom-{arch}.so"));
    std::fs::write(&path, image).unwrap();
    let out = Command::new(objdump)
        .args(["-d", "--no-show-raw-insn"])
        .arg(&path)
        .output()
        .unwrap_or_else(|err| {
            panic!("{objdump} (binutils of the {arch} cross toolchain; run make setup): {err}")
        });
    assert!(
        out.status.success(),
        "{objdump}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        // "     6a0:\tlw\ta1,8(a0)" -> "lw\ta1,8(a0)" (comments dropped).
        .filter_map(|line| line.split_once(":\t").map(|(_, insn)| insn))
        // Comments: "// #30821" (aarch64), "# 6b206574 <...>" (riscv64).
        .map(|insn| {
            insn.split("//")
                .next()
                .unwrap()
                .split(" # ")
                .next()
                .unwrap()
                .trim()
                .to_owned()
        })
        .collect()
}

#[test]
fn chacha_keeps_key_material_off_the_stack() {
    let mut checked = 0;
    for arch in Arch::all() {
        if !arch
            .exports()
            .iter()
            .any(|e| e.name.ends_with("_getrandom"))
        {
            continue;
        }
        let syntax = syntax(arch)
            .unwrap_or_else(|| panic!("{arch} exports getrandom: teach this test its syntax"));
        let code = disassemble(arch, syntax.objdump, built_image(arch));
        let sigma_at: Vec<usize> = (code.iter().enumerate())
            .filter(|(_, i)| {
                i.starts_with(syntax.sigma)
                    && ["0x61708", "#0x6170,", "$0x3320646e61707865"]
                        .iter()
                        .any(|c| i.contains(c))
            })
            .map(|(at, _)| at)
            .collect();
        assert!(
            !sigma_at.is_empty(),
            "{arch}: found no ChaCha20 block function ({} constants)",
            sigma_at.len()
        );
        for at in sigma_at {
            // From its prologue, or (x86_64's has none) the end of the code
            // before it.
            let start = (0..=at)
                .rev()
                .find_map(|i| {
                    if (syntax.prologue)(&code[i]) {
                        Some(i)
                    } else if i < at && (syntax.ret)(&code[i]) {
                        Some(i + 1)
                    } else {
                        None
                    }
                })
                .unwrap_or(0);
            let end = (at..code.len()).find(|&i| (syntax.ret)(&code[i])).unwrap();
            let body = &code[start..=end];
            let first_load = body.iter().position(|i| (syntax.other_load)(i)).unwrap();
            let late_stores: Vec<&String> = body[first_load..]
                .iter()
                .filter(|i| (syntax.stack_store)(i))
                .collect();
            assert!(
                late_stores.is_empty(),
                "{arch}: the ChaCha20 function at instruction {start} stores to the stack after it read \
                 the key: {late_stores:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no getrandom ChaCha20 code was checked");
}
