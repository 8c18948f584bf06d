#!/usr/bin/env bash
# linux-vdso.sh - build Linux 6.1's own vDSO for ARCH, to embed instead of ours
# (make VDSO=linux; AXVDSO_EXTERNAL_IMAGE, see crates/axvdso-image/README.md).
#
# Usage: scripts/linux-vdso.sh OUT_DIR         (writes OUT_DIR/vdso.so)
#
# [1/4] the sources Kbuild needs for it, from Debian's linux-source-6.1
#       (scripts/linux-source.sh: every Kconfig file, the top Makefile and
#       Kbuild, scripts/, include/, arch/<kbuild arch>/, lib/vdso/ and a few more)
#       into OUT_DIR/src; nothing enters the repository
# [2/4] the configuration, in OUT_DIR/obj (once; again when this script
#       changes): the arch's defconfig (GENERIC_TIME_VSYSCALL, GENERIC_GETTIMEOFDAY,
#       TIME_NS: 2 vvar pages below the text, like ours), then HZ=$DEMO_HZ of scripts/demo.conf (our
#       kernel's tick: the coarse clocks' clock_getres is compiled in from HZ)
#       and COMPAT off (no 32-bit vDSO needed); the result is checked
# [3/4] make the arch's KBUILD_VDSO_TARGETS (scripts/arch.sh: vdso_prepare,
#       which builds arm64's vdso.so, and riscv's vdso.o, whose prerequisite
#       is vdso.so), with CROSS_COMPILE=<GNU_TRIPLE>-
# [4/4] copies arch/<kbuild arch>/kernel/vdso/vdso.so to OUT_DIR/vdso.so
#
# Env: JOBS (parallel Kbuild jobs; default: nproc).
# Env: ARCH (riscv64).
# Needs: the arch's <GNU_TRIPLE>-gcc, make, flex, bison, bc (make setup installs them).
#
# Example: scripts/linux-vdso.sh build/linux-vdso
#          AXVDSO_EXTERNAL_IMAGE=$PWD/build/linux-vdso/vdso.so make build
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/demo.conf"
. "$ROOT/scripts/arch.sh"
OUT_ARG=${1:?usage: linux-vdso.sh OUT_DIR}
mkdir -p "$OUT_ARG"
OUT=$(cd "$OUT_ARG" && pwd)
JOBS=${JOBS:-$(nproc)}
SRC=$OUT/src/linux-source-6.1
OBJ=$OUT/obj
say() { printf '\033[1;34m[linux-vdso]\033[0m %s\n' "$*"; }

if [ -z "$KBUILD_VDSO_TARGETS" ]; then
    echo "linux-vdso: no Linux vDSO for ARCH=$ARCH: Linux 6.1's $ARCH image expects another data-page" \
         "arrangement than ours (axvdso-abi: linux_image_fits_our_data_pages is false); VDSO=linux" \
         "runs where it is true (scripts/arch.sh: KBUILD_VDSO_TARGETS)" >&2
    exit 1
fi
for tool in "$GNU_TRIPLE-gcc" make flex bison bc; do
    command -v "$tool" >/dev/null || { echo "linux-vdso: $tool not found (run: make setup)" >&2; exit 1; }
done

# [1/4] sources. Kconfig reads every Kconfig file of the tree; prepare builds
# the host tools in scripts/ (sorttable needs tools/include, the SELinux ones
# security/selinux/include) and bounds, timeconst and asm-offsets.
say "[1/4] sources"
"$ROOT/scripts/linux-source.sh" 6.1 "$OUT/src" \
    'Makefile' 'Kbuild' '*Kconfig*' 'scripts/*' 'include/*' "arch/$KBUILD_ARCH/*" 'lib/vdso/*' \
    'kernel/bounds.c' 'kernel/time/timeconst.bc' 'tools/include/*' \
    'security/selinux/include/*' 'arch/x86/entry/syscalls/syscall_32.tbl'

# Kbuild is driven only by what is given here: not by the make that may have
# started this script (its MAKEFLAGS carry our ARCH=, VDSO=...), and
# scripts/setlocalversion must not look at the enclosing git checkout.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
export GIT_CEILING_DIRECTORIES=$OUT
kmake() { make -s -C "$SRC" O="$OBJ" ARCH="$KBUILD_ARCH" CROSS_COMPILE="$GNU_TRIPLE-" -j"$JOBS" "$@"; }

# [2/4] configuration
if [ ! -f "$OBJ/.config" ] || [ "$0" -nt "$OBJ/.config" ] || [ "$ROOT/scripts/demo.conf" -nt "$OBJ/.config" ]; then
    say "[2/4] $KBUILD_ARCH defconfig + HZ=$DEMO_HZ, TIME_NS=y, COMPAT=n"
    rm -rf "$OBJ"
    mkdir -p "$OBJ"
    kmake defconfig >/dev/null
    "$SRC/scripts/config" --file "$OBJ/.config" -d HZ_250 -e "HZ_$DEMO_HZ" -e TIME_NS -d COMPAT
    kmake olddefconfig >/dev/null
else
    say "[2/4] configuration up to date ($OBJ/.config)"
fi
for want in "CONFIG_HZ=$DEMO_HZ" CONFIG_TIME_NS=y CONFIG_GENERIC_TIME_VSYSCALL=y \
            CONFIG_GENERIC_GETTIMEOFDAY=y CONFIG_HAVE_GENERIC_VDSO=y CONFIG_64BIT=y; do
    grep -qx "$want" "$OBJ/.config" || {
        echo "linux-vdso: $OBJ/.config lacks $want (Kconfig dropped it); see $OBJ/.config" >&2
        exit 1
    }
done

# [3/4] build
say "[3/4] make $KBUILD_VDSO_TARGETS"
for target in $KBUILD_VDSO_TARGETS; do kmake "$target"; done

# [4/4] result
image=$OBJ/arch/$KBUILD_ARCH/kernel/vdso/vdso.so
[ -f "$image" ] || { echo "linux-vdso: Kbuild left no $image" >&2; exit 1; }
cp "$image" "$OUT/vdso.so"
say "[4/4] $OUT/vdso.so ($(stat -c %s "$OUT/vdso.so") bytes, Linux $(kmake -s kernelversion))"
