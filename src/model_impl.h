/* model_impl.h: the seed network's passes for one precision, included by model.c
 * once per precision with REAL (float or double), SFX(name) (the name with the
 * precision's suffix), TABLE (the kernel table member of mlp_model), TABLE_TYPE (its
 * type) and BASE_TABLE (the member with the table of the serial set a threaded set is
 * built on) defined; it generates SFX(init_weights), SFX(prepare), SFX(argmax),
 * SFX(forward_rows), SFX(score_rows), SFX(train_epoch), SFX(test) (and, from
 * model_test_impl.h, SFX(test_range), SFX(test_split)), and undefines the five macros
 * at its end.
 *
 * Shapes: I inputs, H hidden, O outputs, rows = records in the current step.
 *   layer_0 [rows,I] -> layer_1 = relu(layer_0 . W01) [rows,H]
 *                    -> layer_2 = layer_1 . W12 [rows,O]
 * Every arithmetic step goes through the kernel table k. */

static void SFX(init_weights)(mlp_model *m)
{
    const mlp_model_config *c = &m->cfg;
    REAL *w01 = m->w01, *w12 = m->w12;
    /* weights_0_1 = 0.2*np.random.random((I,H)) - 0.1, then weights_1_2 likewise */
    for (size_t i = 0; i < c->inputs * c->hidden; i++)
        w01[i] = (REAL)(0.2 * mlp_rng_random(&m->rng) - 0.1);
    for (size_t i = 0; i < c->hidden * c->outputs; i++)
        w12[i] = (REAL)(0.2 * mlp_rng_random(&m->rng) - 0.1);
}

/* One-hot targets (the inputs are made on first use: data_x, data_csr). */
static void SFX(prepare)(mlp_data *d, const mlp_dataset *ds)
{
    REAL *restrict y = d->y;
    for (size_t r = 0; r < ds->count; r++)
        for (size_t c = 0; c < ds->classes; c++)
            y[r * ds->classes + c] = (REAL)(ds->labels[r] == c);
}

/* d's CSR copy of the inputs (struct mlp_data), made on first use from the bytes: a
 * pixel is nonzero exactly when pixel / 255 is, and its value comes from a table of
 * the 256 quotients, each computed as data_x computes it. Words of eight zero pixels
 * are passed over (MNIST is ~81% zeros, in runs); the bytes of the others go through
 * without a branch (each written, kept if nonzero), so the cost does not depend on
 * where the zeros fall. The process ends with a message if memory runs out. */
static void SFX(data_csr)(const mlp_data *cd)
{
    mlp_data *d = (mlp_data *)cd; /* made by mlp_data_prepare: never a const object */
    if (d->rows)
        return;
    const uint8_t *img = d->images;
    size_t P = d->pixels, n = d->count * P, nonzero = 0, words = n / 8;
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full; /* bit 7 of each nonzero byte: */
    for (size_t i = 0; i < words; i++) {         /* ((w & low7) + low7 | w) & ~low7 */
        uint64_t w;
        memcpy(&w, img + 8 * i, sizeof w);
        uint64_t high = (((w & low7) + low7) | w) & ~low7;
        nonzero += (size_t)(((high >> 7) * 0x0101010101010101ull) >> 56); /* bytes set */
    }
    for (size_t i = 8 * words; i < n; i++)
        nonzero += img[i] != 0;
    /* 8 entries of room: a word's bytes are written before they are counted; cols
     * and vals in one allocation (fewer pages to fault in), vals on a 64-byte line */
    size_t room = (nonzero + 8 + 15) / 16 * 16;
    d->rows = malloc((d->count + 1) * sizeof *d->rows);
    d->cols = mlp_pages_alloc(room * (sizeof *d->cols + sizeof(REAL)));
    d->vals = d->cols ? (void *)(d->cols + room) : NULL;
    if (!d->rows || !d->cols) {
        fprintf(stderr, "mlpbench: error: out of memory for the nonzero inputs\n");
        exit(1);
    }
    REAL quotient[256];
    for (int v = 0; v < 256; v++)
        quotient[v] = (REAL)v / (REAL)255;
    int32_t *restrict cols = d->cols;
    REAL *restrict vals = d->vals;
    size_t e = 0;
    d->rows[0] = 0;
    for (size_t r = 0; r < d->count; r++) {
        const uint8_t *row = img + r * P;
        for (size_t c = 0; c < P; c += 8) {
            size_t m = P - c < 8 ? P - c : 8;
            if (m == 8) {
                uint64_t w;
                memcpy(&w, row + c, sizeof w);
                if (w == 0)
                    continue;
            }
            for (size_t j = 0; j < m; j++) {
                cols[e] = (int32_t)(c + j);
                vals[e] = quotient[row[c + j]];
                e += row[c + j] != 0;
            }
        }
        d->rows[r + 1] = e;
    }
}

/* d's dense inputs, pixel / 255, made on first use; the process ends with a message
 * if memory runs out (an epoch has no way to fail). */
