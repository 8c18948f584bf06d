#!/usr/bin/env bash
# selftests.sh - cross-compile the Linux kernel's own vDSO selftests, from
# two Linux versions.
#
# Usage: scripts/selftests.sh OUT_DIR
#
# For Linux 6.1 (Debian bookworm's linux-source-6.1) and 6.12
# (bookworm-security's linux-source-6.12):
# [1/2] extracts tools/testing/selftests/vDSO and kselftest.h (6.12 also the
#       uapi and tools headers vdso_test_getrandom includes) into
#       build/linux-selftests/VERSION (scripts/linux-source.sh installs the
#       package by name if missing)
# [2/2] builds every test that builds for riscv64, unmodified, with Debian's
#       riscv64 glibc cross gcc and the flags of the version's lib.mk, into
#       OUT_DIR/VERSION:
#       6.1:  vdso_test_abi, vdso_test_clock_getres, vdso_test_correctness,
#             vdso_test_getcpu, vdso_test_gettimeofday
#       6.12: the same and vdso_test_getrandom.
#       Not built: vdso_standalone_test_x86 (x86 only) and 6.12's
#       vdso_test_chacha (it assembles arch/$ARCH/kernel/vdso/
#       vgetrandom-chacha.S, which riscv64 has not in 6.12).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: selftests.sh OUT_DIR}
. "$ROOT/scripts/arch.sh"
CC=$GNU_TRIPLE-gcc
say() { printf '\033[1;34m[selftests]\033[0m %s\n' "$*"; }

for version in 6.1 6.12; do
    tree=$ROOT/build/linux-selftests/$version
    top=$tree/linux-source-$version
    members=('tools/testing/selftests/vDSO/*' 'tools/testing/selftests/kselftest.h')
    [ "$version" = 6.12 ] && members+=('tools/include/*' 'include/uapi/*')
    say "[1/2] Linux $version sources"
    "$ROOT/scripts/linux-source.sh" "$version" "$tree" "${members[@]}"
    dir=$top/tools/testing/selftests/vDSO
    out=$OUT/$version

    say "[2/2] Linux $version: building into $out"
    mkdir -p "$out"
    CFLAGS=(-std=gnu99 -O2 -I"$dir/..")
    # 6.12's lib.mk builds every test with _GNU_SOURCE (6.1's does not).
    [ "$version" = 6.12 ] && CFLAGS+=(-D_GNU_SOURCE=)
    (
        cd "$dir"
        for t in vdso_test_abi vdso_test_getcpu vdso_test_gettimeofday; do
            $CC "${CFLAGS[@]}" -static -o "$out/$t" parse_vdso.c "$t.c"
        done
        $CC "${CFLAGS[@]}" -static -o "$out/vdso_test_clock_getres" vdso_test_clock_getres.c
        # dlopen("linux-vdso.so.1", RTLD_NOLOAD) needs glibc's dynamic loader.
        $CC "${CFLAGS[@]}" -o "$out/vdso_test_correctness" vdso_test_correctness.c -ldl
        if [ "$version" = 6.12 ]; then
            # Its Makefile's extra include paths: the tools headers and the
            # 6.12 uapi (struct vgetrandom_opaque_params).
            $CC "${CFLAGS[@]}" -isystem "$top/tools/include" -isystem "$top/include/uapi" \
                -static -o "$out/vdso_test_getrandom" parse_vdso.c vdso_test_getrandom.c
        fi
    )
    ls "$out"
done
