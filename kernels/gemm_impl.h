/* gemm_impl.h: the blocked (GEMM-style) forward, backward and update for batches of
 * B >= MLP_BLOCKED_MIN_ROWS rows, shared by the avx2, avx512 and neon sets: included
 * by each set's .c once per precision, before its *_impl.h, whose slots call these at
 * their top (see mlp_blocked_forward in kernels.h for when).
 *
 * Generates (static): SFX(gemm_micro), SFX(gemm_pack_a), SFX(gemm_pack_b),
 * SFX(gemm_store), SFX(gemm), SFX(blocked_forward), SFX(blocked_update),
 * SFX(bwd_tile), SFX(bwd_edge), SFX(blocked_backward).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)   float / double; the set's name suffix
 *   VEC, LANES        the vector type and its lanes
 *   V_ZERO(), V_SET1(x), V_LOADU(p), V_STOREU(p, v)
 *   V_FMA(a, b, c)    a*b + c, fused;  S_FMA(a, b, c) the same on scalars (fmaf / fma)
 *   V_HSUM(v)         the sum of the lanes by the set's fixed tree (its backward's)
 *   BWD_TAIL_SCALAR   0: backward's last N % LANES terms go into the vector chains as a
 *                     zero-padded vector (x86); 1: after V_HSUM, fused one by one in
 *                     ascending n (neon) -- each set's row backward's own order
 *   V_LOAD_FIRST(p, n)  (BWD_TAIL_SCALAR 0 only) the first n < LANES elements at p,
 *                     zeros in the other lanes, reading nothing past p + n
 *   GEMM_MR, GEMM_NR  the micro-tile: MR rows of the output times NR vectors of columns
 *   BWD_MR, BWD_KR    backward's tile: MR rows of DY times KR rows of W
 * and from the includer for both inclusions: ALWAYS_INLINE.
 *
 * The structure is BLIS's (Van Zee and van de Geijn, "BLIS: a framework for rapidly
 * instantiating BLAS functionality", 2015): C[M,N] = A[M,R] . Bm[R,N] as loops over
 * blocks of NC columns, MC rows and KC reduction steps around a register micro-kernel of
 * MR x (NR * LANES) accumulators; the KC x NC block of Bm is packed into slivers of NR
 * vectors ([KC][NR*LANES], contiguous, zero-padded past N), the MC x KC block of A into
 * slivers of MR rows ([KC][MR], zero-padded past M). Forward is Y = X . W (A = X, Bm = W,
 * R = K); update is W += alpha * X^T . DY (A = X^T, Bm = DY, R = B).
 *
 * Cache blocking, per set constants rather than the machine's cache sizes (the sizes
 * would change the blocking, never the bits):
 *   KC   one sliver of packed Bm, KC x NR*LANES, is 24 KiB: half of a 48 KiB L1 (Zen 5,
 *        Ice Lake and later; three quarters of an older 32 KiB one), so it stays there
 *        while the micro-kernel streams the MR-row slivers of packed A past it;
 *   MC   16 slivers of MR rows: packed A (MC x KC) is 48..96 KiB, in L2;
 *   NC   4 slivers: packed Bm 96 KiB and the MC x NC accumulator block 96..192 KiB, in
 *        L2 (1 MiB on every machine seen). The three buffers are on the stack
 *        (< 400 KiB), so each thread has its own and nothing is allocated per call.
 * Loop order jc (NC), ic (MC), pc (KC): the accumulator block G (MC x NC) holds the
 * partial sums between pc steps, and a finished block goes out once: copied to Y, or
 * W = fma(alpha, G, W). Packed Bm is packed again for every ic (1/MC of the work).
 *
 * Order of operations (the contract in kernels.h): every output element is ONE chain of
 * fused multiply-adds over its whole reduction in ascending order, started from +0:
 *   forward  Y[b,n]  = fma(X[b,k], W[k,n], .) over k = 0..K-1
 *   update   g[k,n]  = fma(X[b,k], DY[b,n], .) over b = 0..B-1, then
 *            W[k,n]  = fma(alpha, g, W[k,n])
 * G is stored and reloaded exactly between KC steps, padding only feeds outputs that
 * are never stored, and lanes run across outputs: the bits depend on nothing but the
 * element's own row and column of the inputs and the reduction length -- not on B,
 * the tile an element falls in, the blocking, alignment, or the vector width. So the
 * blocked paths of avx2, avx512, neon and sve give the same bits as each other
 * (check_kernels' "fma order" rows). No zero is skipped: a zero input adds
 * fma(0, w, acc) = acc exactly for finite w; the row paths skip zero inputs, so with
 * an inf/NaN weight (or DY) at a zero input the blocked path gets NaN where a row
 * path does not (the reference gets NaN too).
 *
 * Backward DX = DY . W^T reduces over N along the rows of both operands, so it keeps
 * each set's row-backward order (vector chains over n = j mod LANES, then V_HSUM, the
 * tail as BWD_TAIL_SCALAR says) and only blocks the loads: BWD_MR rows of DY times
 * BWD_KR rows of W share them. The bits equal the row path's (any B, any split); they
 * depend on the vector width, as the row path's do. */

