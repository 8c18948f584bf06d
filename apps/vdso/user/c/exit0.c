/* exit0.c - the smallest static program: exit(0), with no libc.
 *
 * bench execs it (fn=exec_nolibc) to time fork + execve + waitpid with the
 * least user-space work after the kernel's exec: no libc start-up, no look at
 * the vDSO. Built with -static -nostdlib. Its first instruction is
 * instruction-count mark 3 (insn_mark.h; a no-op without the plugin), where
 * execcost's phase "execve to main" ends.
 */
#include "insn_mark.h"
#include "vdso_arch.h"

__attribute__((noreturn)) void _start(void)
{
    insn_mark(3);
    arch_exit(0);
}
