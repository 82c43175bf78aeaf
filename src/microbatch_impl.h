/* microbatch_impl.h: the mini-batch step for B > 1, included by model_impl.h for each
 * precision (REAL, SFX, TABLE, TABLE_TYPE as there). Generates SFX(train_epoch_micro).
 *
 * Each step of `rows` records is cut into micro-batches of M = cfg.micro_batch rows
 * (the last may be shorter). Each micro-batch's gradient X^T . delta goes through the
 * kernel table's update into a zeroed buffer [W01 | W12]; the micro-batch gradients are
 * summed by the fixed tree of treesum.h, over ranks through m->comm when there is one;
 * then W += (alpha / rows) * sum, through update again. The weights a step reads are
 * the step's old weights in every micro-batch, as in the one-call mini-batch, so only
 * the order of the gradient's additions differs from it; and that order depends on B
 * and M alone, not on how many ranks share the work.
 *
 * Dropout: the mask of the whole step is drawn first, row by row as the one-call path
 * draws it, on every rank, so masks do not depend on the rank count either.
 * Metrics: each micro-batch's error sum is kept in its slot of the epoch; the epoch's
 * sum adds the slots in micro-batch order. */

/* The gradient buffers: [W01 (I x H) | W12 (H x O) | rows (I bytes)]. A W01 row whose
 * pixel is 0 in every row of the micro-batch stays +0 (a kernel that skips zero pixels
 * leaves it, one that does not adds +0 products to +0), so `rows` marks the rows that
 * may be non-zero and the additions of the tree skip the others: x + +0 is x (these
 * sums start from +0 and are never -0), so the bits are those of the dense addition
 * that the ranks' slices get in dist.c. A buffer is handed back clean (all +0). (A run
 * whose deltas are Inf or NaN may break that: its lines are NaN anyway.) */
static uint8_t *SFX(grad_rows)(const mlp_model *m, void *g)
{
    const mlp_model_config *c = &m->cfg;
    return (uint8_t *)((REAL *)g + c->inputs * c->hidden + c->hidden * c->outputs);
}

/* dst += src, src made clean: the tree's addition (treesum.h) for these buffers */
static void SFX(grad_add)(void *user, void *dst, void *src)
{
    const mlp_model *m = user;
    size_t I = m->cfg.inputs, H = m->cfg.hidden, n12 = H * m->cfg.outputs;
    REAL *restrict d = dst, *restrict s = src;
    uint8_t *rd = SFX(grad_rows)(m, dst), *rs = SFX(grad_rows)(m, src);
    for (size_t k = 0; k < I; k++) {
        if (!rs[k])
            continue;
        REAL *restrict dk = d + k * H, *restrict sk = s + k * H;
        for (size_t h = 0; h < H; h++) {
            dk[h] += sk[h];
            sk[h] = 0;
        }
        rd[k] = 1;
        rs[k] = 0;
    }
    d += I * H, s += I * H;
    for (size_t i = 0; i < n12; i++) {
        d[i] += s[i];
        s[i] = 0;
    }
}

/* g made clean (all +0) */
static void SFX(grad_clean)(const mlp_model *m, void *g)
{
    size_t I = m->cfg.inputs, H = m->cfg.hidden, n12 = H * m->cfg.outputs;
    REAL *x = g;
    uint8_t *rows = SFX(grad_rows)(m, g);
    for (size_t k = 0; k < I; k++)
        if (rows[k]) {
            memset(x + k * H, 0, H * sizeof(REAL));
            rows[k] = 0;
        }
    memset(x + I * H, 0, n12 * sizeof(REAL));
}

