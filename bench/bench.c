/* bench.c: whole-workload timing (see bench.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "bench.h"
#include "order.h"
#include "progress.h"
#include "timer.h"
#include "topo.h"
#include "workers.h"

void mlp_bench_config_defaults(mlp_bench_config *c)
{
    memset(c, 0, sizeof *c);
    mlp_run_spec_seed(&c->spec);
    c->precisions[0] = c->spec.train.model.precision;
    c->nprecisions = 1;
    c->warmup = 1;
    c->epochs = 10;
    c->repetitions = 10;
    c->processes = -1; /* one per repetition */
    c->pin = true;
    c->check_epochs = 10;
    c->peak = true;
    c->numpy = true;
    c->shuffle_seed = (unsigned)time(NULL);
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
    p->instructions = malloc((n ? n : 1) * sizeof *p->instructions);
    p->cycles = malloc((n ? n : 1) * sizeof *p->cycles);
    if (!p->seconds || !p->cpu_seconds || !p->instructions || !p->cycles)
        return -1;
    for (size_t i = 0; i < n; i++)
        p->instructions[i] = p->cycles[i] = NAN;
    return 0;
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
    for (int i = 0; i < MLP_COUNTERS; i++) /* closed until execute opens them */
        run->counters.fd[i] = -1;
    snprintf(run->counters_reason, sizeof run->counters_reason, "not measured");
    snprintf(run->numpy.why, sizeof run->numpy.why, "not measured");
    run->cfg = *cfg;
    if (cfg->worker_count == 0) { /* a worker's parent describes the machine */
        mlp_machine_describe(&run->machine);
        run->nwarnings = mlp_machine_warnings(&run->machine, cfg->pin, run->warnings,
                                              MLP_MACHINE_MAX_WARNINGS);
    }
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
    run->repetition_process = calloc((size_t)cfg->repetitions, sizeof(int));
    if (!run->order || !run->repetition_process)
        goto oom;
    if (run->cfg.processes < 0 || run->cfg.processes > run->cfg.repetitions)
        run->cfg.processes = run->cfg.repetitions;
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
        free(k->train.instructions);
        free(k->train.cycles);
        free(k->test.instructions);
        free(k->test.cycles);
        free(k->test.seconds);
        free(k->test.cpu_seconds);
        free(k->cpus);
    }
    free(run->cases);
    free(run->order);
    free(run->repetition_process);
    run->cases = NULL;
    run->order = NULL;
    run->repetition_process = NULL;
    run->ncases = 0;
}

/* ---- running ---- */

/* Where the samples of one repetition of one case go. */
typedef struct rep_samples {
    mlp_bench_run *run;
    mlp_bench_case *k;
    int rep;
    mlp_progress *pg;
} rep_samples;

/* Records the measured epochs (after the warm-up) and the test pass of a repetition. */
static bool record_epoch(const mlp_epoch_report *r, void *user)
{
    rep_samples *s = user;
    const mlp_bench_config *c = &s->run->cfg;
    mlp_bench_case *k = s->k;
    int measured = r->epoch - c->warmup;
    if (measured >= 0) {
        size_t i = (size_t)s->rep * (size_t)c->epochs + (size_t)measured;
        k->train.seconds[i] = r->train_seconds;
        k->train.cpu_seconds[i] = r->train_cpu_seconds;
        k->train.instructions[i] = r->train_meter[MLP_COUNTER_INSTRUCTIONS];
        k->train.cycles[i] = r->train_meter[MLP_COUNTER_CYCLES];
    }
    if (r->tested) {
        k->test.seconds[s->rep] = r->test_seconds;
        k->test.cpu_seconds[s->rep] = r->test_cpu_seconds;
        k->test.instructions[s->rep] = r->test_meter[MLP_COUNTER_INSTRUCTIONS];
        k->test.cycles[s->rep] = r->test_meter[MLP_COUNTER_CYCLES];
    }
    mlp_progress_show(s->pg, "repetition %d/%d: %s, %s %d/%d", s->rep + 1, c->repetitions,
                      k->name, measured < 0 ? "warm-up epoch" : "epoch",
                      measured < 0 ? r->epoch + 1 : measured + 1,
                      measured < 0 ? c->warmup : c->epochs);
    return true;
}

/* The hardware counters as the engine's meter: instructions and cycles of each epoch. */
static void counters_start(void *user)
{
    mlp_counters_start(user);
}

static void counters_stop(void *user, double values[MLP_METER_VALUES])
{
    mlp_counters_stop(user);
    mlp_counter_values v;
    mlp_counters_read(user, &v);
    for (int i = 0; i < MLP_COUNTERS && i < MLP_METER_VALUES; i++)
        values[i] = v.valid[i] ? (double)v.value[i] : NAN;
}

