/* scalar.c: the scalar reference kernel set, float32 and float64 (see scalar_impl.h). */
#include "kernels.h"

#define REAL float
#define SFX(name) scalar_##name##_f32
#include "scalar_impl.h"
#undef REAL
#undef SFX

#define REAL double
#define SFX(name) scalar_##name##_f64
#include "scalar_impl.h"
#undef REAL
#undef SFX

void mlp_scalar_fill_f32(mlp_kernels_f32 *t)
{
    t->forward = scalar_forward_f32;
    t->backward = scalar_backward_f32;
    t->update = scalar_update_f32;
    t->relu = scalar_relu_f32;
    t->relu_backward = scalar_relu_backward_f32;
    t->multiply = scalar_multiply_f32;
    t->error_delta = scalar_error_delta_f32;
}

void mlp_scalar_fill_f64(mlp_kernels_f64 *t)
{
    t->forward = scalar_forward_f64;
    t->backward = scalar_backward_f64;
    t->update = scalar_update_f64;
    t->relu = scalar_relu_f64;
    t->relu_backward = scalar_relu_backward_f64;
    t->multiply = scalar_multiply_f64;
    t->error_delta = scalar_error_delta_f64;
}
