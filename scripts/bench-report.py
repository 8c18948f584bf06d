#!/usr/bin/env python3
"""bench-report.py - merge the consoles of make bench into one table.

Usage: scripts/bench-report.py --ours LOG --linux LOG --none LOG

Each LOG is the console of /bin/bench (apps/vdso/user/c/bench.c) on one
kernel: --ours with our vDSO, --linux with Linux 6.1's vdso.so embedded
instead, --none with no vDSO. It reads their lines

    BENCH fn=F clock=C path=P ns=X spread=S [procs=N]
    BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall=X
    BENCH speedup fn=getrandom16|getrandom4k clock=- vdso_over_syscall=X
    BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter=X

and prints a table, then one machine line per measurement:
  - every measurement of the --ours run as printed (path=vdso|libc|syscall|
    floor, and fn=exec path=with-vdso), with its speedup and floor lines;
  - the vDSO measurements of the --linux run as path=linux-vdso;
  - fn=exec and fn=exec_nolibc path=without-vdso from the --none run;
  - BENCH ratio fn=F clock=C ours_over_linux=X for every vDSO measurement
    (our ns / Linux's ns: below 1 is faster than Linux); a function the
    arch's vDSO lacks (getcpu on arm64) has a row without vDSO figures, one
    Linux 6.1's image lacks (getrandom) a row without Linux's;
  - BENCH delta fn=exec|exec_nolibc with_minus_without_ns=X.
A log without the lines it should have is an error (exit 1).
"""
import argparse
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MEAS = re.compile(r"^BENCH fn=(\S+) clock=(\S+) path=(\S+) ns=(\S+) spread=(\S+)(?: procs=\d+)?$")
DERIVED = re.compile(r"^BENCH (speedup|floor) (.*)$")


