/* bench.c - what a clock read costs: the vDSO against libc and the syscall.
 *
 * Usage: bench               measure everything (make bench runs it as the only
 *                            program of build/ARCH/bench-disk.img)
 *        bench --calls TICK  measure the calls once in this process and write
 *                            the results to fd 3 (what bench runs, PROCS
 *                            times; TICK: ns per counter tick, as bench found)
 *        bench --exit        return at once (what the exec measurement execs)
 *
 * What it measures, ns per call:
 *   the calls: clock_gettime on every clock the vDSO serves (REALTIME,
 *   MONOTONIC, MONOTONIC_RAW, REALTIME_COARSE, MONOTONIC_COARSE, BOOTTIME,
 *   TAI), gettimeofday, clock_getres(MONOTONIC), getcpu and getrandom of 16
 *   bytes and of 4 KiB (getrandom16, getrandom4k; the vDSO with a state mapped
 *   as its parameters say), each by three paths:
 *     vdso     a direct call of the __vdso_* symbol resolved from
 *              AT_SYSINFO_EHDR by name and version (vdso_lookup.h),
 *     libc     glibc's function (which calls the vDSO when there is one),
 *     syscall  glibc's raw syscall();
 *     linux    the same vDSO function of Linux 6.1's image, run in the same
 *              process at the same address over the same data pages (see
 *              "Linux's image in the same process" below), where the disk
 *              has it (/lib/linux-vdso.so) and the kernel mapped ours;
 *   and the floor: a bare counter-read loop (rdtime, cntvct, rdtsc) (path
 *   floor), the least a counter read costs;
 *   the process figures, labelled with-vdso or without-vdso by whether this
 *   kernel gave us an AT_SYSINFO_EHDR:
 *     exec         fork + execve + waitpid of this static glibc program
 *                  ("bench --exit": glibc's start-up, which looks at the
 *                  vDSO, then return),
 *     exec_nolibc  the same of /bin/exit0 (no libc: the kernel's part alone),
 *     fork_exit    fork + the child's _exit(0) + waitpid: the fork and the
 *                  teardown alone, no exec,
 *     mmap3        mmap of 3 anonymous private PROT_READ pages with
 *                  MAP_POPULATE, then munmap: what mapping three ordinary
 *                  pages costs, for scale next to exec's difference.
 *
 * Method. Each process gets its own random vDSO base, and under QEMU's TCG
 * some processes run all their vDSO calls 20-50 % slower than the others
 * (about one in eight on a quiet host); what the host does meanwhile moves
 * whole processes too. A figure from one process is one draw. So the calls are
 * measured in PROCS (12) fresh processes: bench fork + execve's itself as
 * "bench --calls" PROCS times, one after the other. Each child resolves the
 * vDSO, and per measurement makes one warm-up call (QEMU translates the code
 * at its first run), calibrates the batch size so that one batch lasts about
 * 2 ms, times CALL_REPEATS (7) batches with the counter read around each, and
 * writes its median ns/call to a pipe on fd 3. The parent prints the median
 * over the processes (of 12: the mean of the 6th and 7th), and spread =
 * (p90 - p10) / median across the processes, nearest rank (of 12: the 2nd and
 * the 11th), in %. The process figures are measured by the parent itself, as
 * one process: PARENT_REPEATS (15) batches of about 75 ms (mmap3: 7.5 ms);
 * their median, and their spread across the batches. The counter's rate is
 * measured once, against CLOCK_MONOTONIC (the syscall) over 50 ms, and passed
 * to every child. A vDSO call that Linux's image also has is measured batch
 * for batch with it: the batch size calibrated on ours, then CALL_REPEATS
 * times one batch of ours and one of Linux's, each image put in place (and
 * warmed up by one call) just before its batch; the per-process ratio ours /
 * Linux's then sees the same host, base and data pages on both sides.
 *
 * Output: a table for people, then one machine line per measurement,
 *   BENCH fn=<fn> clock=<clock|-> path=<vdso|linux|libc|syscall|floor|with-vdso|without-vdso> ns=<median> spread=<pct> procs=<n>
 * (procs=12 for the calls: the processes that reported; procs=1 for the
 * process figures, whose spread is across batches), and the derived
 *   BENCH speedup fn=clock_gettime clock=MONOTONIC vdso_over_syscall=<syscall ns / vdso ns>
 *   BENCH floor fn=clock_gettime clock=MONOTONIC vdso_over_counter=<vdso ns / counter ns>
 *   BENCH speedup fn=getrandom16|getrandom4k clock=- vdso_over_syscall=<syscall ns / vdso ns>
 *   BENCH sameproc fn=<fn> clock=<clock|-> ours_over_linux=<median over the processes of vdso ns / linux ns> spread=<pct> procs=<n>
 * from the medians (scripts/bench-report.py reads them). The table ends with
 * each process's figure for clock_gettime(MONOTONIC) (path vdso, or libc
 * without a vDSO), in the order they ran. The PASS/FAIL lines
 * (check.h) say only that every process ran to the end and reported every
 * measurement, that every call succeeded, and that every figure is finite and
 * positive: timings are reported, never asserted.
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

#define PROCS 12                   /* processes that measure the calls */
#define CALL_REPEATS 7             /* batches per process */
#define CALL_BATCH_NS 2000000.0    /* one batch of calls: ~2 ms */
#define PARENT_REPEATS 15          /* batches of each process figure */
#define EXEC_BATCH_NS 75000000.0   /* one batch of exec, exec_nolibc, fork_exit: ~75 ms */
#define MMAP_BATCH_NS 7500000.0    /* one batch of mmap3: ~7.5 ms */
#define RESULT_FD 3                /* where "bench --calls" writes */
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
static size_t page_size;

