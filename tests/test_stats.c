/* test_stats.c: the summary statistics of stats.c against values computed by hand
 * (and with Python's statistics / math modules for the longer decimals). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "expect.h"

static bool near(double got, double want)
{
    return fabs(got - want) <= 1e-12 * fmax(1, fabs(want));
}

#define NEAR(got, want)                                                                        \
    EXPECT(near((got), (want)), "%s = %.17g, want %.17g", #got, (double)(got), (double)(want))

/* Even count: median between the two middle values. */
static void test_even(void)
{
    const double x[] = {3, 1, 4, 1, 5, 9, 2, 6};
    double copy[8];
    memcpy(copy, x, sizeof x);
    NEAR(mlp_stats_min(x, 8), 1);
    NEAR(mlp_stats_max(x, 8), 9);
    NEAR(mlp_stats_mean(x, 8), 3.875);                /* 31 / 8 */
    NEAR(mlp_stats_median(x, 8), 3.5);                /* (3 + 4) / 2 */
    NEAR(mlp_stats_mad(x, 8), 2.0);                   /* |x - 3.5|: .5 .5 1.5 1.5 | 2.5 ... */
    NEAR(mlp_stats_stddev(x, 8), 2.748376143938713);  /* sqrt(52.875 / 7) */
    NEAR(mlp_stats_cv(x, 8), 0.7092583597261195);
    EXPECT(memcmp(x, copy, sizeof x) == 0, "the input was reordered");
    mlp_stats s;
    EXPECT(mlp_stats_summarize(x, 8, &s) == 0, "summarize failed");
    EXPECT(s.n == 8, "n = %zu", s.n);
    NEAR(s.median, 3.5);
    NEAR(s.mad, 2.0);
    NEAR(s.min, 1);
    NEAR(s.cv, 0.7092583597261195);
}

/* Odd count: the middle value. */
static void test_odd(void)
{
    const double x[] = {5, 1, 3};
    NEAR(mlp_stats_median(x, 3), 3);
    NEAR(mlp_stats_mad(x, 3), 2);    /* deviations 2, 2, 0 */
    NEAR(mlp_stats_mean(x, 3), 3);
    NEAR(mlp_stats_stddev(x, 3), 2); /* sqrt((4 + 4 + 0) / 2) */
    NEAR(mlp_stats_cv(x, 3), 2.0 / 3.0);
}

static void test_small(void)
{
    const double one[] = {7};
    mlp_stats s;
    mlp_stats_summarize(one, 1, &s);
    NEAR(s.median, 7);
    NEAR(s.min, 7);
    NEAR(s.mad, 0);
    NEAR(s.stddev, 0);
    NEAR(s.cv, 0);
    mlp_stats_summarize(one, 0, &s);
    EXPECT(s.n == 0 && isnan(s.median) && isnan(s.min) && isnan(s.mad) && isnan(s.mean),
           "an empty sample should give NaN statistics");
    const double zeros[] = {0, 0};
    NEAR(mlp_stats_cv(zeros, 2), 0); /* mean 0: cv defined as 0, not NaN */
}

int main(void)
{
    test_even();
    test_odd();
    test_small();
    return expect_exit();
}
