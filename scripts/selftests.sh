#!/usr/bin/env bash
# selftests.sh - cross-compile the Linux kernel's own vDSO selftests.
#
# Usage: scripts/selftests.sh OUT_DIR
#
# [1/2] Debian's linux-source-6.1 (installed by package name if missing):
#       only tools/testing/selftests/vDSO and kselftest.h are extracted, into
#       build/linux-selftests (scripts/linux-source.sh)
# [2/2] builds every test that builds for riscv64, unmodified, with Debian's
#       riscv64 glibc cross gcc, into OUT_DIR:
#       vdso_test_abi, vdso_test_clock_getres, vdso_test_correctness,
#       vdso_test_getcpu, vdso_test_gettimeofday
#       (vdso_standalone_test_x86 is x86-only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: selftests.sh OUT_DIR}
TREE=$ROOT/build/linux-selftests
CC=riscv64-linux-gnu-gcc
say() { printf '\033[1;34m[selftests]\033[0m %s\n' "$*"; }

say "[1/2] sources"
"$ROOT/scripts/linux-source.sh" "$TREE" \
    'tools/testing/selftests/vDSO/*' 'tools/testing/selftests/kselftest.h'
dir=$TREE/linux-source-6.1/tools/testing/selftests/vDSO

say "[2/2] building into $OUT"
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