/* The in-process comparison (see "Linux's image in the same process"). */
#define LINUX_VDSO_PATH "/lib/linux-vdso.so"
static gettime_fn lgettime;
static gettimeofday_fn lgettimeofday;
static getres_fn lgetres;
static getcpu_fn lgetcpu;
static uintptr_t text_addr;      /* where [vdso] is: AT_SYSINFO_EHDR */
static size_t text_mapped;       /* bytes mapped there now */
static unsigned char *ours_img, *linux_img;
static size_t ours_len, linux_len;
static int linux_here;           /* 1 while Linux's image is installed */

enum fn { FN_GETTIME, FN_GETTIMEOFDAY, FN_GETRES, FN_GETCPU, FN_GETRANDOM16, FN_GETRANDOM4K, FN_COUNTER,
          FN_EXEC, FN_EXEC_NOLIBC, FN_FORK_EXIT, FN_MMAP3 };
static const char *const fn_names[] = {"clock_gettime", "gettimeofday", "clock_getres", "getcpu",
                                       "getrandom16", "getrandom4k", "counter", "exec", "exec_nolibc",
                                       "fork_exit", "mmap3"};
/* PATH_PROCESS: a process figure, measured by the parent; printed as
 * with-vdso or without-vdso. */
enum path { PATH_VDSO, PATH_LIBC, PATH_SYSCALL, PATH_FLOOR, PATH_PROCESS, PATH_LINUX };
static const char *const path_names[] = {"vdso", "libc", "syscall", "floor", "process", "linux"};

/* One measurement: what is called, and what came out. */
struct meas {
    enum fn fn;
    int clock;       /* index into vdso_clocks[], or -1 */
    enum path path;
    long per_batch;  /* calls per batch, after calibration (of the calls: the least over the processes) */
    long per_batch_max; /* of the calls: the most over the processes */
    double ns;       /* median ns per call */
    double spread;   /* (p90 - p10) / median, in % */
    int failed;      /* some call returned non-zero, or some process did not report it */
    int procs;       /* the processes it was measured in */
    double proc_ns[PROCS]; /* of the calls: each process's median, in the order they ran */
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

/* fork + _exit(0) in the child + waitpid: 0 if the child exited 0. */
static int fork_exit_once(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0)
        _exit(0);
    int st;
    return waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
}

