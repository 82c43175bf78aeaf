/* avx512_impl.h: body of the AVX-512 kernels, included by avx512.c once per precision.
 *
 * Generates (static): the seven slots SFX(forward), SFX(backward), SFX(update),
 * SFX(relu), SFX(relu_backward), SFX(multiply), SFX(error_delta), and their helpers
 * SFX(first_lanes), SFX(nonzero_positions), SFX(forward_tile), SFX(update_row_tile),
 * SFX(update_row_masked), SFX(update_tile_cols), SFX(update_batch_tile); and the
 * optional SFX(forward_sparse) with its SFX(list_tile), SFX(list_cut),
 * SFX(update_sparse), and SFX(score_head) with its SFX(score_group).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)       float / double; name -> avx512_<name>_f32 / _f64
 *   VEC, MASK, LANES      __m512, __mmask16, 16 lanes / __m512d, __mmask8, 8 lanes
 *   FULL_MASK             every lane
 *   V_ZERO(), V_SET1(x), V_LOADU(p), V_STOREU(p, v)
 *   V_MLOAD(m, p)         masked load, zero in the lanes not in m
 *   V_MSTORE(p, m, v)     masked store of the lanes in m
 *   V_FMA(a, b, c)        a*b + c, fused
 *   V_FMA_IF(a, b, c, m)  a*b + c in the lanes in m, c in the others
 *   V_ADD, V_MUL, V_SUB (a, b)
 *   V_CMP_MASK(m, a, b, pred)  the lanes in m where `a pred b` (a _CMP_ predicate)
 *   V_ONES_WHERE(m)       1.0 in the lanes in m, else 0.0
 *   V_HSUM(v)             the sum of the lanes by a fixed tree
 *   ADD_SQUARES(acc, d)   acc + d*d in float64 lanes (__m512d)
 *   STORE_POSITIONS(pos, m, k)  the lanes in m, plus k, packed to the front of pos
 *   V_MOV_IF(a, m, b)     b in the lanes in m, a in the others
 *   TRANSPOSE(r)          r[i] = column i of the LANES x LANES matrix of rows r[]
 *   LOAD_AS_F64(p)        8 elements from p as float64 lanes (__m512d)
 *   LOAD_LABELS(m, p)     the uint8 p[i] as REAL in the lanes in m, 0 in the others
 *   HVEC, HLANES, HV_SET1, HV_LOADU, HV_STOREU, HV_MUL, HV_FMA(a, b, c) = a*b + c,
 *   HV_ZERO(), HV_ADD(a, b), HV_MLOAD(m, p), HV_MSTORE(p, m, v) (m an __mmask8):
 *                         the same at half width (__m256 / __m256d)
 * and, from avx512.c for both inclusions: ALWAYS_INLINE, AVX512_CHUNK,
 * AVX512_TILE_VECS, hsum_f64.
 *
 * Batched calls (mlp_blocked_forward, mlp_blocked_batch in kernels.h) go to the
 * blocked kernels of gemm_impl.h at the top of forward, backward and update; what
 * follows is the row path.
 *
 * Split invariance (the contract in kernels.h), how this set meets it: tails use
 * masked lanes of the same instructions, or (B = 1 update) a last vector that
 * overlaps the one before it and computes the shared columns the same way again;
 * never scalar code. There is no row blocking whose edge rows would take a different
 * path, and the two FMA chains of forward split a row's list of nonzero inputs by
 * position, which depends on nothing but that row.
 *
 * Zero skipping (MNIST inputs are ~81% zeros): forward leaves out the k with
 * X[b,k] == 0, update leaves out the terms with X[b,k] == 0. The reference adds
 * 0 * w there, which changes nothing when w is finite (a sum started from +0 never
 * becomes -0 under round-to-nearest, except by underflow of a product), so the
 * results agree up to FMA rounding; with an inf/NaN weight the reference gets NaN. */

/* the first min(n, LANES) lanes */
static inline MASK SFX(first_lanes)(size_t n)
{
    return n >= LANES ? FULL_MASK : (MASK)((1u << n) - 1u);
}

/* The positions p < n of the nonzero x[p] (NaN counts as nonzero), ascending, into
 * pos; returns how many. n <= AVX512_CHUNK; pos holds AVX512_CHUNK + LANES entries. */
static size_t SFX(nonzero_positions)(size_t n, const REAL *x, int32_t *pos)
{
    size_t count = 0;
    for (size_t k = 0; k < n; k += LANES) {
        MASK live = SFX(first_lanes)(n - k);
        MASK nonzero = V_CMP_MASK(live, V_MLOAD(live, x + k), V_ZERO(), _CMP_NEQ_UQ);
        STORE_POSITIONS(pos + count, nonzero, (int32_t)k);
        count += (size_t)_mm_popcnt_u32(nonzero);
    }
    return count;
}

