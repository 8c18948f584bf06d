/* exit_glibc.c - a glibc program that returns from main at once.
 *
 * Built static (/bin/exit-static) and dynamic (/bin/exit-dynamic): execcost
 * execs them to count what glibc's start-up (and, dynamic, ld.so's) costs
 * before main. main's first instruction is instruction-count mark 3
 * (insn_mark.h).
 */
#include "insn_mark.h"

int main(void)
{
    insn_mark(3);
    return 0;
}
