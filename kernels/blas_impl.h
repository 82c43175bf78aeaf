/* blas_impl.h: the blas set's forward, backward and update for one precision, included
 * by blas.c with REAL, SFX(name) (blas_<name>_f32 / _f64) and GEMM, GEMV, GER (the
 * loaded cblas_?gemm, ?gemv, ?ger) defined; #undef's them at its end. */

/* rows x cols of M (row stride ld) = 0 */
static void SFX(zero)(size_t rows, size_t cols, REAL *m, size_t ld)
{
    for (size_t r = 0; r < rows; r++)
        memset(m + r * ld, 0, cols * sizeof(REAL));
}

/* Y[B,N] = X[B,K] . W[K,N] */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    if (B == 0 || N == 0)
        return;
    if (K == 0)
        SFX(zero)(B, N, Y, ldy);
    else if (B == 1) /* y[N] = W^T x */
        GEMV(ROW_MAJOR, TRANS, (int)K, (int)N, 1, W, (int)ldw, X, 1, 0, Y, 1);
    else
        GEMM(ROW_MAJOR, NO_TRANS, NO_TRANS, (int)B, (int)N, (int)K, 1, X, (int)ldx, W,
             (int)ldw, 0, Y, (int)ldy);
}

/* DX[B,K] = DY[B,N] . W[K,N]^T */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    if (B == 0 || K == 0)
        return;
    if (N == 0)
        SFX(zero)(B, K, DX, lddx);
    else if (B == 1) /* dx[K] = W dy */
        GEMV(ROW_MAJOR, NO_TRANS, (int)K, (int)N, 1, W, (int)ldw, DY, 1, 0, DX, 1);
    else
        GEMM(ROW_MAJOR, NO_TRANS, TRANS, (int)B, (int)K, (int)N, 1, DY, (int)lddy, W,
             (int)ldw, 0, DX, (int)lddx);
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]) */
static void SFX(update)(size_t B, size_t K, size_t N, REAL alpha, const REAL *restrict X,
                        size_t ldx, const REAL *restrict DY, size_t lddy, REAL *restrict W,
                        size_t ldw)
{
    if (B == 0 || K == 0 || N == 0)
        return;
    if (B == 1) /* W += alpha x dy^T */
        GER(ROW_MAJOR, (int)K, (int)N, alpha, X, 1, DY, 1, W, (int)ldw);
    else
        GEMM(ROW_MAJOR, TRANS, NO_TRANS, (int)K, (int)N, (int)B, alpha, X, (int)ldx, DY,
             (int)lddy, 1, W, (int)ldw);
}

#undef REAL
#undef SFX
#undef GEMM
#undef GEMV
#undef GER