/* Three anonymous pages, populated, then unmapped: 0 if both calls worked. */
static int mmap3_once(void)
{
    void *p = mmap(NULL, 3 * page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        return 1;
    return munmap(p, 3 * page_size) != 0;
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
    case FN_GETTIME * 8 + PATH_LINUX: LOOP(lgettime(id, &ts)); break;
    case FN_GETTIMEOFDAY * 8 + PATH_LINUX: LOOP(lgettimeofday(&tv, NULL)); break;
    case FN_GETRES * 8 + PATH_LINUX: LOOP(lgetres(id, &ts)); break;
    case FN_GETCPU * 8 + PATH_LINUX: LOOP(lgetcpu(&cpu, &node, NULL)); break;
    case FN_COUNTER * 8 + PATH_FLOOR: LOOP((sink += arch_counter(), 0)); break;
    case FN_EXEC * 8 + PATH_PROCESS: LOOP(exec_once(self_path, "--exit")); break;
    case FN_EXEC_NOLIBC * 8 + PATH_PROCESS: LOOP(exec_once(EXIT0_PATH, NULL)); break;
    case FN_FORK_EXIT * 8 + PATH_PROCESS: LOOP(fork_exit_once()); break;
    case FN_MMAP3 * 8 + PATH_PROCESS: LOOP(mmap3_once()); break;
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

/* Sorts v[0..n) and sets *median (an even n: the mean of the middle two) and
 * *spread = (p90 - p10) / median in %, p10 and p90 by nearest rank (of 15:
 * the 2nd and 14th; of 12: the 2nd and 11th; of 7: the 1st and 7th). */
static void summarize(double *v, int n, double *median, double *spread)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    double p10 = v[(n * 10 + 99) / 100 - 1], p90 = v[(n * 90 + 99) / 100 - 1];
    *median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    *spread = *median > 0 ? 100.0 * (p90 - p10) / *median : NAN;
}

/* One warm-up call, calibrate the batch size to about batch_ns, then time
 * `repeats` batches: m->ns is their median ns per call. */
static void measure(struct meas *m, int repeats, double batch_ns)
{
    long n = 1;
    double took;
    run_batch(m, 1);
    /* Grow the batch until it lasts a fifth of the target; time that size
     * once more (a batch can be preempted: the faster of the two), then
     * scale. */
    while ((took = (double)run_batch(m, n) * ns_per_tick) < batch_ns / 5 && n < (1L << 40))
        n *= 4;
    double again = (double)run_batch(m, n) * ns_per_tick;
    if (again < took)
        took = again;
    n = (long)(n * (batch_ns / (took > 0 ? took : 1)));
    m->per_batch = m->per_batch_max = n > 0 ? n : 1;
    double per_call[PARENT_REPEATS > CALL_REPEATS ? PARENT_REPEATS : CALL_REPEATS];
    for (int r = 0; r < repeats; r++)
        per_call[r] = (double)run_batch(m, m->per_batch) * ns_per_tick / (double)m->per_batch;
    summarize(per_call, repeats, &m->ns, &m->spread);
    m->procs = 1;
}

static int swap_image(int to_linux);

/* Ours (m) and Linux's image (l, the same call) batch for batch: the batch
 * size is calibrated on ours, then CALL_REPEATS times a batch of ours and a
 * batch of Linux's, each image put in place (and its code warmed up by one
 * call) just before its batch. What the host does meanwhile hits both alike.
 * -1 if an image could not be put in place. */
static int measure_pair(struct meas *m, struct meas *l)
{
    if (swap_image(0) != 0)
        return -1;
    measure(m, 1, CALL_BATCH_NS); /* the calibration, and one batch */
    long n = m->per_batch;
    l->per_batch = l->per_batch_max = n;
    double ours[CALL_REPEATS], theirs[CALL_REPEATS];
    for (int r = 0; r < CALL_REPEATS; r++) {
        if (swap_image(0) != 0)
            return -1;
        run_batch(m, 1);
        ours[r] = (double)run_batch(m, n) * ns_per_tick / (double)n;
        if (swap_image(1) != 0)
            return -1;
        run_batch(l, 1);
        theirs[r] = (double)run_batch(l, n) * ns_per_tick / (double)n;
    }
    summarize(ours, CALL_REPEATS, &m->ns, &m->spread);
    summarize(theirs, CALL_REPEATS, &l->ns, &l->spread);
    m->procs = l->procs = 1;
    return swap_image(0);
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

/* Resolves the vDSO's functions and maps a getrandom state where the image
 * has getrandom: 1 if what every image must export is there. */
static int open_vdso(uintptr_t ehdr)
{
    struct vdso v;
    if (vdso_open(&v, ehdr) != 0)
        return 0;
    int ok = 1;
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
    return ok && vgettime && vgettimeofday && vgetres;
}

/* Linux's image in the same process.
 *
 * A vDSO finds its data pages at a fixed distance below its text, and both
 * images, ours and Linux 6.1's, expect the same [vvar] layout (the kernel built
 * with VDSO=linux maps Linux's image over the same pages). So "bench --calls"
 * on our kernel can run Linux's image too: it replaces the text at
 * AT_SYSINFO_EHDR with a private copy of LINUX_VDSO_PATH (mkdisk puts
 * Linux's vdso.so there for the arch, when there is one), and puts a private
 * copy of ours back, between measurements. Both images then run at the same
 * address, over the same data pages, in the same process, under the same
 * host load: their ratio does not depend on a base or a boot. glibc's own
 * pointers into the vDSO (the libc path) are used only while ours is in
 * place; nothing here takes a signal. */

/* Bytes an image occupies from its base: its PT_LOADs' end, page-rounded. */
static size_t image_span(const unsigned char *img, size_t len)
{
    const Elf64_Ehdr *eh = (const void *)img;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_phoff > len || eh->e_phnum > (len - eh->e_phoff) / sizeof(Elf64_Phdr))
        return 0;
    const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff);
    size_t end = 0;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
            end = ph[i].p_vaddr + ph[i].p_memsz;
    return (end + page_size - 1) / page_size * page_size;
}

