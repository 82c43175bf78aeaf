/* avx2.c: the AVX2+FMA kernel set: 8 float32 / 4 float64 lanes, vmaskmov loads and
 * stores for tails, FMA throughout. The kernel bodies are in avx2_impl.h, included
 * once per precision with the vocabulary defined here.
 *
 * The per-sample (B = 1) forward and update touch only the rows of W at nonzero
 * inputs (~19% of MNIST pixels): the nonzero positions are packed into a list (a
 * left-packing table, 8 at a time), then tiles of up to 5 vectors with their
 * accumulators (or alpha*dy) in registers walk the list. See avx512.c.
 *
 * Built with -mavx2 -mfma (kernels/CMakeLists.txt); requires both. */
#include <assert.h>
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Positions are stored 8 at a time, so a buffer for a chunk of n inputs needs n + 8
 * entries. A tile is at most 5 vectors: 10 accumulators in the two-row update. */
enum { AVX2_CHUNK = 1024, AVX2_TILE_VECS = 5 };

/* Left-packing the set lanes of an 8-bit mask without BMI2: packed_lanes[m] holds,
 * in nibble r, the lane of the r-th set bit of m. Lane i goes to the nibble numbered
 * by how many set bits are below it. All compile-time constants. */
#define LANE_BIT(m, i) (((unsigned)(m) >> (i)) & 1u)
#define POPCOUNT8(m)                                                                       \
    (LANE_BIT(m, 0) + LANE_BIT(m, 1) + LANE_BIT(m, 2) + LANE_BIT(m, 3) + LANE_BIT(m, 4) +  \
     LANE_BIT(m, 5) + LANE_BIT(m, 6) + LANE_BIT(m, 7))
#define LANE_AT_RANK(m, i)                                                                 \
    (LANE_BIT(m, i) * ((uint32_t)(i) << (4 * POPCOUNT8((unsigned)(m) & ((1u << (i)) - 1u)))))
#define PACKED_LANES(m)                                                                    \
    (LANE_AT_RANK(m, 1) | LANE_AT_RANK(m, 2) | LANE_AT_RANK(m, 3) | LANE_AT_RANK(m, 4) |   \
     LANE_AT_RANK(m, 5) | LANE_AT_RANK(m, 6) | LANE_AT_RANK(m, 7))
#define PACKED_4(m) PACKED_LANES(m), PACKED_LANES(m + 1), PACKED_LANES(m + 2), PACKED_LANES(m + 3)
#define PACKED_16(m) PACKED_4(m), PACKED_4(m + 4), PACKED_4(m + 8), PACKED_4(m + 12)
#define PACKED_64(m) PACKED_16(m), PACKED_16(m + 16), PACKED_16(m + 32), PACKED_16(m + 48)
static const uint32_t packed_lanes[256] = {PACKED_64(0), PACKED_64(64), PACKED_64(128),
                                           PACKED_64(192)};
#undef LANE_BIT
#undef POPCOUNT8
#undef LANE_AT_RANK
#undef PACKED_LANES
#undef PACKED_4
#undef PACKED_16
#undef PACKED_64

/* pos[0..8) = the lanes set in the 8-bit mask, each plus k, packed to the front */
static inline void store_positions_8(int32_t *pos, unsigned mask, int32_t k)
{
    __m256i packed = _mm256_set1_epi32((int32_t)packed_lanes[mask]);
    __m256i lanes = _mm256_and_si256(
        _mm256_srlv_epi32(packed, _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28)),
        _mm256_set1_epi32(15));
    _mm256_storeu_si256((__m256i *)pos, _mm256_add_epi32(lanes, _mm256_set1_epi32(k)));
}

/* lane masks of the first min(n, lanes) lanes */
static inline __m256i first_lanes_f32(size_t n)
{
    int live = n >= 8 ? 8 : (int)n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(live), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline __m256i first_lanes_f64(size_t n)
{
    long long live = n >= 4 ? 4 : (long long)n;
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(live), _mm256_setr_epi64x(0, 1, 2, 3));
}

/* bit i set when x[i] != 0 (NaN counts as nonzero), for i < min(n, 8) */
static inline unsigned nonzero_mask8_f32(const float *x, size_t n)
{
    __m256 v = n >= 8 ? _mm256_loadu_ps(x) : _mm256_maskload_ps(x, first_lanes_f32(n));
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ));
}

static inline unsigned nonzero_mask8_f64(const double *x, size_t n)
{
    __m256d lo = n >= 4 ? _mm256_loadu_pd(x) : _mm256_maskload_pd(x, first_lanes_f64(n));
    __m256d hi = n >= 8   ? _mm256_loadu_pd(x + 4)
                 : n > 4 ? _mm256_maskload_pd(x + 4, first_lanes_f64(n - 4))
                         : _mm256_setzero_pd();
    __m256d zero = _mm256_setzero_pd();
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(lo, zero, _CMP_NEQ_UQ)) |
           (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(hi, zero, _CMP_NEQ_UQ)) << 4;
}

