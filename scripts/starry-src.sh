#!/usr/bin/env bash
# starry-src.sh - produce the patched Starry crates.
#
# Usage: scripts/starry-src.sh [OUT_ROOT]        (default: the base's TREES)
#
# The base (STARRY=0.2|0.12, scripts/base/$STARRY.sh) names the crates
# (PRISTINE_CRATES: starry-kernel, starry-signal), the crate that fetches them
# (PRISTINE_FETCH) and the series (SERIES: patches/starry-$STARRY/<crate>/*.patch,
# one directory per crate it changes). For each crate:
# [1/3] fetches the pristine crate with cargo (by package name and the version
#       PRISTINE_FETCH pins in its Cargo.toml and Cargo.lock),
# [2/3] copies it to OUT_ROOT/<crate> (and, read-only, OUT_ROOT/<crate>-pristine),
# [3/3] applies its patches, if any, in order with `git apply`, failing on the
#       first patch that does not apply and naming it.
#
# The base's kernel app (APP) picks the results up through [patch.crates-io].
#
# Env: STARRY (0.12).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
OUT_ROOT=${1:-$TREES}
say() { printf '\033[1;34m[starry-src]\033[0m %s\n' "$*"; }

say "[1/3] fetching the pristine crates with cargo"
meta=$(mktemp); trap 'rm -f "$meta"' EXIT
(cd "$PRISTINE_FETCH" && cargo +stable metadata --format-version 1 --quiet --locked) > "$meta"
# keep git from treating the enclosing checkout as the repository of a crate
export GIT_CEILING_DIRECTORIES=$OUT_ROOT
for crate in $PRISTINE_CRATES; do
    dir=$SERIES/$crate/
    src=$(python3 -c 'import json,sys
m=json.load(open(sys.argv[1])); name=sys.argv[2]
found=[p for p in m["packages"] if p["name"]==name]
if len(found)!=1: sys.exit(f"starry-src: {sys.argv[3]} resolves {len(found)} versions of {name}; pin exactly one")
print(found[0]["version"], found[0]["manifest_path"])' "$meta" "$crate" "$PRISTINE_FETCH")
    version=${src%% *}
    src=$(dirname "${src#* }")
    out=$OUT_ROOT/$crate
    pristine=$OUT_ROOT/$crate-pristine

    say "[2/3] $crate $version ($BASE_DESC base): copying $src"
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