/* The size of the mapping that starts at addr, from /proc/self/maps; 0 if
 * none does or it is larger than 64 KiB. */
static size_t mapping_size(uintptr_t addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    size_t size = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo == addr && hi > lo && hi - lo <= 64 * 1024) {
            size = hi - lo;
            break;
        }
    }
    if (f)
        fclose(f);
    return size;
}

/* Makes code just written at p visible to instruction fetch. */
static void arch_sync_icache(void *p, size_t len)
{
#if defined(__riscv)
    /* Not glibc's __riscv_flush_icache: it may call into the vDSO being
     * replaced. The syscall (riscv_flush_icache, 259) where the kernel has
     * it, and this hart's fence.i. */
    syscall(259, p, (char *)p + len, 0UL);
    __asm__ volatile("fence.i" ::: "memory");
#else
    __builtin___clear_cache((char *)p, (char *)p + len);
#endif
}

/* Replaces the text at text_addr with a private copy of img (len bytes,
 * span bytes mapped): 0, or -1 with nothing mapped there. */
static int install_image(const unsigned char *img, size_t len, size_t span)
{
    if (munmap((void *)text_addr, text_mapped) != 0)
        return -1;
    text_mapped = 0;
    void *p = mmap((void *)text_addr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED)
        return -1;
    if (p != (void *)text_addr) {
        munmap(p, span);
        return -1;
    }
    text_mapped = span;
    memcpy(p, img, len < span ? len : span); /* a file may go on past its PT_LOADs (section headers) */
    if (mprotect(p, span, PROT_READ | PROT_EXEC) != 0)
        return -1;
    arch_sync_icache(p, span);
    return 0;
}

/* Linux's image's functions, from v: 1 if it has what every image must, -1
 * if not. */
static int resolve_linux(const struct vdso *v)
{
    lgettime = (gettime_fn)vdso_sym(v, VDSO_CLOCK_GETTIME, VDSO_VERSION);
    lgettimeofday = (gettimeofday_fn)vdso_sym(v, VDSO_GETTIMEOFDAY, VDSO_VERSION);
    lgetres = (getres_fn)vdso_sym(v, VDSO_CLOCK_GETRES, VDSO_VERSION);
#ifdef VDSO_GETCPU
    lgetcpu = (getcpu_fn)vdso_sym(v, VDSO_GETCPU, VDSO_VERSION);
#endif
    return lgettime && lgettimeofday && lgetres ? 1 : -1;
}

/* Reads Linux's image and resolves its functions; with install, also makes
 * it and ours swappable at text_addr (the l* pointers then point there;
 * without, into the file's bytes, only to say which functions it has): 1 if
 * done, 0 if there is nothing to compare (no file, or the mapped image is
 * Linux's), -1 on an error (said on stderr). */
