/* engine.h: the training engine that `train`, `bench` and `check` all run on.
 *
 *   mlp_workload   the data of a run: the training and test records as read from the
 *                  IDX files, and (made on first use, kept) the same records in the
 *                  layout the kernels read, per precision.
 *   mlp_engine     one run of a model on a kernel set: open, then train one epoch or run
 *                  one test pass at a time, each timed alone (wall and process CPU
 *                  clock); close.
 *   mlp_train_run  the schedule (epochs, a test pass every test_every epochs and after
 *                  the last) on an engine, reporting every epoch to a callback: the one
 *                  epoch loop of the program. */
#ifndef MLP_ENGINE_H
#define MLP_ENGINE_H

#include <stdbool.h>

#include "model.h"

typedef struct mlp_train_config {
    mlp_model_config model;
    int epochs;     /* 350 */
    int test_every; /* 10: test when epoch % test_every == 0, and after the last epoch;
                       0: only after the last */
} mlp_train_config;

/* What to run: the model and its schedule, and how many records of which data. */
typedef struct mlp_run_spec {
    mlp_train_config train;
    size_t train_count;   /* 1000 */
    size_t test_count;    /* 10000; 0: no test pass */
    const char *data_dir; /* IDX folder */
} mlp_run_spec;

/* The seed workload: the book's network, schedule and data. */
void mlp_run_spec_seed(mlp_run_spec *s);

typedef enum { MLP_SPLIT_TRAIN = 0, MLP_SPLIT_TEST = 1 } mlp_split;

typedef struct mlp_workload {
    mlp_dataset train;
    mlp_dataset test;                        /* count 0: no test set */
    mlp_data *prepared[2][MLP_PRECISIONS];   /* [split][precision], made on first use */
} mlp_workload;

/* Loads spec's training and test records from spec's folder. Returns 0, or -1 with a
 * one-line message. */
int mlp_workload_load(mlp_workload *w, const mlp_run_spec *spec, char *err, size_t errlen);
void mlp_workload_free(mlp_workload *w);
/* The records of a split in the kernels' layout and precision p, converted once and
 * kept; NULL without a test set, or out of memory (then *oom is set). */
const mlp_data *mlp_workload_data(mlp_workload *w, mlp_split split, mlp_precision p, bool *oom);
/* Whether a model of cfg fits the data (inputs = pixels, outputs = classes); if not, -1
 * with a one-line message. */
int mlp_workload_fits(const mlp_workload *w, const mlp_model_config *cfg, char *err,
                      size_t errlen);

/* A measurement taken around each training epoch and test pass beside the engine's
 * clocks (bench's hardware counters): start() right before, stop() right after, which
 * fills MLP_METER_VALUES numbers (NaN where it has none). */
enum { MLP_METER_VALUES = 2 };
typedef struct mlp_meter {
    void (*start)(void *user);
    void (*stop)(void *user, double values[MLP_METER_VALUES]);
    void *user;
} mlp_meter;

typedef struct mlp_epoch_report {
    int epoch;
    mlp_metrics train;
    bool tested;
    mlp_metrics test;
    /* CPU seconds: of the process for a threaded set, else of the calling thread */
    double train_seconds, train_cpu_seconds; /* the training epoch alone */
    double test_seconds, test_cpu_seconds;   /* the test pass alone (0 if none) */
    double train_meter[MLP_METER_VALUES];    /* the meter's values, NaN without one */
    double test_meter[MLP_METER_VALUES];
} mlp_epoch_report;

typedef struct mlp_engine mlp_engine;

/* A fresh model of cfg->model on `set` over w's data (prepared in cfg's precision).
 * NULL with a one-line message if the model does not fit the data, the set lacks the
 * precision, or memory runs out. */
mlp_engine *mlp_engine_open(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *set, char *err, size_t errlen);
/* Measures every later epoch and test pass with m too (NULL: no meter). */
void mlp_engine_set_meter(mlp_engine *e, const mlp_meter *m);
/* Trains the next epoch; sets r->epoch, r->train and its times, clears the test part. */
void mlp_engine_train_epoch(mlp_engine *e, mlp_epoch_report *r);
/* One test pass of the current weights (no-op without a test set): r->tested, r->test
 * and its times. */
void mlp_engine_test(mlp_engine *e, mlp_epoch_report *r);
/* Whether the engine's schedule tests after epoch `epoch`. */
bool mlp_engine_tests_after(const mlp_engine *e, int epoch);
mlp_model *mlp_engine_model(mlp_engine *e);
/* Frees the engine; its model too unless keep_model (then the caller frees it with
 * mlp_model_free). Returns the model kept, else NULL. */
mlp_model *mlp_engine_close(mlp_engine *e, bool keep_model);

/* True when epoch `e` of cfg's schedule carries a test pass. */
bool mlp_is_test_epoch(const mlp_train_config *cfg, int e);

/* Called after each epoch; return false to stop early. */
typedef bool (*mlp_epoch_fn)(const mlp_epoch_report *r, void *user);

/* What a run reports to: on_epoch(report, user) after every epoch, and a meter. */
typedef struct mlp_train_hooks {
    mlp_epoch_fn on_epoch; /* NULL: nothing */
    void *user;
    const mlp_meter *meter; /* NULL: none */
    const struct mlp_grad_comm *comm; /* B > 1 shared with other ranks (dist.h); NULL: alone */
} mlp_train_hooks;

/* Runs cfg's whole schedule on set (hooks may be NULL). On success returns 0 and, if
 * model_out is not NULL, hands over the trained model (free it with mlp_model_free). */
int mlp_train_run(const mlp_train_config *cfg, mlp_workload *w, const mlp_kernel_set *set,
                  const mlp_train_hooks *hooks, mlp_model **model_out, char *err,
                  size_t errlen);

#endif