/* sum of the 8 lanes by a fixed tree: halves, pairs, neighbours */
static inline float hsum_f32(__m256 v)
{
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

/* sum of the 4 lanes by a fixed tree: halves, neighbours */
static inline double hsum_f64(__m256d v)
{
    __m128d q = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
    return _mm_cvtsd_f64(q);
}

/* acc += d*d for the float32 lanes of d, in float64 */
static inline __m256d add_squares_f32(__m256d acc, __m256 d)
{
    __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(d));
    __m256d hi = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
    return _mm256_fmadd_pd(hi, hi, _mm256_fmadd_pd(lo, lo, acc));
}

static inline __m256d add_squares_f64(__m256d acc, __m256d d)
{
    return _mm256_fmadd_pd(d, d, acc);
}

#define REAL float
#define SFX(name) avx2_##name##_f32
#define VEC __m256
#define LANES 8
#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_LOADU(p) _mm256_loadu_ps(p)
#define V_MLOAD(m, p) _mm256_maskload_ps(p, m)
#define V_STOREU(p, v) _mm256_storeu_ps(p, v)
#define V_MSTORE(p, m, v) _mm256_maskstore_ps(p, m, v)
#define V_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm256_add_ps(a, b)
#define V_MUL(a, b) _mm256_mul_ps(a, b)
#define V_SUB(a, b) _mm256_sub_ps(a, b)
#define V_ONES_IF(a, pred) _mm256_and_ps(_mm256_cmp_ps(a, V_ZERO(), pred), _mm256_set1_ps(1.0f))
#define V_HSUM(v) hsum_f32(v)
#define FIRST_LANES(n) first_lanes_f32(n)
#define NONZERO_MASK8(x, n) nonzero_mask8_f32(x, n)
#define ADD_SQUARES(acc, d) add_squares_f32(acc, d)
#define HVEC __m128
#define HLANES 4
#define HV_SET1(x) _mm_set1_ps(x)
#define HV_LOADU(p) _mm_loadu_ps(p)
#define HV_STOREU(p, v) _mm_storeu_ps(p, v)
#define HV_MUL(a, b) _mm_mul_ps(a, b)
#define HV_FMA(a, b, c) _mm_fmadd_ps(a, b, c)
#define S_FMA(a, b, c) fmaf(a, b, c)
#define GEMM_MR 6
#define GEMM_NR 2
#define BWD_MR 3
#define BWD_KR 4
#define BWD_TAIL_SCALAR 0
#define V_LOAD_FIRST(p, n) V_MLOAD(FIRST_LANES(n), p)
#include "gemm_impl.h"
#include "avx2_impl.h"

#define REAL double
#define SFX(name) avx2_##name##_f64
#define VEC __m256d
#define LANES 4
#define V_ZERO() _mm256_setzero_pd()
#define V_SET1(x) _mm256_set1_pd(x)
#define V_LOADU(p) _mm256_loadu_pd(p)
#define V_MLOAD(m, p) _mm256_maskload_pd(p, m)
#define V_STOREU(p, v) _mm256_storeu_pd(p, v)
#define V_MSTORE(p, m, v) _mm256_maskstore_pd(p, m, v)
#define V_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define V_ADD(a, b) _mm256_add_pd(a, b)
#define V_MUL(a, b) _mm256_mul_pd(a, b)
#define V_SUB(a, b) _mm256_sub_pd(a, b)
#define V_ONES_IF(a, pred) _mm256_and_pd(_mm256_cmp_pd(a, V_ZERO(), pred), _mm256_set1_pd(1.0))
#define V_HSUM(v) hsum_f64(v)
#define FIRST_LANES(n) first_lanes_f64(n)
#define NONZERO_MASK8(x, n) nonzero_mask8_f64(x, n)
#define ADD_SQUARES(acc, d) add_squares_f64(acc, d)
#define HVEC __m128d
#define HLANES 2
#define HV_SET1(x) _mm_set1_pd(x)
#define HV_LOADU(p) _mm_loadu_pd(p)
#define HV_STOREU(p, v) _mm_storeu_pd(p, v)
#define HV_MUL(a, b) _mm_mul_pd(a, b)
#define HV_FMA(a, b, c) _mm_fmadd_pd(a, b, c)
#define S_FMA(a, b, c) fma(a, b, c)
#define GEMM_MR 6
#define GEMM_NR 2
#define BWD_MR 3
#define BWD_KR 4
#define BWD_TAIL_SCALAR 0
#define V_LOAD_FIRST(p, n) V_MLOAD(FIRST_LANES(n), p)
#include "gemm_impl.h"
#include "avx2_impl.h"

static void avx2_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, avx2, f32);
}

static void avx2_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, avx2, f64);
}

static size_t avx2_lanes(mlp_precision p)
{
    return p == MLP_F32 ? 8 : 4;
}

const mlp_kernel_set mlp_set_avx2 = {
    .name = "avx2",
    .isa = "AVX2+FMA",
    .rank = 20,
    .threaded = false,
    .requires = MLP_CPU_AVX2 | MLP_CPU_FMA,
    .lanes = avx2_lanes,
    .fill_f32 = avx2_fill_f32,
    .fill_f64 = avx2_fill_f64,
    .base = NULL,
    .skips_zero_inputs = true,
};
