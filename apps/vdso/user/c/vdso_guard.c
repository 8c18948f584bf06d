/* vdso_guard.c - the vDSO's shared pages stay the kernel's; signal frames are Linux's.
 *
 * Built statically (/bin/guard-static) and dynamically (/bin/guard-dynamic).
 *
 * Part A. Every process maps the same kernel frames as [vvar] (2 pages) and,
 * right above, [vdso] (the text, at AT_SYSINFO_EHDR). A process may do what
 * it likes to its own mappings, but nothing it does may change what another
 * process, or the kernel, sees. Each attack runs in forked children that
 * report every step (return value, errno) through a pipe; a sibling forked
 * before the attack waits meanwhile. Afterwards the parent and the sibling
 * compare the text byte for byte with a snapshot and the constant vvar fields
 * (clock_mode, mask, mult, shift of both vdso_data records), and call the
 * vDSO clock between two syscalls.
 *   1. mprotect to writable: [vvar] refuses with EACCES (no VM_MAYWRITE). The
 *      text may refuse likewise, or do what Linux does (its text mapping has
 *      VM_MAYWRITE, for debuggers): succeed and give the writer a private
 *      copy. Whenever the kernel says yes, the child overwrites the whole
 *      range, so a write that reached the shared frames shows in the parent.
 *   2. PROT_NONE and back: a read faults, the restore brings the clock back,
 *      and a later mprotect never grants more than in 1.
 *   3. part of [vvar]: mprotect of one page, munmap of the other. Linux
 *      refuses both (EINVAL: special mappings never split); a kernel that
 *      splits must keep the name [vvar] on the pieces and drop the hole.
 *   4. munmap of both: maps lists neither, the clock syscall still works, and
 *      an anonymous mapping at the old address is fresh (zeros), writable and
 *      not named after the vDSO.
 *   5. MAP_FIXED anonymous mappings over each: fresh, private, renamed.
 *   6. mremap: a moved text keeps its bytes and grants no shared write;
 *      growing [vvar] fails (Linux: VM_DONTEXPAND) or maps nothing new.
 *   7. the kernel as the writer: read() and clock_gettime() into the pages
 *      fail with EFAULT; a /proc/self/mem write is refused, or (the text,
 *      as on Linux, FOLL_FORCE) lands in the writer's private copy only.
 *   8. after every attack, the sibling's view; at the end, a freshly exec'd
 *      copy of this program (--verify) hashes the same text and reads time.
 *
 * Part B. Signal delivery as Linux does it, on riscv64, aarch64 and x86_64. riscv64:
 * rt_sigframe = siginfo_t then ucontext_t, uc_mcontext = pc, x1..x31,
 * f0..f31, fcsr. aarch64: rt_sigframe = siginfo_t then ucontext_t
 * (uc_mcontext = fault_address, regs[31], sp, pc, pstate, then records in
 * __reserved: fpsimd_context, maybe esr_context, a {0, 0} end), then a frame
 * record {x29, x30} that the handler's x29 points at. x86_64: the return
 * address, the kernel's ucontext (304 bytes: uc_mcontext = r8..r15, rdi,
 * rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, ..., fpstate pointer), then
 * siginfo; the FXSAVE/XSAVE state above them, below the 128-byte red zone.
 * Handlers set by sigaction(SA_SIGINFO) without SA_RESTORER (x86_64: glibc
 * adds its own restorer), each run in a forked child.
 *   1. the handler returns to the vDSO's sigreturn (riscv64:
 *      __vdso_rt_sigreturn, li a7,139; ecall; aarch64: __kernel_rt_sigreturn,
 *      mov x8,#139; svc #0); x86_64's vDSO has none: the handler returns to
 *      libc's restorer, outside [vdso];
 *   2. unwinding from a handler (libgcc's _Unwind_Backtrace; glibc's
 *      backtrace() in the dynamic build) gets through the signal frame to the
 *      function that raised the signal. Its address range: raiser() is the
 *      only function in section "guard_raiser", whose bounds the linker
 *      gives as __start_guard_raiser / __stop_guard_raiser;
 *   3. pc += the load's length (4; x86_64: 3) in the frame resumes right
 *      after a faulting load (aarch64:
 *      fault_address is the faulting address, as Linux sets it);
 *   4. the FP registers (riscv64: f0..f31, fcsr; aarch64: v0..v31, fpcr,
 *      fpsr in the fpsimd_context record; x86_64: xmm0..xmm15, MXCSR through
 *      uc_mcontext.fpregs) survive a handler that overwrites
 *      them, the handler sees them in the frame, and what it writes there is
 *      what is restored;
 *   5. the frame's general registers are xn (values set by inline asm before
 *      an ecall / svc), pc is the address after it, sp the interrupted sp,
 *      the frame right below; aarch64: the handler's x0, x1, x2, sp, x29 and
 *      x30 at entry, the frame record, and NZCV in pstate and after return;
 *      x86_64: r8-r10, r12-r15, the syscall's arguments, rax = 0, the red
 *      zone left alone;
 *   6. no word of siginfo + ucontext (+ the frame record; x86_64: + the FP
 *      state) lies in the kernel
 *      half (the stack below is zeroed first, so only what the kernel wrote
 *      can match).
 *
 * Part C. Hostile rt_sigreturn: a frame at a kernel address, at an unmapped
 * address, the same with SIGSEGV ignored and blocked, and a frame whose pc a
 * handler points at kernel text: each kills the process with SIGSEGV and
 * nothing else (the kernel reads no kernel memory for it, takes no privileged
 * state from it, and runs on). aarch64 also: a frame whose fpsimd_context
 * magic a handler breaks (SIGSEGV, as Linux), and frames whose pstate a
 * handler sets to EL1h and/or D, A, I, F masked, with Z and C: the process
 * dies of SIGSEGV (Linux) or runs on in EL0 with only NZCV taken (a timer
 * signal still interrupts a loop without syscalls). Then a second thread asks
 * for write access to the shared pages 400 times while the first reads the
 * clock.
 *
 * Usage: vdso_guard                       run every check
 *        vdso_guard --verify HASH LEN     (internal) the exec'd checker
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <unwind.h>

#include "check.h"
#include "vdso_arch.h"
#include "vdso_lookup.h"

#define PAGE 4096UL
/* The layout of the kernel under test (Linux 6.1's riscv64 and arm64 one). -D can
 * override it to try Part A on another Linux (x86_64's [vvar] differs). */
#ifndef VVAR_SIZE
#define VVAR_SIZE 8192UL /* [vvar]: the data page and the time-namespace page */
#endif
#ifndef VVAR_BELOW
#define VVAR_BELOW VVAR_SIZE /* [vvar] starts this far below AT_SYSINFO_EHDR */
#endif
#ifndef VD_STRIDE /* vdso_data[2] at the start of data page 0: size, fields */
#define VD_STRIDE 240
#define VD_MODE 4   /* s32 clock_mode */
#define VD_MASK 16  /* u64 mask */
#define VD_MULT 24  /* u32 mult */
#define VD_SHIFT 28 /* u32 shift */
#endif

typedef int (*gettime_fn)(clockid_t, struct timespec *);

static const char *self_path;
static gettime_fn vgettime;
static void *vsigreturn;
static uintptr_t text, vvar; /* [vdso] and [vvar] starts */
static size_t text_len;
static unsigned char *snap; /* the text bytes before any attack */
struct vconst {
    int32_t mode[2];
    uint64_t mask[2];
    uint32_t mult[2], shift[2];
};
static struct vconst snap_const;

/* ---- helpers ---- */

static int64_t ts_ns(const struct timespec *t) { return (int64_t)t->tv_sec * 1000000000LL + t->tv_nsec; }

static const char *errname(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

static uint64_t fnv1a(const volatile unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static int all_bytes(const void *p, size_t n, unsigned char b)
{
    const volatile unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != b)
            return 0;
    return 1;
}

/* A wait status in words, from a small ring of buffers. */
static const char *status_str(int st)
{
    static char ring[8][40];
    static int k;
    char *b = ring[k++ & 7];
    if (st == -1)
        snprintf(b, 40, "fork failed");
    else if (WIFEXITED(st))
        snprintf(b, 40, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(b, 40, "killed by %s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
    else
        snprintf(b, 40, "status %#x", st);
    return b;
}

static int killed_by(int st, int sig) { return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig; }

/* The wait status of a child that reads one byte at addr. */
static int read_status(uintptr_t addr)
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10); /* alarms are not inherited: a hung reader would hold our pipes */
        (void)*(const volatile unsigned char *)addr;
        _exit(0);
    }
    int st = -1;
    if (pid > 0)
        waitpid(pid, &st, 0);
    return st;
}

static void read_vconst(struct vconst *c)
{
    const volatile unsigned char *p = (const volatile unsigned char *)vvar;
    for (int i = 0; i < 2; i++) {
        c->mode[i] = *(const volatile int32_t *)(p + i * VD_STRIDE + VD_MODE);
        c->mask[i] = *(const volatile uint64_t *)(p + i * VD_STRIDE + VD_MASK);
        c->mult[i] = *(const volatile uint32_t *)(p + i * VD_STRIDE + VD_MULT);
        c->shift[i] = *(const volatile uint32_t *)(p + i * VD_STRIDE + VD_SHIFT);
    }
}

/* clock_mode, mask and shift never change; neither does CS_RAW's mult.
 * CS_HRES_COARSE's mult may be nudged by timekeeping (NTP): 0.1% allowed. */
static int vconst_same(const struct vconst *a, const struct vconst *b)
{
    for (int i = 0; i < 2; i++)
        if (a->mode[i] != b->mode[i] || a->mask[i] != b->mask[i] || a->shift[i] != b->shift[i])
            return 0;
    uint32_t d = a->mult[0] > b->mult[0] ? a->mult[0] - b->mult[0] : b->mult[0] - a->mult[0];
    return a->mult[1] == b->mult[1] && d <= b->mult[0] / 1000;
}

/* 20 rounds of syscall, vDSO, syscall reads of CLOCK_MONOTONIC, in order. */
static int vclock_ok(void)
{
    if (!vgettime)
        return 0;
    for (int i = 0; i < 20; i++) {
        struct timespec a, v, b;
        long r0 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
        int rv = vgettime(CLOCK_MONOTONIC, &v);
        long r1 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
        if (r0 || rv || r1 || ts_ns(&v) < ts_ns(&a) || ts_ns(&b) < ts_ns(&v) || v.tv_nsec >= 1000000000L)
            return 0;
    }
    return 1;
}

/* ---- /proc/self/maps: "start-end perms offset dev inode   name" ---- */

struct vma {
    unsigned long lo, hi;
    char perms[8], name[40];
};
static struct vma vmas[256];
static int n_vmas;

static int load_maps(void)
{
    static char buf[1 << 16];
    size_t len = 0;
    ssize_t n;
    n_vmas = 0;
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0)
        return -1;
    while (len < sizeof buf - 1 && (n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    close(fd);
    buf[len] = 0;
    for (char *line = buf, *eol; *line && n_vmas < 256; line = eol + 1) {
        eol = strchr(line, '\n');
        if (!eol)
            eol = line + strlen(line) - 1;
        else
            *eol = 0;
        struct vma *v = &vmas[n_vmas];
        unsigned long off, inode;
        unsigned maj, min;
        int name_at = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &v->lo, &v->hi, v->perms, &off, &maj, &min,
                   &inode, &name_at) < 7)
            continue;
        snprintf(v->name, sizeof v->name, "%s", name_at > 0 ? line + name_at : "");
        n_vmas++;
    }
    return n_vmas;
}

static const struct vma *vma_at(unsigned long addr)
{
    for (int i = 0; i < n_vmas; i++)
        if (vmas[i].lo <= addr && addr < vmas[i].hi)
            return &vmas[i];
    return NULL;
}

static int count_named(const char *name)
{
    int n = 0;
    for (int i = 0; i < n_vmas; i++)
        n += !strcmp(vmas[i].name, name);
    return n;
}

/* Lines named name with these perms cover [lo, hi) exactly: how many (0 if not). */
static int tiled(const char *name, unsigned long lo, unsigned long hi, const char *perms)
{
    int pieces = 0;
    for (unsigned long a = lo; a < hi; pieces++) {
        const struct vma *v = vma_at(a);
        if (!v || v->lo != a || v->hi > hi || strcmp(v->name, name) || strcmp(v->perms, perms))
            return 0;
        a = v->hi;
    }
    return pieces;
}

static int unmapped(unsigned long lo, unsigned long hi)
{
    for (int i = 0; i < n_vmas; i++)
        if (vmas[i].lo < hi && lo < vmas[i].hi)
            return 0;
    return 1;
}

/* ---- children that report through a pipe ---- */

static int report_fd = -1;
static const void *report_buf;
static size_t report_len;

/* Child: send the whole result struct as it stands (the parent keeps the last). */
static void report(void)
{
    if (write(report_fd, report_buf, report_len) != (ssize_t)report_len)
        _exit(120);
}

/* Runs fn(out) in a forked child (alarm: 20 s) that reports *out whenever it
 * calls report() and once more at the end. *out gets the last full report,
 * *got their number; returns the child's wait status (-1: no child). */
