#!/usr/bin/env bash
# bench.sh - run /bin/bench on the three kernels, round after round, and report
# (make bench).
#
# Usage: scripts/bench.sh BENCH_DISK OURS_DIR LINUX_DIR NONE_DIR
#
# Each *_DIR holds the starry.bin of one VDSO variant (make build VDSO=ours,
# VDSO=linux, VDSO=none); BENCH_DISK is a disk whose /etc/runner.list runs
# only /bin/bench (RUNNER_LIST=/bin/bench scripts/mkdisk.sh). make bench
# builds all four first.
#
# Rounds: BENCH_ROUNDS times, boots OURS_DIR/starry.bin, then LINUX_DIR's
#   (Linux 6.1's vdso.so embedded), then NONE_DIR's (no vDSO: for exec
#   without it), each with BENCH_DISK; round r's console is
#   DIR/bench-console-r<r>.log (not echoed). Alternating the kernels spreads
#   what the host does meanwhile (another job, a busy core) over all three;
#   the report takes each figure's median over the rounds, and compares ours
#   with Linux's within each round. The headline comparison does not need
#   Linux's boot: on our kernel every bench --calls process also runs Linux's
#   image (/lib/linux-vdso.so on the disk) at our base, batch for batch with
#   ours (BENCH sameproc lines; apps/vdso/user/c/bench.c).
# The icount view (unless BENCH_ICOUNT=0): one more boot of each kernel with
#   QEMU_EXTRA="-icount shift=0,sleep=on", console DIR/bench-console-icount.log.
#   Under -icount shift=0 the guest's clock advances 1 ns per guest
#   instruction executed, so each "ns" of that boot is the number of guest
#   instructions (user + kernel) per call, whatever the host does: two runs
#   gave the calls within 0.3 % of each other, the process figures (exec,
#   fork) within 3.5 % (timer interrupts and the like). Caveat: with
#   sleep=on, time the guest spends idle (waiting on the disk, say) advances
#   at host speed, so an idle wait inside a timed loop would count as host
#   nanoseconds, not instructions; bench's loops have none once its binaries
#   are in the page cache (the exec figures read them from there). QEMU runs
#   several times slower in this mode: these boots get ICOUNT_TIMEOUT.
# Then: judges every console with scripts/check-guest.py --expect bench
#   (every PASS line and the closing count, the runner's exit status, no
#   panic, no timeout) and prints the report (scripts/bench-report.py).
# The boots run one after another (one CPU each is what is measured; QEMU
# also locks the disk image, so concurrent boots would each need a copy).
# Earlier bench-console*.log files in the three directories are removed first.
#
# Env: BENCH_ROUNDS (3), BENCH_ICOUNT (1; 0 skips the icount boots),
#      ICOUNT_TIMEOUT (3 x TIMEOUT), ARCH (riscv64), SMP (1), TIMEOUT (120),
#      QEMU_EXTRA, as for scripts/run-qemu.sh.
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
ROUNDS=${BENCH_ROUNDS:-3}
ICOUNT=${BENCH_ICOUNT:-1}
TIMEOUT=${TIMEOUT:-120}
ICOUNT_TIMEOUT=${ICOUNT_TIMEOUT:-$((TIMEOUT * 3))}
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*"; }

[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_ROUNDS=$ROUNDS: a count, 1 or more" >&2; exit 1; }
[[ "$ICOUNT" =~ ^[01]$ ]] || { echo "bench: BENCH_ICOUNT=$ICOUNT: 0 or 1" >&2; exit 1; }
[ -f "$DISK" ] || { echo "bench: no disk $DISK (make bench builds it)" >&2; exit 1; }
for dir in "$OURS" "$LINUX" "$NONE"; do
    [ -f "$dir/starry.bin" ] || { echo "bench: no kernel $dir/starry.bin (make bench builds it)" >&2; exit 1; }
    rm -f "$dir"/bench-console*.log
done

labels=(ours linux none)
names=("our vDSO" "Linux 6.1's vDSO" "no vDSO")
dirs=("$OURS" "$LINUX" "$NONE")
steps=$((3 * ROUNDS + 3 * ICOUNT + 1))
step=0
began=$SECONDS
consoles=()   # label:log, in boot order

boot() { # INDEX LOG TIMEOUT [QEMU args...]: boot kernel INDEX of the arrays above
    local i=$1 log=$2 timeout=$3 start=$SECONDS
    shift 3
    step=$((step + 1))
    say "[$step/$steps] ${names[$i]}${*:+ ($*)}: ${dirs[$i]}/starry.bin"
    if ! TIMEOUT=$timeout QEMU_EXTRA="${QEMU_EXTRA:-}${*:+ $*}" "$ROOT/scripts/run-qemu.sh" "${dirs[$i]}/starry.bin" \
        "$DISK" "$log" >/dev/null; then
        echo "bench: QEMU did not finish (${names[$i]}); the console's end:" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    say "      $(grep -c '^BENCH fn=' <(tr -d '\r' < "$log") || true) measurements in $((SECONDS - start)) s ($log)"
    consoles+=("${labels[$i]}:$log")
}
for r in $(seq 1 "$ROUNDS"); do
    for i in 0 1 2; do
        boot "$i" "${dirs[$i]}/bench-console-r$r.log" "$TIMEOUT"
    done
done
if [ "$ICOUNT" = 1 ]; then
    for i in 0 1 2; do
        boot "$i" "${dirs[$i]}/bench-console-icount.log" "$ICOUNT_TIMEOUT" -icount shift=0,sleep=on
    done
fi

step=$((step + 1))
say "[$step/$steps] judging the consoles, then the report (${#consoles[@]} boots in $((SECONDS - began)) s)"
ok=1
for entry in "${consoles[@]}"; do
    log=${entry#*:}
    name=$(basename "$log" .log)
    "$ROOT/scripts/check-guest.py" "$log" --name "bench-${entry%%:*}-${name#bench-console-}" \
        --expect bench || ok=0
done
if [ "$ok" = 0 ]; then
    echo "bench: a guest run failed (above); see the bench-console-*.log files" >&2
    exit 1
fi
echo
report=()
for i in 0 1 2; do
    report+=("--${labels[$i]}")
    for r in $(seq 1 "$ROUNDS"); do
        report+=("${dirs[$i]}/bench-console-r$r.log")
    done
    if [ "$ICOUNT" = 1 ]; then
        report+=("--${labels[$i]}-icount" "${dirs[$i]}/bench-console-icount.log")
    fi
done
"$ROOT/scripts/bench-report.py" "${report[@]}"
