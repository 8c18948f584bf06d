#!/usr/bin/env bash
# starry-dev.sh - edit the patch series as git commits.
#
# Usage: scripts/starry-dev.sh init     build/starry-dev/<crate> = the pristine
#                                       crate + `git am` of patches/starry-0.2/<crate>/
#        scripts/starry-dev.sh export   patches/starry-0.2/<crate>/ = `git format-patch`
#                                       of every commit after the pristine one
#
# One repository per crate the series changes (starry-kernel, starry-signal).
# Workflow: init, edit and commit in build/starry-dev/<crate> (one purpose per
# commit, Conventional Commits subject), export, then rebuild (the kernel build
# re-applies the series to fresh copies of the pristine crates).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SERIES=$ROOT/patches/starry-0.2
export GIT_CEILING_DIRECTORIES=$ROOT/build/starry-dev

case "${1:-}" in
init)
    "$ROOT/scripts/starry-src.sh" >/dev/null
    for dir in "$SERIES"/*/; do
        crate=$(basename "$dir")
        dev=$ROOT/build/starry-dev/$crate
        git=(git -C "$dev" -c user.name=axvdso -c user.email=axvdso@localhost)
        rm -rf "$dev"
        mkdir -p "$(dirname "$dev")"
        cp -r "$ROOT/build/$crate-pristine" "$dev"
        "${git[@]}" init -q
        "${git[@]}" add -A
        "${git[@]}" commit -qm "$crate (pristine)"
        "${git[@]}" tag pristine
        shopt -s nullglob
        for p in "$dir"*.patch; do "${git[@]}" am -q "$p"; done
        echo "== $crate"
        "${git[@]}" log --oneline
    done
    ;;
export)
    for dev in "$ROOT"/build/starry-dev/*/; do
        crate=$(basename "$dev")
        mkdir -p "$SERIES/$crate"
        rm -f "$SERIES/$crate"/*.patch
        git -C "$dev" format-patch -q --no-signature -o "$SERIES/$crate" pristine..HEAD
        ls "$SERIES/$crate"
    done
    ;;
*)
    sed -n '2,12p' "$0" >&2
    exit 2
    ;;
esac
