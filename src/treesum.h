/* treesum.h: the fixed summation tree over micro-batch indices that makes a
 * data-parallel mini-batch give the same bits for every rank count.
 *
 * A step's n micro-batch gradients g_0 .. g_{n-1} are summed by one tree that depends
 * on n alone: node (k, i), for i a multiple of 2^k, covers [i, min(i + 2^k, n)); it is
 * node (k-1, i) + node (k-1, i + 2^(k-1)) when that right child exists (i + 2^(k-1) < n),
 * else node (k-1, i) itself; the sum is node (ceil(log2 n), 0). (It is the tree of
 * stride-doubling pairwise summation: s = 1, 2, 4, ...: g[i] += g[i+s] for i % 2s == 0.)
 *
 * A rank that computed the contiguous range [a, b) of micro-batches pushes them in
 * order onto an mlp_tree: siblings are added as soon as both are there, and what stays
 * on the stack are the maximal tree nodes inside [a, b) (at most 2 log2 n of them), its
 * "pieces". The pieces of all ranks, pushed in order onto one tree (for one slice of
 * the gradient's elements, on the rank that owns that slice) and finished, give the
 * root: the same additions of the same values as one process pushing every micro-batch.
 * Floating-point addition is commutative, so x + y and y + x are the same bits. */
#ifndef MLP_TREESUM_H
#define MLP_TREESUM_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels.h"

enum { MLP_TREE_MAX = 130 }; /* stack depth: 2 * 64 bits, and a spare */

typedef struct mlp_tree_node {
    size_t lo;   /* first micro-batch */
    size_t size; /* 2^k: covers [lo, min(lo + size, n)) */
} mlp_tree_node;

typedef struct mlp_tree {
    size_t n;              /* micro-batches in the step */
    mlp_precision p;
    size_t len;            /* elements per buffer */
    size_t depth;          /* nodes on the stack */
    mlp_tree_node node[MLP_TREE_MAX];
    void *buf[MLP_TREE_MAX]; /* each node's sum; NULL in a dry run (mlp_tree_pieces) */
    void *spare[MLP_TREE_MAX]; /* buffers freed by additions, for mlp_tree_take */
    size_t nspare;
    /* dst += src over t->len elements; NULL: plain elementwise addition. A caller may
     * give one that skips what it knows to be +0 in src (x + +0 is x for every x but -0,
     * and these sums, started from +0, are never -0), kept across resets. */
    void (*add)(void *user, void *dst, void *src);
    void *add_user;
} mlp_tree;

/* An empty tree over n micro-batches whose buffers hold len elements of precision p. */
void mlp_tree_reset(mlp_tree *t, size_t n, mlp_precision p, size_t len);
/* A buffer freed by an earlier addition, or NULL (then the caller supplies one). */
void *mlp_tree_take(mlp_tree *t);
/* Pushes the node `node` whose sum is in buf (len elements; NULL: count only) and adds
 * every pair of siblings now on top (the right one's buffer becomes a spare). */
void mlp_tree_push(mlp_tree *t, mlp_tree_node node, void *buf);
/* After every piece of [0, n) was pushed: adds what is left (the right edge, where a
 * node lacks its right child) and returns the root's buffer (NULL if nothing pushed). */
void *mlp_tree_finish(mlp_tree *t);
/* The pieces that pushing micro-batches [a, b) one by one leaves on the stack, in
 * order, into out (room for MLP_TREE_MAX); returns their count. */
size_t mlp_tree_pieces(size_t n, size_t a, size_t b, mlp_tree_node *out);
/* The micro-batches of rank r of `size` ranks: [*a, *b), contiguous blocks in rank
 * order, as even as they can be. */
void mlp_tree_share(size_t n, int r, int size, size_t *a, size_t *b);

#endif
