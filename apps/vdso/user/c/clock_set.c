/* clock_set.c - setting the wall clock, seen through the vDSO at once.
 *
 * Built statically as /bin/clock-set (the init runner runs it as root).
 * Sets CLOCK_REALTIME forward and back with clock_settime and settimeofday
 * and checks, right after each set (no sleep, no tick in between):
 *   - REALTIME, REALTIME_COARSE and TAI from the vDSO, the vDSO's
 *     gettimeofday and glibc's time() lie between the syscalls taken around
 *     them: the data page shows the new time before the set returns;
 *   - MONOTONIC, MONOTONIC_RAW and BOOTTIME do not move with it;
 *   - a reader thread (on another CPU when there is one) never sees a torn
 *     value, only the old or the new wall-clock offset, and always the new
 *     one once it knows the set returned;
 *   - clocks that cannot be set and bad values give Linux's errno.
 * The clock is put back as it was (within the test's own run time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "vdso_arch.h"
#include "vdso_lookup.h"

#define NS_PER_SEC 1000000000LL
/* How far the tests move the wall clock. */
#define STEP_SEC 1000

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);

static gettime_fn vgettime;
static gettimeofday_fn vgettimeofday;

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * NS_PER_SEC + t->tv_nsec; }

static struct timespec ns_ts(int64_t ns)
{
    return (struct timespec){.tv_sec = ns / NS_PER_SEC, .tv_nsec = ns % NS_PER_SEC};
}

static int64_t sys_ns(clockid_t id)
{
    struct timespec t;
    if (syscall(SYS_clock_gettime, id, &t) != 0)
        return -1;
    return ts_ns(&t);
}

static int64_t vdso_ns(clockid_t id)
{
    struct timespec t;
    if (vgettime(id, &t) != 0)
        return -1;
    return ts_ns(&t);
}

/* 0 or -errno, from the raw syscall (glibc may wrap these). */
static int sys_settime(clockid_t id, const struct timespec *t)
{
    return syscall(SYS_clock_settime, id, t) == 0 ? 0 : -errno;
}

static int sys_settimeofday(const struct timeval *tv, const struct timezone *tz)
{
    return syscall(SYS_settimeofday, tv, tz) == 0 ? 0 : -errno;
}

static const char *err_name(int r) { return r == 0 ? "0" : strerrorname_np(-r); }

/* ---- the reader thread ---- */

/* The wall-clock offset (REALTIME - MONOTONIC, ns) as an interval
 * [lo, hi]: what reads taken around a moment allow it to be. */
struct offset { int64_t lo, hi; };

/* The offset now, from vDSO reads of MONOTONIC, REALTIME, MONOTONIC. */
static struct offset offset_now(void)
{
    int64_t mono1 = vdso_ns(CLOCK_MONOTONIC);
    int64_t rt = vdso_ns(CLOCK_REALTIME);
    int64_t mono2 = vdso_ns(CLOCK_MONOTONIC);
    return (struct offset){rt - mono2, rt - mono1};
}

/* Whether two offset intervals overlap, give or take 2 us (counter steps
 * and the rounding of the set's own reads). */
static int offsets_meet(struct offset a, struct offset b)
{
    return a.lo <= b.hi + 2000 && b.lo <= a.hi + 2000;
}

/* What the main thread publishes for the reader, under set_gen (odd while
 * it changes them; a reader that sees set_gen change drops its sample):
 * state 0 before the first set, 1 while a set is under way (old = the
 * offset before it, delta = how far it moves the clock), 2 once it returned
 * (new = the offset it made). */
static _Atomic unsigned set_gen;
static _Atomic int set_state;
static _Atomic int64_t old_lo, old_hi, new_lo, new_hi, set_delta;
static _Atomic int reader_stop;
static _Atomic long reads;
static long torn, stale_after_return;
static int64_t torn_example;

static void *reader(void *arg)
{
    (void)arg;
    while (!atomic_load(&reader_stop)) {
        unsigned gen = atomic_load(&set_gen);
        int state = atomic_load(&set_state);
        struct offset old = {atomic_load(&old_lo), atomic_load(&old_hi)};
        struct offset new = {atomic_load(&new_lo), atomic_load(&new_hi)};
        int64_t delta = atomic_load(&set_delta);
        struct offset seen = offset_now();
        atomic_fetch_add(&reads, 1);
        if (state == 0 || (gen & 1) || atomic_load(&set_gen) != gen)
            continue;
        int ok;
        if (state == 2) {
            /* The set had returned before these reads began. */
            ok = offsets_meet(seen, new);
            if (!ok && offsets_meet(seen, old)) {
                stale_after_return++;
                continue;
            }
        } else {
            /* Under way: the old clock, or the new one (known only
             * roughly before the set returns: within 50 ms). */
            struct offset rough = {old.lo + delta - 50000000, old.hi + delta + 50000000};
            ok = offsets_meet(seen, old) || offsets_meet(seen, rough);
        }
        if (!ok && !torn++)
            torn_example = seen.lo;
    }
    return NULL;
}