class Run:
    """The BENCH lines of one console, in order."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        self.path = path
        self.lines: list[str] = []
        self.meas: dict[tuple[str, str, str], tuple[float, float]] = {}
        self.derived: dict[str, list[str]] = {}
        for raw in text.split("\n"):
            line = ANSI.sub("", raw).strip("\r ")
            if m := MEAS.match(line):
                fn, clock, p, ns, spread = m.groups()
                self.meas[(fn, clock, p)] = (float(ns), float(spread))
                self.lines.append(line)
            elif m := DERIVED.match(line):
                self.derived.setdefault(m.group(1), []).append(line)

    def get(self, fn: str, clock: str, p: str) -> tuple[float, float]:
        try:
            return self.meas[(fn, clock, p)]
        except KeyError:
            sys.exit(f"bench-report: {self.path} has no BENCH fn={fn} clock={clock} path={p}")


def cell(value: tuple[float, float] | None) -> str:
    return f"{value[0]:9.1f} ({value[1]:4.1f}%)" if value else f"{'-':>17}"


def in_us(value: tuple[float, float]) -> tuple[float, float]:
    """(ns, spread) as (us, spread)."""
    return (value[0] / 1000, value[1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="console of bench with our vDSO")
    ap.add_argument("--linux", required=True, help="console of bench with Linux's vdso.so")
    ap.add_argument("--none", required=True, help="console of bench without a vDSO")
    args = ap.parse_args()
    ours, linux, none = Run(args.ours), Run(args.linux), Run(args.none)

    rows = [(fn, clock) for (fn, clock, p) in ours.meas if p == "libc"]
    if not rows or not any(p == "vdso" for (_, _, p) in ours.meas):
        sys.exit(f"bench-report: {args.ours} has no vDSO measurements (was the vDSO mapped?)")
    floor = ours.get("counter", "-", "floor")
    execs = {fn: (ours.get(fn, "-", "with-vdso"), none.get(fn, "-", "without-vdso"))
             for fn in ("exec", "exec_nolibc")}

    print("ns per call: median over bench's processes (exec: over its batches); (spread) = (p90 - p10) / median")
    print("across them (bench.c says how it measures).")
    print("ours/linux = our vDSO's ns / Linux 6.1 vDSO's ns, each on its own boot of the same kernel;")
    print("speedup = syscall ns / our vDSO ns. libc and syscall were measured with our vDSO mapped.")
    head = ("fn", "clock", "ours vdso", "linux vdso", "ours/linux", "libc", "syscall", "speedup")
    print(f"{head[0]:<14} {head[1]:<17} {head[2]:>17} {head[3]:>17} {head[4]:>10} "
          f"{head[5]:>17} {head[6]:>17} {head[7]:>8}")
    ratios: list[str] = []
    for fn, clock in rows:
        sysc = ours.get(fn, clock, "syscall")
        libc = ours.get(fn, clock, "libc")
        # A function the arch's vDSO lacks (getcpu on arm64) has no vdso
        # path, in neither image; one image without it is an error.
        if (fn, clock, "vdso") not in ours.meas:
            if (fn, clock, "vdso") in linux.meas:
                sys.exit(f"bench-report: Linux's vDSO has {fn} but ours has not ({args.ours})")
            print(f"{fn:<14} {clock:<17} {cell(None)} {cell(None)} {'-':>10} "
                  f"{cell(libc)} {cell(sysc)} {'-':>8}")
            continue
        mine = ours.get(fn, clock, "vdso")
        if (fn, clock, "vdso") not in linux.meas:
            # Linux 6.1's image predates it (getrandom).
            print(f"{fn:<14} {clock:<17} {cell(mine)} {cell(None)} {'-':>10} "
                  f"{cell(libc)} {cell(sysc)} {sysc[0] / mine[0]:7.1f}x")
            continue
        theirs = linux.get(fn, clock, "vdso")
        ratio = mine[0] / theirs[0]
        ratios.append(f"BENCH ratio fn={fn} clock={clock} ours_over_linux={ratio:.2f}")
        print(f"{fn:<14} {clock:<17} {cell(mine)} {cell(theirs)} {ratio:10.2f} "
              f"{cell(libc)} {cell(sysc)} {sysc[0] / mine[0]:7.1f}x")
    mono = ours.get("clock_gettime", "MONOTONIC", "vdso")
    print(f"{'counter':<14} {'- (floor)':<17} {cell(floor)}   "
          f"our clock_gettime(MONOTONIC) = {mono[0] / floor[0]:.1f} x the floor")
    print()
    print("fork + execve + waitpid, us each: exec = a static glibc program (bench --exit),")
    print("exec_nolibc = /bin/exit0 (no libc); with our vDSO vs. a kernel built without it.")
    print(f"{'fn':<14} {'with vDSO':>17} {'without vDSO':>17} {'difference':>17}")
    for fn, (with_v, without_v) in execs.items():
        delta = with_v[0] - without_v[0]
        print(f"{fn:<14} {cell(in_us(with_v))} {cell(in_us(without_v))} "
              f"{delta / 1000:+9.1f} ({100 * delta / without_v[0]:+5.1f}%)")
    print()

    for line in ours.lines:
        print(line)
    for key in ("speedup", "floor"):
        if key not in ours.derived:
            sys.exit(f"bench-report: {args.ours} has no BENCH {key} line")
        print("\n".join(ours.derived[key]))
    for (fn, clock, p), (ns, spread) in linux.meas.items():
        if p == "vdso":
            print(f"BENCH fn={fn} clock={clock} path=linux-vdso ns={ns:.1f} spread={spread:.1f}")
    for fn, (_, without_v) in execs.items():
        print(f"BENCH fn={fn} clock=- path=without-vdso ns={without_v[0]:.1f} spread={without_v[1]:.1f}")
    for line in ratios:
        print(line)
    for fn, (with_v, without_v) in execs.items():
        print(f"BENCH delta fn={fn} with_minus_without_ns={with_v[0] - without_v[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
