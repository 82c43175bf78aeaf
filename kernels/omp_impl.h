/* omp_impl.h: body of the OpenMP kernels, included by omp.c once per precision.
 *
 * Generates (static): SFX(forward), SFX(backward), SFX(update), SFX(relu),
 * SFX(relu_backward), SFX(multiply) (error_delta, a sum, is the base set's own).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL, SFX(name)  float / double; name -> omp_<name>_f32 / _f64
 *   INNER            the base set's table of this precision
 *   GRAIN            the base set's lanes in this precision: column and element
 *                    splits are in units of GRAIN
 * and, from omp.c for both inclusions: part_range, worth_threads, worth_splitting,
 * OMP_MIN_MACS, OMP_MIN_ELEMENTS.
 *
 * A call of one row (the per-sample step) or below the work threshold goes straight
 * to the serial kernel on the calling thread, without entering the OpenMP runtime:
 * even a `parallel if(0)` region costs ~330 ns in libgomp (measured here), more than
 * a whole B = 1 kernel. A bigger call opens a parallel region in which each thread
 * calls the serial kernel on its static part: part_range(thread t of
 * omp_get_num_threads()). */

/* Y[B,N] = X[B,K] . W[K,N]: rows of Y split across threads, or its columns when
 * there are fewer rows than threads. A call that takes the blocked path
 * (mlp_blocked_forward) is split into parts of at least MLP_BLOCKED_MIN_ROWS rows, on
 * fewer threads if need be, so that every part takes it too (kernels.h: the blocked
 * and row forward differ in their order of operations). */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    if (!worth_splitting(B, B * K * N)) {
        INNER.forward(B, K, N, X, ldx, W, ldw, Y, ldy);
        return;
    }
#pragma omp parallel
    {
        int parts = omp_get_num_threads(), t = omp_get_thread_num();
        size_t begin, end;
        if (mlp_blocked_forward(B, K, N, sizeof(REAL))) {
            size_t most = B / MLP_BLOCKED_MIN_ROWS;
            int used = (size_t)parts < most ? parts : (int)most;
            if (t < used) {
                part_range(B, 1, t, used, &begin, &end);
                INNER.forward(end - begin, K, N, X + begin * ldx, ldx, W, ldw,
                              Y + begin * ldy, ldy);
            }
        } else if (B >= (size_t)parts) {
            part_range(B, 1, t, parts, &begin, &end);
            if (end > begin)
                INNER.forward(end - begin, K, N, X + begin * ldx, ldx, W, ldw, Y + begin * ldy,
                              ldy);
        } else {
            part_range(N, GRAIN, t, parts, &begin, &end);
            if (end > begin)
                INNER.forward(B, K, end - begin, X, ldx, W + begin, ldw, Y + begin, ldy);
        }
    }
}

/* DX[B,K] = DY[B,N] . W[K,N]^T: rows of DX split across threads, or its columns (rows
 * of W) when there are fewer rows than threads */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    if (!worth_splitting(B, B * K * N)) {
        INNER.backward(B, K, N, DY, lddy, W, ldw, DX, lddx);
        return;
    }
#pragma omp parallel
    {
        int parts = omp_get_num_threads(), t = omp_get_thread_num();
        size_t begin, end;
        if (B >= (size_t)parts) {
            part_range(B, 1, t, parts, &begin, &end);
            if (end > begin)
                INNER.backward(end - begin, K, N, DY + begin * lddy, lddy, W, ldw,
                               DX + begin * lddx, lddx);
        } else {
            part_range(K, GRAIN, t, parts, &begin, &end);
            if (end > begin)
                INNER.backward(B, end - begin, N, DY, lddy, W + begin * ldw, ldw, DX + begin,
                               lddx);
        }
    }
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]): rows of W split across threads (each
 * W[k,n] is a sum over b, never split) */
static void SFX(update)(size_t B, size_t K, size_t N, REAL alpha, const REAL *restrict X,
                        size_t ldx, const REAL *restrict DY, size_t lddy, REAL *restrict W,
                        size_t ldw)
{
    if (!worth_splitting(B, B * K * N)) {
        INNER.update(B, K, N, alpha, X, ldx, DY, lddy, W, ldw);
        return;
    }
#pragma omp parallel
    {
        size_t begin, end;
        part_range(K, 1, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        if (end > begin)
            INNER.update(B, end - begin, N, alpha, X + begin, ldx, DY, lddy, W + begin * ldw,
                         ldw);
    }
}

/* x[n] = (x >= 0) * x, elements split across threads */
static void SFX(relu)(size_t n, REAL *x)
{
    if (!worth_threads(n, OMP_MIN_ELEMENTS)) {
        INNER.relu(n, x);
        return;
    }
#pragma omp parallel
    {
        size_t begin, end;
        part_range(n, GRAIN, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        if (end > begin)
            INNER.relu(end - begin, x + begin);
    }
}

/* delta[n] *= mask(act[n]), elements split across threads */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    if (!worth_threads(n, OMP_MIN_ELEMENTS)) {
        INNER.relu_backward(n, act, delta, mode);
        return;
    }
#pragma omp parallel
    {
        size_t begin, end;
        part_range(n, GRAIN, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        if (end > begin)
            INNER.relu_backward(end - begin, act + begin, delta + begin, mode);
    }
}

/* x[n] *= m[n], elements split across threads */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    if (!worth_threads(n, OMP_MIN_ELEMENTS)) {
        INNER.multiply(n, x, m);
        return;
    }
#pragma omp parallel
    {
        size_t begin, end;
        part_range(n, GRAIN, omp_get_thread_num(), omp_get_num_threads(), &begin, &end);
        if (end > begin)
            INNER.multiply(end - begin, x + begin, m + begin);
    }
}

/* the includer's vocabulary */
#undef REAL
#undef SFX
#undef INNER
#undef GRAIN
