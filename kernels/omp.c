/* omp.c: the OpenMP kernel set: the fastest runnable serial set's kernels (its table
 * fetched once), with large calls split across OpenMP threads.
 *
 * Bitwise the same for any thread count, by the split invariance of every set
 * (kernels.h): the work is split by fixed static partitioning of independent outputs
 * only (rows of Y/DX, else their columns; rows of W for update; elements of the
 * elementwise ops), never inside a reduction, so each output is computed by exactly
 * one call, the same way as with one thread. error_delta (a sum) is never split.
 * forward_sparse and update_sparse (the base's, if it has them) are never split either:
 * the model splits the test pass by rows itself (src/model_test_impl.h), and one-row
 * calls stay on one thread anyway.
 * Calls below a work threshold run serially on the calling thread without entering
 * the OpenMP runtime (see omp_impl.h). The thread count is the ambient
 * omp_get_max_threads() (the command line sets it). */
#include <omp.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernels.h"

/* Multiply-adds (or elements) below which a call stays on the calling thread. A
 * 784x40 B=1 forward is 31,360; a 256-row test-pass chunk of the 40x10 layer 102,400. */
enum { OMP_MIN_MACS = 65536, OMP_MIN_ELEMENTS = 1 << 16 };

/* The base set's tables, and its lanes as the grain of column splits, filled once
 * per precision (under a critical section) by the first fill of this set; every
 * later reader got here through that fill. */
static mlp_kernels_f32 inner_f32;
static mlp_kernels_f64 inner_f64;
static size_t grain_f32, grain_f64;

/* [begin, end) of part t of n items cut into parts parts, in units of `grain` items
 * (the base set's lanes, so column parts stay whole vectors of it) */
static void part_range(size_t n, size_t grain, int t, int parts, size_t *begin, size_t *end)
{
    size_t units = (n + grain - 1) / grain;
    size_t b = units * (size_t)t / (size_t)parts * grain;
    size_t e = units * (size_t)(t + 1) / (size_t)parts * grain;
    *begin = b < n ? b : n;
    *end = e < n ? e : n;
}

/* whether a call of this much work (multiply-adds or elements) gets threads */
static inline bool worth_threads(size_t work, size_t threshold)
{
    return work >= threshold && omp_get_max_threads() > 1;
}

/* Whether a matrix call of B rows and `macs` multiply-adds is split across threads:
 * never for one row. The per-sample step (B = 1) split over 2 threads was measured
 * slower at hidden 40 and at hidden 256 alike on the 2-core Zen 5 guest, 1.02 -> 1.07
 * and 8.3 -> 266 ms per float32 epoch (train --set omp --threads 2 --hidden H
 * --test-count 0, interleaved, another process on the other core): each of the
 * thousands of parallel regions an epoch waits for the slower thread. */
static inline bool worth_splitting(size_t B, size_t macs)
{
    return B > 1 && worth_threads(macs, OMP_MIN_MACS);
}

#define REAL float
#define SFX(name) omp_##name##_f32
#define INNER inner_f32
#define GRAIN grain_f32
#include "omp_impl.h"

#define REAL double
#define SFX(name) omp_##name##_f64
#define INNER inner_f64
#define GRAIN grain_f64
#include "omp_impl.h"

static const mlp_kernel_set *omp_base(void)
{
    return mlp_kernel_set_best_serial();
}

static size_t omp_lanes(mlp_precision p)
{
    return omp_base()->lanes(p);
}

static void omp_fill_f32(mlp_kernels_f32 *t)
{
    static bool filled;
#pragma omp critical(mlp_omp_fill)
    if (!filled) {
        mlp_kernel_set_table_f32(omp_base(), &inner_f32);
        grain_f32 = omp_lanes(MLP_F32);
        filled = true;
    }
    t->forward = omp_forward_f32;
    t->backward = omp_backward_f32;
    t->update = omp_update_f32;
    t->relu = omp_relu_f32;
    t->relu_backward = omp_relu_backward_f32;
    t->multiply = omp_multiply_f32;
    t->error_delta = inner_f32.error_delta;
    t->forward_sparse = inner_f32.forward_sparse; /* serial: the test pass splits rows */
    t->update_sparse = inner_f32.update_sparse; /* B = 1: never split */
    t->score_head = inner_f32.score_head; /* serial: the test pass splits rows */
}

static void omp_fill_f64(mlp_kernels_f64 *t)
{
    static bool filled;
#pragma omp critical(mlp_omp_fill)
    if (!filled) {
        mlp_kernel_set_table_f64(omp_base(), &inner_f64);
        grain_f64 = omp_lanes(MLP_F64);
        filled = true;
    }
    t->forward = omp_forward_f64;
    t->backward = omp_backward_f64;
    t->update = omp_update_f64;
    t->relu = omp_relu_f64;
    t->relu_backward = omp_relu_backward_f64;
    t->multiply = omp_multiply_f64;
    t->error_delta = inner_f64.error_delta;
    t->forward_sparse = inner_f64.forward_sparse; /* serial: the test pass splits rows */
    t->update_sparse = inner_f64.update_sparse; /* B = 1: never split */
    t->score_head = inner_f64.score_head; /* serial: the test pass splits rows */
}

const mlp_kernel_set mlp_set_omp = {
    .name = "omp",
    .isa = "OpenMP",
    .rank = 40,
    .threaded = true,
    .requires = 0, /* built on a set that is runnable by definition */
    .lanes = omp_lanes,
    .fill_f32 = omp_fill_f32,
    .fill_f64 = omp_fill_f64,
    .base = omp_base,
    .skips_zero_inputs = true, /* as every SIMD set it is built on (not the reference) */
};