/* The nvec vectors of a tile: every one full but the last, which has `last` lanes. */
#define TILE_COLS (AVX512_TILE_VECS * LANES)
#define TILE_LOAD(j, p) ((j) == nvec - 1 ? V_MLOAD(last, p) : V_LOADU(p))
#define TILE_STORE(j, p, v) ((j) == nvec - 1 ? V_MSTORE(p, last, v) : V_STOREU(p, v))
#define TILE_SWITCH(nvec, CALL)                                                            \
    switch (nvec) {                                                                        \
    case 1: CALL(1); break;                                                                \
    case 2: CALL(2); break;                                                                \
    case 3: CALL(3); break;                                                                \
    case 4: CALL(4); break;                                                                \
    case 5: CALL(5); break;                                                                \
    case 6: CALL(6); break;                                                                \
    default: break;                                                                        \
    }

/* y[cols] = (accumulate ? y : 0) + sum over the listed p of x[p] * w[p, cols]:
 * one row of forward for one tile of columns, the accumulators in registers. Two
 * FMA chains per vector, so the FMA latency does not bound the loop: the terms at
 * even positions of the list go to the one that starts from y (or 0), those at odd
 * positions to one that starts from 0, and the two are added at the end.
 * half_last: the last vector has at most HLANES live lanes (`hlast`) and is a half
 * vector (40 columns of float32: 16 + 16 + 8): fewer bytes loaded per row, and on
 * W's 160-byte rows one cache-line-split load less every other row. Each lane is the
 * same chain either way. */
static ALWAYS_INLINE void SFX(forward_tile)(const int nvec, MASK last, const bool half_last,
                                            __mmask8 hlast, size_t count, const int32_t *pos,
                                            const REAL *x, const REAL *w, size_t ldw,
                                            REAL *y, bool accumulate)
{
    const int nfull = half_last ? nvec - 1 : nvec;
    VEC even[AVX512_TILE_VECS], odd[AVX512_TILE_VECS];
    HVEC even_h = HV_ZERO(), odd_h = HV_ZERO();
    for (int j = 0; j < nfull; j++) {
        even[j] = accumulate ? TILE_LOAD(j, y + j * LANES) : V_ZERO();
        odd[j] = V_ZERO();
    }
    if (half_last && accumulate)
        even_h = HV_MLOAD(hlast, y + (nvec - 1) * LANES);
/* the half vector's columns start at (nvec - 1) * LANES of a row */
#define HALF_FMA(acc, xv, row) acc = HV_FMA(HV_SET1(xv), HV_MLOAD(hlast, (row) + (nvec - 1) * LANES), acc)
    size_t i = 0;
    for (; i + 2 <= count; i += 2) {
        size_t p0 = (size_t)pos[i], p1 = (size_t)pos[i + 1];
        VEC x0 = V_SET1(x[p0]), x1 = V_SET1(x[p1]);
        const REAL *w0 = w + p0 * ldw, *w1 = w + p1 * ldw;
        for (int j = 0; j < nfull; j++) {
            even[j] = V_FMA(x0, TILE_LOAD(j, w0 + j * LANES), even[j]);
            odd[j] = V_FMA(x1, TILE_LOAD(j, w1 + j * LANES), odd[j]);
        }
        if (half_last) {
            HALF_FMA(even_h, x[p0], w0);
            HALF_FMA(odd_h, x[p1], w1);
        }
    }
    if (i < count) {
        size_t p0 = (size_t)pos[i];
        VEC x0 = V_SET1(x[p0]);
        for (int j = 0; j < nfull; j++)
            even[j] = V_FMA(x0, TILE_LOAD(j, w + p0 * ldw + j * LANES), even[j]);
        if (half_last)
            HALF_FMA(even_h, x[p0], w + p0 * ldw);
    }
#undef HALF_FMA
    for (int j = 0; j < nfull; j++)
        TILE_STORE(j, y + j * LANES, V_ADD(even[j], odd[j]));
    if (half_last)
        HV_MSTORE(y + (nvec - 1) * LANES, hlast, HV_ADD(even_h, odd_h));
}

