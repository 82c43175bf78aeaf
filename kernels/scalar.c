/* scalar.c: the scalar reference kernel set, float32 and float64 (see scalar_impl.h):
 * plain C11, runs everywhere; every other set is checked against it. */
#include "kernels.h"

#define REAL float
#define SFX(name) scalar_##name##_f32
#include "scalar_impl.h"

#define REAL double
#define SFX(name) scalar_##name##_f64
#include "scalar_impl.h"

static void scalar_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, scalar, f32);
}

static void scalar_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, scalar, f64);
}

static size_t scalar_lanes(mlp_precision p)
{
    (void)p;
    return 1;
}

const mlp_kernel_set mlp_set_scalar = {
    .name = "scalar",
    .isa = "C11 (reference)",
    .rank = 0,
    .threaded = false,
    .requires = 0,
    .lanes = scalar_lanes,
    .fill_f32 = scalar_fill_f32,
    .fill_f64 = scalar_fill_f64,
    .base = NULL,
    .skips_zero_inputs = false,
};
