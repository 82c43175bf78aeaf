/* peak_avx2.c: peak-probe loops with AVX2 and FMA (built with -mavx2 -mfma, and
 * requiring both). 12 chains leave registers for the constants. */
#include <immintrin.h>

#include "peak_isa.h"

#define CHAINS 12

static double hsum256(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

static double fma_f32(uint64_t iters)
{
    __m256 acc[CHAINS];
    const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = _mm256_set1_ps((float)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 12
        for (int j = 0; j < CHAINS; j++)
            acc[j] = _mm256_fmadd_ps(acc[j], m, c);
    __m256 sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = _mm256_add_ps(sum, acc[j]);
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(sum));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(sum, 1));
    return hsum256(_mm256_add_pd(lo, hi));
}

static double fma_f64(uint64_t iters)
{
    __m256d acc[CHAINS];
    const __m256d m = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-6);
    for (int j = 0; j < CHAINS; j++)
        acc[j] = _mm256_set1_pd((double)j);
    for (uint64_t i = 0; i < iters; i++)
#pragma GCC unroll 12
        for (int j = 0; j < CHAINS; j++)
            acc[j] = _mm256_fmadd_pd(acc[j], m, c);
    __m256d sum = acc[0];
    for (int j = 1; j < CHAINS; j++)
        sum = _mm256_add_pd(sum, acc[j]);
    return hsum256(sum);
}

static void triad(double *a, const double *b, const double *c, double s, size_t n)
{
    const __m256d vs = _mm256_set1_pd(s);
    for (size_t i = 0; i < n; i += 8) {
        __m256d x0 = _mm256_fmadd_pd(vs, _mm256_load_pd(c + i), _mm256_load_pd(b + i));
        __m256d x1 = _mm256_fmadd_pd(vs, _mm256_load_pd(c + i + 4), _mm256_load_pd(b + i + 4));
        _mm256_store_pd(a + i, x0);
        _mm256_store_pd(a + i + 4, x1);
    }
}

const mlp_peak_isa *mlp_peak_isa_avx2(void)
{
    static const mlp_peak_isa isa = {.name = "AVX2+FMA",
                                     .requires = MLP_CPU_AVX2 | MLP_CPU_FMA,
                                     .chains = CHAINS,
                                     .lanes_f32 = 8,
                                     .lanes_f64 = 4,
                                     .fma_f32 = fma_f32,
                                     .fma_f64 = fma_f64,
                                     .triad = triad};
    return &isa;
}
