/* stats.h: summary statistics of timing samples (median, min, median absolute
 * deviation, mean, standard deviation, coefficient of variation). All functions take
 * the samples as a plain array and never reorder it. Comparing two sets of samples is
 * ratio.h's. */
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

#endif
