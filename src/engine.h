/* train.h: the shared training driver: loads the workload's data, builds the model on
 * a kernel set, runs the epoch loop with the test schedule, times each training epoch
 * and test pass, and reports every epoch to a callback. */
#ifndef MLP_TRAIN_H
#define MLP_TRAIN_H

#include <stdbool.h>

#include "model.h"

typedef struct mlp_workload {
    mlp_dataset train;
    mlp_dataset test; /* count 0: no test set */
} mlp_workload;

/* Loads train_count training and test_count test records from dir (test_count 0:
 * no test set). Returns 0, or -1 with a one-line message. */
int mlp_workload_load(mlp_workload *w, const char *dir, size_t train_count, size_t test_count,
                      char *err, size_t errlen);
void mlp_workload_free(mlp_workload *w);

typedef struct mlp_train_config {
    mlp_model_config model;
    int epochs;     /* 350 */
    int test_every; /* 10: test when epoch % test_every == 0, and after the last epoch */
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

typedef struct mlp_epoch_report {
    int epoch;
    mlp_metrics train;
    bool tested;
    mlp_metrics test;
    double train_seconds; /* the training epoch alone */
    double test_seconds;  /* the test pass alone (0 if none) */
} mlp_epoch_report;

/* Called after each epoch; return false to stop early. */
typedef bool (*mlp_epoch_fn)(const mlp_epoch_report *r, void *user);

/* True when epoch `e` of `epochs` carries a test pass. */
bool mlp_is_test_epoch(const mlp_train_config *cfg, int e);

/* Runs the whole schedule. On success returns 0 and, if model_out is not NULL,
 * hands over the trained model (free it with mlp_model_free). */
int mlp_train_run(const mlp_train_config *cfg, const mlp_workload *w, const mlp_kernel_set *set,
                  mlp_epoch_fn fn, void *user, mlp_model **model_out, char *err, size_t errlen);

#endif
