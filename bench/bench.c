/* bench.c: whole-workload timing (see bench.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "timer.h"
#include "topo.h"

void mlp_bench_config_defaults(mlp_bench_config *c)
{
    memset(c, 0, sizeof *c);
    mlp_run_spec_seed(&c->spec);
    c->precisions[0] = c->spec.train.model.precision;
    c->nprecisions = 1;
    c->warmup = 1;
    c->epochs = 10;
    c->repetitions = 5;
    c->pin = true;
    c->check_epochs = 10;
    c->peak = true;
    c->shuffle_seed = (unsigned)time(NULL);
}

/* ---- FLOP counts ---- */

mlp_flops mlp_bench_train_flops(const mlp_model_config *m, size_t count, size_t nonzero)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero;
    /* forward I*H + H*O, backward O*H, update I*H + H*O: 2 FLOP per multiply-add */
    return (mlp_flops){.dense = n * (4 * I * H + 6 * H * O), .executed = 4 * nz * H + n * 6 * H * O};
}

mlp_flops mlp_bench_test_flops(const mlp_model_config *m, size_t count, size_t nonzero)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero;
    return (mlp_flops){.dense = n * (2 * I * H + 2 * H * O), .executed = 2 * nz * H + n * 2 * H * O};
}

static size_t count_nonzero(const mlp_dataset *d)
{
    size_t nz = 0;
    for (size_t i = 0; i < d->count * d->pixels; i++)
        nz += d->images[i] != 0;
    return nz;
}

/* ---- cases ---- */

static void skip_set(mlp_bench_run *run, const char *set, const char *reason)
{
    if (run->nskipped >= MLP_BENCH_MAX_SKIPPED)
        return;
    mlp_bench_skip *s = &run->skipped[run->nskipped++];
    snprintf(s->set, sizeof s->set, "%s", set);
    snprintf(s->reason, sizeof s->reason, "%s", reason);
}

static int alloc_phase(mlp_bench_phase *p, size_t n)
{
    p->seconds = calloc(n ? n : 1, sizeof *p->seconds);
    p->cpu_seconds = calloc(n ? n : 1, sizeof *p->cpu_seconds);
    return p->seconds && p->cpu_seconds ? 0 : -1;
}

static int add_case(mlp_bench_run *run, const mlp_kernel_set *s, mlp_precision p, int threads)
{
    const mlp_bench_config *c = &run->cfg;
    mlp_bench_case *k = &run->cases[run->ncases++];
    snprintf(k->name, sizeof k->name, "%s/%s/threads:%d", s->name, mlp_precision_name(p), threads);
    snprintf(k->set, sizeof k->set, "%s", s->name);
    if (s->base)
        snprintf(k->isa, sizeof k->isa, "%s on %s", s->isa, s->base()->name);
    else
        snprintf(k->isa, sizeof k->isa, "%s", s->isa);
    k->kset = s;
    k->precision = p;
    k->threads = threads;
    k->threaded = s->threaded;
    k->skips_zero_inputs = s->skips_zero_inputs;
    size_t reps = (size_t)c->repetitions;
    k->cpus = malloc(reps * (size_t)threads * sizeof *k->cpus);
    if (!k->cpus || alloc_phase(&k->train, reps * (size_t)c->epochs) ||
        alloc_phase(&k->test, reps))
        return -1;
    for (size_t i = 0; i < reps * (size_t)threads; i++)
        k->cpus[i] = -1;
    return 0;
}

int mlp_bench_init(mlp_bench_run *run, const mlp_bench_config *cfg, char *err, size_t errlen)
{
    memset(run, 0, sizeof *run);
    run->cfg = *cfg;
    mlp_machine_describe(&run->machine);
    run->nwarnings = mlp_machine_warnings(&run->machine, cfg->pin, run->warnings,
                                          MLP_MACHINE_MAX_WARNINGS);
    size_t max = cfg->nsets * cfg->nprecisions * (cfg->nthreads ? cfg->nthreads : 1);
    run->cases = calloc(max ? max : 1, sizeof *run->cases);
    if (!run->cases)
        goto oom;
    for (size_t pi = 0; pi < cfg->nprecisions; pi++)
        for (size_t si = 0; si < cfg->nsets; si++) {
            const mlp_kernel_set *s = cfg->sets[si];
            mlp_precision p = cfg->precisions[pi];
            if (!mlp_kernel_set_has(s, p)) {
                char why[128];
                snprintf(why, sizeof why, "no %s kernels", mlp_precision_name(p));
                skip_set(run, s->name, why);
                continue;
            }
            for (size_t ti = 0; ti < (s->threaded ? cfg->nthreads : 1); ti++)
                if (add_case(run, s, p, s->threaded ? cfg->threads[ti] : 1) != 0)
                    goto oom;
        }
    run->order = malloc((size_t)cfg->repetitions * (run->ncases ? run->ncases : 1) * sizeof(int));
    if (!run->order)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "out of memory for the benchmark's samples");
    mlp_bench_free(run);
    return -1;
}