static int run_child(void (*fn)(void *), void *out, size_t len, int *got)
{
    int fds[2];
    memset(out, 0, len);
    *got = 0;
    if (pipe(fds))
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        report_buf = out;
        report_len = len;
        alarm(20);
        fn(out);
        report();
        _exit(0);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    unsigned char *buf = malloc(len);
    size_t have = 0;
    ssize_t n;
    while (buf && (n = read(fds[0], buf + have, len - have)) > 0)
        if ((have += (size_t)n) == len) {
            memcpy(out, buf, len);
            (*got)++;
            have = 0;
        }
    free(buf);
    close(fds[0]);
    int st = -1;
    waitpid(pid, &st, 0);
    return st;
}

/* Part A children record steps: a return value, its errno, an extra value. */
struct steps {
    int n;
    struct step {
        long ret, aux;
        int err;
    } s[12];
};
static struct steps *cur;

static void step(int i, long ret, long aux)
{
    int e = errno;
    cur->s[i] = (struct step){ret, aux, ret == -1 ? e : 0};
    if (i >= cur->n)
        cur->n = i + 1;
    report();
}

/* What step i said: "0", "-1 EACCES", or "not reached". */
static const char *said(const struct steps *r, int i)
{
    static char ring[8][32];
    static int k;
    char *b = ring[k++ & 7];
    if (i >= r->n)
        return "not reached";
    if (r->s[i].ret == -1)
        snprintf(b, 32, "-1 %s", errname(r->s[i].err));
    else
        snprintf(b, 32, "%ld", r->s[i].ret);
    return b;
}

static int reached(const struct steps *r, int i) { return i < r->n; }
static int ret_is(const struct steps *r, int i, long v) { return i < r->n && r->s[i].ret == v; }
static int failed_with(const struct steps *r, int i, int e) { return ret_is(r, i, -1) && r->s[i].err == e; }

/* ---- Part A: the snapshot, and what must hold after every attack ---- */

static int setup_part_a(void)
{
    vvar = text - VVAR_BELOW;
    load_maps();
    const struct vma *t = vma_at(text), *d = vma_at(vvar);
    int ok = t && d && t->lo == text && !strcmp(t->name, "[vdso]") && !strcmp(t->perms, "r-xp") &&
             d->lo == vvar && d->hi == vvar + VVAR_SIZE && !strcmp(d->name, "[vvar]") &&
             !strcmp(d->perms, "r--p");
    text_len = ok ? t->hi - t->lo : 0;
    if (!check(ok, "/proc/self/maps (%d lines parsed): [vvar] r--p %#lx-%#lx, [vdso] r-xp at %#lx, %zu bytes",
               n_vmas, (unsigned long)vvar, (unsigned long)(vvar + VVAR_SIZE), (unsigned long)text, text_len))
        return -1;
    snap = malloc(text_len);
    memcpy(snap, (const void *)text, text_len);
    read_vconst(&snap_const);
    const struct vconst *c = &snap_const;
    check(c->mask[0] && c->mask[1] && c->mult[0] && c->mult[1] && c->shift[0] < 64 && c->shift[1] < 64,
          "vvar page 0 holds two vdso_data records: clock_mode %d/%d, mask %#llx/%#llx, mult %u/%u, "
          "shift %u/%u", c->mode[0], c->mode[1], (unsigned long long)c->mask[0],
          (unsigned long long)c->mask[1], c->mult[0], c->mult[1], c->shift[0], c->shift[1]);
    check(vclock_ok(), "before the attacks: the vDSO CLOCK_MONOTONIC lies between two syscalls");
    return 0;
}

static void check_intact(const char *after)
{
    size_t off = 0;
    while (off < text_len && ((const volatile unsigned char *)text)[off] == snap[off])
        off++;
    int text_ok = off == text_len;
    char where[48] = "";
    if (!text_ok)
        snprintf(where, sizeof where, "; first difference at +%zu", off);
    check(text_ok, "%s: the [vdso] text is the snapshot byte for byte (%zu bytes%s)", after, text_len, where);
    struct vconst now;
    read_vconst(&now);
    int vvar_ok = vconst_same(&now, &snap_const);
    check(vvar_ok, "%s: vvar clock_mode/mask/mult/shift unchanged (now mode %d/%d, mask %#llx/%#llx, "
          "mult %u/%u, shift %u/%u)", after, now.mode[0], now.mode[1], (unsigned long long)now.mask[0],
          (unsigned long long)now.mask[1], now.mult[0], now.mult[1], now.shift[0], now.shift[1]);
    /* A vDSO over changed pages might spin or crash: call it only if intact. */
    check(text_ok && vvar_ok && vclock_ok(), "%s: the vDSO CLOCK_MONOTONIC lies between two syscalls%s", after,
          text_ok && vvar_ok ? "" : " (not called: the pages changed)");
}

/* Attack 8: a sibling forked before an attack checks its own view after it. */
struct sibling {
    pid_t pid;
    int go;
};

static void sibling_start(struct sibling *s)
{
    int fds[2] = {-1, -1};
    s->pid = -1;
    s->go = -1;
    if (pipe(fds))
        return;
    fflush(stdout);
    s->pid = fork();
    if (s->pid == 0) {
        close(fds[1]);
        alarm(60);
        char c;
        if (read(fds[0], &c, 1) != 1)
            _exit(8);
        struct vconst now;
        read_vconst(&now);
        int code = memcmp((const void *)text, snap, text_len) ? 1 : 0;
        code |= vconst_same(&now, &snap_const) ? 0 : 2;
        if (code == 0 && !vclock_ok())
            code |= 4;
        _exit(code);
    }
    close(fds[0]);
    s->go = fds[1];
}

static void sibling_finish(struct sibling *s, const char *after)
{
    int st = -1;
    if (s->go >= 0 && write(s->go, "x", 1) == 1 && s->pid > 0)
        waitpid(s->pid, &st, 0);
    if (s->go >= 0)
        close(s->go);
    check(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "%s: a sibling forked before it still sees the snapshot text, vvar fields and a working "
          "vDSO clock (%s; 1 = text, 2 = vvar, 4 = clock)", after, status_str(st));
}

/* ---- Part A attacks ---- */

static uintptr_t a_addr; /* what the next child attacks */
static size_t a_len;
static int a_prot;

/* Attack 1: mprotect writable; if that works, overwrite and read back. */
static void child_make_writable(void *out)
{
    cur = out;
    step(0, mprotect((void *)a_addr, a_len, a_prot), 0);
    if (cur->s[0].ret != 0)
        return;
    memset((void *)a_addr, 0x5a, a_len);
    step(1, 0, 0);
    if (!(a_prot & PROT_READ))
        step(2, mprotect((void *)a_addr, a_len, PROT_READ), 0);
    step(3, all_bytes((void *)a_addr, a_len, 0x5a), 0);
}

/* mprotect at step i refused with EACCES or, where a private copy is
 * allowed (the text), succeeded and the writer read its own bytes back. */
static void verdict_write(const char *what, const struct steps *r, int i, int st, int may_copy)
{
    int refused = failed_with(r, i, EACCES);
    int copied = may_copy && ret_is(r, i, 0) && ret_is(r, i + 3, 1); /* its read-back step */
    check(refused || copied, "%s: %s (%s; child %s)", what,
          refused ? "refused with EACCES"
          : copied ? "allowed, and the writer's private copy took its write (Linux: copy-on-write)"
                   : may_copy ? "must fail with EACCES or give a private copy"
                              : "must fail with EACCES",
          said(r, i), status_str(st));
}

static void attack_make_writable(void)
{
    static const struct { int prot; const char *name; } prots[] = {
        {PROT_READ | PROT_WRITE | PROT_EXEC, "PROT_READ|PROT_WRITE|PROT_EXEC"},
        {PROT_READ | PROT_WRITE, "PROT_READ|PROT_WRITE"},
        {PROT_WRITE, "PROT_WRITE"},
    };
    struct sibling sib;
    struct steps r;
    char what[128];
    int got;
    sibling_start(&sib);
    for (int i = 0; i < 3; i++) {
        a_addr = text, a_len = text_len, a_prot = prots[i].prot;
        int st = run_child(child_make_writable, &r, sizeof r, &got);
        snprintf(what, sizeof what, "attack 1: mprotect([vdso], %zu, %s)", text_len, prots[i].name);
        verdict_write(what, &r, 0, st, 1);
    }
    a_addr = vvar, a_len = VVAR_SIZE, a_prot = PROT_READ | PROT_WRITE;
    int st = run_child(child_make_writable, &r, sizeof r, &got);
    snprintf(what, sizeof what, "attack 1: mprotect([vvar], %lu, PROT_READ|PROT_WRITE)", VVAR_SIZE);
    verdict_write(what, &r, 0, st, 0);
    check_intact("after attack 1");
    sibling_finish(&sib, "after attack 1");
}

/* Attack 2: PROT_NONE, a faulting read, restore, the clock, then writable. */
static void child_none_and_back(void *out)
{
    cur = out;
    step(0, mprotect((void *)a_addr, a_len, PROT_NONE), 0);
    int st = read_status(a_addr);
    step(1, killed_by(st, SIGSEGV), st);
    step(2, mprotect((void *)a_addr, a_len, a_prot), 0);
    step(3, vclock_ok(), 0);
    step(4, mprotect((void *)a_addr, a_len, PROT_READ), 0);
    step(5, mprotect((void *)a_addr, a_len, PROT_READ | PROT_WRITE), 0);
    if (cur->s[5].ret != 0)
        return;
    memset((void *)a_addr, 0x5a, a_len);
    step(8, all_bytes((void *)a_addr, a_len, 0x5a), 0);
}

static void attack_none_and_back(void)
{
    static const struct { const char *name, *restore; int prot, text; } targets[] = {
        {"[vdso]", "PROT_READ|PROT_EXEC", PROT_READ | PROT_EXEC, 1},
        {"[vvar]", "PROT_READ", PROT_READ, 0},
    };
    struct sibling sib;
    struct steps r;
    char what[160];
    int got;
    sibling_start(&sib);
    for (int i = 0; i < 2; i++) {
        a_addr = targets[i].text ? text : vvar;
        a_len = targets[i].text ? text_len : VVAR_SIZE;
        a_prot = targets[i].prot;
        int st = run_child(child_none_and_back, &r, sizeof r, &got);
        check(ret_is(&r, 0, 0) && ret_is(&r, 1, 1),
              "attack 2: mprotect(%s, PROT_NONE) succeeds (%s) and a read of it then dies of SIGSEGV (%s)",
              targets[i].name, said(&r, 0), reached(&r, 1) ? status_str((int)r.s[1].aux) : status_str(st));
        check(ret_is(&r, 2, 0) && ret_is(&r, 3, 1),
              "attack 2: mprotect(%s, %s) restores it (%s) and the vDSO clock works again (%s)",
              targets[i].name, targets[i].restore, said(&r, 2), said(&r, 3));
        snprintf(what, sizeof what, "attack 2: after mprotect(%s, PROT_READ) (%s), PROT_READ|PROT_WRITE",
                 targets[i].name, said(&r, 4));
        verdict_write(what, &r, 5, st, targets[i].text);
    }
    check_intact("after attack 2");
    sibling_finish(&sib, "after attack 2");
}

/* Attack 3: one [vvar] page PROT_NONE and back, then the other unmapped.
 * Linux refuses both with EINVAL (special mappings never split); a kernel
 * that splits must keep the name [vvar] on every piece. */
static void child_partial(void *out)
{
    cur = out;
    step(0, mprotect((void *)vvar, PAGE, PROT_NONE), 0);
    int split = cur->s[0].ret == 0;
    load_maps();
    step(1, split ? tiled("[vvar]", vvar, vvar + PAGE, "---p") == 1 &&
                        tiled("[vvar]", vvar + PAGE, vvar + VVAR_SIZE, "r--p") == 1
                  : tiled("[vvar]", vvar, vvar + VVAR_SIZE, "r--p") == 1,
         count_named("[vvar]"));
    int st = read_status(vvar);
    step(2, split ? killed_by(st, SIGSEGV) : st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, st);
    step(3, mprotect((void *)vvar, PAGE, PROT_READ), 0);
    load_maps();
    step(4, tiled("[vvar]", vvar, vvar + VVAR_SIZE, "r--p") > 0, count_named("[vvar]"));
    step(5, munmap((void *)(vvar + PAGE), PAGE), 0);
    split = cur->s[5].ret == 0;
    load_maps();
    step(6, split ? tiled("[vvar]", vvar, vvar + PAGE, "r--p") == 1 && unmapped(vvar + PAGE, vvar + 2 * PAGE) &&
                        (VVAR_SIZE == 2 * PAGE || tiled("[vvar]", vvar + 2 * PAGE, vvar + VVAR_SIZE, "r--p") > 0)
                  : tiled("[vvar]", vvar, vvar + VVAR_SIZE, "r--p") > 0,
         count_named("[vvar]"));
    int first = read_status(vvar), hole = split ? read_status(vvar + PAGE) : 0;
    step(7, first != -1 && WIFEXITED(first) && WEXITSTATUS(first) == 0 && (!split || killed_by(hole, SIGSEGV)),
         split ? hole : first);
}

