/* neon_impl.h: body of the AArch64 Advanced SIMD kernels, included by neon.c once per
 * precision.
 *
 * Generates (static): the seven slots SFX(forward), SFX(backward), SFX(update),
 * SFX(relu), SFX(relu_backward), SFX(multiply), SFX(error_delta), and their helpers
 * SFX(nonzero), SFX(sparse_tile), SFX(sparse_row), SFX(update1_tile).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)  float / double; name -> neon_<name>_f32 / _f64
 *   NV, NL           the vector type and its lanes: float32x4_t, 4 / float64x2_t, 2
 *   NQ               vector accumulators in a full tile: 10 (more spill to the stack
 *                    in float64)
 *   VLD, VST, VDUP, VZERO, VMUL, VSUB   load, store, broadcast, +0, multiply, subtract
 *   V_FMA(a, b, c)   a*b + c, fused (vfmaq(c, a, b))
 *   SFMA(a, b, c)    a*b + c, fused, scalar (fmaf / fma)
 *   VGE0 / VGT0      1.0 where x >= 0 / x > 0, else 0.0 (NaN too)
 *   ALLZERO4(p)      the 4*NL values at p are all +-0
 *   RED1(v)          the sum of the lanes, pairwise
 *   REDL(a)          lane j = the sum of the lanes of a[j], j < NL, pairwise
 * and, from neon.c for both inclusions: NEON_INLINE, NEON_CHUNK.
 *
 * Batched calls (mlp_blocked_forward, mlp_blocked_batch in kernels.h) go to the
 * blocked kernels of gemm_impl.h at the top of forward, backward and update; what
 * follows is the row path.
 *
 * Split invariance (the contract in kernels.h), how this set meets it: each element's
 * fixed sequence of IEEE operations is
 *   - forward Y[b,n] = +0, then for k ascending with X[b,k] != 0: Y = fma(X[b,k], W[k,n], Y).
 *     A vector lane and a scalar tail column do the same fused operation.
 *   - backward DX[b,k]: lane j of a vector accumulator sums DY[b,n]*W[k,n] (fused) over
 *     n = j mod NL of the whole vectors, in ascending n; the lanes are added pairwise
 *     ((l0+l1)+(l2+l3)); then the tail n (N mod NL of them) are fused in ascending order.
 *     The same for a block of NL values of k and for a single k.
 *   - update g = +0, then for b ascending with X[b,k] != 0: g = fma(X[b,k], DY[b,n], g);
 *     then W[k,n] = fma(g, alpha, W[k,n]); a row k whose X[:,k] are all zero is left as is.
 * Skipping a zero X differs from multiplying by it only for non-finite weights (0*inf)
 * and in the sign of an exact zero, so the result is exact for finite data. */

_Static_assert(NQ == 10, "the remainder-tile switches below cover Q = 0..9");

/* Indices j < n (n <= NEON_CHUNK) with v[j*stride] != 0, ascending, branch-free; a run
 * of 4*NL zeros (the blank margins of an MNIST image) is skipped with one test. */
static __attribute__((noinline)) size_t SFX(nonzero)(const REAL *v, size_t n, size_t stride, uint16_t *idx)
{
    size_t m = 0, j = 0;
    if (stride == 1) {
        for (; j + 4 * NL <= n; j += 4 * NL) {
            if (ALLZERO4(v + j))
                continue;
#pragma GCC unroll 16
            for (size_t i = j; i < j + 4 * NL; i++) {
                idx[m] = (uint16_t)i;
                m += v[i] != 0;
            }
        }
    }
    for (; j < n; j++) {
        idx[m] = (uint16_t)j;
        m += v[j * stride] != 0;
    }
    return m;
}

/* One tile of Q*NL + T columns (T < NL), over the n rows j of `rows` with vals[j*sv] != 0:
 *   acc[c] = sum_j vals[j*sv] * rows[j*sr + c]          (fused, j ascending, from +0)
 * then out[c] = acc[c] (store), or out[c] = fma(acc[c], alpha, out[c]) (update; not
 * written at all when no val is non-zero). Q is a constant after inlining, so the
 * accumulators live in registers: 10 q registers for the 40 hidden units in float32. */
