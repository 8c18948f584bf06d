#!/usr/bin/env bash
# dump-vdso.sh - write the vDSO image that axvdso-image embeds for ARCH to
# target/vdso/ARCH/vdso.so, for readelf/objdump.
#
# Usage: scripts/dump-vdso.sh [ARCH]      (riscv64 | x86_64 | aarch64 | loongarch64;
#                                          default riscv64)
#
# The arch's bare-metal target comes from axvdso-abi's table (its
# vdso_target example).
# Builds axvdso-image for the arch's bare-metal target (its build.rs builds
# and validates the image; AXVDSO_EXTERNAL_IMAGE selects an external one) and
# copies the image its build script wrote into OUT_DIR. scripts/cargo-bare.sh
# builds `core` from source where stable has no prebuilt one for the target.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ARCH=${1:-${ARCH:-riscv64}}
TARGET=$(cd "$ROOT" && cargo +stable run --quiet -p axvdso-abi --example vdso_target -- "$ARCH") ||
    { echo "dump-vdso: ARCH=$ARCH: no vDSO target for it" >&2; exit 1; }

out_dir=$(cd "$ROOT" && scripts/cargo-bare.sh "$TARGET" build --quiet -p axvdso-image \
    --message-format=json-render-diagnostics |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and "axvdso-image" in m["package_id"]:
        print(m["out_dir"])')
[ -n "$out_dir" ] && [ -f "$out_dir/vdso.so" ] || { echo "dump-vdso: no vdso.so from the axvdso-image build" >&2; exit 1; }
mkdir -p "$ROOT/target/vdso/$ARCH"
cp "$out_dir/vdso.so" "$ROOT/target/vdso/$ARCH/vdso.so"
echo "target/vdso/$ARCH/vdso.so ($(stat -c %s "$ROOT/target/vdso/$ARCH/vdso.so") bytes)"
