/* ratio.c: ratios of timing samples with Hodges-Lehmann estimates and rank-test
 * confidence intervals (see ratio.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "ratio.h"

enum { EXACT_BELOW = 50 }; /* R's rule: exact null distributions for samples under 50 */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* log of every value into out; false if one is not positive and finite */
static bool logs(const double *x, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0) || !isfinite(x[i]))
            return false;
        out[i] = log(x[i]);
    }
    return true;
}

/* ---- exact null distributions, as counts over the outcomes ---- */

/* Counts of the Mann-Whitney statistic U = 0..m*n for samples of m and n values: the
 * coefficients of the Gaussian binomial [m+n choose m]_q = prod (1-q^(n+i)) / (1-q^i). */
static double *rank_sum_counts(size_t m, size_t n)
{
    size_t deg = m * n;
    double *c = calloc(deg + 1, sizeof *c);
    if (!c)
        return NULL;
    c[0] = 1;
    for (size_t i = 1; i <= m; i++) {
        for (size_t k = deg; k >= n + i && k <= deg; k--) /* times (1 - q^(n+i)) */
            c[k] -= c[k - (n + i)];
        for (size_t k = i; k <= deg; k++) /* divided by (1 - q^i) */
            c[k] += c[k - i];
    }
    return c;
}

/* Counts of the signed-rank statistic V = 0..n(n+1)/2: the coefficients of
 * prod_{i=1..n} (1 + q^i). */
static double *signed_rank_counts(size_t n)
{
    size_t deg = n * (n + 1) / 2;
    double *c = calloc(deg + 1, sizeof *c);
    if (!c)
        return NULL;
    c[0] = 1;
    for (size_t i = 1; i <= n; i++)
        for (size_t k = deg; k >= i && k <= deg; k--)
            c[k] += c[k - i];
    return c;
}

/* R's q<dist>(p) for a lower-tail p <= 0.5: the smallest q with P(S <= q) >= p, where
 * c[0..deg] are the counts; P(S <= q - 1) into *below. */
static size_t quantile(const double *c, size_t deg, double p, double *below)
{
    double total = 0;
    for (size_t k = 0; k <= deg; k++)
        total += c[k];
    double cum = 0;
    p -= 10 * DBL_EPSILON; /* as R, so that a p on a step is not lost to rounding */
    size_t q = 0;
    for (;; q++) {
        *below = cum / total;
        cum += c[q];
        if (cum / total >= p || q == deg)
            break;
    }
    return q;
}

/* The order statistic c (1-based) of the lower and upper bounds of an interval over the
 * `count` sorted values of an estimator's parts, and its confidence level. */
typedef struct bounds {
    size_t lower, upper; /* 1-based ranks into the sorted differences or averages */
    double achieved;
} bounds;

/* From the counts of an exact statistic (deg = its largest value): R's qu, ql. */
static bounds exact_bounds(const double *c, size_t deg, size_t count, double level)
{
    double alpha = 1 - level, below_qu;
    size_t qu = quantile(c, deg, alpha / 2, &below_qu);
    if (qu == 0) { /* too few samples for the level: the widest interval there is */
        qu = 1;
        double total = 0;
        for (size_t k = 0; k <= deg; k++)
            total += c[k];
        below_qu = c[0] / total;
    }
    size_t ql = count - qu;
    return (bounds){.lower = qu, .upper = ql + 1, .achieved = 1 - 2 * below_qu};
}

/* Normal approximation: c = floor(mean - z * sd) of the statistic, at least 1. */
static bounds normal_bounds(double mean, double sd, size_t count, double level)
{
    double z = mlp_normal_quantile(1 - (1 - level) / 2);
    double c = floor(mean - z * sd);
    size_t qu = c < 1 ? 1 : (size_t)c;
    if (qu > (count + 1) / 2)
        qu = (count + 1) / 2;
    return (bounds){.lower = qu, .upper = count + 1 - qu, .achieved = level};
}

static void finish(mlp_ratio *out, const double *sorted, size_t count, bounds b, bool exact)
{
    out->estimate = exp(median_sorted(sorted, count));
    out->lo = exp(sorted[b.lower - 1]);
    out->hi = exp(sorted[b.upper - 1]);
    out->achieved = b.achieved;
    out->exact = exact;
}

/* The estimate and interval from the sorted parts of an estimator (differences or
 * Walsh averages): exact from the statistic's counts when exact_counts is given, else
 * the normal approximation with the statistic's mean and sd. */
