/* vdso_test.c - the vDSO seen from a Linux program on Starry.
 *
 * Built statically (/bin/vdso-static) and dynamically (/bin/vdso-dynamic).
 * Finds the vDSO from AT_SYSINFO_EHDR, resolves its symbols by name and
 * version, calls each directly and compares with the syscall; proves with
 * /proc/self/syscalls that glibc's clock calls do not enter the kernel; checks
 * the mappings, write protection, fork/exec and a multi-threaded reader run.
 *
 * Usage: vdso_test                 run every check
 *        vdso_test --child FD      (internal) exec'd child: report to FD
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vdso_arch.h"
#include "vdso_lookup.h"

#define NS_PER_SEC 1000000000LL

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef int (*getres_fn)(clockid_t, struct timespec *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);
typedef int (*flush_icache_fn)(void *, void *, unsigned long);

static const char *self_path;

/* ---- helpers ---- */

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS_PER_SEC + t->tv_nsec; }

static int sys_gettime(clockid_t id, struct timespec *ts)
{
    long r = syscall(SYS_clock_gettime, id, ts);
    return r < 0 ? -errno : (int)r;
}

static int sys_getres(clockid_t id, struct timespec *ts)
{
    long r = syscall(SYS_clock_getres, id, ts);
    return r < 0 ? -errno : (int)r;
}

/* vDSO functions return 0 or -errno, as the raw syscall does. */
static long syscall_count(long nr)
{
    FILE *f = fopen("/proc/self/syscalls", "r");
    if (!f)
        return -1;
    long n, c, found = 0;
    while (fscanf(f, "%ld %ld", &n, &c) == 2)
        if (n == nr)
            found = c;
    fclose(f);
    return found;
}

static gettime_fn vgettime;
static gettimeofday_fn vgettimeofday;
static getres_fn vgetres;
static getcpu_fn vgetcpu;
static flush_icache_fn vflush_icache;
static void *vsigreturn;

/* ---- the checks ---- */

/* CPUs this process may run on: the kernel's affinity mask (glibc's
 * sysconf falls back to a guess of 2 without /sys and /proc/stat). */
static long cpus_available(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    return sysconf(_SC_NPROCESSORS_ONLN);
}


static void check_clocks_against_syscall(void)
{
    for (int i = 0; i < N_VDSO_CLOCKS; i++) {
        struct timespec before, v, after;
        int64_t worst_lo = 0, worst_hi = 0;
        int ok = 1;
        for (int round = 0; round < 200 && ok; round++) {
            int r0 = sys_gettime(vdso_clocks[i].id, &before);
            int rv = vgettime(vdso_clocks[i].id, &v);
            int r1 = sys_gettime(vdso_clocks[i].id, &after);
            /* Coarse clocks too: the syscall serves them at the same
             * timekeeping update the vDSO reads, so no slack is allowed. */
            int64_t lo = ts_ns(&v) - ts_ns(&before), hi = ts_ns(&after) - ts_ns(&v);
            if (lo < worst_lo || round == 0) worst_lo = lo;
            if (hi < worst_hi || round == 0) worst_hi = hi;
            ok = r0 == 0 && rv == 0 && r1 == 0 && lo >= 0 && hi >= 0 && v.tv_nsec >= 0 &&
                 v.tv_nsec < NS_PER_SEC;
        }
        check(ok, "clock_gettime(%s): vDSO value lies between syscalls taken around it "
              "(200 rounds; min margins %lld ns / %lld ns)", vdso_clocks[i].name,
              (long long)worst_lo, (long long)worst_hi);
    }
}

static void check_monotonic_never_backwards(void)
{
    struct timespec prev, now;
    vgettime(CLOCK_MONOTONIC, &prev);
    long backwards = 0, n = 500000;
    for (long i = 0; i < n; i++) {
        vgettime(CLOCK_MONOTONIC, &now);
        if (ts_ns(&now) < ts_ns(&prev))
            backwards++;
        prev = now;
    }
    check(backwards == 0, "CLOCK_MONOTONIC never goes backwards over %ld vDSO reads (%ld did)", n,
          backwards);
}