NEON_INLINE void SFX(sparse_tile)(const size_t Q, const size_t T, size_t n, const REAL *vals,
                                  size_t sv, const REAL *rows, size_t sr, REAL *out,
                                  const bool update, REAL alpha)
{
    NV acc[NQ];
    REAL s[NL - 1];
    uint16_t idx[NEON_CHUNK];
    size_t used = 0;
#pragma GCC unroll 32
    for (size_t q = 0; q < Q; q++)
        acc[q] = VZERO;
#pragma GCC unroll 4
    for (size_t t = 0; t < NL - 1; t++)
        s[t] = 0;
    for (size_t c0 = 0; c0 < n; c0 += NEON_CHUNK) {
        size_t m = SFX(nonzero)(vals + c0 * sv, n - c0 < NEON_CHUNK ? n - c0 : NEON_CHUNK, sv,
                                idx);
        used += m;
        for (size_t i = 0; i < m; i++) {
            size_t j = c0 + idx[i];
            REAL x = vals[j * sv];
            const REAL *r = rows + j * sr;
            NV xv = VDUP(x);
#pragma GCC unroll 32
            for (size_t q = 0; q < Q; q++)
                acc[q] = V_FMA(VLD(r + q * NL), xv, acc[q]);
#pragma GCC unroll 4
            for (size_t t = 0; t < NL - 1; t++)
                if (t < T)
                    s[t] = SFMA(x, r[Q * NL + t], s[t]);
        }
    }
    if (!update) {
#pragma GCC unroll 32
        for (size_t q = 0; q < Q; q++)
            VST(out + q * NL, acc[q]);
#pragma GCC unroll 4
        for (size_t t = 0; t < NL - 1; t++)
            if (t < T)
                out[Q * NL + t] = s[t];
    } else if (used) {
        NV av = VDUP(alpha);
#pragma GCC unroll 32
        for (size_t q = 0; q < Q; q++)
            VST(out + q * NL, V_FMA(acc[q], av, VLD(out + q * NL)));
#pragma GCC unroll 4
        for (size_t t = 0; t < NL - 1; t++)
            if (t < T)
                out[Q * NL + t] = SFMA(s[t], alpha, out[Q * NL + t]);
    }
}

/* All N columns of one output row, in tiles of NQ vectors and one remainder tile. */
NEON_INLINE void SFX(sparse_row)(size_t n, const REAL *vals, size_t sv, const REAL *rows,
                                 size_t sr, size_t N, REAL *out, const bool update, REAL alpha)
{
    size_t c = 0;
    for (; N - c >= NQ * NL; c += NQ * NL)
        SFX(sparse_tile)(NQ, 0, n, vals, sv, rows + c, sr, out + c, update, alpha);
    size_t rem = N - c, T = rem % NL;
#define NEON_TILE(q)                                                                         \
    case q:                                                                                  \
        SFX(sparse_tile)(q, T, n, vals, sv, rows + c, sr, out + c, update, alpha);           \
        break;
    switch (rem / NL) {
        NEON_TILE(0) NEON_TILE(1) NEON_TILE(2) NEON_TILE(3) NEON_TILE(4) NEON_TILE(5)
        NEON_TILE(6) NEON_TILE(7) NEON_TILE(8) NEON_TILE(9)
    default:
        break;
    }
#undef NEON_TILE
}

/* Y[B,N] = X[B,K] . W[K,N]: one row of X at a time, skipping its zero inputs; each
 * output row is a sum of the rows of W picked by the non-zero X[b,k]. */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    assert(B <= 1 || (ldx >= K && ldy >= N));
    assert(K <= 1 || ldw >= N);
    if (mlp_blocked_forward(B, K, N, sizeof(REAL))) {
        SFX(blocked_forward)(B, K, N, X, ldx, W, ldw, Y, ldy);
        return;
    }
    for (size_t b = 0; b < B; b++)
        SFX(sparse_row)(K, X + b * ldx, 1, W, ldw, N, Y + b * ldy, false, 0);
}

