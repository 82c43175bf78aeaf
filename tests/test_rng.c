/* test_rng.c: the numpy-compatible MT19937 against numpy 1.24's own outputs
 * (../shared/reference/numpy-rng-vectors.md), and the model's initial weights. */
#include <math.h>
#include <stdio.h>

#include "model.h"
#include "rng.h"
#include "expect.h"

static void test_draws(void)
{
    mlp_rng r;
    mlp_rng_seed(&r, 1);
    const unsigned long draws[] = {1791095845ul, 4282876139ul, 3093770124ul, 4005303368ul};
    for (int i = 0; i < 4; i++) {
        unsigned long got = mlp_rng_u32(&r);
        EXPECT(got == draws[i], "draw %d: got %lu, numpy %lu", i, got, draws[i]);
    }
    mlp_rng_seed(&r, 1);
    const double randoms[] = {0.417022004702574, 0.7203244934421581, 0.00011437481734488664,
                              0.30233257263183977};
    for (int i = 0; i < 4; i++) {
        double got = mlp_rng_random(&r);
        EXPECT(got == randoms[i], "random %d: got %.17g, numpy %.17g", i, got, randoms[i]);
    }
    mlp_rng_seed(&r, 1);
    const int bits[] = {1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1};
    for (int i = 0; i < 12; i++) {
        int got = mlp_rng_bit(&r);
        EXPECT(got == bits[i], "randint(2) %d: got %d, numpy %d", i, got, bits[i]);
    }
}

/* The seed's weights through the model itself, in float64. The element values are
 * compared exactly; the sum of W01 within 1e-12, since numpy sums pairwise and we
 * sum in order (both round ~31360 terms of size 0.1: a few 1e-14 apart at most),
 * while one wrong weight would move it by about 1e-2. */
static void test_initial_weights(void)
{
    mlp_model_config cfg = mlp_model_config_seed();
    char err[256];
    const mlp_kernel_set *scalar = mlp_kernel_set_reference();
    mlp_model *m = mlp_model_create(&cfg, scalar, err, sizeof err);
    EXPECT(m != NULL, "model: %s", err);
    if (!m)
        return;
    size_t n01, n12;
    const double *w01 = mlp_model_weights(m, 0, &n01), *w12 = mlp_model_weights(m, 1, &n12);
    EXPECT(n01 == 784 * 40 && n12 == 40 * 10, "weight counts %zu %zu", n01, n12);
    EXPECT(w01[0] == -0.016595599059485197, "W01[0,0] = %.17g", w01[0]);
    EXPECT(w01[783 * 40 + 39] == 0.054961713106187526, "W01[783,39] = %.17g", w01[n01 - 1]);
    EXPECT(w12[0] == -0.012913804161475667, "W12[0,0] = %.17g", w12[0]);
    EXPECT(w12[39 * 10 + 9] == -0.02455863100110911, "W12[39,9] = %.17g", w12[n12 - 1]);
    double sum = 0;
    for (size_t i = 0; i < n01; i++)
        sum += w01[i];
    EXPECT(fabs(sum - 0.07322967431554517) < 1e-12, "sum W01 = %.17g", sum);
    mlp_model_free(m);

    cfg.precision = MLP_F32;
    m = mlp_model_create(&cfg, scalar, err, sizeof err);
    EXPECT(m != NULL, "model f32: %s", err);
    if (!m)
        return;
    const float *f01 = mlp_model_weights(m, 0, &n01);
    EXPECT(f01[0] == (float)-0.016595599059485197, "f32 W01[0,0] = %.9g", f01[0]);
    mlp_model_free(m);
}

int main(void)
{
    test_draws();
    test_initial_weights();
    return expect_exit();
}
