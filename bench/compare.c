/* compare.c: the judgement of two sides of result files (see compare.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

const char *mlp_verdict_name(mlp_verdict v)
{
    static const char *const names[] = {"same", "faster", "slower", "noisy", "FAILED"};
    return names[v];
}

/* The verdict on an interval [lo, hi] for B/A. */
static mlp_verdict judge(const mlp_ratio *r, double threshold, bool few)
{
    double up = 1 + threshold, down = 1 / (1 + threshold);
    if (few)
        return MLP_VERDICT_NOISY;
    if (r->lo > up)
        return MLP_VERDICT_SLOWER;
    if (r->hi < down)
        return MLP_VERDICT_FASTER;
    if (r->lo >= down && r->hi <= up)
        return MLP_VERDICT_SAME;
    return MLP_VERDICT_NOISY;
}

/* The series `name` in every file of a side, or false. */
static bool on_every_file(const mlp_result_file *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!mlp_result_find(&f[i], name))
            return false;
    return true;
}

/* With cpu, a file whose series has no CPU times, or NULL. */
static const mlp_result_file *without_cpu(const mlp_result_file *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!mlp_result_find(&f[i], name)->cpu)
            return &f[i];
    return NULL;
}

/* The units of one benchmark on one side: every file's values (independent), or one
 * median per file (paired). Also whether a check FAILED and the peak fraction. */
static double *side_units(const mlp_result_file *f, size_t n, const char *name, bool paired,
                          bool cpu, size_t *count, bool *failed, double *peak_fraction)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += paired ? 1 : mlp_result_find(&f[i], name)->n;
    double *u = malloc((total ? total : 1) * sizeof *u);
    if (!u)
        return NULL;
    size_t k = 0;
    *peak_fraction = 0;
    for (size_t i = 0; i < n; i++) {
        const mlp_result_series *s = mlp_result_find(&f[i], name);
        const double *v = cpu ? s->cpu : s->values;
        if (s->check && strcmp(s->check, "FAILED") == 0)
            *failed = true;
        if (paired)
            u[k++] = mlp_stats_median(v, s->n);
        else
            for (size_t j = 0; j < s->n; j++)
                u[k++] = v[j];
        if (i == 0 && s->peak_gflops > 0)
            *peak_fraction = s->gflops / s->peak_gflops;
    }
    *count = total;
    return u;
}

static int judge_row(const mlp_result_file *a, size_t na, const mlp_result_file *b, size_t nb,
                     const mlp_compare_options *o, double level, mlp_compare_row *row)
{
    bool failed = false;
    double *ua = side_units(a, na, row->name, o->paired, o->cpu_time, &row->a_n, &failed,
                            &row->a_peak_fraction);
    double *ub = side_units(b, nb, row->name, o->paired, o->cpu_time, &row->b_n, &failed,
                            &row->b_peak_fraction);
    int rc = -1;
    if (ua && ub) {
        row->a_median = mlp_stats_median(ua, row->a_n);
        row->b_median = mlp_stats_median(ub, row->b_n);
        rc = o->paired ? mlp_ratio_paired(ua, ub, row->a_n, level, &row->ratio)
                       : mlp_ratio_independent(ua, row->a_n, ub, row->b_n, level, &row->ratio);
    }
    free(ua);
    free(ub);
    if (rc != 0)
        return -1;
    row->few = row->ratio.achieved < level - 1e-12;
    row->verdict = failed ? MLP_VERDICT_FAILED : judge(&row->ratio, o->threshold, row->few);
    return 0;
}

/* The geometric mean of the ratios of the rows not FAILED, its interval the geometric
 * mean of their bounds (conservative: wider than an interval for the mean itself). */