/* DX[B,K] = DY[B,N] . W[K,N]^T: a dot product over n of a row of DY and a row of W for
 * each (b,k); NL rows of W at a time share the loads of DY and are reduced together. */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    assert(B <= 1 || (lddy >= N && lddx >= K));
    assert(K <= 1 || ldw >= N);
    if (mlp_blocked_batch(B)) {
        SFX(blocked_backward)(B, K, N, DY, lddy, W, ldw, DX, lddx);
        return;
    }
    size_t Nv = N - N % NL;
    for (size_t b = 0; b < B; b++) {
        const REAL *dy = DY + b * lddy;
        REAL *dx = DX + b * lddx;
        size_t k = 0;
        for (; k + NL <= K; k += NL) {
            const REAL *w = W + k * ldw;
            NV acc[NL];
#pragma GCC unroll 4
            for (size_t j = 0; j < NL; j++)
                acc[j] = VZERO;
            for (size_t n = 0; n < Nv; n += NL) {
                NV d = VLD(dy + n);
#pragma GCC unroll 4
                for (size_t j = 0; j < NL; j++)
                    acc[j] = V_FMA(d, VLD(w + j * ldw + n), acc[j]);
            }
            NV r = REDL(acc);
            REAL out[NL];
            VST(out, r);
            for (size_t n = Nv; n < N; n++) {
#pragma GCC unroll 4
                for (size_t j = 0; j < NL; j++)
                    out[j] = SFMA(dy[n], w[j * ldw + n], out[j]);
            }
            VST(dx + k, VLD(out));
        }
        for (; k < K; k++) {
            const REAL *w = W + k * ldw;
            NV acc = VZERO;
            for (size_t n = 0; n < Nv; n += NL)
                acc = V_FMA(VLD(dy + n), VLD(w + n), acc);
            REAL sum = RED1(acc);
            for (size_t n = Nv; n < N; n++)
                sum = SFMA(dy[n], w[n], sum);
            dx[k] = sum;
        }
    }
}

/* B = 1 update, one tile of Q*NL + T columns: W[k,:] += alpha * x[k] * dy for the
 * non-zero x[k] only (about 19% of MNIST pixels), with dy held in registers. */
NEON_INLINE void SFX(update1_tile)(const size_t Q, const size_t T, size_t K, REAL alpha,
                                   const REAL *x, const REAL *dy, REAL *W, size_t ldw)
{
    NV d[NQ];
    REAL ds[NL - 1];
    uint16_t idx[NEON_CHUNK];
#pragma GCC unroll 32
    for (size_t q = 0; q < Q; q++)
        d[q] = VLD(dy + q * NL);
#pragma GCC unroll 4
    for (size_t t = 0; t < NL - 1; t++)
        ds[t] = t < T ? dy[Q * NL + t] : 0;
    NV av = VDUP(alpha), zero = VZERO;
    for (size_t c0 = 0; c0 < K; c0 += NEON_CHUNK) {
        size_t m = SFX(nonzero)(x + c0, K - c0 < NEON_CHUNK ? K - c0 : NEON_CHUNK, 1, idx);
        for (size_t i = 0; i < m; i++) {
            size_t k = c0 + idx[i];
            NV xv = VDUP(x[k]);
            REAL *w = W + k * ldw;
            /* g = fma(x, dy, +0), then W = fma(g, alpha, W): the general path at B = 1 */
#pragma GCC unroll 32
            for (size_t q = 0; q < Q; q++)
                VST(w + q * NL, V_FMA(V_FMA(d[q], xv, zero), av, VLD(w + q * NL)));
#pragma GCC unroll 4
            for (size_t t = 0; t < NL - 1; t++)
                if (t < T)
                    w[Q * NL + t] = SFMA(SFMA(x[k], ds[t], 0), alpha, w[Q * NL + t]);
        }
    }
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]). B = 1 (per-sample SGD): the rows of W whose
 * input is non-zero get alpha * x[k] * dy. B > 1: for each row k of W, the gradient
 * sums the rows of DY picked by the non-zero X[b,k], then is scaled and added. */
