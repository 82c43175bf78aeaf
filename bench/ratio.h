/* ratio.h: how much slower or faster B is than A, from timing samples: the ratio B/A
 * with a distribution-free confidence interval, as `compare` and `tools/perf-ab` judge
 * a change.
 *
 * Times are compared on a log scale, so that the shift is a ratio. The estimate is
 * Hodges-Lehmann's and the interval is the one that inverts the rank test, exactly as
 * R's wilcox.test(log(b), log(a), conf.int = TRUE) computes them:
 *   independent samples (two result files): the median of the m*n differences
 *     log b_j - log a_i; the interval [D(c), D(mn + 1 - c)] between order statistics of
 *     those differences, c from the Wilcoxon rank-sum (Mann-Whitney) distribution;
 *   paired samples (interleaved A B A B runs): the median of the n(n+1)/2 Walsh averages
 *     (d_i + d_j) / 2 of d_i = log(b_i / a_i); the interval between their order
 *     statistics, c from the Wilcoxon signed-rank distribution.
 * The null distributions are exact (counted) when every sample has fewer than 50
 * values, else normal approximations. Being discrete, an exact interval reaches only
 * certain confidence levels: `achieved` says which one it has, and it is below the one
 * asked for when there are too few samples to reach it (then even the widest interval,
 * the range of the differences, is not that sure). */
#ifndef MLP_RATIO_H
#define MLP_RATIO_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mlp_ratio {
    double estimate; /* B/A */
    double lo, hi;   /* the interval for B/A */
    double achieved; /* its confidence level */
    bool exact;      /* exact null distribution (else normal approximation) */
} mlp_ratio;

/* B/A from independent samples a[na], b[nb] of positive times, at confidence `level`
 * (e.g. 0.99). Returns 0, or -1 if a sample is empty, a value is not positive and
 * finite, or memory runs out. */
int mlp_ratio_independent(const double *a, size_t na, const double *b, size_t nb, double level,
                          mlp_ratio *out);

/* B/A from pairs (a[i], b[i]), i < n. Returns 0 or -1 as above. */
int mlp_ratio_paired(const double *a, const double *b, size_t n, double level, mlp_ratio *out);

/* The standard normal quantile: x with P(Z <= x) = p, 0 < p < 1 (Wichura's AS 241). */
double mlp_normal_quantile(double p);

#endif
