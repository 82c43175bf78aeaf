/* sve_impl.h: body of the SVE kernels, included by sve.c once per precision.
 *
 * Generates (static): the seven slots SFX(forward), SFX(backward), SFX(update),
 * SFX(relu), SFX(relu_backward), SFX(multiply), SFX(error_delta), and their helpers
 * SFX(nonzero), SFX(sparse_tile), SFX(sparse_row), SFX(update1_tile).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)   float / double; name -> sve_<name>_f32 / _f64
 *   SV, VL()          the vector type and its lanes (svcntw() / svcntd())
 *   WHILE(i, n)       the predicate of lanes i.. < n; PTRUE() every lane
 *   LD(pg, p), ST(pg, p, v), DUP(x)
 *   V_FMA_X(pg, a, b, c), V_FMA_M(pg, a, b, c)   a*b + c, fused, in the lanes of pg
 *                     (the other lanes: _X undefined, _M c)
 *   MUL_X, SUB_X (pg, a, b), SEL(pg, a, b)
 *   CMPGE0 / CMPGT0 / CMPNE0 (pg, v)   the lanes of pg where v >= 0 / v > 0 / v != 0
 *   ADDV(pg, v)       the sum of the lanes (FADDV: a fixed pairwise tree)
 *   COMPACT_STORE(nz, j, dst)   stores the indices j + l of the active lanes l of nz
 *                     as uint32_t, packed to the front of dst; returns their count
 * and, from sve.c for both inclusions: SVE_INLINE, SVE_CHUNK.
 * Vector-length agnostic: tails and partial tiles are predicated with svwhilelt.
 *
 * Batched calls (mlp_blocked_forward, mlp_blocked_batch in kernels.h) go to the
 * blocked kernels of sve_gemm_impl.h at the top of forward, backward and update; what
 * follows is the row path.
 *
 * Split invariance (the contract in kernels.h), how this set meets it: forward and
 * update compute every element by the same fused sequence as the NEON set (from +0,
 * fma over the non-zero inputs in ascending order; W = fma(g, alpha, W), rows with no
 * non-zero input left as is), so they do not depend on the vector length either.
 * backward DX[b,k]: lane j of a vector accumulator sums DY[b,n]*W[k,n] (fused) over
 * n = j mod VL in ascending n (the last chunk predicated), then FADDV adds the lanes
 * (a fixed pairwise tree); this depends on N and on the vector length of the machine,
 * never on B, the split of K, or alignment. */

/* Indices j < n (n <= SVE_CHUNK) with v[j*stride] != 0 (NaN counts), ascending. */
static __attribute__((noinline)) size_t SFX(nonzero)(const REAL *v, size_t n, size_t stride,
                                                    uint32_t *idx)
{
    size_t m = 0;
    if (stride == 1) {
        for (size_t j = 0; j < n; j += VL()) {
            svbool_t pg = WHILE(j, n);
            svbool_t nz = CMPNE0(pg, LD(pg, v + j));
            if (!svptest_any(pg, nz))
                continue;
            m += COMPACT_STORE(nz, j, idx + m);
        }
        return m;
    }
    for (size_t j = 0; j < n; j++) {
        idx[m] = (uint32_t)j;
        m += v[j * stride] != 0;
    }
    return m;
}

/* Run M(q) for q = 0..SVE_QMAX-1 (a tile has at most SVE_QMAX vectors). */
#define SVE_R10(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9)

/* One tile of Q vectors (Q*VL columns, the last vector predicated to `cols`), over the
 * n rows j of `rows` with vals[j*sv] != 0:
 *   acc[c] = sum_j vals[j*sv] * rows[j*sr + c]          (fused, j ascending, from +0)
 * then out[c] = acc[c], or out[c] = fma(acc[c], alpha, out[c]) (update; not written
 * when no val is non-zero). Q is a constant after inlining: acc0..acc(Q-1) stay in
 * registers (SVE vectors cannot be array elements). */
