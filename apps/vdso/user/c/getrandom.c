/* getrandom.c - the vDSO's getrandom (Linux 6.11's vgetrandom ABI).
 *
 * Built statically as /bin/vdso-getrandom (the init runner runs it as root).
 * Where the arch's row exports getrandom (vdso_arch.h: VDSO_GETRANDOM):
 *   - the parameters query answers Linux's values, and states are mapped
 *     with them (MAP_DROPPABLE);
 *   - the kernel's generator is ready in the data page, and 1000 calls make
 *     (almost) no getrandom syscall;
 *   - known answers: a state given a known key gives exactly ChaCha20's
 *     blocks (computed here from scratch), refills its batch and replaces its
 *     key as Linux's does, gives out batch bytes from any position and zeroes
 *     them;
 *   - a fork child never repeats the parent's stream (its state is zeroed),
 *     a reseed (RNDRESEEDCRNG) changes the stream of a state, threads with
 *     their own states draw different bytes; replaying a saved state without
 *     either gives the same bytes (the control that makes those meaningful);
 *   - a statistical sanity check of 1 MiB;
 *   - bad arguments give Linux's answers; the data page or the vDSO text
 *     passed as the state changes nothing (the syscall answers, or the
 *     caller faults).
 * An image without the export passes only if it is Linux's own (GNU ld
 * writes the version node's symbol; our riscv64 image has none).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "vdso_arch.h"
#include "vdso_lookup.h"

#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif

#ifdef VDSO_GETRANDOM
typedef long (*vgetrandom_fn)(void *, size_t, unsigned int, void *, size_t);

struct params {
    uint32_t size_of_opaque_state, mmap_prot, mmap_flags, reserved[13];
};

/* Linux's struct vgetrandom_state (include/vdso/getrandom.h). */
struct state {
    uint8_t batch[96];
    uint32_t key[8];
    uint64_t generation;
    uint8_t pos;
    uint8_t in_use;
    uint8_t pad[6];
};

/* Linux's struct vdso_rng_data, at offset 480 of the first data page. */
struct rng_data {
    volatile uint64_t generation;
    volatile uint8_t is_ready;
};

static vgetrandom_fn vgr;
static struct params P;
static const struct rng_data *rng;

/* ---- a reference ChaCha20 block (RFC 8439 rounds, 64-bit counter, nonce 0) ---- */

static uint32_t rotl(uint32_t v, int n) { return v << n | v >> (32 - n); }

#define QR(a, b, c, d)                                                                                       \
    (a += b, d = rotl(d ^ a, 16), c += d, b = rotl(b ^ c, 12), a += b, d = rotl(d ^ a, 8), c += d,           \
     b = rotl(b ^ c, 7))

static void ref_block(const uint32_t key[8], uint64_t counter, uint8_t out[64])
{
    uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, key[0], key[1], key[2], key[3],
                       key[4], key[5], key[6], key[7], (uint32_t)counter, (uint32_t)(counter >> 32), 0, 0};
    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++) {
        uint32_t w = x[i] + in[i];
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(w >> (8 * j));
    }
}

/* ---- helpers ---- */

/* getrandom syscalls this process made, from /proc/self/syscalls. */
static long getrandom_syscalls(void)
{
    FILE *f = fopen("/proc/self/syscalls", "r");
    long nr, count, found = 0;
    if (!f)
        return -1;
    while (fscanf(f, "%ld %ld", &nr, &count) == 2)
        if (nr == SYS_getrandom)
            found = count;
    fclose(f);
    return found;
}

