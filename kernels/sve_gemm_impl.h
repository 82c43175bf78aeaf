/* sve_gemm_impl.h: the blocked (GEMM-style) forward, backward and update of the SVE
 * set, vector-length agnostic; included by sve.c once per precision, before
 * sve_impl.h, whose slots call these at their top (mlp_blocked_forward /
 * mlp_blocked_batch in kernels.h). The same design and order of operations as
 * gemm_impl.h (read its top comment): BLIS's loops, packed slivers, one FMA chain per
 * output over its whole reduction, ascending, from +0 -- so forward and update give the
 * same bits as the blocked kernels of avx2, avx512 and neon at every vector length.
 * What differs: SVE vectors are sizeless (no arrays of them), so the 8 x 3-vector
 * micro-tile is written out with macros; the vector length is known only at run time,
 * so the sliver width (3 VL), KC (24 KiB of packed W per sliver, at most 256) and the
 * buffers (one allocation per call, < 1 MiB) are computed per call; and every edge is
 * predicated (svwhilelt), the stores included.
 *
 * Generates (static): SFX(gemm_micro), SFX(gemm_pack_a), SFX(gemm_pack_b),
 * SFX(gemm_store), SFX(gemm), SFX(blocked_forward), SFX(blocked_update),
 * SFX(bwd_one), SFX(bwd_tile), SFX(blocked_backward).
 * Expects sve.c's vocabulary (REAL, SFX, SV, VL, WHILE, PTRUE, LD, ST, DUP, V_FMA_X,
 * V_FMA_M, ADDV), all left defined for sve_impl.h.
 *
 * Backward keeps sve_impl.h's row order (lane chains over n = j mod VL, the last
 * chunk predicated with merging, then FADDV) and shares loads in 4 x 4 tiles, so its
 * bits equal the row path's (they depend on the vector length, as the row path's do). */

#define SGEMM_MR 8
#define SGEMM_MC (16 * SGEMM_MR)
#define SGEMM_NC_SLIVERS 4

/* g[8, 3 VL] (row stride ldg) = (accumulate ? g : +0) + sum over i < kc of
 * a[i*8 + r] * b[i*3VL + c]: 24 vector chains in registers */
