#!/usr/bin/env bash
# cargo-bare.sh - run stable cargo for a bare-metal target, building `core`
# from stable's rust-src where no prebuilt one is installed.
#
# Usage: scripts/cargo-bare.sh TARGET SUBCOMMAND [ARGS...]
#
# Runs `cargo +stable SUBCOMMAND --target TARGET ARGS...`. Where stable has
# no rust-std for TARGET (scripts/setup.sh installs it, or, where rustup
# cannot fetch it, as for loongarch64-unknown-none-softfloat on some
# mirrors, stable's rust-src instead), adds `-Z build-std=core` with
# RUSTC_BOOTSTRAP=1: only `core` is built, from the toolchain's own source.
#
# Examples:
#   scripts/cargo-bare.sh loongarch64-unknown-none-softfloat build -p axvdso-image
#   (cd crates/axvdso-image/vdso && ../../../scripts/cargo-bare.sh x86_64-unknown-none clippy)
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: cargo-bare.sh TARGET SUBCOMMAND [ARGS...]" >&2; exit 2; }
TARGET=$1 SUBCOMMAND=$2
shift 2
sysroot=$(rustc +stable --print sysroot)
if [ -d "$sysroot/lib/rustlib/$TARGET/lib" ]; then
    exec cargo +stable "$SUBCOMMAND" --target "$TARGET" "$@"
fi
[ -d "$sysroot/lib/rustlib/src/rust/library" ] ||
    { echo "cargo-bare: stable has neither rust-std for $TARGET nor rust-src (run: make setup)" >&2; exit 1; }
RUSTC_BOOTSTRAP=1 exec cargo +stable "$SUBCOMMAND" --target "$TARGET" -Z build-std=core "$@"