/* Y[B,N] = X[B,K] . W[K,N]
 * Each Y[b,n] sums the k with X[b,k] != 0 in ascending order, per chunk of
 * AVX512_CHUNK inputs as two FMA chains (forward_tile) whose sum carries over to the
 * next chunk. Rows are done one at a time: the list of nonzero k of a chunk of the
 * row, then each tile of up to AVX512_TILE_VECS vectors of Y walks that list with its
 * accumulators in registers (Y holds the partial sums between chunks). */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    assert(ldw >= N && (B <= 1 || (ldx >= K && ldy >= N)));
    if (mlp_blocked_forward(B, K, N, sizeof(REAL))) {
        SFX(blocked_forward)(B, K, N, X, ldx, W, ldw, Y, ldy);
        return;
    }
    int32_t pos[AVX512_CHUNK + LANES];
    for (size_t b = 0; b < B; b++) {
        const REAL *x = X + b * ldx;
        REAL *y = Y + b * ldy;
        if (b + 1 < B) /* the next row's inputs, while this row's FMAs run */
            for (size_t k = 0; k < K; k += 64 / sizeof(REAL))
                _mm_prefetch((const char *)(x + ldx + k), _MM_HINT_T0);
        size_t k0 = 0;
        do {
            size_t kn = K - k0 < AVX512_CHUNK ? K - k0 : AVX512_CHUNK;
            size_t count = SFX(nonzero_positions)(kn, x + k0, pos);
            for (size_t n0 = 0; n0 < N; n0 += TILE_COLS) {
                size_t cols = N - n0 < TILE_COLS ? N - n0 : TILE_COLS;
                int nvec = (int)((cols + LANES - 1) / LANES);
                size_t tail = cols - (size_t)(nvec - 1) * LANES;
                MASK last = SFX(first_lanes)(tail);
                __mmask8 hlast = (__mmask8)((1u << (tail < HLANES ? tail : HLANES)) - 1u);
#define CALL(nv)                                                                           \
    if (tail <= HLANES)                                                                    \
        SFX(forward_tile)(nv, last, true, hlast, count, pos, x + k0, W + k0 * ldw + n0, ldw,  \
                          y + n0, k0 > 0);                                                 \
    else                                                                                   \
        SFX(forward_tile)(nv, last, false, hlast, count, pos, x + k0, W + k0 * ldw + n0,    \
                          ldw, y + n0, k0 > 0)
                TILE_SWITCH(nvec, CALL)
#undef CALL
            }
            k0 += kn;
        } while (k0 < K);
    }
}

/* forward_tile's arithmetic for one row given as a list: entry i is column pos[i] (a
 * row of w) with value val[i]. The same chains as forward_tile (even list positions to
 * the chain that starts from y or 0, odd ones to a chain from 0, added at the end), so
 * the bits are those of the dense row path. */
static ALWAYS_INLINE void SFX(list_tile)(const int nvec, MASK last, const bool half_last,
                                         __mmask8 hlast, size_t count, const int32_t *pos,
                                         const REAL *val, const REAL *w, size_t ldw, REAL *y,
                                         bool accumulate)
{
    const int nfull = half_last ? nvec - 1 : nvec;
    VEC even[AVX512_TILE_VECS], odd[AVX512_TILE_VECS];
    HVEC even_h, odd_h;
    for (int j = 0; j < nfull; j++) {
        even[j] = accumulate ? TILE_LOAD(j, y + j * LANES) : V_ZERO();
        odd[j] = V_ZERO();
    }
    even_h = half_last && accumulate ? HV_MLOAD(hlast, y + (nvec - 1) * LANES) : HV_ZERO();
    odd_h = HV_ZERO();
    size_t i = 0;
    for (; i + 2 <= count; i += 2) { /* entry i into the even chains, i + 1 the odd */
        const REAL *w0 = w + (size_t)pos[i] * ldw, *w1 = w + (size_t)pos[i + 1] * ldw;
        REAL s0 = val[i], s1 = val[i + 1];
        VEC x0 = V_SET1(s0), x1 = V_SET1(s1);
        for (int j = 0; j < nfull; j++) {
            even[j] = V_FMA(x0, TILE_LOAD(j, w0 + j * LANES), even[j]);
            odd[j] = V_FMA(x1, TILE_LOAD(j, w1 + j * LANES), odd[j]);
        }
        if (half_last) {
            even_h = HV_FMA(HV_SET1(s0), HV_MLOAD(hlast, w0 + (nvec - 1) * LANES), even_h);
            odd_h = HV_FMA(HV_SET1(s1), HV_MLOAD(hlast, w1 + (nvec - 1) * LANES), odd_h);
        }
    }
    if (i < count) {
        const REAL *w0 = w + (size_t)pos[i] * ldw;
        VEC x0 = V_SET1(val[i]);
        for (int j = 0; j < nfull; j++)
            even[j] = V_FMA(x0, TILE_LOAD(j, w0 + j * LANES), even[j]);
        if (half_last)
            even_h = HV_FMA(HV_SET1(val[i]), HV_MLOAD(hlast, w0 + (nvec - 1) * LANES), even_h);
    }
    for (int j = 0; j < nfull; j++)
        TILE_STORE(j, y + j * LANES, V_ADD(even[j], odd[j]));
    if (half_last)
        HV_MSTORE(y + (nvec - 1) * LANES, hlast, HV_ADD(even_h, odd_h));
}