static void check_coarse_advances_with_ticks(void)
{
    /* The tick, from the kernel: a coarse clock's resolution is the tick
     * period (Linux's rule, which the demo kernel follows). */
    struct timespec res = {0, 0};
    if (!check(syscall(SYS_clock_getres, CLOCK_MONOTONIC_COARSE, &res) == 0 &&
                   res.tv_sec == 0 && res.tv_nsec >= 1000000 && res.tv_nsec <= 100000000,
               "the kernel's tick (clock_getres of CLOCK_MONOTONIC_COARSE) is 1-100 ms (%ld ns)",
               (long)res.tv_nsec))
        return;
    const int64_t TICK_NS = res.tv_nsec;
    struct timespec c0, c1, m0, m;
    vgettime(CLOCK_MONOTONIC_COARSE, &c0);
    vgettime(CLOCK_MONOTONIC, &m0);
    int steps = 0;
    struct timespec last = c0, c;
    do {
        vgettime(CLOCK_MONOTONIC_COARSE, &c);
        if (ts_ns(&c) != ts_ns(&last))
            steps++;
        last = c;
        vgettime(CLOCK_MONOTONIC, &m);
    } while (ts_ns(&m) - ts_ns(&m0) < 5 * TICK_NS);
    struct timespec m1;
    vgettime(CLOCK_MONOTONIC_COARSE, &c1);
    vgettime(CLOCK_MONOTONIC, &m1);
    int64_t adv = ts_ns(&c1) - ts_ns(&c0);
    /* No upper bound on the advance: a tick the host delayed (QEMU's vCPU
     * descheduled) makes c0 stale by more than a tick, and the advance
     * longer. The coarse clock must never pass MONOTONIC, though. */
    check(adv >= 3 * TICK_NS && ts_ns(&c1) <= ts_ns(&m1) && steps >= 3,
          "CLOCK_MONOTONIC_COARSE advances tick by tick and stays behind MONOTONIC: +%lld ns in "
          "%d steps over 5 ticks, %lld ns behind at the end",
          (long long)adv, steps, (long long)(ts_ns(&m1) - ts_ns(&c1)));
}

static void check_getres(void)
{
    clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                       CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
                       CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, -1, 12, 100};
    int bad = 0;
    char detail[256] = "";
    size_t len = 0;
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct timespec s = {-1, -1}, v = {-1, -1};
        int rs = sys_getres(ids[i], &s), rv = vgetres(ids[i], &v);
        int null_ok = vgetres(ids[i], NULL) == sys_getres(ids[i], NULL);
        if (rs != rv || !null_ok || (rs == 0 && ts_ns(&s) != ts_ns(&v)))
            bad++;
        if (len < sizeof detail - 32)
            len += snprintf(detail + len, sizeof detail - len, "%s%d:%s%lld", i ? " " : "",
                            (int)ids[i], rv ? "err" : "", rv ? (long long)rv : (long long)ts_ns(&v));
    }
    check(bad == 0, "clock_getres: vDSO equals the syscall for 12 ids incl. NULL res (%s)", detail);
}

