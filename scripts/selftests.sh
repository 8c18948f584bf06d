#!/usr/bin/env bash
# selftests.sh - cross-compile the Linux kernel's own vDSO selftests.
#
# Usage: scripts/selftests.sh OUT_DIR
#
# [1/3] installs Debian's linux-source-6.1 package (apt, by name) if missing
# [2/3] extracts only tools/testing/selftests/vDSO (and kselftest.h) into
#       build/linux-selftests (once)
# [3/3] builds every test that builds for riscv64, unmodified, with Debian's
#       riscv64 glibc cross gcc, into OUT_DIR:
#       vdso_test_abi, vdso_test_clock_getres, vdso_test_correctness,
#       vdso_test_getcpu, vdso_test_gettimeofday
#       (vdso_standalone_test_x86 is x86-only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: selftests.sh OUT_DIR}
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
TREE=$ROOT/build/linux-selftests
CC=riscv64-linux-gnu-gcc
say() { printf '\033[1;34m[selftests]\033[0m %s\n' "$*"; }

if [ ! -f "$SRC_TAR" ]; then
    say "[1/3] apt-get install linux-source-6.1"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends linux-source-6.1 >/dev/null
else
    say "[1/3] linux-source-6.1 present"
fi

dir=$TREE/linux-source-6.1/tools/testing/selftests/vDSO
if [ ! -f "$TREE/.complete" ]; then
    say "[2/3] extracting tools/testing/selftests/vDSO"
    rm -rf "$TREE"; mkdir -p "$TREE"
    tar -xJf "$SRC_TAR" -C "$TREE" --wildcards \
        'linux-source-6.1/tools/testing/selftests/vDSO/*' \
        'linux-source-6.1/tools/testing/selftests/kselftest.h'
    touch "$TREE/.complete"
else
    say "[2/3] selftest sources present"
fi

say "[3/3] building into $OUT"
mkdir -p "$OUT"
CFLAGS=(-std=gnu99 -O2 -I"$dir/..")
(
    cd "$dir"
    for t in vdso_test_abi vdso_test_getcpu vdso_test_gettimeofday; do
        $CC "${CFLAGS[@]}" -static -o "$OUT/$t" parse_vdso.c "$t.c"
    done
    $CC "${CFLAGS[@]}" -static -o "$OUT/vdso_test_clock_getres" vdso_test_clock_getres.c
    # dlopen("linux-vdso.so.1", RTLD_NOLOAD) needs glibc's dynamic loader.
    $CC "${CFLAGS[@]}" -o "$OUT/vdso_test_correctness" vdso_test_correctness.c -ldl
)
ls "$OUT"
