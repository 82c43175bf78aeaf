/* avx2_impl.h: body of the AVX2+FMA kernels, included by avx2.c once per precision.
 *
 * Generates (static): the seven slots SFX(forward), SFX(backward), SFX(update),
 * SFX(relu), SFX(relu_backward), SFX(multiply), SFX(error_delta), and their helpers
 * SFX(nonzero_positions), SFX(forward_tile), SFX(update_row_tile),
 * SFX(update_row_narrow), SFX(update_row_masked), SFX(update_tile_cols),
 * SFX(update_batch_tile).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)      float / double; name -> avx2_<name>_f32 / _f64
 *   VEC, LANES           __m256 (8 lanes) / __m256d (4 lanes)
 *   V_ZERO(), V_SET1(x), V_LOADU(p), V_STOREU(p, v), V_MLOAD(m, p), V_MSTORE(p, m, v)
 *                        (m: an __m256i lane mask, as FIRST_LANES gives)
 *   V_FMA(a, b, c)       a*b + c, fused
 *   V_ADD, V_MUL, V_SUB (a, b)
 *   V_ONES_IF(a, pred)   1.0 in the lanes where `a pred 0` holds (a _CMP_ predicate), else 0.0
 *   V_HSUM(v)            the sum of the lanes by a fixed tree
 *   FIRST_LANES(n)       the lane mask of the first min(n, LANES) lanes
 *   NONZERO_MASK8(x, n)  bit i set when x[i] != 0 (NaN counts), for i < min(n, 8)
 *   ADD_SQUARES(acc, d)  acc + d*d in float64 lanes (__m256d)
 *   HVEC, HLANES, HV_SET1, HV_LOADU, HV_STOREU, HV_MUL, HV_FMA(a, b, c) = a*b + c:
 *                        the same at half width (__m128 / __m128d)
 * and, from avx2.c for both inclusions: ALWAYS_INLINE, AVX2_CHUNK, AVX2_TILE_VECS,
 * store_positions_8, hsum_f64.
 *
 * Batched calls (mlp_blocked_forward, mlp_blocked_batch in kernels.h) go to the
 * blocked kernels of gemm_impl.h at the top of forward, backward and update; what
 * follows is the row path.
 *
 * Split invariance (the contract in kernels.h), how this set meets it: tails use
 * masked lanes (vmaskmov) of the same instructions, or (B = 1 update) a last vector
 * that overlaps the one before it and computes the shared columns the same way again;
 * never scalar code. There is no row blocking whose edge rows would take a different
 * path, and the two FMA chains of forward split a row's list of nonzero inputs by
 * position, which depends on nothing but that row.
 *
 * Zero skipping (MNIST inputs are ~81% zeros): forward leaves out the k with
 * X[b,k] == 0 and the B = 1 update the rows of W with x[k] == 0. The reference adds
 * 0 * w there, which changes nothing when w is finite (a sum started from +0 never
 * becomes -0 under round-to-nearest, except by underflow of a product), so the
 * results agree up to FMA rounding; with an inf/NaN weight the reference gets NaN.
 * The B > 1 update has no masked FMA to skip with and stays dense. */

/* The positions p < n of the nonzero x[p] (NaN counts as nonzero), ascending, into
 * pos; returns how many. n <= AVX2_CHUNK; pos holds AVX2_CHUNK + 8 entries. */
static size_t SFX(nonzero_positions)(size_t n, const REAL *x, int32_t *pos)
{
    size_t count = 0;
    for (size_t k = 0; k < n; k += 8) {
        unsigned nonzero = NONZERO_MASK8(x + k, n - k);
        store_positions_8(pos + count, nonzero, (int32_t)k);
        count += (size_t)_mm_popcnt_u32(nonzero);
    }
    return count;
}

/* A tile is nvec vectors: all full, or the last one masked by `last` when
 * masked_last. Both are compile-time constants at every call (TILE_SWITCH). */
#define TILE_COLS (AVX2_TILE_VECS * LANES)
#define TILE_LOAD(j, p) (masked_last && (j) == nvec - 1 ? V_MLOAD(last, p) : V_LOADU(p))
#define TILE_STORE(j, p, v)                                                                \
    (masked_last && (j) == nvec - 1 ? V_MSTORE(p, last, v) : V_STOREU(p, v))
#define TILE_CASE(nv)                                                                      \
    case nv:                                                                               \
        if (masked_last) {                                                                 \
            CALL(nv, true);                                                                \
        } else {                                                                           \
            CALL(nv, false);                                                               \
        }                                                                                  \
        break;