static int estimate(const double *sorted, size_t count, double *exact_counts, double mean,
                    double sd, double level, mlp_ratio *out)
{
    bool exact = exact_counts != NULL;
    bounds bd = exact ? exact_bounds(exact_counts, count, count, level)
                      : normal_bounds(mean, sd, count, level);
    free(exact_counts);
    finish(out, sorted, count, bd, exact);
    return 0;
}

int mlp_ratio_independent(const double *a, size_t na, const double *b, size_t nb, double level,
                          mlp_ratio *out)
{
    if (na == 0 || nb == 0)
        return -1;
    size_t count = na * nb;
    double *la = malloc(na * sizeof *la), *lb = malloc(nb * sizeof *lb);
    double *d = malloc(count * sizeof *d);
    int rc = -1;
    if (la && lb && d && logs(a, na, la) && logs(b, nb, lb)) {
        for (size_t j = 0; j < nb; j++)
            for (size_t i = 0; i < na; i++)
                d[j * na + i] = lb[j] - la[i];
        qsort(d, count, sizeof *d, cmp_double);
        double m = (double)na, n = (double)nb;
        bool exact = na < EXACT_BELOW && nb < EXACT_BELOW;
        double *c = exact ? rank_sum_counts(na < nb ? na : nb, na < nb ? nb : na) : NULL;
        if (!exact || c)
            rc = estimate(d, count, c, m * n / 2, sqrt(m * n * (m + n + 1) / 12), level, out);
    }
    free(la);
    free(lb);
    free(d);
    return rc;
}

int mlp_ratio_paired(const double *a, const double *b, size_t n, double level, mlp_ratio *out)
{
    if (n == 0)
        return -1;
    size_t count = n * (n + 1) / 2;
    double *la = malloc(n * sizeof *la), *lb = malloc(n * sizeof *lb);
    double *w = malloc(count * sizeof *w);
    int rc = -1;
    if (la && lb && w && logs(a, n, la) && logs(b, n, lb)) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++) /* Walsh averages of d = log b - log a, i <= j */
            for (size_t j = i; j < n; j++)
                w[k++] = ((lb[i] - la[i]) + (lb[j] - la[j])) / 2;
        qsort(w, count, sizeof *w, cmp_double);
        double nn = (double)n;
        bool exact = n < EXACT_BELOW;
        double *c = exact ? signed_rank_counts(n) : NULL;
        if (!exact || c)
            rc = estimate(w, count, c, nn * (nn + 1) / 4,
                          sqrt(nn * (nn + 1) * (2 * nn + 1) / 24), level, out);
    }
    free(la);
    free(lb);
    free(w);
    return rc;
}

/* Wichura, Algorithm AS 241 (PPND16), Applied Statistics 37 (1988): about 1e-16. */
double mlp_normal_quantile(double p)
{
    double q = p - 0.5, r, x;
    if (fabs(q) <= 0.425) {
        r = 0.180625 - q * q;
        return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r +
                         67265.770927008700853) * r + 45921.953931549871457) * r +
                       13731.693765509461125) * r + 1971.5909503065514427) * r +
                     133.14166789178437745) * r + 3.387132872796366608) /
               (((((((5226.495278852545925 * r + 28729.085735721942674) * r +
                     39307.89580009271061) * r + 21213.794301586595867) * r +
                   5394.1960214247511077) * r + 687.1870074920579083) * r +
                 42.313330701600911252) * r + 1.0);
    }
    r = q < 0 ? p : 1 - p;
    r = sqrt(-log(r));
    if (r <= 5) {
        r -= 1.6;
        x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
                  0.24178072517745061177) * r + 1.27045825245236838258) * r +
                3.64784832476320460504) * r + 5.7694972214606914055) * r +
              4.6303378461565452959) * r + 1.42343711074968357734) /
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
                  0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                0.68976733498510000455) * r + 1.6763848301838038494) * r +
              2.05319162663775882187) * r + 1.0);
    } else {
        r -= 5;
        x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                  0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                0.29656057182850489123) * r + 1.7848265399172913358) * r +
              5.4637849111641143699) * r + 6.6579046435011037772) /
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
                  1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                0.0148753612908506148525) * r + 0.13692988092273580531) * r +
              0.59983220655588793769) * r + 1.0);
    }
    return q < 0 ? -x : x;
}
