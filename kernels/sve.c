/* sve.c: the SVE kernel set, float32 and float64, vector-length agnostic (any VL from
 * 128 to 2048 bits; tails and partial tiles use svwhilelt predicates). The kernel bodies
 * are in sve_impl.h. Built with -march=armv8.2-a+sve (this file only); the set is
 * offered when the CPU and kernel report SVE (HWCAP_SVE).
 *
 * Against the scalar reference: relu, relu_backward, multiply and error_delta are
 * bit-exact; forward, backward and update use fused multiply-adds and skip zero
 * inputs, so they agree to rounding (forward and update bitwise with the NEON set). */
#include <arm_sve.h>
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernels.h"

#define SVE_INLINE static inline __attribute__((always_inline))
/* Non-zero indices are gathered this many inputs at a time (a list on the stack). */
#define SVE_CHUNK 1024

/* ---- float32 ---- */

/* store the indices j + l of the active lanes l of nz, packed; returns their count */
SVE_INLINE size_t sve_compact_store_f32(svbool_t nz, size_t j, uint32_t *dst)
{
    uint64_t c = svcntp_b32(nz, nz);
    svst1_u32(svwhilelt_b32_u64(0, c), dst, svcompact_u32(nz, svindex_u32((uint32_t)j, 1)));
    return c;
}

#define REAL float
#define SV svfloat32_t
#define SFX(name) sve_##name##_f32
#define VL() svcntw()
#define WHILE(i, n) svwhilelt_b32_u64((i), (n))
#define PTRUE() svptrue_b32()
#define LD svld1_f32
#define ST svst1_f32
#define DUP svdup_n_f32
#define V_FMA_X(pg, a, b, c) svmla_f32_x(pg, c, a, b)
#define V_FMA_M(pg, a, b, c) svmla_f32_m(pg, c, a, b)
#define MUL_X svmul_f32_x
#define SUB_X svsub_f32_x
#define SEL svsel_f32
#define CMPGE0(pg, v) svcmpge_n_f32((pg), (v), 0.0f)
#define CMPGT0(pg, v) svcmpgt_n_f32((pg), (v), 0.0f)
#define CMPNE0(pg, v) svcmpne_n_f32((pg), (v), 0.0f)
#define ADDV svaddv_f32
#define COMPACT_STORE sve_compact_store_f32
#include "sve_gemm_impl.h"
#include "sve_impl.h"

/* ---- float64 ---- */

SVE_INLINE size_t sve_compact_store_f64(svbool_t nz, size_t j, uint32_t *dst)
{
    uint64_t c = svcntp_b64(nz, nz);
    svst1w_u64(svwhilelt_b64_u64(0, c), dst, svcompact_u64(nz, svindex_u64(j, 1)));
    return c;
}

#define REAL double
#define SV svfloat64_t
#define SFX(name) sve_##name##_f64
#define VL() svcntd()
#define WHILE(i, n) svwhilelt_b64_u64((i), (n))
#define PTRUE() svptrue_b64()
#define LD svld1_f64
#define ST svst1_f64
#define DUP svdup_n_f64
#define V_FMA_X(pg, a, b, c) svmla_f64_x(pg, c, a, b)
#define V_FMA_M(pg, a, b, c) svmla_f64_m(pg, c, a, b)
#define MUL_X svmul_f64_x
#define SUB_X svsub_f64_x
#define SEL svsel_f64
#define CMPGE0(pg, v) svcmpge_n_f64((pg), (v), 0.0)
#define CMPGT0(pg, v) svcmpgt_n_f64((pg), (v), 0.0)
#define CMPNE0(pg, v) svcmpne_n_f64((pg), (v), 0.0)
#define ADDV svaddv_f64
#define COMPACT_STORE sve_compact_store_f64
#include "sve_gemm_impl.h"
#include "sve_impl.h"

static void sve_fill_f32(mlp_kernels_f32 *t)
{
    MLP_FILL_TABLE(t, sve, f32);
}

static void sve_fill_f64(mlp_kernels_f64 *t)
{
    MLP_FILL_TABLE(t, sve, f64);
}

/* the lanes of this machine's vectors: 4..64 float32 (128..2048 bits) */
static size_t sve_lanes(mlp_precision p)
{
    return p == MLP_F32 ? svcntw() : svcntd();
}

const mlp_kernel_set mlp_set_sve = {
    .name = "sve",
    .isa = "AArch64 SVE (vector-length agnostic)",
    .rank = 12,
    .threaded = false,
    .requires = MLP_CPU_SVE,
    .lanes = sve_lanes,
    .fill_f32 = sve_fill_f32,
    .fill_f64 = sve_fill_f64,
    .base = NULL,
    .skips_zero_inputs = true,
};
