/* runner.c - the init program of the demo: runs each program in turn.
 *
 * Usage: runner [PROG[:ARG...] ...]    (default: the programs in /etc/runner.list)
 *
 * For each program it prints "[runner] RUN <cmd>", forks, execs it, waits, and
 * prints "[runner] EXIT <cmd> status=<code>". It ends with
 * "runner: N passed, M failed, K skipped", counting programs that exited 0,
 * otherwise, and 4 (the kselftest convention for a skipped test; none of our
 * own programs exits with 4). The verdict on a skip is the judge's
 * (scripts/check-guest.py knows which skips are expected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int run(char *cmd)
{
    char *argv[16];
    int argc = 0;
    char *save = NULL;
    char *copy = strdup(cmd);
    for (char *tok = strtok_r(copy, " ", &save); tok && argc < 15; tok = strtok_r(NULL, " ", &save))
        argv[argc++] = tok;
    argv[argc] = NULL;
    if (argc == 0)
        return 0;

    printf("[runner] RUN %s\n", cmd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("[runner] fork");
        return -1;
    }
    if (pid == 0) {
        execve(argv[0], argv, environ);
        perror("[runner] execve");
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) {
        perror("[runner] waitpid");
        return -1;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("[runner] EXIT %s status=%d\n", cmd, code);
    fflush(stdout);
    free(copy);
    return code;
}

/* The exit status of a skipped kselftest (KSFT_SKIP). */
#define KSFT_SKIP 4

static int passed, failed, skipped;

static void count(int code)
{
    if (code == 0)
        passed++;
    else if (code == KSFT_SKIP)
        skipped++;
    else
        failed++;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            for (char *c = argv[i]; *c; c++)
                if (*c == ':')
                    *c = ' ';
            count(run(argv[i]));
        }
    } else {
        FILE *list = fopen("/etc/runner.list", "r");
        if (!list) {
            perror("[runner] /etc/runner.list");
            return 1;
        }
        char line[256];
        while (fgets(line, sizeof line, list)) {
            line[strcspn(line, "\r\n#")] = 0;
            if (line[0])
                count(run(line));
        }
        fclose(list);
    }
    printf("runner: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    fflush(stdout);
    return failed ? 1 : 0;
}
