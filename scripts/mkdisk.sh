#!/usr/bin/env bash
# mkdisk.sh - build the guest programs and the ext4 root image.
#
# Usage: scripts/mkdisk.sh OUT_IMG [USER_DIR]
#
# [1/4] C programs (apps/vdso/user/c) with Debian's glibc cross gcc for ARCH (scripts/arch.sh):
#       /bin/runner (init), /bin/clock-{static,dynamic} (auxv + clocks),
#       /bin/vdso-{static,dynamic} (the vDSO checks),
#       /bin/guard-{static,dynamic} (attacks on the shared vDSO pages, Linux
#       signal frames; unwind tables for their unwinding checks), /bin/bench
#       and /bin/exit0 (make bench), /bin/execcost and
#       /bin/exit-{static,dynamic} (make execcost),
#       and Linux's vDSO selftests in /selftests (scripts/selftests.sh)
# [2/4] the Rust std program (apps/vdso/user/rust-clock, stable toolchain,
#       the arch's USER_TARGET, crt-static): /bin/rust-clock; the Go
#       program (apps/vdso/user/go-clock, Debian's Go, static): /bin/go-clock
# [3/4] the root tree (staged in $BUILD_DIR/<image name>.rootfs): glibc's
#       loader and libc for dynamic programs, /etc/runner.list (what
#       /bin/runner runs), with LINUX_VDSO Linux's vdso.so as
#       /lib/linux-vdso.so (bench runs it beside ours), and USER_DIR copied
#       on top
# [4/4] mkfs.ext4 -d (no root, no loop device)
#
# Env: ARCH (riscv64), BUILD_DIR (build/$ARCH),
#      RUNNER_LIST (the commands of /etc/runner.list, separated by ';';
#        default: the paths of apps/vdso/user/programs.list),
#      LINUX_VDSO (a vdso.so to put at /lib/linux-vdso.so; default: none).
#
# Example: RUNNER_LIST=/bin/bench scripts/mkdisk.sh build/riscv64/bench-disk.img
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/arch.sh"
BUILD_DIR=${BUILD_DIR:-$ROOT/build/$ARCH}
OUT_IMG=${1:?usage: mkdisk.sh OUT_IMG [USER_DIR]}
USER_DIR=${2:-}
say() { printf '\033[1;34m[mkdisk]\033[0m %s\n' "$*"; }

CC=$GNU_TRIPLE-gcc
for tool in $CC mkfs.ext4; do
    command -v "$tool" >/dev/null || { echo "mkdisk: $tool not found (run: make setup)" >&2; exit 1; }
done
[ -z "$USER_DIR" ] || [ -d "$USER_DIR" ] || { echo "mkdisk: USER_DIR=$USER_DIR is not a directory" >&2; exit 1; }

SRC=$ROOT/apps/vdso/user
STAGE=$BUILD_DIR/$(basename "$OUT_IMG" .img).rootfs
RUNNER_LIST=${RUNNER_LIST:-}
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,etc,lib,tmp,dev,proc,sys}

