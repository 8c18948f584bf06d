/* bench.c - what a clock read costs: the vDSO against libc and the syscall.
 *
 * Usage: bench            measure everything (make bench runs it as the only
 *                         program of build/ARCH/bench-disk.img)
 *        bench --exit     return at once (what the exec measurement execs)
 *
 * In one run it measures ns per call of
 *   clock_gettime on every clock the vDSO serves (REALTIME, MONOTONIC,
 *   MONOTONIC_RAW, REALTIME_COARSE, MONOTONIC_COARSE, BOOTTIME, TAI),
 *   gettimeofday, clock_getres(MONOTONIC), getcpu and getrandom of 16 bytes
 *   and of 4 KiB (getrandom16, getrandom4k; the vDSO with a state mapped as
 *   its parameters say), each by three paths:
 *     vdso     a direct call of the __vdso_* symbol resolved from
 *              AT_SYSINFO_EHDR by name and version (vdso_lookup.h),
 *     libc     glibc's function (which calls the vDSO when there is one),
 *     syscall  glibc's raw syscall();
 *   the floor: a bare counter-read loop (rdtime, cntvct) (path floor), the least a counter read costs;
 *   exec: fork + execve + waitpid of this static glibc program ("bench
 *   --exit": glibc's start-up, which looks at the vDSO, then return), and
 *   exec_nolibc: the same of /bin/exit0 (no libc: the kernel's part alone);
 *   both labelled with-vdso or without-vdso by whether this kernel gave us an
 *   AT_SYSINFO_EHDR.
 *
 * Method: the counter read around whole batches of calls; the batch size is calibrated
 * so that one batch lasts about 7.5 ms (75 ms for exec); 15 batches; ns/call
 * is the median over the batches and spread = (p90 - p10) / median, in %. The
 * counter's rate is measured against CLOCK_MONOTONIC (the syscall) first.
 *
 * Output: a table for people, then one machine line per measurement,
 *   BENCH fn=<fn> clock=<clock|-> path=<vdso|libc|syscall|floor|with-vdso|without-vdso> ns=<median> spread=<pct>
 * and the derived
 *   BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall=<syscall ns / vdso ns>
 *   BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter=<vdso ns / counter ns>
 *   BENCH speedup fn=getrandom16|getrandom4k clock=- vdso_over_syscall=<syscall ns / vdso ns>
 * (scripts/bench-report.py reads them). The PASS/FAIL lines (check.h) say only
 * that every call succeeded and every figure is finite and positive: timings
 * are reported, never asserted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vdso_arch.h"
#include "vdso_lookup.h"

#define REPEATS 15
#define CALL_BATCH_NS 7500000.0  /* one batch of calls: ~7.5 ms */
#define EXEC_BATCH_NS 75000000.0 /* one batch of execs: ~75 ms */
#define EXIT0_PATH "/bin/exit0"

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef int (*getres_fn)(clockid_t, struct timespec *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);
typedef long (*getrandom_fn)(void *, size_t, unsigned int, void *, size_t);

static gettime_fn vgettime;
static gettimeofday_fn vgettimeofday;
static getres_fn vgetres;
static getcpu_fn vgetcpu;
static getrandom_fn vgetrandom;
static void *grnd_state;     /* this thread's vgetrandom state */
static size_t grnd_state_len;
static unsigned char grnd_buf[4096];
static const char *self_path;
static double ns_per_tick;

enum fn { FN_GETTIME, FN_GETTIMEOFDAY, FN_GETRES, FN_GETCPU, FN_GETRANDOM16, FN_GETRANDOM4K, FN_COUNTER,
          FN_EXEC, FN_EXEC_NOLIBC };
static const char *const fn_names[] = {"clock_gettime", "gettimeofday", "clock_getres", "getcpu",
                                       "getrandom16", "getrandom4k", "counter", "exec", "exec_nolibc"};
enum path { PATH_VDSO, PATH_LIBC, PATH_SYSCALL, PATH_FLOOR, PATH_EXEC };
static const char *const path_names[] = {"vdso", "libc", "syscall", "floor", "exec"};


/* One measurement: what is called, and what came out. */
struct meas {
    enum fn fn;
    int clock;       /* index into vdso_clocks[], or -1 */
    enum path path;
    long per_batch;  /* calls per batch, after calibration */
    double ns;       /* median ns per call */
    double spread;   /* (p90 - p10) / median, in % */
    int failed;      /* some call returned non-zero */
};

/* fork + execve(path [arg]) + waitpid: 0 if the child exited 0. */
static int exec_once(const char *path, const char *arg)
{
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        char *argv[] = {(char *)path, (char *)arg, NULL};
        char *envp[] = {NULL};
        execve(path, argv, envp);
        _exit(127);
    }
    int st;
    return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

