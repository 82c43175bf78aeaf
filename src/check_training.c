/* check_training.c: the training-level check (see check_training.h).
 *
 * Why 0.002: a float32 run differs from float64 by rounding in every one of ~350,000
 * SGD steps; the printed errors are truncated to three decimals, so such a drift can
 * flip the last printed digit (0.001), and the scalar float32 run stays within 0.001
 * of the book (tests/test_book_table). A set that sums in another order (FMA, vector
 * lanes, skipped zero inputs) perturbs the float32 trajectory by the same kind of
 * rounding, so it may move a printed value by a digit more, not further: 0.002 is
 * two last-digit flips of an error, or 2 of 1000 training / 20 of 10000 test records
 * changing class. A wrong kernel (a lost term, a wrong index) moves these numbers by
 * far more within the first epochs. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check_training.h"
#include "pyfmt.h"
#include "timer.h"

const double mlp_book_final[4] = {0.108, 1.0, 0.653, 0.7073};

const char *mlp_check_status_name(mlp_check_status s)
{
    return s == MLP_CHECK_PASSED ? "PASSED" : s == MLP_CHECK_FAILED ? "FAILED" : "SKIPPED";
}

/* The value as the book prints it: errors as str(x)[0:5], accuracies as str(x). */
static double printed_error(double x)
{
    char buf[32];
    return strtod(mlp_py_float_str5(x, buf, sizeof buf), NULL);
}

static bool record_line(const mlp_epoch_report *r, void *user)
{
    mlp_trajectory *t = user;
    if (!r->tested || t->lines >= MLP_TRAJECTORY_MAX)
        return true;
    t->epoch[t->lines] = r->epoch;
    t->value[t->lines][0] = printed_error(r->train.error);
    t->value[t->lines][1] = r->train.accuracy;
    t->value[t->lines][2] = printed_error(r->test.error);
    t->value[t->lines][3] = r->test.accuracy;
    t->lines++;
    return true;
}

int mlp_trajectory_run(const mlp_train_config *cfg, mlp_workload *w, const mlp_kernel_set *set,
                       mlp_trajectory *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    double t0 = mlp_seconds_now();
    mlp_train_hooks hooks = {.on_epoch = record_line, .user = out};
    int rc = mlp_train_run(cfg, w, set, &hooks, NULL, err, errlen);
    out->seconds = mlp_seconds_now() - t0;
    return rc;
}

double mlp_trajectory_distance(const mlp_trajectory *a, const mlp_trajectory *b)
{
    if (a->lines != b->lines || a->lines == 0)
        return INFINITY;
    double worst = 0;
    for (int i = 0; i < a->lines; i++) {
        if (a->epoch[i] != b->epoch[i])
            return INFINITY;
        for (int v = 0; v < 4; v++)
            worst = fmax(worst, fabs(a->value[i][v] - b->value[i][v]));
    }
    return worst;
}

/* The seed workload: the book's final line applies to it. */
static bool is_seed_workload(const mlp_train_config *cfg, const mlp_workload *w)
{
    mlp_model_config seed = mlp_model_config_seed();
    const mlp_model_config *m = &cfg->model;
    return cfg->epochs == 350 && cfg->test_every == 10 && w->train.count == 1000 &&
           w->test.count == 10000 && m->hidden == seed.hidden && m->alpha == seed.alpha &&
           m->batch == 1 && !m->dropout && m->seed == seed.seed &&
           m->relu_grad == seed.relu_grad;
}

/* The verdict on a float32 trajectory `got` of cfg against the reference's. */
static void judge(const mlp_train_config *cfg, const mlp_workload *w, const mlp_trajectory *got,
                  const mlp_trajectory *scalar, mlp_training_check *out)
{
    out->seconds = got->seconds;
    out->vs_scalar = mlp_trajectory_distance(got, scalar);
    out->vs_book = NAN;
    bool ok = out->vs_scalar <= MLP_TRAINING_TOLERANCE;
    if (is_seed_workload(cfg, w) && got->lines > 0) {
        out->vs_book = 0;
        for (int v = 0; v < 4; v++)
            out->vs_book =
                fmax(out->vs_book, fabs(got->value[got->lines - 1][v] - mlp_book_final[v]));
        ok = ok && out->vs_book <= MLP_TRAINING_TOLERANCE;
    }
    out->status = ok ? MLP_CHECK_PASSED : MLP_CHECK_FAILED;
    if (!ok)
        snprintf(out->detail, sizeof out->detail,
                 "off by %.4f from scalar f32, %.4f from the book (tolerance %.3f)",
                 out->vs_scalar, out->vs_book, MLP_TRAINING_TOLERANCE);
}

