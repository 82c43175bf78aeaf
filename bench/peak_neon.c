/* peak_neon.c: peak-probe loops with AArch64 Advanced SIMD (NEON), which every AArch64
 * CPU has (and the loops require). 16 chains cover the FMA latency of the wide cores. */
#include <arm_neon.h>

#include "peak_isa.h"

#define CHAINS 16

static double fma_f32(uint64_t iters)
{
    float32x4_t acc[CHAINS];
    const float32x4_t m = vdupq_n_f32(0.999999f), c = vdupq_n_f32(1e-6f);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = vdupq_n_f32((float)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 16
        for (int j = 0; j < CHAINS; j++)
            acc[j] = vfmaq_f32(c, acc[j], m);
    float32x4_t sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = vaddq_f32(sum, acc[j]);
    return (double)vaddvq_f32(sum);
}

static double fma_f64(uint64_t iters)
{
    float64x2_t acc[CHAINS];
    const float64x2_t m = vdupq_n_f64(0.999999), c = vdupq_n_f64(1e-6);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = vdupq_n_f64((double)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 16
        for (int j = 0; j < CHAINS; j++)
            acc[j] = vfmaq_f64(c, acc[j], m);
    float64x2_t sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = vaddq_f64(sum, acc[j]);
    return vaddvq_f64(sum);
}

static void triad(double *a, const double *b, const double *c, double s, size_t n)
{
    const float64x2_t vs = vdupq_n_f64(s);
    for (size_t i = 0; i < n; i += 4) {
        vst1q_f64(a + i, vfmaq_f64(vld1q_f64(b + i), vs, vld1q_f64(c + i)));
        vst1q_f64(a + i + 2, vfmaq_f64(vld1q_f64(b + i + 2), vs, vld1q_f64(c + i + 2)));
    }
}

const mlp_peak_isa *mlp_peak_isa_neon(void)
{
    static const mlp_peak_isa isa = {.name = "NEON",
                                     .requires = MLP_CPU_NEON,
                                     .chains = CHAINS,
                                     .lanes_f32 = 4,
                                     .lanes_f64 = 2,
                                     .fma_f32 = fma_f32,
                                     .fma_f64 = fma_f64,
                                     .triad = triad};
    return &isa;
}