static void check_gettimeofday(void)
{
    struct timeval tv0, tv, tv1;
    struct timezone tz = {-1, -1}, stz = {-2, -2};
    syscall(SYS_gettimeofday, &tv0, &stz);
    int r = vgettimeofday(&tv, &tz);
    syscall(SYS_gettimeofday, &tv1, NULL);
    int64_t us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
    int64_t us0 = (int64_t)tv0.tv_sec * 1000000 + tv0.tv_usec, us1 = (int64_t)tv1.tv_sec * 1000000 + tv1.tv_usec;
    check(r == 0 && us0 <= us && us <= us1 && tv.tv_usec < 1000000 &&
              tz.tz_minuteswest == stz.tz_minuteswest && tz.tz_dsttime == stz.tz_dsttime,
          "gettimeofday(tv, tz): %lld.%06ld between syscalls, tz = {%d, %d} as the syscall's",
          (long long)tv.tv_sec, (long)tv.tv_usec, tz.tz_minuteswest, tz.tz_dsttime);
    struct timezone tz2 = {-1, -1};
    check(vgettimeofday(NULL, &tz2) == 0 && tz2.tz_minuteswest == stz.tz_minuteswest &&
              vgettimeofday(&tv, NULL) == 0 && vgettimeofday(NULL, NULL) == 0,
          "gettimeofday with NULL tv, NULL tz, and both NULL returns 0");
}

static void check_getcpu_and_flush(void)
{
    if (!vgetcpu) {
        check(vflush_icache == NULL, ARCH_NAME ": no getcpu and no flush_icache in the vDSO, as Linux's");
        return;
    }
    unsigned vc = ~0u, vn = ~0u, sc = ~0u, sn = ~0u;
    int rv = vgetcpu(&vc, &vn, NULL);
    int rs = (int)syscall(SYS_getcpu, &sc, &sn, NULL);
    long nproc = cpus_available();
    check(rv == 0 && rs == 0 && vc < (unsigned)(nproc > 0 ? nproc : 64) && vn == sn,
          "getcpu: cpu %u node %u (syscall says cpu %u node %u, %ld CPUs)", vc, vn, sc, sn, nproc);
    check(vgetcpu(NULL, NULL, NULL) == 0, "getcpu(NULL, NULL, NULL) returns 0");
    if (!vflush_icache) {
        check(1, ARCH_NAME ": no flush_icache in the vDSO, as Linux's");
        return;
    }
    static const unsigned char code[16] = {0};
    check(vflush_icache((void *)code, (void *)(code + sizeof code), 0) == 0,
          "flush_icache over a buffer returns 0");
}

static void check_fallbacks(void)
{
    /* CPU-time clocks go to the syscall: the vDSO value lies between two syscalls. */
    clockid_t cpu_ids[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    for (int i = 0; i < 2; i++) {
        struct timespec a, v, b;
        int r0 = sys_gettime(cpu_ids[i], &a), rv = vgettime(cpu_ids[i], &v), r1 = sys_gettime(cpu_ids[i], &b);
        check(r0 == 0 && rv == 0 && r1 == 0 && ts_ns(&a) <= ts_ns(&v) && ts_ns(&v) <= ts_ns(&b),
              "clock_gettime(%s) falls back to the syscall (%lld ns)",
              i ? "THREAD_CPUTIME_ID" : "PROCESS_CPUTIME_ID", (long long)ts_ns(&v));
    }
    clockid_t invalid[] = {-1, 12, 16, 100, (clockid_t)0x80000000};
    for (int i = 0; i < 5; i++) {
        struct timespec s, v;
        int rs = sys_gettime(invalid[i], &s), rv = vgettime(invalid[i], &v);
        check(rs == rv && rv != 0, "clock_gettime(invalid id %d) = %d, as the syscall (%d)",
              (int)invalid[i], rv, rs);
    }
}

static void check_sigreturn_symbol(void)
{
#ifdef VDSO_SIGRETURN
    static const unsigned char linux_bytes[8] = VDSO_SIGRETURN_BYTES;
    check(vsigreturn && !memcmp(vsigreturn, linux_bytes, 8),
          VDSO_SIGRETURN " is " VDSO_SIGRETURN_ASM " (Linux's bytes)");
#else
    /* Linux's image for this arch has none: libc brings its own restorer. */
    check(vsigreturn == NULL, ARCH_NAME ": no " VDSO_NO_SIGRETURN " in the vDSO, as Linux's");
#endif
}

static void check_libc_takes_the_vdso(void)
{
    long n_gettime = syscall_count(SYS_clock_gettime), n_tod = syscall_count(SYS_gettimeofday);
    struct timespec ts;
    struct timeval tv;
    for (int i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        clock_gettime(CLOCK_REALTIME, &ts);
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        gettimeofday(&tv, NULL);
    }
    long d_gettime = syscall_count(SYS_clock_gettime) - n_gettime;
    long d_tod = syscall_count(SYS_gettimeofday) - n_tod;
    /* The counter itself works: one real syscall is counted. */
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    long d_probe = syscall_count(SYS_clock_gettime) - n_gettime - d_gettime;
    check(n_gettime >= 0 && d_probe == 1 && d_gettime == 0 && d_tod == 0,
          "glibc: 3000 clock_gettime + 1000 gettimeofday made %ld + %ld syscalls "
          "(a raw syscall counts %ld)", d_gettime, d_tod, d_probe);
}

static void check_maps(uintptr_t ehdr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[256];
    int vvar = 0, vdso = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3)
            continue;
        if (strstr(line, "[vvar]") && lo == ehdr - 0x2000 && hi == ehdr && !strcmp(perms, "r--p"))
            vvar = 1;
        if (strstr(line, "[vdso]") && lo == ehdr && !strcmp(perms, "r-xp"))
            vdso = 1;
    }
    if (f)
        fclose(f);
    check(vvar && vdso, "/proc/self/maps lists [vvar] r--p at %#lx and [vdso] r-xp at %#lx",
          (unsigned long)(ehdr - 0x2000), (unsigned long)ehdr);
}