/* One repetition of a case: the engine's schedule of warm-up + measured epochs with one
 * test pass after the last, on a fresh model. */
static int run_case_rep(mlp_bench_run *run, mlp_bench_case *k, int rep, mlp_workload *w,
                        mlp_progress *pg, char *err, size_t errlen)
{
    mlp_topo *t = mlp_topo_this_machine();
    k->pin_failures += mlp_topo_place(t, k->threads, k->threaded, run->cfg.pin);
    mlp_train_config cfg = run->cfg.spec.train;
    cfg.model.precision = k->precision;
    cfg.epochs = run->cfg.warmup + run->cfg.epochs;
    cfg.test_every = 0;
    rep_samples s = {.run = run, .k = k, .rep = rep, .pg = pg};
    mlp_meter meter = {.start = counters_start, .stop = counters_stop, .user = &run->counters};
    mlp_train_hooks hooks = {.on_epoch = record_epoch, .user = &s,
                             .meter = run->counters.available ? &meter : NULL};
    if (mlp_train_run(&cfg, w, k->kset, &hooks, NULL, err, errlen) != 0)
        return -1;
    mlp_topo_record_cpus(t, k->threads, k->threaded, k->cpus + (size_t)rep * (size_t)k->threads);
    pg->done++;
    return 0;
}

int mlp_bench_measure(mlp_bench_run *run, mlp_workload *w, int first, int count,
                      mlp_progress *pg, char *err, size_t errlen)
{
    mlp_progress_start(pg, run->cfg.progress, run->ncases * (size_t)count);
    int rc = 0;
    for (int r = first; r < first + count && rc == 0; r++)
        for (size_t i = 0; i < run->ncases && rc == 0; i++) {
            mlp_bench_case *k = &run->cases[run->order[(size_t)r * run->ncases + i]];
            rc = run_case_rep(run, k, r, w, pg, err, errlen);
        }
    mlp_progress_clear(pg);
    return rc;
}

/* Every sample is in: the phases' sample counts. */
static void samples_complete(mlp_bench_run *run)
{
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        k->train.n = (size_t)run->cfg.repetitions * (size_t)run->cfg.epochs;
        k->test.n = run->test_count ? (size_t)run->cfg.repetitions : 0;
    }
}

/* ---- correctness ---- */

static int max_threads(const mlp_bench_config *c)
{
    int m = 1;
    for (size_t i = 0; i < c->nthreads; i++)
        m = c->threads[i] > m ? c->threads[i] : m;
    return m;
}

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

typedef struct check_progress {
    mlp_bench_run *run;
    mlp_progress *pg;
} check_progress;

/* Gives a set's check to every case of that set. */
static void store_check(const mlp_kernel_set *set, const mlp_training_check *r, void *user)
{
    check_progress *c = user;
    for (size_t i = 0; i < c->run->ncases; i++) {
        mlp_bench_case *k = &c->run->cases[i];
        if (k->kset != set)
            continue;
        k->check = *r;
        k->checked = true;
        k->check_epochs = c->run->cfg.check_epochs;
    }
    mlp_progress_status(c->pg, "checking: %s f32 done", set->name);
}

/* The training-level check of each set (float32, check_epochs epochs, against the
 * reference set's float32 trajectory of the same short configuration). */
static int run_checks(mlp_bench_run *run, mlp_workload *w, mlp_progress *pg, char *err,
                      size_t errlen)
{
    if (w->test.count == 0) { /* the check compares the lines of the test passes */
        skip_checks(run, "the check needs a test set (--test-count > 0)");
        return 0;
    }
    mlp_train_config cfg = run->cfg.spec.train;
    cfg.epochs = run->cfg.check_epochs;
    const mlp_kernel_set *sets[MLP_BENCH_MAX_SETS];
    size_t nsets = 0;
    for (size_t i = 0; i < run->cfg.nsets; i++)
        sets[nsets++] = run->cfg.sets[i];
    mlp_progress_status(pg, "checking: every set against the reference, %d epochs", cfg.epochs);
    omp_set_num_threads(max_threads(&run->cfg));
    check_progress c = {.run = run, .pg = pg};
    int rc = mlp_check_training_sets(&cfg, w, sets, nsets, store_check, &c, err, errlen);
    mlp_progress_clear(pg);
    return rc;
}

/* ---- statistics ---- */