/* The first entry of [at, end) of a row's list whose column is >= limit. */
static inline size_t SFX(list_cut)(const int32_t *cols, size_t at, size_t end, size_t limit)
{
    while (at < end && (size_t)cols[at] < limit)
        at++;
    return at;
}

/* forward_sparse (kernels.h): the dense row path's chunks and chains over the given
 * lists, one row at a time (two rows side by side, four chains per vector, were
 * measured slower: 2.1 vs 1.6 ms over the 10000 test images in float32), in column
 * tiles of up to SPARSE_TILE_VECS vectors, each walked over all the call's rows before
 * the next: the tile's part of W's hot rows then stays in L1. float64's 40 columns in
 * one tile are 320 bytes a row, 91 KB for the 285 rows of W01 that take 90% of MNIST's
 * visits (L1d 48 KiB); tiles of 24 and 16 columns need 55 and 36 KB: 3.9 -> 2.65 ms
 * over the 10000 test images, 256 rows a call. Tiling the columns changes no
 * element's chain. */
#define SPARSE_TILE_COLS (SPARSE_TILE_VECS * LANES)
static void SFX(forward_sparse)(size_t B, size_t K, size_t N, const size_t *restrict rows,
                                const int32_t *restrict cols, const REAL *restrict vals,
                                const REAL *restrict W, size_t ldw, REAL *restrict Y,
                                size_t ldy)
{
    assert(ldw >= N && (B <= 1 || ldy >= N));
    bool one_chunk = K <= AVX512_CHUNK;
    for (size_t n0 = 0; n0 < N; n0 += SPARSE_TILE_COLS) {
        size_t cols_n = N - n0 < SPARSE_TILE_COLS ? N - n0 : SPARSE_TILE_COLS;
        int nvec = (int)((cols_n + LANES - 1) / LANES);
        size_t tail = cols_n - (size_t)(nvec - 1) * LANES;
        MASK last = SFX(first_lanes)(tail);
        __mmask8 hlast = (__mmask8)((1u << (tail < HLANES ? tail : HLANES)) - 1u);
        for (size_t b = 0; b < B; b++) {
            size_t k0 = 0, at = rows[b];
            REAL *y = Y + b * ldy + n0;
            do {
                size_t kn = K - k0 < AVX512_CHUNK ? K - k0 : AVX512_CHUNK;
                size_t end = one_chunk ? rows[b + 1]
                                       : SFX(list_cut)(cols, at, rows[b + 1], k0 + kn);
#define CALL(nv)                                                                           \
    if (tail <= HLANES)                                                                    \
        SFX(list_tile)(nv, last, true, hlast, end - at, cols + at, vals + at, W + n0, ldw, y, \
                       k0 > 0);                                                            \
    else                                                                                   \
        SFX(list_tile)(nv, last, false, hlast, end - at, cols + at, vals + at, W + n0, ldw,  \
                       y, k0 > 0)
                switch (nvec) {
                case 1: CALL(1); break;
                case 2: CALL(2); break;
                default: CALL(3); break;
                }
#undef CALL
                at = end;
                k0 += kn;
            } while (k0 < K);
        }
    }
}
#undef SPARSE_TILE_COLS

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
    MASK tail = SFX(first_lanes)(N % LANES);
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
 * the B = 1 update, alpha * dy held in registers, HLANES <= cols. Half-width
 * (256-bit) vectors: W's rows are 32-byte but not 64-byte aligned (40 floats), and
 * 512-bit stores that straddle cache lines made this loop 20% slower. No masked
 * stores either (slow on Zen 4/5): vector j covers the columns from
 * min(j * HLANES, cols - HLANES), so the last one overlaps the one before it; a row's
 * loads all come before its stores, and an overlapped column gets the same value
 * twice. */
static ALWAYS_INLINE void SFX(update_row_tile)(const int nvec, size_t cols, size_t count,
                                               const int32_t *pos, const REAL *x,
                                               const REAL *val, REAL alpha, const REAL *dy,
                                               REAL *w, size_t ldw)
{
    size_t at[AVX512_TILE_VECS];
    HVEC scaled[AVX512_TILE_VECS];
    for (int j = 0; j < nvec; j++) {
        at[j] = (size_t)j * HLANES < cols - HLANES ? (size_t)j * HLANES : cols - HLANES;
        scaled[j] = HV_MUL(HV_SET1(alpha), HV_LOADU(dy + at[j]));
    }
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        HVEC xp = HV_SET1(val ? val[i] : x[p]), row[AVX512_TILE_VECS];
        REAL *wp = w + p * ldw;
        for (int j = 0; j < nvec; j++)
            row[j] = HV_LOADU(wp + at[j]);
        for (int j = 0; j < nvec; j++)
            HV_STOREU(wp + at[j], HV_FMA(xp, scaled[j], row[j]));
    }
}

