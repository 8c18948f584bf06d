#!/usr/bin/env bash
# starry-dev.sh - edit the patch series as git commits.
#
# Usage: scripts/starry-dev.sh init     DEV_TREES/<crate> = the pristine
#                                       crate + `git am` of SERIES/<crate>/
#        scripts/starry-dev.sh export   SERIES/<crate>/ = `git format-patch`
#                                       of every commit after the pristine one
#
# The base (STARRY=0.2|0.12, scripts/base/$STARRY.sh) gives SERIES
# (patches/starry-$STARRY), DEV_TREES (0.2: build/starry-dev, 0.12:
# build/starry-0.12/dev) and the crates (PRISTINE_CRATES: one repository each).
# Workflow: init, edit and commit in DEV_TREES/<crate> (one purpose per
# commit, Conventional Commits subject), export, then rebuild (the kernel build
# re-applies the series to fresh copies of the pristine crates).
#
# Env: STARRY (0.12).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
export GIT_CEILING_DIRECTORIES=$DEV_TREES

case "${1:-}" in
init)
    "$ROOT/scripts/starry-src.sh" >/dev/null
    for crate in $PRISTINE_CRATES; do
        dir=$SERIES/$crate/
        dev=$DEV_TREES/$crate
        git=(git -C "$dev" -c user.name=axvdso -c user.email=axvdso@localhost)
        rm -rf "$dev"
        mkdir -p "$(dirname "$dev")"
        cp -r "$TREES/$crate-pristine" "$dev"
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
    for crate in $PRISTINE_CRATES; do
        dev=$DEV_TREES/$crate
        [ -d "$dev/.git" ] || { echo "starry-dev: no $dev (run: scripts/starry-dev.sh init)" >&2; exit 1; }
        mkdir -p "$SERIES/$crate"
        rm -f "$SERIES/$crate"/*.patch
        # No "[PATCH n/N]": adding a patch then changes no other file.
        git -C "$dev" format-patch -q --no-signature --no-numbered -o "$SERIES/$crate" pristine..HEAD
        ls "$SERIES/$crate"
    done
    ;;
*)
    sed -n '2,17p' "$0" >&2
    exit 2
    ;;
esac
