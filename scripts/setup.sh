#!/usr/bin/env bash
# setup.sh - install what building and booting the demo needs (idempotent).
#
# Usage: scripts/setup.sh
#
# Installs, only when missing:
#   [1/4] Debian packages: for every arch of scripts/arch.sh its QEMU and
#         glibc cross toolchain and libraries; libclang (bindgen), cmake, e2fsprogs, flex, bison, bc,
#         and Go (golang-go, for the Go guest program)
#         (Kbuild, for Linux's vDSO: scripts/linux-vdso.sh)
#   [2/4] rustup toolchains: the Starry base's pinned nightly and its
#         components and bare-metal targets (scripts/base/$STARRY.sh: 0.2
#         nightly-2026-02-25 + rust-src, llvm-tools, clippy, rustfmt and the
#         riscv64/x86_64 bare-metal std; 0.12 nightly-2026-09-21 + rust-src,
#         llvm-tools), stable's targets for user programs and host tests, and
#         what else the base needs (0.12: gen_ksym, and nightly-2026-02-25's
#         rustfmt for check-series.sh)
#   [3/4] the `ziglang` wheel (pip download, unpacked into build/toolchain),
#         whose `zig cc` and musl headers stand in for the <arch> musl cross
#         compiler that lwext4_rust (0.2) and lwprintf-rs (0.12) expect
#   [4/4] the musl cross wrappers in build/toolchain/bin, for every arch
# and touches build/.setup-done + the base's suffix (.setup-done for 0.2,
# .setup-done-starry0.12 for 0.12).
#
# Env: STARRY (0.12), KERNEL_TOOLCHAIN (the base's), ZIG_VERSION (0.13.0).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
ARCH_TABLE_ONLY=1 . "$ROOT/scripts/arch.sh"
ZIG_VERSION=${ZIG_VERSION:-0.13.0}
TOOLCHAIN_DIR="$ROOT/build/toolchain"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# --- [1/4] Debian packages -------------------------------------------------
APT_PKGS=(opensbi libclang-dev clang cmake make
          e2fsprogs python3-pip flex bison bc golang-go gcc libc6-dev xz-utils git)
# per arch: QEMU and the glibc cross toolchain and libraries
for a in $ARCHES; do
    arch_row "$a"
    # shellcheck disable=SC2206 # lists of package names
    APT_PKGS+=($QEMU_PKG $GNU_PKGS)
done
missing=()
for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    say "[1/4] apt-get install ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    say "[1/4] Debian packages present"
fi

# --- [2/4] rustup toolchains -------------------------------------------------
command -v rustup >/dev/null || { echo "setup: rustup not found; install Rust via rustup first" >&2; exit 1; }
if ! rustup run "$KERNEL_TOOLCHAIN" rustc --version >/dev/null 2>&1; then
    say "[2/4] rustup toolchain install $KERNEL_TOOLCHAIN"
    rustup toolchain install "$KERNEL_TOOLCHAIN" --profile minimal
fi
have_comp() { rustup component list --toolchain "$1" --installed 2>/dev/null | grep -q "^$2"; }
for c in $KERNEL_COMPONENTS; do
    have_comp "$KERNEL_TOOLCHAIN" "$c" || { say "[2/4] component $c for $KERNEL_TOOLCHAIN"; rustup component add --toolchain "$KERNEL_TOOLCHAIN" "$c"; }
done
kernel_targets=$KERNEL_EXTRA_TARGETS
if [ "$KERNEL_PREBUILT_STD" = 1 ]; then
    for a in $BASE_ARCHES; do arch_row "$a"; kernel_targets+=" $KERNEL_TARGET"; done
fi
for t in $kernel_targets; do
    have_comp "$KERNEL_TOOLCHAIN" "rust-std-$t" || { say "[2/4] target $t for $KERNEL_TOOLCHAIN"; rustup target add --toolchain "$KERNEL_TOOLCHAIN" "$t"; }
done
if ! rustup run stable rustc --version >/dev/null 2>&1; then
    say "[2/4] rustup toolchain install stable"
    rustup toolchain install stable --profile minimal -c clippy -c rustfmt
fi
for c in clippy rustfmt; do
    have_comp stable "$c" || { say "[2/4] component $c for stable"; rustup component add --toolchain stable "$c"; }
done
# the vDSO's bare-metal targets (axvdso-abi's table), the guests' Rust targets
stable_targets=$(cd "$ROOT" && cargo +stable run --quiet -p axvdso-abi --example vdso_target)
# (one line, space-separated, for the match below)
vdso_targets=$(echo $stable_targets)
for a in $ARCHES; do
    arch_row "$a"
    stable_targets+=" $USER_TARGET"
