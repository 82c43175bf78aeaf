/* test_ratio.c: the Hodges-Lehmann ratios and their rank-test intervals (bench/ratio.c)
 * against R 4.2's wilcox.test(log(b), log(a), conf.int = TRUE[, paired = TRUE], exact =
 * TRUE) on the same samples (the script is in the comment of each case's data), the
 * achieved levels against 1 - 2 * p<dist>(qu - 1), the normal approximation against
 * its formula, and the normal quantile against known values. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "expect.h"
#include "ratio.h"

static bool near(double got, double want, double rel)
{
    return fabs(got - want) <= rel * fmax(1, fabs(want));
}

#define NEAR(got, want)                                                                    \
    EXPECT(near((got), (want), 1e-12), "%s = %.17g, want %.17g", #got, (double)(got),      \
           (double)(want))

typedef struct expected {
    const char *what;
    double estimate, lo, hi, achieved;
} expected;

static void check(const expected *e, int rc, const mlp_ratio *r)
{
    EXPECT(rc == 0, "%s: failed", e->what);
    if (rc != 0)
        return;
    EXPECT(r->exact, "%s: not exact", e->what);
    NEAR(r->estimate, e->estimate);
    NEAR(r->lo, e->lo);
    NEAR(r->hi, e->hi);
    NEAR(r->achieved, e->achieved);
    EXPECT(r->lo <= r->estimate && r->estimate <= r->hi, "%s: estimate outside", e->what);
}

/* a5 <- c(1.00,1.02,0.98,1.01,0.99); b5 <- c(1.10,1.12,1.08,1.11,1.13) */
static void test_independent(void)
{
    const double a5[] = {1.00, 1.02, 0.98, 1.01, 0.99}, b5[] = {1.10, 1.12, 1.08, 1.11, 1.13};
    mlp_ratio r;
    const expected e99 = {"5x5 at 0.99", 1.108910891089109, 1.0588235294117647,
                          1.1530612244897958, 0.99206349206349209};
    check(&e99, mlp_ratio_independent(a5, 5, b5, 5, 0.99, &r), &r);
    const expected e95 = {"5x5 at 0.95", 1.108910891089109, 1.0784313725490198,
                          1.1414141414141412, 0.96825396825396826};
    check(&e95, mlp_ratio_independent(a5, 5, b5, 5, 0.95, &r), &r);
    /* more than 5 x 5 values can reach: the range, at the level it has (1 - 2/252) */
    const expected e999 = {"5x5 at 0.999", 1.108910891089109, 1.0588235294117647,
                           1.1530612244897958, 1 - 2.0 / 252};
    check(&e999, mlp_ratio_independent(a5, 5, b5, 5, 0.999, &r), &r);
    /* a3 <- c(2.0, 2.5, 2.2); b4 <- c(2.1, 2.6, 1.9, 2.4) */
    const double a3[] = {2.0, 2.5, 2.2}, b4[] = {2.1, 2.6, 1.9, 2.4};
    const expected e3 = {"3x4 at 0.90", 0.99919967974374357, 0.7599999999999999, 1.3,
                         0.94285714285714284};
    check(&e3, mlp_ratio_independent(a3, 3, b4, 4, 0.90, &r), &r);
    /* set.seed(7); a10 <- round(exp(rnorm(10, 0, 0.03)), 6);
     * b12 <- round(exp(rnorm(12, 0.05, 0.03)), 6) */
    const double a10[] = {1.071026, 0.964734, 0.979387, 0.987707, 0.9713,
                          0.971982, 1.022698, 0.996497, 1.00459,  1.067906};
    const double b12[] = {1.06259,  1.140541, 1.125743, 1.06154,  1.112803, 1.066125,
                          1.023457, 1.041623, 1.051119, 1.082902, 1.078092, 1.073753};
    const expected e10 = {"10x12 at 0.99", 1.0766709459024812, 1.0270547728693615,
                          1.1167148521270009, 0.9910430127148393};
    check(&e10, mlp_ratio_independent(a10, 10, b12, 12, 0.99, &r), &r);
    /* the same samples the other way round: the reciprocal ratio */
    EXPECT(mlp_ratio_independent(b12, 12, a10, 10, 0.99, &r) == 0, "reverse failed");
    NEAR(r.estimate, 1 / 1.0766709459024812);
    NEAR(r.lo, 1 / 1.1167148521270009);
}