void mlp_check_training_set(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *set, const mlp_trajectory *scalar,
                            mlp_training_check *out)
{
    memset(out, 0, sizeof *out);
    out->status = MLP_CHECK_SKIPPED;
    if (!mlp_kernel_set_runnable(set)) {
        snprintf(out->detail, sizeof out->detail, "this CPU cannot run %s", set->isa);
        return;
    }
    if (!mlp_kernel_set_has(set, MLP_F32)) {
        snprintf(out->detail, sizeof out->detail, "no float32 kernels");
        return;
    }
    mlp_train_config c = *cfg;
    c.model.precision = MLP_F32;
    mlp_trajectory *got = malloc(sizeof *got); /* large: keep it off the stack */
    if (!got) {
        out->status = MLP_CHECK_FAILED;
        snprintf(out->detail, sizeof out->detail, "out of memory");
        return;
    }
    if (mlp_trajectory_run(&c, w, set, got, out->detail, sizeof out->detail) != 0)
        out->status = MLP_CHECK_FAILED;
    else
        judge(&c, w, got, scalar, out);
    free(got);
}

int mlp_check_training_sets(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *const *sets, size_t nsets,
                            mlp_check_visit visit, void *user, char *err, size_t errlen)
{
    const mlp_kernel_set *ref = mlp_kernel_set_reference();
    mlp_train_config c = *cfg;
    c.model.precision = MLP_F32;
    mlp_trajectory *scalar = malloc(sizeof *scalar);
    if (!scalar) {
        snprintf(err, errlen, "out of memory for the check");
        return -1;
    }
    if (mlp_trajectory_run(&c, w, ref, scalar, err, errlen) != 0) {
        free(scalar);
        return -1;
    }
    mlp_training_check r = {0};
    judge(&c, w, scalar, scalar, &r);
    visit(ref, &r, user);
    for (size_t i = 0; i < nsets; i++) {
        bool seen = sets[i] == ref;
        for (size_t j = 0; j < i && !seen; j++)
            seen = sets[j] == sets[i];
        if (seen)
            continue;
        mlp_check_training_set(&c, w, sets[i], scalar, &r);
        visit(sets[i], &r, user);
    }
    free(scalar);
    return 0;
}

/* Trains cfg for its epochs with `threads` threads; returns the model (NULL on error). */
static mlp_model *train_with_threads(const mlp_train_config *cfg, mlp_workload *w,
                                     const mlp_kernel_set *set, int threads,
                                     mlp_trajectory *t, char *err, size_t errlen)
{
    omp_set_num_threads(threads);
    mlp_model *m = NULL;
    memset(t, 0, sizeof *t);
    mlp_train_hooks hooks = {.on_epoch = record_line, .user = t};
    if (mlp_train_run(cfg, w, set, &hooks, &m, err, errlen) != 0)
        return NULL;
    return m;
}

static bool same_weights(const mlp_model *a, const mlp_model *b)
{
    size_t bytes = mlp_model_config_of(a)->precision == MLP_F32 ? sizeof(float) : sizeof(double);
    for (int layer = 0; layer < 2; layer++) {
        size_t na, nb;
        const void *wa = mlp_model_weights(a, layer, &na), *wb = mlp_model_weights(b, layer, &nb);
        if (na != nb || memcmp(wa, wb, na * bytes) != 0)
            return false;
    }
    return true;
}

void mlp_check_thread_reproducibility(const mlp_train_config *cfg, mlp_workload *w,
                                      const mlp_kernel_set *set, int max_threads,
                                      mlp_training_check *out)
{
    memset(out, 0, sizeof *out);
    out->status = MLP_CHECK_SKIPPED;
    out->vs_book = NAN; /* not compared with the book */
    if (!mlp_kernel_set_runnable(set) || !set->threaded) {
        snprintf(out->detail, sizeof out->detail, "%s",
                 set->threaded ? "this CPU cannot run it" : "not threaded");
        return;
    }
    int saved = omp_get_max_threads();
    static mlp_trajectory first, other;
    double t0 = mlp_seconds_now();
    mlp_model *base = train_with_threads(cfg, w, set, 1, &first, out->detail, sizeof out->detail);
    out->status = base ? MLP_CHECK_PASSED : MLP_CHECK_FAILED;
    for (int t = 2; base && t <= max_threads && out->status == MLP_CHECK_PASSED; t++) {
        mlp_model *m = train_with_threads(cfg, w, set, t, &other, out->detail, sizeof out->detail);
        bool same = m && same_weights(base, m) && mlp_trajectory_distance(&first, &other) == 0 &&
                    first.lines == other.lines;
        if (!same) {
            out->status = MLP_CHECK_FAILED;
            snprintf(out->detail, sizeof out->detail,
                     "%d threads give different weights or metrics than 1 thread", t);
        }
        mlp_model_free(m);
    }
    mlp_model_free(base);
    out->seconds = mlp_seconds_now() - t0;
    omp_set_num_threads(saved);
}
