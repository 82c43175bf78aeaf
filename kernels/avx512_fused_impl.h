/* avx512_fused_impl.h: the AVX-512 set's update_forward (kernels.h), the per-sample
 * step's update of W01 by sample i and forward of sample i + 1 in one pass over W,
 * included by avx512_impl.h once per precision, before its #undefs.
 *
 * Generates (static): SFX(update_forward) and its helper SFX(update_forward_tile).
 * Uses the includer's vocabulary and helpers (first_lanes, nonzero_positions,
 * update_tile_cols, update, forward, TILE_SWITCH) and, from avx512.c, HV_ZERO(),
 * HV_ADD(a, b), HV_FMA_IF(a, b, c, m) (a*b + c in the half-width lanes in m, c in
 * the others) and V_FROM_HALVES(lo, hi) (one full vector of two half ones).
 *
 * Shapes: x, xn [K] (rows i and i + 1 of the inputs), dy [N], W [K, N] (ld ldw), y [N].
 * Two lists: the nonzero positions of xn (the forward's list, ascending), and those
 * where x is nonzero but xn is zero. A row of W in the first list is loaded once:
 * updated in registers if x is nonzero there (a masked FMA: the other rows are stored
 * back unchanged), stored, and fed to the forward's chains. Rows of the second list
 * are only updated. Bits, against update then forward of this set:
 *   update   W[k,n] = fma(x[k], alpha * dy[n], W[k,n]) where x[k] != 0, as in
 *            update_row_tile (the same half-width vectors at the same columns);
 *   forward  y[n] = even + odd, entry j of xn's list in chain j % 2 from +0, as in
 *            forward_tile for K <= AVX512_CHUNK (one chunk). Each lane is its own
 *            chain, so half-width vectors here and full ones there give the same bits.
 * Other shapes (K > AVX512_CHUNK, N < HLANES) call update and forward. */

/* One tile of cols (>= HLANES) columns, nvec half-width vectors at columns
 * min(j * HLANES, cols - HLANES) (the last overlapping the one before, as in
 * update_row_tile; an overlapped column gets the same value twice). The forward's
 * chains are full-width where two neighbouring half vectors are adjacent (vector
 * j / 2 of `wide` for j < nwide * 2) and half-width for the rest, so that the forward
 * costs as many FMAs as the forward kernel's; `exact`: cols is a multiple of HLANES
 * (no overlap). */
