/* bench_table.c: the console tables of `mlpbench bench`: one row per case (epoch and
 * test-pass medians, spread, rates, % of peak, speedup, check status) and, with several
 * thread counts, the thread-scaling table (see bench.h). */
#include <string.h>

#include "bench.h"

static void check_cell(const mlp_bench_case *k, char *out, size_t len)
{
    if (!k->checked)
        snprintf(out, len, "SKIPPED (not checked)");
    else
        snprintf(out, len, "%s", mlp_check_status_name(k->check.status));
}

static void ratio_cell(double v, char *out, size_t len)
{
    if (v > 0)
        snprintf(out, len, "%.2fx", v);
    else
        snprintf(out, len, "-");
}

static void print_case(FILE *f, const mlp_bench_case *k)
{
    char sp_train[16], sp_test[16], pk[16], chk[40], test_ms[16], test_cv[16];
    ratio_cell(k->train.speedup, sp_train, sizeof sp_train);
    ratio_cell(k->test.speedup, sp_test, sizeof sp_test);
    check_cell(k, chk, sizeof chk);
    if (k->peak_gflops > 0)
        snprintf(pk, sizeof pk, "%.1f", k->percent_of_peak);
    else
        snprintf(pk, sizeof pk, "-");
    if (k->test.n) {
        snprintf(test_ms, sizeof test_ms, "%.2f", k->test.stats.median * 1e3);
        snprintf(test_cv, sizeof test_cv, "%.1f", k->test.stats.cv * 100);
    } else {
        snprintf(test_ms, sizeof test_ms, "-");
        snprintf(test_cv, sizeof test_cv, "-");
    }
    fprintf(f, "%-24s %9.3f %8.3f %9.3f %5.1f %9.0f %7.2f %7.2f %6s %8s %8s %5s %8s  %s\n",
            k->name, k->train.stats.median * 1e3, k->train.stats.min * 1e3,
            k->train.stats.mad * 1e3, k->train.stats.cv * 100, k->train.samples_per_second,
            k->train.gflops_dense, k->train.gflops_executed, pk, sp_train, test_ms, test_cv,
            sp_test, chk);
}

/* Threaded sets at several thread counts: time and efficiency against the fewest. */
static void print_scaling(FILE *f, const mlp_bench_run *run)
{
    if (run->cfg.nthreads < 2)
        return;
    bool header = false;
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *base = &run->cases[i];
        if (!base->threaded || base->threads != run->cfg.threads[0])
            continue;
        if (!header)
            fprintf(f, "\nThread scaling (median; speedup and efficiency against the first "
                       "thread count):\n%-24s %8s %9s %8s %10s %9s %8s %10s\n",
                    "case", "threads", "epoch ms", "speedup", "efficiency", "test ms", "speedup",
                    "efficiency");
        header = true;
        for (size_t j = 0; j < run->ncases; j++) {
            const mlp_bench_case *k = &run->cases[j];
            if (strcmp(k->set, base->set) != 0 || k->precision != base->precision)
                continue;
            double s = base->train.stats.median / k->train.stats.median;
            double t = base->test.stats.median / k->test.stats.median;
            double ratio = (double)base->threads / k->threads;
            fprintf(f, "%-24s %8d %9.3f %7.2fx %9.0f%% %9.3f %7.2fx %9.0f%%\n", k->name,
                    k->threads, k->train.stats.median * 1e3, s, 100 * s * ratio,
                    k->test.stats.median * 1e3, t, 100 * t * ratio);
        }
    }
}

/* Each case against the machine's roofline bound (roofline.h): the bound of an epoch
 * and a test pass, what sets it, and the percent of it reached. */