static const REAL *SFX(data_x)(const mlp_data *cd)
{
    mlp_data *d = (mlp_data *)cd; /* made by mlp_data_prepare: never a const object */
    if (!d->x) {
        size_t n = d->count * d->pixels;
        REAL *restrict x = mlp_pages_alloc(n * sizeof(REAL)); /* written whole below */
        if (!x) {
            fprintf(stderr, "mlpbench: error: out of memory for the inputs\n");
            exit(1);
        }
        /* restrict and local, so that the division is vectorised (the same correctly
         * rounded quotient, several at a time) */
        const uint8_t *restrict images = d->images;
        for (size_t i = 0; i < n; i++)
            x[i] = (REAL)images[i] / (REAL)255;
        d->x = x;
    }
    return d->x;
}

/* np.argmax: the first index of the largest value (a NaN wins, as in numpy) */
static size_t SFX(argmax)(const REAL *v, size_t n)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] != v[i])
            return i;
        if (v[i] > v[best])
            best = i;
    }
    return best;
}

/* Forward through both layers for `rows` records starting at x; layer_2 into m->out. */
static void SFX(forward_rows)(mlp_model *m, const mlp_data *d, size_t start, size_t rows,
                             bool sparse, bool dropout)
{
    const mlp_model_config *c = &m->cfg;
    const TABLE_TYPE *k = &m->TABLE;
    size_t I = c->inputs, H = c->hidden, O = c->outputs;
    REAL *hidden = m->hidden, *out = m->out;
    if (sparse) /* [rows,I] . [I,H] */
        k->forward_sparse(rows, I, H, d->rows + start, d->cols, (const REAL *)d->vals, m->w01,
                          H, hidden, H);
    else
        k->forward(rows, I, H, (const REAL *)d->x + start * I, I, m->w01, H, hidden, H);
    k->relu(rows * H, hidden);
    if (dropout) {
        /* dropout_mask = np.random.randint(2, size=layer_1.shape); layer_1 *= mask * 2 */
        REAL *mask = m->mask, *mask2 = m->mask2;
        for (size_t i = 0; i < rows * H; i++) {
            mask[i] = (REAL)mlp_rng_bit(&m->rng);
            mask2[i] = mask[i] * 2;
        }
        k->multiply(rows * H, hidden, mask2);
    }
    k->forward(rows, H, O, hidden, H, m->w12, O, out, O); /* [rows,H] . [H,O] */
}

/* Error and accuracy of the outputs in m->out; output deltas into m->delta_out. */
static void SFX(score_rows)(mlp_model *m, size_t rows, const REAL *y, const uint8_t *labels,
                            mlp_metrics *acc)
{
    size_t O = m->cfg.outputs;
    REAL *out = m->out, *delta = m->delta_out;
    for (size_t r = 0; r < rows; r++) {
        acc->error_sum += m->TABLE.error_delta(O, y + r * O, out + r * O, delta + r * O);
        acc->correct += SFX(argmax)(out + r * O, O) == labels[r];
    }
    acc->count += rows;
}

/* Whether an epoch reads d's CSR copy: the per-sample step does when the set has both
 * sparse slots (the same bits as the dense row path, kernels.h, without a search for
 * the nonzero inputs in every forward and update). */
static bool SFX(sparse_train)(const mlp_model *m, const mlp_data *d)
{
    const TABLE_TYPE *k = &m->TABLE;
    return m->cfg.batch == 1 && k->forward_sparse && k->update_sparse &&
           d->pixels <= INT32_MAX; /* the sparse slots' columns are int32 */
}

/* d's inputs in the form read: the CSR copy or the dense rows (made once) */
static void SFX(make_inputs)(const mlp_data *d, bool sparse)
{
    if (sparse)
        SFX(data_csr)(d);
    else
        SFX(data_x)(d);
}

static void SFX(train_epoch)(mlp_model *m, const mlp_data *d, mlp_metrics *acc)
{
    const mlp_model_config *c = &m->cfg;
    const TABLE_TYPE *k = &m->TABLE;
    size_t I = c->inputs, H = c->hidden, O = c->outputs;
    bool sparse = SFX(sparse_train)(m, d);
    SFX(make_inputs)(d, sparse);
    const REAL *Y = d->y, *vals = d->vals;
    REAL *hidden = m->hidden, *delta_out = m->delta_out, *delta_hidden = m->delta_hidden;
    for (size_t start = 0; start < d->count; start += c->batch) {
        size_t rows = d->count - start < c->batch ? d->count - start : c->batch;
        SFX(forward_rows)(m, d, start, rows, sparse, c->dropout);
        /* layer_2_delta = y - layer_2 */
        SFX(score_rows)(m, rows, Y + start * O, d->labels + start, acc);
        /* layer_1_delta = layer_2_delta . W12^T * relu2deriv(layer_1) [* dropout mask] */
        k->backward(rows, H, O, delta_out, O, m->w12, O, delta_hidden, H);
        k->relu_backward(rows * H, hidden, delta_hidden, c->relu_grad);
        if (c->dropout)
            k->multiply(rows * H, delta_hidden, m->mask);
        /* W += alpha * layer^T . delta, with alpha / rows: the mean over the batch */
        REAL alpha = (REAL)(c->alpha / (double)rows);
        k->update(rows, H, O, alpha, hidden, H, delta_out, O, m->w12, O);
        if (sparse) {
            size_t at = d->rows[start];
            k->update_sparse(I, H, alpha, d->rows[start + 1] - at, d->cols + at, vals + at,
                             delta_hidden, m->w01, H);
        } else {
            k->update(rows, I, H, alpha, (const REAL *)d->x + start * I, I, delta_hidden, H,
                      m->w01, H);
        }
    }
}