SVE_INLINE void SFX(sparse_tile)(const size_t Q, size_t cols, size_t n, const REAL *vals,
                                 size_t sv, const REAL *rows, size_t sr, REAL *out,
                                 const bool update, REAL alpha)
{
    const size_t vl = VL();
    svbool_t pt = PTRUE(), pl = WHILE((Q - 1) * vl, cols);
    uint32_t idx[SVE_CHUNK];
    size_t used = 0;
#define SVE_PG(q) ((q) == Q - 1 ? pl : pt)
#define SVE_DECL(q) SV acc##q = DUP(0);
    SVE_R10(SVE_DECL)
#undef SVE_DECL
    for (size_t c0 = 0; c0 < n; c0 += SVE_CHUNK) {
        size_t m = SFX(nonzero)(vals + c0 * sv, n - c0 < SVE_CHUNK ? n - c0 : SVE_CHUNK, sv, idx);
        used += m;
        for (size_t i = 0; i < m; i++) {
            size_t j = c0 + idx[i];
            const REAL *r = rows + j * sr;
            SV xv = DUP(vals[j * sv]);
#define SVE_STEP(q)                                                                          \
    if ((q) < Q)                                                                             \
        acc##q = V_FMA_X(SVE_PG(q), LD(SVE_PG(q), r + (q) * vl), xv, acc##q);
            SVE_R10(SVE_STEP)
#undef SVE_STEP
        }
    }
    if (!update) {
#define SVE_OUT(q)                                                                           \
    if ((q) < Q)                                                                             \
        ST(SVE_PG(q), out + (q) * vl, acc##q);
        SVE_R10(SVE_OUT)
#undef SVE_OUT
    } else if (used) {
        SV av = DUP(alpha);
#define SVE_UPD(q)                                                                           \
    if ((q) < Q)                                                                             \
        ST(SVE_PG(q), out + (q) * vl,                                                        \
           V_FMA_X(SVE_PG(q), acc##q, av, LD(SVE_PG(q), out + (q) * vl)));
        SVE_R10(SVE_UPD)
#undef SVE_UPD
    }
#undef SVE_PG
}

/* All N columns of one output row, in tiles of up to 10 vectors. */
SVE_INLINE void SFX(sparse_row)(size_t n, const REAL *vals, size_t sv, const REAL *rows,
                                size_t sr, size_t N, REAL *out, const bool update, REAL alpha)
{
    const size_t vl = VL();
    for (size_t c = 0; c < N;) {
        size_t vecs = (N - c + vl - 1) / vl, Q = vecs < 10 ? vecs : 10;
#define SVE_TILE(q)                                                                          \
    case (q) + 1:                                                                            \
        SFX(sparse_tile)((q) + 1, N - c, n, vals, sv, rows + c, sr, out + c, update, alpha); \
        break;
        switch (Q) {
            SVE_R10(SVE_TILE)
        default:
            break;
        }
#undef SVE_TILE
        c += Q * vl;
    }
}

/* Y[B,N] = X[B,K] . W[K,N]: one row of X at a time, skipping its zero inputs. */
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

/* DX[B,K] = DY[B,N] . W[K,N]^T: a dot product over n for each (b,k); four rows of W at
 * a time share the loads of DY. */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    assert(B <= 1 || (lddy >= N && lddx >= K));
    assert(K <= 1 || ldw >= N);
    if (mlp_blocked_batch(B)) {
        SFX(blocked_backward)(B, K, N, DY, lddy, W, ldw, DX, lddx);
        return;
    }
    const size_t vl = VL();
    svbool_t pt = PTRUE();
    for (size_t b = 0; b < B; b++) {
        const REAL *dy = DY + b * lddy;
        REAL *dx = DX + b * lddx;
        size_t k = 0;
        for (; k + 4 <= K; k += 4) {
            const REAL *w = W + k * ldw;
            SV a0 = DUP(0), a1 = DUP(0), a2 = DUP(0), a3 = DUP(0);
            for (size_t n = 0; n < N; n += vl) {
                svbool_t pg = WHILE(n, N);
                SV d = LD(pg, dy + n);
                a0 = V_FMA_M(pg, d, LD(pg, w + n), a0);
                a1 = V_FMA_M(pg, d, LD(pg, w + ldw + n), a1);
                a2 = V_FMA_M(pg, d, LD(pg, w + 2 * ldw + n), a2);
                a3 = V_FMA_M(pg, d, LD(pg, w + 3 * ldw + n), a3);
            }
            dx[k] = ADDV(pt, a0);
            dx[k + 1] = ADDV(pt, a1);
            dx[k + 2] = ADDV(pt, a2);
            dx[k + 3] = ADDV(pt, a3);
        }
        for (; k < K; k++) {
            const REAL *w = W + k * ldw;
            SV a = DUP(0);
            for (size_t n = 0; n < N; n += vl) {
                svbool_t pg = WHILE(n, N);
                a = V_FMA_M(pg, LD(pg, dy + n), LD(pg, w + n), a);
            }
            dx[k] = ADDV(pt, a);
        }
    }
}

/* B = 1 update, one tile of Q vectors: W[k,:] = fma(fma(x[k], dy, +0), alpha, W[k,:])
 * for the non-zero x[k] only, with dy held in registers. */
SVE_INLINE void SFX(update1_tile)(const size_t Q, size_t cols, size_t K, REAL alpha,
                                  const REAL *x, const REAL *dy, REAL *W, size_t ldw)
{
    const size_t vl = VL();
    svbool_t pt = PTRUE(), pl = WHILE((Q - 1) * vl, cols);
    uint32_t idx[SVE_CHUNK];
    SV av = DUP(alpha), zero = DUP(0);
#define SVE_PG(q) ((q) == Q - 1 ? pl : pt)
#define SVE_DECL(q) SV d##q = (q) < Q ? LD(SVE_PG(q), dy + (q) * vl) : zero;
    SVE_R10(SVE_DECL)
#undef SVE_DECL
    for (size_t c0 = 0; c0 < K; c0 += SVE_CHUNK) {
        size_t m = SFX(nonzero)(x + c0, K - c0 < SVE_CHUNK ? K - c0 : SVE_CHUNK, 1, idx);
        for (size_t i = 0; i < m; i++) {
            size_t k = c0 + idx[i];
            SV xv = DUP(x[k]);
            REAL *w = W + k * ldw;
#define SVE_STEP(q)                                                                          \
    if ((q) < Q)                                                                             \
        ST(SVE_PG(q), w + (q) * vl,                                                          \
           V_FMA_X(SVE_PG(q), V_FMA_X(SVE_PG(q), d##q, xv, zero), av,                        \
                   LD(SVE_PG(q), w + (q) * vl)));
            SVE_R10(SVE_STEP)
#undef SVE_STEP
        }
    }
#undef SVE_PG
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]); B = 1 keeps dy in registers and touches
 * only the rows of W with a non-zero input; B > 1 sums, for each row k of W, the rows
 * of DY picked by the non-zero X[b,k], then scales and adds. */
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
        const size_t vl = VL();
        for (size_t c = 0; c < N;) {
            size_t vecs = (N - c + vl - 1) / vl, Q = vecs < 10 ? vecs : 10;
#define SVE_TILE(q)                                                                          \
    case (q) + 1:                                                                            \
        SFX(update1_tile)((q) + 1, N - c, K, alpha, X, DY + c, W + c, ldw);                  \
        break;
            switch (Q) {
                SVE_R10(SVE_TILE)
            default:
                break;
            }
#undef SVE_TILE
            c += Q * vl;
        }
        return;
    }
    for (size_t k = 0; k < K; k++)
        SFX(sparse_row)(B, X + k, ldx, DY, lddy, N, W + k * ldw, true, alpha);
}

