#!/usr/bin/env bash
# check-series.sh - the patch series applies to the pristine crates and keeps
# them rustfmt-clean.
#
# Usage: scripts/check-series.sh
#
# [1/2] applies the base's series (patches/starry-$STARRY/<crate>/) to fresh
#       copies of the pristine crates (scripts/starry-src.sh into a scratch
#       directory);
# [2/2] runs rustfmt (the base's RUSTFMT_TOOLCHAIN, Starry's settings in
#       patches/starry-$STARRY/rustfmt.toml) on every .rs file the series touches
#       and fails if one is not clean, unless the pristine file was not
#       clean either. Prints the lines each crate's series adds and removes.
#
# Env: STARRY (0.12), KERNEL_TOOLCHAIN (the base's; 0.2 takes rustfmt from it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
CONFIG=$SERIES/rustfmt.toml
say() { printf '\033[1;34m[check-series]\033[0m %s\n' "$*"; }

scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
say "[1/2] applying the series to the pristine crates"
"$ROOT/scripts/starry-src.sh" "$scratch" >/dev/null

say "[2/2] rustfmt on the files the series touches"
# A missing rustfmt would make every file look unclean, the pristine ones too.
rustup run "$RUSTFMT_TOOLCHAIN" rustfmt --version >/dev/null 2>&1 ||
    { echo "check-series: no rustfmt in $RUSTFMT_TOOLCHAIN (run: make setup STARRY=$STARRY)" >&2; exit 1; }
unclean() { rustup run "$RUSTFMT_TOOLCHAIN" rustfmt --edition 2024 --config-path "$CONFIG" --check "$1" >/dev/null 2>&1 && return 1 || return 0; }
status=0
for crate in $PRISTINE_CRATES; do
    dir=$SERIES/$crate/
    ls "$dir"*.patch >/dev/null 2>&1 || { echo "  $crate: no patches"; continue; }
    [ -f "$CONFIG" ] || { echo "check-series: $CONFIG missing" >&2; exit 1; }
    files=$(cat "$dir"*.patch | sed -n 's|^+++ b/\(.*\.rs\)$|\1|p' | sort -u)
    for f in $files; do
        [ -f "$scratch/$crate/$f" ] || continue
        if unclean "$scratch/$crate/$f"; then
            if [ -f "$scratch/$crate-pristine/$f" ] && unclean "$scratch/$crate-pristine/$f"; then
                echo "  $crate/$f: not rustfmt-clean, as in the pristine crate"
            else
                echo "check-series: $crate/$f is not rustfmt-clean after the series:" >&2
                rustup run "$RUSTFMT_TOOLCHAIN" rustfmt --edition 2024 --config-path "$CONFIG" --check "$scratch/$crate/$f" >&2 || true
                status=1
            fi
        fi
    done
    # diff lines only: a patch's message may hold lines that start with '-'
    stat=$(awk 'FNR == 1 { body = 0 } /^diff --git / { body = 1 }
                body && /^\+/ && !/^\+\+\+ / { add++ } body && /^-/ && !/^--- / { del++ }
                END { printf "+%d -%d", add, del }' "$dir"*.patch)
    echo "  $crate: $(ls "$dir"*.patch | wc -l) patches, $stat lines"
done
exit $status