static void SFX(gemm_micro)(size_t kc, const REAL *restrict a, const REAL *restrict b,
                            REAL *restrict g, size_t ldg, bool accumulate)
{
    const size_t vl = VL();
    svbool_t pt = PTRUE();
#define SG_ROWS(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define SG_DECL(r)                                                                         \
    SV c##r##0 = accumulate ? LD(pt, g + r * ldg) : DUP(0);                                \
    SV c##r##1 = accumulate ? LD(pt, g + r * ldg + vl) : DUP(0);                           \
    SV c##r##2 = accumulate ? LD(pt, g + r * ldg + 2 * vl) : DUP(0);
#define SG_STEP(r)                                                                         \
    {                                                                                      \
        SV av = DUP(a[r]);                                                                 \
        c##r##0 = V_FMA_X(pt, av, b0, c##r##0);                                            \
        c##r##1 = V_FMA_X(pt, av, b1, c##r##1);                                            \
        c##r##2 = V_FMA_X(pt, av, b2, c##r##2);                                            \
    }
#define SG_STORE(r)                                                                        \
    ST(pt, g + r * ldg, c##r##0);                                                          \
    ST(pt, g + r * ldg + vl, c##r##1);                                                     \
    ST(pt, g + r * ldg + 2 * vl, c##r##2);
    SG_ROWS(SG_DECL)
    for (size_t i = 0; i < kc; i++) {
        SV b0 = LD(pt, b), b1 = LD(pt, b + vl), b2 = LD(pt, b + 2 * vl);
        SG_ROWS(SG_STEP)
        a += SGEMM_MR;
        b += 3 * vl;
    }
    SG_ROWS(SG_STORE)
#undef SG_ROWS
#undef SG_DECL
#undef SG_STEP
#undef SG_STORE
}

/* A[m0.., r0..] (mc x kc) into 8-row slivers [kc][8], zero rows past mc; A[m, r] is
 * X[m*ldx + r] (forward) or X[r*ldx + m] (update) */
static void SFX(gemm_pack_a)(bool transposed, size_t mc, size_t kc, const REAL *restrict X,
                             size_t ldx, REAL *restrict pa)
{
    for (size_t m0 = 0; m0 < mc; m0 += SGEMM_MR) {
        size_t rows = mc - m0 < SGEMM_MR ? mc - m0 : SGEMM_MR;
        REAL *s = pa + m0 * kc;
        for (size_t i = 0; i < kc; i++)
            for (size_t r = 0; r < SGEMM_MR; r++)
                s[i * SGEMM_MR + r] =
                    r >= rows ? 0 : transposed ? X[i * ldx + m0 + r] : X[(m0 + r) * ldx + i];
    }
}

/* Bm (kc x nc) into slivers of nrl columns [kc][nrl], zero columns past nc */
static void SFX(gemm_pack_b)(size_t kc, size_t nc, size_t nrl, const REAL *restrict Bm,
                             size_t ldb, REAL *restrict pb)
{
    const size_t vl = VL();
    for (size_t n0 = 0; n0 < nc; n0 += nrl) {
        REAL *s = pb + n0 * kc;
        for (size_t i = 0; i < kc; i++)
            for (size_t c = 0; c < nrl; c += vl) {
                svbool_t pg = WHILE(n0 + c, nc); /* zero in the lanes past nc */
                ST(PTRUE(), s + i * nrl + c, LD(pg, Bm + i * ldb + n0 + c));
            }
    }
}

/* the finished block G (mc x nc, row stride ldg) out: out = G, or fma(alpha, G, out) */
static void SFX(gemm_store)(bool update, size_t mc, size_t nc, const REAL *restrict g,
                            size_t ldg, REAL alpha, REAL *restrict out, size_t ldo)
{
    const size_t vl = VL();
    SV va = DUP(alpha);
    for (size_t r = 0; r < mc; r++)
        for (size_t c = 0; c < nc; c += vl) {
            svbool_t pg = WHILE(c, nc);
            SV v = LD(pg, g + r * ldg + c);
            ST(pg, out + r * ldo + c, update ? V_FMA_X(pg, va, v, LD(pg, out + r * ldo + c)) : v);
        }
}

/* out[M,N] = A[M,R] . Bm[R,N], or out += alpha * A . Bm; R >= 1 */
static void SFX(gemm)(bool update, size_t M, size_t R, size_t N, const REAL *restrict X,
                      size_t ldx, const REAL *restrict Bm, size_t ldb, REAL alpha,
                      REAL *restrict out, size_t ldo)
{
    const size_t nrl = 3 * VL(), NC = SGEMM_NC_SLIVERS * nrl;
    size_t KC = 24576 / (nrl * sizeof(REAL));
    KC = KC > 256 ? 256 : KC < 16 ? 16 : KC;
    REAL *buf = malloc((KC * NC + SGEMM_MC * KC + SGEMM_MC * NC) * sizeof(REAL));
    if (!buf)
        abort(); /* < 1 MiB: as the kernels' stack buffers, no way to report it */
    REAL *pb = buf, *pa = pb + KC * NC, *g = pa + SGEMM_MC * KC;
    for (size_t jc = 0; jc < N; jc += NC) {
        size_t nc = N - jc < NC ? N - jc : NC;
        for (size_t ic = 0; ic < M; ic += SGEMM_MC) {
            size_t mc = M - ic < SGEMM_MC ? M - ic : SGEMM_MC;
            for (size_t pc = 0; pc < R; pc += KC) {
                size_t kc = R - pc < KC ? R - pc : KC;
                SFX(gemm_pack_b)(kc, nc, nrl, Bm + pc * ldb + jc, ldb, pb);
                SFX(gemm_pack_a)(update, mc, kc, update ? X + pc * ldx + ic : X + ic * ldx + pc,
                                 ldx, pa);
                for (size_t jr = 0; jr < nc; jr += nrl)
                    for (size_t ir = 0; ir < mc; ir += SGEMM_MR)
                        SFX(gemm_micro)(kc, pa + ir * kc, pb + jr * kc, g + ir * NC + jr, NC,
                                        pc > 0);
            }
            SFX(gemm_store)(update, mc, nc, g, NC, alpha, out + ic * ldo + jc, ldo);
        }
    }
    free(buf);
}

static void SFX(blocked_forward)(size_t B, size_t K, size_t N, const REAL *restrict X,
                                 size_t ldx, const REAL *restrict W, size_t ldw,
                                 REAL *restrict Y, size_t ldy)
{
    SFX(gemm)(false, B, K, N, X, ldx, W, ldw, 0, Y, ldy);
}

static void SFX(blocked_update)(size_t B, size_t K, size_t N, REAL alpha,
                                const REAL *restrict X, size_t ldx, const REAL *restrict DY,
                                size_t lddy, REAL *restrict W, size_t ldw)
{
    SFX(gemm)(true, K, B, N, X, ldx, DY, lddy, alpha, W, ldw);
}

/* one DX element, in the row path's order */
static REAL SFX(bwd_one)(size_t N, const REAL *dy, const REAL *w)
{
    const size_t vl = VL();
    SV a = DUP(0);
    for (size_t n = 0; n < N; n += vl) {
        svbool_t pg = WHILE(n, N);
        a = V_FMA_M(pg, LD(pg, dy + n), LD(pg, w + n), a);
    }
    return ADDV(PTRUE(), a);
}

/* DX[b..b+4, k..k+4]: 16 chains sharing 4 loads of DY and 4 of W per step */
static void SFX(bwd_tile)(size_t N, const REAL *restrict dy, size_t lddy,
                          const REAL *restrict w, size_t ldw, REAL *restrict dx, size_t lddx)
{
    const size_t vl = VL();
    svbool_t pt = PTRUE();
#define SB_ROWS(M) M(0) M(1) M(2) M(3)
#define SB_DECL(r) SV a##r##0 = DUP(0), a##r##1 = DUP(0), a##r##2 = DUP(0), a##r##3 = DUP(0);
#define SB_STEP(r)                                                                         \
    {                                                                                      \
        SV d = LD(pg, dy + r * lddy + n);                                                  \
        a##r##0 = V_FMA_M(pg, d, w0, a##r##0);                                             \
        a##r##1 = V_FMA_M(pg, d, w1, a##r##1);                                             \
        a##r##2 = V_FMA_M(pg, d, w2, a##r##2);                                             \
        a##r##3 = V_FMA_M(pg, d, w3, a##r##3);                                             \
    }
#define SB_OUT(r)                                                                          \
    dx[r * lddx] = ADDV(pt, a##r##0);                                                      \
    dx[r * lddx + 1] = ADDV(pt, a##r##1);                                                  \
    dx[r * lddx + 2] = ADDV(pt, a##r##2);                                                  \
    dx[r * lddx + 3] = ADDV(pt, a##r##3);
    SB_ROWS(SB_DECL)
    for (size_t n = 0; n < N; n += vl) {
        svbool_t pg = WHILE(n, N);
        SV w0 = LD(pg, w + n), w1 = LD(pg, w + ldw + n), w2 = LD(pg, w + 2 * ldw + n),
           w3 = LD(pg, w + 3 * ldw + n);
        SB_ROWS(SB_STEP)
    }
    SB_ROWS(SB_OUT)
#undef SB_ROWS
#undef SB_DECL
#undef SB_STEP
#undef SB_OUT
}

/* DX[B,K] = DY[B,N] . W[K,N]^T: 4 x 4 tiles over blocks of 64 rows of DY, edges one
 * element at a time (the same operations) */
static void SFX(blocked_backward)(size_t B, size_t K, size_t N, const REAL *restrict DY,
                                  size_t lddy, const REAL *restrict W, size_t ldw,
                                  REAL *restrict DX, size_t lddx)
{
    for (size_t b0 = 0; b0 < B; b0 += 64) {
        size_t b1 = B - b0 < 64 ? B : b0 + 64;
        for (size_t k = 0; k < K; k += 4)
            for (size_t b = b0; b < b1; b += 4) {
                if (K - k >= 4 && b1 - b >= 4) {
                    SFX(bwd_tile)(N, DY + b * lddy, lddy, W + k * ldw, ldw, DX + b * lddx + k,
                                  lddx);
                    continue;
                }
                for (size_t r = b; r < b1 && r < b + 4; r++)
                    for (size_t j = k; j < K && j < k + 4; j++)
                        DX[r * lddx + j] = SFX(bwd_one)(N, DY + r * lddy, W + j * ldw);
            }
    }
}

#undef SGEMM_MR
#undef SGEMM_MC
#undef SGEMM_NC_SLIVERS
