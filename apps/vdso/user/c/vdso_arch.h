/* vdso_arch.h - what the guest programs need to know of the arch they run on:
 * the vDSO's version node and symbol names (Linux's, as the axvdso-abi crate's
 * row for the arch), the bytes of its signal trampoline, the counter the vDSO
 * reads, a raw exit, and the facts of Linux's signal frame the guard test
 * checks (where uc_mcontext keeps pc and sp, what lies between the frame and
 * the interrupted sp, which addresses are the kernel's). The one place the C
 * tests keep per-arch facts.
 */
#ifndef AXVDSO_VDSO_ARCH_H
#define AXVDSO_VDSO_ARCH_H

#include <elf.h>
#include <stdint.h>

#if defined(__riscv) && __riscv_xlen == 64

#define ARCH_NAME "riscv64"
#define VDSO_MACHINE EM_RISCV
/* The vDSO shares the stack's top-level page-table entry (Starry's
 * special-mapping window): bits above this shift are the stack's. */
#define VDSO_WINDOW_SHIFT 30
#define VDSO_VERSION "LINUX_4.15"
#define VDSO_CLOCK_GETTIME "__vdso_clock_gettime"
#define VDSO_GETTIMEOFDAY "__vdso_gettimeofday"
#define VDSO_CLOCK_GETRES "__vdso_clock_getres"
#define VDSO_GETCPU "__vdso_getcpu"
#define VDSO_FLUSH_ICACHE "__vdso_flush_icache"
#define VDSO_GETRANDOM "__vdso_getrandom"
#define VDSO_SIGRETURN "__vdso_rt_sigreturn"
/* li a7, 139; ecall (uncompressed): what unwinders match. */
#define VDSO_SIGRETURN_BYTES {0x93, 0x08, 0xb0, 0x08, 0x73, 0x00, 0x00, 0x00}
#define VDSO_SIGRETURN_ASM "li a7,139; ecall"
#define COUNTER_NAME "rdtime"

/* Signal frames (glibc's ucontext_t; Linux's rt_sigframe is siginfo_t then
 * ucontext_t, right below the interrupted sp). */
#define UC_PC(uc) ((uc)->uc_mcontext.__gregs[REG_PC])
#define UC_SP(uc) ((uc)->uc_mcontext.__gregs[REG_SP])
#define SIGFRAME_ABOVE 0 /* bytes between the rt_sigframe and the sp rounding */
/* The return address at a function's entry (it must be the first statement). */
#define ARCH_READ_RA(v) __asm__ volatile("mv %0, ra" : "=r"(v) : : "memory")
/* The kernel half: Sv48's (Sv39's lies inside); above it small negative numbers. */
#define KERNEL_LO 0xffff800000000000ULL
#define KERNEL_HI 0xfffffffffff00000ULL
#define KERNEL_TEXT 0xffffffc080200000UL /* where Starry's riscv64 kernel runs */

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
/* The vDSO shares the stack's top-level page-table entry (Starry's
 * special-mapping window): bits above this shift are the stack's. */
#define VDSO_WINDOW_SHIFT 39
#define VDSO_VERSION "LINUX_2.6.39"
#define VDSO_CLOCK_GETTIME "__kernel_clock_gettime"
#define VDSO_GETTIMEOFDAY "__kernel_gettimeofday"
#define VDSO_CLOCK_GETRES "__kernel_clock_getres"
#define VDSO_GETRANDOM "__kernel_getrandom"
/* arm64 has neither getcpu nor flush_icache in its vDSO. */
#define VDSO_SIGRETURN "__kernel_rt_sigreturn"
/* mov x8, #139; svc #0 */
#define VDSO_SIGRETURN_BYTES {0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4}
#define VDSO_SIGRETURN_ASM "mov x8,#139; svc #0"
#define COUNTER_NAME "cntvct"

