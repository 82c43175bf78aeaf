/* avx512_blocked_impl.h: the many-row forward of the AVX-512 set with W in L1 (the
 * test pass: 10000 rows of 784 sparse inputs against a 784x40 W01 of 125 KiB, which
 * does not fit L1), included by avx512_impl.h once per precision, before SFX(forward).
 *
 * Generates (static): SFX(forward_blocked), used by SFX(forward) when
 * forward_blocked_fits(B, K, N); its helpers SFX(gather_rows), SFX(blocked_tile).
 * The BLOCKED_* sizes are avx512.c's (for both inclusions).
 * Uses the includer's vocabulary (avx512_impl.h) and its helpers first_lanes,
 * TILE_LOAD, TILE_STORE, TILE_SWITCH, and V_COMPRESS(m, v) (the lanes of v in m packed
 * to the front) from avx512.c.
 *
 * Y[B,N] = X[B,K] . W[K,N] for K <= AVX512_CHUNK and N <= TILE_COLS, the rows taken a
 * group at a time:
 *   1. gather: each row of the group becomes its list of (position, value) of the
 *      nonzero inputs, ascending, with the list index where each block of
 *      BLOCKED_K_ROWS rows of W starts;
 *   2. for each block of rows of W (BLOCKED_BYTES of it, so it stays in L1 while the
 *      group streams through it), each row of the group walks its part of its list,
 *      its two FMA chains per vector carried over from the block before in `part`.
 * Bits: the same as the row path (forward_tile with accumulate false, one chunk).
 * There, entry i of a row's list goes to chain i % 2 (even starts from 0, odd from
 * 0) and y = even + odd; here too: a block whose part of the list starts at an odd
 * index gives its first entry to the odd chain. Each lane is its own FMA chain, so
 * the chains being stored and reloaded between blocks changes no bit. */

/* whether the blocked path takes this call */
static inline bool SFX(forward_blocked_fits)(size_t B, size_t K, size_t N)
{
    return B >= BLOCKED_MIN_ROWS && K >= 1 && K <= AVX512_CHUNK && N <= TILE_COLS;
}

/* rows of W per block: BLOCKED_BYTES of them, a multiple of 16 (so that a block
 * boundary falls on a gather step of either precision), at least 16 */
static inline size_t SFX(blocked_k_rows)(size_t N)
{
    size_t rows = BLOCKED_BYTES / (N * sizeof(REAL)) / 16 * 16;
    return rows < 16 ? 16 : rows;
}

/* The lists of the rows x[0..rows) (ldx apart) into pos/val from entry 0, row r's
 * from begin[r * (blocks + 1)], its block j's from begin[r * (blocks + 1) + j], its
 * end at begin[r * (blocks + 1) + blocks]. Returns how many rows fit the entries
 * (at least one: a whole row's list, K + LANES entries, always fits). */
static size_t SFX(gather_rows)(size_t rows, size_t K, size_t kb, size_t blocks,
                               const REAL *x, size_t ldx, int32_t *pos, REAL *val,
                               int32_t *begin)
{
    size_t count = 0, r = 0;
    for (; r < rows && count + K + LANES <= BLOCKED_ENTRIES; r++) {
        const REAL *xr = x + r * ldx;
        int32_t *b = begin + r * (blocks + 1);
        for (size_t k = 0, j = 0; k < K; k += LANES) {
            if (k == j * kb) /* a block starts: no division in this loop */
                b[j++] = (int32_t)count;
            MASK live = SFX(first_lanes)(K - k);
            VEC v = V_MLOAD(live, xr + k);
            MASK nonzero = V_CMP_MASK(live, v, V_ZERO(), _CMP_NEQ_UQ);
            STORE_POSITIONS(pos + count, nonzero, (int32_t)k);
            V_STOREU(val + count, V_COMPRESS(nonzero, v));
            count += (size_t)_mm_popcnt_u32(nonzero);
        }
        for (size_t j = (K + kb - 1) / kb; j <= blocks; j++)
            b[j] = (int32_t)count;
    }
    return r;
}

