#!/usr/bin/env python3
"""execcost-report.py - exec's cost, phase by phase, in guest instructions.

Usage: scripts/execcost-report.py --ours LOG --linux LOG --none LOG

Each LOG is the console of /bin/execcost (apps/vdso/user/c/execcost.c) on one
kernel (our vDSO, Linux 6.1's vdso.so, no vDSO), booted under QEMU with the
insn-count plugin (scripts/insn-count.c), which prints

    INSN mark=N user=U kernel=K      at each mark the guest executes
    INSN pc=HEX user=U kernel=K      at each watched kernel address

with the running totals. execcost prints "EXECCOST prog=P rounds=R" for each
program and brackets its rounds with marks 5 and 6; a round is marks 1 (fork),
2 (child, before execve), 3 (main of the new program), 4 (parent, after
waitpid). scripts/execcost.sh passes two addresses: the entry of the kernel's
exec-hook runner and the instruction after its call, so "hook" is what the
exec hooks cost (the vDSO's mapping, its base draw, its aux entry; with no
vDSO, an empty run).

Per program and kernel, with user and kernel instructions apart, it sums up
the phases of every round:

    exec   execve to main (2 -> 3): the kernel's exec path with the exec hooks,
           the page faults, and the user start-up of ld.so and libc; median
    hook   the exec hooks alone (inside exec); median
    rest   fork, exit and wait (1 -> 2 and 3 -> 4); mean (see STAT below)
    total  the whole round (1 -> 4); mean

and prints a table and one machine line each:

    EXECCOST prog=P phase=exec|hook|rest|total kernel=ours|linux|none user=U kern=K insns=T p10=A p90=B flush_all=F flush_page=G

(T = U + K; p10/p90 of the round figures, to show how much they vary; F and G
the TLB flushes, whole and one-page, summed up the same way), then

    EXECCOST delta prog=P phase=F ours_minus_none=D linux_minus_none=E pct=X

with X = D as a percentage of none's figure. After the programs, prog=reference
has what mapping three ordinary pages costs in the same process and run:
phase=mmap3 (mmap of 3 anonymous PROT_READ pages), munmap3 (their munmap) and
mmap3_populate (mmap with MAP_POPULATE), between marks 7 and 8. A log whose
marks are missing or out of order is an error (exit 1).
"""
import argparse
import re
import statistics
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
INSN = re.compile(r"^INSN (mark|pc)=(\S+) user=(\d+) kernel=(\d+) flush_all=(\d+) flush_page=(\d+)$")
Counts = tuple[int, int, int, int]  # user, kernel, whole-TLB flushes, one-page flushes
PROG = re.compile(r"^EXECCOST prog=(\S+) rounds=(\d+)$")
REF = re.compile(r"^EXECCOST ref=(\S+) rounds=(\d+)$")
PHASES = ("exec", "hook", "rest", "total")
# How each phase is summed up over the rounds: execve to main and the hook
# are the same work every round (median); fork, exit and wait are not: the
# child's address space is torn down when its last reference goes, which is
# in its own exit phase in some rounds and in the next round's fork in others
# (both seen on Starry 0.12), so only their mean over the rounds is exact.
STAT = {"exec": "median", "hook": "median", "rest": "mean", "total": "mean"}
KERNELS = ("none", "ours", "linux")


def fail(msg: str) -> None:
    sys.exit(f"execcost-report: {msg}")


def diff(a: Counts, b: Counts) -> Counts:
    return (b[0] - a[0], b[1] - a[1], b[2] - a[2], b[3] - a[3])