static const mlp_bench_case *reference_case(const mlp_bench_run *run, mlp_precision p)
{
    const mlp_kernel_set *ref = mlp_kernel_set_reference();
    for (size_t i = 0; i < run->ncases; i++)
        if (run->cases[i].kset == ref && run->cases[i].precision == p)
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

static double speedup(const mlp_bench_phase *ref, const mlp_bench_phase *ph)
{
    return ref && ref->n && ph->n && ph->stats.median > 0 ? ref->stats.median / ph->stats.median
                                                          : 0;
}

/* The roofline bound of one phase of `records` records and its percent (roofline.h):
 * flops.h's byte model split into the inputs (records x I values) and the weights.
 * The model reads the weights once per record; blocked calls (kernels.h) read them
 * once per call of `rows` rows (1: the row paths), so that traffic is divided by rows. */
static void phase_bound(const mlp_bench_run *run, const mlp_bench_case *k, mlp_bench_phase *ph,
                        size_t records, size_t rows)
{
    const mlp_model_config *mc = &run->cfg.spec.train.model;
    const mlp_topo_info *t = &run->machine.topo;
    double size = (double)mlp_precision_size(k->precision);
    double llc = 0;
    for (int level = 1; level <= 4; level++)
        if (mlp_topo_cache_size(t, level) > 0)
            llc = (double)mlp_topo_cache_size(t, level);
    mlp_cache_sizes caches = {.l1 = (double)mlp_topo_cache_size(t, 1),
                              .l2 = (double)mlp_topo_cache_size(t, 2), .llc = llc};
    double inputs = (double)records * (double)mc->inputs * size;
    mlp_phase_work w = {
        .flop = ph->flops.executed,
        .weight_bytes = (ph->bytes.executed - inputs) / (double)rows,
        .weight_footprint = (double)(mc->inputs * mc->hidden + mc->hidden * mc->outputs) * size,
        .input_bytes = inputs,
        .input_footprint = inputs,
    };
    ph->bound = mlp_roofline_bound(&run->peak, &caches, k->precision, k->threads, &w);
    ph->percent_of_bound = ph->n && ph->stats.median > 0 && ph->bound.bound_s > 0
                               ? 100 * ph->bound.bound_s / ph->stats.median : 0;
}

/* rows per forward call of the test pass (src/model.c's TEST_CHUNK_ROWS; more if the
 * batch is larger) */
enum { MLP_TEST_CHUNK_ROWS = 256 };

/* The inputs whose terms a case's kernels compute in one phase: the SIMD sets skip the
 * zero inputs on their row paths, but the blocked paths (kernels.h: batches of
 * MLP_BLOCKED_MIN_ROWS rows or more; forward only with a W over 256 KiB) are dense.
 * The FLOP model counts forward and update together (4 * nonzero * H), so a training
 * epoch whose forward skips zeros and whose update does not gets the mean of the two. */
static size_t computed_inputs(const mlp_bench_case *k, const mlp_model_config *mc, size_t rows,
                              size_t count, size_t nonzero, bool training)
{
    size_t dense = count * mc->inputs, size = mlp_precision_size(k->precision);
    if (!k->skips_zero_inputs)
        return dense;
    size_t fwd = mlp_blocked_forward(rows, mc->inputs, mc->hidden, size) ? dense : nonzero;
    if (!training)
        return fwd;
    size_t upd = mlp_blocked_batch(rows) ? dense : nonzero;
    return fwd / 2 + upd / 2 + (fwd % 2 + upd % 2) / 2;
}

void mlp_bench_finish(mlp_bench_run *run)
{
    const mlp_model_config *mc = &run->cfg.spec.train.model;
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        size_t test_rows = mc->batch > MLP_TEST_CHUNK_ROWS ? mc->batch : MLP_TEST_CHUNK_ROWS;
        size_t nz_train = computed_inputs(k, mc, mc->batch, run->train_count, run->train_nonzero, true);
        size_t nz_test = computed_inputs(k, mc, test_rows, run->test_count, run->test_nonzero, false);
        size_t size = mlp_precision_size(k->precision);
        k->train.flops = mlp_flops_train_epoch(mc, run->train_count, nz_train);
        k->test.flops = mlp_flops_test_pass(mc, run->test_count, nz_test);
        k->train.bytes = mlp_bytes_train_epoch(mc, run->train_count, nz_train, size);
        k->test.bytes = mlp_bytes_test_pass(mc, run->test_count, nz_test, size);
        phase_rates(&k->train, run->train_count);
        phase_rates(&k->test, run->test_count);
    }
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        const mlp_bench_case *ref = reference_case(run, k->precision);
        k->train.speedup = ref ? speedup(&ref->train, &k->train) : 0;
        k->test.speedup = ref ? speedup(&ref->test, &k->test) : 0;
        const mlp_peer *np = &run->numpy;
        k->train.speedup_numpy = np->measured && k->train.stats.median > 0
                                     ? np->train_median / k->train.stats.median : 0;
        k->test.speedup_numpy = np->measured && k->test.n && k->test.stats.median > 0
                                    ? np->test_median / k->test.stats.median : 0;
        k->peak_gflops = run->have_peak ? mlp_peak_gflops(&run->peak, k->precision, k->threads) : 0;
        k->percent_of_peak = k->peak_gflops > 0 ? 100 * k->train.gflops_executed / k->peak_gflops : 0;
        if (run->have_peak) {
            size_t batch = mc->batch, size = mlp_precision_size(k->precision);
            size_t test_rows = batch > MLP_TEST_CHUNK_ROWS ? batch : MLP_TEST_CHUNK_ROWS;
            bool test_blocked = mlp_blocked_forward(test_rows, mc->inputs, mc->hidden, size);
            phase_bound(run, k, &k->train, run->train_count, mlp_blocked_batch(batch) ? batch : 1);
            phase_bound(run, k, &k->test, run->test_count, test_blocked ? test_rows : 1);
        }
    }
}

