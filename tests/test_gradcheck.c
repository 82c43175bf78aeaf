/* test_gradcheck.c: the backward pass against finite differences of the loss on a
 * tiny network (6 -> 5 -> 3, float64, strict ReLU), through the real model code.
 *
 * One SGD step with rate alpha on one record changes each weight by
 * alpha * (-1/2) dL/dW, where L = sum((y - out)^2) (the delta is y - out), so the
 * step gives the analytic gradient; central differences of L (computed by the test
 * pass) give the numeric one. With the seed's ReLU derivative (always 1) the same
 * check must FAIL when a hidden unit is inactive: that shows the check can fail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "expect.h"

enum { INPUTS = 6, HIDDEN = 5, OUTPUTS = 3 };

static double loss(mlp_model *m, const mlp_data *d)
{
    mlp_metrics t;
    mlp_model_test(m, d, &t);
    return t.error_sum;
}

/* Worst relative gradient error over both layers, and how many hidden units of the
 * record are inactive (pre-activation < 0). */
static double worst_error(mlp_relu_grad mode, const mlp_dataset *ds, int *inactive)
{
    mlp_model_config cfg = mlp_model_config_seed();
    cfg.inputs = INPUTS;
    cfg.hidden = HIDDEN;
    cfg.outputs = OUTPUTS;
    cfg.alpha = 1e-3;
    cfg.seed = 7;
    cfg.relu_grad = mode;
    char err[256];
    const mlp_kernel_set *scalar = mlp_kernel_set_reference();
    mlp_model *m = mlp_model_create(&cfg, scalar, err, sizeof err);
    mlp_data *d = mlp_data_prepare(ds, MLP_F64);
    if (!m || !d) {
        printf("FAIL setup: %s\n", err);
        exit(1);
    }
    /* scale W01 up so the hidden units are clearly on or off (no kink within h) */
    size_t n01, n12;
    double *w01 = mlp_model_weights_mut(m, 0, &n01), *w12 = mlp_model_weights_mut(m, 1, &n12);
    for (size_t i = 0; i < n01; i++)
        w01[i] *= 10;
    *inactive = 0;
    for (size_t h = 0; h < HIDDEN; h++) {
        double pre = 0;
        for (size_t i = 0; i < INPUTS; i++)
            pre += ds->images[i] / 255.0 * w01[i * HIDDEN + h];
        *inactive += pre < 0;
    }
    double before[INPUTS * HIDDEN + HIDDEN * OUTPUTS], numeric[INPUTS * HIDDEN + HIDDEN * OUTPUTS];
    double *layers[2] = {w01, w12};
    size_t sizes[2] = {n01, n12}, at = 0;
    const double h = 1e-6;
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < sizes[l]; i++, at++) {
            double w = layers[l][i];
            before[at] = w;
            layers[l][i] = w + h;
            double up = loss(m, d);
            layers[l][i] = w - h;
            double down = loss(m, d);
            layers[l][i] = w;
            numeric[at] = (up - down) / (2 * h);
        }
    }
    mlp_metrics t;
    mlp_model_train_epoch(m, d, &t); /* one record: one SGD step */
    double worst = 0;
    at = 0;
    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < sizes[l]; i++, at++) {
            double analytic = -2 * (layers[l][i] - before[at]) / cfg.alpha;
            double scale = fabs(numeric[at]) > 1e-3 ? fabs(numeric[at]) : 1e-3;
            double e = fabs(analytic - numeric[at]) / scale;
            if (e > worst)
                worst = e;
        }
    }
    mlp_data_free(d);
    mlp_model_free(m);
    return worst;
}

int main(void)
{
    uint8_t images[INPUTS] = {0, 255, 17, 128, 200, 64}, labels[1] = {1};
    mlp_dataset ds = {.count = 1, .pixels = INPUTS, .classes = OUTPUTS, .images = images,
                      .labels = labels};
    int inactive;
    /* Tolerance 1e-5: central differences with h = 1e-6 on a piecewise-quadratic loss
     * have truncation error ~0 and rounding error ~1e-16 * L / h ~ 1e-10 relative; the
     * step's own rounding (W + alpha*g - W, |W| ~ 1, alpha*g ~ 1e-4) is ~1e-12. */
    double strict = worst_error(MLP_RELU_GRAD_STRICT, &ds, &inactive);
    printf("strict ReLU: worst relative gradient error %.3g (%d of %d hidden units off)\n",
           strict, inactive, HIDDEN);
    if (!(strict < 1e-5)) {
        expect_fail("strict gradient differs from finite differences");
    }
    if (inactive == 0) {
        expect_fail("the record activates every hidden unit: the seed check below is void");
    }
    double seed = worst_error(MLP_RELU_GRAD_SEED, &ds, &inactive);
    printf("seed ReLU derivative: worst relative error %.3g (expected large)\n", seed);
    if (!(seed > 1e-2)) {
        expect_fail("the seed's derivative matched the true gradient: check is insensitive");
    }
    return expect_exit();
}
