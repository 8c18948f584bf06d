/* check.h - the PASS/FAIL markers every guest test prints.
 *
 * One line per check:   PASS <prog>: <what> [(<detail>)]
 *                       FAIL <prog>: <what> [(<detail>)]
 * and a closing line:   <prog>: N passed, M failed
 * scripts/check-guest.py parses exactly these lines.
 */
#ifndef AXVDSO_CHECK_H
#define AXVDSO_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static const char *check_prog = "?";
static int check_passed, check_failed;

__attribute__((format(printf, 2, 3)))
static int check(int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s %s: ", ok ? "PASS" : "FAIL", check_prog);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    if (ok)
        check_passed++;
    else
        check_failed++;
    return ok;
}

static int check_summary(void)
{
    printf("%s: %d passed, %d failed\n", check_prog, check_passed, check_failed);
    fflush(stdout);
    return check_failed ? 1 : 0;
}

#endif