/* ---- the whole run ---- */

static int run_peak(mlp_bench_run *run, mlp_progress *pg, char *err, size_t errlen)
{
    mlp_peak_options o;
    mlp_peak_options_defaults(&o);
    o.bandwidth = true; /* the roofline's bandwidth ceilings */
    o.pin = run->cfg.pin;
    o.threads = max_threads(&run->cfg);
    mlp_progress_status(pg, "peak: FMA throughput probe");
    if (mlp_peak_run(&o, &run->peak, err, errlen) != 0)
        return -1;
    run->have_peak = true;
    return 0;
}

/* crc32 of the records used, images and labels of both splits, as "crc32:<hex>". */
static void data_checksum(const mlp_workload *w, char *out, size_t len)
{
    const mlp_dataset *splits[] = {&w->train, &w->test};
    uLong crc = crc32(0L, Z_NULL, 0);
    for (int i = 0; i < 2; i++) {
        const mlp_dataset *d = splits[i];
        if (d->count == 0)
            continue;
        crc = crc32_z(crc, d->images, d->count * d->pixels);
        crc = crc32_z(crc, d->labels, d->count);
    }
    snprintf(out, len, "crc32:%08lx", (unsigned long)crc);
}

int mlp_bench_execute(mlp_bench_run *run, char *err, size_t errlen)
{
    double start = mlp_seconds_now();
    const mlp_bench_config *c = &run->cfg;
    mlp_workload w;
    if (mlp_workload_load(&w, &c->spec, err, errlen) != 0)
        return -1;
    if (mlp_workload_fits(&w, &c->spec.train.model, err, errlen) != 0) {
        mlp_workload_free(&w);
        return -1;
    }
    mlp_counters_open(&run->counters); /* before any OpenMP thread: they inherit it */
    run->counters_available = run->counters.available;
    snprintf(run->counters_reason, sizeof run->counters_reason, "%s", run->counters.reason);
    run->train_count = w.train.count;
    run->test_count = w.test.count;
    mlp_shuffled_orders(run->order, c->repetitions, run->ncases, c->shuffle_seed);
    mlp_progress pg;
    mlp_progress_start(&pg, c->progress, 0);
    if (c->worker_count > 0) { /* a worker: its repetitions only, for the parent */
        int rc = mlp_bench_measure(run, &w, c->worker_first, c->worker_count, &pg, err, errlen);
        mlp_workload_free(&w);
        mlp_counters_close(&run->counters);
        return rc;
    }
    run->train_nonzero = mlp_flops_nonzero_inputs(&w.train);
    run->test_nonzero = w.test.count ? mlp_flops_nonzero_inputs(&w.test) : 0;
    data_checksum(&w, run->data_checksum, sizeof run->data_checksum);
    int rc = c->peak ? run_peak(run, &pg, err, errlen) : 0;
    snprintf(run->numpy.why, sizeof run->numpy.why, "not asked for (--no-numpy)");
    if (rc == 0 && c->numpy) {
        mlp_progress_status(&pg, "peer: the seed's numpy program (tools/numpy-seed)");
        mlp_peer_numpy_run(&c->spec, c->pin, &run->numpy);
    }
    if (rc == 0)
        rc = c->processes > 0 ? mlp_bench_run_workers(run, &pg, err, errlen)
                              : mlp_bench_measure(run, &w, 0, c->repetitions, &pg, err, errlen);
    samples_complete(run);
    if (rc == 0 && c->check_epochs > 0)
        rc = run_checks(run, &w, &pg, err, errlen);
    mlp_workload_free(&w);
    mlp_counters_close(&run->counters);
    if (rc != 0)
        return -1;
    mlp_bench_finish(run);
    run->seconds = mlp_seconds_now() - start;
    return 0;
}
