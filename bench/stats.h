/* stats.h: summary statistics of timing samples (median, min, median absolute
 * deviation, mean, standard deviation, coefficient of variation) and the
 * Mann-Whitney U test used to compare two sets of samples. All functions take the
 * samples as a plain array and never reorder it. */
#ifndef MLP_STATS_H
#define MLP_STATS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mlp_stats {
    size_t n;
    double min, max;
    double mean;
    double median;
    double mad;    /* median absolute deviation from the median, unscaled */
    double stddev; /* sample standard deviation (n - 1); 0 when n < 2 */
    double cv;     /* stddev / mean; 0 when n < 2 or mean == 0 */
} mlp_stats;

double mlp_stats_min(const double *x, size_t n);   /* NaN when n == 0 */
double mlp_stats_max(const double *x, size_t n);   /* NaN when n == 0 */
double mlp_stats_mean(const double *x, size_t n);  /* NaN when n == 0 */
/* Median: the middle value, or the mean of the two middle values when n is even. */
double mlp_stats_median(const double *x, size_t n);
/* median(|x - median(x)|) */
double mlp_stats_mad(const double *x, size_t n);
double mlp_stats_stddev(const double *x, size_t n);
double mlp_stats_cv(const double *x, size_t n);

/* All of the above at once; every field is NaN when n == 0 (n is 0). Returns -1 only
 * if memory for the sorted copy cannot be had, else 0. */
int mlp_stats_summarize(const double *x, size_t n, mlp_stats *out);

/* Two-sided Mann-Whitney U test of a against b, as scipy.stats.mannwhitneyu with
 * alternative='two-sided' and method='auto' (what Google Benchmark's compare.py
 * calls): the exact distribution when a sample has at most 8 values and there are
 * no ties, else the normal approximation with tie correction and continuity
 * correction. u gets U of a. Returns the p-value, or NaN when a sample is empty. */
double mlp_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                              double *u);

#endif