/* Where the kernel put the vDSO: in its special-mapping window, below the
 * stack with at least 8 MiB between them, inside the stack's top-level
 * page-table entry (so it shares the page-table pages the stack has). The
 * stack is the mapping that holds this frame. */
static void check_placement(uintptr_t ehdr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[256];
    unsigned long vvar_lo = 0, vdso_hi = 0, stack_lo = 0, here = (unsigned long)(uintptr_t)&line;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) != 2)
            continue;
        if (strstr(line, "[vvar]") && lo == ehdr - 0x2000)
            vvar_lo = lo;
        if (strstr(line, "[vdso]") && lo == ehdr)
            vdso_hi = hi;
        if (lo <= here && here < hi)
            stack_lo = lo;
    }
    if (f)
        fclose(f);
    int below = vvar_lo && vdso_hi && stack_lo && vdso_hi + (8UL << 20) <= stack_lo;
    int shares = (vvar_lo >> VDSO_WINDOW_SHIFT) == (stack_lo >> VDSO_WINDOW_SHIFT);
    check(below && shares,
          "[vvar]+[vdso] %#lx-%#lx lie at least 8 MiB below the stack (from %#lx) and in its 2^%d-byte "
          "page-table region",
          vvar_lo, vdso_hi, stack_lo, VDSO_WINDOW_SHIFT);
}

static int child_status(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

static void check_write_protection(uintptr_t ehdr)
{
    struct { const char *what; volatile unsigned char *addr; } targets[] = {
        {"vDSO text", (volatile unsigned char *)ehdr},
        {"vvar page", (volatile unsigned char *)(ehdr - 0x2000)},
    };
    for (int i = 0; i < 2; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            *targets[i].addr = 0x5a;
            _exit(0);
        }
        int st = child_status(pid);
        struct timespec ts;
        check(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && vgettime(CLOCK_MONOTONIC, &ts) == 0,
              "a write to the %s kills only the writer with SIGSEGV (status %#x)", targets[i].what, st);
    }
}

