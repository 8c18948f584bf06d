/* bench.c - placeholder until the benchmark lands (make bench). */
#include <stdio.h>
int main(void) { puts("bench: not implemented yet"); return 1; }