static void attack_partial(void)
{
    struct sibling sib;
    struct steps r;
    int got;
    sibling_start(&sib);
    int st = run_child(child_partial, &r, sizeof r, &got);
    int split = ret_is(&r, 0, 0);
    check((split || failed_with(&r, 0, EINVAL)) && ret_is(&r, 1, 1) && ret_is(&r, 2, 1),
          "attack 3: mprotect(first [vvar] page, PROT_NONE) -> %s: %s (%ld [vvar] lines; a read %s; child %s)",
          said(&r, 0),
          split ? "split: maps shows [vvar] ---p then [vvar] r--p and the page faults"
                : "refused (Linux: EINVAL, special mappings do not split), [vvar] stays whole and readable",
          reached(&r, 1) ? r.s[1].aux : -1L, reached(&r, 2) ? status_str((int)r.s[2].aux) : "not reached",
          status_str(st));
    check(ret_is(&r, 3, 0) && ret_is(&r, 4, 1),
          "attack 3: mprotect(first page, PROT_READ) (%s): [vvar] r--p lines cover the %lu bytes (%ld lines)",
          said(&r, 3), VVAR_SIZE, reached(&r, 4) ? r.s[4].aux : -1L);
    split = ret_is(&r, 5, 0);
    check((split || failed_with(&r, 5, EINVAL)) && ret_is(&r, 6, 1) && ret_is(&r, 7, 1),
          "attack 3: munmap(second [vvar] page) -> %s: %s (%ld [vvar] lines; %s)", said(&r, 5),
          split ? "[vvar] stays on the first page, which reads, and the hole is gone from maps and faults"
                : "refused (Linux: EINVAL), [vvar] stays whole and readable",
          reached(&r, 6) ? r.s[6].aux : -1L, reached(&r, 7) ? status_str((int)r.s[7].aux) : "not reached");
    check_intact("after attack 3");
    sibling_finish(&sib, "after attack 3");
}

/* Attack 4: munmap both; the syscall clock; a fresh mapping at the address. */
static void child_unmap_all(void *out)
{
    cur = out;
    step(0, munmap((void *)text, text_len), 0);
    step(1, munmap((void *)vvar, VVAR_SIZE), 0);
    load_maps();
    step(2, !count_named("[vdso]") && !count_named("[vvar]") && unmapped(vvar, vvar + VVAR_SIZE) &&
                unmapped(text, text + text_len), n_vmas);
    struct timespec a = {0, 0}, b = {0, 0};
    long r0 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
    long r1 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    step(3, r0 == 0 && r1 == 0 && ts_ns(&a) > 0 && ts_ns(&b) >= ts_ns(&a), 0);
    size_t span = text + text_len - vvar;
    void *m = mmap((void *)vvar, span, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    step(4, m == (void *)vvar ? 0 : -1, 0);
    if (m != (void *)vvar)
        return;
    step(5, all_bytes(m, span, 0), 0);
    memset(m, 0xa5, span);
    step(6, all_bytes(m, span, 0xa5), 0);
    load_maps();
    const struct vma *v = vma_at(vvar);
    step(7, v && !strcmp(v->perms, "rw-p") && !count_named("[vdso]") && !count_named("[vvar]"), 0);
}

static void attack_unmap_all(void)
{
    struct sibling sib;
    struct steps r;
    int got;
    sibling_start(&sib);
    int st = run_child(child_unmap_all, &r, sizeof r, &got);
    check(ret_is(&r, 0, 0) && ret_is(&r, 1, 0) && ret_is(&r, 2, 1),
          "attack 4: munmap([vdso]) (%s) and munmap([vvar]) (%s): maps lists neither (child %s)",
          said(&r, 0), said(&r, 1), status_str(st));
    check(ret_is(&r, 3, 1), "attack 4: then the clock_gettime syscall still works (%s)", said(&r, 3));
    check(ret_is(&r, 4, 0) && ret_is(&r, 5, 1) && ret_is(&r, 6, 1) && ret_is(&r, 7, 1),
          "attack 4: a MAP_FIXED anonymous mapping at the old address works (%s), reads zeros (%s), takes "
          "writes (%s), and maps shows it rw-p without the old names (%s)", said(&r, 4), said(&r, 5),
          said(&r, 6), said(&r, 7));
    check_intact("after attack 4");
    sibling_finish(&sib, "after attack 4");
}

/* Attack 5: MAP_FIXED private anonymous mappings over the text and vvar. */
static void child_map_over(void *out)
{
    cur = out;
    const uintptr_t at[2] = {text, vvar};
    const size_t len[2] = {text_len, VVAR_SIZE};
    for (int i = 0; i < 2; i++) {
        void *m = mmap((void *)at[i], len[i], PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
        step(3 * i, m == (void *)at[i] ? 0 : -1, 0);
        if (m != (void *)at[i])
            return;
        step(3 * i + 1, all_bytes(m, len[i], 0), 0);
        memset(m, 0xa5, len[i]);
        step(3 * i + 2, all_bytes(m, len[i], 0xa5), 0);
    }
    load_maps();
    const struct vma *t = vma_at(text), *d = vma_at(vvar);
    step(6, t && d && !strcmp(t->perms, "rw-p") && !strcmp(d->perms, "rw-p") && !count_named("[vdso]") &&
                !count_named("[vvar]"), 0);
}

static void attack_map_over(void)
{
    struct sibling sib;
    struct steps r;
    int got;
    sibling_start(&sib);
    int st = run_child(child_map_over, &r, sizeof r, &got);
    for (int i = 0; i < 2; i++)
        check(ret_is(&r, 3 * i, 0) && ret_is(&r, 3 * i + 1, 1) && ret_is(&r, 3 * i + 2, 1),
              "attack 5: mmap(MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS, RW) over %s (%s): fresh zeros (%s), "
              "takes writes (%s) (child %s)", i ? "[vvar]" : "[vdso]", said(&r, 3 * i), said(&r, 3 * i + 1),
              said(&r, 3 * i + 2), status_str(st));
    check(ret_is(&r, 6, 1), "attack 5: maps shows both ranges rw-p and no [vdso] or [vvar] line (%s)",
          said(&r, 6));
    check_intact("after attack 5");
    sibling_finish(&sib, "after attack 5");
}

/* Attack 6: mremap the text (in place, then moved) and grow vvar. */
static void child_mremap(void *out)
{
    cur = out;
    void *m = mremap((void *)text, text_len, text_len, MREMAP_MAYMOVE);
    step(0, m == MAP_FAILED ? -1 : 0, (long)m);
    uintptr_t now = m == MAP_FAILED ? text : (uintptr_t)m;
    void *hole = mmap(NULL, text_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void *moved = MAP_FAILED;
    if (hole != MAP_FAILED)
        moved = mremap((void *)now, text_len, text_len, MREMAP_MAYMOVE | MREMAP_FIXED, hole);
    step(1, moved == MAP_FAILED ? -1 : 0, (long)moved);
    if (moved != MAP_FAILED) {
        load_maps();
        const struct vma *v = vma_at((uintptr_t)moved);
        step(2, !memcmp(moved, snap, text_len), v && !strcmp(v->name, "[vdso]"));
        step(3, mprotect(moved, text_len, PROT_READ | PROT_WRITE), 0);
        if (cur->s[3].ret == 0) {
            memset(moved, 0x5a, text_len);
            step(6, all_bytes(moved, text_len, 0x5a), 0);
        }
    }
    void *g = mremap((void *)vvar, VVAR_SIZE, 2 * VVAR_SIZE, MREMAP_MAYMOVE);
    step(7, g == MAP_FAILED ? -1 : 0, (long)g);
    if (g == MAP_FAILED)
        return;
    int st = read_status((uintptr_t)g + VVAR_SIZE);
    step(8, killed_by(st, SIGSEGV) || killed_by(st, SIGBUS) ||
                (WIFEXITED(st) && all_bytes((char *)g + VVAR_SIZE, VVAR_SIZE, 0)), st);
    step(9, mprotect(g, 2 * VVAR_SIZE, PROT_READ | PROT_WRITE), 0);
    if (cur->s[9].ret == 0)
        memset(g, 0x5a, 2 * VVAR_SIZE);
}

static void attack_mremap(void)
{
    struct sibling sib;
    struct steps r;
    int got;
    sibling_start(&sib);
    int st = run_child(child_mremap, &r, sizeof r, &got);
    check(reached(&r, 1) && (ret_is(&r, 1, -1) || ret_is(&r, 2, 1)),
          "attack 6: mremap([vdso], MREMAP_MAYMOVE) -> %s (%#lx), then MREMAP_FIXED to a new address -> %s "
          "(%#lx): a moved text holds the vDSO bytes (%s; named [vdso] there: %s; child %s)", said(&r, 0),
          reached(&r, 0) ? (unsigned long)r.s[0].aux : 0UL, said(&r, 1),
          reached(&r, 1) ? (unsigned long)r.s[1].aux : 0UL, said(&r, 2),
          reached(&r, 2) ? (r.s[2].aux ? "yes" : "no") : "-", status_str(st));
    if (ret_is(&r, 1, 0))
        verdict_write("attack 6: mprotect(moved [vdso], PROT_READ|PROT_WRITE)", &r, 3, st, 1);
    check(ret_is(&r, 7, -1) || (ret_is(&r, 8, 1) && failed_with(&r, 9, EACCES)),
          "attack 6: mremap([vvar], %lu -> %lu, MREMAP_MAYMOVE) fails (%s), or grows into nothing readable "
          "(%s) and stays unwritable (%s)", VVAR_SIZE, 2 * VVAR_SIZE, said(&r, 7), said(&r, 8), said(&r, 9));
    check_intact("after attack 6");
    sibling_finish(&sib, "after attack 6");
}

/* Attack 7: the kernel asked to write into the pages. */
static void child_kernel_writes(void *out)
{
    cur = out;
    int p[2];
    unsigned char junk[64];
    memset(junk, 0xa5, sizeof junk);
    if (pipe(p) || write(p[1], junk, sizeof junk) != sizeof junk)
        return;
    step(0, read(p[0], (void *)text, 16), 0);
    step(1, read(p[0], (void *)vvar, 16), 0);
    step(2, syscall(SYS_clock_gettime, CLOCK_REALTIME, (void *)vvar), 0);
    step(3, syscall(SYS_clock_gettime, CLOCK_REALTIME, (void *)text), 0);
    int fd = open("/proc/self/mem", O_RDWR);
    step(4, fd < 0 ? -1 : 0, 0);
    if (fd < 0)
        return;
    unsigned char inv[16];
    for (int i = 0; i < 16; i++)
        inv[i] = (unsigned char)~snap[i];
    long n = pwrite(fd, inv, sizeof inv, (off_t)vvar);
    step(5, n, 0);
    n = pwrite(fd, inv, sizeof inv, (off_t)text);
    step(6, n, !memcmp((const void *)text, inv, sizeof inv));
}

static void attack_kernel_writes(void)
{
    static const char *what[4] = {"read(pipe, [vdso], 16)", "read(pipe, [vvar], 16)",
                                  "clock_gettime(CLOCK_REALTIME, [vvar])",
                                  "clock_gettime(CLOCK_REALTIME, [vdso])"};
    struct sibling sib;
    struct steps r;
    int got;
    sibling_start(&sib);
    int st = run_child(child_kernel_writes, &r, sizeof r, &got);
    for (int i = 0; i < 4; i++)
        check(failed_with(&r, i, EFAULT), "attack 7: %s fails with EFAULT (%s; child %s)", what[i], said(&r, i),
              status_str(st));
    int no_file = ret_is(&r, 4, -1);
    check(no_file || (reached(&r, 5) && r.s[5].ret < 0),
          "attack 7: a /proc/self/mem write at [vvar] is refused (open: %s, pwrite: %s)", said(&r, 4),
          said(&r, 5));
    int priv = ret_is(&r, 6, 16) && r.s[6].aux;
    check(no_file || (reached(&r, 6) && r.s[6].ret < 0) || priv,
          "attack 7: a /proc/self/mem write at [vdso] is refused or lands in the writer's private copy "
          "(open: %s, pwrite: %s%s)", said(&r, 4), said(&r, 6), priv ? ", the writer sees it" : "");
    check_intact("after attack 7");
    sibling_finish(&sib, "after attack 7");
}

/* A freshly exec'd copy of this program sees the same text: --verify. */
static void check_exec_verify(void)
{
    char hash[24], len[24], pass[64], fail[64], line[512];
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)fnv1a(snap, text_len));
    snprintf(len, sizeof len, "%zu", text_len);
    snprintf(pass, sizeof pass, "PASS %s:", check_prog);
    snprintf(fail, sizeof fail, "FAIL %s:", check_prog);
    int fds[2], lines = 0;
    if (pipe(fds)) {
        check(0, "exec --verify: pipe: %s", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        char *argv[] = {(char *)self_path, "--verify", hash, len, NULL};
        alarm(30); /* kept across exec */
        execv(self_path, argv);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fds[1]);
    /* Relay its lines; its checks count in our closing line. */
    FILE *in = fdopen(fds[0], "r");
    while (in && fgets(line, sizeof line, in)) {
        fputs(line, stdout);
        if (!strncmp(line, pass, strlen(pass)))
            check_passed++, lines++;
        else if (!strncmp(line, fail, strlen(fail)))
            check_failed++, lines++;
    }
    fflush(stdout);
    if (in)
        fclose(in);
    int st = -1;
    if (pid > 0)
        waitpid(pid, &st, 0);
    check(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && lines == 2,
          "%s --verify %s %s, exec'd after the attacks, passed its 2 checks (%s, %d lines)", self_path, hash,
          len, status_str(st), lines);
}

static int verify_main(const char *hash, const char *len)
{
    text = getauxval(AT_SYSINFO_EHDR);
    load_maps();
    const struct vma *t = text ? vma_at(text) : NULL;
    size_t n = t && t->lo == text && !strcmp(t->name, "[vdso]") ? t->hi - t->lo : 0;
    uint64_t want = strtoull(hash, NULL, 16), got = n ? fnv1a((const void *)text, n) : 0;
    check(n && n == strtoul(len, NULL, 10) && got == want,
          "exec'd: the [vdso] text at %#lx (%zu bytes) hashes to %016llx, as the parent's (%s bytes, %s)",
          (unsigned long)text, n, (unsigned long long)got, len, hash);
    struct vdso v;
    if (text && vdso_open(&v, text) == 0)
        vgettime = (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION);
    check(vclock_ok(), "exec'd: the vDSO CLOCK_MONOTONIC lies between two syscalls");
    return check_failed ? 1 : 0;
}

static void part_a(void)
{
    if (!check(text != 0 && vgettime != NULL, "AT_SYSINFO_EHDR = %#lx, " VDSO_CLOCK_GETTIME "@%s = %p",
               (unsigned long)text, VDSO_VERSION, (void *)vgettime) ||
        setup_part_a())
        return;
    attack_make_writable();
    attack_none_and_back();
    attack_partial();
    attack_unmap_all();
    attack_map_over();
    attack_mremap();
    attack_kernel_writes();
    check_exec_verify();
}

/* ---- Part B: signal frames as Linux delivers them ---- */

static void install(int sig, void (*handler)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO; /* and no SA_RESTORER: the kernel picks the return */
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void kill_self(int sig) { syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig); }

#if defined(__riscv) || defined(__aarch64__) /* B4-B6 */
/* "none" or e.g. "f7" / "x12", from a small ring of buffers. */
static const char *first_bad(char reg, int n)
{
    static char ring[4][16];
    static int k;
    char *b = ring[k++ & 3];
    if (n < 0)
        return "none";
    snprintf(b, 16, "%c%d", reg, n);
    return b;
}
#endif

#ifdef VDSO_SIGRETURN
static const unsigned char sigreturn_code[8] = VDSO_SIGRETURN_BYTES;
#endif

/* B1: where the handler returns. */
struct b1_res {
    int hits;
    uintptr_t ra, ra_builtin;
    unsigned char code[8];
};
static struct b1_res *b1;

__attribute__((noinline)) static void b1_handler(int sig, siginfo_t *si, void *uc)
{
    uintptr_t ra;
    ARCH_READ_RA(ra); /* before anything can change the return address register */
    b1->ra = ra;
    b1->ra_builtin = (uintptr_t)__builtin_return_address(0);
    for (int i = 0; i < 8; i++)
        b1->code[i] = ((const volatile unsigned char *)ra)[i];
    b1->hits++;
    (void)sig, (void)si, (void)uc;
}

static void child_b1(void *out)
{
    b1 = out;
    install(SIGUSR1, b1_handler);
    kill_self(SIGUSR1);
}

/* B2: unwinding out of a handler. raiser() is alone in its section. */
extern const char __start_guard_raiser[], __stop_guard_raiser[];
struct b2_res {
    int hits, frames, reached, glibc_frames, glibc_reached;
    uintptr_t ip[16];
};
static struct b2_res *b2;
static int dynamic_build;
extern const char _DYNAMIC[] __attribute__((weak)); /* defined in dynamic programs only */

static int in_raiser(uintptr_t ip)
{
    return ip >= (uintptr_t)__start_guard_raiser && ip <= (uintptr_t)__stop_guard_raiser;
}

__attribute__((noinline, noclone, used, section("guard_raiser"))) static int raiser(int sig)
{
    volatile int after = sig;
    raise(sig);
    return after + 1; /* no tail call: raiser stays on the stack */
}

static _Unwind_Reason_Code b2_frame(struct _Unwind_Context *ctx, void *arg)
{
    (void)arg;
    int before = 0;
    uintptr_t ip = _Unwind_GetIPInfo(ctx, &before);
    if (b2->frames < 16)
        b2->ip[b2->frames] = ip;
    b2->reached |= in_raiser(ip);
    return ++b2->frames >= 64 ? _URC_END_OF_STACK : _URC_NO_REASON;
}

static void b2_handler(int sig, siginfo_t *si, void *uc)
{
    b2->hits++;
    _Unwind_Backtrace(b2_frame, NULL);
    if (dynamic_build) {
        void *ips[64];
        b2->glibc_frames = backtrace(ips, 64);
        for (int i = 0; i < b2->glibc_frames; i++)
            b2->glibc_reached |= in_raiser((uintptr_t)ips[i]);
    }
    (void)sig, (void)si, (void)uc;
}

static void child_b2(void *out)
{
    b2 = out;
    if (dynamic_build) { /* glibc loads libgcc_s on first use: not in the handler */
        void *ips[4];
        backtrace(ips, 4);
    }
    install(SIGUSR1, b2_handler);
    raiser(SIGUSR1);
}

/* B3: skip a faulting load by editing the frame's pc. */
/* The length of child_b3's faulting load, which the handler skips. */
#ifdef __x86_64__
#define B3_LOAD_LEN 3 /* mov (%rax), %reg: REX.W, 8b, ModRM */
#else
#define B3_LOAD_LEN 4
#endif
struct b3_res {
    int hits;
    uintptr_t page, load_pc, fault_pc, fault_addr, marker, mc_fault_addr;
};
static struct b3_res *b3;

static void b3_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    b3->fault_pc = UC_PC(uc);
#ifdef __aarch64__
    b3->mc_fault_addr = uc->uc_mcontext.fault_address;
#endif
    b3->fault_addr = (uintptr_t)si->si_addr;
    if (++b3->hits == 1)
        UC_PC(uc) += B3_LOAD_LEN;
    (void)sig;
}

static void child_b3(void *out)
{
    b3 = out;
    void *page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        return;
    b3->page = (uintptr_t)page;
    install(SIGSEGV, b3_handler);
    uintptr_t label, m;
#if defined(__riscv)
    __asm__ volatile(".option push\n.option norvc\n"
                     "lla %[lbl], 1f\n"
                     "li %[m], 0\n"
                     "1: ld %[m], 0(%[p])\n" /* faults; the handler skips it */
                     "addi %[m], %[m], 0x5a1\n"
                     "addi %[m], %[m], 1\n" /* 0x5a2 only if both ran */
                     ".option pop\n"
                     : [lbl] "=&r"(label), [m] "=&r"(m)
                     : [p] "r"(page)
                     : "memory");
#elif defined(__aarch64__)
    __asm__ volatile("adr %[lbl], 1f\n"
                     "mov %[m], #0\n"
                     "1: ldr %[m], [%[p]]\n" /* faults; the handler skips it */
                     "add %[m], %[m], #0x5a1\n"
                     "add %[m], %[m], #1\n" /* 0x5a2 only if both ran */
                     : [lbl] "=&r"(label), [m] "=&r"(m)
                     : [p] "r"(page)
                     : "memory");
#elif defined(__x86_64__)
    __asm__ volatile("lea 1f(%%rip), %[lbl]\n"
                     "mov $0, %[m]\n"
                     "1: mov (%[p]), %[m]\n" /* faults; the handler skips it */
                     "add $0x5a1, %[m]\n"
                     "add $1, %[m]\n" /* 0x5a2 only if both ran */
                     : [lbl] "=&r"(label), [m] "=&r"(m)
                     : [p] "a"(page)
                     : "memory", "cc");
#endif
    b3->load_pc = label;
    b3->marker = m;
}

/* B5, B6: what the frame holds besides registers. The stack below is zeroed
 * first, so only what the kernel wrote can lie in the kernel half. */
#define XVAL(n) (0x5eed000000000000ULL + (uint64_t)(n) * 0x10101ULL)

struct scan {
    long scanned, kernel_words, first_off;
    uintptr_t first_val;
};

static void scan_words(struct scan *sc, const unsigned char *p, size_t n, long base)
{
    for (size_t off = 0; off + 8 <= n; off += 8) {
        uint64_t w;
        memcpy(&w, p + off, 8);
        sc->scanned += 8;
        if (w >= KERNEL_LO && w < KERNEL_HI && !sc->kernel_words++) {
            sc->first_off = base + (long)off;
            sc->first_val = w;
        }
    }
}

#if defined(__riscv) || defined(__aarch64__) /* siginfo first */
/* B6: siginfo, then the whole ucontext and what Linux puts above it
 * (offsets from siginfo's start). */
static void scan_frame(struct scan *sc, const siginfo_t *si, const ucontext_t *uc)
{
    scan_words(sc, (const void *)si, sizeof *si, 0);
    scan_words(sc, (const void *)uc, sizeof *uc + SIGFRAME_ABOVE, (long)((uintptr_t)uc - (uintptr_t)si));
}
#endif

/* Zeroes the stack below the caller, where the signal frame will go: a
 * kernel leaves parts of it unwritten (the upper half of ss_flags, unused FP
 * slots), and stale user data there must not pass for a leak. */
__attribute__((noinline)) static void scrub_stack_below(void)
{
    char buf[16384];
    memset(buf, 0, sizeof buf);
    __asm__ volatile("" : : "r"(buf) : "memory");
}

#if defined(__riscv) || defined(__aarch64__)
static void check_b6(int ok, uintptr_t info, uintptr_t uc, const struct scan *sc)
{
    check(ok && uc == info + sizeof(siginfo_t),
          "B6: ucontext follows siginfo directly, as in Linux's rt_sigframe (uc - info = %ld)", (long)(uc - info));
    check(ok && sc->scanned > 0 && sc->kernel_words == 0,
          "B6: no 8-byte word of siginfo + ucontext%s (%ld bytes) lies in the kernel half [%#llx, %#llx) (%ld do; "
          "first at +%ld: %#lx)", SIGFRAME_ABOVE ? " + frame record" : "", sc->scanned, KERNEL_LO, KERNEL_HI,
          sc->kernel_words, sc->first_off, (unsigned long)sc->first_val);
}
#endif

#if defined(__riscv) || defined(__aarch64__)
#define IRP32 ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
#endif

#if defined(__riscv)

/* B4: f0..f31 and fcsr across a handler. */
struct b4_res {
    int hits;
    uint64_t in[32], out[32], seen[32];
    uint32_t fcsr_in, fcsr_out, fcsr_seen;
};
static struct b4_res *b4;
static int b4_edit; /* the handler also writes f7, f9, f10 and fcsr in the frame */
#define FRM(m) ((uint32_t)(m) << 5) /* fcsr rounding mode: 1 RTZ, 2 RDN, 3 RUP */
#define EDIT(i) (0x4010000000000000ULL + (uint64_t)(i) * 0x111)
#define F_CLOBBERS "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12", "f13", \
    "f14", "f15", "f16", "f17", "f18", "f19", "f20", "f21", "f22", "f23", "f24", "f25", "f26", "f27",         \
    "f28", "f29", "f30", "f31"

static void b4_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    b4->hits++;
    for (int i = 0; i < 32; i++)
        b4->seen[i] = uc->uc_mcontext.__fpregs.__d.__f[i];
    b4->fcsr_seen = uc->uc_mcontext.__fpregs.__d.__fcsr;
    if (b4_edit) {
        uc->uc_mcontext.__fpregs.__d.__f[7] = EDIT(7);
        uc->uc_mcontext.__fpregs.__d.__f[9] = EDIT(9);
        uc->uc_mcontext.__fpregs.__d.__f[10] = EDIT(10);
        uc->uc_mcontext.__fpregs.__d.__fcsr = FRM(2);
    }
    /* Overwrite every f-register and fcsr (RTZ, all flags) before returning. */
    __asm__ volatile(IRP32 "fmv.d.x f\\n, %0\n.endr\n"
                     "fscsr %1\n"
                     :
                     : "r"(0x7ff8dead0000beefULL), "r"((unsigned long)(FRM(1) | 0x1f))
                     : F_CLOBBERS);
    (void)sig, (void)si;
}

