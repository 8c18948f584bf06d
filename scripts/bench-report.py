#!/usr/bin/env python3
"""bench-report.py - merge the consoles of make bench into one report.

Usage: scripts/bench-report.py --ours LOG... --linux LOG... --none LOG...
           [--ours-icount LOG --linux-icount LOG --none-icount LOG]

Each LOG is the console of /bin/bench (apps/vdso/user/c/bench.c) on one
boot: --ours with our vDSO, --linux with Linux 6.1's vdso.so embedded
instead, --none with no vDSO. --ours, --linux and --none take one console
per round (scripts/bench.sh boots the three kernels in turn, round after
round), the same number each, in round order: round r is the r-th console of
each. The --*-icount consoles (all three or none) are one boot per kernel
under QEMU's -icount shift=0, where the guest's clock advances 1 ns per
guest instruction: their "ns" are guest instructions (user + kernel) per
call. It reads their lines

    BENCH fn=F clock=C path=P ns=X spread=S procs=N
    BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall=X
    BENCH speedup fn=getrandom16|getrandom4k clock=- vdso_over_syscall=X
    BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter=X

(each ns already the median over bench's processes, or over its batches
for the process figures exec, exec_nolibc, fork_exit, mmap3). Per
measurement it reports the median over the rounds, with spread = (p90 -
p10) / median across the rounds (nearest rank: of 3 rounds, the lowest and
the highest; 0 for one round), and beside it the guest instructions per call
from the icount boot. Ours/Linux's ratios and with-minus-without deltas are
computed per round (the two consoles of the same round), then their median
is taken. It prints a table, the per-round ratios and deltas, then the
machine lines:
  - every measurement of the --ours runs (path=vdso|libc|syscall|floor, and
    the process figures as path=with-vdso), as
    BENCH fn=F clock=C path=P ns=<median over rounds> spread=<across rounds>;
  - BENCH speedup / BENCH floor as above, each the median over the rounds of
    that round's value;
  - the vDSO measurements of the --linux runs as path=linux-vdso;
  - the process figures of the --none runs as path=without-vdso;
  - BENCH sameproc fn=F clock=C ours_over_linux=X rounds=a,b,c for every vDSO
    call both images have, from the --ours consoles' own BENCH sameproc
    lines: bench runs Linux's image (/lib/linux-vdso.so) in the same
    processes as ours, at our base over the same data pages, batch for batch,
    and reports the median over its processes of each one's ours / Linux's;
    X is the median over the rounds. The headline ratio: it does not depend
    on a boot or on what the host does between boots;
  - BENCH ratio fn=F clock=C ours_over_linux=X rounds=a,b,c for every vDSO
    measurement (our ns / Linux's ns: below 1 is faster than Linux; X the
    median of the per-round a,b,c); a function the arch's vDSO lacks (getcpu
    on arm64) has a row without vDSO figures, one Linux 6.1's image lacks
    (getrandom) a row without Linux's;
  - BENCH delta fn=exec|exec_nolibc|fork_exit|mmap3 with_minus_without_ns=X
    rounds=a,b,c (with our vDSO minus without a vDSO, per round; X their
    median);
  - with the icount consoles: BENCH instr fn=F clock=C path=P
    kernel=ours|linux|none instr=X for every measurement of each, and
    BENCH instr_ratio fn=F clock=C ours_over_linux=X for every vDSO
    measurement both images have.
A log without the lines it should have is an error (exit 1), and so are
rounds whose consoles do not have the same measurements.
"""
import argparse
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MEAS = re.compile(r"^BENCH fn=(\S+) clock=(\S+) path=(\S+) ns=(\S+) spread=(\S+) procs=(\d+)$")
DERIVED = re.compile(r"^BENCH (speedup|floor) (.*)$")
SAMEPROC = re.compile(r"^BENCH sameproc fn=(\S+) clock=(\S+) ours_over_linux=(\S+) spread=(\S+) procs=(\d+)$")
PROCESS_FNS = ("exec", "exec_nolibc", "fork_exit", "mmap3")
Key = tuple[str, str, str]


