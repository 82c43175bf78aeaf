/* test_batch_equiv.c: the driver against an independent, plain per-sample SGD written
 * here from the book's listing (float64, scalar kernels, 100 records, 3 epochs):
 *  - batch 1 (the mini-batch path with B = 1) gives exactly the per-sample weights
 *    and metrics, with and without dropout;
 *  - batch 10 gives exactly the mean-gradient mini-batch update written out here;
 *  - batch 25 with micro-batches of 4 (7 of them, the last of 1 row) gives exactly the
 *    update whose gradient is the micro-batches' sums added pairwise by stride
 *    doubling (src/treesum.h), written out here.
 * Built with -ffp-contract=off so both sides round each product and sum alike. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"
#include "expect.h"

enum { I = 784, H = 40, O = 10, RECORDS = 100, EPOCHS = 3 };

typedef struct reference {
    double w01[I * H], w12[H * O];
    mlp_rng rng;
    double error_sum;
    size_t correct;
} reference;

static void reference_init(reference *r, uint32_t seed)
{
    mlp_rng_seed(&r->rng, seed);
    for (size_t i = 0; i < I * H; i++)
        r->w01[i] = 0.2 * mlp_rng_random(&r->rng) - 0.1;
    for (size_t i = 0; i < H * O; i++)
        r->w12[i] = 0.2 * mlp_rng_random(&r->rng) - 0.1;
}

/* One step over `rows` records from `first`: the book's loop body, summed over rows
 * and applied with alpha / rows. */
/* The sum over rows [0, rows) of v(b): one sum per micro-batch of `micro` rows, started
 * from zero, then those sums added by stride doubling: s = 1, 2, 4, ...: p[i] += p[i+s]
 * for i % 2s == 0. */
static double tree_sum(const double *v, size_t rows, size_t micro)
{
    double part[64];
    size_t n = (rows + micro - 1) / micro;
    for (size_t m = 0; m < n; m++) {
        part[m] = 0;
        for (size_t b = m * micro; b < rows && b < (m + 1) * micro; b++)
            part[m] += v[b];
    }
    for (size_t s = 1; s < n; s *= 2)
        for (size_t i = 0; i + s < n; i += 2 * s)
            part[i] += part[i + s];
    return part[0];
}

static void reference_step(reference *r, const mlp_dataset *ds, size_t first, size_t rows,
                           double alpha, bool dropout, size_t micro)
{
    double v[64];
    static double x[64][I], l1[64][H], l2[64][O], d2[64][O], d1[64][H], mask[64][H];
    for (size_t b = 0; b < rows; b++) {
        for (size_t i = 0; i < I; i++)
            x[b][i] = ds->images[(first + b) * I + i] / 255.0;
        for (size_t h = 0; h < H; h++) {
            double s = 0;
            for (size_t i = 0; i < I; i++)
                s += x[b][i] * r->w01[i * H + h];
            l1[b][h] = (s >= 0) * s;
        }
        if (dropout)
            for (size_t h = 0; h < H; h++) {
                mask[b][h] = mlp_rng_bit(&r->rng);
                l1[b][h] *= mask[b][h] * 2;
            }
        size_t best = 0;
        for (size_t o = 0; o < O; o++) {
            double s = 0;
            for (size_t h = 0; h < H; h++)
                s += l1[b][h] * r->w12[h * O + o];
            l2[b][o] = s;
            if (s > l2[b][best])
                best = o;
        }
        for (size_t o = 0; o < O; o++) {
            double y = ds->labels[first + b] == o;
            d2[b][o] = y - l2[b][o];
            r->error_sum += d2[b][o] * d2[b][o];
        }
        r->correct += best == ds->labels[first + b];
        for (size_t h = 0; h < H; h++) {
            double s = 0;
            for (size_t o = 0; o < O; o++)
                s += d2[b][o] * r->w12[h * O + o];
            d1[b][h] = s * (l1[b][h] >= 0) * (dropout ? mask[b][h] : 1);
        }
    }
    double a = alpha / (double)rows;
    for (size_t h = 0; h < H; h++)
        for (size_t o = 0; o < O; o++) {
            for (size_t b = 0; b < rows; b++)
                v[b] = l1[b][h] * d2[b][o];
            r->w12[h * O + o] += a * tree_sum(v, rows, micro);
        }
    for (size_t i = 0; i < I; i++)
        for (size_t h = 0; h < H; h++) {
            for (size_t b = 0; b < rows; b++)
                v[b] = x[b][i] * d1[b][h];
            r->w01[i * H + h] += a * tree_sum(v, rows, micro);
        }
}

static void compare(const char *what, size_t batch, size_t micro, bool dropout,
                    const mlp_dataset *ds)
{
    static reference ref;
    memset(&ref, 0, sizeof ref);
    reference_init(&ref, 1);
    mlp_model_config cfg = mlp_model_config_seed();
    cfg.batch = batch;
    cfg.micro_batch = micro;
    cfg.dropout = dropout;
    char err[256];
    mlp_model *m = mlp_model_create(&cfg, mlp_kernel_set_reference(), err, sizeof err);
    mlp_data *d = mlp_data_prepare(ds, MLP_F64);
    if (!m || !d) {
        expect_fail("%s: setup: %s", what, err);
        mlp_data_free(d);
        mlp_model_free(m);
        return;
    }
    for (int e = 0; e < EPOCHS; e++) {
        ref.error_sum = 0;
        ref.correct = 0;
        for (size_t first = 0; first < RECORDS; first += batch)
            reference_step(&ref, ds, first, RECORDS - first < batch ? RECORDS - first : batch,
                           cfg.alpha, dropout, micro);
        mlp_metrics t;
        mlp_model_train_epoch(m, d, &t);
        if (t.correct != ref.correct || fabs(t.error_sum - ref.error_sum) > 1e-12 * ref.error_sum) {
            expect_fail("%s epoch %d: metrics %zu %.17g, reference %zu %.17g", what, e,
                   t.correct, t.error_sum, ref.correct, ref.error_sum);
        }
    }
    size_t n01, n12;
    const double *w01 = mlp_model_weights(m, 0, &n01), *w12 = mlp_model_weights(m, 1, &n12);
    if (memcmp(w01, ref.w01, sizeof ref.w01) != 0 || memcmp(w12, ref.w12, sizeof ref.w12) != 0) {
        size_t i = 0;
        while (i < n01 && w01[i] == ref.w01[i])
            i++;
        expect_fail("%s: weights differ from the reference (first W01 difference at %zu)",
               what, i);
    } else {
        printf("ok   %s: %d epochs, weights bitwise identical\n", what, EPOCHS);
    }
    mlp_data_free(d);
    mlp_model_free(m);
}

int main(void)
{
    mlp_dataset ds;
    char err[512];
    if (mlp_dataset_load(mlp_default_data_dir(), "train", RECORDS, &ds, err, sizeof err) != 0) {
        printf("FAIL loading data: %s\n", err);
        return 1;
    }
    compare("batch 1 = per-sample SGD", 1, 10, false, &ds);
    compare("batch 1 with dropout", 1, 10, true, &ds);
    compare("batch 10 = mean gradient", 10, 10, false, &ds);
    compare("batch 7 (partial last batch) with dropout", 7, 10, true, &ds);
    compare("batch 25, micro-batches of 4, tree-summed", 25, 4, false, &ds);
    compare("batch 25, micro-batches of 4, with dropout", 25, 4, true, &ds);
    mlp_dataset_free(&ds);
    return expect_exit();
}