void mlp_bench_free(mlp_bench_run *run)
{
    for (size_t i = 0; run->cases && i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        free(k->train.seconds);
        free(k->train.cpu_seconds);
        free(k->test.seconds);
        free(k->test.cpu_seconds);
        free(k->cpus);
    }
    free(run->cases);
    free(run->order);
    run->cases = NULL;
    run->order = NULL;
    run->ncases = 0;
}

/* ---- the shuffled order ---- */

/* xorshift32: a small deterministic generator for the shuffle, recorded by its seed */
static unsigned next_random(unsigned *state)
{
    unsigned x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static void shuffle_order(mlp_bench_run *run)
{
    unsigned state = run->cfg.shuffle_seed;
    for (int r = 0; r < run->cfg.repetitions; r++) {
        int *o = run->order + (size_t)r * run->ncases;
        for (size_t i = 0; i < run->ncases; i++)
            o[i] = (int)i;
        for (size_t i = run->ncases; i > 1; i--) { /* Fisher-Yates */
            size_t j = next_random(&state) % i;
            int t = o[i - 1];
            o[i - 1] = o[j];
            o[j] = t;
        }
    }
}

/* ---- running ---- */

typedef struct bench_data {
    mlp_data *train[2], *test[2]; /* per precision */
} bench_data;

typedef struct progress {
    bool on;
    size_t done, total; /* case repetitions */
    double start, shown;
} progress;

/* A progress line on stderr, rewritten in place at most ten times a second. */
static void show_progress(progress *pg, const mlp_bench_run *run, const mlp_bench_case *k,
                          int rep, const char *what, int epoch, int of)
{
    double now = mlp_seconds_now();
    if (!pg->on || now - pg->shown < 0.1)
        return;
    pg->shown = now;
    char step[32] = "";
    if (of > 0)
        snprintf(step, sizeof step, " %d/%d", epoch, of);
    fprintf(stderr, "\r\033[K[%zu/%zu] repetition %d/%d: %s, %s%s (%.0f s)", pg->done + 1,
            pg->total, rep + 1, run->cfg.repetitions, k->name, what, step, now - pg->start);
    fflush(stderr);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Threads for this case, bound one per core when pinning. */
static void place_threads(mlp_bench_run *run, mlp_bench_case *k)
{
    mlp_topo *t = mlp_topo_this_machine();
    omp_set_num_threads(k->threads);
    if (!run->cfg.pin)
        return;
    if (k->threaded)
        k->pin_failures += mlp_topo_pin_omp(t, k->threads, true);
    else
        k->pin_failures += mlp_topo_bind_thread(t, 0) != 0;
}

static void record_cpus(mlp_bench_case *k, int rep)
{
    mlp_topo *t = mlp_topo_this_machine();
    int *cpus = k->cpus + (size_t)rep * (size_t)k->threads;
    if (k->threaded)
        mlp_topo_omp_cpus(t, k->threads, cpus, k->threads);
    else
        cpus[0] = mlp_topo_last_cpu(t);
}

static int run_case_rep(mlp_bench_run *run, mlp_bench_case *k, int rep, const bench_data *d,
                        progress *pg, char *err, size_t errlen)
{
    mlp_model_config mc = run->cfg.spec.train.model;
    mc.precision = k->precision;
    place_threads(run, k);
    mlp_model *m = mlp_model_create(&mc, k->kset, err, errlen);
    if (!m)
        return -1;
    mlp_metrics metrics;
    int p = k->precision == MLP_F32 ? 0 : 1;
    for (int e = 0; e < run->cfg.warmup; e++) {
        show_progress(pg, run, k, rep, "warm-up epoch", e + 1, run->cfg.warmup);
        mlp_model_train_epoch(m, d->train[p], &metrics);
    }
    for (int e = 0; e < run->cfg.epochs; e++) {
        show_progress(pg, run, k, rep, "epoch", e + 1, run->cfg.epochs);
        size_t i = (size_t)rep * (size_t)run->cfg.epochs + (size_t)e;
        double c0 = cpu_now(), t0 = mlp_seconds_now();
        mlp_model_train_epoch(m, d->train[p], &metrics);
        k->train.seconds[i] = mlp_seconds_now() - t0;
        k->train.cpu_seconds[i] = cpu_now() - c0;
        k->train.n = i + 1;
    }
    if (d->test[p]) {
        show_progress(pg, run, k, rep, "test pass", 0, 0);
        double c0 = cpu_now(), t0 = mlp_seconds_now();
        mlp_model_test(m, d->test[p], &metrics);
        k->test.seconds[rep] = mlp_seconds_now() - t0;
        k->test.cpu_seconds[rep] = cpu_now() - c0;
        k->test.n = (size_t)rep + 1;
    }
    record_cpus(k, rep);
    mlp_model_free(m);
    pg->done++;
    return 0;
}

static void free_data(bench_data *d)
{
    for (int p = 0; p < 2; p++) {
        mlp_data_free(d->train[p]);
        mlp_data_free(d->test[p]);
    }
}

static int prepare_data(const mlp_bench_run *run, const mlp_workload *w, bench_data *d)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < run->cfg.nprecisions; i++) {
        mlp_precision p = run->cfg.precisions[i];
        int pi = p == MLP_F32 ? 0 : 1;
        d->train[pi] = mlp_data_prepare(&w->train, p);
        d->test[pi] = w->test.count ? mlp_data_prepare(&w->test, p) : NULL;
        if (!d->train[pi] || (w->test.count && !d->test[pi])) {
            free_data(d);
            return -1;
        }
    }
    return 0;
}