/* the blocked entry points stay out of line, so that the row paths that call them
 * compile as they would alone (the instruction gate counts those) */
#define NOINLINE __attribute__((noinline))
#define GEMM_NRL (GEMM_NR * LANES)
#define GEMM_KC (24576 / (GEMM_NRL * (int)sizeof(REAL)))
#define GEMM_KC_ONE 512
#define GEMM_MC (16 * GEMM_MR)
#define GEMM_PB_BYTES ((size_t)512 << 10)
/* backward: rows of DY per block, whose MR-row tiles reuse KR rows of W from L1, and
 * the columns of a chunk (2 KiB of a row; a multiple of LANES) */
#define BWD_ROWS (16 * BWD_MR)
#define BWD_NC (2048 / (int)sizeof(REAL))

/* g[MR, NR*LANES] (row stride ldg) op= the sum over i < kc, in ascending i, of
 * a[i*MR + r] * b[i*NR*LANES + c]: MR*NR vector chains in registers, started from +0
 * (mode 0, 2) or from g (mode 1); mode 2 then stores fma(alpha, chain, g). */
static ALWAYS_INLINE void SFX(gemm_micro)(size_t kc, const REAL *restrict a,
                                          const REAL *restrict b, REAL *restrict g,
                                          size_t ldg, int mode, REAL alpha)
{
    VEC acc[GEMM_MR][GEMM_NR];
    for (int r = 0; r < GEMM_MR; r++)
        for (int j = 0; j < GEMM_NR; j++)
            acc[r][j] = mode == 1 ? V_LOADU(g + (size_t)r * ldg + (size_t)j * LANES) : V_ZERO();
    for (size_t i = 0; i < kc; i++) {
        VEC bv[GEMM_NR];
        for (int j = 0; j < GEMM_NR; j++)
            bv[j] = V_LOADU(b + j * LANES);
        for (int r = 0; r < GEMM_MR; r++) {
            VEC av = V_SET1(a[r]);
            for (int j = 0; j < GEMM_NR; j++)
                acc[r][j] = V_FMA(av, bv[j], acc[r][j]);
        }
        a += GEMM_MR;
        b += GEMM_NRL;
    }
    VEC va = V_SET1(alpha);
    for (int r = 0; r < GEMM_MR; r++)
        for (int j = 0; j < GEMM_NR; j++) {
            REAL *p = g + (size_t)r * ldg + (size_t)j * LANES;
            V_STOREU(p, mode == 2 ? V_FMA(va, acc[r][j], V_LOADU(p)) : acc[r][j]);
        }
}

/* n elements, 64-byte aligned; aborts when out of memory (a kernel has no error path) */
static REAL *SFX(gemm_buffer)(size_t n)
{
    size_t bytes = (n * sizeof(REAL) + 63) / 64 * 64;
    REAL *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        fputs("mlpbench: out of memory for a blocked kernel's buffers\n", stderr);
        abort();
    }
    return p;
}

/* Packs A[m0.., r0..] (mc x kc) into MR-row slivers [kc][MR], zero rows past mc.
 * A[m, r] is X[m*ldx + r] (forward) or, transposed, X[r*ldx + m] (update). */
static void SFX(gemm_pack_a)(bool transposed, size_t mc, size_t kc, const REAL *restrict X,
                             size_t ldx, REAL *restrict pa)
{
    for (size_t m0 = 0; m0 < mc; m0 += GEMM_MR) {
        size_t rows = mc - m0 < GEMM_MR ? mc - m0 : GEMM_MR;
        REAL *s = pa + m0 * kc;
        if (transposed) {
            for (size_t i = 0; i < kc; i++) {
                const REAL *x = X + i * ldx + m0;
                for (size_t r = 0; r < GEMM_MR; r++)
                    s[i * GEMM_MR + r] = r < rows ? x[r] : 0;
            }
        } else {
            for (size_t r = 0; r < GEMM_MR; r++) {
                const REAL *x = X + (m0 + r) * ldx;
                for (size_t i = 0; i < kc; i++)
                    s[i * GEMM_MR + r] = r < rows ? x[i] : 0;
            }
        }
    }
}

