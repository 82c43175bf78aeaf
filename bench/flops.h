/* flops.h: the FLOP model of the workload: how many floating-point operations one
 * training epoch and one test pass do, counted from the model's shapes (2 FLOP per
 * multiply-add), densely and as executed by a set that skips zero inputs. */
#ifndef MLP_FLOPS_H
#define MLP_FLOPS_H

#include <stddef.h>

#include "mnist.h"
#include "model.h"

typedef struct mlp_flops {
    double dense;    /* as if every input were used */
    double executed; /* leaving out the zero inputs a zero-skipping set skips */
} mlp_flops;

/* FLOP per training epoch / test pass of `count` records with `nonzero` nonzero input
 * values among them. Forward 2*I*H + 2*H*O per record, backward 2*O*H, update
 * 2*(I*H + H*O); executed: the I*H terms scale with the nonzero inputs instead.
 * Elementwise work is not counted. */
mlp_flops mlp_flops_train_epoch(const mlp_model_config *m, size_t count, size_t nonzero);
mlp_flops mlp_flops_test_pass(const mlp_model_config *m, size_t count, size_t nonzero);

/* Nonzero pixels among a data set's images. */
size_t mlp_flops_nonzero_inputs(const mlp_dataset *d);

#endif