static int run_measurements(mlp_bench_run *run, const mlp_workload *w, char *err, size_t errlen)
{
    bench_data d;
    if (prepare_data(run, w, &d) != 0) {
        snprintf(err, errlen, "out of memory preparing the data");
        return -1;
    }
    progress pg = {.on = run->cfg.progress,
                   .total = run->ncases * (size_t)run->cfg.repetitions,
                   .start = mlp_seconds_now()};
    int rc = 0;
    for (int r = 0; r < run->cfg.repetitions && rc == 0; r++)
        for (size_t i = 0; i < run->ncases && rc == 0; i++) {
            mlp_bench_case *k = &run->cases[run->order[(size_t)r * run->ncases + i]];
            rc = run_case_rep(run, k, r, &d, &pg, err, errlen);
        }
    if (pg.on)
        fprintf(stderr, "\r\033[K");
    free_data(&d);
    return rc;
}

/* ---- correctness ---- */

static const mlp_training_check *find_check(const mlp_bench_run *run, size_t upto,
                                            const char *set)
{
    for (size_t i = 0; i < upto; i++)
        if (run->cases[i].checked && strcmp(run->cases[i].set, set) == 0)
            return &run->cases[i].check;
    return NULL;
}

static int max_threads(const mlp_bench_config *c)
{
    int m = 1;
    for (size_t i = 0; i < c->nthreads; i++)
        m = c->threads[i] > m ? c->threads[i] : m;
    return m;
}

/* The training-level check of each set (float32, check_epochs epochs, against the
 * scalar float32 trajectory of the same short configuration). */
static void skip_checks(mlp_bench_run *run, const char *why)
{
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        memset(&k->check, 0, sizeof k->check);
        k->check.status = MLP_CHECK_SKIPPED;
        k->check.vs_scalar = k->check.vs_book = NAN;
        snprintf(k->check.detail, sizeof k->check.detail, "%s", why);
        k->checked = true;
        k->check_epochs = run->cfg.check_epochs;
    }
}

static int run_checks(mlp_bench_run *run, const mlp_workload *w, char *err, size_t errlen)
{
    if (w->test.count == 0) { /* the check compares the lines of the test passes */
        skip_checks(run, "the check needs a test set (--test-count > 0)");
        return 0;
    }
    mlp_train_config cfg = run->cfg.spec.train;
    cfg.epochs = run->cfg.check_epochs;
    cfg.model.precision = MLP_F32;
    mlp_trajectory *scalar = malloc(sizeof *scalar);
    if (!scalar) {
        snprintf(err, errlen, "out of memory for the check");
        return -1;
    }
    if (run->cfg.progress)
        fprintf(stderr, "\r\033[Kchecking: scalar f32 reference, %d epochs", cfg.epochs);
    omp_set_num_threads(max_threads(&run->cfg));
    int rc = mlp_trajectory_run(&cfg, w, mlp_kernel_set_find("scalar"), scalar, err, errlen);
    for (size_t i = 0; i < run->ncases && rc == 0; i++) {
        mlp_bench_case *k = &run->cases[i];
        const mlp_training_check *done = find_check(run, i, k->set);
        if (run->cfg.progress && !done)
            fprintf(stderr, "\r\033[Kchecking: %s f32, %d epochs", k->set, cfg.epochs);
        if (done)
            k->check = *done;
        else
            mlp_check_training_set(&cfg, w, k->kset, scalar, &k->check);
        k->checked = true;
        k->check_epochs = cfg.epochs;
    }
    if (run->cfg.progress)
        fprintf(stderr, "\r\033[K");
    free(scalar);
    return rc;
}

