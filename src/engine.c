/* train.c: the shared training driver (see train.h). */
#include <stdio.h>
#include <string.h>

#include "timer.h"
#include "engine.h"

int mlp_workload_load(mlp_workload *w, const char *dir, size_t train_count, size_t test_count,
                      char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    if (mlp_dataset_load(dir, "train", train_count, &w->train, err, errlen) != 0)
        return -1;
    if (test_count > 0 && mlp_dataset_load(dir, "test", test_count, &w->test, err, errlen) != 0) {
        mlp_dataset_free(&w->train);
        return -1;
    }
    if (test_count > 0 && w->test.pixels != w->train.pixels) {
        snprintf(err, errlen, "%s: test images have %zu pixels, training images %zu", dir,
                 w->test.pixels, w->train.pixels);
        mlp_workload_free(w);
        return -1;
    }
    return 0;
}

void mlp_workload_free(mlp_workload *w)
{
    mlp_dataset_free(&w->train);
    mlp_dataset_free(&w->test);
    memset(w, 0, sizeof *w);
}

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

bool mlp_is_test_epoch(const mlp_train_config *cfg, int e)
{
    return e == cfg->epochs - 1 || (cfg->test_every > 0 && e % cfg->test_every == 0);
}

int mlp_train_run(const mlp_train_config *cfg, const mlp_workload *w, const mlp_kernel_set *set,
                  mlp_epoch_fn fn, void *user, mlp_model **model_out, char *err, size_t errlen)
{
    mlp_model_config mc = cfg->model;
    if (mc.inputs != w->train.pixels || mc.outputs != w->train.classes) {
        snprintf(err, errlen, "model is %zu -> %zu but the data has %zu pixels and %zu classes",
                 mc.inputs, mc.outputs, w->train.pixels, w->train.classes);
        return -1;
    }
    mlp_model *m = mlp_model_create(&mc, set, err, errlen);
    if (!m)
        return -1;
    mlp_data *train = mlp_data_prepare(&w->train, mc.precision);
    mlp_data *test = w->test.count ? mlp_data_prepare(&w->test, mc.precision) : NULL;
    if (!train || (w->test.count && !test)) {
        snprintf(err, errlen, "out of memory preparing the data");
        mlp_data_free(train);
        mlp_data_free(test);
        mlp_model_free(m);
        return -1;
    }
    for (int e = 0; e < cfg->epochs; e++) {
        mlp_epoch_report r = {.epoch = e};
        double t0 = mlp_seconds_now();
        mlp_model_train_epoch(m, train, &r.train);
        double t1 = mlp_seconds_now();
        r.train_seconds = t1 - t0;
        if (test && mlp_is_test_epoch(cfg, e)) {
            mlp_model_test(m, test, &r.test);
            r.test_seconds = mlp_seconds_now() - t1;
            r.tested = true;
        }
        if (fn && !fn(&r, user))
            break;
    }
    mlp_data_free(train);
    mlp_data_free(test);
    if (model_out)
        *model_out = m;
    else
        mlp_model_free(m);
    return 0;
}