static void check_fork_and_exec(uintptr_t ehdr)
{
    /* fork: the child inherits the mapping and its vDSO works. */
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec a, b;
        int ok = getauxval(AT_SYSINFO_EHDR) == ehdr && vgettime(CLOCK_MONOTONIC, &a) == 0 &&
                 vgettime(CLOCK_MONOTONIC, &b) == 0 && ts_ns(&b) >= ts_ns(&a) && a.tv_sec >= 0;
        _exit(ok ? 0 : 1);
    }
    int st = child_status(pid);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork: the child calls the inherited vDSO");

    /* exec: a fresh address space with a fresh random base. */
    int fds[2];
    if (pipe(fds)) {
        check(0, "pipe for the exec check: %s", strerror(errno));
        return;
    }
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        char fd[16];
        snprintf(fd, sizeof fd, "%d", fds[1]);
        char *argv[] = {(char *)self_path, "--child", fd, NULL};
        execv(self_path, argv);
        _exit(127);
    }
    close(fds[1]);
    unsigned long child_ehdr = 0;
    int n = (int)read(fds[0], &child_ehdr, sizeof child_ehdr);
    close(fds[0]);
    st = child_status(pid);
    check(n == sizeof child_ehdr && child_ehdr && child_ehdr != ehdr && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0,
          "exec: the new program's vDSO works at a new base %#lx (ours %#lx)", child_ehdr,
          (unsigned long)ehdr);
}

static int child_main(int fd)
{
    unsigned long ehdr = getauxval(AT_SYSINFO_EHDR);
    struct vdso v;
    struct timespec ts;
    int ok = ehdr && vdso_open(&v, ehdr) == 0;
    gettime_fn f = ok ? (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION) : NULL;
    ok = ok && f && f(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec >= 0;
    if (write(fd, &ehdr, sizeof ehdr) != sizeof ehdr)
        ok = 0;
    return ok ? 0 : 1;
}

static void check_ld_trace_lists_vdso(void)
{
    int fds[2];
    if (access("/bin/clock-dynamic", X_OK) || pipe(fds)) {
        check(0, "LD_TRACE_LOADED_OBJECTS: /bin/clock-dynamic or a pipe is missing");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        char *argv[] = {"/bin/clock-dynamic", NULL};
        char *envp[] = {"LD_TRACE_LOADED_OBJECTS=1", NULL};
        execve(argv[0], argv, envp);
        _exit(127);
    }
    close(fds[1]);
    char out[2048];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = 0;
    close(fds[0]);
    child_status(pid);
    char *line = strstr(out, "linux-vdso.so.1");
    char *eol = line ? strchr(line, '\n') : NULL;
    if (eol)
        *eol = 0;
    check(line != NULL, "LD_TRACE_LOADED_OBJECTS=1 lists %s", line ? line : "no linux-vdso.so.1");
}

struct reader {
    pthread_t thread;
    int cpu;
    long reads, backwards, torn;
    unsigned cpus_seen;
};

static volatile int readers_go;

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(r->cpu, &set);
    sched_setaffinity(0, sizeof set, &set); /* best effort; cpus_seen reports reality */
    while (!readers_go)
        ;
    struct timespec prev, now, start;
    vgettime(CLOCK_MONOTONIC, &start);
    prev = start;
    do {
        vgettime(CLOCK_MONOTONIC, &now);
        r->reads++;
        if (now.tv_nsec < 0 || now.tv_nsec >= NS_PER_SEC)
            r->torn++;
        if (ts_ns(&now) < ts_ns(&prev))
            r->backwards++;
        prev = now;
        if ((r->reads & 1023) == 0) {
            unsigned cpu;
            if ((vgetcpu ? vgetcpu(&cpu, NULL, NULL) : (int)syscall(SYS_getcpu, &cpu, NULL, NULL)) == 0 &&
                cpu < 32)
                r->cpus_seen |= 1u << cpu;
        }
    } while (ts_ns(&now) - ts_ns(&start) < 300 * 1000000LL);
    return NULL;
}