/* Packs Bm (kc x nc, row stride ldb) into slivers of NR*LANES columns [kc][NR*LANES],
 * zero columns past nc. */
static void SFX(gemm_pack_b)(size_t kc, size_t nc, const REAL *restrict Bm, size_t ldb,
                             REAL *restrict pb)
{
    for (size_t n0 = 0; n0 < nc; n0 += GEMM_NRL) {
        size_t cols = nc - n0 < GEMM_NRL ? nc - n0 : GEMM_NRL;
        REAL *s = pb + n0 * kc;
        for (size_t i = 0; i < kc; i++) {
            const REAL *src = Bm + i * ldb + n0;
            REAL *dst = s + i * GEMM_NRL;
            if (cols == GEMM_NRL) {
                for (int j = 0; j < GEMM_NR; j++)
                    V_STOREU(dst + j * LANES, V_LOADU(src + j * LANES));
            } else {
                for (size_t c = 0; c < GEMM_NRL; c++)
                    dst[c] = c < cols ? src[c] : 0;
            }
        }
    }
}

/* The micro-tile at c (row stride ldc, rows x cols of it real, the rest padding):
 * mode 0 c = A.B over this KC block, 1 c += it, 2 c = fma(alpha, A.B, c). A partial
 * tile goes through a full-size copy, so that the micro-kernel never touches memory
 * past the output; the copy does the same operations on the same values. */
static ALWAYS_INLINE void SFX(gemm_tile)(int mode, size_t kc, const REAL *restrict a,
                                         const REAL *restrict b, REAL *restrict c, size_t ldc,
                                         size_t rows, size_t cols, REAL alpha)
{
    if (rows == GEMM_MR && cols == GEMM_NRL) {
        SFX(gemm_micro)(kc, a, b, c, ldc, mode, alpha);
        return;
    }
    _Alignas(64) REAL t[GEMM_MR * GEMM_NRL];
    for (size_t r = 0; r < GEMM_MR; r++)
        for (size_t j = 0; j < GEMM_NRL; j++)
            t[r * GEMM_NRL + j] = mode != 0 && r < rows && j < cols ? c[r * ldc + j] : 0;
    SFX(gemm_micro)(kc, a, b, t, GEMM_NRL, mode, alpha);
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++)
            c[r * ldc + j] = t[r * GEMM_NRL + j];
}

/* out[M,N] = A[M,R] . Bm[R,N] (one_pass false), or out = fma(alpha, A . Bm, out) with
 * the whole reduction in one pass (one_pass true, R <= GEMM_KC_ONE); A from X as
 * gemm_pack_a says (transposed: update). BLIS's loop order: jc (NC columns), pc (KC
 * steps), the KC x NC block of Bm packed once, ic (MC rows), its A block packed, then
 * the slivers. out holds the partial sums between KC steps. */
static void SFX(gemm)(bool transposed, bool one_pass, size_t M, size_t R, size_t N,
                      const REAL *restrict X, size_t ldx, const REAL *restrict Bm, size_t ldb,
                      REAL alpha, REAL *restrict out, size_t ldo)
{
    size_t KC = one_pass ? R : (size_t)GEMM_KC;
    size_t slivers = GEMM_PB_BYTES / (KC * GEMM_NRL * sizeof(REAL));
    size_t NC = (slivers ? slivers : 1) * GEMM_NRL;
    /* buffers for this call's sizes: small calls stay below malloc's mmap threshold */
    size_t nc_max = (N + GEMM_NRL - 1) / GEMM_NRL * GEMM_NRL;
    size_t mc_max = (M + GEMM_MR - 1) / GEMM_MR * GEMM_MR;
    size_t kc_max = R < KC ? R : KC;
    nc_max = nc_max < NC ? nc_max : NC;
    mc_max = mc_max < GEMM_MC ? mc_max : GEMM_MC;
    REAL *pb = SFX(gemm_buffer)(kc_max * nc_max + mc_max * kc_max), *pa = pb + kc_max * nc_max;
    for (size_t jc = 0; jc < N; jc += NC) {
        size_t nc = N - jc < NC ? N - jc : NC;
        for (size_t pc = 0; pc < R; pc += KC) {
            size_t kc = R - pc < KC ? R - pc : KC;
            int mode = one_pass ? 2 : pc > 0;
            SFX(gemm_pack_b)(kc, nc, Bm + pc * ldb + jc, ldb, pb);
            for (size_t ic = 0; ic < M; ic += GEMM_MC) {
                size_t mc = M - ic < GEMM_MC ? M - ic : GEMM_MC;
                SFX(gemm_pack_a)(transposed, mc, kc,
                                 transposed ? X + pc * ldx + ic : X + ic * ldx + pc, ldx, pa);
                for (size_t jr = 0; jr < nc; jr += GEMM_NRL) {
                    size_t cols = nc - jr < GEMM_NRL ? nc - jr : GEMM_NRL;
                    for (size_t ir = 0; ir < mc; ir += GEMM_MR) {
                        size_t rows = mc - ir < GEMM_MR ? mc - ir : GEMM_MR;
                        SFX(gemm_tile)(mode, kc, pa + ir * kc, pb + jr * kc,
                                       out + (ic + ir) * ldo + jc + jr, ldo, rows, cols, alpha);
                    }
                }
            }
        }
    }
    free(pb);
}