static void child_b4(void *out)
{
    b4 = out;
    for (int i = 0; i < 32; i++)
        b4->in[i] = 0x3ff0000000000000ULL + (uint64_t)i * 0x0001000000000101ULL;
    b4->fcsr_in = FRM(3) | 0x1; /* RUP, NX set */
    install(SIGUSR2, b4_handler);
    long pid = getpid(), tid = syscall(SYS_gettid);
    /* No call between these and the asm: a call could clobber them. */
    register long a0 __asm__("a0") = pid;
    register long a1 __asm__("a1") = tid;
    register long a2 __asm__("a2") = SIGUSR2;
    register long a7 __asm__("a7") = SYS_tgkill;
    unsigned long fcsr_out;
    /* One block: load all 32, set fcsr, tgkill (the handler runs on its
     * return), store all 32 and fcsr: no compiler code in between. */
    __asm__ volatile(IRP32 "fld f\\n, \\n*8(%[in])\n.endr\n"
                     "fscsr %[fi]\n"
                     "ecall\n"
                     "frcsr %[fo]\n" IRP32 "fsd f\\n, \\n*8(%[out])\n.endr\n"
                     : "+r"(a0), [fo] "=&r"(fcsr_out)
                     : "r"(a1), "r"(a2), "r"(a7), [in] "r"(b4->in), [out] "r"(b4->out),
                       [fi] "r"((unsigned long)b4->fcsr_in)
                     : "memory", F_CLOBBERS);
    b4->fcsr_out = (uint32_t)fcsr_out;
}

