# arch.sh - everything that differs per architecture, one row each.
#
# Sourced (with ARCH set, default riscv64) by the scripts that build, boot or
# set up for an arch; the Starry bases add only what differs per base and arch
# (scripts/base/$STARRY.sh: the 0.2 base's platform crate). The vDSO image's
# own per-arch facts (its Rust target, version node, exports, hash style) are
# a row of the axvdso-abi crate, not here.
#
# Sets:
#   ARCHES            every arch this table knows (ARCH= accepts these)
#   KERNEL_TARGET     the bare-metal Rust target of the kernel
#   USER_TARGET       the Rust target of the guest's Rust std program
#   GNU_TRIPLE        Debian's glibc toolchain prefix (GNU_TRIPLE-gcc)
#   GNU_SYSROOT       where that toolchain's glibc lives: /usr/GNU_TRIPLE for
#                     a cross toolchain, / for the host's own
#   GNU_PKGS          the Debian packages with that toolchain and glibc
#   DEB_ARCH          Debian's name (libc6-dev-DEB_ARCH-cross)
#   GLIBC_LOADER      glibc's dynamic loader (PT_INTERP), relative to the
#                     sysroot and to the guest's root alike
#   GLIBC_LIBDIR      the directory of libc.so.6, relative to the sysroot and
#                     to the guest's root alike (one the loader searches)
#   GOARCH            Go's name
#   KBUILD_ARCH       Linux's arch directory (arch/KBUILD_ARCH)
#   KBUILD_VDSO_TARGETS  what to make, in order, for Linux 6.1 to build
#                     arch/KBUILD_ARCH/kernel/vdso/vdso.so; empty where
#                     Linux's image cannot run on our data pages (axvdso-abi's
#                     linux_image_fits_our_data_pages): VDSO=linux is refused
#   QEMU              the QEMU command line up to the machine (array)
#   QEMU_PKG          the Debian packages with that QEMU (and its firmware)
#   QEMU_KERNEL       how the kernel boots: bin (QEMU's -kernel loader runs
#                     starry.bin) or efi (starry.bin is a PE/EFI application,
#                     the kernel's EFI stub: UEFI firmware, QEMU_FIRMWARE,
#                     gets it through -kernel and runs it)
#   QEMU_FIRMWARE     the UEFI firmware's code image (QEMU_KERNEL=efi)
#   ZIG_TARGET        zig cc's target for the <arch>-linux-musl-* wrappers
#   ZIG_CPU_FLAGS     sed expressions turning gcc -march/-mabi/-mcpu flags into
#                     zig's (applied by the wrapper to each argument)
#   ZIG_FLAGS         flags the wrapper always adds (kernel C code: no FP/SIMD)

ARCHES="riscv64 aarch64 x86_64"

