#!/usr/bin/env bash
# starry-src.sh - produce the patched starry-kernel source tree.
#
# Usage: scripts/starry-src.sh [OUT_DIR]        (default: build/starry-kernel)
#
# [1/3] fetches the pristine starry-kernel 0.2.0-preview.1 crate with cargo
#       (by package name and version, through scripts/pristine/Cargo.toml),
# [2/3] copies it to OUT_DIR (also kept read-only in build/starry-kernel-pristine),
# [3/3] applies patches/*.patch in order with `git apply`, failing on the
#       first patch that does not apply and naming it.
#
# The kernel app (apps/vdso) picks the result up through [patch.crates-io].
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/starry-kernel}
PRISTINE=$ROOT/build/starry-kernel-pristine
say() { printf '\033[1;34m[starry-src]\033[0m %s\n' "$*"; }

say "[1/3] fetching starry-kernel 0.2.0-preview.1 with cargo"
src=$(cd "$ROOT/scripts/pristine" && cargo +stable metadata --format-version 1 --quiet |
      python3 -c 'import json,sys
m=json.load(sys.stdin)
print(next(p["manifest_path"] for p in m["packages"] if p["name"]=="starry-kernel" and p["version"]=="0.2.0-preview.1"))')
src=$(dirname "$src")
[ -f "$src/Cargo.lock" ] || { echo "starry-src: $src has no Cargo.lock" >&2; exit 1; }

say "[2/3] copying $src"
rm -rf "$PRISTINE" "$OUT"
mkdir -p "$(dirname "$OUT")"
cp -r "$src" "$PRISTINE"
rm -f "$PRISTINE/.cargo-ok"
cp -r "$PRISTINE" "$OUT"

shopt -s nullglob
patches=("$ROOT"/patches/*.patch)
say "[3/3] applying ${#patches[@]} patch(es)"
# keep git from treating the enclosing checkout as the repository of OUT
export GIT_CEILING_DIRECTORIES=$(dirname "$OUT")
for p in "${patches[@]}"; do
    if ! git -C "$OUT" apply --check -p1 "$p" 2>/tmp/starry-src-apply.$$; then
        echo "starry-src: patch $(basename "$p") does not apply to pristine starry-kernel 0.2.0-preview.1:" >&2
        cat /tmp/starry-src-apply.$$ >&2; rm -f /tmp/starry-src-apply.$$
        rm -rf "$OUT"
        exit 1
    fi
    git -C "$OUT" apply -p1 "$p"
    echo "  applied $(basename "$p")"
done
rm -f /tmp/starry-src-apply.$$
touch "$OUT/.patched"
