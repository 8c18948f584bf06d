#!/usr/bin/env bash
# execcost.sh - count what exec costs, phase by phase, with and without the
# vDSO (make execcost; make bench runs it last).
#
# Usage: scripts/execcost.sh DISK OURS_DIR LINUX_DIR NONE_DIR
#
# DISK runs only /bin/execcost (RUNNER_LIST=/bin/execcost scripts/mkdisk.sh);
# each *_DIR holds the starry.bin and starry.elf of one VDSO variant, as for
# scripts/bench.sh.
#
# [1/4] builds the QEMU plugin scripts/insn-count.c into build/insn-count.so
#       (the host's gcc; Debian's QEMU loads plugins but ships none)
# [2/4] for each kernel: finds in starry.elf the entry of the exec-hook runner
#       (starry_hooks' run_exec_hooks) and the instruction after its call,
#       and boots the kernel with the plugin watching both; console in
#       DIR/execcost-console.log (not echoed)
# [3/4] judges each console with scripts/check-guest.py --expect execcost
# [4/4] scripts/execcost-report.py: the table and EXECCOST lines
#
# Counts are guest instructions, user and kernel apart: the same whatever the
# host is doing, so they say what is guest work and what is the emulator.
#
# Env: ARCH (riscv64), STARRY (0.12), TIMEOUT (300), as for run-qemu.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/arch.sh"
usage="usage: execcost.sh DISK OURS_DIR LINUX_DIR NONE_DIR"
DISK=${1:?$usage}
OURS=${2:?$usage}
LINUX=${3:?$usage}
NONE=${4:?$usage}
export TIMEOUT=${TIMEOUT:-300}
say() { printf '\033[1;34m[execcost]\033[0m %s\n' "$*"; }

[ -f "$DISK" ] || { echo "execcost: no disk $DISK (make execcost builds it)" >&2; exit 1; }
for dir in "$OURS" "$LINUX" "$NONE"; do
    for f in starry.bin starry.elf; do
        [ -f "$dir/$f" ] || { echo "execcost: no kernel $dir/$f (make execcost builds it)" >&2; exit 1; }
    done
done
OBJDUMP=$GNU_TRIPLE-objdump
NM=$GNU_TRIPLE-nm
command -v "$OBJDUMP" >/dev/null || { echo "execcost: $OBJDUMP not found (run: make setup)" >&2; exit 1; }

PLUGIN=$ROOT/build/insn-count.so
say "[1/4] plugin $PLUGIN"
mkdir -p "$ROOT/build"
if [ ! -f "$PLUGIN" ] || [ "$ROOT/scripts/insn-count.c" -nt "$PLUGIN" ]; then
    gcc -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden -o "$PLUGIN" "$ROOT/scripts/insn-count.c"
fi

# The exec-hook runner's entry and the address after its one call: the
# kernel's run_exec_hooks adapter calls starry_hooks' generic runner once.
hook_pcs() { # ELF -> "pc=ENTRY,pc=RETURN" or nothing
    local elf=$1 sym entry ret
    sym=$("$NM" "$elf" | awk '$2 ~ /^[tT]$/ && $3 ~ /starry_hooks.*run_exec_hooks/ { print $1; exit }')
    [ -n "$sym" ] || return 0
    entry=$((16#$sym))
    # The call instruction names the runner's address; the next one is the
    # return site.
    ret=$("$OBJDUMP" -d --no-show-raw-insn "$elf" | awk -v target="$(printf '%x' "$entry")" '
        found { sub(":", "", $1); print $1; exit }
        /^ *[0-9a-f]+:/ && ($0 ~ ("[ \t]" target "[ \t<]") || $0 ~ ("[ \t]0x" target "[ \t<]")) && $0 ~ /(call|jal|jalr|bl)[ \t]/ { found = 1 }')
    [ -n "$ret" ] || return 0
    printf 'pc=%x,pc=%s' "$entry" "$ret"
}

boot() { # STEP LABEL DIR
    local log=$3/execcost-console.log start=$SECONDS pcs disk
    pcs=$(hook_pcs "$3/starry.elf")
    if [ -z "$pcs" ]; then
        say "      $2: no exec-hook runner found in starry.elf: the hook is not measured"
    fi
    # Every boot gets a fresh copy of the disk (the guest writes to it).
    disk=$3/execcost-disk.img
    cp "$DISK" "$disk"
    say "[2/4] $2: $3/starry.bin${pcs:+ (hook: ${pcs//,/ })}"
    if ! QEMU_EXTRA="-plugin $PLUGIN${pcs:+,$pcs} -d plugin" \
        "$ROOT/scripts/run-qemu.sh" "$3/starry.bin" "$disk" "$log" >/dev/null; then
        echo "execcost: QEMU did not finish ($2); the console's end:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    rm -f "$disk"
    say "      $(grep -c '^INSN ' <(tr -d '\r' < "$log") || true) counts in $((SECONDS - start)) s ($log)"
}
boot 2 "our vDSO" "$OURS"
boot 2 "Linux 6.1's vDSO" "$LINUX"
boot 2 "no vDSO" "$NONE"

say "[3/4] judging the consoles"
ok=1
for pair in "ours:$OURS" "linux:$LINUX" "none:$NONE"; do
    "$ROOT/scripts/check-guest.py" "${pair#*:}/execcost-console.log" --name "execcost-${pair%%:*}" \
        --expect execcost || ok=0
done
[ "$ok" = 1 ] || { echo "execcost: a guest run failed (above)" >&2; exit 1; }
say "[4/4] report"
echo
"$ROOT/scripts/execcost-report.py" --ours "$OURS/execcost-console.log" \
    --linux "$LINUX/execcost-console.log" --none "$NONE/execcost-console.log"