static ALWAYS_INLINE void SFX(update_forward_tile)(const int nvec, const bool exact,
                                                   size_t cols, REAL alpha, const REAL *x,
                                                   const REAL *dy, REAL *w, size_t ldw,
                                                   const REAL *xn, REAL *y, size_t nf,
                                                   const int32_t *fwd, size_t nu,
                                                   const int32_t *upd)
{
    /* pairs of adjacent half vectors: all of them, but never the overlapping last */
    const int nwide = exact ? nvec / 2 : (nvec - 1) / 2;
    size_t at[AVX512_TILE_VECS];
    HVEC scaled[AVX512_TILE_VECS], even_h[AVX512_TILE_VECS], odd_h[AVX512_TILE_VECS];
    VEC even_w[AVX512_TILE_VECS / 2], odd_w[AVX512_TILE_VECS / 2];
    for (int j = 0; j < nvec; j++) {
        at[j] = (size_t)j * HLANES < cols - HLANES ? (size_t)j * HLANES : cols - HLANES;
        scaled[j] = HV_MUL(HV_SET1(alpha), HV_LOADU(dy + at[j]));
        even_h[j] = odd_h[j] = HV_ZERO();
    }
    for (int j = 0; j < nwide; j++)
        even_w[j] = odd_w[j] = V_ZERO();
    /* row p: updated where x[p] != 0 (NaN counts, as in nonzero_positions), stored,
     * and its xn[p] * row added to the chains E (wide) / EH (half) */
#define STEP_ROW(p, E, EH)                                                                 \
    do {                                                                                   \
        REAL *wp_ = w + (size_t)(p) * ldw;                                                 \
        __mmask8 use_ = x[p] != 0 ? (__mmask8)0xff : (__mmask8)0;                          \
        HVEC xp_ = HV_SET1(x[p]), row_[AVX512_TILE_VECS];                                  \
        REAL xnp_ = xn[p];                                                                 \
        for (int j = 0; j < nvec; j++) {                                                   \
            row_[j] = HV_FMA_IF(xp_, scaled[j], HV_LOADU(wp_ + at[j]), use_);              \
            HV_STOREU(wp_ + at[j], row_[j]);                                               \
        }                                                                                  \
        for (int j = 0; j < nwide; j++)                                                    \
            E[j] = V_FMA(V_SET1(xnp_), V_FROM_HALVES(row_[2 * j], row_[2 * j + 1]), E[j]); \
        for (int j = 2 * nwide; j < nvec; j++)                                             \
            EH[j] = HV_FMA(HV_SET1(xnp_), row_[j], EH[j]);                                 \
    } while (0)
    size_t i = 0;
    for (; i + 2 <= nf; i += 2) {
        STEP_ROW(fwd[i], even_w, even_h);
        STEP_ROW(fwd[i + 1], odd_w, odd_h);
    }
    if (i < nf)
        STEP_ROW(fwd[i], even_w, even_h);
#undef STEP_ROW
    for (int j = 0; j < nwide; j++)
        V_STOREU(y + at[2 * j], V_ADD(even_w[j], odd_w[j]));
    for (int j = 2 * nwide; j < nvec; j++)
        HV_STOREU(y + at[j], HV_ADD(even_h[j], odd_h[j]));
    for (size_t u = 0; u < nu; u++) {
        size_t p = (size_t)upd[u];
        HVEC xp = HV_SET1(x[p]), row[AVX512_TILE_VECS];
        REAL *wp = w + p * ldw;
        for (int j = 0; j < nvec; j++)
            row[j] = HV_LOADU(wp + at[j]);
        for (int j = 0; j < nvec; j++)
            HV_STOREU(wp + at[j], HV_FMA(xp, scaled[j], row[j]));
    }
}

/* W[K,N] += alpha * x^T . dy, then y[N] = xn[K] . W[K,N] (see the top) */
static void SFX(update_forward)(size_t K, size_t N, REAL alpha, const REAL *restrict x,
                                const REAL *restrict dy, REAL *restrict W, size_t ldw,
                                const REAL *restrict xn, REAL *restrict y)
{
    assert(ldw >= N);
    if (K == 0 || K > AVX512_CHUNK || N < HLANES) {
        SFX(update)(1, K, N, alpha, x, K, dy, N, W, ldw);
        SFX(forward)(1, K, N, xn, K, W, ldw, y, N);
        return;
    }
    int32_t fwd[AVX512_CHUNK + LANES], upd[AVX512_CHUNK + LANES];
    size_t nf = 0, nu = 0;
    for (size_t k = 0; k < K; k += LANES) {
        MASK live = SFX(first_lanes)(K - k);
        MASK in_x = V_CMP_MASK(live, V_MLOAD(live, x + k), V_ZERO(), _CMP_NEQ_UQ);
        MASK in_xn = V_CMP_MASK(live, V_MLOAD(live, xn + k), V_ZERO(), _CMP_NEQ_UQ);
        STORE_POSITIONS(fwd + nf, in_xn, (int32_t)k);
        STORE_POSITIONS(upd + nu, (MASK)(in_x & ~in_xn), (int32_t)k);
        nf += (size_t)_mm_popcnt_u32(in_xn);
        nu += (size_t)_mm_popcnt_u32((MASK)(in_x & ~in_xn));
    }
    for (size_t n0 = 0, cols; n0 < N; n0 += cols) {
        cols = SFX(update_tile_cols)(N - n0);
        int nvec = (int)((cols + HLANES - 1) / HLANES);
        bool exact = cols % HLANES == 0;
#define CALL(nv)                                                                           \
    if (exact)                                                                             \
        SFX(update_forward_tile)(nv, true, cols, alpha, x, dy + n0, W + n0, ldw, xn, y + n0, \
                                 nf, fwd, nu, upd);                                        \
    else                                                                                   \
        SFX(update_forward_tile)(nv, false, cols, alpha, x, dy + n0, W + n0, ldw, xn,       \
                                 y + n0, nf, fwd, nu, upd)
        TILE_SWITCH(nvec, CALL)
#undef CALL
    }
}
