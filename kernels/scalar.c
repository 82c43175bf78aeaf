/* scalar.c: the scalar reference kernel set, float32 and float64 (see scalar_impl.h). */
#include "kernels.h"

#define REAL float
#define SFX(name) scalar_##name##_f32
#include "scalar_impl.h"

#define REAL double
#define SFX(name) scalar_##name##_f64
#include "scalar_impl.h"

void mlp_scalar_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, scalar, f32);
}

void mlp_scalar_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, scalar, f64);
}
