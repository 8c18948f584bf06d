/* vdso_arch.h - what the guest programs need to know of the arch they run on:
 * the vDSO's version node and symbol names (Linux's, as the axvdso-abi crate's
 * row for the arch), the bytes of its signal trampoline, the counter the vDSO
 * reads and a raw exit. The one place the C tests keep per-arch facts.
 */
#ifndef AXVDSO_VDSO_ARCH_H
#define AXVDSO_VDSO_ARCH_H

#include <elf.h>
#include <stdint.h>

#if defined(__riscv) && __riscv_xlen == 64

#define ARCH_NAME "riscv64"
#define VDSO_MACHINE EM_RISCV
#define VDSO_VERSION "LINUX_4.15"
#define VDSO_CLOCK_GETTIME "__vdso_clock_gettime"
#define VDSO_GETTIMEOFDAY "__vdso_gettimeofday"
#define VDSO_CLOCK_GETRES "__vdso_clock_getres"
#define VDSO_GETCPU "__vdso_getcpu"
#define VDSO_FLUSH_ICACHE "__vdso_flush_icache"
#define VDSO_SIGRETURN "__vdso_rt_sigreturn"
/* li a7, 139; ecall (uncompressed): what unwinders match. */
#define VDSO_SIGRETURN_BYTES {0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00}
#define VDSO_SIGRETURN_ASM "li a7,139; ecall"
#define COUNTER_NAME "rdtime"

static inline uint64_t arch_counter(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline __attribute__((noreturn)) void arch_exit(long code)
{
    register long a0 __asm__("a0") = code;
    register long a7 __asm__("a7") = 93; /* __NR_exit */
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7));
    __builtin_unreachable();
}

#elif defined(__aarch64__)

#define ARCH_NAME "aarch64"
#define VDSO_MACHINE EM_AARCH64
#define VDSO_VERSION "LINUX_2.6.39"
#define VDSO_CLOCK_GETTIME "__kernel_clock_gettime"
#define VDSO_GETTIMEOFDAY "__kernel_gettimeofday"
#define VDSO_CLOCK_GETRES "__kernel_clock_getres"
/* arm64 has neither getcpu nor flush_icache in its vDSO. */
#define VDSO_SIGRETURN "__kernel_rt_sigreturn"
/* mov x8, #139; svc #0 */
#define VDSO_SIGRETURN_BYTES {0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4}
#define VDSO_SIGRETURN_ASM "mov x8,#139; svc #0"
#define COUNTER_NAME "cntvct"

static inline uint64_t arch_counter(void)
{
    uint64_t t;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
    return t;
}

static inline __attribute__((noreturn)) void arch_exit(long code)
{
    register long x0 __asm__("x0") = code;
    register long x8 __asm__("x8") = 93; /* __NR_exit */
    __asm__ volatile("svc #0" : : "r"(x0), "r"(x8));
    __builtin_unreachable();
}

#else
#error "vdso_arch.h: no row for this architecture"
#endif

/* Every function the image exports, for the tests that resolve them all. */
static const char *const vdso_exports[] = {
    VDSO_CLOCK_GETTIME, VDSO_GETTIMEOFDAY, VDSO_CLOCK_GETRES,
#ifdef VDSO_GETCPU
    VDSO_GETCPU,
#endif
#ifdef VDSO_FLUSH_ICACHE
    VDSO_FLUSH_ICACHE,
#endif
    VDSO_SIGRETURN,
};
#define VDSO_NR_EXPORTS ((int)(sizeof vdso_exports / sizeof vdso_exports[0]))

#endif