def parse(path: str) -> dict[str, dict[str, list[Counts]]]:
    """{program: {phase: [counts per round]}} from one console."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    progs: list[tuple[str, int]] = []
    refs: list[tuple[list[str], int]] = []
    events: list[tuple[str, str, Counts]] = []
    for raw in text.split("\n"):
        line = ANSI.sub("", raw).strip("\r ")
        if m := INSN.match(line):
            n = tuple(int(x) for x in m.group(3, 4, 5, 6))
            events.append((m.group(1), m.group(2), n))
        elif m := PROG.match(line):
            progs.append((m.group(1).rsplit("/", 1)[-1], int(m.group(2))))
        elif m := REF.match(line):
            refs.append((m.group(1).split(","), int(m.group(2))))
    if not progs:
        fail(f"{path}: no EXECCOST lines (did /bin/execcost run?)")
    if not events:
        fail(f"{path}: no INSN lines (was QEMU run with the insn-count plugin and -d plugin?)")
    out: dict[str, dict[str, list[Counts]]] = {}
    i = 0
    for prog, rounds in progs:
        while i < len(events) and events[i][:2] != ("mark", "5"):
            i += 1
        if i == len(events):
            fail(f"{path}: no mark 5 for {prog}")
        i += 1
        phases: dict[str, list[Counts]] = {p: [] for p in PHASES}
        for r in range(rounds):
            marks: dict[str, Counts] = {}
            pcs: list[Counts] = []
            for want in ("1", "2", "3", "4"):
                while i < len(events) and events[i][0] == "pc":
                    if want == "3":
                        pcs.append(events[i][2])
                    i += 1
                if i == len(events) or events[i][:2] != ("mark", want):
                    got = "the end" if i == len(events) else f"{events[i][0]} {events[i][1]}"
                    fail(f"{path}: {prog} round {r + 1}: expected mark {want}, found {got}")
                marks[want] = events[i][2]
                i += 1

            exec_ = diff(marks["2"], marks["3"])
            total = diff(marks["1"], marks["4"])
            phases["exec"].append(exec_)
            phases["rest"].append(tuple(t - e for t, e in zip(total, exec_)))
            phases["total"].append(total)
            # The hook: entry and return site, once each per exec.
            if len(pcs) == 2:
                phases["hook"].append(diff(pcs[0], pcs[1]))
            elif pcs:
                fail(f"{path}: {prog} round {r + 1}: {len(pcs)} watched addresses ran during exec, expected 2")
        if i == len(events) or events[i][:2] != ("mark", "6"):
            fail(f"{path}: {prog}: no mark 6 after {rounds} rounds")
        i += 1
        out[prog] = phases
    # The reference mappings: pairs of marks 7 and 8, in the order announced.
    ref: dict[str, list[Counts]] = {}
    for names, rounds in refs:
        for r in range(rounds):
            for name in names:
                pair = []
                for want in ("7", "8"):
                    while i < len(events) and events[i][0] == "pc":
                        i += 1
                    if i == len(events) or events[i][:2] != ("mark", want):
                        fail(f"{path}: reference {name} round {r + 1}: expected mark {want}")
                    pair.append(events[i][2])
                    i += 1
                ref.setdefault(name, []).append(diff(pair[0], pair[1]))
    if not ref:
        fail(f"{path}: no reference mappings (EXECCOST ref= lines)")
    out["reference"] = ref
    return out


def summary(rounds: list[Counts], stat: str) -> dict[str, float] | None:
    if not rounds:
        return None
    totals = sorted(r[0] + r[1] for r in rounds)
    n = len(totals)
    f = statistics.median if stat == "median" else statistics.fmean
    return {
        "user": f(r[0] for r in rounds),
        "kern": f(r[1] for r in rounds),
        "flush_all": f(r[2] for r in rounds),
        "flush_page": f(r[3] for r in rounds),
        "insns": f(totals),
        "p10": totals[max(0, (n * 10 + 99) // 100 - 1)],
        "p90": totals[max(0, (n * 90 + 99) // 100 - 1)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in KERNELS:
        ap.add_argument(f"--{k}", required=True, metavar="LOG")
    args = ap.parse_args()
    runs = {k: parse(getattr(args, k)) for k in KERNELS}
    progs = list(runs["ours"])  # the programs, then "reference"
    for k in KERNELS:
        if list(runs[k]) != progs:
            fail(f"--{k} ran {list(runs[k])}, --ours ran {progs}")

    print("exec, phase by phase: guest instructions per round, kernel + user (exec, hook: median; "
          "rest = fork + exit + wait, total: mean)")
    print(f"{'program':<13} {'phase':<6} " + " ".join(f"{k + ' (k+u)':>26}" for k in KERNELS)
          + f" {'ours-none':>11} {'linux-none':>11}")
    lines = []
    for prog in progs:
        for phase in PHASES if prog != "reference" else list(runs["ours"][prog]):
            s = {k: summary(runs[k][prog].get(phase, []), STAT.get(phase, "median")) for k in KERNELS}
            if s["ours"] is None:
                continue
            cells = []
            for k in KERNELS:
                v = s[k]
                cells.append(f"{v['insns']:>10.0f} ({v['kern']:>8.0f}+{v['user']:>6.0f})" if v else f"{'-':>26}")
            none = s["none"]["insns"] if s["none"] else float("nan")
            d_ours = s["ours"]["insns"] - none
            d_linux = s["linux"]["insns"] - none if s["linux"] else float("nan")
            print(f"{prog:<13} {phase:<6} " + " ".join(cells) + f" {d_ours:>+11.0f} {d_linux:>+11.0f}")
            for k in KERNELS:
                if v := s[k]:
                    lines.append(f"EXECCOST prog={prog} phase={phase} kernel={k} user={v['user']:.0f} "
                                 f"kern={v['kern']:.0f} insns={v['insns']:.0f} p10={v['p10']:.0f} p90={v['p90']:.0f} "
                                 f"flush_all={v['flush_all']:.1f} flush_page={v['flush_page']:.1f}")
            pct = 100.0 * d_ours / none if none else float("nan")
            lines.append(f"EXECCOST delta prog={prog} phase={phase} ours_minus_none={d_ours:.0f} "
                         f"linux_minus_none={d_linux:.0f} pct={pct:.1f}")
    print()
    print("TLB flushes per round, whole + one-page (QEMU empties its software TLB on each)")
    print(f"{'program':<13} {'phase':<6} " + " ".join(f"{k:>13}" for k in KERNELS))
    for prog in progs:
        if prog == "reference":
            continue
        for phase in ("exec", "hook", "total"):
            cells = []
            for k in KERNELS:
                v = summary(runs[k][prog][phase], STAT[phase])
                cells.append(f"{v['flush_all']:>5.1f} + {v['flush_page']:>5.1f}" if v else f"{'-':>13}")
            print(f"{prog:<13} {phase:<6} " + " ".join(cells))
    print()
    print("\n".join(lines))


if __name__ == "__main__":
    main()