static struct state *new_state(void)
{
    void *p = mmap(NULL, 4096, (int)P.mmap_prot, (int)P.mmap_flags, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static long draw(struct state *s, void *buf, size_t len)
{
    return vgr(buf, len, 0, s, P.size_of_opaque_state);
}

static int is_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* A state with a known key, current under the kernel's generation, its
 * batch empty or holding `batch` from `pos` on. */
static void known_state(struct state *s, const uint32_t key[8], const uint8_t *batch, uint8_t pos)
{
    memset(s, 0, sizeof *s);
    memcpy(s->key, key, sizeof s->key);
    if (batch)
        memcpy(s->batch, batch, sizeof s->batch);
    s->pos = batch ? pos : sizeof s->batch;
    s->generation = rng->generation;
}

/* ---- the checks ---- */

static void known_answers(struct state *s)
{
    static const uint32_t key[8] = {0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c,
                                    0x13121110, 0x17161514, 0x1b1a1918, 0x1f1e1d1c};
    uint8_t want[4][64], got[144];
    for (int i = 0; i < 4; i++)
        ref_block(key, (uint64_t)i, want[i]);
    /* The reference itself, against RFC 8439's test vector A.1 #1 (key 0,
     * counter 0, nonce 0). */
    static const uint8_t rfc7539_zero_key_block0[16] = {0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
                                                          0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28};
    uint8_t zero_block[64];
    static const uint32_t zero_key[8];
    ref_block(zero_key, 0, zero_block);
    check(!memcmp(zero_block, rfc7539_zero_key_block0, 16),
          "the test's reference ChaCha20 gives the published all-zero-key block");

    int ok = 0, tries;
    for (tries = 0; tries < 3 && !ok; tries++) {
        uint64_t gen = rng->generation;
        known_state(s, key, NULL, 0);
        long r = draw(s, got, sizeof got);
        if (rng->generation != gen)
            continue; /* a reseed in between: the state took a new key */
        ok = r == (long)sizeof got && !memcmp(got, want[0], 64) && !memcmp(got + 64, want[1], 64) &&
             !memcmp(got + 128, want[2], 16);
        check(ok, "144 bytes from a known key: blocks 0 and 1 straight out, then 16 batch bytes of block 2");
        check(s->pos == 16 && is_zero(s->batch, 16) && !memcmp(s->batch + 16, want[2] + 16, 48) &&
                  !memcmp(s->batch + 64, want[3], 32) && !memcmp(s->key, want[3] + 32, 32) && !s->in_use,
              "the refill: batch = block 2 + half of block 3 (16 given out, zeroed), new key = rest of block 3");
        ok = 1;
    }
    if (!ok)
        check(0, "known answers: the generator reseeded during each of 3 tries");

    /* Batch bytes from an odd position, across words, then a refill. */
    uint8_t batch[96];
    for (int i = 0; i < 96; i++)
        batch[i] = (uint8_t)(0xa0 + i);
    uint8_t part[7];
    known_state(s, key, batch, 5);
    long r = draw(s, part, sizeof part);
    check(r == 7 && !memcmp(part, batch + 5, 7) && s->pos == 12 && is_zero(s->batch + 5, 7) &&
              !memcmp(s->batch, batch, 5) && !memcmp(s->batch + 12, batch + 12, 84),
          "7 batch bytes from position 5: given in order, zeroed, the rest untouched");
    uint8_t tail[100];
    known_state(s, key, batch, 90);
    r = draw(s, tail, sizeof tail);
    check(r == 100 && !memcmp(tail, batch + 90, 6) && !memcmp(tail + 6, want[0], 64) &&
              !memcmp(tail + 70, want[1], 30),
          "100 bytes from position 90: 6 batch bytes, one block straight out, 30 from the refilled batch");
}

static void fork_and_reseed(struct state *s)
{
    uint8_t a[64], b[64], c[64];
    struct state saved;
    draw(s, a, sizeof a); /* keyed and current */
    memcpy(&saved, s, sizeof saved);
    draw(s, a, sizeof a);
    memcpy(s, &saved, sizeof saved);
    draw(s, b, sizeof b);
    check(!memcmp(a, b, sizeof a), "control: replaying a saved state gives the same 64 bytes");

    /* fork: the child's copy of the state is zeroed, it takes its own key. */
    memcpy(s, &saved, sizeof saved);
    int fds[2];
    if (pipe(fds) != 0) {
        check(0, "pipe: %s", strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t child[65];
        child[0] = is_zero(s, sizeof *s);
        draw(s, child + 1, 64);
        ssize_t w = write(fds[1], child, sizeof child);
        _exit(w == (ssize_t)sizeof child ? 0 : 1);
    }
    uint8_t child[65];
    ssize_t n = read(fds[0], child, sizeof child);
    int status = 0;
    waitpid(pid, &status, 0);
    close(fds[0]);
    close(fds[1]);
    draw(s, c, sizeof c);
    check(n == 65 && child[0], "fork: the child's state reads as zero (MAP_DROPPABLE)");
    check(n == 65 && !memcmp(c, a, 64), "fork: the parent's state goes on as before");
    check(n == 65 && memcmp(child + 1, a, 64) != 0, "fork: the child draws other bytes than the parent");

    /* reseed: the same saved state, after RNDRESEEDCRNG, takes a new key. */
    int fd = open("/dev/urandom", O_RDONLY);
    uint64_t before = rng->generation;
    int rr = fd >= 0 ? ioctl(fd, RNDRESEEDCRNG) : -1;
    if (fd >= 0)
        close(fd);
    uint64_t after = rng->generation;
    check(rr == 0 && after > before, "RNDRESEEDCRNG: the data page's generation grows (%llu -> %llu)",
          (unsigned long long)before, (unsigned long long)after);
    memcpy(s, &saved, sizeof saved);
    draw(s, c, sizeof c);
    check(memcmp(c, a, 64) != 0 && s->generation == after,
          "reseed: the saved state takes the new generation's key and draws other bytes");
}

#define THREADS 4
static uint8_t thread_out[THREADS][32];
static long thread_ret[THREADS];

static void *thread_draw(void *arg)
{
    long i = (long)arg;
    struct state *s = new_state();
    thread_ret[i] = s ? draw(s, thread_out[i], 32) : -1;
    return NULL;
}

static void threads(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_draw, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int ok = 1;
    for (int i = 0; i < THREADS; i++) {
        ok &= thread_ret[i] == 32;
        for (int j = 0; j < i; j++)
            ok &= memcmp(thread_out[i], thread_out[j], 32) != 0;
    }
    check(ok, "%d threads with their own states draw 32 different bytes each", THREADS);
}

static void statistics(struct state *s)
{
    enum { N = 1 << 20 };
    uint8_t *buf = malloc(N);
    if (!buf) {
        check(0, "malloc");
        return;
    }
    long r = 0;
    /* In uneven pieces, through the batch and the block path both. */
    for (size_t off = 0, piece = 1; off < N; off += piece, piece = piece * 7 % 4093 + 1) {
        size_t n = piece < N - off ? piece : N - off;
        if (draw(s, buf + off, n) != (long)n)
            r = -1;
    }
    long counts[256] = {0};
    long ones = 0;
    for (size_t i = 0; i < N; i++) {
        counts[buf[i]]++;
        ones += __builtin_popcount(buf[i]);
    }
    double chi = 0, expect = N / 256.0;
    for (int i = 0; i < 256; i++)
        chi += (counts[i] - expect) * (counts[i] - expect) / expect;
    /* 255 degrees of freedom: mean 255, sd 22.6; these bounds are 5 sd. */
    check(r == 0 && chi > 142 && chi < 368, "1 MiB in uneven pieces: byte chi-square %.1f (255 expected)", chi);
    double bias = (double)ones / (8.0 * N) - 0.5;
    check(bias > -0.001 && bias < 0.001, "1 MiB: fraction of one bits %.5f", 0.5 + bias);
    int repeats = 0;
    for (size_t i = 16; i + 16 <= 65536; i += 16)
        repeats += !memcmp(buf, buf + i, 16);
    check(repeats == 0, "the first 16 bytes do not recur in the next 64 KiB");
    free(buf);
}

static void bad_arguments(struct state *s)
{
    uint8_t buf[16];
    long before = getrandom_syscalls();
    check(vgr(buf, sizeof buf, 0x100, s, P.size_of_opaque_state) == -EINVAL, "an unknown flag: -EINVAL");
    check(vgr(NULL, 16, 0, s, P.size_of_opaque_state) == -EFAULT, "a NULL buffer: -EFAULT");
    check(vgr(buf, 0, 0, s, P.size_of_opaque_state) == 0, "length 0: 0");
    long r = vgr(buf, sizeof buf, 0, s, P.size_of_opaque_state - 8);
    long made = getrandom_syscalls() - before;
    check(r == 16 && made == 3, "a wrong state size: the syscall answers (%ld; 3 syscalls for the 3 fallbacks: %ld)",
          r, made);
    uint8_t *page = mmap(NULL, 8192, (int)P.mmap_prot, (int)P.mmap_flags, -1, 0);
    if (page != MAP_FAILED) {
        check(vgr(buf, sizeof buf, 0, page + 4096 - 64, P.size_of_opaque_state) == -EFAULT,
              "a state across a page boundary: -EFAULT");
        munmap(page, 8192);
    }
    /* Hostile: the data page or the vDSO's own text as the "state". Either the
     * vDSO reads it as in use and the syscall answers, or it writes it and the
     * caller faults (the pages are read-only); either way both are unchanged. */
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    void *targets[2] = {(void *)(ehdr - 2 * 4096), (void *)ehdr};
    const char *names[2] = {"the data page", "the vDSO text"};
    for (int t = 0; t < 2; t++) {
        uint64_t generation = rng->generation;
        uint8_t text_before[256];
        memcpy(text_before, targets[t], sizeof text_before);
        pid_t pid = fork();
        if (pid == 0) {
            _exit(vgr(buf, sizeof buf, 0, targets[t], P.size_of_opaque_state) == 16 ? 0 : 1);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        int answered = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        int faulted = WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
        /* The data page's clock records change every tick: compare the text
         * only; a write to either page could only have faulted. */
        check((answered || faulted) && rng->generation >= generation && rng->is_ready == 1 &&
                  (t == 0 || !memcmp(text_before, targets[t], sizeof text_before)),
              "%s as the state: %s, the page unchanged (status %#x)", names[t],
              answered ? "the syscall answered" : faulted ? "the caller died of SIGSEGV" : "neither", status);
    }
    /* A state in use (a signal handler's call): the syscall, the state untouched. */
    draw(s, buf, 1);
    s->in_use = 1;
    struct state copy;
    memcpy(&copy, s, sizeof copy);
    before = getrandom_syscalls();
    r = draw(s, buf, sizeof buf);
    check(r == 16 && getrandom_syscalls() - before == 1 && !memcmp(&copy, s, sizeof copy),
          "a state in use: one syscall, the state untouched");
    s->in_use = 0;
}

static int image_is_linux_built(const struct vdso *v)
{
    /* GNU ld writes the version node as an absolute symbol; lld (ours) does not on riscv64. */
    for (uint32_t i = 1; i < v->hash[1]; i++)
        if (v->symtab[i].st_shndx == SHN_ABS && !strcmp(v->strtab + v->symtab[i].st_name, VDSO_VERSION))
            return 1;
    return 0;
}

#endif

int main(void)
{
    check_prog = "vdso-getrandom";
    struct vdso v;
    uintptr_t ehdr = getauxval(AT_SYSINFO_EHDR);
    if (!check(ehdr && vdso_open(&v, ehdr) == 0, "the vDSO is mapped and readable"))
        return check_summary();
#ifndef VDSO_GETRANDOM
    check(vdso_sym(&v, "__vdso_getrandom", VDSO_VERSION) == NULL &&
              vdso_sym(&v, "__kernel_getrandom", VDSO_VERSION) == NULL,
          "no getrandom on this arch (its axvdso-abi row exports none)");
    return check_summary();
#else
    vgr = (vgetrandom_fn)vdso_sym(&v, VDSO_GETRANDOM, VDSO_VERSION);
    if (!vgr) {
        check(image_is_linux_built(&v), "no %s@%s: the image is Linux's own (6.1 predates it)", VDSO_GETRANDOM,
              VDSO_VERSION);
        return check_summary();
    }
    check(1, "%s@%s found", VDSO_GETRANDOM, VDSO_VERSION);
    rng = (const void *)(ehdr - 2 * 4096 + 480);

    memset(&P, 0xff, sizeof P);
    long r = vgr(NULL, 0, 0, &P, ~0UL);
    check(r == 0 && P.size_of_opaque_state == sizeof(struct state) && P.mmap_prot == (PROT_READ | PROT_WRITE) &&
              P.mmap_flags == (MAP_DROPPABLE | MAP_ANONYMOUS) && is_zero(P.reserved, sizeof P.reserved),
          "parameters: state %u bytes, prot %#x, flags %#x, reserved zeroed", P.size_of_opaque_state, P.mmap_prot,
          P.mmap_flags);
    struct state *s = new_state();
    if (!check(s != NULL, "mmap of a state with those parameters: %s", s ? "ok" : strerror(errno)))
        return check_summary();
    check(rng->is_ready == 1 && rng->generation > 0, "the data page: generator ready, generation %llu",
          (unsigned long long)rng->generation);

    uint8_t buf[16];
    r = draw(s, buf, sizeof buf);
    check(r == 16 && s->generation == rng->generation, "16 bytes; the state is keyed under the current generation");
    long before = getrandom_syscalls();
    int all = 1;
    for (int i = 0; i < 1000; i++)
        all &= draw(s, buf, sizeof buf) == 16;
    long made = getrandom_syscalls() - before;
    check(all && before >= 0 && made <= 2, "1000 calls of 16 bytes: %ld getrandom syscalls (key refreshes only)",
          made);

    known_answers(s);
    fork_and_reseed(s);
    threads();
    statistics(s);
    bad_arguments(s);
    return check_summary();
#endif
}
