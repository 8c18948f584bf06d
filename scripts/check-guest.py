#!/usr/bin/env python3
"""check-guest.py - judge a guest console log by its explicit markers.

Usage: scripts/check-guest.py LOG [--expect PROG ...] [--selftests TEST ...] [--name NAME]

QEMU exits 0 whatever the guest did, so this reads what the guest printed
(CRLF line ends and ANSI colours removed) and fails unless:
  - every expected PROG printed at least one "PASS PROG: ..." line, no
    "FAIL PROG: ..." line, and its closing "PROG: N passed, 0 failed" line
    with N equal to the PASS lines seen;
  - the init runner printed "[runner] EXIT ... status=0" for every program
    it ran but the selftests (judged below), and a closing
    "runner: N passed, M failed, K skipped" that matches its EXIT lines
    (0 passed, 4 = KSFT_SKIP skipped, anything else failed);
  - every expected Linux selftest (run by the runner as /selftests/TEST)
    passed by its own account: exit status 0 (KSFT_PASS; 4 is KSFT_SKIP,
    which counts as a failure unless --skip-ok names it as expected) and no
    "FAIL"/"not ok" line in its output; or, where --fail-ok names the test
    with the exact line its failure prints (a part that cannot run here),
    exit status 1 (KSFT_FAIL) with that line and no "FAIL"/"not ok" line,
    counted with the skips;
  - no kernel panic ("panicked at") and no TIMEOUT line appear.
It prints one line per program and a closing "N passed, M failed" over all
checks (a missing marker or a bad exit counts as a failed check).
"""
import argparse
import re
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CHECK = re.compile(r"^(PASS|FAIL) ([\w.+-]+): (.*)$")
CLOSE = re.compile(r"^([\w.+-]+): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")
KERNEL_LOG = re.compile(r"^\[\s*\d+\.\d+ \d")  # "[  1.234567 0:26 module:line] ..."
RUNNER_RUN = re.compile(r"^\[runner\] RUN (.+)$")
RUNNER_EXIT = re.compile(r"^\[runner\] EXIT (.+) status=(\d+)$")
SELFTEST_FAIL = re.compile(r"\bFAIL|^not ok\b|\bnot ok \d")
SELFTEST_OK = re.compile(r"\[OK\]|^ok \d|PASS|passed|Totals: pass:[1-9]")


def selftest_verdicts(lines: list[str]) -> dict[str, tuple[int, list[str], int, set[str]]]:
    """Per /selftests/VERSION/TEST run, keyed VERSION/TEST: (exit status,
    failure lines, success lines, every line it printed)."""
    out: dict[str, tuple[int, list[str], int, set[str]]] = {}
    current, fails, oks, seen = None, [], 0, set()
    for line in lines:
        if m := RUNNER_RUN.match(line):
            current, fails, oks, seen = m.group(1), [], 0, set()
        elif (m := RUNNER_EXIT.match(line)) and current == m.group(1):
            if current.startswith("/selftests/"):
                out[current.removeprefix("/selftests/")] = (int(m.group(2)), fails, oks, seen)
            current = None
        elif current and not KERNEL_LOG.match(line):
            seen.add(line)
            if SELFTEST_FAIL.search(line):
                fails.append(line)
            elif SELFTEST_OK.search(line):
                oks += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--expect", nargs="*", default=[], help="programs that must report")
    ap.add_argument("--selftests", nargs="*", default=[], help="Linux selftests that must pass")
    ap.add_argument(
        "--skip-ok",
        nargs="*",
        default=[],
        metavar="TEST=REASON",
        help="selftests whose KSFT_SKIP is expected (and why); any other outcome still fails",
    )
    ap.add_argument(
        "--fail-ok",
        nargs="*",
        default=[],
        metavar="TEST=LINE=REASON",
        help="selftests whose KSFT_FAIL is expected, with the exact line that failure prints (and why; "
        "no '=' in TEST or REASON)",
    )
    ap.add_argument("--name", default="guest", help="label for this run")
    args = ap.parse_args()

    with open(args.log, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    lines = [ANSI.sub("", line).strip("\r ") for line in text.split("\n")]

    passes: dict[str, int] = {}
    fails: dict[str, list[str]] = {}
    closing: dict[str, tuple[int, int]] = {}
    runner_skipped: int | None = None
    runner_status: list[int] = []
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
            if m.group(1) == "runner":
                runner_skipped = int(m.group(4)) if m.group(4) is not None else None
        elif m := RUNNER_EXIT.match(line):
            runner_status.append(int(m.group(2)))
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

    verdicts = selftest_verdicts(lines)
    skip_ok = dict(s.split("=", 1) for s in args.skip_ok)
    # TEST=LINE=REASON: the line may contain "=" (C assertions do), the
    # test name and the reason do not.
    fail_ok = {}
    for spec in args.fail_ok:
        test, rest = spec.split("=", 1)
        line, why = rest.rsplit("=", 1)
        fail_ok[test] = (line, why)
    skipped = 0
    for test in args.selftests:
        verdict = verdicts.get(test)
        if verdict is None:
            failed += 1
            print(f"FAIL {args.name}/selftest/{test}: never ran to completion")
            continue
        status, bad, oks, seen = verdict
        if status == 4 and not bad and test in skip_ok:
            skipped += 1
            print(f"skip {args.name}/selftest/{test}: KSFT_SKIP, expected: {skip_ok[test]}")
        elif status == 1 and not bad and test in fail_ok and fail_ok[test][0] in seen:
            skipped += 1
            print(f"xfail {args.name}/selftest/{test}: KSFT_FAIL, expected '{fail_ok[test][0]}' "
                  f"({oks} success line(s) before it): {fail_ok[test][1]}")
        elif status == 0 and not bad:
            passed += 1
            print(f"ok   {args.name}/selftest/{test}: exit 0, {oks} success line(s), no failure line")
        else:
            failed += 1
            kind = "skipped (KSFT_SKIP)" if status == 4 else f"exit {status}"
            print(f"FAIL {args.name}/selftest/{test}: {kind}" + (f"; {bad[0]}" if bad else ""))

    # The runner's own count includes selftests, which are judged above from
    # their output; every other program is judged by its exit status.
    if closing.get("runner") is None:
        problems.append("init runner never printed its closing 'runner: N passed, M failed' line")
    else:
        # Its count must be its own EXIT lines: 0 passed, 4 (KSFT_SKIP)
        # skipped, anything else failed.
        want = (runner_status.count(0),
                sum(1 for s in runner_status if s not in (0, 4)),
                runner_status.count(4))
        said = (*closing["runner"], runner_skipped)
        if said != want:
            problems.append(f"the runner's closing line says {said[0]} passed, {said[1]} failed, "
                            f"{said[2]} skipped; its EXIT lines say {want[0]}/{want[1]}/{want[2]}")
    problems += [b for b in runner_bad if not b.startswith("/selftests/")]
    for p in problems:
        print(f"FAIL {args.name}: {p}")
    failed += len(problems)
    print(f"{args.name}: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