/* Y[B,N] = X[B,K] . W[K,N], K >= 1 */
static NOINLINE void SFX(blocked_forward)(size_t B, size_t K, size_t N, const REAL *restrict X,
                                 size_t ldx, const REAL *restrict W, size_t ldw,
                                 REAL *restrict Y, size_t ldy)
{
    SFX(gemm)(false, false, B, K, N, X, ldx, W, ldw, 0, Y, ldy);
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]), B >= 1: W = fma(alpha, g, W) in the
 * micro-kernel when the whole reduction fits one pass (B <= GEMM_KC_ONE, every batch
 * the benchmarks use), else g into a K x N buffer first (the same chains, stored and
 * reloaded between KC steps), then W = fma(alpha, g, W) */
static NOINLINE void SFX(blocked_update)(size_t B, size_t K, size_t N, REAL alpha,
                                const REAL *restrict X, size_t ldx, const REAL *restrict DY,
                                size_t lddy, REAL *restrict W, size_t ldw)
{
    if (B <= GEMM_KC_ONE) {
        SFX(gemm)(true, true, K, B, N, X, ldx, DY, lddy, alpha, W, ldw);
        return;
    }
    REAL *g = SFX(gemm_buffer)(K * N);
    SFX(gemm)(true, false, K, B, N, X, ldx, DY, lddy, 0, g, N);
    VEC va = V_SET1(alpha);
    for (size_t k = 0; k < K; k++) {
        const REAL *gk = g + k * N;
        REAL *w = W + k * ldw;
        size_t n = 0;
        for (; n + LANES <= N; n += LANES)
            V_STOREU(w + n, V_FMA(va, V_LOADU(gk + n), V_LOADU(w + n)));
        for (; n < N; n++)
            w[n] = S_FMA(alpha, gk[n], w[n]);
    }
    free(g);
}

/* DX[b, k] for mr rows b of DY and kr rows k of W (mr <= BWD_MR, kr <= BWD_KR), over
 * the columns n0 <= n < n1 of a chunk: the row backward's order for each element, the
 * loads of DY and W shared by the tile. The vector chains start from +0 (n0 == 0) or
 * from acc (row stride BWD_KR vectors), and go back there unless this is the last
 * chunk (n1 == N), which adds the tail and writes DX. */
static ALWAYS_INLINE void SFX(bwd_tile)(const int mr, const int kr, size_t n0, size_t n1,
                                        size_t N, const REAL *restrict dy, size_t lddy,
                                        const REAL *restrict w, size_t ldw,
                                        const REAL *restrict wp, REAL *restrict dx,
                                        size_t lddx, REAL *restrict saved)
{
    if (mr < 1 || mr > BWD_MR || kr < 1 || kr > BWD_KR)
        __builtin_unreachable(); /* the callers' bounds, for the compiler */
    VEC acc[BWD_MR][BWD_KR];
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < kr; j++)
            acc[r][j] = n0 == 0 ? V_ZERO() : V_LOADU(saved + (size_t)(r * BWD_KR + j) * LANES);
    size_t full = N - N % LANES, end = n1 < full ? n1 : full;
    for (size_t n = n0; n < end; n += LANES) {
        VEC d[BWD_MR];
        for (int r = 0; r < mr; r++)
            d[r] = V_LOADU(dy + (size_t)r * lddy + n);
        for (int j = 0; j < kr; j++) {
            VEC wv = V_LOADU(wp + ((n - n0) / LANES * BWD_KR + (size_t)j) * LANES);
            for (int r = 0; r < mr; r++)
                acc[r][j] = V_FMA(d[r], wv, acc[r][j]);
        }
    }
    if (n1 < N) {
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < kr; j++)
                V_STOREU(saved + (size_t)(r * BWD_KR + j) * LANES, acc[r][j]);
        return;
    }
