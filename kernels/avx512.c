/* avx512.c: the AVX-512F kernel set: 16 float32 / 8 float64 lanes, masked loads and
 * stores (__mmask16 / __mmask8) for tails, FMA throughout. The kernel bodies are in
 * avx512_impl.h, included once per precision with the vocabulary defined here.
 *
 * The per-sample (B = 1) step is what the benchmark spends its time in; its two big
 * calls touch W01 (784x40, 125 KB in float32, not in L1) only at the rows of the
 * nonzero inputs (~19% of MNIST pixels):
 *   forward  the nonzero positions of x are packed into a list (vpcompressd, 16 at a
 *            time), then 3 vectors of 16 columns (the last masked) walk it with 2x3
 *            accumulators in registers: L2-bandwidth bound, ~210 ns for 784x40.
 *   update   the same list; per listed row, 5 unmasked 256-bit loads, FMAs with
 *            alpha*dy held in registers, and stores (masked stores, and 512-bit ones
 *            straddling cache lines, are slow on Zen 4/5).
 * The test pass's second layer and scoring (score_head) put 16 / 8 records in the
 * lanes instead, their hidden units and targets transposed in registers
 * (transpose_16x16, transpose_8x8), so that one instruction does the per-record
 * work of the row path for all of them.
 *
 * Built with -mavx512f -mavx512vl -mavx512dq -mavx512bw -mfma (kernels/CMakeLists.txt);
 * requires each of them, and AVX2 (which -mavx512f implies). */
#include <assert.h>
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Positions are stored as whole vectors of int32, so a buffer for a chunk of n
 * inputs needs n + 16 entries. */
enum { AVX512_CHUNK = 1024, AVX512_TILE_VECS = 6 };
/* forward_sparse's column tiles (avx512_impl.h): at most 3 vectors, so that a tile's
 * part of W01's hot rows fits L1 */
enum { SPARSE_TILE_VECS = 3 };

/* sum of the 16 lanes by a fixed tree: halves, quarters, pairs, neighbours */
static inline float hsum_f32(__m512 v)
{
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

/* sum of the 8 lanes by a fixed tree: halves, pairs, neighbours */
static inline double hsum_f64(__m512d v)
{
    __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    q = _mm_add_sd(q, _mm_unpackhi_pd(q, q));
    return _mm_cvtsd_f64(q);
}

/* acc += d*d for the 16 float32 lanes of d, in float64 */
static inline __m512d add_squares_f32(__m512d acc, __m512 d)
{
    __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(d));
    __m512d hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(d, 1));
    return _mm512_fmadd_pd(hi, hi, _mm512_fmadd_pd(lo, lo, acc));
}

static inline __m512d add_squares_f64(__m512d acc, __m512d d)
{
    return _mm512_fmadd_pd(d, d, acc);
}

/* pos[0..16) = the lanes of `lanes` set in `mask`, each plus k, packed to the front */
static inline void store_positions_16(int32_t *pos, __mmask16 mask, int32_t k)
{
    __m512i lanes = _mm512_add_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
        _mm512_set1_epi32(k));
    /* the register form of vpcompressd: the memory form is microcoded on Zen 4 */
    _mm512_storeu_si512(pos, _mm512_maskz_compress_epi32(mask, lanes));
}

static inline void store_positions_8(int32_t *pos, __mmask8 mask, int32_t k)
{
    __m256i lanes = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                     _mm256_set1_epi32(k));
    _mm256_storeu_si256((__m256i *)pos, _mm256_maskz_compress_epi32(mask, lanes));
}

/* r[i] = column i of the 16x16 float32 matrix whose rows were r[0..16) (moves only):
 * pairs of rows interleaved, then quads, then 128-bit blocks exchanged */
