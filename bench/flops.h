/* flops.h: the work model of the workload: how many floating-point operations one
 * training epoch and one test pass do, counted from the model's shapes (2 FLOP per
 * multiply-add), and how many bytes they must move between the core and the caches
 * that hold the weights, densely and as executed by a set that skips zero inputs. The
 * two give the arithmetic intensity a roofline places each case by. */
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

/* Bytes per training epoch / test pass by the same counts (element size `size`): each
 * input value read once (finding the nonzero ones reads them all); the rows of W01 that
 * are used read by forward and read and written by the update; W12 read by forward and
 * backward and read and written by its update; activations and deltas (H + O values a
 * record, in registers or L1) left out:
 *   training  n*I + 3*nz*H + 4*n*H*O elements;  test  n*I + nz*H + n*H*O elements,
 * nz = the inputs used (nonzero ones when skipped, else n*I). The weights live in L1 or
 * L2 (W01 is 125 KB in float32), so this is cache traffic, not memory traffic. */
mlp_flops mlp_bytes_train_epoch(const mlp_model_config *m, size_t count, size_t nonzero,
                                size_t size);
mlp_flops mlp_bytes_test_pass(const mlp_model_config *m, size_t count, size_t nonzero,
                              size_t size);

/* Nonzero pixels among a data set's images. */
size_t mlp_flops_nonzero_inputs(const mlp_dataset *d);

#endif