static int setup_linux_image(uintptr_t ehdr, int install)
{
    FILE *f = fopen(LINUX_VDSO_PATH, "rb");
    if (!f)
        return 0;
    static unsigned char file[64 * 1024];
    linux_len = fread(file, 1, sizeof file, f);
    int big = !feof(f);
    fclose(f);
    size_t linux_span = image_span(file, linux_len);
    text_addr = ehdr;
    ours_len = mapping_size(ehdr);
    text_mapped = ours_len;
    if (big || !linux_span || linux_span > sizeof file || !ours_len) {
        fprintf(stderr, "bench: %s is not a 64-bit ELF image of at most 64 KiB, or /proc/self/maps has no "
                "mapping of at most 64 KiB at %#lx\n", LINUX_VDSO_PATH, (unsigned long)ehdr);
        return -1;
    }
    if (linux_len <= ours_len && !memcmp(file, (const void *)ehdr, linux_len))
        return 0; /* the kernel mapped Linux's image: the comparison is the boot itself */
    linux_img = file;
    struct vdso v;
    if (!install) {
        if (vdso_open(&v, (uintptr_t)file) != 0)
            return -1;
        return resolve_linux(&v);
    }
    ours_img = malloc(ours_len);
    if (!ours_img)
        return -1;
    memcpy(ours_img, (const void *)ehdr, ours_len);
    if (install_image(linux_img, linux_len, linux_span) != 0 || vdso_open(&v, text_addr) != 0) {
        fprintf(stderr, "bench --calls: cannot install Linux's image at %#lx: %s\n", (unsigned long)text_addr,
                strerror(errno));
        return -1;
    }
    int resolved = resolve_linux(&v);
    linux_len = linux_span; /* from now on: the bytes to map (the file is zero-padded) */
    if (install_image(ours_img, ours_len, ours_len) != 0) {
        fprintf(stderr, "bench --calls: cannot put our image back at %#lx: %s\n", (unsigned long)text_addr,
                strerror(errno));
        return -1;
    }
    return resolved;
}

/* Puts Linux's image (to_linux = 1) or ours in place: 0, or -1. */
static int swap_image(int to_linux)
{
    if (to_linux == linux_here)
        return 0;
    int r = to_linux ? install_image(linux_img, linux_len, linux_len) : install_image(ours_img, ours_len, ours_len);
    if (r == 0)
        linux_here = to_linux;
    return r;
}

/* Whether Linux's image has the function of m. */
static int linux_has(const struct meas *m)
{
    switch (m->fn) {
    case FN_GETTIME: return lgettime != NULL;
    case FN_GETTIMEOFDAY: return lgettimeofday != NULL;
    case FN_GETRES: return lgetres != NULL;
    case FN_GETCPU: return lgetcpu != NULL;
    default: return 0;
    }
}

/* The calls to measure, in table order, into ms[]; returns how many. */
static int list_calls(struct meas *ms, int have_vdso)
{
    int n = 0;
    const enum fn call_fns[] = {FN_GETTIME, FN_GETTIMEOFDAY, FN_GETRES, FN_GETCPU, FN_GETRANDOM16, FN_GETRANDOM4K};
    for (unsigned f = 0; f < sizeof call_fns / sizeof call_fns[0]; f++) {
        int n_clocks = call_fns[f] == FN_GETTIME ? N_VDSO_CLOCKS : 1;
        for (int c = 0; c < n_clocks; c++) {
            int clock = call_fns[f] == FN_GETTIME ? c : call_fns[f] == FN_GETRES ? 1 : -1;
            /* arm64's vDSO has no getcpu; getrandom only where the image has it. */
            int vdso_has = have_vdso && (call_fns[f] != FN_GETCPU || vgetcpu) &&
                           (call_fns[f] < FN_GETRANDOM16 || vgetrandom);
            for (enum path p = vdso_has ? PATH_VDSO : PATH_LIBC; p <= PATH_SYSCALL; p++) {
                ms[n++] = (struct meas){.fn = call_fns[f], .clock = clock, .path = p};
                if (p == PATH_VDSO && linux_has(&ms[n - 1]))
                    ms[n++] = (struct meas){.fn = call_fns[f], .clock = clock, .path = PATH_LINUX};
            }
        }
    }
    ms[n++] = (struct meas){.fn = FN_COUNTER, .clock = -1, .path = PATH_FLOOR};
    return n;
}
#define MAX_MEAS (N_VDSO_CLOCKS * 4 + 5 * 4 + 1 + 4)

/* "bench --calls TICK": measure every call in this process, one line per
 * measurement to RESULT_FD ("<fn> <clock> <path> <ns> <per_batch> <failed>"),
 * then "end". Says nothing on stdout (the PASS/FAIL lines are the parent's). */
