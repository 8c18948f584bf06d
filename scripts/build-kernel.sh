#!/usr/bin/env bash
# build-kernel.sh - build the patched Starry demo kernel image.
#
# Usage: scripts/build-kernel.sh            (env below selects what)
#
# The Starry base (STARRY=0.2|0.12) is read from scripts/base/$STARRY.sh: its
# toolchain, app crate, series, configuration, link flags and post-link steps.
# [1/4] patched Starry crates (scripts/starry-src.sh) if out of date
# [2/4] the base's configuration (0.2: axplat's axconfig.toml with our
#       overrides; 0.12: environment only)
# [3/4] cargo build --locked of the base's app crate for the bare-metal target
# [4/4] the base's post-link steps (0.12: fill .kallsyms), then objcopy to a
#       raw image: $BUILD_DIR/starry.bin
#
# Env: STARRY (0.12), ARCH (riscv64), SMP (1), LOG (warn), INIT (init command line),
#      KERNEL_TOOLCHAIN (the base's), BUILD_DIR (build/$ARCH + the base's suffix),
#      CARGO_EXTRA (extra cargo args),
#      AXVDSO_EXTERNAL_IMAGE (absolute path of a vdso.so to embed instead of
#        ours; cargo rebuilds axvdso-image when it changes),
#      WITH_VDSO (1; 0 builds without the app's `vdso` feature: no program
#        gets a vDSO, to measure what it costs). On a base without the vDSO
#        yet (BASE_VDSO=0) the kernel has none either way.
# Give each variant its own BUILD_DIR (the Makefile does: build/$ARCH,
# build/$ARCH-linuxvdso, build/$ARCH-novdso, build/$ARCH-starry0.12, ...), or
# cargo rebuilds on every switch; a base with SHARED_TARGET=1 (0.12) keeps one
# cargo target directory for them all, where a switch is a relink.
#
# Example: WITH_VDSO=0 BUILD_DIR=build/riscv64-novdso scripts/build-kernel.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
. "$ROOT/scripts/arch.sh"
SMP=${SMP:-1}
LOG=${LOG:-warn}
BUILD_DIR=${BUILD_DIR:-$ROOT/build/$ARCH$BASE_SUFFIX}
WITH_VDSO=${WITH_VDSO:-1}
AXVDSO_EXTERNAL_IMAGE=${AXVDSO_EXTERNAL_IMAGE:-}
. "$ROOT/scripts/demo.conf"
say() { printf '\033[1;34m[build-kernel]\033[0m %s\n' "$*"; }

base_target
[[ "$SMP" =~ ^[1-9][0-9]*$ ]] || { echo "build-kernel: SMP=$SMP is not a CPU count" >&2; exit 1; }
case "$WITH_VDSO" in
    1) vdso_desc=${AXVDSO_EXTERNAL_IMAGE:+external vDSO $AXVDSO_EXTERNAL_IMAGE}
       vdso_desc=${vdso_desc:-our vDSO} ;;
    0) [ -z "$AXVDSO_EXTERNAL_IMAGE" ] || { echo "build-kernel: WITH_VDSO=0 and AXVDSO_EXTERNAL_IMAGE contradict each other" >&2; exit 1; }
       vdso_desc="no vDSO" ;;
    *) echo "build-kernel: WITH_VDSO=$WITH_VDSO: 1 or 0" >&2; exit 1 ;;
esac
if [ "$BASE_VDSO" = 0 ]; then
    [ -z "$AXVDSO_EXTERNAL_IMAGE" ] || { echo "build-kernel: the $BASE_DESC base links no vDSO yet: AXVDSO_EXTERNAL_IMAGE cannot apply" >&2; exit 1; }
    vdso_desc="no vDSO (not linked on this base yet)"
fi
if [ -n "$AXVDSO_EXTERNAL_IMAGE" ]; then
    [ -f "$AXVDSO_EXTERNAL_IMAGE" ] || { echo "build-kernel: AXVDSO_EXTERNAL_IMAGE=$AXVDSO_EXTERNAL_IMAGE: no such file" >&2; exit 1; }
    export AXVDSO_EXTERNAL_IMAGE
else
    unset AXVDSO_EXTERNAL_IMAGE
fi

# [1/4] patched sources: redo when a patch, the pristine pins or the script
# is newer than a tree
stale=0
for crate in $PRISTINE_CRATES; do
    tree=$TREES/$crate
    if [ ! -f "$tree/.patched" ] || [ -n "$(find "$SERIES/$crate" "$ROOT/scripts/starry-src.sh" "$PRISTINE_FETCH/Cargo.lock" \
            -newer "$tree/.patched" -print -quit 2>/dev/null)" ]; then
        stale=1
    fi
done
if [ "$stale" = 1 ]; then
    say "[1/4] patching the Starry crates ($BASE_DESC)"
    "$ROOT/scripts/starry-src.sh"
else
    say "[1/4] patched Starry crates up to date ($BASE_DESC)"
fi

# [2/4] configuration. One cargo target directory per build directory, or,
# where the base shares it between the VDSO variants (SHARED_TARGET=1), one
# per arch and base (and CPU count, where that is a build choice): there a
# switch of VDSO relinks.
mkdir -p "$BUILD_DIR"
if [ "$SHARED_TARGET" = 1 ]; then
    shared=$ROOT/build/$ARCH$BASE_SUFFIX
    [ "$SMP_PER_BUILD" = 1 ] && [ "$SMP" != 1 ] && shared+=-smp$SMP
    export CARGO_TARGET_DIR=$shared-target
else
    export CARGO_TARGET_DIR=$BUILD_DIR/target
fi
mkdir -p "$CARGO_TARGET_DIR"
base_configure
say "[2/4] $CONFIG_DESC"

# [3/4] cargo build
base_cargo_args
export PATH="$ROOT/build/toolchain/bin:$PATH"
out=$CARGO_TARGET_DIR/$TARGET/release
RUSTFLAGS=$(base_rustflags "$out")
export RUSTFLAGS
if [ -n "${INIT:-}" ]; then export STARRY_INIT="$INIT"; else unset STARRY_INIT; fi
say "[3/4] cargo build ($TARGET, $vdso_desc, LOG=$LOG${INIT:+, INIT=$INIT})"
(cd "$APP" && cargo "+$KERNEL_TOOLCHAIN" build --release --locked --target "$TARGET" "${CARGO_ARGS[@]}" ${CARGO_EXTRA:-})

# [4/4] post-link steps, raw image
base_post_link "$out/$APP_BIN"
host=$(rustc "+$KERNEL_TOOLCHAIN" -vV | sed -n 's/^host: //p')
"$(rustc "+$KERNEL_TOOLCHAIN" --print sysroot)/lib/rustlib/$host/bin/llvm-objcopy" \
    --strip-all -O binary "$KERNEL_ELF" "$BUILD_DIR/starry.bin"
say "[4/4] $BUILD_DIR/starry.bin ($(stat -c %s "$BUILD_DIR/starry.bin") bytes)"
