/* test_stats.c: the statistics of stats.c against values computed by hand (and with
 * Python's statistics / math modules for the longer decimals), and the Mann-Whitney U
 * test against scipy.stats.mannwhitneyu's exact and normal-approximation results. */
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

static void test_mann_whitney(void)
{
    double u;
    const double a[] = {1, 2, 3}, b[] = {4, 5, 6};
    /* exact: U = 0, one arrangement in C(6,3) = 20 at each extreme: p = 2/20 */
    NEAR(mlp_stats_mann_whitney(a, 3, b, 3, &u), 0.1);
    NEAR(u, 0);
    const double c[] = {1, 3, 5}, d[] = {2, 4, 6};
    /* exact: U = 3, P(U >= 6) = (3 + 2 + 1 + 1) / 20: p = 0.7 */
    NEAR(mlp_stats_mann_whitney(c, 3, d, 3, &u), 0.7);
    NEAR(u, 3);
    const double e[] = {1, 2}, f[] = {3, 4, 5, 6, 7, 8, 9, 10, 11};
    NEAR(mlp_stats_mann_whitney(e, 2, f, 9, NULL), 2.0 / 55.0); /* exact, C(11,2) = 55 */
    /* ties: normal approximation with tie and continuity corrections */
    const double g[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, h[] = {5, 10, 11, 12, 13, 14, 15, 16, 17};
    NEAR(mlp_stats_mann_whitney(g, 9, h, 9, &u), 0.0017106763881785223);
    NEAR(u, 4.5);
    /* no ties, both samples above 8: normal approximation */
    double i10[10], j10[10];
    for (int k = 0; k < 10; k++) {
        i10[k] = k + 1;
        j10[k] = k + 11;
    }
    NEAR(mlp_stats_mann_whitney(i10, 10, j10, 10, NULL), 0.0001826717911095504);
    NEAR(mlp_stats_mann_whitney(j10, 10, i10, 10, &u), 0.0001826717911095504);
    NEAR(u, 100);
    const double same[] = {1, 1, 1};
    NEAR(mlp_stats_mann_whitney(same, 3, same, 3, NULL), 1);
    EXPECT(isnan(mlp_stats_mann_whitney(a, 0, b, 3, NULL)), "empty sample should give NaN");
}

int main(void)
{
    test_even();
    test_odd();
    test_small();
    test_mann_whitney();
    return expect_exit();
}