/* Runs n calls of m; returns the counter ticks they took, and ORs into
 * m->failed whether any call returned non-zero. The loops are written out per
 * case so that the only work per iteration is the call itself. */
static uint64_t run_batch(struct meas *m, long n)
{
    clockid_t id = m->clock >= 0 ? vdso_clocks[m->clock].id : 0;
    struct timespec ts;
    struct timeval tv;
    unsigned cpu, node;
    uint64_t sink = 0;
    long bad = 0;
#define LOOP(call) for (long i = 0; i < n; i++) bad |= (call)
    uint64_t t0 = arch_counter();
    switch (m->fn * 8 + m->path) {
    case FN_GETTIME * 8 + PATH_VDSO: LOOP(vgettime(id, &ts)); break;
    case FN_GETTIME * 8 + PATH_LIBC: LOOP(clock_gettime(id, &ts)); break;
    case FN_GETTIME * 8 + PATH_SYSCALL: LOOP(syscall(SYS_clock_gettime, id, &ts)); break;
    case FN_GETTIMEOFDAY * 8 + PATH_VDSO: LOOP(vgettimeofday(&tv, NULL)); break;
    case FN_GETTIMEOFDAY * 8 + PATH_LIBC: LOOP(gettimeofday(&tv, NULL)); break;
    case FN_GETTIMEOFDAY * 8 + PATH_SYSCALL: LOOP(syscall(SYS_gettimeofday, &tv, NULL)); break;
    case FN_GETRES * 8 + PATH_VDSO: LOOP(vgetres(id, &ts)); break;
    case FN_GETRES * 8 + PATH_LIBC: LOOP(clock_getres(id, &ts)); break;
    case FN_GETRES * 8 + PATH_SYSCALL: LOOP(syscall(SYS_clock_getres, id, &ts)); break;
    case FN_GETCPU * 8 + PATH_VDSO: LOOP(vgetcpu(&cpu, &node, NULL)); break;
    case FN_GETCPU * 8 + PATH_LIBC: LOOP(getcpu(&cpu, &node)); break;
    case FN_GETCPU * 8 + PATH_SYSCALL: LOOP(syscall(SYS_getcpu, &cpu, &node, NULL)); break;
    /* getrandom of 16 bytes and of 4 KiB: the vDSO with this thread's state,
     * glibc (2.36: the syscall), the syscall. */
    case FN_GETRANDOM16 * 8 + PATH_VDSO: LOOP(vgetrandom(grnd_buf, 16, 0, grnd_state, grnd_state_len) != 16); break;
    case FN_GETRANDOM16 * 8 + PATH_LIBC: LOOP(getrandom(grnd_buf, 16, 0) != 16); break;
    case FN_GETRANDOM16 * 8 + PATH_SYSCALL: LOOP(syscall(SYS_getrandom, grnd_buf, 16, 0) != 16); break;
    case FN_GETRANDOM4K * 8 + PATH_VDSO:
        LOOP(vgetrandom(grnd_buf, 4096, 0, grnd_state, grnd_state_len) != 4096);
        break;
    case FN_GETRANDOM4K * 8 + PATH_LIBC: LOOP(getrandom(grnd_buf, 4096, 0) != 4096); break;
    case FN_GETRANDOM4K * 8 + PATH_SYSCALL: LOOP(syscall(SYS_getrandom, grnd_buf, 4096, 0) != 4096); break;
    case FN_COUNTER * 8 + PATH_FLOOR: LOOP((sink += arch_counter(), 0)); break;
    case FN_EXEC * 8 + PATH_EXEC: LOOP(exec_once(self_path, "--exit")); break;
    case FN_EXEC_NOLIBC * 8 + PATH_EXEC: LOOP(exec_once(EXIT0_PATH, NULL)); break;
    default: bad = 1;
    }
    uint64_t t1 = arch_counter();
#undef LOOP
    if (bad)
        m->failed = 1;
    __asm__ volatile("" : : "r"(sink), "r"(&ts), "r"(&tv), "r"(&cpu), "r"(&node) : "memory");
    return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Calibrate the batch size, then time REPEATS batches. */
static void measure(struct meas *m)
{
    double batch_ns = m->path == PATH_EXEC ? EXEC_BATCH_NS : CALL_BATCH_NS;
    long n = 1;
    double took;
    /* Grow the batch until it lasts a fifth of the target, then scale. */
    while ((took = (double)run_batch(m, n) * ns_per_tick) < batch_ns / 5 && n < (1L << 40))
        n *= 4;
    n = (long)(n * (batch_ns / (took > 0 ? took : 1)));
    m->per_batch = n > 0 ? n : 1;
    double per_call[REPEATS];
    for (int r = 0; r < REPEATS; r++)
        per_call[r] = (double)run_batch(m, m->per_batch) * ns_per_tick / (double)m->per_batch;
    qsort(per_call, REPEATS, sizeof per_call[0], cmp_double);
    /* Nearest rank: p10 is the 2nd of 15, p90 the 14th. */
    double p10 = per_call[(REPEATS * 10 + 99) / 100 - 1], p90 = per_call[(REPEATS * 90 + 99) / 100 - 1];
    m->ns = per_call[REPEATS / 2];
    m->spread = m->ns > 0 ? 100.0 * (p90 - p10) / m->ns : NAN;
}

/* ns per counter tick, against CLOCK_MONOTONIC read by the syscall over ~50 ms. */
static double measure_ns_per_tick(void)
{
    struct timespec a, b;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
    uint64_t t0 = arch_counter();
    do
        syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec) < 50000000LL);
    uint64_t t1 = arch_counter();
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    return t1 > t0 ? ns / (double)(t1 - t0) : NAN;
}