/* update_row_tile at full width, for a W whose rows all start on a 64-byte line
 * (W 64-byte aligned, ldw a multiple of 64 bytes: float64's 40-column rows), so no
 * store straddles two lines: vector j covers the columns from min(j * LANES,
 * cols - LANES), LANES <= cols. Each element gets the same FMA as at half width. */
static ALWAYS_INLINE void SFX(update_row_tile_full)(const int nvec, size_t cols, size_t count,
                                                    const int32_t *pos, const REAL *x,
                                                    const REAL *val, REAL alpha,
                                                    const REAL *dy, REAL *w, size_t ldw)
{
    size_t at[AVX512_TILE_VECS];
    VEC scaled[AVX512_TILE_VECS];
    for (int j = 0; j < nvec; j++) {
        at[j] = (size_t)j * LANES < cols - LANES ? (size_t)j * LANES : cols - LANES;
        scaled[j] = V_MUL(V_SET1(alpha), V_LOADU(dy + at[j]));
    }
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        VEC xp = V_SET1(val ? val[i] : x[p]), row[AVX512_TILE_VECS];
        REAL *wp = w + p * ldw;
        for (int j = 0; j < nvec; j++)
            row[j] = V_LOADU(wp + at[j]);
        for (int j = 0; j < nvec; j++)
            V_STOREU(wp + at[j], V_FMA(xp, scaled[j], row[j]));
    }
}

/* Whether the B = 1 update of W[.., N] takes full-width tiles (update_row_tile_full) */
static inline bool SFX(update_full_width)(const REAL *W, size_t ldw, size_t N)
{
    return N >= LANES && (uintptr_t)W % 64 == 0 && (ldw * sizeof(REAL)) % 64 == 0;
}

/* The same for cols < HLANES, with one masked vector. (Both take the value of entry
 * i as val[i] when val is given, update_sparse's list, else as x[pos[i]].) */
static void SFX(update_row_masked)(size_t cols, size_t count, const int32_t *pos,
                                   const REAL *x, const REAL *val, REAL alpha, const REAL *dy,
                                   REAL *w, size_t ldw)
{
    MASK live = SFX(first_lanes)(cols);
    VEC scaled = V_MUL(V_SET1(alpha), V_MLOAD(live, dy));
    for (size_t i = 0; i < count; i++) {
        size_t p = (size_t)pos[i];
        REAL *wp = w + p * ldw;
        V_MSTORE(wp, live, V_FMA(V_SET1(val ? val[i] : x[p]), scaled, V_MLOAD(live, wp)));
    }
}

/* Columns of the next B = 1 update tile, of `rest` left: at most a full tile, and
 * never leaving fewer than HLANES for the tile after it (which then can overlap). */
#define UPDATE_TILE_COLS (AVX512_TILE_VECS * HLANES)
static inline size_t SFX(update_tile_cols)(size_t rest)
{
    if (rest <= UPDATE_TILE_COLS)
        return rest;
    return rest - UPDATE_TILE_COLS < HLANES ? UPDATE_TILE_COLS - HLANES : UPDATE_TILE_COLS;
}

/* The B = 1 update's tiles over one list (entry i: row pos[i], value val[i] if val is
 * given, else x[pos[i]]), the columns of W and dy from n = 0: full width when the rows
 * allow it (update_full_width), else half-width tiles. */
static inline void SFX(update_row_list)(size_t N, size_t count, const int32_t *pos,
                                        const REAL *x, const REAL *val, REAL alpha,
                                        const REAL *dy, REAL *W, size_t ldw)
{
    if (SFX(update_full_width)(W, ldw, N)) {
        for (size_t n0 = 0, cols; n0 < N; n0 += cols) {
            /* full tiles, never leaving fewer than LANES for the last */
            size_t rest = N - n0;
            cols = rest <= TILE_COLS ? rest : rest - TILE_COLS < LANES ? TILE_COLS - LANES : TILE_COLS;
            int nvec = (int)((cols + LANES - 1) / LANES);
#define CALL(nv) SFX(update_row_tile_full)(nv, cols, count, pos, x, val, alpha, dy + n0, W + n0, ldw)
            TILE_SWITCH(nvec, CALL)
#undef CALL
        }
        return;
    }
    for (size_t n0 = 0, cols; n0 < N; n0 += cols) {
        cols = SFX(update_tile_cols)(N - n0);
        if (cols < HLANES) {
            SFX(update_row_masked)(cols, count, pos, x, val, alpha, dy + n0, W + n0, ldw);
        } else {
            int nvec = (int)((cols + HLANES - 1) / HLANES);
#define CALL(nv) SFX(update_row_tile)(nv, cols, count, pos, x, val, alpha, dy + n0, W + n0, ldw)
            TILE_SWITCH(nvec, CALL)
#undef CALL
        }
    }
}

