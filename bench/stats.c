/* stats.c: summary statistics of timing samples (see stats.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A sorted copy of x (NULL if n == 0 or out of memory). */
static double *sorted_copy(const double *x, size_t n)
{
    if (n == 0)
        return NULL;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NULL;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

static double median_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double mlp_stats_min(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] < m ? x[i] : m;
    return m;
}

double mlp_stats_max(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double m = x[0];
    for (size_t i = 1; i < n; i++)
        m = x[i] > m ? x[i] : m;
    return m;
}

double mlp_stats_mean(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum / (double)n;
}

double mlp_stats_median(const double *x, size_t n)
{
    double *s = sorted_copy(x, n);
    if (!s)
        return NAN;
    double m = median_sorted(s, n);
    free(s);
    return m;
}

double mlp_stats_mad(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double med = mlp_stats_median(x, n);
    double *dev = malloc(n * sizeof *dev);
    if (!dev)
        return NAN;
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(x[i] - med);
    double mad = mlp_stats_median(dev, n);
    free(dev);
    return mad;
}

double mlp_stats_stddev(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    if (n < 2)
        return 0;
    double mean = mlp_stats_mean(x, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

double mlp_stats_cv(const double *x, size_t n)
{
    if (n == 0)
        return NAN;
    double mean = mlp_stats_mean(x, n);
    return n < 2 || mean == 0 ? 0 : mlp_stats_stddev(x, n) / mean;
}

int mlp_stats_summarize(const double *x, size_t n, mlp_stats *out)
{
    out->n = n;
    out->min = mlp_stats_min(x, n);
    out->max = mlp_stats_max(x, n);
    out->mean = mlp_stats_mean(x, n);
    out->median = mlp_stats_median(x, n);
    out->mad = mlp_stats_mad(x, n);
    out->stddev = mlp_stats_stddev(x, n);
    out->cv = mlp_stats_cv(x, n);
    return n > 0 && (isnan(out->median) || isnan(out->mad)) ? -1 : 0;
}