/* ---- checks ---- */

/* Every wall clock the vDSO serves, and glibc's time(), lies between the
 * syscalls around it; `when` names the moment. */
static void check_wall_clocks(const char *when)
{
    static const struct { clockid_t id; const char *name; } walls[] = {
        {CLOCK_REALTIME, "REALTIME"},
        {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
        {CLOCK_TAI, "TAI"},
    };
    for (unsigned i = 0; i < sizeof walls / sizeof walls[0]; i++) {
        int64_t lo = sys_ns(walls[i].id), v = vdso_ns(walls[i].id), hi = sys_ns(walls[i].id);
        check(lo >= 0 && v >= lo && v <= hi, "%s: vDSO %s lies between the syscalls around it (%+lld / %+lld ns)",
              when, walls[i].name, (long long)(v - lo), (long long)(hi - v));
    }
    struct timeval a, tv, b;
    syscall(SYS_gettimeofday, &a, NULL);
    int r = vgettimeofday(&tv, NULL);
    syscall(SYS_gettimeofday, &b, NULL);
    int64_t ua = a.tv_sec * 1000000LL + a.tv_usec, uv = tv.tv_sec * 1000000LL + tv.tv_usec,
            ub = b.tv_sec * 1000000LL + b.tv_usec;
    check(r == 0 && uv >= ua && uv <= ub, "%s: vDSO gettimeofday lies between the syscalls around it (%+lld / %+lld us)",
          when, (long long)(uv - ua), (long long)(ub - uv));
    /* glibc reads the coarse or the precise clock: between both. */
    int64_t s0 = sys_ns(CLOCK_REALTIME_COARSE) / NS_PER_SEC;
    time_t t = time(NULL);
    int64_t s1 = sys_ns(CLOCK_REALTIME) / NS_PER_SEC;
    check(t >= s0 && t <= s1, "%s: glibc's time() is the wall clock's second (%lld in [%lld, %lld])", when,
          (long long)t, (long long)s0, (long long)s1);
}

/* The clocks that must not move with the wall clock, read before a set. */
struct steady { int64_t mono, raw, boot; };

static struct steady read_steady(void)
{
    return (struct steady){vdso_ns(CLOCK_MONOTONIC), vdso_ns(CLOCK_MONOTONIC_RAW), vdso_ns(CLOCK_BOOTTIME)};
}

static void check_steady(const char *when, struct steady before)
{
    struct steady now = read_steady();
    int64_t d[3] = {now.mono - before.mono, now.raw - before.raw, now.boot - before.boot};
    /* The set itself takes well under a second; a step of STEP_SEC would show. */
    int ok = 1;
    for (int i = 0; i < 3; i++)
        ok &= d[i] >= 0 && d[i] < NS_PER_SEC;
    check(ok, "%s: MONOTONIC, MONOTONIC_RAW and BOOTTIME did not move with it (+%lld / +%lld / +%lld ns)", when,
          (long long)d[0], (long long)d[1], (long long)d[2]);
}

/* Sets REALTIME to now + delta (ns) with clock_settime, or with
 * settimeofday (`tod`), while the reader watches; returns the set's result. */
static int set_wall(int64_t delta, int tod)
{
    struct offset old = offset_now();
    atomic_fetch_add(&set_gen, 1);
    atomic_store(&old_lo, old.lo);
    atomic_store(&old_hi, old.hi);
    atomic_store(&set_delta, delta);
    atomic_store(&set_state, 1);
    atomic_fetch_add(&set_gen, 1);
    int64_t mono_before = vdso_ns(CLOCK_MONOTONIC);
    int64_t target = sys_ns(CLOCK_REALTIME) + delta;
    int r;
    if (tod) {
        struct timeval tv = {.tv_sec = target / NS_PER_SEC, .tv_usec = target % NS_PER_SEC / 1000};
        r = sys_settimeofday(&tv, NULL);
    } else {
        struct timespec ts = ns_ts(target);
        r = sys_settime(CLOCK_REALTIME, &ts);
    }
    int64_t mono_after = vdso_ns(CLOCK_MONOTONIC);
    if (tod) /* settimeofday keeps whole microseconds */
        target -= target % 1000;
    /* The kernel made the offset target - (monotonic time at the set). */
    atomic_fetch_add(&set_gen, 1);
    atomic_store(&new_lo, target - mono_after);
    atomic_store(&new_hi, target - mono_before);
    atomic_store(&set_state, r == 0 ? 2 : 0);
    atomic_fetch_add(&set_gen, 1);
    return r;
}

static void check_errors(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    static const struct { clockid_t id; const char *name; } fixed[] = {
        {CLOCK_MONOTONIC, "MONOTONIC"},         {CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW"},
        {CLOCK_BOOTTIME, "BOOTTIME"},           {CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE"},
        {CLOCK_REALTIME_COARSE, "REALTIME_COARSE"},
    };
    for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        int r = sys_settime(fixed[i].id, &now);
        check(r == -EINVAL, "clock_settime(%s) fails with EINVAL, as Linux (%s)", fixed[i].name, err_name(r));
    }
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    struct timespec bad_ns = {wall.tv_sec, NS_PER_SEC}, neg = {-1, 0};
    int r = sys_settime(CLOCK_REALTIME, &bad_ns);
    check(r == -EINVAL, "clock_settime(REALTIME, tv_nsec = 1e9) fails with EINVAL (%s)", err_name(r));
    r = sys_settime(CLOCK_REALTIME, &neg);
    check(r == -EINVAL, "clock_settime(REALTIME, tv_sec = -1) fails with EINVAL (%s)", err_name(r));
    r = sys_settime(CLOCK_REALTIME, (const struct timespec *)8);
    check(r == -EFAULT, "clock_settime(REALTIME, bad pointer) fails with EFAULT (%s)", err_name(r));
    struct timeval bad_us = {wall.tv_sec, 1000000};
    r = sys_settimeofday(&bad_us, NULL);
    check(r == -EINVAL, "settimeofday(tv_usec = 1e6) fails with EINVAL (%s)", err_name(r));
    int64_t after = sys_ns(CLOCK_REALTIME);
    check(after - ts_ns(&wall) >= 0 && after - ts_ns(&wall) < NS_PER_SEC,
          "the refused sets left REALTIME alone (+%lld ns)", (long long)(after - ts_ns(&wall)));
}

int main(void)
{
    check_prog = "clock-set";
    struct vdso v;
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    int ok = ehdr && vdso_open(&v, ehdr) == 0;
    vgettime = ok ? (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION) : NULL;
    vgettimeofday = ok ? (gettimeofday_fn)vdso_sym(&v, VDSO_GETTIMEOFDAY, VDSO_VERSION) : NULL;
    if (!check(vgettime && vgettimeofday, "the vDSO's clock_gettime and gettimeofday resolve (AT_SYSINFO_EHDR %#lx)",
               (unsigned long)ehdr))
        return check_summary();

    check_errors();

    pthread_t thr;
    pthread_create(&thr, NULL, reader, NULL);
    /* Let the reader start (on another CPU if there is one). */
    while (atomic_load(&reads) < 1000)
        sched_yield();

    static const struct { int64_t delta; int tod; const char *what; } sets[] = {
        {STEP_SEC * NS_PER_SEC, 0, "clock_settime(REALTIME, +1000 s)"},
        {-STEP_SEC * NS_PER_SEC, 0, "clock_settime(REALTIME, -1000 s) (back)"},
        {STEP_SEC * NS_PER_SEC / 2, 1, "settimeofday(+500 s)"},
        {-STEP_SEC * NS_PER_SEC / 2, 1, "settimeofday(-500 s) (back)"},
    };
    for (unsigned i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        struct steady before = read_steady();
        int64_t wall_before = sys_ns(CLOCK_REALTIME);
        int r = set_wall(sets[i].delta, sets[i].tod);
        int64_t moved = sys_ns(CLOCK_REALTIME) - wall_before - sets[i].delta;
        check(r == 0 && moved > -NS_PER_SEC && moved < NS_PER_SEC, "%s succeeds and the syscall's REALTIME moved by it (%s, %+lld ns off)",
              sets[i].what, err_name(r), (long long)moved);
        check_wall_clocks(sets[i].what);
        check_steady(sets[i].what, before);
        /* Give the reader time to read after the set returned. */
        long seen = atomic_load(&reads);
        while (atomic_load(&reads) < seen + 2000)
            sched_yield();
    }

    atomic_store(&reader_stop, 1);
    pthread_join(thr, NULL);
    check(torn == 0, "the reader's %ld vDSO REALTIME reads were all on the old or the new wall clock (%ld torn; e.g. offset %lld)",
          atomic_load(&reads), torn, (long long)torn_example);
    check(stale_after_return == 0, "no reader read begun after a set returned showed the old wall clock (%ld did)",
          stale_after_return);
    return check_summary();
}