static int calls_main(const char *tick)
{
    char *end;
    ns_per_tick = strtod(tick, &end);
    if (*end || !isfinite(ns_per_tick) || ns_per_tick <= 0) {
        fprintf(stderr, "bench --calls: bad ns per tick '%s'\n", tick);
        return 2;
    }
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    if (ehdr && !open_vdso(ehdr)) {
        fprintf(stderr, "bench --calls: the vDSO at %#lx lacks a function\n", (unsigned long)ehdr);
        return 3;
    }
    if (ehdr && setup_linux_image(ehdr, 1) < 0)
        return 6;
    FILE *out = fdopen(RESULT_FD, "w");
    if (!out) {
        fprintf(stderr, "bench --calls: fd %d: %s\n", RESULT_FD, strerror(errno));
        return 4;
    }
    struct meas ms[MAX_MEAS];
    int n = list_calls(ms, ehdr != 0);
    for (int i = 0; i < n; i++) {
        /* A vDSO call Linux's image also has: both, batch for batch. Ours is
         * in place for everything else (glibc's pointers are into ours). */
        int pair = ms[i].path == PATH_VDSO && i + 1 < n && ms[i + 1].path == PATH_LINUX;
        if (pair ? measure_pair(&ms[i], &ms[i + 1]) : linux_img ? swap_image(0) : 0) {
            fprintf(stderr, "bench --calls: cannot swap the images at %#lx: %s\n", (unsigned long)text_addr,
                    strerror(errno));
            _exit(7); /* no image in place: nothing may run glibc's vDSO pointers now */
        }
        if (!pair)
            measure(&ms[i], CALL_REPEATS, CALL_BATCH_NS);
        for (int k = i; k <= i + pair; k++)
            fprintf(out, "%d %d %d %.17g %ld %d\n", (int)ms[k].fn, ms[k].clock, (int)ms[k].path, ms[k].ns,
                    ms[k].per_batch, ms[k].failed);
        i += pair;
    }
    fprintf(out, "end\n");
    return fclose(out) != 0 ? 5 : 0;
}

static const struct meas *find(const struct meas *ms, int n, enum fn fn, int clock, enum path path)
{
    for (int i = 0; i < n; i++)
        if (ms[i].fn == fn && ms[i].clock == clock && ms[i].path == path)
            return &ms[i];
    return NULL;
}

/* Runs "bench --calls" once and files what it reports into ms[0..n) (the
 * calls): 1 if it exited 0 and reported each of them once. */
static int run_calls_process(struct meas *ms, int n)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    if (pid == 0) {
        close(fds[0]);
        if (fds[1] != RESULT_FD && (dup2(fds[1], RESULT_FD) != RESULT_FD || close(fds[1]) != 0))
            _exit(126);
        char tick[64];
        snprintf(tick, sizeof tick, "%a", ns_per_tick);
        char *argv[] = {(char *)self_path, "--calls", tick, NULL};
        char *envp[] = {NULL};
        execve(self_path, argv, envp);
        _exit(127);
    }
    close(fds[1]);
    FILE *in = fdopen(fds[0], "r");
    int got = 0, ended = 0, bad = !in;
    char seen[MAX_MEAS] = {0};
    char line[256];
    while (in && fgets(line, sizeof line, in)) {
        int fn, clock, path, failed;
        double ns;
        long per_batch;
        if (!strcmp(line, "end\n")) {
            ended = 1;
            continue;
        }
        struct meas *m = NULL;
        if (sscanf(line, "%d %d %d %lg %ld %d", &fn, &clock, &path, &ns, &per_batch, &failed) == 6)
            m = (struct meas *)find(ms, n, (enum fn)fn, clock, (enum path)path);
        if (!m || seen[m - ms] || ended || m->procs >= PROCS) {
            bad = 1; /* unknown, repeated, or after the end */
            continue;
        }
        seen[m - ms] = 1;
        m->failed |= failed;
        if (m->procs == 0 || per_batch < m->per_batch)
            m->per_batch = per_batch;
        if (per_batch > m->per_batch_max)
            m->per_batch_max = per_batch;
        m->proc_ns[m->procs++] = ns;
        got++;
    }
    if (in)
        fclose(in);
    else
        close(fds[0]);
    int st;
    int exited0 = waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    return exited0 && ended && !bad && got == n;
}