# arch_row A: set the variables above for arch A; fails for an unknown one.
arch_row() {
case "$1" in
    riscv64)
        KERNEL_TARGET=riscv64gc-unknown-none-elf
        USER_TARGET=riscv64gc-unknown-linux-gnu
        GNU_TRIPLE=riscv64-linux-gnu
        DEB_ARCH=riscv64
        GNU_SYSROOT=/usr/$GNU_TRIPLE
        GNU_PKGS="gcc-$GNU_TRIPLE binutils-$GNU_TRIPLE libc6-$DEB_ARCH-cross libc6-dev-$DEB_ARCH-cross"
        GLIBC_LOADER=lib/ld-linux-riscv64-lp64d.so.1
        GLIBC_LIBDIR=lib
        GOARCH=riscv64
        KBUILD_ARCH=riscv
        KBUILD_VDSO_TARGETS="vdso_prepare arch/riscv/kernel/vdso/vdso.o"
        QEMU=(qemu-system-riscv64 -machine virt -bios default)
        QEMU_PKG=qemu-system-misc
        QEMU_KERNEL=bin
        ZIG_TARGET=riscv64-linux-musl
        # zig takes the CPU from -mcpu (baseline_rv64 = rv64gc) and the ABI
        # from the target.
        ZIG_CPU_FLAGS='s/^-march=rv64gc.*/-mcpu=baseline_rv64/; /^-mabi=/d'
        ZIG_FLAGS=''
        ;;
    aarch64)
        KERNEL_TARGET=aarch64-unknown-none-softfloat
        USER_TARGET=aarch64-unknown-linux-gnu
        GNU_TRIPLE=aarch64-linux-gnu
        DEB_ARCH=arm64
        GNU_SYSROOT=/usr/$GNU_TRIPLE
        GNU_PKGS="gcc-$GNU_TRIPLE binutils-$GNU_TRIPLE libc6-$DEB_ARCH-cross libc6-dev-$DEB_ARCH-cross"
        GLIBC_LOADER=lib/ld-linux-aarch64.so.1
        GLIBC_LIBDIR=lib
        GOARCH=arm64
        KBUILD_ARCH=arm64
        KBUILD_VDSO_TARGETS="vdso_prepare"
        # -nic none: no default NIC, whose option ROM Debian ships in another package.
        QEMU=(qemu-system-aarch64 -machine virt -cpu cortex-a72 -nic none)
        QEMU_PKG=qemu-system-arm
        QEMU_KERNEL=bin
        ZIG_TARGET=aarch64-linux-musl
        # The C code is the kernel's (lwext4, lwprintf): it must leave the
        # FP/SIMD registers, which hold the interrupted user program's state,
        # alone. zig cc ignores -mgeneral-regs-only (the flag lwext4 passes)
        # and vectorises with q registers; a CPU without NEON and FP it
        # honours. Other -mcpu values are dropped.
        ZIG_CPU_FLAGS='/^-mcpu=/d'
        ZIG_FLAGS='-mcpu=generic-neon-fp_armv8'
        ;;
    x86_64)
        KERNEL_TARGET=x86_64-unknown-none
        USER_TARGET=x86_64-unknown-linux-gnu
        # The host's own toolchain (this table assumes an x86_64 host):
        # Debian's x86_64-linux-gnu-gcc is the native gcc, with the native
        # glibc under /, multiarch paths.
        GNU_TRIPLE=x86_64-linux-gnu
        DEB_ARCH=amd64
        GNU_SYSROOT=/
        GNU_PKGS="gcc binutils libc6 libc6-dev"
        GLIBC_LOADER=lib64/ld-linux-x86-64.so.2
        GLIBC_LIBDIR=lib/$GNU_TRIPLE
        GOARCH=amd64
        KBUILD_ARCH=x86
        # Linux's x86_64 vDSO reads 4 vvar pages, vdso_data at offset 128.
        KBUILD_VDSO_TARGETS=""
        # -nic none: no default NIC (e1000, whose option ROM UEFI would run).
        # Starry 0.12's x86_64 image is a PE with an EFI stub (someboot):
        # OVMF boots it; QEMU's own -kernel loader takes no such image.
        # -cpu max: TCG's CPU with the most features (TCG has no invariant
        # TSC bit to ask for).
        QEMU=(qemu-system-x86_64 -machine q35 -cpu max -nic none)
        QEMU_PKG="qemu-system-x86 ovmf"
        QEMU_KERNEL=efi
        QEMU_FIRMWARE=/usr/share/OVMF/OVMF_CODE.fd
        ZIG_TARGET=x86_64-linux-musl
        # The kernel's C code (lwprintf) must leave the SSE registers, which
        # hold the interrupted user program's state, alone.
        ZIG_CPU_FLAGS='/^-mcpu=/d; /^-march=/d'
        ZIG_FLAGS='-mno-mmx -mno-sse -mno-sse2'
        ;;
    *)
        echo "ARCH=$1 is not supported (supported: $ARCHES)" >&2
        return 1
        ;;
esac
}

# ARCH's row, unless the sourcing script only wants the table
# (ARCH_TABLE_ONLY=1: setup, which installs for every arch).
if [ "${ARCH_TABLE_ONLY:-0}" != 1 ]; then
    ARCH=${ARCH:-riscv64}
    arch_row "$ARCH" || exit 1
fi
