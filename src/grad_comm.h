/* grad_comm.h: how a data-parallel mini-batch step meets the other ranks, seen from
 * the model (MPI-free: src/dist.c fills it with MPI; without one, the model sums alone).
 *
 * In each step of B rows, the batch is cut into n = ceil(B / M) micro-batches of M rows
 * (the last may be shorter); rank r of `size` computes the gradients of the micro-batches
 * mlp_tree_share(n, r, size) gives it, pushes them onto its tree (treesum.h) and calls
 * sum() with what stays there; sum() leaves the root of the fixed tree, the whole
 * batch's gradient, in out on every rank. */
#ifndef MLP_GRAD_COMM_H
#define MLP_GRAD_COMM_H

#include <stddef.h>

#include "treesum.h"

typedef struct mlp_grad_comm {
    int rank, size;
    /* The sum over the tree of every rank's pieces: t holds this rank's pieces (t->len
     * elements each, in t->p); the root goes to out (t->len elements). A failure of
     * the communication ends the whole job (with a one-line message), it never returns. */
    void (*sum)(void *user, mlp_tree *t, void *out);
    /* End of an epoch: err[0..n) has this rank's micro-batches' error sums and zero
     * elsewhere, *correct this rank's count of correct rows; both become every rank's
     * (each slot is non-zero on one rank only, so the sum is exact in any order). */
    void (*metrics)(void *user, double *err, size_t n, size_t *correct);
    /* Optional (NULL: none): after every step, the weights W01 and W12 as bytes; the
     * comm may check that every rank holds the same (and end the job if not). */
    void (*after_step)(void *user, const void *w01, size_t bytes01, const void *w12,
                      size_t bytes12);
    void *user;
} mlp_grad_comm;

#endif