say "[1/4] C programs"
CFLAGS=(-O2 -Wall -Wextra -Werror -I"$SRC/c")
$CC "${CFLAGS[@]}" -static -o "$STAGE/bin/runner" "$SRC/c/runner.c"
$CC "${CFLAGS[@]}" -static -o "$STAGE/bin/clock-static" "$SRC/c/clock_demo.c"
$CC "${CFLAGS[@]}" -o "$STAGE/bin/clock-dynamic" "$SRC/c/clock_demo.c"
$CC "${CFLAGS[@]}" -static -pthread -o "$STAGE/bin/vdso-static" "$SRC/c/vdso_test.c"
$CC "${CFLAGS[@]}" -pthread -o "$STAGE/bin/vdso-dynamic" "$SRC/c/vdso_test.c"
$CC "${CFLAGS[@]}" -fasynchronous-unwind-tables -static -pthread -o "$STAGE/bin/guard-static" "$SRC/c/vdso_guard.c"
$CC "${CFLAGS[@]}" -fasynchronous-unwind-tables -pthread -o "$STAGE/bin/guard-dynamic" "$SRC/c/vdso_guard.c"
$CC "${CFLAGS[@]}" -static -pthread -o "$STAGE/bin/clock-set" "$SRC/c/clock_set.c"
$CC "${CFLAGS[@]}" -static -pthread -o "$STAGE/bin/droppable" "$SRC/c/droppable.c"
$CC "${CFLAGS[@]}" -static -pthread -o "$STAGE/bin/vdso-getrandom" "$SRC/c/getrandom.c"
$CC "${CFLAGS[@]}" -static -o "$STAGE/bin/bench" "$SRC/c/bench.c"
$CC "${CFLAGS[@]}" -static -nostdlib -o "$STAGE/bin/exit0" "$SRC/c/exit0.c"
$CC "${CFLAGS[@]}" -static -o "$STAGE/bin/execcost" "$SRC/c/execcost.c"
$CC "${CFLAGS[@]}" -static -o "$STAGE/bin/exit-static" "$SRC/c/exit_glibc.c"
$CC "${CFLAGS[@]}" -o "$STAGE/bin/exit-dynamic" "$SRC/c/exit_glibc.c"

say "      Linux vDSO selftests"
"$ROOT/scripts/selftests.sh" "$STAGE/selftests" >/dev/null

say "[2/4] Rust std and Go programs"
RUST_TARGET=$USER_TARGET
linker_var=CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<< "$RUST_TARGET")_LINKER
(cd "$SRC/rust-clock" &&
 env "$linker_var=$CC" \
 RUSTFLAGS="-C target-feature=+crt-static" \
 cargo +stable build --quiet --release --locked --target $RUST_TARGET --target-dir "$BUILD_DIR/user-target")
cp "$BUILD_DIR/user-target/$RUST_TARGET/release/rust-clock" "$STAGE/bin/rust-clock"
command -v go >/dev/null || { echo "mkdisk: go not found (run: make setup)" >&2; exit 1; }
(cd "$SRC/go-clock" &&
 GOOS=linux GOARCH=$GOARCH CGO_ENABLED=0 GOFLAGS=-trimpath GOCACHE="$BUILD_DIR/go-cache" \
 go build -o "$STAGE/bin/go-clock" .)

say "[3/4] root tree"
# glibc's loader is named by PT_INTERP; libc.so.6 goes where it searches.
# libgcc_s.so.1: the unwinder of /bin/guard-dynamic and of glibc's backtrace().
mkdir -p "$STAGE/$(dirname "$GLIBC_LOADER")" "$STAGE/$GLIBC_LIBDIR" "$STAGE/lib/$GNU_TRIPLE"
cp -L "$GNU_SYSROOT/$GLIBC_LOADER" "$STAGE/$GLIBC_LOADER"
for lib in libc.so.6 libm.so.6 libgcc_s.so.1; do
    cp -L "$GNU_SYSROOT/$GLIBC_LIBDIR/$lib" "$STAGE/$GLIBC_LIBDIR/$lib"
done
if [ -n "$RUNNER_LIST" ]; then
    say "      runner.list: $RUNNER_LIST"
    tr ';' '\n' <<< "$RUNNER_LIST" > "$STAGE/etc/runner.list"
else
    awk '!/^#/ && NF == 2 { print $1 }' "$SRC/programs.list" > "$STAGE/etc/runner.list"
fi
if [ -n "${LINUX_VDSO:-}" ]; then
    [ -f "$LINUX_VDSO" ] || { echo "mkdisk: LINUX_VDSO=$LINUX_VDSO: no such file (make linux-vdso)" >&2; exit 1; }
    say "      + /lib/linux-vdso.so: $LINUX_VDSO"
    cp "$LINUX_VDSO" "$STAGE/lib/linux-vdso.so"
fi
if [ -n "$USER_DIR" ]; then
    say "      + $USER_DIR"
    cp -r "$USER_DIR/." "$STAGE/"
fi

say "[4/4] ext4 image $OUT_IMG"
rm -f "$OUT_IMG"
mkfs.ext4 -q -F -O ^metadata_csum_seed -d "$STAGE" "$OUT_IMG" 64M