static void check_threads(void)
{
    long nproc = cpus_available();
    int n = nproc > 1 ? (int)nproc : 2;
    if (n > 8)
        n = 8;
    struct reader r[8];
    memset(r, 0, sizeof r);
    for (int i = 0; i < n; i++) {
        r[i].cpu = i % (nproc > 0 ? (int)nproc : 1);
        if (pthread_create(&r[i].thread, NULL, reader_main, &r[i])) {
            check(0, "pthread_create: %s", strerror(errno));
            return;
        }
    }
    readers_go = 1;
    long reads = 0, backwards = 0, torn = 0;
    unsigned cpus = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(r[i].thread, NULL);
        reads += r[i].reads;
        backwards += r[i].backwards;
        torn += r[i].torn;
        cpus |= r[i].cpus_seen;
    }
    check(backwards == 0 && torn == 0 && reads > 0,
          "%d threads, %ld CPUs available, ran on %d CPUs: %ld MONOTONIC reads over 300 ms, "
          "%ld backwards, %ld torn", n, nproc, __builtin_popcount(cpus), reads, backwards, torn);
    if (nproc > 1)
        check(__builtin_popcount(cpus) > 1, "reader threads ran on %d of %ld CPUs",
              __builtin_popcount(cpus), nproc);
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 3 && !strcmp(argv[1], "--child"))
        return child_main(atoi(argv[2]));
    const char *slash = strrchr(argv[0], '/');
    check_prog = slash ? slash + 1 : argv[0];

    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    if (!check(ehdr != 0, "AT_SYSINFO_EHDR = %#lx", (unsigned long)ehdr))
        return check_summary();
    const Elf64_Ehdr *eh = (const void *)ehdr;
    check(!memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
              eh->e_type == ET_DYN && eh->e_machine == VDSO_MACHINE,
          "the vDSO is a 64-bit " ARCH_NAME " ET_DYN ELF image");
    struct vdso v;
    if (!check(vdso_open(&v, ehdr) == 0, "the vDSO has DT_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM, DT_VERDEF"))
        return check_summary();

    int found = 0;
    for (int i = 0; i < VDSO_NR_EXPORTS; i++)
        found += vdso_sym(&v, vdso_exports[i], VDSO_VERSION) != NULL;
    check(found == VDSO_NR_EXPORTS, "all %d exports resolve at version " VDSO_VERSION " (%d did)",
          VDSO_NR_EXPORTS, found);
    check(vdso_sym(&v, VDSO_CLOCK_GETTIME, "LINUX_2.5") == NULL, "a wrong version node does not resolve");
    if (found != VDSO_NR_EXPORTS)
        return check_summary();
    vgettime = (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION);
    vgettimeofday = (gettimeofday_fn)vdso_sym(&v, VDSO_GETTIMEOFDAY, VDSO_VERSION);
    vgetres = (getres_fn)vdso_sym(&v, VDSO_CLOCK_GETRES, VDSO_VERSION);
#ifdef VDSO_GETCPU
    vgetcpu = (getcpu_fn)vdso_sym(&v, VDSO_GETCPU, VDSO_VERSION);
#endif
#ifdef VDSO_FLUSH_ICACHE
    vflush_icache = (flush_icache_fn)vdso_sym(&v, VDSO_FLUSH_ICACHE, VDSO_VERSION);
#endif
#ifdef VDSO_SIGRETURN
    vsigreturn = vdso_sym(&v, VDSO_SIGRETURN, VDSO_VERSION);
#else
    vsigreturn = vdso_sym(&v, VDSO_NO_SIGRETURN, VDSO_VERSION);
#endif

    check_clocks_against_syscall();
    check_monotonic_never_backwards();
    check_coarse_advances_with_ticks();
    check_getres();
    check_gettimeofday();
    check_getcpu_and_flush();
    check_fallbacks();
    check_sigreturn_symbol();
    check_libc_takes_the_vdso();
    check_maps(ehdr);
    check_placement(ehdr);
    check_write_protection(ehdr);
    check_fork_and_exec(ehdr);
    if (strstr(check_prog, "dynamic") == NULL)
        check_ld_trace_lists_vdso();
    check_threads();
    return check_summary();
}