#define TILE_SWITCH(nvec)                                                                  \
    switch (nvec) {                                                                        \
        TILE_CASE(1)                                                                       \
        TILE_CASE(2)                                                                       \
        TILE_CASE(3)                                                                       \
        TILE_CASE(4)                                                                       \
        TILE_CASE(5)                                                                       \
    default: break;                                                                        \
    }
/* nvec, masked_last and last of a tile of cols columns */
#define TILE_SHAPE(cols)                                                                   \
    int nvec = (int)(((cols) + LANES - 1) / LANES);                                        \
    bool masked_last = (cols) % LANES != 0;                                                \
    __m256i last = FIRST_LANES((cols) % LANES)

/* y[cols] = (accumulate ? y : 0) + sum over the listed p of x[p] * w[p, cols]:
 * one row of forward for one tile of columns, the accumulators in registers. Two
 * FMA chains per vector, so the FMA latency does not bound the loop: the terms at
 * even positions of the list go to the one that starts from y (or 0), those at odd
 * positions to one that starts from 0, and the two are added at the end. */
static ALWAYS_INLINE void SFX(forward_tile)(const int nvec, const bool masked_last,
                                            __m256i last, size_t count, const int32_t *pos,
                                            const REAL *x, const REAL *w, size_t ldw,
                                            REAL *y, bool accumulate)
{
    VEC even[AVX2_TILE_VECS], odd[AVX2_TILE_VECS];
    for (int j = 0; j < nvec; j++) {
        even[j] = accumulate ? TILE_LOAD(j, y + j * LANES) : V_ZERO();
        odd[j] = V_ZERO();
    }
    size_t i = 0;
    for (; i + 2 <= count; i += 2) {
        size_t p0 = (size_t)pos[i], p1 = (size_t)pos[i + 1];
        VEC x0 = V_SET1(x[p0]), x1 = V_SET1(x[p1]);
        const REAL *w0 = w + p0 * ldw, *w1 = w + p1 * ldw;
        for (int j = 0; j < nvec; j++) {
            even[j] = V_FMA(x0, TILE_LOAD(j, w0 + j * LANES), even[j]);
            odd[j] = V_FMA(x1, TILE_LOAD(j, w1 + j * LANES), odd[j]);
        }
    }
    if (i < count) {
        size_t p0 = (size_t)pos[i];
        VEC x0 = V_SET1(x[p0]);
        for (int j = 0; j < nvec; j++)
            even[j] = V_FMA(x0, TILE_LOAD(j, w + p0 * ldw + j * LANES), even[j]);
    }
    for (int j = 0; j < nvec; j++)
        TILE_STORE(j, y + j * LANES, V_ADD(even[j], odd[j]));
}

/* Y[B,N] = X[B,K] . W[K,N]
 * Each Y[b,n] sums the k with X[b,k] != 0 in ascending order, per chunk of
 * AVX2_CHUNK inputs as two FMA chains (forward_tile) whose sum carries over to the
 * next chunk. Rows are done one at a time: the list of nonzero k of a chunk of the
 * row, then each tile of up to AVX2_TILE_VECS vectors of Y walks that list with its
 * accumulators in registers (Y holds the partial sums between chunks). */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    assert(ldw >= N && (B <= 1 || (ldx >= K && ldy >= N)));
    if (mlp_blocked_forward(B, K, N, sizeof(REAL))) {
        SFX(blocked_forward)(B, K, N, X, ldx, W, ldw, Y, ldy);
        return;
    }
    int32_t pos[AVX2_CHUNK + 8];
    for (size_t b = 0; b < B; b++) {
        const REAL *x = X + b * ldx;
        REAL *y = Y + b * ldy;
        if (b + 1 < B) /* the next row's inputs, while this row's FMAs run */
            for (size_t k = 0; k < K; k += 64 / sizeof(REAL))
                _mm_prefetch((const char *)(x + ldx + k), _MM_HINT_T0);
        size_t k0 = 0;
        do {
            size_t kn = K - k0 < AVX2_CHUNK ? K - k0 : AVX2_CHUNK;
            size_t count = SFX(nonzero_positions)(kn, x + k0, pos);
            for (size_t n0 = 0; n0 < N; n0 += TILE_COLS) {
                size_t cols = N - n0 < TILE_COLS ? N - n0 : TILE_COLS;
                TILE_SHAPE(cols);
#define CALL(nv, masked)                                                                   \
    SFX(forward_tile)(nv, masked, last, count, pos, x + k0, W + k0 * ldw + n0, ldw, y + n0, \
                      k0 > 0)
                TILE_SWITCH(nvec)
#undef CALL
            }
            k0 += kn;
        } while (k0 < K);
    }
}

