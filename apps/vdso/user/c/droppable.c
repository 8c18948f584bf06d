/* droppable.c - MAP_DROPPABLE memory, where vDSO getrandom keeps its state.
 *
 * Built statically as /bin/droppable. Linux 6.11's getrandom vDSO asks
 * libc for per-thread state in an anonymous MAP_DROPPABLE mapping: private
 * memory that a fork child does not inherit (the range is there, at the
 * same address and with the same protection, but reads as zeros) and that
 * the kernel may drop under memory pressure (Starry never does). Checks:
 *   - the mapping is readable, writable, zero at first;
 *   - a fork child reads zeros in every page, touched by the parent or not,
 *     keeps the parent's protection, and its writes do not reach the parent;
 *     the parent keeps its data; the same one generation further;
 *   - a thread (CLONE_VM) shares it, unwiped;
 *   - mprotect and munmap work on it, a split range stays droppable;
 *   - Linux's errno: a file mapping of this type is EINVAL, without
 *     MAP_ANONYMOUS and with fd -1 it is EBADF, with MAP_GROWSDOWN EINVAL,
 *     an unknown mapping type is still EINVAL.
 * It runs unchanged on Linux >= 6.11.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

#ifndef MAP_DROPPABLE
/* Linux include/uapi/linux/mman.h (6.11): a mapping type, in MAP_TYPE. */
#define MAP_DROPPABLE 0x08
#endif

#define NPAGES 4
/* The page the parent never touches before the first fork. */
#define UNTOUCHED 2

static long page;

/* ---- faults ---- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;

static void on_segv(int sig)
{
    (void)sig;
    if (fault_armed)
        siglongjmp(fault_jmp, 1);
    _exit(99);
}

/* 1 if writing one byte at p faults. */
static int write_faults(volatile uint8_t *p)
{
    int faulted = 0;
    fault_armed = 1;
    if (sigsetjmp(fault_jmp, 1) == 0)
        *p = 0x5a;
    else
        faulted = 1;
    fault_armed = 0;
    return faulted;
}

/* 1 if reading one byte at p faults. */
static int read_faults(volatile uint8_t *p)
{
    int faulted = 0;
    fault_armed = 1;
    if (sigsetjmp(fault_jmp, 1) == 0)
        (void)*p;
    else
        faulted = 1;
    fault_armed = 0;
    return faulted;
}

/* ---- page contents ---- */

static uint8_t *pg(uint8_t *base, int i) { return base + (long)i * page; }

/* 1 if every byte of page i is v. */
static int page_is(uint8_t *base, int i, uint8_t v)
{
    for (long k = 0; k < page; k++)
        if (pg(base, i)[k] != v)
            return 0;
    return 1;
}

static int pages_are(uint8_t *base, int n, uint8_t v)
{
    for (int i = 0; i < n; i++)
        if (!page_is(base, i, v))
            return 0;
    return 1;
}

static uint8_t *map_droppable(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* mmap's errno for a mapping that should fail, 0 if it succeeded. */
static int mmap_errno(size_t len, int flags, int fd)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
    if (p != MAP_FAILED) {
        munmap(p, len);
        return 0;
    }
    return errno;
}

static const char *err_name(int e) { return e == 0 ? "success" : strerrorname_np(e); }

/* Runs fn in a fork child; returns its exit status (0: all its checks held),
 * or 0x100 if it did not exit normally. */
static int in_child(int (*fn)(uint8_t *), uint8_t *base)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 0x200;
    if (pid == 0)
        _exit(fn(base));
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 0x100;
    return WEXITSTATUS(status);
}

/* ---- the fork child, first generation ---- */

enum {
    CHILD_ZERO = 1,      /* every page reads zero */
    CHILD_WRITE = 2,     /* its writes stick */
    CHILD_PROT = 4,      /* the read-only page is still read-only */
    CHILD_GRAND_ZERO = 8,  /* its own child reads zeros */
    CHILD_GRAND_EXIT = 16, /* ... and exits cleanly */
    CHILD_KEEPS = 32,    /* ... and its writes do not reach the child */
};

/* Second generation: every page zero although the first child wrote 0xc1. */
static int grandchild(uint8_t *base)
{
    int bad = 0;
    /* Pages 0..NPAGES-2 are writable; the last is read-only. */
    if (!pages_are(base, NPAGES, 0))
        bad |= 1;
    memset(base, 0xc2, (size_t)page * (NPAGES - 1));
    if (!pages_are(base, NPAGES - 1, 0xc2))
        bad |= 2;
    return bad;
}

static int child(uint8_t *base)
{
    int bad = 0;
    if (!pages_are(base, NPAGES, 0))
        bad |= CHILD_ZERO;
    memset(base, 0xc1, (size_t)page * (NPAGES - 1));
    if (!pages_are(base, NPAGES - 1, 0xc1))
        bad |= CHILD_WRITE;
    if (!write_faults(pg(base, NPAGES - 1)) || read_faults(pg(base, NPAGES - 1)))
        bad |= CHILD_PROT;
    int g = in_child(grandchild, base);
    if (g & 1)
        bad |= CHILD_GRAND_ZERO;
    if (g & ~1)
        bad |= CHILD_GRAND_EXIT;
    if (!pages_are(base, NPAGES - 1, 0xc1))
        bad |= CHILD_KEEPS;
    return bad;
}

/* ---- a thread shares it ---- */

