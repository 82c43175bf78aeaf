/* model_test_impl.h: the test pass of a threaded kernel set (omp) with its test rows
 * split across threads, included by model_impl.h once per precision (its REAL, SFX,
 * TABLE_TYPE), before SFX(test). Generates SFX(test_split).
 *
 * Thread t of T takes a run of rows (test_split_at), in chunks of rows_cap, through
 * its own work buffers and the serial set the threaded one is built
 * on (m->base's table: the same bits as the threaded set's kernels, which split their
 * outputs only, and no nested parallel regions). Each row's squared error goes to
 * errors[row]; after the threads join they are summed in row order, as the serial
 * pass adds them, so every figure is the same for any thread count. */

/* One thread's rows [begin, end) of the test pass: squared errors into errors[],
 * the count of correct argmaxes returned. hidden [rows_cap, H], out and delta
 * [rows_cap, O]: this thread's buffers. */
static size_t SFX(test_range)(const mlp_model *m, const TABLE_TYPE *k, const mlp_data *d,
                              size_t begin, size_t end, REAL *hidden, REAL *out, REAL *delta,
                              double *errors)
{
    size_t H = m->cfg.hidden, O = m->cfg.outputs, correct = 0;
    const REAL *Y = d->y;
    const uint8_t *labels = d->labels;
    for (size_t start = begin; start < end; start += m->rows_cap) {
        size_t rows = end - start < m->rows_cap ? end - start : m->rows_cap;
        SFX(forward_inputs)(m, k, d, start, rows, hidden);
        if (SFX(score_by_head)(m, k, rows)) { /* the same bits in one call */
            correct += k->score_head(rows, H, O, hidden, H, m->w12, O, Y + start * O, O,
                                     labels + start, errors + start);
            continue;
        }
        k->relu(rows * H, hidden);
        k->forward(rows, H, O, hidden, H, m->w12, O, out, O);
        for (size_t r = 0; r < rows; r++) {
            errors[start + r] = k->error_delta(O, Y + (start + r) * O, out + r * O, delta + r * O);
            correct += SFX(argmax)(out + r * O, O) == labels[start + r];
        }
    }
    return correct;
}

/* Where thread t of T starts: with the inputs' CSR copy made (the sparse test pass),
 * the first row at or past the t/T share of the nonzero inputs, since the work follows
 * them and not the rows (MNIST's second 5000 test images hold 798,723 of the 1,511,219:
 * equal halves of rows had capped two threads at 1.89x); else row count * t / T. */
static size_t SFX(test_split_at)(const mlp_data *d, size_t t, size_t T)
{
    size_t n = d->count;
    if (t >= T) /* the end: every row, empty ones at the end too */
        return n;
    if (!d->rows)
        return n * t / T;
    size_t want = d->rows[n] * t / T, lo = 0, hi = n; /* first r with rows[r] >= want */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->rows[mid] < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The split pass's buffers for n rows on `threads` threads, kept with the model from
 * pass to pass (mlp_model_free releases them): every thread's work buffers and the
 * rows' errors. New ones are written once here, so that their pages are in before a
 * timed pass (SFX(ready) calls this first): a fresh page costs about 10 us in a VM,
 * and these are 80 pages in float64 on two threads. false if they cannot be had. */
static bool SFX(test_reserve)(mlp_model *m, size_t n, int threads)
{
    size_t H = m->cfg.hidden, O = m->cfg.outputs, per = m->rows_cap;
    size_t bytes = (size_t)threads * per * (H + 2 * O) * sizeof(REAL);
    if (bytes > m->test_work_bytes) {
        free(m->test_work);
        m->test_work_bytes = (m->test_work = mlp_pages_alloc(bytes)) ? bytes : 0;
        if (m->test_work)
            memset(m->test_work, 0, bytes);
    }
    if (n > m->test_errors_cap) {
        free(m->test_errors);
        m->test_errors_cap = (m->test_errors = calloc(n, sizeof(double))) ? n : 0;
    }
    return m->test_work && m->test_errors;
}

/* Whether the test pass over d splits its rows: a threaded set on more than one
 * thread, and rows for two chunks or more. */
static bool SFX(test_splits)(const mlp_model *m, const mlp_data *d, int threads)
{
    return m->set->threaded && threads > 1 && d->count >= 2 * m->rows_cap;
}

/* The test pass over d on `threads` threads (see the top); false, with nothing
 * done, if its buffers cannot be had (the caller then runs the serial pass). */
static bool SFX(test_split)(mlp_model *m, const mlp_data *d, int threads, mlp_metrics *acc)
{
    size_t H = m->cfg.hidden, O = m->cfg.outputs, n = d->count, per = m->rows_cap;
    if (!SFX(test_reserve)(m, n, threads))
        return false;
    REAL *work = m->test_work;
    double *errors = m->test_errors;
    const TABLE_TYPE *k = &m->BASE_TABLE;
    size_t correct = 0;
#pragma omp parallel num_threads(threads) reduction(+ : correct)
    {
        size_t t = (size_t)omp_get_thread_num(), parts = (size_t)omp_get_num_threads();
        REAL *hidden = work + t * per * (H + 2 * O), *out = hidden + per * H,
             *delta = out + per * O;
        correct += SFX(test_range)(m, k, d, SFX(test_split_at)(d, t, parts),
                                   SFX(test_split_at)(d, t + 1, parts), hidden, out, delta,
                                   errors);
    }
    for (size_t r = 0; r < n; r++)
        acc->error_sum += errors[r];
    acc->correct += correct;
    acc->count += n;
    return true;
}