static void SFX(train_epoch_micro)(mlp_model *m, const mlp_data *d, mlp_metrics *acc)
{
    const mlp_model_config *c = &m->cfg;
    const TABLE_TYPE *k = &m->TABLE;
    const mlp_grad_comm *comm = m->comm;
    int rank = comm ? comm->rank : 0, ranks = comm ? comm->size : 1;
    size_t I = c->inputs, H = c->hidden, O = c->outputs, M = c->micro_batch;
    size_t len = I * H + H * O, n01 = I * H;
    const REAL *X = SFX(data_x)(d), *Y = d->y;
    REAL *hidden = m->hidden, *delta_out = m->delta_out, *delta_hidden = m->delta_hidden;
    REAL *mask = m->mask, *mask2 = m->mask2;
    const REAL one = 1;
    size_t slot = 0, correct = 0;
    for (size_t start = 0; start < d->count; start += c->batch) {
        size_t rows = d->count - start < c->batch ? d->count - start : c->batch;
        size_t n = (rows + M - 1) / M, a, b;
        mlp_tree_share(n, rank, ranks, &a, &b);
        if (c->dropout)
            for (size_t i = 0; i < rows * H; i++) {
                mask[i] = (REAL)mlp_rng_bit(&m->rng);
                mask2[i] = mask[i] * 2;
            }
        for (size_t i = 0; i < m->tree.depth; i++) /* last step's pieces, or its root */
            if (m->tree.buf[i])
                SFX(grad_clean)(m, m->tree.buf[i]);
        m->tree.add = SFX(grad_add);
        m->tree.add_user = m;
        mlp_tree_reset(&m->tree, n, c->precision, len);
        if (!mlp_model_reserve(m, slot + n, b - a))
            return;
        memset(m->mb_error + slot, 0, n * sizeof m->mb_error[0]);
        for (size_t mb = a; mb < b; mb++) {
            size_t r0 = mb * M, mr = rows - r0 < M ? rows - r0 : M;
            const REAL *x = X + (start + r0) * I;
            k->forward(mr, I, H, x, I, m->w01, H, hidden, H);
            k->relu(mr * H, hidden);
            if (c->dropout)
                k->multiply(mr * H, hidden, mask2 + r0 * H);
            k->forward(mr, H, O, hidden, H, m->w12, O, m->out, O);
            mlp_metrics part = {0};
            SFX(score_rows)(m, mr, Y + (start + r0) * O, d->labels + start + r0, &part);
            m->mb_error[slot + mb] = part.error_sum;
            correct += part.correct;
            k->backward(mr, H, O, delta_out, O, m->w12, O, delta_hidden, H);
            k->relu_backward(mr * H, hidden, delta_hidden, c->relu_grad);
            if (c->dropout)
                k->multiply(mr * H, delta_hidden, mask + r0 * H);
            REAL *g = mlp_tree_take(&m->tree); /* clean */
            if (!g)
                g = m->grad_pool[m->grad_used++]; /* reserved above, zeroed */
            uint8_t *used = SFX(grad_rows)(m, g);
            for (size_t row = 0; row < mr; row++)
                for (size_t i = 0; i < I; i++)
                    used[i] |= x[row * I + i] != 0;
            k->update(mr, I, H, one, x, I, delta_hidden, H, g, H);
            k->update(mr, H, O, one, hidden, H, delta_out, O, g + n01, O);
            mlp_tree_push(&m->tree, (mlp_tree_node){.lo = mb, .size = 1}, g);
        }
        REAL *sum = m->grad_sum;
        if (ranks > 1) {
            comm->sum(comm->user, &m->tree, sum);
        } else {
            sum = mlp_tree_finish(&m->tree);
        }
        REAL alpha = (REAL)(c->alpha / (double)rows);
        k->update(1, 1, n01, alpha, &one, 1, sum, n01, m->w01, n01);
        k->update(1, 1, H * O, alpha, &one, 1, sum + n01, H * O, m->w12, H * O);
        if (comm && comm->after_step)
            comm->after_step(comm->user, m->w01, n01 * sizeof(REAL), m->w12,
                             H * O * sizeof(REAL));
        slot += n;
    }
    if (comm && ranks > 1)
        comm->metrics(comm->user, m->mb_error, slot, &correct);
    for (size_t i = 0; i < slot; i++)
        acc->error_sum += m->mb_error[i];
    acc->correct = correct;
    acc->count = d->count;
}
