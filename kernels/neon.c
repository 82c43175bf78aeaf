/* neon.c: the AArch64 Advanced SIMD (NEON) kernel set, float32 (4 lanes) and float64
 * (2 lanes). Every slot is implemented, for any B, K, N and leading dimensions; the
 * kernel bodies are in neon_impl.h, shared by both precisions, with the rules that keep
 * each output element bitwise the same however a call is split (see there).
 *
 * Against the scalar reference: relu, relu_backward, multiply and error_delta are
 * bit-exact; forward, backward and update use fused multiply-adds (one rounding per
 * product-and-sum) and skip zero inputs, so they agree to rounding. */
#include <arm_neon.h>
#include <assert.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels.h"

#define NEON_INLINE static inline __attribute__((always_inline))
#define ALWAYS_INLINE inline __attribute__((always_inline))
/* Non-zero indices are gathered this many inputs at a time (a uint16_t list on the stack). */
#define NEON_CHUNK 1024

/* ---- float32: 4 lanes ---- */

/* 1.0f where x >= 0 (x > 0), 0.0f elsewhere and for NaN */
NEON_INLINE float32x4_t neon_ge0_f32(float32x4_t x)
{
    return vreinterpretq_f32_u32(vandq_u32(vcgezq_f32(x), vreinterpretq_u32_f32(vdupq_n_f32(1.0f))));
}
NEON_INLINE float32x4_t neon_gt0_f32(float32x4_t x)
{
    return vreinterpretq_f32_u32(vandq_u32(vcgtzq_f32(x), vreinterpretq_u32_f32(vdupq_n_f32(1.0f))));
}
/* true if the 16 floats at p are all +0 or -0 */
NEON_INLINE bool neon_allzero4_f32(const float *p)
{
    uint32x4_t z = vandq_u32(vandq_u32(vceqzq_f32(vld1q_f32(p)), vceqzq_f32(vld1q_f32(p + 4))),
                             vandq_u32(vceqzq_f32(vld1q_f32(p + 8)), vceqzq_f32(vld1q_f32(p + 12))));
    return vminvq_u32(z) != 0;
}
/* (l0 + l1) + (l2 + l3) */
NEON_INLINE float neon_red1_f32(float32x4_t a)
{
    float32x4_t p = vpaddq_f32(a, a);
    return vgetq_lane_f32(vpaddq_f32(p, p), 0);
}
/* lane j = (a_j0 + a_j1) + (a_j2 + a_j3): neon_red1_f32 of four vectors at once */
NEON_INLINE float32x4_t neon_red4_f32(float32x4_t a0, float32x4_t a1, float32x4_t a2,
                                      float32x4_t a3)
{
    return vpaddq_f32(vpaddq_f32(a0, a1), vpaddq_f32(a2, a3));
}

#define REAL float
#define NV float32x4_t
#define NL 4
#define NQ 10
#define SFX(name) neon_##name##_f32
#define VLD vld1q_f32
#define VST vst1q_f32
#define VDUP vdupq_n_f32
#define VZERO vdupq_n_f32(0.0f)
#define VMUL vmulq_f32
#define VSUB vsubq_f32
#define V_FMA(a, b, c) vfmaq_f32(c, a, b)
#define SFMA fmaf
#define VGE0 neon_ge0_f32
#define VGT0 neon_gt0_f32
#define ALLZERO4 neon_allzero4_f32
#define RED1 neon_red1_f32
#define REDL(a) neon_red4_f32((a)[0], (a)[1], (a)[2], (a)[3])
/* the vocabulary of gemm_impl.h (the blocked kernels), undefined after it */
#define VEC float32x4_t
#define LANES 4
#define V_ZERO() VZERO
#define V_SET1(x) VDUP(x)
#define V_LOADU(p) VLD(p)
#define V_STOREU(p, v) VST(p, v)
#define V_HSUM(v) RED1(v)
#define S_FMA(a, b, c) SFMA(a, b, c)
#define GEMM_MR 8
#define GEMM_NR 3
#define BWD_MR 4
#define BWD_KR 6
#define BWD_TAIL_SCALAR 1
#include "gemm_impl.h"
#undef VEC
#undef LANES
#undef V_ZERO
#undef V_SET1
#undef V_LOADU
#undef V_STOREU
#undef V_HSUM
#include "neon_impl.h"

/* ---- float64: 2 lanes ---- */

NEON_INLINE float64x2_t neon_ge0_f64(float64x2_t x)
{
    return vreinterpretq_f64_u64(vandq_u64(vcgezq_f64(x), vreinterpretq_u64_f64(vdupq_n_f64(1.0))));
}
NEON_INLINE float64x2_t neon_gt0_f64(float64x2_t x)
{
    return vreinterpretq_f64_u64(vandq_u64(vcgtzq_f64(x), vreinterpretq_u64_f64(vdupq_n_f64(1.0))));
}
/* true if the 8 doubles at p are all +0 or -0 */
NEON_INLINE bool neon_allzero4_f64(const double *p)
{
    uint64x2_t z = vandq_u64(vandq_u64(vceqzq_f64(vld1q_f64(p)), vceqzq_f64(vld1q_f64(p + 2))),
                             vandq_u64(vceqzq_f64(vld1q_f64(p + 4)), vceqzq_f64(vld1q_f64(p + 6))));
    return vminvq_u32(vreinterpretq_u32_u64(z)) != 0;
}
/* l0 + l1 */
NEON_INLINE double neon_red1_f64(float64x2_t a)
{
    return vgetq_lane_f64(vpaddq_f64(a, a), 0);
}

#define REAL double
#define NV float64x2_t
#define NL 2
#define NQ 10
#define SFX(name) neon_##name##_f64
#define VLD vld1q_f64
#define VST vst1q_f64
#define VDUP vdupq_n_f64
#define VZERO vdupq_n_f64(0.0)
#define VMUL vmulq_f64
#define VSUB vsubq_f64
#define V_FMA(a, b, c) vfmaq_f64(c, a, b)
#define SFMA fma
#define VGE0 neon_ge0_f64
#define VGT0 neon_gt0_f64
#define ALLZERO4 neon_allzero4_f64
#define RED1 neon_red1_f64
#define REDL(a) vpaddq_f64((a)[0], (a)[1])
/* the vocabulary of gemm_impl.h (the blocked kernels), undefined after it */
#define VEC float64x2_t
#define LANES 2
#define V_ZERO() VZERO
#define V_SET1(x) VDUP(x)
#define V_LOADU(p) VLD(p)
#define V_STOREU(p, v) VST(p, v)
#define V_HSUM(v) RED1(v)
#define S_FMA(a, b, c) SFMA(a, b, c)
#define GEMM_MR 8
#define GEMM_NR 3
#define BWD_MR 4
#define BWD_KR 6
#define BWD_TAIL_SCALAR 1
#include "gemm_impl.h"
#undef VEC
#undef LANES
#undef V_ZERO
#undef V_SET1
#undef V_LOADU
#undef V_STOREU
#undef V_HSUM
#include "neon_impl.h"

static void neon_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, neon, f32);
}

static void neon_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, neon, f64);
}

static size_t neon_lanes(mlp_precision p)
{
    return p == MLP_F32 ? 4 : 2;
}

const mlp_kernel_set mlp_set_neon = {
    .name = "neon",
    .isa = "AArch64 Advanced SIMD",
    .rank = 10,
    .threaded = false,
    .requires = MLP_CPU_NEON,
    .lanes = neon_lanes,
    .fill_f32 = neon_fill_f32,
    .fill_f64 = neon_fill_f64,
    .base = NULL,
    .skips_zero_inputs = true,
};