static const char *clock_name(const struct meas *m) { return m->clock >= 0 ? vdso_clocks[m->clock].name : "-"; }

static const char *path_name(const struct meas *m, int have_vdso)
{
    if (m->path == PATH_EXEC)
        return have_vdso ? "with-vdso" : "without-vdso";
    return path_names[m->path];
}

static const struct meas *find(const struct meas *ms, int n, enum fn fn, int clock, enum path path)
{
    for (int i = 0; i < n; i++)
        if (ms[i].fn == fn && ms[i].clock == clock && ms[i].path == path)
            return &ms[i];
    return NULL;
}

static void print_cell(const struct meas *m)
{
    if (m)
        printf(" %10.1f (%5.1f%%)", m->ns, m->spread);
    else
        printf(" %19s", "-");
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--exit"))
        return 0;
    self_path = argv[0];
    check_prog = "bench";
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* The vDSO, if this kernel maps one. */
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    struct vdso v;
    int have_vdso = ehdr != 0;
    if (have_vdso) {
        int ok = vdso_open(&v, ehdr) == 0;
        if (ok) {
            vgettime = (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION);
            vgettimeofday = (gettimeofday_fn)vdso_sym(&v, VDSO_GETTIMEOFDAY, VDSO_VERSION);
            vgetres = (getres_fn)vdso_sym(&v, VDSO_CLOCK_GETRES, VDSO_VERSION);
#ifdef VDSO_GETCPU
            vgetcpu = (getcpu_fn)vdso_sym(&v, VDSO_GETCPU, VDSO_VERSION);
            ok = ok && vgetcpu;
#endif
#ifdef VDSO_GETRANDOM
            /* Absent from Linux's 6.1 image: then only libc and the syscall. */
            vgetrandom = (getrandom_fn)vdso_sym(&v, VDSO_GETRANDOM, VDSO_VERSION);
            if (vgetrandom) {
                struct { uint32_t size, prot, flags, reserved[13]; } params;
                void *state = MAP_FAILED;
                if (vgetrandom(NULL, 0, 0, &params, ~0UL) == 0)
                    state = mmap(NULL, 4096, (int)params.prot, (int)params.flags, -1, 0);
                ok = ok && state != MAP_FAILED;
                grnd_state = state;
                grnd_state_len = params.size;
            }
#endif
        }
        if (!check(ok && vgettime && vgettimeofday && vgetres,
                   "the vDSO at %#lx exports clock_gettime, gettimeofday, clock_getres%s at " VDSO_VERSION,
                   (unsigned long)ehdr, vgetcpu ? " and getcpu" : ""))
            return check_summary();
    } else {
        printf("bench: no vDSO mapped (no AT_SYSINFO_EHDR): path=vdso is not measured, "
               "libc makes the syscall\n");
    }

    ns_per_tick = measure_ns_per_tick();
    if (!check(isfinite(ns_per_tick) && ns_per_tick > 0,
               COUNTER_NAME " counts at %.3f MHz (against CLOCK_MONOTONIC over 50 ms)", 1e3 / ns_per_tick))
        return check_summary();

    /* Everything to measure, in table order. */
    struct meas ms[N_VDSO_CLOCKS * 3 + 5 * 3 + 3];
    int n = 0;
    const enum fn call_fns[] = {FN_GETTIME, FN_GETTIMEOFDAY, FN_GETRES, FN_GETCPU, FN_GETRANDOM16, FN_GETRANDOM4K};
    for (unsigned f = 0; f < sizeof call_fns / sizeof call_fns[0]; f++) {
        int n_clocks = call_fns[f] == FN_GETTIME ? N_VDSO_CLOCKS : 1;
        for (int c = 0; c < n_clocks; c++) {
            int clock = call_fns[f] == FN_GETTIME ? c : call_fns[f] == FN_GETRES ? 1 : -1;
            /* arm64's vDSO has no getcpu; getrandom only where the row has it. */
            int vdso_has = have_vdso && (call_fns[f] != FN_GETCPU || vgetcpu) &&
                           (call_fns[f] < FN_GETRANDOM16 || vgetrandom);
            for (enum path p = vdso_has ? PATH_VDSO : PATH_LIBC; p <= PATH_SYSCALL; p++)
                ms[n++] = (struct meas){.fn = call_fns[f], .clock = clock, .path = p};
        }
    }
    ms[n++] = (struct meas){.fn = FN_COUNTER, .clock = -1, .path = PATH_FLOOR};
    ms[n++] = (struct meas){.fn = FN_EXEC, .clock = -1, .path = PATH_EXEC};
    ms[n++] = (struct meas){.fn = FN_EXEC_NOLIBC, .clock = -1, .path = PATH_EXEC};
    for (int i = 0; i < n; i++)
        measure(&ms[i]);

    /* The table. */
    printf("\nbench: ns per call = median of %d batches timed with " COUNTER_NAME " (~%.1f ms each, "
           "~%.0f ms for exec); spread = (p90 - p10) / median over the batches\n",
           REPEATS, CALL_BATCH_NS / 1e6, EXEC_BATCH_NS / 1e6);
    printf("%-14s %-17s %19s %19s %19s\n", "fn", "clock", "vdso (spread)", "libc (spread)",
           "syscall (spread)");
    for (int i = 0; i < n; i++) {
        if (ms[i].path != PATH_LIBC)
            continue; /* one row per fn and clock */
        printf("%-14s %-17s", fn_names[ms[i].fn], clock_name(&ms[i]));
        for (enum path p = PATH_VDSO; p <= PATH_SYSCALL; p++)
            print_cell(find(ms, n, ms[i].fn, ms[i].clock, p));
        putchar('\n');
    }
    const struct meas *floor_m = find(ms, n, FN_COUNTER, -1, PATH_FLOOR);
    printf("%-14s %-17s", "counter", "- (floor)");
    print_cell(floor_m);
    putchar('\n');
    for (enum fn f = FN_EXEC; f <= FN_EXEC_NOLIBC; f++) {
        printf("%-14s %-17s", fn_names[f], have_vdso ? "- (with vDSO)" : "- (without vDSO)");
        print_cell(find(ms, n, f, -1, PATH_EXEC));
        putchar('\n');
    }
    putchar('\n');

    /* The machine lines, and one check per measurement. */
    for (int i = 0; i < n; i++) {
        const struct meas *m = &ms[i];
        printf("BENCH fn=%s clock=%s path=%s ns=%.1f spread=%.1f\n", fn_names[m->fn], clock_name(m),
               path_name(m, have_vdso), m->ns, m->spread);
    }
    const struct meas *mono_vdso = find(ms, n, FN_GETTIME, 1, PATH_VDSO);
    const struct meas *mono_sys = find(ms, n, FN_GETTIME, 1, PATH_SYSCALL);
    if (mono_vdso && mono_sys && mono_vdso->ns > 0 && floor_m->ns > 0) {
        printf("BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall=%.1f\n",
               mono_sys->ns / mono_vdso->ns);
        printf("BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter=%.1f\n",
               mono_vdso->ns / floor_m->ns);
    }
    for (enum fn f = FN_GETRANDOM16; f <= FN_GETRANDOM4K; f++) {
        const struct meas *vd = find(ms, n, f, -1, PATH_VDSO), *sys = find(ms, n, f, -1, PATH_SYSCALL);
        if (vd && sys && vd->ns > 0)
            printf("BENCH speedup fn=%s clock=- vdso_over_syscall=%.1f\n", fn_names[f], sys->ns / vd->ns);
    }
    putchar('\n');
    for (int i = 0; i < n; i++) {
        const struct meas *m = &ms[i];
        check(!m->failed && isfinite(m->ns) && m->ns > 0 && isfinite(m->spread),
              "%s %s path=%s: every call succeeded; %.1f ns/call over %d x %ld calls",
              fn_names[m->fn], clock_name(m), path_name(m, have_vdso), m->ns, REPEATS, m->per_batch);
    }
    return check_summary();
}