/* B5: the integer registers in the frame. */
static const int x_set[] = {1, 5, 6, 7, 9, 13, 14, 15, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
#define N_XSET (int)(sizeof x_set / sizeof x_set[0])

struct b5_res {
    int hits;
    uintptr_t gregs[32], info, uc, local, gp, tp, pid, tid, a6;
    struct {
        uintptr_t sp, pc_after, x[32];
    } live; /* written by the asm: sp, the label after ecall, x1..x31 after */
    struct scan sc;
};
static struct b5_res *b5;

static void b5_handler(int sig, siginfo_t *si, void *ucv)
{
    volatile int local = 0;
    ucontext_t *uc = ucv;
    b5->hits++;
    for (int i = 0; i < 32; i++)
        b5->gregs[i] = uc->uc_mcontext.__gregs[i];
    b5->info = (uintptr_t)si;
    b5->uc = (uintptr_t)uc;
    b5->local = (uintptr_t)&local;
    scan_frame(&b5->sc, si, uc);
    (void)sig;
}

static void child_b5(void *out)
{
    b5 = out;
    __asm__ volatile("mv %0, gp\n mv %1, tp" : "=r"(b5->gp), "=r"(b5->tp));
    b5->pid = (uintptr_t)getpid();
    b5->tid = (uintptr_t)syscall(SYS_gettid);
    b5->a6 = (uintptr_t)&b5->live;
    install(SIGUSR1, b5_handler);
    scrub_stack_below();
    register long a0 __asm__("a0") = (long)b5->pid;
    register long a1 __asm__("a1") = (long)b5->tid;
    register long a2 __asm__("a2") = SIGUSR1;
    register long a7 __asm__("a7") = SYS_tgkill;
    register void *a6 __asm__("a6") = &b5->live;
#define LI(r, n) "li " #r ", 0x5eed000000000000 + " #n " * 0x10101\n"
    __asm__ volatile(".option push\n.option norvc\n"
                     "sd sp, 0(a6)\n"
                     "lla t0, 1f\n"
                     "sd t0, 8(a6)\n"
                     LI(ra, 1) LI(t0, 5) LI(t1, 6) LI(t2, 7) LI(s1, 9) LI(a3, 13) LI(a4, 14) LI(a5, 15)
                     LI(s2, 18) LI(s3, 19) LI(s4, 20) LI(s5, 21) LI(s6, 22) LI(s7, 23) LI(s8, 24) LI(s9, 25)
                     LI(s10, 26) LI(s11, 27) LI(t3, 28) LI(t4, 29) LI(t5, 30) LI(t6, 31)
                     "ecall\n"
                     "1:\n"
                     IRP32 "sd x\\n, 16+\\n*8(a6)\n" /* x0 too: the zero register */
                     ".endr\n"
                     ".option pop\n"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a7), "r"(a6)
                     : "memory", "ra", "t0", "t1", "t2", "s1", "a3", "a4", "a5", "s2", "s3", "s4", "s5", "s6",
                       "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6");
#undef LI
}

static void check_b4(void)
{
    int got, st;
    struct b4_res r4;
    for (b4_edit = 0; b4_edit < 2; b4_edit++) {
        st = run_child(child_b4, &r4, sizeof r4, &got);
        int bad = -1, seen_bad = -1;
        for (int i = 31; i >= 0; i--) {
            uint64_t want = b4_edit && (i == 7 || i == 9 || i == 10) ? EDIT(i) : r4.in[i];
            if (r4.out[i] != want)
                bad = i;
            if (r4.seen[i] != r4.in[i])
                seen_bad = i;
        }
        if (!b4_edit) {
            check(got && r4.hits == 1 && bad < 0,
                  "B4: f0..f31 (ft, fs, fa) survive a handler that overwrites all 32 (first bad: %s; child %s)",
                  first_bad('f', bad), status_str(st));
            check(got && r4.hits == 1 && r4.fcsr_out == r4.fcsr_in,
                  "B4: fcsr survives a handler that sets RTZ and all flags (%#x before, %#x after)",
                  r4.fcsr_in, r4.fcsr_out);
            check(got && r4.hits == 1 && seen_bad < 0 && r4.fcsr_seen == r4.fcsr_in,
                  "B4: the handler sees the interrupted f0..f31 and fcsr in uc_mcontext.__fpregs.__d "
                  "(first bad: %s; fcsr %#x)", first_bad('f', seen_bad), r4.fcsr_seen);
        } else {
            check(got && r4.hits == 1 && bad < 0 && r4.fcsr_out == FRM(2),
                  "B4: f7, f9, f10 and fcsr (RDN) written into the frame are what the interrupted code has "
                  "after rt_sigreturn (first bad: %s; fcsr %#x)", first_bad('f', bad), r4.fcsr_out);
        }
    }
}

static void check_b5_b6(void)
{
    struct b5_res r;
    int got, st = run_child(child_b5, &r, sizeof r, &got);
    int ok = got && r.hits == 1;
    check(ok && r.gregs[0] == r.live.pc_after,
          "B5: __gregs[0] (pc) is the address right after the ecall (%#lx, want %#lx; child %s)",
          (unsigned long)r.gregs[0], (unsigned long)r.live.pc_after, status_str(st));
    check(ok && r.gregs[2] == r.live.sp && r.local < r.info && r.gregs[2] - r.local < 16384,
          "B5: __gregs[2] (sp) is the interrupted sp (%#lx, want %#lx), a few KiB above the handler's stack "
          "(sp - handler local = %ld)", (unsigned long)r.gregs[2], (unsigned long)r.live.sp,
          (long)(r.gregs[2] - r.local));
    long below = (long)(r.gregs[2] - r.info), size = (long)(sizeof(siginfo_t) + sizeof(ucontext_t));
    check(ok && below >= size && below < size + 16,
          "B5: the frame lies right below the interrupted sp, as Linux places it (sp - siginfo = %ld; "
          "Linux: %ld..%ld)", below, size, size + 15);
    /* x1..x31 in register order: the set values, the syscall's arguments,
     * a0 = 0 (tgkill's return: the signal comes on the way out), gp, tp. */
    int bad = -1;
    uintptr_t bad_want = 0;
    for (int n = 31; n >= 1; n--) {
        uintptr_t want;
        int known = 1;
        switch (n) {
        case 2: want = r.live.sp; break;
        case 3: want = r.gp; break;
        case 4: want = r.tp; break;
        case 8: known = 0; want = 0; break; /* s0: the compiler's */
        case 10: want = 0; break;
        case 11: want = r.tid; break;
        case 12: want = SIGUSR1; break;
        case 16: want = r.a6; break;
        case 17: want = SYS_tgkill; break;
        default: want = XVAL(n);
        }
        if (known && r.gregs[n] != want)
            bad = n, bad_want = want;
    }
    char detail[96] = "none";
    if (bad > 0)
        snprintf(detail, sizeof detail, "x%d = %#lx, want %#lx", bad, (unsigned long)r.gregs[bad],
                 (unsigned long)bad_want);
    check(ok && bad < 0, "B5: __gregs[n] holds xn: %d values set by asm (ra, t0-t6, s1-s11, a3-a5), tgkill's "
          "a0 = 0, a1, a2, a7, and a6, gp, tp (first bad: %s)", N_XSET, detail);
    bad = -1;
    for (int i = N_XSET - 1; i >= 0; i--)
        if (r.live.x[x_set[i]] != XVAL(x_set[i]))
            bad = x_set[i];
    check(ok && bad < 0 && r.live.x[10] == 0, "B5: after rt_sigreturn the %d registers hold their values again "
          "(first bad: %s)", N_XSET, first_bad('x', bad));
    check_b6(ok, r.info, r.uc, &r.sc);
}

#elif defined(__aarch64__)

/* B4: v0..v31, fpsr and fpcr across a handler, and the fpsimd_context
 * record of uc_mcontext.__reserved. */
struct b4_res {
    int hits;
    uint64_t in[32][2], out[32][2], seen[32][2]; /* q registers: low, high */
    uint32_t fpcr_in, fpcr_out, fpcr_seen, fpsr_in, fpsr_out, fpsr_seen;
    int fpsimd_at, esr_at, end_at, unknown_at; /* offsets in __reserved, -1: none */
    uint32_t first_magic, first_size;
};
static struct b4_res *b4;
static int b4_edit; /* the handler also writes v7, v9, v10, fpcr and fpsr in the frame */
#define RMODE(m) ((uint32_t)(m) << 22) /* fpcr rounding mode: 1 RP, 2 RM, 3 RZ */
#define FPCR_FZ (1u << 24)
#define FPCR_DN (1u << 25)
#define FPSR_QC (1u << 27)
#define EDIT(i) (0x4010000000000000ULL + (uint64_t)(i) * 0x111)
#define V_CLOBBERS "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", \
    "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",         \
    "v28", "v29", "v30", "v31"

/* Walks the records of uc_mcontext.__reserved as Linux lays them out: each a
 * {magic, size} header, sizes multiples of 16, a {0, 0} header at the end. */
static struct fpsimd_context *walk_records(ucontext_t *uc, struct b4_res *r)
{
    unsigned char *res = uc->uc_mcontext.__reserved;
    struct fpsimd_context *fp = NULL;
    r->fpsimd_at = r->esr_at = r->end_at = r->unknown_at = -1;
    memcpy(&r->first_magic, res, 4);
    memcpy(&r->first_size, res + 4, 4);
    for (size_t off = 0; off + sizeof(struct _aarch64_ctx) <= sizeof uc->uc_mcontext.__reserved;) {
        struct _aarch64_ctx *h = (struct _aarch64_ctx *)(res + off);
        if (h->magic == 0 && h->size == 0) {
            r->end_at = (int)off;
            break;
        }
        if (h->magic == FPSIMD_MAGIC && h->size == sizeof(struct fpsimd_context)) {
            r->fpsimd_at = (int)off;
            fp = (struct fpsimd_context *)h;
        } else if (h->magic == ESR_MAGIC && h->size == sizeof(struct esr_context)) {
            r->esr_at = (int)off;
        } else {
            r->unknown_at = (int)off;
            break;
        }
        off += h->size;
    }
    return fp;
}

static void b4_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    b4->hits++;
    struct fpsimd_context *fp = walk_records(uc, b4);
    if (fp) {
        memcpy(b4->seen, fp->vregs, sizeof b4->seen);
        b4->fpcr_seen = fp->fpcr;
        b4->fpsr_seen = fp->fpsr;
        if (b4_edit) {
            static const int edited[3] = {7, 9, 10};
            for (int k = 0; k < 3; k++) {
                uint64_t q[2] = {EDIT(edited[k]), ~EDIT(edited[k])};
                memcpy(&fp->vregs[edited[k]], q, 16);
            }
            fp->fpcr = RMODE(2);
            fp->fpsr = 0x3; /* IOC, DZC */
        }
    }
    /* Overwrite every v-register, fpcr (RZ) and fpsr (all flags) before returning. */
    __asm__ volatile(IRP32 "dup v\\n\\().2d, %0\n.endr\n"
                     "msr fpcr, %1\n"
                     "msr fpsr, %2\n"
                     :
                     : "r"(0x7ff8dead0000beefULL), "r"((unsigned long)RMODE(3)),
                       "r"((unsigned long)(0x9f | FPSR_QC))
                     : V_CLOBBERS);
    (void)sig, (void)si;
}

static void child_b4(void *out)
{
    b4 = out;
    for (int i = 0; i < 32; i++) {
        b4->in[i][0] = 0x3ff0000000000000ULL + (uint64_t)i * 0x0001000000000101ULL;
        b4->in[i][1] = 0xc0de000000000000ULL + (uint64_t)i * 0x0000010000010001ULL;
    }
    b4->fpcr_in = RMODE(1) | FPCR_FZ | FPCR_DN;
    b4->fpsr_in = FPSR_QC | 0x10; /* QC, IXC */
    install(SIGUSR2, b4_handler);
    long pid = getpid(), tid = syscall(SYS_gettid);
    /* No call between these and the asm: a call could clobber them. */
    register long x0 __asm__("x0") = pid;
    register long x1 __asm__("x1") = tid;
    register long x2 __asm__("x2") = SIGUSR2;
    register long x8 __asm__("x8") = SYS_tgkill;
    unsigned long fpcr_out, fpsr_out;
    /* One block: load all 32, set fpcr and fpsr, tgkill (the handler runs on
     * its return), store all 32, fpcr and fpsr: no compiler code in between. */
    __asm__ volatile(IRP32 "ldr q\\n, [%[in], #\\n*16]\n.endr\n"
                     "msr fpcr, %[ci]\n"
                     "msr fpsr, %[si]\n"
                     "svc #0\n"
                     "mrs %[co], fpcr\n"
                     "mrs %[so], fpsr\n" IRP32 "str q\\n, [%[out], #\\n*16]\n.endr\n"
                     : "+r"(x0), [co] "=&r"(fpcr_out), [so] "=&r"(fpsr_out)
                     : "r"(x1), "r"(x2), "r"(x8), [in] "r"(b4->in), [out] "r"(b4->out),
                       [ci] "r"((unsigned long)b4->fpcr_in), [si] "r"((unsigned long)b4->fpsr_in)
                     : "memory", V_CLOBBERS);
    b4->fpcr_out = (uint32_t)fpcr_out;
    b4->fpsr_out = (uint32_t)fpsr_out;
}

