/* stats.c: summary statistics and the Mann-Whitney U test (see stats.h). */
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

/* ---- Mann-Whitney U ---- */

typedef struct ranked {
    double value;
    int group; /* 0: a, 1: b */
} ranked;

static int cmp_ranked(const void *p, const void *q)
{
    return cmp_double(&((const ranked *)p)->value, &((const ranked *)q)->value);
}

/* Rank sum of group a (average ranks for ties) and sum(t^3 - t) over tie groups. */
static void rank_sums(ranked *r, size_t n, double *rank_sum_a, double *tie_term)
{
    qsort(r, n, sizeof *r, cmp_ranked);
    *rank_sum_a = 0;
    *tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && r[j].value == r[i].value)
            j++;
        double t = (double)(j - i), rank = (double)(i + 1 + j) / 2; /* mean of i+1..j */
        for (size_t k = i; k < j; k++)
            if (r[k].group == 0)
                *rank_sum_a += rank;
        *tie_term += t * t * t - t;
        i = j;
    }
}

/* P(U >= u) under the null hypothesis, for sample sizes m <= n, from the counts of
 * the Gaussian binomial coefficient [m+n choose m]_q = prod (1-q^(n+i)) / (1-q^i). */
static double exact_sf(double u, size_t m, size_t n)
{
    size_t deg = m * n;
    double *c = calloc(deg + 1, sizeof *c);
    if (!c)
        return NAN;
    c[0] = 1;
    for (size_t i = 1; i <= m; i++) {
        for (size_t k = deg; k >= n + i && k <= deg; k--) /* times (1 - q^(n+i)) */
            c[k] -= c[k - (n + i)];
        for (size_t k = i; k <= deg; k++) /* divided by (1 - q^i) */
            c[k] += c[k - i];
    }
    double total = 0, tail = 0;
    for (size_t k = 0; k <= deg; k++) {
        total += c[k];
        if ((double)k >= u)
            tail += c[k];
    }
    free(c);
    return tail / total;
}

static double normal_sf(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

double mlp_stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb,
                              double *u)
{
    if (u)
        *u = NAN;
    if (na == 0 || nb == 0)
        return NAN;
    size_t n = na + nb;
    ranked *r = malloc(n * sizeof *r);
    if (!r)
        return NAN;
    for (size_t i = 0; i < na; i++)
        r[i] = (ranked){a[i], 0};
    for (size_t i = 0; i < nb; i++)
        r[na + i] = (ranked){b[i], 1};
    double rank_sum, tie_term;
    rank_sums(r, n, &rank_sum, &tie_term);
    free(r);
    double n1 = (double)na, n2 = (double)nb;
    double u1 = rank_sum - n1 * (n1 + 1) / 2, u2 = n1 * n2 - u1;
    double big = u1 > u2 ? u1 : u2, p;
    if (u)
        *u = u1;
    if ((na <= 8 || nb <= 8) && tie_term == 0) {
        p = 2 * exact_sf(big, na < nb ? na : nb, na < nb ? nb : na);
    } else {
        double nn = (double)n;
        double s = sqrt(n1 * n2 / 12 * ((nn + 1) - tie_term / (nn * (nn - 1))));
        p = s > 0 ? 2 * normal_sf((big - n1 * n2 / 2 - 0.5) / s) : 1;
    }
    return p > 1 ? 1 : p < 0 ? 0 : p;
}
