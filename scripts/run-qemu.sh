#!/usr/bin/env bash
# run-qemu.sh - boot the demo kernel in QEMU with the root disk.
#
# Usage: scripts/run-qemu.sh KERNEL_BIN DISK_IMG [LOG_FILE]
#
# Boots with the arch's firmware (riscv64: OpenSBI, -bios default; x86_64:
# UEFI, QEMU_KERNEL below), SMP CPUs and 1 GiB of RAM (the 0.2
# base's platform config says 1 GiB; its memory map comes from it, not the
# device tree), the disk as the Starry base attaches it (scripts/base/$STARRY.sh:
# 0.2 virtio-blk, 0.12 NVMe), no network, and stops QEMU after TIMEOUT seconds. The console goes to stdout
# and, if given, to LOG_FILE. QEMU's exit status says nothing about the guest:
# read the console (scripts/check-guest.py).
#
# Env: STARRY (0.12), ARCH (riscv64), SMP (1), TIMEOUT (120), QEMU_EXTRA (extra args).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base/select.sh"
. "$ROOT/scripts/arch.sh"
SMP=${SMP:-1}
TIMEOUT=${TIMEOUT:-120}
KERNEL=${1:?usage: run-qemu.sh KERNEL_BIN DISK_IMG [LOG_FILE]}
DISK=${2:?usage: run-qemu.sh KERNEL_BIN DISK_IMG [LOG_FILE]}
LOG_FILE=${3:-/dev/null}

command -v "${QEMU[0]}" >/dev/null || { echo "run-qemu: ${QEMU[0]} not found (run: make setup)" >&2; exit 1; }
base_qemu_disk "$DISK"
# How the kernel gets in (scripts/arch.sh QEMU_KERNEL): QEMU loads the raw
# image itself (bin), or UEFI firmware runs it as an EFI application (efi:
# QEMU hands the image to the firmware through -kernel; the firmware's
# variables are a scratch copy beside the image).
BOOT=(-kernel "$KERNEL")
case "$QEMU_KERNEL" in
    bin) ;;
    efi)
        [ -f "$QEMU_FIRMWARE" ] || { echo "run-qemu: $QEMU_FIRMWARE not found (run: make setup)" >&2; exit 1; }
        vars=$(dirname "$KERNEL")/efivars.fd
        cp "${QEMU_FIRMWARE%_CODE.fd}_VARS.fd" "$vars"
        BOOT+=(-drive "if=pflash,format=raw,readonly=on,file=$QEMU_FIRMWARE" -drive "if=pflash,format=raw,file=$vars") ;;
    *) echo "run-qemu: QEMU_KERNEL=$QEMU_KERNEL: bin or efi" >&2; exit 1 ;;
esac

set +e
timeout --foreground -k 5 "$TIMEOUT" "${QEMU[@]}" -m 1G -smp "$SMP" -nographic -no-reboot \
    "${BOOT[@]}" \
    "${QEMU_DISK[@]}" \
    ${QEMU_EXTRA:-} < /dev/null 2>&1 | tee "$LOG_FILE"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "run-qemu: TIMEOUT: QEMU stopped after ${TIMEOUT}s" | tee -a "$LOG_FILE" >&2
    exit 124
fi
exit 0