static void geometric_mean(mlp_compare_result *r, const mlp_compare_options *o)
{
    mlp_compare_row *g = &r->geomean;
    memset(g, 0, sizeof *g);
    g->name = "geometric mean";
    double le = 0, ll = 0, lh = 0, la = 0, lb = 0;
    size_t n = 0;
    bool few = false;
    for (size_t i = 0; i < r->nrows; i++) {
        const mlp_compare_row *row = &r->rows[i];
        if (row->verdict == MLP_VERDICT_FAILED)
            continue;
        le += log(row->ratio.estimate);
        ll += log(row->ratio.lo);
        lh += log(row->ratio.hi);
        la += log(row->a_median);
        lb += log(row->b_median);
        few = few || row->few;
        n++;
    }
    if (n == 0) {
        g->verdict = MLP_VERDICT_FAILED;
        return;
    }
    g->a_n = g->b_n = n;
    g->a_median = exp(la / (double)n);
    g->b_median = exp(lb / (double)n);
    g->ratio = (mlp_ratio){.estimate = exp(le / (double)n), .lo = exp(ll / (double)n),
                           .hi = exp(lh / (double)n), .achieved = r->level, .exact = false};
    g->few = few;
    g->verdict = judge(&g->ratio, o->threshold, few);
}

static int check_sides(const mlp_result_file *a, size_t na, const mlp_result_file *b, size_t nb,
                       const mlp_compare_options *o, char *err, size_t errlen)
{
    char why[600];
    for (size_t i = 1; i < na; i++)
        if (!mlp_result_comparable(&a[0], &a[i], o->across_machines, why, sizeof why))
            goto refuse;
    for (size_t i = 0; i < nb; i++)
        if (!mlp_result_comparable(&a[0], &b[i], o->across_machines, why, sizeof why))
            goto refuse;
    if (o->paired && na != nb) {
        snprintf(err, errlen, "--paired needs as many files on each side, got %zu and %zu", na,
                 nb);
        return -1;
    }
    return 0;
refuse:
    snprintf(err, errlen, "cannot compare: %s", why);
    return -1;
}

int mlp_compare(const mlp_result_file *a, size_t na, const mlp_result_file *b, size_t nb,
                const mlp_compare_options *o, mlp_compare_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (na == 0 || nb == 0 || check_sides(a, na, b, nb, o, err, errlen) != 0) {
        if (na == 0 || nb == 0)
            snprintf(err, errlen, "each side needs at least one result file");
        return -1;
    }
    out->rows = calloc(a[0].n ? a[0].n : 1, sizeof *out->rows);
    if (!out->rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < a[0].n; i++) {
        const char *name = a[0].series[i].name;
        if (on_every_file(a, na, name) && on_every_file(b, nb, name))
            out->rows[out->nrows++].name = name;
        else
            out->only_a++;
    }
    for (size_t i = 0; i < b[0].n; i++)
        out->only_b += !mlp_result_find(&a[0], b[0].series[i].name);
    if (out->nrows == 0) {
        snprintf(err, errlen, "the two sides have no benchmark in common");
        mlp_compare_free(out);
        return -1;
    }
    out->level = 1 - o->alpha / (double)out->nrows;
    for (size_t i = 0; o->cpu_time && i < out->nrows; i++) {
        const mlp_result_file *f = without_cpu(a, na, out->rows[i].name);
        f = f ? f : without_cpu(b, nb, out->rows[i].name);
        if (f) {
            snprintf(err, errlen, "%s: %s has no CPU times (--metric cpu)", f->label,
                     out->rows[i].name);
            mlp_compare_free(out);
            return -1;
        }
    }
    for (size_t i = 0; i < out->nrows; i++) {
        if (judge_row(a, na, b, nb, o, out->level, &out->rows[i]) != 0) {
            snprintf(err, errlen, "%s: cannot judge (out of memory?)", out->rows[i].name);
            mlp_compare_free(out);
            return -1;
        }
        out->counts[out->rows[i].verdict]++;
    }
    geometric_mean(out, o);
    return 0;
}

void mlp_compare_free(mlp_compare_result *r)
{
    free(r->rows);
    memset(r, 0, sizeof *r);
}
