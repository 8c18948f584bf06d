#!/usr/bin/env python3
"""check-guest.py - judge a guest console log by its explicit markers.

Usage: scripts/check-guest.py LOG [--expect PROG ...] [--name NAME]

QEMU exits 0 whatever the guest did, so this reads what the guest printed
(CRLF line ends and ANSI colours removed) and fails unless:
  - every expected PROG printed at least one "PASS PROG: ..." line, no
    "FAIL PROG: ..." line, and its closing "PROG: N passed, 0 failed" line
    with N equal to the PASS lines seen;
  - the init runner printed "[runner] EXIT ... status=0" for every program
    it ran and its closing "runner: N passed, 0 failed";
  - no kernel panic ("panicked at") and no TIMEOUT line appear.
It prints one line per program and a closing "N passed, M failed" over all
checks (a missing marker or a bad exit counts as a failed check).
"""
import argparse
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CHECK = re.compile(r"^(PASS|FAIL) ([\w.+-]+): (.*)$")
CLOSE = re.compile(r"^([\w.+-]+): (\d+) passed, (\d+) failed$")
RUNNER_EXIT = re.compile(r"^\[runner\] EXIT (.+) status=(\d+)$")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--expect", nargs="*", default=[], help="programs that must report")
    ap.add_argument("--name", default="guest", help="label for this run")
    args = ap.parse_args()

    with open(args.log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    lines = [ANSI.sub("", line).strip("\r ") for line in text.split("\n")]

    passes: dict[str, int] = {}
    fails: dict[str, list[str]] = {}
    closing: dict[str, tuple[int, int]] = {}
    runner_bad: list[str] = []
    problems: list[str] = []
    for line in lines:
        if m := CHECK.match(line):
            kind, prog, what = m.groups()
            if kind == "PASS":
                passes[prog] = passes.get(prog, 0) + 1
            else:
                fails.setdefault(prog, []).append(what)
        elif m := CLOSE.match(line):
            closing[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        elif m := RUNNER_EXIT.match(line):
            if m.group(2) != "0":
                runner_bad.append(f"{m.group(1)} exited with status {m.group(2)}")
        if "panicked at" in line:
            problems.append(f"kernel panic: {line}")
        if line.startswith("run-qemu: TIMEOUT"):
            problems.append(line)

    passed = failed = 0
    for prog in args.expect:
        n_pass, n_fail = passes.get(prog, 0), len(fails.get(prog, []))
        close = closing.get(prog)
        why = []
        if n_pass == 0:
            why.append("no PASS marker")
        if n_fail:
            why.append(f"{n_fail} FAIL: " + "; ".join(fails[prog][:3]))
        if close is None:
            why.append("no closing 'N passed, M failed' line")
        elif close != (n_pass, n_fail):
            why.append(f"closing line says {close[0]} passed, {close[1]} failed; saw {n_pass}/{n_fail}")
        passed += n_pass
        failed += n_fail + (0 if why == [] or n_fail else 1)
        print(f"{'ok  ' if not why else 'FAIL'} {args.name}/{prog}: {n_pass} checks passed"
              + (f" -- {', '.join(why)}" if why else ""))
    for prog in sorted(set(fails) - set(args.expect)):
        failed += len(fails[prog])
        print(f"FAIL {args.name}/{prog}: " + "; ".join(fails[prog][:3]))

    runner = closing.get("runner")
    if runner is None:
        problems.append("init runner never printed its closing 'runner: N passed, M failed' line")
    elif runner[1] != 0:
        problems.append(f"init runner: {runner[1]} program(s) failed")
    problems += runner_bad
    for p in problems:
        print(f"FAIL {args.name}: {p}")
    failed += len(problems)
    print(f"{args.name}: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
