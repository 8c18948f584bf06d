#!/usr/bin/env python3
"""test-execcost.py - host checks of make execcost's own tools (make unittest).

1. scripts/insn-count.c builds as a QEMU plugin with the host's gcc
   (-Wall -Wextra -Werror), into a temporary directory.
2. scripts/execcost-report.py, fed consoles written here with known counts,
   prints exactly the phases those counts make, for every program and the
   reference; and it fails, naming the round, on a console with a mark
   missing, and on one with no INSN lines at all.

Exit status 0 if all hold; each failure is printed.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = os.path.join(ROOT, "scripts", "execcost-report.py")
PROGS = ("exit0", "exit-static", "exit-dynamic")
ROUNDS = 5
failures: list[str] = []


def expect(ok: bool, what: str) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def console(scale: int, drop_mark: str | None = None) -> str:
    """A console whose round r of program p costs known amounts, times scale:
    fork 1000, execve to main 2000 kernel + 300 user with a hook of 400
    inside, exit 500; the reference mmap3 70, munmap3 80, populated 150."""
    user = kern = fa = fp = 0
    out = ["[runner] RUN /bin/execcost"]

    def insn(kind: str, ident: str) -> None:
        out.append(f"INSN {kind}={ident} user={user} kernel={kern} flush_all={fa} flush_page={fp}")

    for p, prog in enumerate(PROGS):
        out.append(f"EXECCOST prog=/bin/{prog} rounds={ROUNDS}")
        # The warm-up round comes before mark 5 and must be ignored.
        for m in "1234":
            insn("mark", m)
            kern += 99999
        insn("mark", "5")
        for r in range(ROUNDS):
            insn("mark", "1")
            kern += 1000 * scale
            if not (drop_mark == "2" and p == 1 and r == 2):
                insn("mark", "2")
            kern += 100 * scale
            insn("pc", "0xffffffff80001000")
            kern += 400 * scale
            fp += 4
            insn("pc", "0xffffffff80002000")
            kern += 1500 * scale
            user += 300 * scale
            insn("mark", "3")
            kern += 500 * scale
            insn("mark", "4")
        insn("mark", "6")
    out.append(f"EXECCOST ref=mmap3,munmap3 rounds={ROUNDS}")
    for _ in range(ROUNDS):
        for cost in (70, 80):
            insn("mark", "7")
            kern += cost * scale
            insn("mark", "8")
    out.append(f"EXECCOST ref=mmap3_populate rounds={ROUNDS}")
    for _ in range(ROUNDS):
        insn("mark", "7")
        kern += 150 * scale
        insn("mark", "8")
    out.append("execcost: 5 passed, 0 failed")
    return "\n".join(out) + "\n"


def run_report(paths: dict[str, str]) -> subprocess.CompletedProcess:
    args = [sys.executable, REPORT]
    for k in ("ours", "linux", "none"):
        args += [f"--{k}", paths[k]]
    return subprocess.run(args, capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    # 1. The plugin builds.
    so = os.path.join(tmp, "insn-count.so")
    cc = subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden",
                         "-o", so, os.path.join(ROOT, "scripts", "insn-count.c")], capture_output=True, text=True)
    expect(cc.returncode == 0 and os.path.exists(so), f"insn-count.c builds as a plugin {cc.stderr.strip()}")

    # 2. Known counts in, the same phases out: none at scale 1, ours at 2,
    # Linux's at 3.
    paths = {}
    for k, scale in (("none", 1), ("ours", 2), ("linux", 3)):
        paths[k] = os.path.join(tmp, f"{k}.log")
        with open(paths[k], "w") as f:
            f.write(console(scale))
    res = run_report(paths)
    expect(res.returncode == 0, f"the report reads three good consoles {res.stderr.strip()}")
    lines = {}
    for line in res.stdout.splitlines():
        m = re.match(r"^EXECCOST prog=(\S+) phase=(\S+) kernel=(\S+) user=(\S+) kern=(\S+) insns=(\S+)", line)
        if m:
            lines[m.group(1, 2, 3)] = tuple(float(x) for x in m.group(4, 5, 6))
    for prog in PROGS:
        for k, scale in (("none", 1), ("ours", 2), ("linux", 3)):
            want = {
                "exec": (300 * scale, 2000 * scale),
                "hook": (0, 400 * scale),
                "rest": (0, 1500 * scale),
                "total": (300 * scale, 3500 * scale),
            }
            for phase, (u, kk) in want.items():
                got = lines.get((prog, phase, k))
                expect(got == (u, kk, u + kk), f"{prog} {phase} {k}: user {u} kernel {kk} (got {got})")
    for name, cost in (("mmap3", 70), ("munmap3", 80), ("mmap3_populate", 150)):
        got = lines.get(("reference", name, "ours"))
        expect(got == (0, 2 * cost, 2 * cost), f"reference {name} ours: {2 * cost} (got {got})")
    delta = [ln for ln in res.stdout.splitlines() if ln.startswith("EXECCOST delta prog=exit0 phase=total ")]
    expect(delta == ["EXECCOST delta prog=exit0 phase=total ours_minus_none=3800 linux_minus_none=7600 pct=100.0"],
           f"exit0's total delta: ours +3800, Linux's +7600, +100 % (got {delta})")

    # 3. Broken consoles are errors that say where.
    with open(paths["ours"], "w") as f:
        f.write(console(2, drop_mark="2"))
    res = run_report(paths)
    expect(res.returncode != 0 and "exit-static round 3: expected mark 2" in res.stderr,
           f"a missing mark fails, naming program and round ({res.stderr.strip()})")
    with open(paths["ours"], "w") as f:
        f.write("EXECCOST prog=/bin/exit0 rounds=5\nexeccost: 1 passed, 0 failed\n")
    res = run_report(paths)
    expect(res.returncode != 0 and "no INSN lines" in res.stderr,
           f"a console without the plugin's lines fails ({res.stderr.strip()})")

print(f"test-execcost: {'all passed' if not failures else f'{len(failures)} failed'}")
sys.exit(1 if failures else 0)
