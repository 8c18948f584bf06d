#!/usr/bin/env bash
# linux-source.sh - extract parts of Debian's Linux source into build/.
#
# Usage: scripts/linux-source.sh VERSION DEST MEMBER...
#
# VERSION is a Debian linux-source package version: 6.1 (bookworm) or 6.12
# (bookworm-security).
# [1/2] installs Debian's linux-source-VERSION package (apt-get, by package
#       name) if /usr/src/linux-source-VERSION.tar.xz is missing
# [2/2] extracts the archive members matching each MEMBER (a tar wildcard
#       relative to the tree's top, e.g. 'lib/vdso/*' or '*Kconfig*') into
#       DEST/linux-source-VERSION, once: DEST/.complete records the list, and
#       a different list extracts afresh
#
# The tree never enters the repository; scripts/selftests.sh and
# scripts/linux-vdso.sh each keep their own DEST under build/.
#
# Example: scripts/linux-source.sh 6.1 build/x 'Makefile' 'lib/vdso/*'
set -euo pipefail

usage="usage: linux-source.sh VERSION DEST MEMBER..."
VERSION=${1:?$usage}
DEST=${2:?$usage}
shift 2
(($#)) || { echo "$usage" >&2; exit 2; }
SRC_TAR=/usr/src/linux-source-$VERSION.tar.xz
TOP=linux-source-$VERSION
say() { printf '\033[1;34m[linux-source]\033[0m %s\n' "$*"; }
for tool in tar xz; do
    command -v "$tool" >/dev/null || { echo "linux-source: $tool not found" >&2; exit 1; }
done

if [ ! -f "$SRC_TAR" ]; then
    say "[1/2] apt-get install linux-source-$VERSION"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "linux-source-$VERSION" >/dev/null
    [ -f "$SRC_TAR" ] || { echo "linux-source: the package did not provide $SRC_TAR" >&2; exit 1; }
else
    say "[1/2] linux-source-$VERSION present"
fi

wanted=$(printf '%s\n' "$@")
if [ -f "$DEST/.complete" ] && [ "$(cat "$DEST/.complete")" = "$wanted" ]; then
    say "[2/2] $DEST/$TOP up to date"
    exit 0
fi
say "[2/2] extracting $# member pattern(s) into $DEST/$TOP"
rm -rf "$DEST"
mkdir -p "$DEST"
members=()
for m in "$@"; do members+=("$TOP/$m"); done
tar -xJf "$SRC_TAR" -C "$DEST" --wildcards "${members[@]}"
printf '%s\n' "$wanted" > "$DEST/.complete"
