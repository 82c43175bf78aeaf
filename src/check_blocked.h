/* check_blocked.h: bitwise checks of the batched (blocked) kernels: split invariance
 * per set, and the same blocked forward/update bits across SIMD sets ("fma order").
 * See check_blocked.c. Called by mlp_check_kernels after its tolerance rows. */
#ifndef MLP_CHECK_BLOCKED_H
#define MLP_CHECK_BLOCKED_H

#include <stdint.h>
#include <stdio.h>

#include "check_kernels.h"

/* Rows in check_kernels' table format for every runnable set that is not the reference
 * or a peer (only `only_set` when not NULL); returns the number of FAILED rows. */
int mlp_check_blocked(uint64_t seed, const char *only_set, FILE *out, mlp_check_tally *tally);

/* The split rows of one float32 table, labelled `name` (tests/test_kernels.c gives it
 * a broken one); returns 1 if they FAILED. Not thread-safe. */
int mlp_check_split_table_f32(const char *name, const mlp_kernels_f32 *t, uint64_t seed,
                              FILE *out, mlp_check_tally *tally);

#endif
