/* engine.c: the training engine (see engine.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "timer.h"

void mlp_run_spec_seed(mlp_run_spec *s)
{
    memset(s, 0, sizeof *s);
    s->train.model = mlp_model_config_seed();
    s->train.epochs = 350;
    s->train.test_every = 10;
    s->train_count = 1000;
    s->test_count = 10000;
    s->data_dir = mlp_default_data_dir();
}

/* ---- the workload ---- */

int mlp_workload_load(mlp_workload *w, const mlp_run_spec *spec, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    const char *dir = spec->data_dir;
    if (mlp_dataset_load(dir, "train", spec->train_count, &w->train, err, errlen) != 0)
        return -1;
    if (spec->test_count > 0 &&
        mlp_dataset_load(dir, "test", spec->test_count, &w->test, err, errlen) != 0) {
        mlp_workload_free(w);
        return -1;
    }
    if (spec->test_count > 0 && w->test.pixels != w->train.pixels) {
        snprintf(err, errlen, "%s: test images have %zu pixels, training images %zu", dir,
                 w->test.pixels, w->train.pixels);
        mlp_workload_free(w);
        return -1;
    }
    return 0;
}

void mlp_workload_free(mlp_workload *w)
{
    for (int s = 0; s < 2; s++)
        for (int p = 0; p < MLP_PRECISIONS; p++)
            mlp_data_free(w->prepared[s][p]);
    mlp_dataset_free(&w->train);
    mlp_dataset_free(&w->test);
    memset(w, 0, sizeof *w);
}

const mlp_data *mlp_workload_data(mlp_workload *w, mlp_split split, mlp_precision p, bool *oom)
{
    const mlp_dataset *ds = split == MLP_SPLIT_TRAIN ? &w->train : &w->test;
    *oom = false;
    if (ds->count == 0)
        return NULL;
    mlp_data **slot = &w->prepared[split][p];
    if (!*slot)
        *slot = mlp_data_prepare(ds, p);
    *oom = *slot == NULL;
    return *slot;
}

int mlp_workload_fits(const mlp_workload *w, const mlp_model_config *cfg, char *err,
                      size_t errlen)
{
    if (cfg->inputs == w->train.pixels && cfg->outputs == w->train.classes)
        return 0;
    snprintf(err, errlen, "model is %zu -> %zu but the data has %zu pixels and %zu classes",
             cfg->inputs, cfg->outputs, w->train.pixels, w->train.classes);
    return -1;
}

/* ---- one run ---- */

struct mlp_engine {
    mlp_train_config cfg;
    mlp_model *model;
    const mlp_data *train, *test; /* owned by the workload */
    int epoch;                    /* the next epoch to train */
    const mlp_meter *meter;       /* NULL: none */
    bool threaded;                /* the set runs threads: CPU time of the process, else of
                                     the calling thread */
};

#ifdef MLP_TEST_SLOWDOWN
/* Test builds only (cmake -DMLP_TEST_SLOWDOWN=0.10): every training epoch and test
 * pass is made that fraction longer by spinning inside its timed interval, so that
 * tools/perf-ab can be shown to detect a known slowdown. Never in a normal build. */
static double slowed(double t0, double t1)
{
    double until = t1 + (t1 - t0) * (MLP_TEST_SLOWDOWN);
    double now = t1;
    while (now < until)
        now = mlp_seconds_now();
    return now;
}
#else
static double slowed(double t0, double t1)
{
    (void)t0;
    return t1;
}
#endif

/* One timed interval: wall and CPU clocks and the meter around fn. */
typedef struct interval {
    double c0, t0;
} interval;

static double cpu_now(const mlp_engine *e)
{
    return e->threaded ? mlp_cpu_seconds_now() : mlp_thread_cpu_seconds_now();
}

static interval interval_start(const mlp_engine *e)
{
    if (e->meter)
        e->meter->start(e->meter->user);
    return (interval){.c0 = cpu_now(e), .t0 = mlp_seconds_now()};
}