#if !BWD_TAIL_SCALAR
    if (full < N) { /* the lanes past N add 0 * 0, as the row path's masked loads */
        VEC d[BWD_MR];
        for (int r = 0; r < mr; r++)
            d[r] = V_LOAD_FIRST(dy + (size_t)r * lddy + full, N - full);
        for (int j = 0; j < kr; j++) {
            VEC wv = V_LOAD_FIRST(w + (size_t)j * ldw + full, N - full);
            for (int r = 0; r < mr; r++)
                acc[r][j] = V_FMA(d[r], wv, acc[r][j]);
        }
    }
#endif
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < kr; j++) {
            REAL s = V_HSUM(acc[r][j]);
#if BWD_TAIL_SCALAR
            for (size_t n = full; n < N; n++)
                s = S_FMA(dy[(size_t)r * lddy + n], w[(size_t)j * ldw + n], s);
#endif
            dx[(size_t)r * lddx + (size_t)j] = s;
        }
}

/* a partial tile at an edge: the same operations, tile sizes not known at compile time */
static __attribute__((noinline)) void SFX(bwd_edge)(int mr, int kr, size_t n0, size_t n1,
                                                    size_t N, const REAL *restrict dy,
                                                    size_t lddy, const REAL *restrict w,
                                                    size_t ldw, const REAL *restrict wp,
                                                    REAL *restrict dx, size_t lddx,
                                                    REAL *restrict saved)
{
    SFX(bwd_tile)(mr, kr, n0, n1, N, dy, lddy, w, ldw, wp, dx, lddx, saved);
}

/* DX[B,K] = DY[B,N] . W[K,N]^T: blocks of BWD_ROWS rows of DY (in L2); in each, KR rows
 * of W meet every MR rows of the block, BWD_NC columns at a time (so that the KR rows'
 * chunk, 2 KiB each, stays in L1), the tiles' chains kept in `saved` between chunks. */
static NOINLINE void SFX(blocked_backward)(size_t B, size_t K, size_t N, const REAL *restrict DY,
                                  size_t lddy, const REAL *restrict W, size_t ldw,
                                  REAL *restrict DX, size_t lddx)
{
    _Alignas(64) REAL saved[BWD_ROWS * BWD_KR * LANES];
    _Alignas(64) REAL wp[BWD_NC * BWD_KR];
    for (size_t b0 = 0; b0 < B; b0 += BWD_ROWS) {
        size_t rows = B - b0 < BWD_ROWS ? B - b0 : BWD_ROWS;
        for (size_t k = 0; k < K; k += BWD_KR) {
            int kr = K - k < BWD_KR ? (int)(K - k) : BWD_KR;
            const REAL *w = W + k * ldw;
            size_t n0 = 0;
            do {
                size_t n1 = N - n0 <= BWD_NC ? N : n0 + BWD_NC;
                /* the chunk's whole vectors of the kr rows of W, interleaved [n][j] */
                size_t full = N - N % LANES, end = n1 < full ? n1 : full;
                for (size_t n = n0; n < end; n += LANES)
                    for (int j = 0; j < kr; j++)
                        V_STOREU(wp + ((n - n0) / LANES * BWD_KR + (size_t)j) * LANES,
                                 V_LOADU(w + (size_t)j * ldw + n));
                for (size_t b = b0; b < b0 + rows; b += BWD_MR) {
                    int mr = b0 + rows - b < BWD_MR ? (int)(b0 + rows - b) : BWD_MR;
                    const REAL *dy = DY + b * lddy;
                    REAL *dx = DX + b * lddx + k, *sv = saved + (b - b0) * BWD_KR * LANES;
                    if (mr == BWD_MR && kr == BWD_KR)
                        SFX(bwd_tile)(BWD_MR, BWD_KR, n0, n1, N, dy, lddy, w, ldw, wp, dx,
                                      lddx, sv);
                    else
                        SFX(bwd_edge)(mr, kr, n0, n1, N, dy, lddy, w, ldw, wp, dx, lddx, sv);
                }
                n0 = n1;
            } while (n0 < N);
        }
    }
}

#undef NOINLINE
#undef GEMM_NRL
#undef GEMM_KC
#undef GEMM_MC
#undef GEMM_KC_ONE
#undef GEMM_PB_BYTES
#undef BWD_ROWS
#undef BWD_NC
/* the includer's vocabulary that this header alone uses; REAL, SFX, VEC, LANES and the
 * V_ macros the set's own *_impl.h uses too stay defined for it */
#undef GEMM_MR
#undef GEMM_NR
#undef BWD_MR
#undef BWD_KR
#undef BWD_TAIL_SCALAR
#undef V_LOAD_FIRST
#undef S_FMA
