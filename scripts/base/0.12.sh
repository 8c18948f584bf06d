# 0.12.sh - the starry-kernel 0.12.1 base (rcore-os/tgoskits, published
# 2026-09-22): no platform crate (axplat-dyn reads the device tree), a PIE
# kernel, a kallsyms section to fill after the link, NVMe for the disk.
#
# Everything that differs between the Starry bases, for this one; sourced
# through scripts/base/select.sh (STARRY=0.12) with ROOT and, in the build,
# ARCH, SMP, LOG, BUILD_DIR set. The other base is scripts/base/0.2.sh: both
# define the same names.

BASE_DESC="starry-kernel 0.12.1"
BASE_SUFFIX="-starry0.12"

# The kernel's toolchain: this nightly ships no bare-metal rust-std, so core
# and alloc are built from rust-src (-Z build-std). nightly-2026-02-25 fails
# (core_io in ax-io 0.7.2), nightly-2026-07-15 too (C-variadic kprint.rs).
KERNEL_TOOLCHAIN=${KERNEL_TOOLCHAIN:-nightly-2026-09-21}
KERNEL_COMPONENTS="rust-src llvm-tools"
KERNEL_PREBUILT_STD=0
KERNEL_EXTRA_TARGETS=""
# rustfmt for scripts/check-series.sh: this nightly has no rustfmt component,
# and stable's rustfmt ignores the unstable settings of Starry's rustfmt.toml
# (import grouping, comment normalisation, ...; pristine files then look
# unclean): the 0.2 base's nightly, installed by base_setup.
RUSTFMT_TOOLCHAIN=nightly-2026-02-25

APP=$ROOT/apps/vdso/kernel-0.12
APP_BIN=starry-vdso-demo
# The app links the feature crates (its `vdso` feature).
BASE_VDSO=1

SERIES=$ROOT/patches/starry-0.12
PRISTINE_CRATES="starry-kernel starry-signal"
PRISTINE_FETCH=$ROOT/scripts/pristine-0.12
TREES=$ROOT/build/starry-0.12
DEV_TREES=$ROOT/build/starry-0.12/dev

# `gen_ksym` (crate ksym 0.6.0), installed by base_setup.
KSYM_VERSION=0.6.0
GEN_KSYM=$ROOT/build/toolchain/ksym-$KSYM_VERSION/bin/gen_ksym

# The arches this base builds and boots (scripts/arch.sh has their rows).
BASE_ARCHES="riscv64 aarch64 x86_64"

base_target() {
    case "$ARCH" in
        riscv64|aarch64|x86_64) TARGET=$KERNEL_TARGET ;;
        *) echo "base 0.12: ARCH=$ARCH is not supported (BASE_ARCHES: $BASE_ARCHES)" >&2; return 1 ;;
    esac
}
# One kernel for any CPU count up to its capacity: SMP support is always
# built (starry-kernel turns ax-std/smp on) and the device tree says how many
# CPUs there are. So SMP=1 and SMP=4 boot the same build (the Makefile's
# kernel directory has no -smpN here), and the VDSO variants (ours, Linux's,
# none) share one cargo target directory: they differ in the app and
# axvdso-image only, a relink, where separate directories would each compile
# all of Starry.
SMP_PER_BUILD=0
SMP_CAPACITY=4
SHARED_TARGET=1

# base_configure: no config file; the build scripts of ax-hal, ax-runtime and
# axplat-dyn read SMP (the CPU capacity: SMP_CAPACITY, or SMP if larger) and
# the tick (ms) from the environment; ax-runtime's build info reads AX_TARGET
# and AX_MODE. Says what it did in CONFIG_DESC.
base_configure() {
    local capacity=$(( SMP > SMP_CAPACITY ? SMP : SMP_CAPACITY ))
    export AX_ARCH=$ARCH AX_TARGET=$TARGET AX_MODE=release AX_LOG=$LOG SMP=$capacity \
           AX_SCHEDULER_TICK_MS=$((1000 / DEMO_HZ))
    CONFIG_DESC="no config file (up to $capacity CPUs, tick ${AX_SCHEDULER_TICK_MS} ms)"
}

# base_cargo_args: core and alloc from source; the app without its `vdso`
# feature for WITH_VDSO=0.
base_cargo_args() {
    CARGO_ARGS=(-Z build-std=core,alloc)
    [ "$WITH_VDSO" = 0 ] && CARGO_ARGS+=(--no-default-features)
    return 0
}

# base_rustflags OUT: upstream's PIE link. linker.x is the kernel's linker.ld
# (the app's build.rs writes it; it INCLUDEs ax-runtime's runtime.x).
base_rustflags() {
    local flags="-Crelocation-model=pic -Clink-arg=-pie"
    [ "$ARCH" = riscv64 ] && flags+=" -Clink-arg=--no-relax"
    echo "$flags -Clink-arg=--gc-sections -Clink-arg=-znorelro -Clink-arg=-znostart-stop-gc -Clink-arg=-Tlinker.x -Clink-arg=-u -Clink-arg=_head"
}

# base_post_link ELF: fill the reserved .kallsyms section (8 MiB, zeros after
# the link; boot panics in pseudofs/proc.rs without it) with gen_ksym's blob
# of `llvm-nm -n`, nameless symbols left out. Writes BUILD_DIR/starry.elf and
# sets KERNEL_ELF to it.
base_post_link() {
    local elf=$1 llvm
    llvm=$(rustc "+$KERNEL_TOOLCHAIN" --print sysroot)/lib/rustlib/$(rustc "+$KERNEL_TOOLCHAIN" -vV | sed -n 's/^host: //p')/bin
    [ -x "$GEN_KSYM" ] || { echo "base 0.12: $GEN_KSYM missing (run: make setup STARRY=0.12)" >&2; return 1; }
    "$llvm/llvm-nm" -n "$elf" | awk 'NF >= 3' | "$GEN_KSYM" > "$BUILD_DIR/kallsyms.bin"
    "$llvm/llvm-objcopy" --update-section ".kallsyms=$BUILD_DIR/kallsyms.bin" "$elf" "$BUILD_DIR/starry.elf"
    echo "kallsyms: $(stat -c %s "$BUILD_DIR/kallsyms.bin") bytes into .kallsyms"
    KERNEL_ELF=$BUILD_DIR/starry.elf
}

# base_qemu_disk DISK: ax-driver 0.18 has no virtio-blk driver: NVMe.
base_qemu_disk() {
    QEMU_DISK=(-drive "id=disk0,if=none,format=raw,file=$1" -device nvme,serial=starry0,drive=disk0)
}

# base_setup: gen_ksym for base_post_link, built with stable from its own lock;
# RUSTFMT_TOOLCHAIN's rustfmt for check-series.sh.
base_setup() {
    if ! rustup run "$RUSTFMT_TOOLCHAIN" rustfmt --version >/dev/null 2>&1; then
        echo "rustup toolchain install $RUSTFMT_TOOLCHAIN (rustfmt)"
        rustup toolchain install "$RUSTFMT_TOOLCHAIN" --profile minimal -c rustfmt
    fi
    if [ ! -x "$GEN_KSYM" ]; then
        echo "cargo install ksym $KSYM_VERSION (gen_ksym)"
        cargo +stable install --quiet --locked --version "$KSYM_VERSION" --bin gen_ksym \
            --root "$(dirname "$(dirname "$GEN_KSYM")")" ksym
    fi
}