/* layer_1 before ReLU for the records [start, start + rows) of d into hidden:
 * k's forward_sparse over d's CSR copy when k has one and forward would take its row
 * path (the same bits; a blocked forward, kernels.h, sums in another order), else
 * forward. */
static bool SFX(sparse_inputs)(const mlp_model *m, const TABLE_TYPE *k, const mlp_data *d,
                               size_t rows)
{
    return k->forward_sparse && d->pixels <= INT32_MAX && /* forward_sparse's int32 cols */
           !mlp_blocked_forward(rows, m->cfg.inputs, m->cfg.hidden, sizeof(REAL));
}

/* Calls of up to m->rows_cap rows: forward_inputs reads the CSR copy if this is true,
 * else the dense inputs, so a test pass makes one of them (data_csr, data_x) before
 * any thread starts. (mlp_blocked_forward grows with the rows: the largest call
 * decides.) */
static bool SFX(sparse_test)(const mlp_model *m, const mlp_data *d)
{
    return SFX(sparse_inputs)(m, &m->TABLE, d, m->rows_cap) &&
           SFX(sparse_inputs)(m, &m->BASE_TABLE, d, m->rows_cap);
}

static void SFX(forward_inputs)(const mlp_model *m, const TABLE_TYPE *k, const mlp_data *d,
                                size_t start, size_t rows, REAL *hidden)
{
    size_t I = m->cfg.inputs, H = m->cfg.hidden;
    if (SFX(sparse_inputs)(m, k, d, rows))
        k->forward_sparse(rows, I, H, d->rows + start, d->cols, (const REAL *)d->vals, m->w01,
                          H, hidden, H);
    else
        k->forward(rows, I, H, (const REAL *)d->x + start * I, I, m->w01, H, hidden, H);
}

/* Whether the test pass's relu, second layer and scoring of `rows` records go to k's
 * score_head (kernels.h: the same bits as relu, forward, error_delta and argmax). */
static bool SFX(score_by_head)(const mlp_model *m, const TABLE_TYPE *k, size_t rows)
{
    size_t H = m->cfg.hidden, O = m->cfg.outputs;
    return k->score_head && mlp_score_head_fits(rows, H, O, sizeof(REAL));
}

#include "model_test_impl.h"

/* A threaded set with more than one thread splits the test rows (model_test_impl.h). */
static void SFX(test)(mlp_model *m, const mlp_data *d, mlp_metrics *acc)
{
    SFX(make_inputs)(d, SFX(sparse_test)(m, d));
    int threads = omp_get_max_threads();
    if (SFX(test_splits)(m, d, threads) && SFX(test_split)(m, d, threads, acc))
        return;
    const TABLE_TYPE *k = &m->TABLE;
    size_t H = m->cfg.hidden, O = m->cfg.outputs;
    const REAL *Y = d->y;
    for (size_t start = 0; start < d->count; start += m->rows_cap) {
        size_t rows = d->count - start < m->rows_cap ? d->count - start : m->rows_cap;
        /* forward_rows without dropout, layer 1 by forward_inputs */
        SFX(forward_inputs)(m, k, d, start, rows, m->hidden);
        if (SFX(score_by_head)(m, k, rows)) { /* the rest in one call, the same bits */
            acc->correct += k->score_head(rows, H, O, m->hidden, H, m->w12, O, Y + start * O,
                                          O, d->labels + start, m->row_errors);
            for (size_t r = 0; r < rows; r++) /* in row order, as score_rows adds them */
                acc->error_sum += m->row_errors[r];
            acc->count += rows;
            continue;
        }
        k->relu(rows * H, m->hidden);
        k->forward(rows, H, O, m->hidden, H, m->w12, O, m->out, O);
        SFX(score_rows)(m, rows, Y + start * O, d->labels + start, acc);
    }
}

/* mlp_model_ready (model.h) */
static void SFX(ready)(mlp_model *m, const mlp_data *train, const mlp_data *test)
{
    if (train)
        SFX(make_inputs)(train, SFX(sparse_train)(m, train));
    if (test) {
        SFX(make_inputs)(test, SFX(sparse_test)(m, test));
        int threads = omp_get_max_threads();
        if (SFX(test_splits)(m, test, threads)) /* without them the pass runs serially */
            SFX(test_reserve)(m, test->count, threads);
    }
}

#include "microbatch_impl.h"

#undef REAL
#undef SFX
#undef TABLE
#undef TABLE_TYPE
#undef BASE_TABLE