/* DX[B,K] = DY[B,N] . W[K,N]^T
 * Each DX[b,k]: lane j of one accumulator is an FMA chain from +0 over n = j,
 * j + LANES, ... (lanes past N add 0 * 0), then V_HSUM's fixed tree. */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    assert(ldw >= N && (B <= 1 || (lddy >= N && lddx >= K)));
    if (mlp_blocked_batch(B)) {
        SFX(blocked_backward)(B, K, N, DY, lddy, W, ldw, DX, lddx);
        return;
    }
    size_t full = N / LANES;
    __m256i tail = FIRST_LANES(N % LANES);
    for (size_t b = 0; b < B; b++) {
        const REAL *dy = DY + b * lddy;
        for (size_t k = 0; k < K; k++) {
            const REAL *w = W + k * ldw;
            VEC acc = V_ZERO();
            for (size_t v = 0; v < full; v++)
                acc = V_FMA(V_LOADU(dy + v * LANES), V_LOADU(w + v * LANES), acc);
            if (N % LANES)
                acc = V_FMA(V_MLOAD(tail, dy + full * LANES), V_MLOAD(tail, w + full * LANES),
                            acc);
            DX[b * lddx + k] = V_HSUM(acc);
        }
    }
}

/* W[p, cols] = fma(x[p], alpha * dy[cols], W[p, cols]) for the listed p: one tile of
 * the B = 1 update, alpha * dy held in registers, cols >= LANES. No vmaskmov stores
 * (slow on AMD, and this loop is all stores): vector j covers the columns from
 * min(j * LANES, cols - LANES), so the last one overlaps the one before it; a row's
 * loads all come before its stores, and an overlapped column gets the same value
 * twice. */
static ALWAYS_INLINE void SFX(update_row_tile)(const int nvec, size_t cols, size_t count,
                                               const int32_t *pos, const REAL *x, REAL alpha,
                                               const REAL *dy, REAL *w, size_t ldw)
{
    size_t at[AVX2_TILE_VECS];
    VEC scaled[AVX2_TILE_VECS];
    for (int j = 0; j < nvec; j++) {
        at[j] = (size_t)j * LANES < cols - LANES ? (size_t)j * LANES : cols - LANES;
        scaled[j] = V_MUL(V_SET1(alpha), V_LOADU(dy + at[j]));
    }
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        VEC xp = V_SET1(x[p]), row[AVX2_TILE_VECS];
        REAL *wp = w + p * ldw;
        for (int j = 0; j < nvec; j++)
            row[j] = V_LOADU(wp + at[j]);
        for (int j = 0; j < nvec; j++)
            V_STOREU(wp + at[j], V_FMA(xp, scaled[j], row[j]));
    }
}

/* The same for LANES / 2 <= cols < LANES: two overlapping half-width vectors. */
static void SFX(update_row_narrow)(size_t cols, size_t count, const int32_t *pos,
                                   const REAL *x, REAL alpha, const REAL *dy, REAL *w,
                                   size_t ldw)
{
    size_t tail = cols - HLANES;
    HVEC scaled0 = HV_MUL(HV_SET1(alpha), HV_LOADU(dy));
    HVEC scaled1 = HV_MUL(HV_SET1(alpha), HV_LOADU(dy + tail));
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        HVEC xp = HV_SET1(x[p]);
        REAL *wp = w + p * ldw;
        HVEC row0 = HV_LOADU(wp), row1 = HV_LOADU(wp + tail);
        HV_STOREU(wp, HV_FMA(xp, scaled0, row0));
        HV_STOREU(wp + tail, HV_FMA(xp, scaled1, row1));
    }
}

/* The same for cols < LANES / 2, with one masked vector. */
static void SFX(update_row_masked)(size_t cols, size_t count, const int32_t *pos,
                                   const REAL *x, REAL alpha, const REAL *dy, REAL *w,
                                   size_t ldw)
{
    __m256i live = FIRST_LANES(cols);
    VEC scaled = V_MUL(V_SET1(alpha), V_MLOAD(live, dy));
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        REAL *wp = w + p * ldw;
        V_MSTORE(wp, live, V_FMA(V_SET1(x[p]), scaled, V_MLOAD(live, wp)));
    }
}

/* Columns of the next B = 1 update tile, of `rest` left: at most a full tile, and
 * never leaving fewer than LANES for the tile after it (which then can overlap). */