static void interval_stop(const mlp_engine *e, interval iv, double *seconds, double *cpu_seconds,
                          double meter[MLP_METER_VALUES])
{
    double t1 = slowed(iv.t0, mlp_seconds_now());
    *seconds = t1 - iv.t0;
    *cpu_seconds = cpu_now(e) - iv.c0;
    for (int i = 0; i < MLP_METER_VALUES; i++)
        meter[i] = NAN;
    if (e->meter)
        e->meter->stop(e->meter->user, meter);
}

mlp_engine *mlp_engine_open(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *set, char *err, size_t errlen)
{
    if (mlp_workload_fits(w, &cfg->model, err, errlen) != 0)
        return NULL;
    bool oom_train, oom_test;
    const mlp_data *train = mlp_workload_data(w, MLP_SPLIT_TRAIN, cfg->model.precision, &oom_train);
    const mlp_data *test = mlp_workload_data(w, MLP_SPLIT_TEST, cfg->model.precision, &oom_test);
    mlp_engine *e = oom_train || oom_test ? NULL : calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory preparing the data");
        return NULL;
    }
    e->model = mlp_model_create(&cfg->model, set, err, errlen);
    if (!e->model) {
        free(e);
        return NULL;
    }
    mlp_model_ready(e->model, train, test); /* before any timed epoch or pass */
    e->cfg = *cfg;
    e->threaded = set->threaded;
    e->train = train;
    e->test = test;
    return e;
}

void mlp_engine_set_meter(mlp_engine *e, const mlp_meter *m)
{
    e->meter = m;
}

void mlp_engine_train_epoch(mlp_engine *e, mlp_epoch_report *r)
{
    memset(r, 0, sizeof *r);
    r->epoch = e->epoch++;
    for (int i = 0; i < MLP_METER_VALUES; i++)
        r->test_meter[i] = NAN;
    interval iv = interval_start(e);
    mlp_model_train_epoch(e->model, e->train, &r->train);
    interval_stop(e, iv, &r->train_seconds, &r->train_cpu_seconds, r->train_meter);
}

void mlp_engine_test(mlp_engine *e, mlp_epoch_report *r)
{
    if (!e->test)
        return;
    interval iv = interval_start(e);
    mlp_model_test(e->model, e->test, &r->test);
    interval_stop(e, iv, &r->test_seconds, &r->test_cpu_seconds, r->test_meter);
    r->tested = true;
}

bool mlp_engine_tests_after(const mlp_engine *e, int epoch)
{
    return e->test && mlp_is_test_epoch(&e->cfg, epoch);
}

mlp_model *mlp_engine_model(mlp_engine *e)
{
    return e->model;
}

mlp_model *mlp_engine_close(mlp_engine *e, bool keep_model)
{
    if (!e)
        return NULL;
    mlp_model *m = e->model;
    free(e);
    if (keep_model)
        return m;
    mlp_model_free(m);
    return NULL;
}

/* ---- the schedule ---- */

bool mlp_is_test_epoch(const mlp_train_config *cfg, int e)
{
    return e == cfg->epochs - 1 || (cfg->test_every > 0 && e % cfg->test_every == 0);
}

int mlp_train_run(const mlp_train_config *cfg, mlp_workload *w, const mlp_kernel_set *set,
                  const mlp_train_hooks *hooks, mlp_model **model_out, char *err,
                  size_t errlen)
{
    mlp_engine *e = mlp_engine_open(cfg, w, set, err, errlen);
    if (!e)
        return -1;
    mlp_train_hooks none = {0};
    if (!hooks)
        hooks = &none;
    mlp_engine_set_meter(e, hooks->meter);
    mlp_model_set_comm(e->model, hooks->comm);
    for (int epoch = 0; epoch < cfg->epochs; epoch++) {
        mlp_epoch_report r;
        mlp_engine_train_epoch(e, &r);
        if (mlp_engine_tests_after(e, epoch))
            mlp_engine_test(e, &r);
        if (hooks->on_epoch && !hooks->on_epoch(&r, hooks->user))
            break;
    }
    mlp_model *m = mlp_engine_close(e, model_out != NULL);
    if (model_out)
        *model_out = m;
    return 0;
}