/* Ours against Linux's image in the same processes: the median over the
 * processes of each one's vdso ns / linux ns, and its spread. 0 if either
 * was not measured in every process. */
static int same_process_ratio(const struct meas *ms, int n, enum fn fn, int clock, double *ratio, double *spread)
{
    const struct meas *ours = find(ms, n, fn, clock, PATH_VDSO), *theirs = find(ms, n, fn, clock, PATH_LINUX);
    if (!ours || !theirs || ours->procs != PROCS || theirs->procs != PROCS)
        return 0;
    double r[PROCS];
    for (int k = 0; k < PROCS; k++)
        r[k] = theirs->proc_ns[k] > 0 ? ours->proc_ns[k] / theirs->proc_ns[k] : NAN;
    summarize(r, PROCS, ratio, spread);
    return isfinite(*ratio);
}

static const char *clock_name(const struct meas *m) { return m->clock >= 0 ? vdso_clocks[m->clock].name : "-"; }

static const char *path_name(const struct meas *m, int have_vdso)
{
    if (m->path == PATH_PROCESS)
        return have_vdso ? "with-vdso" : "without-vdso";
    return path_names[m->path];
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
    page_size = (size_t)sysconf(_SC_PAGESIZE);
    if (argc == 3 && !strcmp(argv[1], "--calls"))
        return calls_main(argv[2]);
    check_prog = "bench";
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* The vDSO, if this kernel maps one. */
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    int have_vdso = ehdr != 0;
    if (have_vdso) {
        int ok = open_vdso(ehdr);
        if (!check(ok, "the vDSO at %#lx exports clock_gettime, gettimeofday, clock_getres%s at " VDSO_VERSION,
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

    /* Linux's image, to run in the same processes as ours (the l* pointers
     * here only say which functions it has). */
    int compare = have_vdso ? setup_linux_image(ehdr, 0) : 0;
    if (compare < 0)
        check(0, "%s: Linux's vDSO image for the in-process comparison is readable and exports "
              "clock_gettime, gettimeofday, clock_getres at " VDSO_VERSION, LINUX_VDSO_PATH);
    else if (compare)
        printf("bench: %s is Linux's vDSO: each process also runs it at our base, over the same data pages "
               "(path=linux)\n", LINUX_VDSO_PATH);
    else if (have_vdso)
        printf("bench: no %s other than the mapped image: no in-process comparison with Linux's vDSO\n",
               LINUX_VDSO_PATH);

    /* Everything to measure, in table order: the calls (in PROCS fresh
     * processes), then the process figures (here). */
    struct meas ms[MAX_MEAS];
    int n_calls = list_calls(ms, have_vdso), n = n_calls;
    const enum fn process_fns[] = {FN_EXEC, FN_EXEC_NOLIBC, FN_FORK_EXIT, FN_MMAP3};
    for (unsigned f = 0; f < sizeof process_fns / sizeof process_fns[0]; f++)
        ms[n++] = (struct meas){.fn = process_fns[f], .clock = -1, .path = PATH_PROCESS};

    int procs_ok = 0;
    for (int k = 0; k < PROCS; k++)
        procs_ok += run_calls_process(ms, n_calls);
    for (int i = 0; i < n_calls; i++) {
        struct meas *m = &ms[i];
        double sorted[PROCS];
        memcpy(sorted, m->proc_ns, sizeof sorted[0] * (size_t)m->procs);
        if (m->procs > 0)
            summarize(sorted, m->procs, &m->ns, &m->spread);
        if (m->procs != PROCS)
            m->failed = 1;
    }
    for (int i = n_calls; i < n; i++)
        measure(&ms[i], PARENT_REPEATS, ms[i].fn == FN_MMAP3 ? MMAP_BATCH_NS : EXEC_BATCH_NS);

    /* The table. */
    printf("\nbench: ns per call = median over %d processes (bench --calls, one after the other) of each "
           "one's median of %d batches (~%.1f ms each), timed with " COUNTER_NAME "; spread = (p90 - p10) / "
           "median across the processes (nearest ranks %d and %d of %d)\n",
           PROCS, CALL_REPEATS, CALL_BATCH_NS / 1e6, (PROCS * 10 + 99) / 100, (PROCS * 90 + 99) / 100, PROCS);
    printf("bench: exec, exec_nolibc, fork_exit: ns each = median of %d batches (~%.0f ms each) in this "
           "process; mmap3 the same with ~%.1f ms batches; spread across the batches\n",
           PARENT_REPEATS, EXEC_BATCH_NS / 1e6, MMAP_BATCH_NS / 1e6);
    if (compare > 0)
        printf("bench: linux = Linux 6.1's image run in the same processes at our base (%s); ours/linux = "
               "the median over the processes of each one's vdso ns / linux ns (spread across them)\n",
               LINUX_VDSO_PATH);
    printf("%-14s %-17s %19s %19s %19s %19s %19s\n", "fn", "clock", "vdso (spread)", "linux (spread)",
           "ours/linux", "libc (spread)", "syscall (spread)");
    for (int i = 0; i < n_calls; i++) {
        if (ms[i].path != PATH_LIBC)
            continue; /* one row per fn and clock */
        printf("%-14s %-17s", fn_names[ms[i].fn], clock_name(&ms[i]));
        print_cell(find(ms, n, ms[i].fn, ms[i].clock, PATH_VDSO));
        print_cell(find(ms, n, ms[i].fn, ms[i].clock, PATH_LINUX));
        double ratio, ratio_spread;
        if (same_process_ratio(ms, n, ms[i].fn, ms[i].clock, &ratio, &ratio_spread))
            printf(" %10.3f (%5.1f%%)", ratio, ratio_spread);
        else
            printf(" %19s", "-");
        print_cell(find(ms, n, ms[i].fn, ms[i].clock, PATH_LIBC));
        print_cell(find(ms, n, ms[i].fn, ms[i].clock, PATH_SYSCALL));
        putchar('\n');
    }
    const struct meas *floor_m = find(ms, n, FN_COUNTER, -1, PATH_FLOOR);
    printf("%-14s %-17s", "counter", "- (floor)");
    print_cell(floor_m);
    putchar('\n');
    for (int i = n_calls; i < n; i++) {
        printf("%-14s %-17s", fn_names[ms[i].fn], have_vdso ? "- (with vDSO)" : "- (without vDSO)");
        print_cell(&ms[i]);
        putchar('\n');
    }
    const struct meas *mono = find(ms, n, FN_GETTIME, 1, have_vdso ? PATH_VDSO : PATH_LIBC);
    printf("clock_gettime MONOTONIC path=%s, ns per call in each process:", path_names[mono->path]);
    for (int k = 0; k < mono->procs; k++)
        printf(" %.1f", mono->proc_ns[k]);
    printf("\n\n");

    /* The machine lines, and one check per measurement. */
    for (int i = 0; i < n; i++) {
        const struct meas *m = &ms[i];
        printf("BENCH fn=%s clock=%s path=%s ns=%.1f spread=%.1f procs=%d\n", fn_names[m->fn], clock_name(m),
               path_name(m, have_vdso), m->ns, m->spread, m->procs);
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
    for (int i = 0; i < n_calls; i++) {
        double ratio, ratio_spread;
        if (ms[i].path == PATH_VDSO && same_process_ratio(ms, n, ms[i].fn, ms[i].clock, &ratio, &ratio_spread))
            printf("BENCH sameproc fn=%s clock=%s ours_over_linux=%.3f spread=%.1f procs=%d\n", fn_names[ms[i].fn],
                   clock_name(&ms[i]), ratio, ratio_spread, ms[i].procs);
    }
    putchar('\n');
    check(procs_ok == PROCS, "%d of %d processes of bench --calls exited 0 and reported each of the %d calls once",
          procs_ok, PROCS, n_calls);
    for (int i = 0; i < n; i++) {
        const struct meas *m = &ms[i];
        int ok = !m->failed && isfinite(m->ns) && m->ns > 0 && isfinite(m->spread);
        if (m->path == PATH_PROCESS)
            check(ok, "%s path=%s: every call succeeded; %.1f ns/call over %d x %ld calls", fn_names[m->fn],
                  path_name(m, have_vdso), m->ns, PARENT_REPEATS, m->per_batch);
        else
            check(ok, "%s %s path=%s: every call succeeded in each of %d processes; %.1f ns/call, their "
                  "median of %d x %ld-%ld calls each", fn_names[m->fn], clock_name(m), path_name(m, have_vdso),
                  m->procs, m->ns, CALL_REPEATS, m->per_batch, m->per_batch_max);
    }
    return check_summary();
}
