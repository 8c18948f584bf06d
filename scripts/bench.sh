#!/usr/bin/env bash
# bench.sh - run /bin/bench on the three kernels and report (make bench).
#
# Usage: scripts/bench.sh BENCH_DISK OURS_DIR LINUX_DIR NONE_DIR
#
# Each *_DIR holds the starry.bin of one VDSO variant (make build VDSO=ours,
# VDSO=linux, VDSO=none); BENCH_DISK is a disk whose /etc/runner.list runs
# only /bin/bench (RUNNER_LIST=/bin/bench scripts/mkdisk.sh). make bench
# builds all four first.
#
# [1/4] boots OURS_DIR/starry.bin with BENCH_DISK; console in
#       OURS_DIR/bench-console.log (not echoed)
# [2/4] the same for LINUX_DIR (Linux 6.1's vdso.so embedded)
# [3/4] the same for NONE_DIR (no vDSO: for exec without it)
# [4/4] judges each console with scripts/check-guest.py --expect bench (every
#       PASS line and the closing count, the runner's exit status, no panic,
#       no timeout), then prints the table and the BENCH lines
#       (scripts/bench-report.py)
#
# Env: ARCH (riscv64), SMP (1), TIMEOUT (120), as for scripts/run-qemu.sh.
#
# Example: scripts/bench.sh build/riscv64/bench-disk.img build/riscv64 \
#              build/riscv64-linuxvdso build/riscv64-novdso
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: bench.sh BENCH_DISK OURS_DIR LINUX_DIR NONE_DIR"
DISK=${1:?$usage}
OURS=${2:?$usage}
LINUX=${3:?$usage}
NONE=${4:?$usage}
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*"; }

[ -f "$DISK" ] || { echo "bench: no disk $DISK (make bench builds it)" >&2; exit 1; }
for dir in "$OURS" "$LINUX" "$NONE"; do
    [ -f "$dir/starry.bin" ] || { echo "bench: no kernel $dir/starry.bin (make bench builds it)" >&2; exit 1; }
done

boot() { # STEP LABEL DIR
    local log=$3/bench-console.log start=$SECONDS
    say "[$1/4] $2: $3/starry.bin"
    if ! "$ROOT/scripts/run-qemu.sh" "$3/starry.bin" "$DISK" "$log" >/dev/null; then
        echo "bench: QEMU did not finish ($2); the console's end:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    say "      $(grep -c '^BENCH fn=' <(tr -d '\r' < "$log") || true) measurements in $((SECONDS - start)) s ($log)"
}
boot 1 "our vDSO" "$OURS"
boot 2 "Linux 6.1's vDSO" "$LINUX"
boot 3 "no vDSO" "$NONE"

say "[4/4] judging the consoles, then the report"
ok=1
for pair in "ours:$OURS" "linux:$LINUX" "none:$NONE"; do
    "$ROOT/scripts/check-guest.py" "${pair#*:}/bench-console.log" --name "bench-${pair%%:*}" \
        --expect bench || ok=0
done
if [ "$ok" = 0 ]; then
    echo "bench: a guest run failed (above); see the bench-console.log files" >&2
    exit 1
fi
echo
"$ROOT/scripts/bench-report.py" --ours "$OURS/bench-console.log" \
    --linux "$LINUX/bench-console.log" --none "$NONE/bench-console.log"