/* ---- statistics ---- */

static const mlp_bench_case *scalar_case(const mlp_bench_run *run, mlp_precision p)
{
    for (size_t i = 0; i < run->ncases; i++)
        if (strcmp(run->cases[i].set, "scalar") == 0 && run->cases[i].precision == p)
            return &run->cases[i];
    return NULL;
}

static void phase_rates(mlp_bench_phase *ph, size_t records)
{
    mlp_stats_summarize(ph->seconds, ph->n, &ph->stats);
    double med = ph->stats.median;
    bool ok = ph->n > 0 && med > 0;
    ph->samples_per_second = ok ? (double)records / med : 0;
    ph->gflops_dense = ok ? ph->flops.dense / med / 1e9 : 0;
    ph->gflops_executed = ok ? ph->flops.executed / med / 1e9 : 0;
}

static double speedup(const mlp_bench_phase *scalar, const mlp_bench_phase *ph)
{
    return scalar && scalar->n && ph->n && ph->stats.median > 0
               ? scalar->stats.median / ph->stats.median
               : 0;
}

void mlp_bench_finish(mlp_bench_run *run)
{
    const mlp_model_config *mc = &run->cfg.spec.train.model;
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        size_t nz_train = k->skips_zero_inputs ? run->train_nonzero : run->train_count * mc->inputs;
        size_t nz_test = k->skips_zero_inputs ? run->test_nonzero : run->test_count * mc->inputs;
        k->train.flops = mlp_bench_train_flops(mc, run->train_count, nz_train);
        k->test.flops = mlp_bench_test_flops(mc, run->test_count, nz_test);
        phase_rates(&k->train, run->train_count);
        phase_rates(&k->test, run->test_count);
    }
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        const mlp_bench_case *s = scalar_case(run, k->precision);
        k->train.speedup = s ? speedup(&s->train, &k->train) : 0;
        k->test.speedup = s ? speedup(&s->test, &k->test) : 0;
        k->peak_gflops = run->have_peak ? mlp_peak_gflops(&run->peak, k->precision, k->threads) : 0;
        k->percent_of_peak = k->peak_gflops > 0 ? 100 * k->train.gflops_executed / k->peak_gflops : 0;
    }
}

/* ---- the whole run ---- */

static int run_peak(mlp_bench_run *run, char *err, size_t errlen)
{
    mlp_peak_options o;
    mlp_peak_options_defaults(&o);
    o.bandwidth = false;
    o.pin = run->cfg.pin;
    o.threads = max_threads(&run->cfg);
    if (run->cfg.progress)
        fprintf(stderr, "\r\033[Kpeak: FMA throughput probe");
    if (mlp_peak_run(&o, &run->peak, err, errlen) != 0)
        return -1;
    run->have_peak = true;
    return 0;
}

int mlp_bench_execute(mlp_bench_run *run, char *err, size_t errlen)
{
    double start = mlp_seconds_now();
    const mlp_run_spec *ro = &run->cfg.spec;
    mlp_workload w;
    if (mlp_workload_load(&w, ro->data_dir, ro->train_count, ro->test_count, err, errlen) != 0)
        return -1;
    if (ro->train.model.inputs != w.train.pixels || ro->train.model.outputs != w.train.classes) {
        snprintf(err, errlen, "model is %zu -> %zu but the data has %zu pixels and %zu classes",
                 ro->train.model.inputs, ro->train.model.outputs, w.train.pixels,
                 w.train.classes);
        mlp_workload_free(&w);
        return -1;
    }
    run->train_count = w.train.count;
    run->test_count = w.test.count;
    run->train_nonzero = count_nonzero(&w.train);
    run->test_nonzero = w.test.count ? count_nonzero(&w.test) : 0;
    shuffle_order(run);
    int rc = run->cfg.peak ? run_peak(run, err, errlen) : 0;
    if (rc == 0)
        rc = run_measurements(run, &w, err, errlen);
    if (rc == 0 && run->cfg.check_epochs > 0)
        rc = run_checks(run, &w, err, errlen);
    mlp_workload_free(&w);
    if (rc != 0)
        return -1;
    mlp_bench_finish(run);
    run->seconds = mlp_seconds_now() - start;
    return 0;
}

/* ---- text ---- */

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
    for (size_t i = 0; i < run->nskipped; i++)
        fprintf(f, "skipped: %s (%s)\n", run->skipped[i].set, run->skipped[i].reason);
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        if (k->checked && k->check.status != MLP_CHECK_PASSED && *k->check.detail &&
            !find_check(run, i, k->set))
            fprintf(f, "check %s: %s: %s\n", k->set, mlp_check_status_name(k->check.status),
                    k->check.detail);
    }
}