/* W[k..k+krows, cols] = fma(alpha, grad, W) where grad[r, cols] is the masked FMA
 * chain from +0 over b of X[b,k+r] * DY[b, cols], skipping X[b,k+r] == 0: one block
 * of rows of the B > 1 update for one tile of columns. */
static ALWAYS_INLINE void SFX(update_batch_tile)(const int nvec, const int krows, MASK last,
                                                 size_t B, REAL alpha, const REAL *x,
                                                 size_t ldx, const REAL *dy, size_t lddy,
                                                 REAL *w, size_t ldw)
{
    VEC grad[2][AVX512_TILE_VECS];
    for (int r = 0; r < krows; r++)
        for (int j = 0; j < nvec; j++)
            grad[r][j] = V_ZERO();
    for (size_t b = 0; b < B; b++) {
        const REAL *dyb = dy + b * lddy;
        VEC d[AVX512_TILE_VECS];
        for (int j = 0; j < nvec; j++)
            d[j] = TILE_LOAD(j, dyb + j * LANES);
        for (int r = 0; r < krows; r++) {
            REAL xr = x[b * ldx + (size_t)r];
            MASK use = xr != 0 ? FULL_MASK : 0; /* NaN != 0: a NaN input is used */
            VEC xv = V_SET1(xr);
            for (int j = 0; j < nvec; j++)
                grad[r][j] = V_FMA_IF(xv, d[j], grad[r][j], use);
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
 *   as in forward; rows with x[k] == 0 are not touched (exact for finite dy).
 *   256-bit vectors, the last one overlapping rather than masked (update_row_tile).
 * B > 1: W[k,n] = fma(alpha, grad, W[k,n]), grad the FMA chain from +0 over the b with
 *   X[b,k] != 0, ascending, two rows of W at a time.
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
        int32_t pos[AVX512_CHUNK + LANES];
        for (size_t k0 = 0; k0 < K; k0 += AVX512_CHUNK) {
            size_t kn = K - k0 < AVX512_CHUNK ? K - k0 : AVX512_CHUNK;
            size_t count = SFX(nonzero_positions)(kn, X + k0, pos);
            SFX(update_row_list)(N, count, pos, X + k0, NULL, alpha, DY, W + k0 * ldw, ldw);
        }
        return;
    }
    for (size_t k = 0; k < K; k += 2) {
        int krows = K - k >= 2 ? 2 : 1;
        for (size_t n0 = 0; n0 < N; n0 += TILE_COLS) {
            size_t cols = N - n0 < TILE_COLS ? N - n0 : TILE_COLS;
            int nvec = (int)((cols + LANES - 1) / LANES);
            MASK last = SFX(first_lanes)(cols - (size_t)(nvec - 1) * LANES);
#define CALL(nv)                                                                           \
    if (krows == 2)                                                                        \
        SFX(update_batch_tile)(nv, 2, last, B, alpha, X + k, ldx, DY + n0, lddy,           \
                               W + k * ldw + n0, ldw);                                     \
    else                                                                                   \
        SFX(update_batch_tile)(nv, 1, last, B, alpha, X + k, ldx, DY + n0, lddy,           \
                               W + k * ldw + n0, ldw)
            TILE_SWITCH(nvec, CALL)
#undef CALL
        }
    }
}

/* update_sparse (kernels.h): update's B = 1 tiles over the given list (each row of W
 * is updated on its own, so update's chunks of K change nothing and are not needed). */
static void SFX(update_sparse)(size_t K, size_t N, REAL alpha, size_t count,
                               const int32_t *restrict cols, const REAL *restrict vals,
                               const REAL *restrict dy, REAL *restrict W, size_t ldw)
{
    assert(ldw >= N && (count == 0 || (size_t)cols[count - 1] < K));
    (void)K;
    SFX(update_row_list)(N, count, cols, NULL, vals, alpha, dy, W, ldw);
}

/* x[n] = (x >= 0) * x: x times 1 or 0 from an ordered compare, as the reference
 * computes it (-1 -> -0.0, -0.0 -> -0.0, NaN -> NaN, -inf -> NaN) */
static void SFX(relu)(size_t n, REAL *x)
{
    for (size_t i = 0; i < n; i += LANES) {
        MASK live = SFX(first_lanes)(n - i);
        VEC v = V_MLOAD(live, x + i);
        VEC keep = V_ONES_WHERE(V_CMP_MASK(live, v, V_ZERO(), _CMP_GE_OQ));
        V_MSTORE(x + i, live, V_MUL(keep, v));
    }
}

/* delta[n] = delta * mask(act): 1 or 0 from act >= 0 (seed) or act > 0 (strict),
 * ordered compares, so a NaN activation gives 0 as in the reference */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    bool strict = mode == MLP_RELU_GRAD_STRICT;
    for (size_t i = 0; i < n; i += LANES) {
        MASK live = SFX(first_lanes)(n - i);
        VEC a = V_MLOAD(live, act + i);
        MASK on = strict ? V_CMP_MASK(live, a, V_ZERO(), _CMP_GT_OQ)
                         : V_CMP_MASK(live, a, V_ZERO(), _CMP_GE_OQ);
        V_MSTORE(delta + i, live, V_MUL(V_MLOAD(live, delta + i), V_ONES_WHERE(on)));
    }
}