/* pa <- c(1.00,1.03,0.97,1.02,1.01,0.99); pb <- c(1.06,1.10,1.02,1.07,1.04,1.08) */
static void test_paired(void)
{
    const double pa[] = {1.00, 1.03, 0.97, 1.02, 1.01, 0.99};
    const double pb[] = {1.06, 1.10, 1.02, 1.07, 1.04, 1.08};
    mlp_ratio r;
    const expected e95 = {"6 pairs at 0.95", 1.05844801598894, 1.0297029702970297,
                          1.0909090909090911, 0.96875};
    check(&e95, mlp_ratio_paired(pa, pb, 6, 0.95, &r), &r);
    /* 0.99 is out of reach for 6 pairs: the range of the Walsh averages, at 1 - 2/64 */
    const expected e99 = {"6 pairs at 0.99", 1.05844801598894, 1.0297029702970297,
                          1.0909090909090911, 0.96875};
    check(&e99, mlp_ratio_paired(pa, pb, 6, 0.99, &r), &r);
    EXPECT(r.achieved < 0.99, "6 pairs claim %.5f", r.achieved);
    /* set.seed(11); p10a <- round(exp(rnorm(10, 0, 0.02)), 6);
     * p10b <- round(p10a * exp(rnorm(10, 0.1, 0.02)), 6) */
    const double p10a[] = {0.988249, 1.000532, 0.970124, 0.973115, 1.02385,
                           0.98149,  1.026826, 1.012577, 0.999086, 0.980118};
    const double p10b[] = {1.074237, 1.098082, 1.039669, 1.069975, 1.105802,
                           1.084982, 1.129769, 1.139118, 1.091161, 1.069085};
    const expected e10 = {"10 pairs at 0.99", 1.0948254278914658, 1.0800429750451725,
                          1.1121799455738373, 0.990234375};
    check(&e10, mlp_ratio_paired(p10a, p10b, 10, 0.99, &r), &r);
}

/* Samples of 60: the normal approximation's order statistics, c = floor(mn/2 - z sd). */
static void test_normal_approximation(void)
{
    enum { N = 60 };
    double a[N], b[N];
    for (int i = 0; i < N; i++) { /* a: 1.000 .. 1.059; b: the same times 1.1 */
        a[i] = 1 + 0.001 * i;
        b[i] = 1.1 * a[i];
    }
    mlp_ratio r;
    EXPECT(mlp_ratio_paired(a, b, N, 0.95, &r) == 0 && !r.exact, "paired 60: exact?");
    NEAR(r.estimate, 1.1); /* every d_i is log 1.1 */
    NEAR(r.lo, 1.1);
    NEAR(r.hi, 1.1);
    EXPECT(mlp_ratio_independent(a, N, b, N, 0.95, &r) == 0 && !r.exact, "60 x 60: exact?");
    /* differences log(1.1) + log(a_j / a_i): c = floor(1800 - 1.959964 * sqrt(3600*121/12))
     * = floor(1800 - 372.2) = 1427; the interval is [D(1427), D(2174)] of 3600 */
    EXPECT(r.lo > 1 && r.lo < 1.1 && r.hi > 1.1 && r.hi < 1.2, "60x60: [%g, %g]", r.lo, r.hi);
    NEAR(r.estimate, 1.1);
    NEAR(r.achieved, 0.95);
}

static void test_bad_input(void)
{
    const double ok[] = {1, 2}, zero[] = {1, 0}, inf[] = {1, INFINITY}, nan_[] = {NAN, 1};
    mlp_ratio r;
    EXPECT(mlp_ratio_independent(ok, 0, ok, 2, 0.9, &r) != 0, "empty accepted");
    EXPECT(mlp_ratio_independent(ok, 2, zero, 2, 0.9, &r) != 0, "zero accepted");
    EXPECT(mlp_ratio_independent(inf, 2, ok, 2, 0.9, &r) != 0, "inf accepted");
    EXPECT(mlp_ratio_paired(nan_, ok, 2, 0.9, &r) != 0, "NaN accepted");
    EXPECT(mlp_ratio_paired(ok, ok, 0, 0.9, &r) != 0, "no pairs accepted");
}

static void test_normal_quantile(void)
{
    NEAR(mlp_normal_quantile(0.5), 0);
    NEAR(mlp_normal_quantile(0.975), 1.959963984540054);
    NEAR(mlp_normal_quantile(0.025), -1.959963984540054);
    NEAR(mlp_normal_quantile(0.995), 2.5758293035489004);
    NEAR(mlp_normal_quantile(1e-10), -6.361340902404056);
}

int main(void)
{
    test_independent();
    test_paired();
    test_normal_approximation();
    test_bad_input();
    test_normal_quantile();
    return expect_exit();
}