static inline void transpose_16x16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 16; i += 4) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
        t[i + 2] = _mm512_unpacklo_ps(r[i + 2], r[i + 3]);
        t[i + 3] = _mm512_unpackhi_ps(r[i + 2], r[i + 3]);
    }
    for (int i = 0; i < 16; i += 4) { /* r[i + j], 128-bit block L: rows i..i+3, column 4L + j */
        __m512d a = _mm512_castps_pd(t[i]), b = _mm512_castps_pd(t[i + 1]);
        __m512d c = _mm512_castps_pd(t[i + 2]), d = _mm512_castps_pd(t[i + 3]);
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int j = 0; j < 4; j++) { /* the 4x4 transpose of 128-bit blocks */
        __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44);
        __m512 u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xee);
        __m512 u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
        __m512 u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xee);
        t[j] = _mm512_shuffle_f32x4(u0, u2, 0x88);
        t[4 + j] = _mm512_shuffle_f32x4(u0, u2, 0xdd);
        t[8 + j] = _mm512_shuffle_f32x4(u1, u3, 0x88);
        t[12 + j] = _mm512_shuffle_f32x4(u1, u3, 0xdd);
    }
    for (int i = 0; i < 16; i++)
        r[i] = t[i];
}

/* the same for the 8x8 float64 matrix */
static inline void transpose_8x8(__m512d r[8])
{
    __m512d t[8];
    for (int i = 0; i < 8; i += 2) { /* t[i + j], 128-bit block L: rows i, i+1, column 2L + j */
        t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    for (int j = 0; j < 2; j++) {
        __m512d u0 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0x44);
        __m512d u1 = _mm512_shuffle_f64x2(t[j], t[2 + j], 0xee);
        __m512d u2 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0x44);
        __m512d u3 = _mm512_shuffle_f64x2(t[4 + j], t[6 + j], 0xee);
        r[j] = _mm512_shuffle_f64x2(u0, u2, 0x88);
        r[2 + j] = _mm512_shuffle_f64x2(u0, u2, 0xdd);
        r[4 + j] = _mm512_shuffle_f64x2(u1, u3, 0x88);
        r[6 + j] = _mm512_shuffle_f64x2(u1, u3, 0xdd);
    }
}

#define REAL float
#define SFX(name) avx512_##name##_f32
#define VEC __m512
#define MASK __mmask16
#define LANES 16
#define FULL_MASK ((__mmask16)0xffff)
#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_LOADU(p) _mm512_loadu_ps(p)
#define V_MLOAD(m, p) _mm512_maskz_loadu_ps(m, p)
#define V_STOREU(p, v) _mm512_storeu_ps(p, v)
#define V_MSTORE(p, m, v) _mm512_mask_storeu_ps(p, m, v)
#define V_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define V_ADD(a, b) _mm512_add_ps(a, b)
#define V_FMA_IF(a, b, c, m) _mm512_mask3_fmadd_ps(a, b, c, m)
#define V_MUL(a, b) _mm512_mul_ps(a, b)
#define V_SUB(a, b) _mm512_sub_ps(a, b)
#define V_CMP_MASK(m, a, b, pred) _mm512_mask_cmp_ps_mask(m, a, b, pred)
#define V_ONES_WHERE(m) _mm512_maskz_mov_ps(m, _mm512_set1_ps(1.0f))
#define V_HSUM(v) hsum_f32(v)
#define ADD_SQUARES(acc, d) add_squares_f32(acc, d)
#define STORE_POSITIONS(pos, m, k) store_positions_16(pos, m, k)
#define V_MOV_IF(a, m, b) _mm512_mask_mov_ps(a, m, b)
#define TRANSPOSE(r) transpose_16x16(r)
#define LOAD_AS_F64(p) _mm512_cvtps_pd(_mm256_load_ps(p))
#define LOAD_LABELS(m, p) _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p)))
#define HVEC __m256
#define HLANES 8
#define HV_SET1(x) _mm256_set1_ps(x)
#define HV_LOADU(p) _mm256_loadu_ps(p)
#define HV_STOREU(p, v) _mm256_storeu_ps(p, v)
#define HV_MUL(a, b) _mm256_mul_ps(a, b)
#define HV_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define HV_ZERO() _mm256_setzero_ps()
#define HV_ADD(a, b) _mm256_add_ps(a, b)
#define HV_MLOAD(m, p) _mm256_maskz_loadu_ps(m, p)
#define HV_MSTORE(p, m, v) _mm256_mask_storeu_ps(p, m, v)
#define S_FMA(a, b, c) fmaf(a, b, c)
#define GEMM_MR 8
#define GEMM_NR 3
#define BWD_MR 4
#define BWD_KR 6
#define BWD_TAIL_SCALAR 0
#define V_LOAD_FIRST(p, n) V_MLOAD((MASK)((1u << (n)) - 1u), p)
#include "gemm_impl.h"
#include "avx512_impl.h"