static void check_b4(void)
{
    struct b4_res r4;
    for (b4_edit = 0; b4_edit < 2; b4_edit++) {
        int got, st = run_child(child_b4, &r4, sizeof r4, &got);
        int bad = -1, seen_bad = -1;
        for (int i = 31; i >= 0; i--) {
            int ed = b4_edit && (i == 7 || i == 9 || i == 10);
            uint64_t lo = ed ? EDIT(i) : r4.in[i][0], hi = ed ? ~EDIT(i) : r4.in[i][1];
            if (r4.out[i][0] != lo || r4.out[i][1] != hi)
                bad = i;
            if (r4.seen[i][0] != r4.in[i][0] || r4.seen[i][1] != r4.in[i][1])
                seen_bad = i;
        }
        if (!b4_edit) {
            check(got && r4.hits == 1 && r4.fpsimd_at == 0 && r4.unknown_at < 0 && r4.end_at > 0,
                  "B4: uc_mcontext.__reserved starts with an fpsimd_context record (magic %#x, size %u; Linux: "
                  "%#x, %zu)%s and ends with a {0, 0} header (at +%d; unknown record at %d; child %s)",
                  r4.first_magic, r4.first_size, FPSIMD_MAGIC, sizeof(struct fpsimd_context),
                  r4.esr_at >= 0 ? ", then an esr_context" : "", r4.end_at, r4.unknown_at, status_str(st));
            check(got && r4.hits == 1 && bad < 0,
                  "B4: v0..v31 (all 128 bits) survive a handler that overwrites all 32 (first bad: %s)",
                  first_bad('v', bad));
            check(got && r4.hits == 1 && r4.fpcr_out == r4.fpcr_in && r4.fpsr_out == r4.fpsr_in,
                  "B4: fpcr and fpsr survive a handler that sets RZ and all flags (fpcr %#x -> %#x, fpsr %#x -> "
                  "%#x)", r4.fpcr_in, r4.fpcr_out, r4.fpsr_in, r4.fpsr_out);
            check(got && r4.hits == 1 && r4.fpsimd_at >= 0 && seen_bad < 0 && r4.fpcr_seen == r4.fpcr_in &&
                      r4.fpsr_seen == r4.fpsr_in,
                  "B4: the handler sees the interrupted v0..v31, fpcr and fpsr in the fpsimd_context record "
                  "(first bad: %s; fpcr %#x, fpsr %#x)", first_bad('v', seen_bad), r4.fpcr_seen, r4.fpsr_seen);
        } else {
            check(got && r4.hits == 1 && bad < 0 && r4.fpcr_out == RMODE(2) && r4.fpsr_out == 0x3,
                  "B4: v7, v9, v10, fpcr (RM) and fpsr (IOC, DZC) written into the record are what the "
                  "interrupted code has after rt_sigreturn (first bad: %s; fpcr %#x, fpsr %#x; child %s)",
                  first_bad('v', bad), r4.fpcr_out, r4.fpsr_out, status_str(st));
        }
    }
}

/* B5: the integer registers in the frame, the handler's entry registers and
 * the frame record. sig_entry records x0, x1, x2, sp, x29 and x30 as the
 * kernel left them, then branches to b5_handler. */
struct entry_regs {
    uintptr_t x0, x1, x2, sp, x29, x30;
};
static struct entry_regs b5_entry __attribute__((used));
static void b5_handler(int sig, siginfo_t *si, void *ucv) __attribute__((used, noinline, noclone));
__attribute__((visibility("hidden"))) void b5_sig_entry(int sig, siginfo_t *si, void *ucv);
__asm__(".text\n"
        ".p2align 2\n"
        ".global b5_sig_entry\n"
        ".hidden b5_sig_entry\n"
        ".type b5_sig_entry, %function\n"
        "b5_sig_entry:\n"
        "adrp x9, b5_entry\n"
        "add x9, x9, :lo12:b5_entry\n"
        "stp x0, x1, [x9]\n"
        "mov x10, sp\n"
        "stp x2, x10, [x9, #16]\n"
        "stp x29, x30, [x9, #32]\n"
        "b b5_handler\n"
        ".size b5_sig_entry, . - b5_sig_entry\n");

static const int x_set[] = {3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                            28, 30};
#define N_XSET (int)(sizeof x_set / sizeof x_set[0])
#define NZCV_SET 0xa0000000ULL /* N and C: no compare the compiler emits leaves them so by chance */

struct b5_res {
    int hits;
    uintptr_t regs[31], sp, pc, pstate, info, uc, local, pid, tid, x9;
    struct entry_regs entry;
    uintptr_t record[2];
    int record_read;
    struct {
        uintptr_t sp, pc_after, x29, x[31], nzcv;
    } live; /* written by the asm: sp, the label after svc, x29, x0..x30 and nzcv after */
    struct scan sc;
};
static struct b5_res *b5;

static void b5_handler(int sig, siginfo_t *si, void *ucv)
{
    volatile int local = 0;
    ucontext_t *uc = ucv;
    b5->hits++;
    b5->entry = b5_entry;
    for (int i = 0; i < 31; i++)
        b5->regs[i] = uc->uc_mcontext.regs[i];
    b5->sp = uc->uc_mcontext.sp;
    b5->pc = uc->uc_mcontext.pc;
    b5->pstate = uc->uc_mcontext.pstate;
    b5->info = (uintptr_t)si;
    b5->uc = (uintptr_t)uc;
    b5->local = (uintptr_t)&local;
    /* The frame record, if x29 points into the frame's neighbourhood. */
    if (b5->entry.x29 >= b5->info && b5->entry.x29 - b5->info < 16384 && !(b5->entry.x29 & 7)) {
        memcpy(b5->record, (const void *)b5->entry.x29, sizeof b5->record);
        b5->record_read = 1;
    }
    scan_frame(&b5->sc, si, uc);
    (void)sig;
}

static void child_b5(void *out)
{
    b5 = out;
    b5->pid = (uintptr_t)getpid();
    b5->tid = (uintptr_t)syscall(SYS_gettid);
    b5->x9 = (uintptr_t)&b5->live;
    install(SIGUSR1, b5_sig_entry);
    scrub_stack_below();
    register long x0 __asm__("x0") = (long)b5->pid;
    register long x1 __asm__("x1") = (long)b5->tid;
    register long x2 __asm__("x2") = SIGUSR1;
    register long x8 __asm__("x8") = SYS_tgkill;
    register void *x9 __asm__("x9") = &b5->live;
    /* v0..v31 and fpsr zero: B6 then finds in the fpsimd record only what
     * the kernel wrote there. */
    __asm__ volatile("mov x10, sp\n"
                     "str x10, [x9]\n"
                     "adr x10, 1f\n"
                     "str x10, [x9, #8]\n"
                     "str x29, [x9, #16]\n"
                     IRP32 "movi v\\n\\().2d, #0\n.endr\n"
                     "msr fpsr, xzr\n"
                     "mov x10, #0xa0000000\n"
                     "msr nzcv, x10\n"
                     ".irp n,3,4,5,6,7,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,30\n"
                     "movz x\\n, #0x5eed, lsl #48\n"
                     "movk x\\n, #(((\\n * 0x10101) >> 16) & 0xffff), lsl #16\n"
                     "movk x\\n, #((\\n * 0x10101) & 0xffff)\n"
                     ".endr\n"
                     "svc #0\n"
                     "1:\n"
                     ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30\n"
                     "str x\\n, [x9, #24 + \\n * 8]\n"
                     ".endr\n"
                     "mrs x10, nzcv\n"
                     "str x10, [x9, #24 + 31 * 8]\n"
                     : "+r"(x0)
                     : "r"(x1), "r"(x2), "r"(x8), "r"(x9)
                     : "memory", "cc", "x3", "x4", "x5", "x6", "x7", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28",
                       "x30", V_CLOBBERS);
}

static void check_b5_b6(void)
{
    struct b5_res r;
    int got, st = run_child(child_b5, &r, sizeof r, &got);
    int ok = got && r.hits == 1;
    check(ok && r.pc == r.live.pc_after,
          "B5: uc_mcontext.pc is the address right after the svc (%#lx, want %#lx; child %s)", (unsigned long)r.pc,
          (unsigned long)r.live.pc_after, status_str(st));
    check(ok && r.sp == r.live.sp && r.local < r.info && r.sp - r.local < 16384,
          "B5: uc_mcontext.sp is the interrupted sp (%#lx, want %#lx), a few KiB above the handler's stack "
          "(sp - handler local = %ld)", (unsigned long)r.sp, (unsigned long)r.live.sp, (long)(r.sp - r.local));
    long below = (long)(r.sp - r.info), size = (long)(sizeof(siginfo_t) + sizeof(ucontext_t)) + SIGFRAME_ABOVE;
    check(ok && below >= size && below < size + 16,
          "B5: the frame and its frame record lie right below the interrupted sp, as Linux places them (sp - "
          "siginfo = %ld; Linux: %ld..%ld)", below, size, size + 15);
    check(ok && r.entry.x0 == SIGUSR1 && r.entry.x1 == r.info && r.entry.x2 == r.uc && r.entry.sp == r.info,
          "B5: the handler is entered with x0 = the signal (%lu), x1 = &siginfo, x2 = &ucontext and sp = the "
          "frame (x1 %#lx, x2 %#lx, sp %#lx; siginfo at %#lx)", (unsigned long)r.entry.x0,
          (unsigned long)r.entry.x1, (unsigned long)r.entry.x2, (unsigned long)r.entry.sp,
          (unsigned long)r.info);
    check(ok && r.entry.x30 == (uintptr_t)vsigreturn,
          "B5: x30 at the handler's entry is " VDSO_SIGRETURN " (%#lx, symbol %p)", (unsigned long)r.entry.x30,
          vsigreturn);
    check(ok && r.entry.x29 == r.uc + sizeof(ucontext_t) && r.record_read && r.record[0] == r.live.x29 &&
              r.record[1] == XVAL(30),
          "B5: x29 at the handler's entry points at a frame record right above the ucontext (x29 %#lx, want "
          "%#lx) holding the interrupted x29 and x30 (%#lx, %#lx; want %#lx, %#llx)",
          (unsigned long)r.entry.x29, (unsigned long)(r.uc + sizeof(ucontext_t)),
          (unsigned long)(r.record_read ? r.record[0] : 0), (unsigned long)(r.record_read ? r.record[1] : 0),
          (unsigned long)r.live.x29, XVAL(30));
    /* x0..x30 in register order: the set values, tgkill's arguments with
     * x0 = 0 (its return: the signal comes on the way out), x9, x29. */
    int bad = -1;
    uintptr_t bad_want = 0;
    for (int n = 30; n >= 0; n--) {
        uintptr_t want;
        switch (n) {
        case 0: want = 0; break;
        case 1: want = r.tid; break;
        case 2: want = SIGUSR1; break;
        case 8: want = SYS_tgkill; break;
        case 9: want = r.x9; break;
        case 29: want = r.live.x29; break;
        default: want = XVAL(n);
        }
        if (r.regs[n] != want)
            bad = n, bad_want = want;
    }
    char detail[96] = "none";
    if (bad >= 0)
        snprintf(detail, sizeof detail, "x%d = %#lx, want %#lx", bad, (unsigned long)r.regs[bad],
                 (unsigned long)bad_want);
    check(ok && bad < 0, "B5: uc_mcontext.regs[n] holds xn: %d values set by asm (x3-x7, x10-x28, x30), "
          "tgkill's x0 = 0, x1, x2, x8, and x9, x29 (first bad: %s)", N_XSET, detail);
    check(ok && (r.pstate & PSTATE_NZCV) == NZCV_SET && (r.pstate & PSTATE_MODE) == 0,
          "B5: uc_mcontext.pstate holds the interrupted NZCV (N, C) and EL0t, AArch64 (pstate %#lx)",
          (unsigned long)r.pstate);
    bad = -1;
    for (int i = N_XSET - 1; i >= 0; i--)
        if (r.live.x[x_set[i]] != XVAL(x_set[i]))
            bad = x_set[i];
    check(ok && bad < 0 && r.live.x[0] == 0 && (r.live.nzcv & PSTATE_NZCV) == NZCV_SET,
          "B5: after rt_sigreturn the %d registers hold their values again, and NZCV (first bad: %s; nzcv %#lx)",
          N_XSET, first_bad('x', bad), (unsigned long)r.live.nzcv);
    check_b6(ok, r.info, r.uc, &r.sc);
}

#elif defined(__x86_64__)

/* x86_64's rt_sigframe, as Linux lays it out: the return address (libc's
 * restorer), the kernel's struct ucontext (flags, link, stack, the 256-byte
 * sigcontext, the 8-byte mask: smaller than glibc's ucontext_t), then
 * siginfo; the FP state (FXSAVE format at least) lies above them, the
 * 128-byte red zone above that, below the interrupted sp. */
#define X86_KERNEL_UCONTEXT 304

/* B4: xmm0..xmm15 and MXCSR across a handler. */
struct b4_res {
    int hits, have_fpregs;
    uint64_t in[16][2], out[16][2], seen[16][2];
    uint32_t mxcsr_in, mxcsr_out, mxcsr_seen;
};
static struct b4_res *b4;
static int b4_edit; /* the handler also writes xmm7, xmm9, xmm10 and MXCSR in the frame */
#define MXCSR_RC(m) ((uint32_t)(m) << 13) /* rounding: 1 down, 2 up, 3 toward zero */
#define MXCSR_MASKS 0x1f80u                /* every exception masked */
#define EDIT(i) (0x4010000000000000ULL + (uint64_t)(i) * 0x111)
#define XMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
    "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define IRP16 ".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"