class Run:
    """The BENCH lines of one console."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        self.path = path
        self.meas: dict[Key, float] = {}
        self.derived: dict[str, list[str]] = {}
        self.sameproc: dict[tuple[str, str], float] = {}
        for raw in text.split("\n"):
            line = ANSI.sub("", raw).strip("\r ")
            if m := MEAS.match(line):
                fn, clock, p, ns, _spread, _procs = m.groups()
                self.meas[(fn, clock, p)] = float(ns)
            elif m := DERIVED.match(line):
                self.derived.setdefault(m.group(1), []).append(line)
            elif m := SAMEPROC.match(line):
                self.sameproc[(m.group(1), m.group(2))] = float(m.group(3))
        if not self.meas:
            sys.exit(f"bench-report: {path} has no BENCH fn= lines")

    def get(self, key: Key) -> float:
        try:
            return self.meas[key]
        except KeyError:
            fn, clock, p = key
            sys.exit(f"bench-report: {self.path} has no BENCH fn={fn} clock={clock} path={p}")


class Kernel:
    """The rounds of one kernel, and its icount console if any."""

    def __init__(self, name: str, logs: list[str], icount: str | None):
        self.name = name
        self.runs = [Run(log) for log in logs]
        self.icount = Run(icount) if icount else None
        self.keys = list(self.runs[0].meas)
        for run in self.runs[1:] + ([self.icount] if self.icount else []):
            for key in self.keys:
                run.get(key)
            for key in run.meas:
                if key not in self.runs[0].meas:
                    sys.exit(f"bench-report: {run.path} has BENCH fn={key[0]} clock={key[1]} path={key[2]}, "
                             f"{self.runs[0].path} has not")

    def has(self, key: Key) -> bool:
        return key in self.runs[0].meas

    def rounds(self, key: Key) -> list[float]:
        return [run.get(key) for run in self.runs]

    def instr(self, key: Key) -> float | None:
        return self.icount.get(key) if self.icount else None


def median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def spread(values: list[float]) -> float:
    """(p90 - p10) / median in %, nearest rank."""
    v = sorted(values)
    n = len(v)
    p10, p90 = v[(n * 10 + 99) // 100 - 1], v[(n * 90 + 99) // 100 - 1]
    mid = median(v)
    return 100 * (p90 - p10) / mid if mid else float("nan")


def summary(values: list[float]) -> tuple[float, float]:
    return (median(values), spread(values))


def cell(value: tuple[float, float] | None) -> str:
    return f"{value[0]:9.1f} ({value[1]:4.1f}%)" if value else f"{'-':>17}"


def icell(value: float | None, width: int = 8) -> str:
    return f"{value:{width}.1f}" if value is not None else f"{'-':>{width}}"


def in_us(value: tuple[float, float]) -> tuple[float, float]:
    """(ns, spread) as (us, spread)."""
    return (value[0] / 1000, value[1])


def joined(values: list[float], fmt: str) -> str:
    return ",".join(format(v, fmt) for v in values)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", nargs="+", required=True, help="consoles of bench with our vDSO, one per round")
    ap.add_argument("--linux", nargs="+", required=True, help="consoles with Linux's vdso.so, one per round")
    ap.add_argument("--none", nargs="+", required=True, help="consoles without a vDSO, one per round")
    ap.add_argument("--ours-icount", help="console of the -icount boot with our vDSO")
    ap.add_argument("--linux-icount", help="console of the -icount boot with Linux's vdso.so")
    ap.add_argument("--none-icount", help="console of the -icount boot without a vDSO")
    args = ap.parse_args()
    if not len(args.ours) == len(args.linux) == len(args.none):
        sys.exit("bench-report: --ours, --linux and --none need one console per round each")
    icounts = (args.ours_icount, args.linux_icount, args.none_icount)
    if any(icounts) and not all(icounts):
        sys.exit("bench-report: --ours-icount, --linux-icount and --none-icount go together")
    ours = Kernel("ours", args.ours, args.ours_icount)
    linux = Kernel("linux", args.linux, args.linux_icount)
    none = Kernel("none", args.none, args.none_icount)
    n_rounds = len(ours.runs)
    have_instr = ours.icount is not None

    rows = [(fn, clock) for (fn, clock, p) in ours.keys if p == "libc"]
    if not rows or not any(p == "vdso" for (_, _, p) in ours.keys):
        sys.exit(f"bench-report: {args.ours[0]} has no vDSO measurements (was the vDSO mapped?)")
    for run in ours.runs:
        for key in ("speedup", "floor"):
            if key not in run.derived:
                sys.exit(f"bench-report: {run.path} has no BENCH {key} line")
    floor_key = ("counter", "-", "floor")
    floor = summary(ours.rounds(floor_key))

    print(f"ns per call: the median over {n_rounds} round{'s' if n_rounds != 1 else ''} (one boot of each "
          "kernel per round: ours, linux, "
          "none) of each round's figure,")
    print("itself the median over bench's processes (the process figures: over one process's batches);")
    print("(spread) = (p90 - p10) / median across the rounds. ours/linux = the median over the rounds of our")
    print("vDSO's ns / Linux 6.1 vDSO's ns in the same round; speedup = the median over the rounds of")
    print("syscall ns / our vDSO ns. libc and syscall were measured with our vDSO mapped.")
    if have_instr:
        print("instr: guest instructions per call (user + kernel), one boot per kernel under -icount shift=0")
        print("(1 ns of guest time per instruction): independent of the host's load.")
    # Ours against Linux's image in the same processes (bench --calls runs
    # both, batch for batch), per round; the headline ratio.
    same_keys = list(ours.runs[0].sameproc)
    for run in ours.runs:
        if list(run.sameproc) != same_keys:
            sys.exit(f"bench-report: {run.path} has other BENCH sameproc lines than {ours.runs[0].path}")
    sameproc = {key: [run.sameproc[key] for run in ours.runs] for key in same_keys}
    if sameproc:
        print("same proc: ours/linux with both images in the same processes, batch for batch (Linux's")
        print("vdso.so put at our base over the same data pages): the median over the rounds of each round's")
        print("median over its processes; the figure that does not depend on a boot.")
    head = ("fn", "clock", "ours vdso", "linux vdso", "ours/linux", "libc", "syscall", "speedup")
    ihead = (f" | {'instr:':>7} {'ours':>8} {'linux':>8} {'o/l':>5} {'libc':>8} {'syscall':>8}"
             if have_instr else "")
    print(f"{head[0]:<14} {head[1]:<17} {head[2]:>17} {head[3]:>17} {head[4]:>10} {'same proc':>9} "
          f"{head[5]:>17} {head[6]:>17} {head[7]:>8}{ihead}")
    ratios: list[tuple[str, str, float, list[float]]] = []
    instr_ratios: list[tuple[str, str, float]] = []
    speedups: dict[tuple[str, str], float] = {}
    for fn, clock in rows:
        vkey, lkey, skey = (fn, clock, "vdso"), (fn, clock, "libc"), (fn, clock, "syscall")
        sysc, libc = summary(ours.rounds(skey)), summary(ours.rounds(lkey))
        i_libc, i_sys = ours.instr(lkey), ours.instr(skey)
        # A function the arch's vDSO lacks (getcpu on arm64) has no vdso
        # path, in neither image; one image without it is an error.
        if not ours.has(vkey):
            if linux.has(vkey):
                sys.exit(f"bench-report: Linux's vDSO has {fn} but ours has not ({args.ours[0]})")
            line = (f"{fn:<14} {clock:<17} {cell(None)} {cell(None)} {'-':>10} {'-':>9} "
                    f"{cell(libc)} {cell(sysc)} {'-':>8}")
            if have_instr:
                line += f" | {'':>7} {icell(None)} {icell(None)} {'-':>5} {icell(i_libc)} {icell(i_sys)}"
            print(line)
            continue
        mine_r = ours.rounds(vkey)
        mine = summary(mine_r)
        speedup = median([s / v for s, v in zip(ours.rounds(skey), mine_r)])
        speedups[(fn, clock)] = speedup
        i_mine = ours.instr(vkey)
        if linux.has(vkey):
            theirs_r = linux.rounds(vkey)
            theirs = summary(theirs_r)
            per_round = [a / b for a, b in zip(mine_r, theirs_r)]
            ratio = median(per_round)
            ratios.append((fn, clock, ratio, per_round))
            ratio_s = f"{ratio:10.2f}"
            i_theirs = linux.instr(vkey)
            i_ratio = i_mine / i_theirs if i_mine is not None and i_theirs else None
            if i_ratio is not None:
                instr_ratios.append((fn, clock, i_ratio))
        else:
            # Linux 6.1's image predates it (getrandom).
            theirs, ratio_s, i_theirs, i_ratio = None, f"{'-':>10}", None, None
        same = f"{median(sameproc[(fn, clock)]):9.3f}" if (fn, clock) in sameproc else f"{'-':>9}"
        line = (f"{fn:<14} {clock:<17} {cell(mine)} {cell(theirs)} {ratio_s} {same} "
                f"{cell(libc)} {cell(sysc)} {speedup:7.1f}x")
        if have_instr:
            i_ratio_s = f"{i_ratio:5.2f}" if i_ratio is not None else f"{'-':>5}"
            line += (f" | {'':>7} {icell(i_mine)} {icell(i_theirs)} {i_ratio_s} "
                     f"{icell(i_libc)} {icell(i_sys)}")
        print(line)
    mono_key = ("clock_gettime", "MONOTONIC", "vdso")
    floor_ratio = median([v / c for v, c in zip(ours.rounds(mono_key), ours.rounds(floor_key))])
    line = (f"{'counter':<14} {'- (floor)':<17} {cell(floor)}   "
            f"our clock_gettime(MONOTONIC) = {floor_ratio:.1f} x the floor")
    if have_instr:
        line += f" (instr: {ours.instr(floor_key):.1f} the floor, {ours.instr(mono_key):.1f} ours)"
    print(line)
    print()

    print("fork + execve + waitpid, us each: exec = a static glibc program (bench --exit), exec_nolibc =")
    print("/bin/exit0 (no libc); fork_exit = fork + _exit(0) + waitpid; mmap3 = mmap of 3 populated")
    print("anonymous pages + munmap. With our vDSO vs. a kernel built without it; the difference is the")
    print("median over the rounds of each round's difference" +
          ("; kinstr: thousands of guest instructions (icount boot)." if have_instr else "."))
    ihead = f" | {'kinstr: with':>13} {'without':>10} {'difference':>11}" if have_instr else ""
    print(f"{'fn':<14} {'with vDSO':>17} {'without vDSO':>17} {'difference':>17}{ihead}")
    deltas: dict[str, list[float]] = {}
    for fn in PROCESS_FNS:
        wkey, okey = (fn, "-", "with-vdso"), (fn, "-", "without-vdso")
        with_r, without_r = ours.rounds(wkey), none.rounds(okey)
        deltas[fn] = [a - b for a, b in zip(with_r, without_r)]
        delta = median(deltas[fn])
        without = summary(without_r)
        line = (f"{fn:<14} {cell(in_us(summary(with_r)))} {cell(in_us(without))} "
                f"{delta / 1000:+9.1f} ({100 * delta / without[0]:+5.1f}%)")
        if have_instr:
            i_with, i_without = ours.instr(wkey) / 1000, none.instr(okey) / 1000
            line += f" | {i_with:13.1f} {i_without:10.1f} {i_with - i_without:+11.1f}"
        print(line)
    print()

    labels = [f"r{r + 1}" for r in range(n_rounds)]
    print("per round: ours/linux (our vDSO's ns / Linux's, same round), and with-minus-without vDSO, us")
    print(f"{'':<30}" + "".join(f"{label:>11}" for label in labels) + f"{'median':>11}")
    for fn, clock, ratio, per_round in ratios:
        if fn == "clock_gettime":
            print(f"{'ours/linux ' + clock:<30}" + "".join(f"{x:11.2f}" for x in per_round) + f"{ratio:11.2f}")
    for (fn, clock), per_round in sameproc.items():
        if fn == "clock_gettime":
            print(f"{'same proc ' + clock:<30}" + "".join(f"{x:11.3f}" for x in per_round)
                  + f"{median(per_round):11.3f}")
    for fn in PROCESS_FNS:
        print(f"{fn + ' with - without':<30}" + "".join(f" {x / 1000:+10.1f}" for x in deltas[fn])
              + f" {median(deltas[fn]) / 1000:+10.1f}")
    print()

    for key in ours.keys:
        ns, spr = summary(ours.rounds(key))
        print(f"BENCH fn={key[0]} clock={key[1]} path={key[2]} ns={ns:.1f} spread={spr:.1f}")
    mono = ("clock_gettime", "MONOTONIC")
    if mono in speedups:
        print(f"BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall={speedups[mono]:.1f}")
    print(f"BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter={floor_ratio:.1f}")
    for fn in ("getrandom16", "getrandom4k"):
        if (fn, "-") in speedups:
            print(f"BENCH speedup fn={fn} clock=- vdso_over_syscall={speedups[(fn, '-')]:.1f}")
    for key in linux.keys:
        if key[2] == "vdso":
            ns, spr = summary(linux.rounds(key))
            print(f"BENCH fn={key[0]} clock={key[1]} path=linux-vdso ns={ns:.1f} spread={spr:.1f}")
    for fn in PROCESS_FNS:
        ns, spr = summary(none.rounds((fn, "-", "without-vdso")))
        print(f"BENCH fn={fn} clock=- path=without-vdso ns={ns:.1f} spread={spr:.1f}")
    for fn, clock, ratio, per_round in ratios:
        print(f"BENCH ratio fn={fn} clock={clock} ours_over_linux={ratio:.2f} rounds={joined(per_round, '.2f')}")
    for (fn, clock), per_round in sameproc.items():
        print(f"BENCH sameproc fn={fn} clock={clock} ours_over_linux={median(per_round):.3f} "
              f"rounds={joined(per_round, '.3f')}")
    for fn in PROCESS_FNS:
        print(f"BENCH delta fn={fn} with_minus_without_ns={median(deltas[fn]):.1f} "
              f"rounds={joined(deltas[fn], '.1f')}")
    if have_instr:
        for kernel in (ours, linux, none):
            for (fn, clock, p), instr in kernel.icount.meas.items():
                print(f"BENCH instr fn={fn} clock={clock} path={p} kernel={kernel.name} instr={instr:.1f}")
        for fn, clock, ratio in instr_ratios:
            print(f"BENCH instr_ratio fn={fn} clock={clock} ours_over_linux={ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