static inline size_t SFX(update_tile_cols)(size_t rest)
{
    if (rest <= TILE_COLS)
        return rest;
    return rest - TILE_COLS < LANES ? TILE_COLS - LANES : TILE_COLS;
}

/* W[k..k+krows, cols] = fma(alpha, grad, W) where grad[r, cols] is the FMA chain from
 * +0 over every b of X[b,k+r] * DY[b, cols]: one block of rows of the B > 1 update
 * for one tile of columns. */
static ALWAYS_INLINE void SFX(update_batch_tile)(const int nvec, const bool masked_last,
                                                 const int krows, __m256i last, size_t B,
                                                 REAL alpha, const REAL *x, size_t ldx,
                                                 const REAL *dy, size_t lddy, REAL *w,
                                                 size_t ldw)
{
    VEC grad[2][AVX2_TILE_VECS];
    for (int r = 0; r < krows; r++)
        for (int j = 0; j < nvec; j++)
            grad[r][j] = V_ZERO();
    for (size_t b = 0; b < B; b++) {
        const REAL *dyb = dy + b * lddy;
        VEC xv[2];
        for (int r = 0; r < krows; r++)
            xv[r] = V_SET1(x[b * ldx + (size_t)r]);
        for (int j = 0; j < nvec; j++) {
            VEC d = TILE_LOAD(j, dyb + j * LANES);
            for (int r = 0; r < krows; r++)
                grad[r][j] = V_FMA(xv[r], d, grad[r][j]);
        }
    }
    for (int r = 0; r < krows; r++) {
        REAL *wr = w + (size_t)r * ldw;
        for (int j = 0; j < nvec; j++)
            TILE_STORE(j, wr + j * LANES,
                       V_FMA(V_SET1(alpha), grad[r][j], TILE_LOAD(j, wr + j * LANES)));
    }
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N])
 * B == 1: W[k,n] = fma(x[k], alpha * dy[n], W[k,n]) for the k with x[k] != 0, found
 *   as in forward; rows with x[k] == 0 are not touched (exact for finite dy). Tiles
 *   of at least LANES columns overlap their last vector rather than mask it.
 * B > 1: W[k,n] = fma(alpha, grad, W[k,n]), grad the FMA chain from +0 over all b,
 *   ascending, two rows of W at a time.
 * Either way W[k,n] depends only on B, alpha, column k of X and column n of DY. */
static void SFX(update)(size_t B, size_t K, size_t N, REAL alpha, const REAL *restrict X,
                        size_t ldx, const REAL *restrict DY, size_t lddy, REAL *restrict W,
                        size_t ldw)
{
    assert(ldw >= N && (B <= 1 || (ldx >= K && lddy >= N)));
    if (mlp_blocked_batch(B)) {
        SFX(blocked_update)(B, K, N, alpha, X, ldx, DY, lddy, W, ldw);
        return;
    }
    if (B == 0)
        return;
    if (B == 1) {
        int32_t pos[AVX2_CHUNK + 8];
        for (size_t k0 = 0; k0 < K; k0 += AVX2_CHUNK) {
            size_t kn = K - k0 < AVX2_CHUNK ? K - k0 : AVX2_CHUNK;
            size_t count = SFX(nonzero_positions)(kn, X + k0, pos);
            for (size_t n0 = 0, cols; n0 < N; n0 += cols) {
                cols = SFX(update_tile_cols)(N - n0);
                const REAL *x = X + k0, *dy = DY + n0;
                REAL *w = W + k0 * ldw + n0;
                if (cols < HLANES) {
                    SFX(update_row_masked)(cols, count, pos, x, alpha, dy, w, ldw);
                } else if (cols < LANES) {
                    SFX(update_row_narrow)(cols, count, pos, x, alpha, dy, w, ldw);
                } else {
                    int nvec = (int)((cols + LANES - 1) / LANES);
                    switch (nvec) {
                    case 1: SFX(update_row_tile)(1, cols, count, pos, x, alpha, dy, w, ldw); break;
                    case 2: SFX(update_row_tile)(2, cols, count, pos, x, alpha, dy, w, ldw); break;
                    case 3: SFX(update_row_tile)(3, cols, count, pos, x, alpha, dy, w, ldw); break;
                    case 4: SFX(update_row_tile)(4, cols, count, pos, x, alpha, dy, w, ldw); break;
                    case 5: SFX(update_row_tile)(5, cols, count, pos, x, alpha, dy, w, ldw); break;
                    default: break;
                    }
                }
            }
        }
        return;
    }
    for (size_t k = 0; k < K; k += 2) {
        bool pair = K - k >= 2;
        for (size_t n0 = 0; n0 < N; n0 += TILE_COLS) {
            size_t cols = N - n0 < TILE_COLS ? N - n0 : TILE_COLS;
            TILE_SHAPE(cols);
#define CALL(nv, masked)                                                                   \
    if (pair)                                                                              \
        SFX(update_batch_tile)(nv, masked, 2, last, B, alpha, X + k, ldx, DY + n0, lddy,   \
                               W + k * ldw + n0, ldw);                                     \
    else                                                                                   \
        SFX(update_batch_tile)(nv, masked, 1, last, B, alpha, X + k, ldx, DY + n0, lddy,   \
                               W + k * ldw + n0, ldw)
            TILE_SWITCH(nvec)
#undef CALL
        }
    }
}

