/* execcost.c - fork, execve and exit, phase by phase, for the instruction
 * counter (scripts/insn-count.c; make execcost).
 *
 * Usage: execcost [ROUNDS]     (default 31; make execcost runs it alone)
 *
 * For each program, /bin/exit0 (no libc), /bin/exit-static (static glibc)
 * and /bin/exit-dynamic (dynamic glibc: ld.so, libc.so.6), ROUNDS times:
 *
 *   mark 1   the parent, just before fork()
 *   mark 2   the child, first thing after fork() returns, before execve()
 *   mark 3   the new program's first instruction of main (_start for exit0)
 *   mark 4   the parent, once waitpid() has the child's exit
 *
 * (insn_mark.h). The plugin prints the running user and kernel instruction
 * counts at each mark; scripts/execcost-report.py turns the differences into
 * phases: execve to main (2 -> 3: the kernel's exec, the exec hooks, and the
 * user start-up of libc and ld.so), and the rest: fork (1 -> 2), exit and
 * wait (3 -> 4).
 * Marks 5 and 6 bracket each program's rounds, so the report knows which
 * program a mark belongs to; "EXECCOST prog=P rounds=R" lines say the order.
 * One more round per program runs first, before mark 5, and is not counted
 * (the program's file and pages are then cached).
 *
 * The reference: what mapping three ordinary pages costs in this process,
 * ROUNDS times each, between marks 7 and 8: mmap of 3 private anonymous
 * PROT_READ pages (mmap3), the same with MAP_POPULATE (mmap3_populate: the
 * page tables filled at once, as the kernel fills the vDSO's), and munmap of
 * 3 pages (munmap3). "EXECCOST ref=NAME[,NAME] rounds=R" lines say the
 * order: R rounds, each one pair of marks 7 and 8 per NAME.
 *
 * Without the plugin the marks are no-ops and only the PASS/FAIL lines mean
 * anything: every child exited 0 (check.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "insn_mark.h"

static const char *const programs[] = {"/bin/exit0", "/bin/exit-static", "/bin/exit-dynamic"};

/* One round: fork, exec path in the child, wait. 0 if the child exited 0. */
static int one_round(const char *path)
{
    insn_mark(1);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        insn_mark(2);
        char *argv[] = {(char *)path, NULL};
        char *envp[] = {NULL};
        execve(path, argv, envp);
        _exit(127);
    }
    int st;
    pid_t got = waitpid(pid, &st, 0);
    insn_mark(4);
    return got == pid && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The reference mappings: ROUNDS of each, every call between marks 7 and 8. */
static void reference(int rounds)
{
    const size_t len = 3 * 4096;
    void *p;
    int ok = 1;
    printf("EXECCOST ref=mmap3,munmap3 rounds=%d\n", rounds);
    for (int r = 0; r < rounds; r++) {
        insn_mark(7);
        p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        insn_mark(8);
        ok &= p != MAP_FAILED;
        insn_mark(7);
        ok &= p == MAP_FAILED || munmap(p, len) == 0;
        insn_mark(8);
    }
    printf("EXECCOST ref=mmap3_populate rounds=%d\n", rounds);
    for (int r = 0; r < rounds; r++) {
        insn_mark(7);
        p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        insn_mark(8);
        ok &= p != MAP_FAILED && munmap(p, len) == 0;
    }
    check(ok, "the reference: %d x mmap and munmap of 3 anonymous pages, and of 3 populated ones", rounds);
}

int main(int argc, char **argv)
{
    check_prog = "execcost";
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rounds = argc > 1 ? atoi(argv[1]) : 31;
    if (!check(rounds > 0 && rounds <= 1000, "%d rounds per program", rounds))
        return check_summary();
    for (unsigned p = 0; p < sizeof programs / sizeof programs[0]; p++) {
        printf("EXECCOST prog=%s rounds=%d\n", programs[p], rounds);
        int bad = 0, status = 0;
        status = one_round(programs[p]); /* the warm-up round, before mark 5 */
        bad = status != 0;
        insn_mark(5);
        for (int r = 0; r < rounds; r++) {
            int s = one_round(programs[p]);
            if (s != 0 && !bad) {
                bad = 1;
                status = s;
            }
        }
        insn_mark(6);
        check(!bad, "%s: %d rounds of fork + execve + waitpid, every child exited 0%s", programs[p], rounds,
              bad ? (status == 127 ? " (execve failed)" : " (a child failed)") : "");
    }
    reference(rounds);
    return check_summary();
}