static void b4_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    b4->hits++;
    b4->have_fpregs = fp != NULL;
    if (fp) {
        for (int i = 0; i < 16; i++)
            memcpy(b4->seen[i], fp->_xmm[i].element, 16);
        b4->mxcsr_seen = fp->mxcsr;
        if (b4_edit) {
            static const int edit[] = {7, 9, 10};
            for (int k = 0; k < 3; k++) {
                uint64_t v[2] = {EDIT(edit[k]), ~EDIT(edit[k])};
                memcpy(fp->_xmm[edit[k]].element, v, 16);
            }
            fp->mxcsr = MXCSR_MASKS | MXCSR_RC(2);
        }
    }
    /* Overwrite every xmm register and MXCSR (toward zero) before returning. */
    static const uint64_t junk[2] = {0x7ff8dead0000beefULL, 0x7ff8dead0000beefULL};
    uint32_t m = MXCSR_MASKS | MXCSR_RC(3);
    __asm__ volatile(IRP16 "movdqu (%0), %%xmm\\n\n.endr\n"
                     "ldmxcsr %1\n"
                     :
                     : "r"(junk), "m"(m)
                     : XMM_CLOBBERS);
    (void)sig, (void)si;
}

static void child_b4(void *out)
{
    b4 = out;
    for (int i = 0; i < 16; i++) {
        b4->in[i][0] = 0x3ff0000000000000ULL + (uint64_t)i * 0x0001000000000101ULL;
        b4->in[i][1] = 0x4000000000000000ULL + (uint64_t)i * 0x0000010000010001ULL;
    }
    b4->mxcsr_in = MXCSR_MASKS | MXCSR_RC(1);
    install(SIGUSR2, b4_handler);
    long pid = getpid(), tid = syscall(SYS_gettid);
    long rax = SYS_tgkill;
    /* One block: load all 16, set MXCSR, tgkill (the handler runs on its
     * return), store all 16 and MXCSR: no compiler code in between. */
    __asm__ volatile("ldmxcsr %[mi]\n"
                     IRP16 "movdqu \\n*16(%[in]), %%xmm\\n\n.endr\n"
                     "syscall\n"
                     IRP16 "movdqu %%xmm\\n, \\n*16(%[out])\n.endr\n"
                     "stmxcsr %[mo]\n"
                     : "+a"(rax), [mo] "=m"(b4->mxcsr_out)
                     : "D"(pid), "S"(tid), "d"((long)SIGUSR2), [in] "r"(b4->in), [out] "r"(b4->out),
                       [mi] "m"(b4->mxcsr_in)
                     : "rcx", "r11", "memory", XMM_CLOBBERS);
}

static int xmm_differs(const uint64_t a[2], const uint64_t b[2]) { return a[0] != b[0] || a[1] != b[1]; }

/* "none" or e.g. "xmm7". */
static const char *xmm_name(int n)
{
    static char b[2][8];
    static int k;
    char *p = b[k++ & 1];
    if (n < 0)
        return "none";
    snprintf(p, 8, "xmm%d", n);
    return p;
}

static void check_b4(void)
{
    int got, st;
    struct b4_res r4;
    for (b4_edit = 0; b4_edit < 2; b4_edit++) {
        st = run_child(child_b4, &r4, sizeof r4, &got);
        int bad = -1, seen_bad = -1;
        for (int i = 15; i >= 0; i--) {
            int edited = b4_edit && r4.have_fpregs && (i == 7 || i == 9 || i == 10);
            uint64_t want[2] = {edited ? EDIT(i) : r4.in[i][0], edited ? ~EDIT(i) : r4.in[i][1]};
            if (xmm_differs(r4.out[i], want))
                bad = i;
            if (xmm_differs(r4.seen[i], r4.in[i]))
                seen_bad = i;
        }
        if (!b4_edit) {
            check(got && r4.hits == 1 && bad < 0,
                  "B4: xmm0..xmm15 survive a handler that overwrites all 16 (first bad: %s; child %s)", xmm_name(bad),
                  status_str(st));
            check(got && r4.hits == 1 && r4.mxcsr_out == r4.mxcsr_in,
                  "B4: MXCSR survives a handler that sets round-toward-zero (%#x before, %#x after)", r4.mxcsr_in,
                  r4.mxcsr_out);
            check(got && r4.hits == 1 && r4.have_fpregs && seen_bad < 0 && r4.mxcsr_seen == r4.mxcsr_in,
                  "B4: the handler sees the interrupted xmm0..xmm15 and MXCSR through uc_mcontext.fpregs "
                  "(fpregs %s; first bad: %s; MXCSR %#x)", r4.have_fpregs ? "set" : "NULL", xmm_name(seen_bad),
                  r4.mxcsr_seen);
        } else {
            check(got && r4.hits == 1 && r4.have_fpregs && bad < 0 && r4.mxcsr_out == (MXCSR_MASKS | MXCSR_RC(2)),
                  "B4: xmm7, xmm9, xmm10 and MXCSR (round up) written into the frame are what the interrupted "
                  "code has after rt_sigreturn (fpregs %s; first bad: %s; MXCSR %#x)",
                  r4.have_fpregs ? "set" : "NULL", xmm_name(bad), r4.mxcsr_out);
        }
    }
}

/* B5: the general registers in the frame. rbp (maybe the frame pointer) and
 * rsp are the compiler's, rbx holds the results' address, rcx and r11 are
 * the syscall instruction's. */
static const int x86_set[] = {REG_R8, REG_R9, REG_R10, REG_R12, REG_R13, REG_R14, REG_R15};
static const char *const x86_set_name[] = {"r8", "r9", "r10", "r12", "r13", "r14", "r15"};
#define N_XSET (int)(sizeof x86_set / sizeof x86_set[0])

struct b5_res {
    int hits;
    uintptr_t gregs[NGREG], info, uc, local, pid, tid;
    struct {
        uintptr_t sp, pc_after, x[N_XSET];
    } live; /* written by the asm: rsp, the label after syscall, the set registers after */
    struct scan sc;
};
static struct b5_res *b5;

