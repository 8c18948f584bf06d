#!/usr/bin/env bash
# starry-src.sh - produce the patched Starry crates.
#
# Usage: scripts/starry-src.sh [OUT_ROOT]        (default: build)
#
# The series lives in patches/starry-0.2/<crate>/*.patch, one directory per
# crate it changes (starry-kernel, starry-signal). For each such crate:
# [1/3] fetches the pristine crate with cargo (by package name and the version
#       scripts/pristine pins in its Cargo.toml and Cargo.lock),
# [2/3] copies it to OUT_ROOT/<crate> (and, read-only, OUT_ROOT/<crate>-pristine),
# [3/3] applies its patches in order with `git apply`, failing on the first
#       patch that does not apply and naming it.
#
# The kernel app (apps/vdso) picks the results up through [patch.crates-io].
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_ROOT=${1:-$ROOT/build}
SERIES=$ROOT/patches/starry-0.2
say() { printf '\033[1;34m[starry-src]\033[0m %s\n' "$*"; }

say "[1/3] fetching the pristine crates with cargo"
meta=$(mktemp); trap 'rm -f "$meta"' EXIT
(cd "$ROOT/scripts/pristine" && cargo +stable metadata --format-version 1 --quiet --locked) > "$meta"
# keep git from treating the enclosing checkout as the repository of a crate
export GIT_CEILING_DIRECTORIES=$OUT_ROOT
for dir in "$SERIES"/*/; do
    crate=$(basename "$dir")
    src=$(python3 -c 'import json,sys
m=json.load(open(sys.argv[1])); name=sys.argv[2]
found=[p for p in m["packages"] if p["name"]==name]
if len(found)!=1: sys.exit(f"starry-src: scripts/pristine resolves {len(found)} versions of {name}; pin exactly one")
print(found[0]["version"], found[0]["manifest_path"])' "$meta" "$crate")
    version=${src%% *}
    src=$(dirname "${src#* }")
    out=$OUT_ROOT/$crate
    pristine=$OUT_ROOT/$crate-pristine

    say "[2/3] $crate $version: copying $src"
    rm -rf "$pristine" "$out"
    mkdir -p "$OUT_ROOT"
    cp -r "$src" "$pristine"
    rm -f "$pristine/.cargo-ok"
    cp -r "$pristine" "$out"

    shopt -s nullglob
    patches=("$dir"*.patch)
    say "[3/3] $crate: applying ${#patches[@]} patch(es)"
    for p in "${patches[@]}"; do
        if ! err=$(git -C "$out" apply --check -p1 "$p" 2>&1); then
            echo "starry-src: patch $crate/$(basename "$p") does not apply to pristine $crate $version:" >&2
            echo "$err" >&2
            rm -rf "$out"
            exit 1
        fi
        git -C "$out" apply -p1 "$p"
        echo "  applied $(basename "$p")"
    done
    touch "$out/.patched"
done
