/* insn_mark.h - instruction-count marks for scripts/insn-count.c.
 *
 * insn_mark(N) executes one instruction that does nothing architecturally
 * (it writes the zero register, or is a long NOP); under QEMU with the
 * insn-count plugin it makes the plugin print the guest's running
 * instruction counts, user and kernel, as "INSN mark=N ...". Elsewhere it
 * costs one instruction. N is a constant, 0 to 15.
 */
#ifndef AXVDSO_INSN_MARK_H
#define AXVDSO_INSN_MARK_H

#define INSN_MARK_STR_(n) #n
#define INSN_MARK_STR(n) INSN_MARK_STR_(n)

#if defined(__riscv)
/* addi x0, x0, 0x7a0 + N: a HINT. */
#define insn_mark(n) __asm__ volatile("addi x0, x0, 0x7a0 + " INSN_MARK_STR(n) ::: "memory")
#elif defined(__aarch64__)
/* movz xzr, #(0xa700 + N): the result goes nowhere. */
#define insn_mark(n) __asm__ volatile("movz xzr, #(0xa700 + " INSN_MARK_STR(n) ")" ::: "memory")
#elif defined(__x86_64__)
/* nopl 0x7a700 + N(%rax), always with a 32-bit displacement (0f 1f 80). */
#define insn_mark(n) __asm__ volatile(".byte 0x0f, 0x1f, 0x80; .long 0x7a700 + " INSN_MARK_STR(n) ::: "memory")
#else
#error "insn_mark: unknown arch"
#endif

#endif /* AXVDSO_INSN_MARK_H */