/* x[n] = (x >= 0) * x: x times 1.0/0.0 selected by the compare, bit-exact with scalar */
static void SFX(relu)(size_t n, REAL *x)
{
    SV one = DUP(1), zero = DUP(0);
    for (size_t i = 0; i < n; i += VL()) {
        svbool_t pg = WHILE(i, n);
        SV v = LD(pg, x + i);
        ST(pg, x + i, MUL_X(pg, SEL(CMPGE0(pg, v), one, zero), v));
    }
}

/* delta[n] *= mask(act[n]), 1.0/0.0 from act >= 0 (seed) or act > 0 (strict) */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    SV one = DUP(1), zero = DUP(0);
    for (size_t i = 0; i < n; i += VL()) {
        svbool_t pg = WHILE(i, n);
        SV a = LD(pg, act + i);
        svbool_t on = mode == MLP_RELU_GRAD_STRICT ? CMPGT0(pg, a) : CMPGE0(pg, a);
        ST(pg, delta + i, MUL_X(pg, LD(pg, delta + i), SEL(on, one, zero)));
    }
}

/* x[n] *= m[n] */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    for (size_t i = 0; i < n; i += VL()) {
        svbool_t pg = WHILE(i, n);
        ST(pg, x + i, MUL_X(pg, LD(pg, x + i), LD(pg, m + i)));
    }
}

/* delta[n] = target[n] - out[n]; returns sum(delta^2) in double, in ascending order */
static double SFX(error_delta)(size_t n, const REAL *restrict target, const REAL *restrict out,
                               REAL *restrict delta)
{
    for (size_t i = 0; i < n; i += VL()) {
        svbool_t pg = WHILE(i, n);
        ST(pg, delta + i, SUB_X(pg, LD(pg, target + i), LD(pg, out + i)));
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)delta[i] * (double)delta[i];
    return sum;
}

/* this header's own macros, then the includer's vocabulary */
#undef SVE_R10
#undef REAL
#undef SFX
#undef SV
#undef VL
#undef WHILE
#undef PTRUE
#undef LD
#undef ST
#undef DUP
#undef V_FMA_X
#undef V_FMA_M
#undef MUL_X
#undef SUB_X
#undef SEL
#undef CMPGE0
#undef CMPGT0
#undef CMPNE0
#undef ADDV
#undef COMPACT_STORE