/* x[n] = (x >= 0) * x: x times 1 or 0 from an ordered compare, as the reference
 * computes it (-1 -> -0.0, -0.0 -> -0.0, NaN -> NaN, -inf -> NaN) */
static void SFX(relu)(size_t n, REAL *x)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        VEC v = V_LOADU(x + i);
        V_STOREU(x + i, V_MUL(V_ONES_IF(v, _CMP_GE_OQ), v));
    }
    if (i < n) {
        __m256i live = FIRST_LANES(n - i);
        VEC v = V_MLOAD(live, x + i);
        V_MSTORE(x + i, live, V_MUL(V_ONES_IF(v, _CMP_GE_OQ), v));
    }
}

/* delta[n] = delta * mask(act): 1 or 0 from act >= 0 (seed) or act > 0 (strict),
 * ordered compares, so a NaN activation gives 0 as in the reference */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    bool strict = mode == MLP_RELU_GRAD_STRICT;
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        VEC a = V_LOADU(act + i);
        VEC on = strict ? V_ONES_IF(a, _CMP_GT_OQ) : V_ONES_IF(a, _CMP_GE_OQ);
        V_STOREU(delta + i, V_MUL(V_LOADU(delta + i), on));
    }
    if (i < n) {
        __m256i live = FIRST_LANES(n - i);
        VEC a = V_MLOAD(live, act + i);
        VEC on = strict ? V_ONES_IF(a, _CMP_GT_OQ) : V_ONES_IF(a, _CMP_GE_OQ);
        V_MSTORE(delta + i, live, V_MUL(V_MLOAD(live, delta + i), on));
    }
}

/* x[n] *= m[n] */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        V_STOREU(x + i, V_MUL(V_LOADU(x + i), V_LOADU(m + i)));
    if (i < n) {
        __m256i live = FIRST_LANES(n - i);
        V_MSTORE(x + i, live, V_MUL(V_MLOAD(live, x + i), V_MLOAD(live, m + i)));
    }
}

/* delta[n] = target - out (one rounding, as the reference); returns sum(delta^2)
 * accumulated in float64 lanes (order differs from the reference's) */
static double SFX(error_delta)(size_t n, const REAL *restrict target, const REAL *restrict out,
                               REAL *restrict delta)
{
    __m256d sum = _mm256_setzero_pd();
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        VEC d = V_SUB(V_LOADU(target + i), V_LOADU(out + i));
        V_STOREU(delta + i, d);
        sum = ADD_SQUARES(sum, d);
    }
    if (i < n) {
        __m256i live = FIRST_LANES(n - i);
        VEC d = V_SUB(V_MLOAD(live, target + i), V_MLOAD(live, out + i));
        V_MSTORE(delta + i, live, d);
        sum = ADD_SQUARES(sum, d); /* dead lanes are 0 - 0 */
    }
    return hsum_f64(sum);
}

/* this header's own macros, then the includer's vocabulary */
#undef TILE_COLS
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_CASE
#undef TILE_SWITCH
#undef TILE_SHAPE
#undef REAL
#undef SFX
#undef VEC
#undef LANES
#undef V_ZERO
#undef V_SET1
#undef V_LOADU
#undef V_STOREU
#undef V_MLOAD
#undef V_MSTORE
#undef V_FMA
#undef V_ADD
#undef V_MUL
#undef V_SUB
#undef V_ONES_IF
#undef V_HSUM
#undef FIRST_LANES
#undef NONZERO_MASK8
#undef ADD_SQUARES
#undef HVEC
#undef HLANES
#undef HV_SET1
#undef HV_LOADU
#undef HV_STOREU
#undef HV_MUL
#undef HV_FMA
