/* clock_demo.c - print the auxiliary vector and read the clocks through libc.
 *
 * Built twice: statically (/bin/clock-static) and dynamically against
 * Debian's riscv64 glibc (/bin/clock-dynamic). argv[0]'s basename is the
 * program name in the markers.
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "check.h"

extern char **environ;

static const char *aux_name(unsigned long type)
{
    switch (type) {
    case AT_PHDR: return "AT_PHDR";
    case AT_PHENT: return "AT_PHENT";
    case AT_PHNUM: return "AT_PHNUM";
    case AT_PAGESZ: return "AT_PAGESZ";
    case AT_BASE: return "AT_BASE";
    case AT_ENTRY: return "AT_ENTRY";
    case AT_RANDOM: return "AT_RANDOM";
    case AT_EXECFN: return "AT_EXECFN";
    case AT_SYSINFO_EHDR: return "AT_SYSINFO_EHDR";
    case AT_HWCAP: return "AT_HWCAP";
    case AT_IGNORE: return "AT_IGNORE";
    default: return "AT_?";
    }
}

static int64_t ns_of(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

int main(int argc, char **argv)
{
    const char *slash = strrchr(argv[0], '/');
    check_prog = slash ? slash + 1 : argv[0];
    (void)argc;

    /* The auxv follows the environment block's terminating NULL. */
    char **env = environ;
    while (*env)
        env++;
    int n_aux = 0;
    for (const ElfW(auxv_t) *aux = (const void *)(env + 1); aux->a_type != AT_NULL; aux++, n_aux++)
        printf("%s: auxv %-16s (%2lu) = %#lx\n", check_prog, aux_name(aux->a_type),
               (unsigned long)aux->a_type, (unsigned long)aux->a_un.a_val);
    check(n_aux > 0 && getauxval(AT_PAGESZ) == 4096, "auxv has %d entries, AT_PAGESZ = %lu",
          n_aux, getauxval(AT_PAGESZ));

    check(getauxval(AT_SYSINFO_EHDR) != 0,
          "AT_SYSINFO_EHDR = %#lx (the kernel's exec hook mapped the vDSO)",
          getauxval(AT_SYSINFO_EHDR));

    struct timespec mono0, mono1, real;
    int r0 = clock_gettime(CLOCK_MONOTONIC, &mono0);
    int rr = clock_gettime(CLOCK_REALTIME, &real);
    for (volatile int spin = 0; spin < 2000000; spin++)
        ;
    int r1 = clock_gettime(CLOCK_MONOTONIC, &mono1);

    check(r0 == 0 && r1 == 0, "clock_gettime(CLOCK_MONOTONIC) = %lld.%09ld s", (long long)mono0.tv_sec,
          mono0.tv_nsec);
    check(ns_of(&mono1) > ns_of(&mono0), "CLOCK_MONOTONIC advances over a busy loop (+%lld ns)",
          (long long)(ns_of(&mono1) - ns_of(&mono0)));
    /* 2020-01-01T00:00:00Z: QEMU's RTC starts at the host's time. */
    check(rr == 0 && real.tv_sec > 1577836800, "clock_gettime(CLOCK_REALTIME) = %lld.%09ld s",
          (long long)real.tv_sec, real.tv_nsec);
    return check_summary();
}