#define REAL double
#define SFX(name) avx512_##name##_f64
#define VEC __m512d
#define MASK __mmask8
#define LANES 8
#define FULL_MASK ((__mmask8)0xff)
#define V_ZERO() _mm512_setzero_pd()
#define V_SET1(x) _mm512_set1_pd(x)
#define V_LOADU(p) _mm512_loadu_pd(p)
#define V_MLOAD(m, p) _mm512_maskz_loadu_pd(m, p)
#define V_STOREU(p, v) _mm512_storeu_pd(p, v)
#define V_MSTORE(p, m, v) _mm512_mask_storeu_pd(p, m, v)
#define V_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define V_ADD(a, b) _mm512_add_pd(a, b)
#define V_FMA_IF(a, b, c, m) _mm512_mask3_fmadd_pd(a, b, c, m)
#define V_MUL(a, b) _mm512_mul_pd(a, b)
#define V_SUB(a, b) _mm512_sub_pd(a, b)
#define V_CMP_MASK(m, a, b, pred) _mm512_mask_cmp_pd_mask(m, a, b, pred)
#define V_ONES_WHERE(m) _mm512_maskz_mov_pd(m, _mm512_set1_pd(1.0))
#define V_HSUM(v) hsum_f64(v)
#define ADD_SQUARES(acc, d) add_squares_f64(acc, d)
#define STORE_POSITIONS(pos, m, k) store_positions_8(pos, m, k)
#define V_MOV_IF(a, m, b) _mm512_mask_mov_pd(a, m, b)
#define TRANSPOSE(r) transpose_8x8(r)
#define LOAD_AS_F64(p) _mm512_load_pd(p)
#define LOAD_LABELS(m, p) _mm512_cvtepi32_pd(_mm256_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p)))
#define HVEC __m256d
#define HLANES 4
#define HV_SET1(x) _mm256_set1_pd(x)
#define HV_LOADU(p) _mm256_loadu_pd(p)
#define HV_STOREU(p, v) _mm256_storeu_pd(p, v)
#define HV_MUL(a, b) _mm256_mul_pd(a, b)
#define HV_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define HV_ZERO() _mm256_setzero_pd()
#define HV_ADD(a, b) _mm256_add_pd(a, b)
#define HV_MLOAD(m, p) _mm256_maskz_loadu_pd(m, p)
#define HV_MSTORE(p, m, v) _mm256_mask_storeu_pd(p, m, v)
#define S_FMA(a, b, c) fma(a, b, c)
#define GEMM_MR 8
#define GEMM_NR 3
#define BWD_MR 4
#define BWD_KR 6
#define BWD_TAIL_SCALAR 0
#define V_LOAD_FIRST(p, n) V_MLOAD((MASK)((1u << (n)) - 1u), p)
#include "gemm_impl.h"
#include "avx512_impl.h"

static void avx512_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, avx512, f32);
    t->forward_sparse = avx512_forward_sparse_f32;
    t->update_sparse = avx512_update_sparse_f32;
    t->score_head = avx512_score_head_f32;
}

static void avx512_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, avx512, f64);
    t->forward_sparse = avx512_forward_sparse_f64;
    t->update_sparse = avx512_update_sparse_f64;
    t->score_head = avx512_score_head_f64;
}

static size_t avx512_lanes(mlp_precision p)
{
    return p == MLP_F32 ? 16 : 8;
}

const mlp_kernel_set mlp_set_avx512 = {
    .name = "avx512",
    .isa = "AVX-512F",
    .rank = 30,
    .threaded = false,
    /* what the file is compiled for (cpu.c counts these only with the OS's ZMM state) */
    .requires = MLP_CPU_AVX512F | MLP_CPU_AVX512VL | MLP_CPU_AVX512DQ | MLP_CPU_AVX512BW |
                MLP_CPU_AVX2 | MLP_CPU_FMA,
    .lanes = avx512_lanes,
    .fill_f32 = avx512_fill_f32,
    .fill_f64 = avx512_fill_f64,
    .base = NULL,
    .skips_zero_inputs = true,
};
