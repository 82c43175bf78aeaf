/* expect.h: the assertions the tests share. Each test is one executable that includes
 * this header once:
 *   EXPECT(cond, fmt, ...)  prints "FAIL file:line: message" when cond is false and
 *                           counts the failure; execution goes on.
 *   expect_fail(fmt, ...)   the same, for a failure found some other way.
 *   expect_failures()       how many so far.
 *   expect_exit()           prints "PASSED" or "FAILED: N failure(s)" and returns the
 *                           exit status: 0 only when nothing failed.
 * A test that cannot run here (no such CPU feature, no emulator) returns
 * EXPECT_SKIPPED, which CMake maps to SKIPPED with SKIP_RETURN_CODE. */
#ifndef MLP_TEST_EXPECT_H
#define MLP_TEST_EXPECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

enum { EXPECT_SKIPPED = 77 };

static int expect_failure_count;

static inline void expect_report(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void expect_report(const char *file, int line, const char *fmt, ...)
{
    printf("FAIL %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    expect_failure_count++;
}

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        if (!(cond))                                                                       \
            expect_report(__FILE__, __LINE__, __VA_ARGS__);                                \
    } while (0)

#define expect_fail(...) expect_report(__FILE__, __LINE__, __VA_ARGS__)

static inline int expect_failures(void)
{
    return expect_failure_count;
}

static inline int expect_exit(void)
{
    if (expect_failure_count)
        printf("FAILED: %d failure(s)\n", expect_failure_count);
    else
        printf("PASSED\n");
    return expect_failure_count ? 1 : 0;
}

#endif
