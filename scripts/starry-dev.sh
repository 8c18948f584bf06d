#!/usr/bin/env bash
# starry-dev.sh - edit the patch series as git commits.
#
# Usage: scripts/starry-dev.sh init     build/starry-dev = pristine + `git am` of patches/
#        scripts/starry-dev.sh export   patches/ = `git format-patch` of every commit
#                                       after the pristine one in build/starry-dev
#
# Workflow: init, edit and commit in build/starry-dev (one purpose per commit,
# Conventional Commits subject), export, then rebuild (the kernel build
# re-applies patches/ to a fresh copy of the pristine crate).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEV=$ROOT/build/starry-dev
GIT=(git -C "$DEV" -c user.name=axvdso -c user.email=axvdso@localhost)
export GIT_CEILING_DIRECTORIES=$ROOT/build

case "${1:-}" in
init)
    [ -d "$ROOT/build/starry-kernel-pristine" ] || "$ROOT/scripts/starry-src.sh" >/dev/null
    rm -rf "$DEV"
    cp -r "$ROOT/build/starry-kernel-pristine" "$DEV"
    "${GIT[@]}" init -q
    "${GIT[@]}" add -A
    "${GIT[@]}" commit -qm "starry-kernel 0.2.0-preview.1 (pristine)"
    "${GIT[@]}" tag pristine
    shopt -s nullglob
    for p in "$ROOT"/patches/*.patch; do "${GIT[@]}" am -q "$p"; done
    "${GIT[@]}" log --oneline
    ;;
export)
    rm -f "$ROOT"/patches/*.patch
    "${GIT[@]}" format-patch -q --no-signature -o "$ROOT/patches" pristine..HEAD
    ls "$ROOT/patches"
    ;;
*)
    sed -n '2,11p' "$0" >&2
    exit 2
    ;;
esac