/* x[n] *= m[n] */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    for (size_t i = 0; i < n; i += LANES) {
        MASK live = SFX(first_lanes)(n - i);
        V_MSTORE(x + i, live, V_MUL(V_MLOAD(live, x + i), V_MLOAD(live, m + i)));
    }
}

/* delta[n] = target - out (one rounding, as the reference); returns sum(delta^2)
 * accumulated in float64 lanes (order differs from the reference's) */
static double SFX(error_delta)(size_t n, const REAL *restrict target, const REAL *restrict out,
                               REAL *restrict delta)
{
    __m512d sum = _mm512_setzero_pd();
    for (size_t i = 0; i < n; i += LANES) {
        MASK live = SFX(first_lanes)(n - i);
        VEC d = V_SUB(V_MLOAD(live, target + i), V_MLOAD(live, out + i));
        V_MSTORE(delta + i, live, d);
        sum = ADD_SQUARES(sum, d); /* dead lanes are 0 - 0 */
    }
    return hsum_f64(sum);
}

/* score_head (kernels.h) for one group of up to LANES rows (`live`), nout outputs:
 * the rows in the lanes, so that the per-row work of the sequence it stands for (a
 * list of nonzero inputs, a tile call, error_delta's reduction, argmax) is done for
 * LANES rows by each instruction. Lane by lane it is that sequence's arithmetic:
 *   relu      keep * x, keep = 1 where x >= 0 (ordered), else 0;
 *   forward   the row path: the nonzero k (x != 0, NaN included) ascending, those at
 *             even positions of the row's list into the chain from 0 (from the sum so
 *             far past a chunk of AVX512_CHUNK inputs), odd ones into a second chain
 *             from 0, the two added at the end. Each lane keeps its list position's
 *             parity in a mask bit, and the two chains take masked FMAs;
 *   error     d = t - y; squares summed in float64 as error_delta's lane n % 8 adds
 *             them (ascending n), then hsum_f64's tree;
 *   argmax    the first largest, or the first NaN. */
