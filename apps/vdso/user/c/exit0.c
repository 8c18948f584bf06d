/* exit0.c - the smallest static program: exit(0), with no libc.
 *
 * bench execs it (fn=exec_nolibc) to time fork + execve + waitpid with the
 * least user-space work after the kernel's exec: no libc start-up, no look at
 * the vDSO. Built with -static -nostdlib.
 */
#include "vdso_arch.h"

__attribute__((noreturn)) void _start(void) { arch_exit(0); }
