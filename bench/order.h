/* order.h: the order in which a benchmark runs its cases: a new shuffled permutation
 * in every repetition, so that drift in the machine's speed favours no case,
 * reproducible from one recorded seed (xorshift32 driving Fisher-Yates). */
#ifndef MLP_ORDER_H
#define MLP_ORDER_H

#include <stddef.h>

/* order[r * n + i], for r < repetitions: a permutation of 0..n-1 per repetition. */
void mlp_shuffled_orders(int *order, int repetitions, size_t n, unsigned seed);

#endif