/* One row's part of one block: entries [i, end) of its list, whether entry i is at
 * an odd index of the row's whole list, its chains (nvec vectors each) and where they
 * are kept between blocks, and its row of Y. */
typedef struct SFX(blocked_row) {
    size_t i, end;
    bool odd_start;
    REAL *part, *y;
} SFX(blocked_row);

/* entries i (even chain) and i + 1 (odd chain) of a row's list */
#define BLOCKED_PAIR(even, odd, i)                                                         \
    do {                                                                                   \
        VEC x0_ = V_SET1(val[i]), x1_ = V_SET1(val[(i) + 1]);                              \
        const REAL *w0_ = w + (size_t)pos[i] * ldw, *w1_ = w + (size_t)pos[(i) + 1] * ldw;  \
        for (int j = 0; j < nvec; j++) {                                                   \
            even[j] = V_FMA(x0_, TILE_LOAD(j, w0_ + j * LANES), even[j]);                  \
            odd[j] = V_FMA(x1_, TILE_LOAD(j, w1_ + j * LANES), odd[j]);                    \
        }                                                                                  \
    } while (0)
/* entry i of a row's list into one chain */
#define BLOCKED_ONE(chain, i)                                                              \
    do {                                                                                   \
        VEC x0_ = V_SET1(val[i]);                                                          \
        const REAL *w0_ = w + (size_t)pos[i] * ldw;                                        \
        for (int j = 0; j < nvec; j++)                                                     \
            chain[j] = V_FMA(x0_, TILE_LOAD(j, w0_ + j * LANES), chain[j]);                \
    } while (0)

/* Rows a and b (a == b: one row) of the group against one block of W: a row's chains
 * come from its part (zero at the first block) and go back there, or at the last
 * block y = even + odd is stored. Two rows at a time so that 4 * nvec FMA chains hide
 * the FMA latency; each row's chains see its own entries in its own order. */
static ALWAYS_INLINE void SFX(blocked_tile)(const int nvec, MASK last, SFX(blocked_row) a,
                                            SFX(blocked_row) b, bool two, const int32_t *pos,
                                            const REAL *val, const REAL *w, size_t ldw,
                                            bool first_block, bool last_block)
{
    VEC ea[AVX512_TILE_VECS], oa[AVX512_TILE_VECS], eb[AVX512_TILE_VECS], ob[AVX512_TILE_VECS];
    for (int j = 0; j < nvec; j++) {
        ea[j] = first_block ? V_ZERO() : V_LOADU(a.part + j * LANES);
        oa[j] = first_block ? V_ZERO() : V_LOADU(a.part + (nvec + j) * LANES);
        eb[j] = first_block || !two ? V_ZERO() : V_LOADU(b.part + j * LANES);
        ob[j] = first_block || !two ? V_ZERO() : V_LOADU(b.part + (nvec + j) * LANES);
    }
    if (!two)
        b.i = b.end;
    if (a.odd_start && a.i < a.end) {
        BLOCKED_ONE(oa, a.i);
        a.i++;
    }
    if (b.odd_start && b.i < b.end) {
        BLOCKED_ONE(ob, b.i);
        b.i++;
    }
    for (; a.i + 2 <= a.end && b.i + 2 <= b.end; a.i += 2, b.i += 2) {
        BLOCKED_PAIR(ea, oa, a.i);
        BLOCKED_PAIR(eb, ob, b.i);
    }
    for (; a.i + 2 <= a.end; a.i += 2)
        BLOCKED_PAIR(ea, oa, a.i);
    for (; b.i + 2 <= b.end; b.i += 2)
        BLOCKED_PAIR(eb, ob, b.i);
    if (a.i < a.end)
        BLOCKED_ONE(ea, a.i);
    if (b.i < b.end)
        BLOCKED_ONE(eb, b.i);
    for (int j = 0; j < nvec; j++) {
        if (last_block) {
            TILE_STORE(j, a.y + j * LANES, V_ADD(ea[j], oa[j]));
            if (two)
                TILE_STORE(j, b.y + j * LANES, V_ADD(eb[j], ob[j]));
        } else {
            V_STOREU(a.part + j * LANES, ea[j]);
            V_STOREU(a.part + (nvec + j) * LANES, oa[j]);
            if (two) {
                V_STOREU(b.part + j * LANES, eb[j]);
                V_STOREU(b.part + (nvec + j) * LANES, ob[j]);
            }
        }
    }
}
#undef BLOCKED_PAIR
#undef BLOCKED_ONE