static void SFX(update)(size_t B, size_t K, size_t N, REAL alpha, const REAL *restrict X,
                        size_t ldx, const REAL *restrict DY, size_t lddy, REAL *restrict W,
                        size_t ldw)
{
    assert(B <= 1 || (ldx >= K && lddy >= N));
    assert(K <= 1 || ldw >= N);
    if (mlp_blocked_batch(B)) {
        SFX(blocked_update)(B, K, N, alpha, X, ldx, DY, lddy, W, ldw);
        return;
    }
    if (B == 1) {
        size_t c = 0;
        for (; N - c >= NQ * NL; c += NQ * NL)
            SFX(update1_tile)(NQ, 0, K, alpha, X, DY + c, W + c, ldw);
        size_t rem = N - c, T = rem % NL;
#define NEON_TILE(q)                                                                         \
    case q:                                                                                  \
        SFX(update1_tile)(q, T, K, alpha, X, DY + c, W + c, ldw);                            \
        break;
        switch (rem / NL) {
            NEON_TILE(0) NEON_TILE(1) NEON_TILE(2) NEON_TILE(3) NEON_TILE(4) NEON_TILE(5)
            NEON_TILE(6) NEON_TILE(7) NEON_TILE(8) NEON_TILE(9)
        default:
            break;
        }
#undef NEON_TILE
        return;
    }
    for (size_t k = 0; k < K; k++)
        SFX(sparse_row)(B, X + k, ldx, DY, lddy, N, W + k * ldw, true, alpha);
}

/* x[n] = (x >= 0) * x: x times a 1.0/0.0 vector from the compare mask, so negatives
 * become -0.0 and NaN stays NaN, bit for bit as the scalar reference. */
static void SFX(relu)(size_t n, REAL *x)
{
    size_t i = 0;
    for (; i + NL <= n; i += NL) {
        NV v = VLD(x + i);
        VST(x + i, VMUL(VGE0(v), v));
    }
    for (; i < n; i++)
        x[i] = (REAL)(x[i] >= 0) * x[i];
}

/* delta[n] *= mask(act[n]), mask 1.0/0.0 from act >= 0 (seed) or act > 0 (strict) */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    size_t i = 0;
    if (mode == MLP_RELU_GRAD_STRICT) {
        for (; i + NL <= n; i += NL)
            VST(delta + i, VMUL(VLD(delta + i), VGT0(VLD(act + i))));
    } else {
        for (; i + NL <= n; i += NL)
            VST(delta + i, VMUL(VLD(delta + i), VGE0(VLD(act + i))));
    }
    for (; i < n; i++) {
        REAL mask = mode == MLP_RELU_GRAD_STRICT ? (REAL)(act[i] > 0) : (REAL)(act[i] >= 0);
        delta[i] = delta[i] * mask;
    }
}

/* x[n] *= m[n] */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    size_t i = 0;
    for (; i + NL <= n; i += NL)
        VST(x + i, VMUL(VLD(x + i), VLD(m + i)));
    for (; i < n; i++)
        x[i] = x[i] * m[i];
}

/* delta[n] = target[n] - out[n]; returns sum(delta^2) in double, added in ascending
 * order as the scalar reference does (n is 10: the order is worth more than lanes). */
static double SFX(error_delta)(size_t n, const REAL *restrict target, const REAL *restrict out,
                               REAL *restrict delta)
{
    size_t i = 0;
    for (; i + NL <= n; i += NL)
        VST(delta + i, VSUB(VLD(target + i), VLD(out + i)));
    for (; i < n; i++)
        delta[i] = target[i] - out[i];
    double sum = 0;
    for (i = 0; i < n; i++)
        sum += (double)delta[i] * (double)delta[i];
    return sum;
}

/* the includer's vocabulary */
#undef REAL
#undef SFX
#undef NV
#undef NL
#undef NQ
#undef VLD
#undef VST
#undef VDUP
#undef VZERO
#undef VMUL
#undef VSUB
#undef V_FMA
#undef SFMA
#undef VGE0
#undef VGT0
#undef ALLZERO4
#undef RED1
#undef REDL