static void b5_handler(int sig, siginfo_t *si, void *ucv)
{
    volatile int local = 0;
    ucontext_t *uc = ucv;
    b5->hits++;
    for (int i = 0; i < NGREG; i++)
        b5->gregs[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    b5->info = (uintptr_t)si;
    b5->uc = (uintptr_t)uc;
    b5->local = (uintptr_t)&local;
    /* The kernel's ucontext and siginfo, which lie in one piece. */
    scan_words(&b5->sc, (const void *)uc, X86_KERNEL_UCONTEXT + sizeof *si, 0);
    if (uc->uc_mcontext.fpregs)
        scan_words(&b5->sc, (const void *)uc->uc_mcontext.fpregs, sizeof *uc->uc_mcontext.fpregs,
                   (long)((uintptr_t)uc->uc_mcontext.fpregs - (uintptr_t)uc));
    (void)sig;
}

static void child_b5(void *out)
{
    b5 = out;
    b5->pid = (uintptr_t)getpid();
    b5->tid = (uintptr_t)syscall(SYS_gettid);
    install(SIGUSR1, b5_handler);
    scrub_stack_below();
    long rax = SYS_tgkill;
#define SETQ(r, n) "movabs $0x5eed000000000000 + " #n " * 0x10101, %%" #r "\n"
#define PUTQ(r, i) "mov %%" #r ", 16+" #i "*8(%[live])\n"
    __asm__ volatile("mov %%rsp, 0(%[live])\n"
                     "lea 1f(%%rip), %%rcx\n"
                     "mov %%rcx, 8(%[live])\n"
                     SETQ(r8, 0) SETQ(r9, 1) SETQ(r10, 2) SETQ(r12, 3) SETQ(r13, 4) SETQ(r14, 5) SETQ(r15, 6)
                     "syscall\n"
                     "1:\n"
                     PUTQ(r8, 0) PUTQ(r9, 1) PUTQ(r10, 2) PUTQ(r12, 3) PUTQ(r13, 4) PUTQ(r14, 5) PUTQ(r15, 6)
                     : "+a"(rax)
                     : "D"((long)b5->pid), "S"((long)b5->tid), "d"((long)SIGUSR1), [live] "b"(&b5->live)
                     : "memory", "rcx", "r11", "r8", "r9", "r10", "r12", "r13", "r14", "r15");
#undef SETQ
#undef PUTQ
}

static void check_b5_b6(void)
{
    struct b5_res r;
    int got, st = run_child(child_b5, &r, sizeof r, &got);
    int ok = got && r.hits == 1;
    check(ok && r.gregs[REG_RIP] == r.live.pc_after,
          "B5: gregs[REG_RIP] is the address right after the syscall (%#lx, want %#lx; child %s)",
          (unsigned long)r.gregs[REG_RIP], (unsigned long)r.live.pc_after, status_str(st));
    check(ok && r.gregs[REG_RSP] == r.live.sp && r.local < r.uc && r.gregs[REG_RSP] - r.local < 16384,
          "B5: gregs[REG_RSP] is the interrupted sp (%#lx, want %#lx), a few KiB above the handler's stack "
          "(sp - handler local = %ld)", (unsigned long)r.gregs[REG_RSP], (unsigned long)r.live.sp,
          (long)(r.gregs[REG_RSP] - r.local));
    long above = (long)(r.gregs[REG_RSP] - (r.info + sizeof(siginfo_t)));
    check(ok && above >= 128,
          "B5: the frame leaves the interrupted code's 128-byte red zone alone (sp - end of siginfo = %ld)", above);
    int bad = -1;
    for (int i = N_XSET - 1; i >= 0; i--)
        if (r.gregs[x86_set[i]] != XVAL(i))
            bad = i;
    uintptr_t want_args[] = {r.pid, r.tid, SIGUSR1};
    const int arg_reg[] = {REG_RDI, REG_RSI, REG_RDX};
    int bad_arg = -1;
    for (int i = 2; i >= 0; i--)
        if (r.gregs[arg_reg[i]] != want_args[i])
            bad_arg = i;
    check(ok && bad < 0 && bad_arg < 0 && r.gregs[REG_RAX] == 0,
          "B5: gregs holds the interrupted registers: %d values set by asm (r8-r10, r12-r15), tgkill's "
          "rdi, rsi, rdx and rax = 0 (first bad: %s%s; rax %#lx)", N_XSET, bad >= 0 ? x86_set_name[bad] : "none",
          bad_arg >= 0 ? ", an argument" : "", (unsigned long)r.gregs[REG_RAX]);
    bad = -1;
    for (int i = N_XSET - 1; i >= 0; i--)
        if (r.live.x[i] != XVAL(i))
            bad = i;
    check(ok && bad < 0, "B5: after rt_sigreturn the %d registers hold their values again (first bad: %s)",
          N_XSET, bad >= 0 ? x86_set_name[bad] : "none");
    check(ok && r.info == r.uc + X86_KERNEL_UCONTEXT,
          "B6: siginfo follows the kernel's ucontext directly, as in Linux's x86_64 rt_sigframe (info - uc = %ld)",
          (long)(r.info - r.uc));
    check(ok && r.sc.scanned > 0 && r.sc.kernel_words == 0,
          "B6: no 8-byte word of ucontext + siginfo + FP state (%ld bytes) lies in the kernel half [%#llx, %#llx) "
          "(%ld do; first at +%ld: %#lx)", r.sc.scanned, KERNEL_LO, KERNEL_HI, r.sc.kernel_words, r.sc.first_off,
          (unsigned long)r.sc.first_val);
}

#endif

static void check_b1_b2(void)
{
    struct b1_res r1;
    int got, st = run_child(child_b1, &r1, sizeof r1, &got);
#ifdef VDSO_SIGRETURN
    check(got && r1.hits == 1 && vsigreturn && r1.ra == (uintptr_t)vsigreturn && r1.ra_builtin == r1.ra,
          "B1: the handler returns to " VDSO_SIGRETURN "@%s (return address at entry %#lx, __builtin_return_address %#lx, "
          "symbol %p; child %s)", VDSO_VERSION, (unsigned long)r1.ra, (unsigned long)r1.ra_builtin, vsigreturn,
          status_str(st));
    check(got && r1.hits == 1 && !memcmp(r1.code, sigreturn_code, 8),
          "B1: the code at the handler's return address is " VDSO_SIGRETURN_ASM);
#else
    /* No trampoline in this arch's vDSO: the handler returns to libc's
     * restorer (SA_RESTORER), outside [vdso]. */
    check(got && r1.hits == 1 && vsigreturn == NULL && (r1.ra < text || r1.ra >= text + text_len),
          "B1: " ARCH_NAME " has no " VDSO_NO_SIGRETURN " in the vDSO; the handler returns to libc's restorer at "
          "%#lx, outside [vdso] %#lx-%#lx (child %s)", (unsigned long)r1.ra, (unsigned long)text,
          (unsigned long)(text + text_len), status_str(st));
#endif

    struct b2_res r2;
    st = run_child(child_b2, &r2, sizeof r2, &got);
    char ips[16 * 20] = "";
    for (int i = 0, len = 0; i < r2.frames && i < 16; i++)
        len += snprintf(ips + len, sizeof ips - (size_t)len, " %#lx", (unsigned long)r2.ip[i]);
    check(got && st == 0 && r2.hits == 1 && r2.reached,
          "B2: _Unwind_Backtrace from a SIGUSR1 handler gets through the signal frame to raiser() at %p-%p "
          "(child %s; %d frames:%s)", (const void *)__start_guard_raiser, (const void *)__stop_guard_raiser,
          status_str(st), r2.frames, ips);
    if (dynamic_build)
        check(got && st == 0 && r2.glibc_reached, "B2: glibc's backtrace() from the handler reaches raiser() "
              "(%d frames)", r2.glibc_frames);
}

static void check_b3(void)
{
    struct b3_res r3;
    int got, st = run_child(child_b3, &r3, sizeof r3, &got);
    check(got && r3.hits == 1 && r3.fault_pc == r3.load_pc && r3.fault_addr == r3.page,
          "B3: a load from a PROT_NONE page raises SIGSEGV once with the frame's pc at the load (%#lx, load at "
          "%#lx) and si_addr the page (%#lx; child %s)", (unsigned long)r3.fault_pc, (unsigned long)r3.load_pc,
          (unsigned long)r3.fault_addr, status_str(st));
    check(got && st == 0 && r3.marker == 0x5a2,
          "B3: pc += %d (the load's length) in the frame resumes at the next instruction (marker %#lx, want 0x5a2)",
          B3_LOAD_LEN, (unsigned long)r3.marker);
#ifdef __aarch64__
    check(got && r3.hits == 1 && r3.mc_fault_addr == r3.page,
          "B3: uc_mcontext.fault_address is the faulting address, as Linux sets it (%#lx, want %#lx)",
          (unsigned long)r3.mc_fault_addr, (unsigned long)r3.page);
#endif
}

static void part_b(void)
{
    dynamic_build = _DYNAMIC != NULL;
    check_b1_b2();
    check_b3();
    check_b4();
    check_b5_b6();
}

/* ---- Part C: a hostile rt_sigreturn, and attacks from a second thread ---- */

struct c_res {
    int returned; /* set only if rt_sigreturn came back to the caller */
    int alive, alarm_seen;
    uint64_t nzcv;
};

/* A kernel-half address and an unmapped user one, as a forged frame's sp. */
static uintptr_t c_bad_sp;

/* rt_sigreturn with sp = c_bad_sp: the kernel must not read the frame there
 * (a kernel address) or fault on it; Linux sends a SIGSEGV the process can
 * neither block nor ignore. If the call ever returned, sp is put back and the
 * child reports it. */
static void child_c_bad_frame(void *out)
{
    struct c_res *r = out;
#if defined(__riscv)
    __asm__ volatile("mv s2, sp\n"
                     "mv sp, %0\n"
                     "li a7, 139\n"
                     "ecall\n"
                     "mv sp, s2\n"
                     :
                     : "r"(c_bad_sp)
                     : "s2", "a0", "a7", "memory");
#elif defined(__aarch64__)
    __asm__ volatile("mov x19, sp\n"
                     "mov sp, %0\n"
                     "mov x8, #139\n"
                     "svc #0\n"
                     "mov sp, x19\n"
                     :
                     : "r"(c_bad_sp)
                     : "x19", "x0", "x8", "memory");
#elif defined(__x86_64__)
    __asm__ volatile("mov %%rsp, %%rbx\n"
                     "mov %0, %%rsp\n"
                     "mov $15, %%eax\n" /* __NR_rt_sigreturn */
                     "syscall\n"
                     "mov %%rbx, %%rsp\n"
                     :
                     : "r"(c_bad_sp)
                     : "rbx", "rax", "rcx", "r11", "memory");
#endif
    r->returned = 1;
}

static void child_c_bad_frame_ignored(void *out)
{
    signal(SIGSEGV, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    child_c_bad_frame(out);
}

/* A handler that points the interrupted pc at kernel text: rt_sigreturn takes
 * it, but the program stays in user mode and dies of the fetch. */
static void c_forge_handler(int sig, siginfo_t *si, void *ucv)
{
    UC_PC((ucontext_t *)ucv) = KERNEL_TEXT;
    (void)sig, (void)si;
}

static void child_c_forged_pc(void *out)
{
    struct c_res *r = out;
    install(SIGUSR1, c_forge_handler);
    raise(SIGUSR1);
    r->returned = 1;
}

#ifdef __aarch64__
/* A handler that breaks the fpsimd_context record's magic: Linux refuses the
 * frame (-EINVAL, then SIGSEGV). */
static void c_fpsimd_handler(int sig, siginfo_t *si, void *ucv)
{
    struct _aarch64_ctx *h = (struct _aarch64_ctx *)((ucontext_t *)ucv)->uc_mcontext.__reserved;
    h->magic = 0x12345678;
    (void)sig, (void)si;
}

static void child_c_fpsimd(void *out)
{
    struct c_res *r = out;
    install(SIGUSR1, c_fpsimd_handler);
    raise(SIGUSR1);
    r->returned = 1;
}

/* A handler that asks for privileged PSTATE (c_pstate: EL1h, interrupts
 * masked, or nothing for the control run) and sets Z and C. Only NZCV may
 * come back: the child then finds Z and C set right after its svc and, with
 * interrupts unmasked, a timer signal arrives while it spins without a
 * syscall. Linux kills it with SIGSEGV instead (valid_user_regs). */
static uint64_t c_pstate;
static volatile sig_atomic_t c_alarm;

static void c_pstate_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t p = uc->uc_mcontext.pstate & ~(PSTATE_NZCV | PSTATE_MODE | PSTATE_DAIF);
    uc->uc_mcontext.pstate = p | c_pstate | 0x60000000ULL; /* Z, C */
    (void)sig, (void)si;
}

static void c_alarm_handler(int sig) { c_alarm = sig; }

static void child_c_pstate(void *out)
{
    struct c_res *r = out;
    install(SIGUSR1, c_pstate_handler);
    signal(SIGALRM, c_alarm_handler);
    long pid = getpid(), tid = syscall(SYS_gettid);
    register long x0 __asm__("x0") = pid;
    register long x1 __asm__("x1") = tid;
    register long x2 __asm__("x2") = SIGUSR1;
    register long x8 __asm__("x8") = SYS_tgkill;
    uint64_t nzcv;
    __asm__ volatile("msr nzcv, xzr\n"
                     "svc #0\n"
                     "mrs %[f], nzcv\n"
                     : "+r"(x0), [f] "=r"(nzcv)
                     : "r"(x1), "r"(x2), "r"(x8)
                     : "memory", "cc");
    r->nzcv = nzcv;
    r->returned = 1;
    report();
    /* Interrupts at EL0: a 20 ms timer must interrupt a loop that makes no
     * syscall (glibc's clock_gettime reads the vDSO; 3 s at most). */
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while (!c_alarm && ts_ns(&b) - ts_ns(&a) < 3000000000LL);
    r->alarm_seen = c_alarm != 0;
    r->alive = 1;
}

static void check_c_pstate(void)
{
    static const struct {
        uint64_t bits;
        const char *what;
    } cases[] = {
        {0, "nothing (control)"},
        {PSTATE_EL1H | PSTATE_DAIF, "EL1h with D, A, I, F masked"},
        {PSTATE_EL1H, "EL1h"},
        {PSTATE_DAIF, "EL0t with D, A, I, F masked"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct c_res r;
        int got;
        c_pstate = cases[i].bits;
        int st = run_child(child_c_pstate, &r, sizeof r, &got);
        int user = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && r.alive && r.alarm_seen &&
                   (r.nzcv & PSTATE_NZCV) == 0x60000000ULL;
        check((cases[i].bits && killed_by(st, SIGSEGV)) || user,
              "C1: a handler that asks for %s in pstate, and Z, C: %s (child %s; after the svc nzcv %#llx, "
              "%s, a timer signal %s the spin)", cases[i].what,
              cases[i].bits ? "the process dies of SIGSEGV (Linux) or runs on in EL0 with only NZCV taken"
                            : "the process runs on with Z, C and a timer signal comes",
              status_str(st), (unsigned long long)r.nzcv, r.returned ? "returned" : "never returned",
              r.alarm_seen ? "interrupted" : "never interrupted");
    }
}
#endif

static void check_c_sigreturn(void)
{
    /* An unmapped user page: one just mapped and unmapped again. */
    void *hole = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!check(hole != MAP_FAILED && munmap(hole, PAGE) == 0, "C1: an unmapped user page at %p", hole))
        return;
    const struct {
        uintptr_t sp;
        void (*fn)(void *);
        const char *what;
    } cases[] = {
        {KERNEL_TEXT, child_c_bad_frame, "sp in the kernel half"},
        {(uintptr_t)hole, child_c_bad_frame, "sp on an unmapped user page"},
        {KERNEL_TEXT, child_c_bad_frame_ignored, "sp in the kernel half, SIGSEGV ignored and blocked"},
        {0, child_c_forged_pc, "a handler that sets the frame's pc to kernel text"},
#ifdef __aarch64__
        {0, child_c_fpsimd, "a handler that breaks the fpsimd_context record's magic"},
#endif
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct c_res r;
        int got;
        c_bad_sp = cases[i].sp;
        int st = run_child(cases[i].fn, &r, sizeof r, &got);
        check(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && !r.returned,
              "C1: rt_sigreturn with %s kills the process with SIGSEGV (child %s%s)", cases[i].what,
              status_str(st), r.returned ? "; it returned" : "");
    }
#ifdef __aarch64__
    check_c_pstate();
#endif
    check(vclock_ok(), "C1: the kernel and the vDSO work on after the forged frames");
}

/* A second thread asks for write access to the shared pages and tries to
 * replace them, over and over, while the first reads the vDSO clock. */
struct c_thread {
    int tries, eacces;
};

static void *c_attacker(void *arg)
{
    struct c_thread *t = arg;
    for (int i = 0; i < 200; i++) {
        t->tries += 2;
        t->eacces += mprotect((void *)text, text_len, PROT_READ | PROT_WRITE | PROT_EXEC) == -1 && errno == EACCES;
        t->eacces += mprotect((void *)vvar, VVAR_SIZE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES;
    }
    return NULL;
}

static void check_c_threads(void)
{
    struct c_thread t = {0, 0};
    pthread_t th;
    if (!check(pthread_create(&th, NULL, c_attacker, &t) == 0, "C2: a second thread starts"))
        return;
    struct timespec prev = {0, 0}, now;
    long backwards = 0, reads = 0;
    while (reads < 20000) {
        vgettime(CLOCK_MONOTONIC, &now);
        backwards += now.tv_sec < prev.tv_sec || (now.tv_sec == prev.tv_sec && now.tv_nsec < prev.tv_nsec);
        prev = now;
        reads++;
    }
    pthread_join(th, NULL);
    check(t.tries == 400 && t.eacces == t.tries,
          "C2: a concurrent thread's %d mprotect calls for write access all fail with EACCES (%d did)", t.tries,
          t.eacces);
    check(backwards == 0, "C2: %ld vDSO reads meanwhile never go backwards (%ld did)", reads, backwards);
    check_intact("after C2");
}

/* C3: mprotect over anonymous memory with no page table under it yet (never
 * touched; here 1 GiB + 8 KiB, so whole 2 MiB and 1 GiB table entries are
 * empty) and back, then use it. On Starry 0.2 aarch64 one such mprotect
 * panicked the kernel (an empty upper-level entry read as a block). */
static void child_c_untouched(void *out)
{
    cur = out;
    size_t len = (1UL << 30) + 2 * PAGE;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                            -1, 0);
    step(0, p == MAP_FAILED ? -1 : 0, errno);
    if (p == MAP_FAILED)
        return;
    step(1, mprotect(p + PAGE, len - 2 * PAGE, PROT_NONE), 0);
    step(2, mprotect(p + PAGE, len - 2 * PAGE, PROT_READ | PROT_WRITE), 0);
    p[PAGE] = 0x5a;
    p[len - PAGE - 1] = 0xa5;
    step(3, p[PAGE] == 0x5a && p[len - PAGE - 1] == 0xa5, 0);
    step(4, munmap(p, len), 0);
}

static void check_c_untouched(void)
{
    struct steps r;
    int got = 0;
    int st = run_child(child_c_untouched, &r, sizeof r, &got);
    check(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && ret_is(&r, 0, 0) && ret_is(&r, 1, 0) &&
              ret_is(&r, 2, 0) && ret_is(&r, 3, 1) && ret_is(&r, 4, 0),
          "C3: mprotect of 1 GiB of untouched anonymous memory to PROT_NONE and back, then writing and "
          "unmapping it, works (mmap %s, mprotect %s / %s, data %s, munmap %s; child %s)",
          said(&r, 0), said(&r, 1), said(&r, 2), said(&r, 3), said(&r, 4), status_str(st));
}

static void part_c(void)
{
    check_c_sigreturn();
    check_c_untouched();
    check_c_threads();
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    const char *slash = strrchr(argv[0], '/');
    check_prog = slash ? slash + 1 : argv[0];
    if (argc == 4 && !strcmp(argv[1], "--verify"))
        return verify_main(argv[2], argv[3]);

    text = getauxval(AT_SYSINFO_EHDR);
    struct vdso v;
    if (text && vdso_open(&v, text) == 0) {
        vgettime = (gettime_fn)vdso_sym(&v, VDSO_CLOCK_GETTIME, VDSO_VERSION);
#ifdef VDSO_SIGRETURN
        vsigreturn = vdso_sym(&v, VDSO_SIGRETURN, VDSO_VERSION);
#else
        vsigreturn = vdso_sym(&v, VDSO_NO_SIGRETURN, VDSO_VERSION);
#endif
    }
    part_a();
    part_b();
    part_c();
    return check_summary();
}