/* Signal frames (glibc's ucontext_t; Linux's rt_sigframe is siginfo_t then
 * ucontext_t, then a struct frame_record {x29, x30} that the handler's x29
 * points at, right below the interrupted sp rounded down to 16). */
#define UC_PC(uc) ((uc)->uc_mcontext.pc)
#define UC_SP(uc) ((uc)->uc_mcontext.sp)
#define SIGFRAME_ABOVE 16 /* the frame record */
#define ARCH_READ_RA(v) __asm__ volatile("mov %0, x30" : "=r"(v) : : "memory")
/* The kernel half: the top bit set (TTBR1); above it small negative numbers. */
#define KERNEL_LO 0x8000000000000000ULL
#define KERNEL_HI 0xfffffffffff00000ULL
#define KERNEL_TEXT 0xffffffff80001000UL /* Starry 0.12's _stext, as linked */
/* PSTATE: the condition flags, and the mode field M[4:0] (0 = EL0t, AArch64). */
#define PSTATE_NZCV 0xf0000000ULL
#define PSTATE_MODE 0x1fULL
#define PSTATE_EL1H 0x5ULL
#define PSTATE_DAIF 0x3c0ULL

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

#elif defined(__x86_64__)

#define ARCH_NAME "x86_64"
#define VDSO_MACHINE EM_X86_64
/* The vDSO shares the stack's top-level page-table entry (Starry's
 * special-mapping window): bits above this shift are the stack's. */
#define VDSO_WINDOW_SHIFT 39
#define VDSO_VERSION "LINUX_2.6"
#define VDSO_CLOCK_GETTIME "__vdso_clock_gettime"
#define VDSO_GETTIMEOFDAY "__vdso_gettimeofday"
#define VDSO_CLOCK_GETRES "__vdso_clock_getres"
#define VDSO_GETCPU "__vdso_getcpu"
#define VDSO_TIME "__vdso_time"
#define VDSO_GETRANDOM "__vdso_getrandom"
/* No signal trampoline in x86_64's vDSO: libc passes its own restorer
 * (SA_RESTORER). VDSO_SIGRETURN stays undefined; the tests that would check
 * it check instead that no such symbol is there. */
#define VDSO_NO_SIGRETURN "__vdso_rt_sigreturn"
#define COUNTER_NAME "rdtsc"

/* Signal frames (glibc's ucontext_t). Linux's x86_64 rt_sigframe is the
 * return address, then ucontext_t, then siginfo_t: the signal-frame checks of
 * vdso_guard.c (Part B's B4-B6) are riscv64's and aarch64's only. */
#define UC_PC(uc) ((uc)->uc_mcontext.gregs[REG_RIP])
#define UC_SP(uc) ((uc)->uc_mcontext.gregs[REG_RSP])
#define SIGFRAME_ABOVE 0
#define ARCH_READ_RA(v) ((v) = (uintptr_t)__builtin_return_address(0))
/* The kernel half: 4-level paging's upper half; above it small negative numbers. */
#define KERNEL_LO 0xffff800000000000ULL
#define KERNEL_HI 0xfffffffffff00000ULL
#define KERNEL_TEXT 0xffffffff80001000UL /* inside Starry 0.12's image (linked at 0xffffffff80000000) */

/* The TSC, ordered after earlier loads by lfence (as the vDSO reads it). */
static inline uint64_t arch_counter(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

static inline __attribute__((noreturn)) void arch_exit(long code)
{
    register long rdi __asm__("rdi") = code;
    register long rax __asm__("rax") = 60; /* __NR_exit */
    __asm__ volatile("syscall" : : "r"(rdi), "r"(rax) : "rcx", "r11", "memory");
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
#ifdef VDSO_TIME
    VDSO_TIME,
#endif
#ifdef VDSO_SIGRETURN
    VDSO_SIGRETURN,
#endif
};
#define VDSO_NR_EXPORTS ((int)(sizeof vdso_exports / sizeof vdso_exports[0]))

#endif