static void *thread_main(void *arg)
{
    uint8_t *base = arg;
    /* It sees the parent's bytes, then leaves its own. */
    uintptr_t ok = page_is(base, 0, 0xa0) && page_is(base, UNTOUCHED, 0);
    memset(pg(base, UNTOUCHED), 0x7e, (size_t)page);
    return (void *)ok;
}

int main(void)
{
    check_prog = "droppable";
    page = sysconf(_SC_PAGESIZE);
    size_t len = (size_t)page * NPAGES;

    struct sigaction sa = {.sa_handler = on_segv};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    /* 1. map, read, write */
    uint8_t *base = map_droppable(len);
    if (!check(base != NULL, "mmap MAP_DROPPABLE|MAP_ANONYMOUS of %d pages (%s)", NPAGES,
               base ? "ok" : err_name(errno)))
        return check_summary();
    check(pages_are(base, NPAGES, 0), "a new droppable mapping reads zeros");
    for (int i = 0; i < NPAGES; i++)
        if (i != UNTOUCHED)
            memset(pg(base, i), 0xa0 + i, (size_t)page);
    int wrote = 1;
    for (int i = 0; i < NPAGES; i++)
        wrote &= page_is(base, i, i == UNTOUCHED ? 0 : 0xa0 + i);
    check(wrote, "writes to it read back (page %d left untouched)", UNTOUCHED);

    /* 2. a thread shares it */
    pthread_t t;
    void *tret = NULL;
    int tok = pthread_create(&t, NULL, thread_main, base) == 0 && pthread_join(t, &tret) == 0;
    check(tok && tret == (void *)1, "a thread (CLONE_VM) sees the parent's bytes, not zeros");
    check(tok && page_is(base, UNTOUCHED, 0x7e), "the thread's writes reach the parent");
    memset(pg(base, UNTOUCHED), 0, (size_t)page);

    /* 3. mprotect: the last page read-only, which splits the mapping */
    int r = mprotect(pg(base, NPAGES - 1), (size_t)page, PROT_READ);
    check(r == 0, "mprotect(PROT_READ) of its last page (%s)", err_name(r ? errno : 0));
    check(page_is(base, NPAGES - 1, 0xa0 + NPAGES - 1) && write_faults(pg(base, NPAGES - 1)),
          "the read-only page keeps its data and faults on a write");
    check(!write_faults(pg(base, 0)) && (base[0] = 0xa0, 1), "the other pages stay writable");

    /* 4. fork: the child sees zeros, the parent keeps its data */
    int c = in_child(child, base);
    check(c < 0x100, "the fork child exits normally (status %#x)", c);
    check(c < 0x100 && !(c & CHILD_ZERO),
          "fork child: every page reads zero, touched by the parent or not (page %d)", UNTOUCHED);
    check(c < 0x100 && !(c & CHILD_WRITE), "fork child: the range is writable where it was");
    check(c < 0x100 && !(c & CHILD_PROT), "fork child: the read-only page is readable, not writable");
    check(c < 0x100 && !(c & CHILD_GRAND_ZERO),
          "second generation: a child of the child reads zeros, not the child's bytes");
    check(c < 0x100 && !(c & CHILD_GRAND_EXIT), "second generation: its writes stick, it exits");
    check(c < 0x100 && !(c & CHILD_KEEPS), "second generation: the child keeps its own bytes");
    int kept = 1;
    for (int i = 0; i < NPAGES; i++)
        kept &= page_is(base, i, i == UNTOUCHED ? 0 : 0xa0 + i);
    check(kept, "the parent keeps its data; the child's writes did not reach it");
    check(!write_faults(pg(base, 1)) && (pg(base, 1)[0] = 0xa1, 1),
          "the parent's pages are still writable after the fork");

    /* 5. munmap: a hole in the middle, then the rest */
    r = munmap(pg(base, 1), (size_t)page);
    check(r == 0, "munmap of one page in the middle (%s)", err_name(r ? errno : 0));
    check(read_faults(pg(base, 1)) && !read_faults(pg(base, 0)) && page_is(base, 2, 0),
          "the hole faults, its neighbours keep their data");
    r = munmap(base, len);
    check(r == 0, "munmap of the whole range (%s)", err_name(r ? errno : 0));
    check(read_faults(pg(base, 0)), "the unmapped range faults");

    /* 6. Linux's errno */
    char path[] = "/tmp/droppable-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) {
        unlink(path);
        if (ftruncate(fd, page) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (check(fd >= 0, "a scratch file to map (%s)", err_name(fd < 0 ? errno : 0))) {
        int e = mmap_errno((size_t)page, MAP_DROPPABLE, fd);
        check(e == EINVAL, "MAP_DROPPABLE of a file: EINVAL (%s)", err_name(e));
        close(fd);
    }
    int e = mmap_errno((size_t)page, MAP_DROPPABLE, -1);
    check(e == EBADF, "MAP_DROPPABLE without MAP_ANONYMOUS, fd -1: EBADF (%s)", err_name(e));
    e = mmap_errno((size_t)page, MAP_DROPPABLE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1);
    check(e == EINVAL, "MAP_DROPPABLE|MAP_GROWSDOWN: EINVAL (%s)", err_name(e));
    e = mmap_errno((size_t)page, 0x04 | MAP_ANONYMOUS, -1);
    check(e == EINVAL, "unknown mapping type 0x04: still EINVAL (%s)", err_name(e));
    e = mmap_errno((size_t)page, 0x0f | MAP_ANONYMOUS, -1);
    check(e == EINVAL, "unknown mapping type 0x0f: still EINVAL (%s)", err_name(e));

    return check_summary();
}