/* Y[B,N] = X[B,K] . W[K,N], K <= AVX512_CHUNK, N <= TILE_COLS, B >= 1 (see the top) */
#ifndef PREFETCH_HINT
#define PREFETCH_HINT _MM_HINT_T1
#endif
static void SFX(forward_blocked)(size_t B, size_t K, size_t N, const REAL *restrict X,
                                 size_t ldx, const REAL *restrict W, size_t ldw,
                                 REAL *restrict Y, size_t ldy)
{
    int32_t pos[BLOCKED_ENTRIES + LANES];
    REAL val[BLOCKED_ENTRIES + LANES];
    int32_t begin[BLOCKED_GROUP_ROWS * (BLOCKED_MAX_BLOCKS + 1)];
    REAL part[BLOCKED_GROUP_ROWS * 2 * TILE_COLS];
    size_t kb = SFX(blocked_k_rows)(N), blocks = (K + kb - 1) / kb;
    int nvec = (int)((N + LANES - 1) / LANES);
    MASK last = SFX(first_lanes)(N - (size_t)(nvec - 1) * LANES);
    for (size_t b0 = 0; b0 < B;) {
        size_t want = B - b0 < BLOCKED_GROUP_ROWS ? B - b0 : BLOCKED_GROUP_ROWS;
        size_t rows = SFX(gather_rows)(want, K, kb, blocks, X + b0 * ldx, ldx, pos, val, begin);
        /* the next group's inputs (as many rows as this one) are fetched from memory
         * while this group computes, a slice of their cache lines at each row pair */
        size_t ahead = B - b0 - rows < rows ? B - b0 - rows : rows;
        const char *next = (const char *)(X + (b0 + rows) * ldx);
        size_t lines = ahead ? ((ahead - 1) * ldx + K) * sizeof(REAL) / 64 + 1 : 0;
        size_t steps = blocks * ((rows + 1) / 2), slice = (lines + steps - 1) / steps, line = 0;
        for (size_t j = 0; j < blocks; j++) {
            for (size_t r = 0; r < rows; r += 2) {
                SFX(blocked_row) row[2];
                for (size_t q = 0; q < 2; q++) {
                    size_t rq = r + q < rows ? r + q : r;
                    const int32_t *br = begin + rq * (blocks + 1);
                    row[q] = (SFX(blocked_row)){
                        .i = (size_t)br[j], .end = (size_t)br[j + 1],
                        .odd_start = ((size_t)br[j] - (size_t)br[0]) % 2 != 0,
                        .part = part + rq * 2 * TILE_COLS, .y = Y + (b0 + rq) * ldy};
                }
                bool two = r + 1 < rows;
                for (size_t end = line + slice < lines ? line + slice : lines; line < end; line++)
                    _mm_prefetch(next + line * 64, PREFETCH_HINT);
#define CALL(nv)                                                                           \
    SFX(blocked_tile)(nv, last, row[0], row[1], two, pos, val, W, ldw, j == 0,              \
                      j + 1 == blocks)
                TILE_SWITCH(nvec, CALL)
#undef CALL
            }
        }
        b0 += rows;
    }
}
