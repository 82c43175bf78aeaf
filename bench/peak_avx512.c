/* peak_avx512.c: peak-probe loops with AVX-512F and FMA (built with -mavx512f -mfma,
 * and requiring both). */
#include <immintrin.h>

#include "peak_isa.h"

#define CHAINS 16

static double fma_f32(uint64_t iters)
{
    __m512 acc[CHAINS];
    const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = _mm512_set1_ps((float)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 16
        for (int j = 0; j < CHAINS; j++)
            acc[j] = _mm512_fmadd_ps(acc[j], m, c);
    __m512 sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = _mm512_add_ps(sum, acc[j]);
    return (double)_mm512_reduce_add_ps(sum);
}

static double fma_f64(uint64_t iters)
{
    __m512d acc[CHAINS];
    const __m512d m = _mm512_set1_pd(0.999999), c = _mm512_set1_pd(1e-6);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = _mm512_set1_pd((double)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 16
        for (int j = 0; j < CHAINS; j++)
            acc[j] = _mm512_fmadd_pd(acc[j], m, c);
    __m512d sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = _mm512_add_pd(sum, acc[j]);
    return _mm512_reduce_add_pd(sum);
}

static void triad(double *a, const double *b, const double *c, double s, size_t n)
{
    const __m512d vs = _mm512_set1_pd(s);
    for (size_t i = 0; i < n; i += 16) {
        __m512d x0 = _mm512_fmadd_pd(vs, _mm512_load_pd(c + i), _mm512_load_pd(b + i));
        __m512d x1 = _mm512_fmadd_pd(vs, _mm512_load_pd(c + i + 8), _mm512_load_pd(b + i + 8));
        _mm512_store_pd(a + i, x0);
        _mm512_store_pd(a + i + 8, x1);
    }
}

const mlp_peak_isa *mlp_peak_isa_avx512(void)
{
    static const mlp_peak_isa isa = {.name = "AVX-512F+FMA",
                                     .requires = MLP_CPU_AVX512F | MLP_CPU_FMA,
                                     .chains = CHAINS,
                                     .lanes_f32 = 16,
                                     .lanes_f64 = 8,
                                     .fma_f32 = fma_f32,
                                     .fma_f64 = fma_f64,
                                     .triad = triad};
    return &isa;
}
