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

/* Inputs pixel / 255 and one-hot targets. The pointers are restrict and local, so that
 * the compiler vectorises the division (the same correctly rounded quotient, several
 * at a time) instead of reloading ds->images after every store. */
static void SFX(prepare)(mlp_data *d, const mlp_dataset *ds)
{
    REAL *restrict x = d->x, *restrict y = d->y;
    const uint8_t *restrict images = ds->images;
    for (size_t i = 0, n = ds->count * ds->pixels; i < n; i++)
        x[i] = (REAL)images[i] / (REAL)255;
    for (size_t r = 0; r < ds->count; r++)
        for (size_t c = 0; c < ds->classes; c++)
            y[r * ds->classes + c] = (REAL)(ds->labels[r] == c);
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
static void SFX(forward_rows)(mlp_model *m, size_t rows, const REAL *x, bool dropout)
{
    const mlp_model_config *c = &m->cfg;
    const TABLE_TYPE *k = &m->TABLE;
    size_t I = c->inputs, H = c->hidden, O = c->outputs;
    REAL *hidden = m->hidden, *out = m->out;
    k->forward(rows, I, H, x, I, m->w01, H, hidden, H); /* [rows,I] . [I,H] */
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

static void SFX(train_epoch)(mlp_model *m, const mlp_data *d, mlp_metrics *acc)
{
    const mlp_model_config *c = &m->cfg;
    const TABLE_TYPE *k = &m->TABLE;
    size_t I = c->inputs, H = c->hidden, O = c->outputs;
    const REAL *X = d->x, *Y = d->y;
    REAL *hidden = m->hidden, *delta_out = m->delta_out, *delta_hidden = m->delta_hidden;
    for (size_t start = 0; start < d->count; start += c->batch) {
        size_t rows = d->count - start < c->batch ? d->count - start : c->batch;
        const REAL *x = X + start * I;
        SFX(forward_rows)(m, rows, x, c->dropout);
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
        k->update(rows, I, H, alpha, x, I, delta_hidden, H, m->w01, H);
    }
}

/* layer_1 before ReLU for the records [start, start + rows) of d into hidden:
 * k's forward_sparse over d's CSR copy when k has one and forward would take its row
 * path (the same bits; a blocked forward, kernels.h, sums in another order), else
 * forward. */
static void SFX(forward_inputs)(const mlp_model *m, const TABLE_TYPE *k, const mlp_data *d,
                                size_t start, size_t rows, REAL *hidden)
{
    size_t I = m->cfg.inputs, H = m->cfg.hidden;
    if (k->forward_sparse && d->rows && !mlp_blocked_forward(rows, I, H, sizeof(REAL)))
        k->forward_sparse(rows, I, H, d->rows + start, d->cols, (const REAL *)d->vals, m->w01,
                          H, hidden, H);
    else
        k->forward(rows, I, H, (const REAL *)d->x + start * I, I, m->w01, H, hidden, H);
}

#include "model_test_impl.h"

/* A threaded set with more than one thread splits the test rows (model_test_impl.h). */
static void SFX(test)(mlp_model *m, const mlp_data *d, mlp_metrics *acc)
{
    int threads = m->set->threaded ? omp_get_max_threads() : 1;
    if (threads > 1 && d->count >= 2 * m->rows_cap && SFX(test_split)(m, d, threads, acc))
        return;
    const TABLE_TYPE *k = &m->TABLE;
    size_t H = m->cfg.hidden, O = m->cfg.outputs;
    const REAL *Y = d->y;
    for (size_t start = 0; start < d->count; start += m->rows_cap) {
        size_t rows = d->count - start < m->rows_cap ? d->count - start : m->rows_cap;
        /* forward_rows without dropout, layer 1 by forward_inputs */
        SFX(forward_inputs)(m, k, d, start, rows, m->hidden);
        k->relu(rows * H, m->hidden);
        k->forward(rows, H, O, m->hidden, H, m->w12, O, m->out, O);
        SFX(score_rows)(m, rows, Y + start * O, d->labels + start, acc);
    }
}

#include "microbatch_impl.h"

#undef REAL
#undef SFX
#undef TABLE
#undef TABLE_TYPE
#undef BASE_TABLE
