/* omp_fused_impl.h: the OpenMP set's update_forward (kernels.h: the per-sample
 * step's update of W and forward of the next sample in one call), included by
 * omp_impl.h once per precision, before its #undefs, with its vocabulary (REAL, SFX,
 * INNER, GRAIN) and omp.c's part_range and worth_threads.
 *
 * The hidden columns are split across threads (each W[k,n] and y[n] depends on its
 * column n alone, so any split gives the same bits as one call), in whole vectors of
 * the base set (GRAIN), when the call has at least OMP_FUSED_MIN_MACS multiply-adds
 * (K x N) per thread; below that it is the base set's own call on the calling thread. */

/* W[K,N] += alpha * x[K]^T . dy[N], then y[N] = xn[K] . W[K,N] */
static void SFX(update_forward)(size_t K, size_t N, REAL alpha, const REAL *restrict x,
                                const REAL *restrict dy, REAL *restrict W, size_t ldw,
                                const REAL *restrict xn, REAL *restrict y)
{
    if (!worth_threads(K * N, OMP_FUSED_MIN_MACS)) {
        INNER.update_forward(K, N, alpha, x, dy, W, ldw, xn, y);
        return;
    }
#pragma omp parallel
    {
        size_t begin, end;
        part_range(N, GRAIN, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        if (end > begin)
            INNER.update_forward(K, end - begin, alpha, x, dy + begin, W + begin, ldw, xn,
                                 y + begin);
    }
}