static ALWAYS_INLINE size_t SFX(score_group)(const int nout, MASK live, size_t K,
                                             const REAL *x, size_t ldx, const REAL *w,
                                             size_t ldw, const REAL *t, size_t ldt,
                                             const uint8_t *labels, double *errors)
{
    VEC even[MLP_SCORE_HEAD_MAX_N], odd[MLP_SCORE_HEAD_MAX_N];
    for (int n = 0; n < nout; n++)
        even[n] = odd[n] = V_ZERO();
    MASK parity = 0; /* lanes whose next list entry is at an odd position */
    VEC column[LANES];
    for (size_t k0 = 0; k0 < K; k0 += LANES) { /* LANES inputs of each row, transposed */
        if (k0 % AVX512_CHUNK == 0 && k0 > 0) { /* the row path's next chunk */
            for (int n = 0; n < nout; n++) {
                even[n] = V_ADD(even[n], odd[n]);
                odd[n] = V_ZERO();
            }
            parity = 0;
        }
        MASK inputs = SFX(first_lanes)(K - k0);
        for (int r = 0; r < LANES; r++)
            column[r] = (live >> r) & 1 ? V_MLOAD(inputs, x + (size_t)r * ldx + k0) : V_ZERO();
        TRANSPOSE(column);
        size_t kn = K - k0 < LANES ? K - k0 : LANES;
        for (size_t j = 0; j < kn; j++) {
            VEC h = column[j];
            h = V_MUL(V_ONES_WHERE(V_CMP_MASK(live, h, V_ZERO(), _CMP_GE_OQ)), h);
            MASK nonzero = V_CMP_MASK(live, h, V_ZERO(), _CMP_NEQ_UQ);
            if (!nonzero)
                continue;
            MASK at_even = nonzero & (MASK)~parity, at_odd = nonzero & parity;
            parity ^= nonzero;
            const REAL *wk = w + (k0 + j) * ldw;
            for (int n = 0; n < nout; n++) {
                VEC wn = V_SET1(wk[n]);
                even[n] = V_FMA_IF(h, wn, even[n], at_even);
                odd[n] = V_FMA_IF(h, wn, odd[n], at_odd);
            }
        }
    }
    REAL delta[MLP_SCORE_HEAD_MAX_N][LANES] __attribute__((aligned(64)));
    VEC best = V_ZERO(), best_n = V_ZERO();
    MASK done = 0;
    for (int n0 = 0; n0 < nout; n0 += LANES) { /* the targets' columns, transposed */
        MASK outputs = SFX(first_lanes)((size_t)(nout - n0));
        for (int r = 0; r < LANES; r++)
            column[r] = (live >> r) & 1 ? V_MLOAD(outputs, t + (size_t)r * ldt + n0) : V_ZERO();
        TRANSPOSE(column);
        for (int n = n0; n < nout && n < n0 + LANES; n++) {
            VEC y = V_ADD(even[n], odd[n]);
            MASK nan = V_CMP_MASK(live & (MASK)~done, y, y, _CMP_UNORD_Q);
            MASK larger = n == 0 ? live : V_CMP_MASK(live & (MASK)~done, y, best, _CMP_GT_OQ);
            best_n = V_MOV_IF(best_n, nan | larger, V_SET1((REAL)n));
            best = V_MOV_IF(best, larger, y);
            done |= nan;
            V_STOREU(delta[n], V_SUB(column[n - n0], y));
        }
    }
    for (int half = 0; half < LANES / 8; half++) {
        __m512d sq[8];
        for (int j = 0; j < 8; j++)
            sq[j] = _mm512_setzero_pd();
        for (int n = 0; n < nout; n++) {
            __m512d d = LOAD_AS_F64(delta[n] + 8 * half);
            sq[n % 8] = _mm512_fmadd_pd(d, d, sq[n % 8]);
        }
        __m512d h0 = _mm512_add_pd(sq[0], sq[4]), h1 = _mm512_add_pd(sq[1], sq[5]);
        __m512d h2 = _mm512_add_pd(sq[2], sq[6]), h3 = _mm512_add_pd(sq[3], sq[7]);
        __m512d sum = _mm512_add_pd(_mm512_add_pd(h0, h2), _mm512_add_pd(h1, h3));
        _mm512_mask_storeu_pd(errors + 8 * half, (__mmask8)(live >> (8 * half)), sum);
    }
    MASK right = V_CMP_MASK(live, best_n, LOAD_LABELS(live, labels), _CMP_EQ_OQ);
    return (size_t)_mm_popcnt_u32((unsigned)right);
}

static size_t SFX(score_head)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                              const REAL *restrict W, size_t ldw, const REAL *restrict T,
                              size_t ldt, const uint8_t *restrict labels,
                              double *restrict errors)
{
    assert(mlp_score_head_fits(B, K, N, sizeof(REAL)) && ldw >= N);
    size_t correct = 0;
    for (size_t b = 0; b < B; b += LANES) {
        MASK live = SFX(first_lanes)(B - b);
        const REAL *x = X + b * ldx, *t = T + b * ldt;
#define CALL(nv) correct += SFX(score_group)(nv, live, K, x, ldx, W, ldw, t, ldt, labels + b, errors + b)
        switch (N) {
        case 1: CALL(1); break;
        case 2: CALL(2); break;
        case 3: CALL(3); break;
        case 4: CALL(4); break;
        case 5: CALL(5); break;
        case 6: CALL(6); break;
        case 7: CALL(7); break;
        case 8: CALL(8); break;
        case 9: CALL(9); break;
        case 10: CALL(10); break;
        case 11: CALL(11); break;
        default: CALL(12); break;
        }
#undef CALL
    }
    return correct;
}

/* this header's own macros, then the includer's vocabulary */
#undef TILE_COLS
#undef TILE_LOAD
#undef TILE_STORE
#undef TILE_SWITCH
#undef UPDATE_TILE_COLS
#undef REAL
#undef SFX
#undef VEC
#undef MASK
#undef LANES
#undef FULL_MASK
#undef V_ZERO
#undef V_SET1
#undef V_LOADU
#undef V_STOREU
#undef V_MLOAD
#undef V_MSTORE
#undef V_FMA
#undef V_FMA_IF
#undef V_ADD
#undef V_MUL
#undef V_SUB
#undef V_CMP_MASK
#undef V_ONES_WHERE
#undef V_HSUM
#undef ADD_SQUARES
#undef STORE_POSITIONS
#undef V_MOV_IF
#undef TRANSPOSE
#undef LOAD_AS_F64
#undef LOAD_LABELS
#undef HVEC
#undef HLANES
#undef HV_SET1
#undef HV_LOADU
#undef HV_STOREU
#undef HV_MUL
#undef HV_FMA
#undef HV_ZERO
#undef HV_ADD
#undef HV_MLOAD
#undef HV_MSTORE
