/* check_kernels.h: the kernel-level checker: each operation of a kernel table against
 * a float64 reference computed from the same inputs, over a sweep of shapes around
 * the set's own vector lanes and the model's real shapes; threaded sets also for bitwise
 * identity across thread counts. Prints one table row per (set, precision, operation)
 * with PASSED / FAILED / SKIPPED. Tolerances: see the top of check_kernels.c. */
#ifndef MLP_CHECK_KERNELS_H
#define MLP_CHECK_KERNELS_H

#include <stdint.h>
#include <stdio.h>

#include "kernels.h"

typedef struct mlp_check_tally {
    int passed, failed, skipped; /* table rows with each status */
} mlp_check_tally;

/* Every registered set but the reference (only `only_set` when not NULL, which may
 * be the reference), each precision it has; a set this CPU cannot run is SKIPPED.
 * Threaded sets are also checked for identical bits with 1..4 threads. Returns the number of
 * FAILED rows (1 for an unknown only_set). */
int mlp_check_kernels(uint64_t seed, const char *only_set, FILE *out, mlp_check_tally *tally);

/* The column titles of the rows below. */
void mlp_check_kernels_header(FILE *out);

/* One full table of one precision against the reference, every operation, on shapes
 * swept around `lanes` (the vector lanes of the set it comes from), rows labelled
 * `name`; returns the number of FAILED rows. Any table can be checked, which is how
 * tests/test_kernels.c proves the checker can fail. */
int mlp_check_table_f32(const char *name, const mlp_kernels_f32 *t, size_t lanes,
                        uint64_t seed, FILE *out, mlp_check_tally *tally);
int mlp_check_table_f64(const char *name, const mlp_kernels_f64 *t, size_t lanes,
                        uint64_t seed, FILE *out, mlp_check_tally *tally);

/* A set's forward, backward, update and elementwise outputs on shapes large enough
 * to be split across threads: bitwise identical for 1..max_threads OpenMP threads and
 * to the serial set it is built on. Restores the ambient thread count. max_threads is
 * capped by OMP_THREAD_LIMIT; SKIPPED if that leaves one thread. Returns the number
 * of FAILED rows. */
int mlp_check_thread_identity(const mlp_kernel_set *set, mlp_precision p, int max_threads,
                              uint64_t seed, FILE *out, mlp_check_tally *tally);

#endif