done
for t in $stable_targets; do
    have_comp stable "rust-std-$t" && continue
    say "[2/4] target $t for stable"
    rustup target add --toolchain stable "$t" && continue
    # A vDSO target rustup cannot fetch (some mirrors lack
    # loongarch64-unknown-none-softfloat): the vDSO build and
    # scripts/cargo-bare.sh build `core` from stable's rust-src instead, and
    # the nested vDSO build is --offline: fetch the std library's crates now.
    case " $vdso_targets " in
        *" $t "*) ;;
        *) echo "setup: rustup target add --toolchain stable $t failed" >&2; exit 1 ;;
    esac
    say "[2/4] no rust-std for $t: core will be built from stable's rust-src"
    have_comp stable rust-src || rustup component add --toolchain stable rust-src
    RUSTC_BOOTSTRAP=1 cargo +stable fetch --quiet --locked --manifest-path \
        "$(rustc +stable --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
done
base_setup
say "[2/4] rust toolchains ready ($KERNEL_TOOLCHAIN for the $BASE_DESC base, stable)"

# --- [3/4] zig (musl headers + cc) --------------------------------------------
# The wheel is downloaded (not installed: no Python environment is touched,
# which also works where the system Python refuses pip installs) and unpacked
# into build/toolchain/zig.
ZIG_DIR="$TOOLCHAIN_DIR/zig-$ZIG_VERSION"
ZIG="$ZIG_DIR/ziglang/zig"
if [ ! -x "$ZIG" ]; then
    say "[3/4] pip download ziglang==$ZIG_VERSION"
    wheels="$TOOLCHAIN_DIR/wheels"
    rm -rf "$wheels" "$ZIG_DIR"; mkdir -p "$wheels"
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
        -d "$wheels" "ziglang==$ZIG_VERSION"
    wheel=$(ls "$wheels"/ziglang-"$ZIG_VERSION"-*.whl)
    python3 -m zipfile -e "$wheel" "$ZIG_DIR"
    chmod +x "$ZIG"
    rm -rf "$wheels"
fi
ZIG_LIB="$ZIG_DIR/ziglang/lib"
[ -d "$ZIG_LIB/libc/include/generic-musl" ] || { echo "setup: ziglang wheel has no musl headers at $ZIG_LIB" >&2; exit 1; }
say "[3/4] zig $("$ZIG" version) in $ZIG_DIR"

# --- [4/4] <arch>-linux-musl-* wrappers --------------------------------------
# lwext4_rust (0.2) compiles C with <arch>-linux-musl-cc/gcc (CMake) and asks
# `<arch>-linux-musl-gcc -print-sysroot` for headers to give bindgen; lwprintf-rs
# (0.12) compiles with cc-rs, which adds `--target=<arch>...` (zig cc takes
# no such flag: dropped). We answer with zig cc and a sysroot whose include/
# merges zig's musl header layers.
mkdir -p "$TOOLCHAIN_DIR/bin"
for arch in $ARCHES; do
    arch_row "$arch"
    sysroot="$TOOLCHAIN_DIR/$arch-linux-musl"
    if [ ! -f "$sysroot/.complete" ]; then
        say "[4/4] musl sysroot for $arch"
        rm -rf "$sysroot"; mkdir -p "$sysroot/include"
        # lowest priority first; later layers override
        for layer in any-linux-any "$arch-linux-any" generic-musl "$arch-linux-musl"; do
            [ -d "$ZIG_LIB/libc/include/$layer" ] && cp -r "$ZIG_LIB/libc/include/$layer/." "$sysroot/include/"
        done
        touch "$sysroot/.complete"
    fi
    for tool in cc gcc c++; do
        cat > "$TOOLCHAIN_DIR/bin/$arch-linux-musl-$tool" <<WRAP
#!/bin/sh
# generated by scripts/setup.sh (scripts/arch.sh's $arch row): zig cc standing in
# for a $arch musl cross compiler; gcc's CPU flags translated for zig
# ('$ZIG_CPU_FLAGS'), cc-rs's --target= dropped, '$ZIG_FLAGS' added.
for a in "\$@"; do
    shift
    case "\$a" in
        -print-sysroot) echo "$sysroot"; exit 0 ;;
        --target=*) ;;
        -march=*|-mabi=*|-mcpu=*)
            a=\$(printf '%s\\n' "\$a" | sed '$ZIG_CPU_FLAGS')
            [ -n "\$a" ] && set -- "\$@" "\$a" ;;
        *) set -- "\$@" "\$a" ;;
    esac
done
exec "$ZIG" cc -target $ZIG_TARGET $ZIG_FLAGS "\$@"
WRAP
    done
    for tool in ar ranlib; do
        printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$ZIG" "$tool" > "$TOOLCHAIN_DIR/bin/$arch-linux-musl-$tool"
    done
    # binutils for the rest (lwext4's build only names them)
    for tool in objcopy objdump size as; do
        printf '#!/bin/sh\nexec %s-%s "$@"\n' "$GNU_TRIPLE" "$tool" > "$TOOLCHAIN_DIR/bin/$arch-linux-musl-$tool"
    done
    chmod +x "$TOOLCHAIN_DIR/bin/"*
done
say "[4/4] cross wrappers in $TOOLCHAIN_DIR/bin"
touch "$ROOT/build/.setup-done$BASE_SUFFIX"
