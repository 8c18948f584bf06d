/* execcost.c - fork, execve and exit, phase by phase, for the instruction
 * counter (scripts/insn-count.c; make execcost).
 *
 * Usage: execcost [ROUNDS]     (default 15; make execcost runs it alone)
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
 * phases: fork (1 -> 2), execve to main (2 -> 3: the kernel's exec, the exec
 * hooks, and the user start-up of libc and ld.so), exit and wait (3 -> 4).
 * Marks 5 and 6 bracket each program's rounds, so the report knows which
 * program a mark belongs to; "EXECCOST prog=P rounds=R" lines say the order.
 *
 * Without the plugin the marks are no-ops and only the PASS/FAIL lines mean
 * anything: every child exited 0 (check.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
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

int main(int argc, char **argv)
{
    check_prog = "execcost";
    setvbuf(stdout, NULL, _IOLBF, 0);
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    if (!check(rounds > 0 && rounds <= 1000, "%d rounds per program", rounds))
        return check_summary();
    for (unsigned p = 0; p < sizeof programs / sizeof programs[0]; p++) {
        printf("EXECCOST prog=%s rounds=%d\n", programs[p], rounds);
        int bad = 0, status = 0;
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
    return check_summary();
}