static void print_bounds(FILE *f, const mlp_bench_run *run)
{
    bool header = false;
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        const mlp_bound *e = &k->train.bound, *t = &k->test.bound;
        if (!(e->bound_s > 0))
            continue;
        if (!header)
            fprintf(f, "\nRoofline bound (lower bound on the time from the FMA peak and the "
                       "L1/L2/memory bandwidth; docs/roofline.md):\n%-24s %10s %7s %7s %10s "
                       "%7s %7s\n",
                    "case", "epoch ms", "limit", "%bound", "test ms", "limit", "%bound");
        header = true;
        char tb[16] = "-", tp[16] = "-";
        if (t->bound_s > 0 && k->test.percent_of_bound > 0) {
            snprintf(tb, sizeof tb, "%.3f", t->bound_s * 1e3);
            snprintf(tp, sizeof tp, "%.1f", k->test.percent_of_bound);
        }
        fprintf(f, "%-24s %10.3f %7s %7.1f %10s %7s %7s\n", k->name, e->bound_s * 1e3, e->limit,
                k->train.percent_of_bound, tb, t->bound_s > 0 ? t->limit : "-", tp);
    }
}

/* The seed's numpy program beside the sets: its medians and the fastest case's speedup. */
static void print_numpy(FILE *f, const mlp_bench_run *run)
{
    const mlp_peer *p = &run->numpy;
    if (!p->measured) {
        fprintf(f, "\nnumpy seed (peer): not measured (%s)\n", p->why);
        return;
    }
    double best_train = 0, best_test = 0;
    const char *bt = "", *bs = "";
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        if (k->train.speedup_numpy > best_train)
            best_train = k->train.speedup_numpy, bt = k->name;
        if (k->test.speedup_numpy > best_test)
            best_test = k->test.speedup_numpy, bs = k->name;
    }
    fprintf(f, "\nnumpy seed (peer, numpy %s, float64, 1 thread): epoch %.1f ms, test pass %.1f ms; "
               "fastest: %s %.0fx (epoch), %s %.0fx (test pass)\n",
            p->numpy, p->train_median * 1e3, p->test_median * 1e3, bt, best_train, bs, best_test);
}

/* Whether case i is the first of its kernel set (its check detail is printed once). */
static bool first_of_set(const mlp_bench_run *run, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(run->cases[j].set, run->cases[i].set) == 0)
            return false;
    return true;
}

void mlp_bench_print(FILE *f, const mlp_bench_run *run)
{
    const mlp_bench_config *c = &run->cfg;
    const mlp_model_config *m = &c->spec.train.model;
    fprintf(f, "mlpbench bench: %zu-%zu-%zu, batch %zu, %zu training / %zu test records; "
               "%d warm-up + %d measured epochs x %d repetitions, shuffled (seed %u)\n",
            m->inputs, m->hidden, m->outputs, m->batch, run->train_count, run->test_count,
            c->warmup, c->epochs, c->repetitions, c->shuffle_seed);
    fprintf(f, "epoch/test: one training epoch / one test pass; ms; MAD: median absolute "
               "deviation; GFLOP/s dense/exec (zero inputs skipped); %%peak: exec vs FMA peak\n\n");
    fprintf(f, "%-24s %9s %8s %9s %5s %9s %7s %7s %6s %8s %8s %5s %8s  %s\n", "case",
            "epoch ms", "min ms", "MAD ms", "CV%", "samples/s", "GF/s", "GF/s", "%peak",
            "speedup", "test ms", "CV%", "speedup", "check");
    fprintf(f, "%-24s %9s %8s %9s %5s %9s %7s %7s %6s %8s %8s %5s %8s\n", "", "(median)", "", "",
            "", "", "dense", "exec", "", "vs scal", "(median)", "", "vs scal");
    for (size_t i = 0; i < run->ncases; i++)
        print_case(f, &run->cases[i]);
    print_scaling(f, run);
    print_bounds(f, run);
    print_numpy(f, run);
    for (size_t i = 0; i < run->nskipped; i++)
        fprintf(f, "skipped: %s (%s)\n", run->skipped[i].set, run->skipped[i].reason);
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        if (k->checked && k->check.status != MLP_CHECK_PASSED && *k->check.detail &&
            first_of_set(run, i))
            fprintf(f, "check %s: %s: %s\n", k->set, mlp_check_status_name(k->check.status),
                    k->check.detail);
    }
}
