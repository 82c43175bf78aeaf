/* model.c: the seed network's state (weights, work buffers, RNG stream) and the
 * precision dispatch over model_impl.h. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grad_comm.h"
#include "model.h"
#include "pages.h"
#include "rng.h"
#include "treesum.h"

enum { TEST_CHUNK_ROWS = 256 }; /* records per forward call in the test pass */

struct mlp_data {
    mlp_precision precision;
    size_t count;
    const uint8_t *images; /* [count, pixels]: the data set's, which outlives d */
    size_t pixels;
    /* [count, pixels]: pixels / 255, made from images on first use (data_x in
     * model_impl.h): a test pass through forward_sparse never needs them */
    void *x;
    void *y;         /* [count, outputs]: one-hot labels */
    uint8_t *labels; /* [count] */
    /* the inputs by their nonzero entries (CSR), for a set's forward_sparse, made on
     * first use (data_csr): row r's in [rows[r], rows[r + 1]) of cols (ascending) and
     * vals (the same values as x) */
    size_t *rows;    /* [count + 1] */
    int32_t *cols;   /* [nonzero], the start of one allocation with vals */
    void *vals;      /* [nonzero] */
};

struct mlp_model {
    mlp_model_config cfg;
    const mlp_kernel_set *set;
    mlp_kernels_f32 k32;
    mlp_kernels_f64 k64;
    mlp_kernels_f32 base_k32; /* of the set a threaded set is built on (else k32's) */
    mlp_kernels_f64 base_k64;
    mlp_rng rng;
    size_t rows_cap; /* rows the work buffers hold */
    void *block;     /* every buffer of the next two lines, in this one allocation */
    void *w01, *w12; /* [inputs, hidden], [hidden, outputs] */
    void *hidden, *out, *delta_out, *delta_hidden, *mask, *mask2;
    double *row_errors; /* [rows_cap]: a test chunk's squared errors (score_head) */
    /* the micro-batch path (B > 1, microbatch_impl.h) */
    const mlp_grad_comm *comm;       /* NULL: alone */
    mlp_tree tree;                   /* this step's micro-batch gradients */
    void *grad_pool[MLP_TREE_MAX];   /* gradient buffers [W01 | W12 | rows], made on
                                        demand: rows[I] marks the W01 rows that may be
                                        non-zero; every other element is +0 */
    size_t grad_used;                /* of grad_pool */
    void *grad_sum;                  /* the step's gradient when ranks share it */
    double *mb_error;                /* [micro-batches of the epoch]: error sums */
    size_t mb_error_cap;
    /* the threaded test pass (model_test_impl.h): every thread's work buffers and the
     * rows' squared errors, kept from pass to pass instead of allocated in each */
    void *test_work;
    size_t test_work_bytes;
    double *test_errors;
    size_t test_errors_cap;
};

static bool mlp_model_reserve(mlp_model *m, size_t slots, size_t gradients);

enum { MODEL_BUFFERS = 9 }; /* w01, w12 and the seven work buffers */

/* Buffers that are written whole first come uncleared from mlp_pages_alloc (pages.h:
 * 64-byte aligned, huge pages when big: the data sets' copies, 31 MB for the test set's
 * dense rows in float32, 1.2 MB for the training set's CSR copy). */

/* 64-byte aligned, zeroed; NULL on failure */
static void *alloc_aligned(size_t bytes)
{
    void *p = mlp_pages_alloc(bytes);
    if (p)
        memset(p, 0, (bytes + 63) / 64 * 64);
    return p;
}

#define REAL float
#define SFX(name) name##_f32
#define TABLE k32
#define TABLE_TYPE mlp_kernels_f32
#define BASE_TABLE base_k32
#include "model_impl.h"

#define REAL double
#define SFX(name) name##_f64
#define TABLE k64
#define TABLE_TYPE mlp_kernels_f64
#define BASE_TABLE base_k64
#include "model_impl.h"

/* Room for `slots` micro-batch error sums in the epoch and for the gradient buffers a
 * step of `gradients` micro-batches needs (its tree's stack and one being computed).
 * On failure: a message, and the process ends (an epoch has no way to fail). */
static bool mlp_model_reserve(mlp_model *m, size_t slots, size_t gradients)
{
    const mlp_model_config *c = &m->cfg;
    size_t rs = mlp_precision_size(c->precision);
    size_t len = c->inputs * c->hidden + c->hidden * c->outputs;
    size_t depth = 2;
    for (size_t n = gradients; n > 1; n = (n + 1) / 2)
        depth += 2;
    if (depth > MLP_TREE_MAX)
        depth = MLP_TREE_MAX;
    bool ok = true;
    if (slots > m->mb_error_cap) {
        size_t cap = slots * 2;
        double *e = realloc(m->mb_error, cap * sizeof *e);
        ok = e != NULL;
        if (e) {
            m->mb_error = e;
            m->mb_error_cap = cap;
        }
    }
    if (ok && !m->grad_sum)
        ok = (m->grad_sum = mlp_pages_alloc(len * rs)) != NULL;
    for (size_t i = m->grad_used; ok && i < depth; i++)
        if (!m->grad_pool[i]) /* zeroed: a gradient buffer is handed out clean */
            ok = (m->grad_pool[i] = alloc_aligned(len * rs + c->inputs)) != NULL;
    if (!ok) {
        fprintf(stderr, "mlpbench: error: out of memory for the micro-batch gradients\n");
        exit(1);
    }
    return ok;
}

void mlp_model_set_comm(mlp_model *m, const mlp_grad_comm *comm)
{
    m->comm = comm;
}

mlp_model_config mlp_model_config_seed(void)
{
    return (mlp_model_config){
        .inputs = 784, .hidden = 40, .outputs = 10, .precision = MLP_F64, .seed = 1,
        .alpha = 0.005, .batch = 1, .micro_batch = 10, .dropout = false, .relu_grad = MLP_RELU_GRAD_SEED,
    };
}

mlp_data *mlp_data_prepare(const mlp_dataset *ds, mlp_precision precision)
{
    mlp_data *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    size_t rs = mlp_precision_size(precision);
    d->precision = precision;
    d->count = ds->count;
    d->images = ds->images;
    d->pixels = ds->pixels;
    d->y = mlp_pages_alloc(ds->count * ds->classes * rs); /* prepare writes every element */
    d->labels = malloc(ds->count ? ds->count : 1);
    if (!d->y || !d->labels) {
        mlp_data_free(d);
        return NULL;
    }
    memcpy(d->labels, ds->labels, ds->count);
    if (precision == MLP_F32)
        prepare_f32(d, ds);
    else
        prepare_f64(d, ds);
    return d;
}

void mlp_data_free(mlp_data *d)
{
    if (!d)
        return;
    free(d->rows);
    free(d->cols); /* and vals */
    free(d->x);
    free(d->y);
    free(d->labels);
    free(d);
}

size_t mlp_data_count(const mlp_data *d)
{
    return d->count;
}

size_t mlp_data_sparse(const mlp_data *d, const size_t **rows, const int32_t **cols,
                       const void **vals)
{
    if (d->precision == MLP_F32)
        data_csr_f32(d);
    else
        data_csr_f64(d);
    *rows = d->rows;
    *cols = d->cols;
    *vals = d->vals;
    return d->rows[d->count];
}

mlp_model *mlp_model_create(const mlp_model_config *cfg, const mlp_kernel_set *set, char *err,
                            size_t errlen)
{
    if (!mlp_kernel_set_has(set, cfg->precision)) {
        snprintf(err, errlen, "kernel set '%s' has no %s kernels", set->name,
                 mlp_precision_long_name(cfg->precision));
        return NULL;
    }
    if (!cfg->inputs || !cfg->hidden || !cfg->outputs || !cfg->batch || !cfg->micro_batch) {
        snprintf(err, errlen, "model sizes, batch and micro-batch must be at least 1");
        return NULL;
    }
    mlp_model *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->set = set;
    mlp_kernel_set_table_f32(set, &m->k32);
    if (mlp_kernel_set_has(set, MLP_F64))
        mlp_kernel_set_table_f64(set, &m->k64);
    const mlp_kernel_set *base = set->base ? set->base() : set;
    mlp_kernel_set_table_f32(base, &m->base_k32);
    if (mlp_kernel_set_has(base, MLP_F64))
        mlp_kernel_set_table_f64(base, &m->base_k64);
    m->rows_cap = cfg->batch > TEST_CHUNK_ROWS ? cfg->batch : TEST_CHUNK_ROWS;
    size_t rs = mlp_precision_size(cfg->precision), rows = m->rows_cap;
    /* the weights and work buffers in one zeroed block, each part on its own 64-byte
     * lines: 620 KB for the seed in float64, one huge page (pages.h) where separate
     * buffers had cost 150 page faults, 1.5 ms of start-up in a VM */
    size_t sizes[MODEL_BUFFERS] = {
        cfg->inputs * cfg->hidden * rs, cfg->hidden * cfg->outputs * rs,
        rows * cfg->hidden * rs,        rows * cfg->hidden * rs,
        rows * cfg->hidden * rs,        rows * cfg->hidden * rs,
        rows * cfg->outputs * rs,       rows * cfg->outputs * rs,
        rows * sizeof(double)};
    size_t total = 0;
    for (int i = 0; i < MODEL_BUFFERS; i++)
        total += sizes[i] = (sizes[i] + 63) / 64 * 64; /* whole lines each */
    m->block = alloc_aligned(total);
    if (!m->block) {
        mlp_model_free(m);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    void **parts[MODEL_BUFFERS] = {&m->w01,  &m->w12,   &m->hidden,
                                   &m->delta_hidden, &m->mask, &m->mask2,
                                   &m->out,  &m->delta_out, (void **)&m->row_errors};
    char *at = m->block;
    for (int i = 0; i < MODEL_BUFFERS; i++) {
        *parts[i] = at;
        at += sizes[i];
    }
    mlp_rng_seed(&m->rng, cfg->seed);
    if (cfg->precision == MLP_F32)
        init_weights_f32(m);
    else
        init_weights_f64(m);
    return m;
}

void mlp_model_free(mlp_model *m)
{
    if (!m)
        return;
    free(m->block);
    for (size_t i = 0; i < MLP_TREE_MAX; i++)
        free(m->grad_pool[i]);
    free(m->grad_sum);
    free(m->mb_error);
    free(m->test_work);
    free(m->test_errors);
    free(m);
}

const mlp_model_config *mlp_model_config_of(const mlp_model *m)
{
    return &m->cfg;
}

static void finish(mlp_metrics *acc)
{
    acc->error = acc->count ? acc->error_sum / (double)acc->count : 0;
    acc->accuracy = acc->count ? (double)acc->correct / (double)acc->count : 0;
}

void mlp_model_train_epoch(mlp_model *m, const mlp_data *d, mlp_metrics *out)
{
    memset(out, 0, sizeof *out);
    bool micro = m->cfg.batch > 1; /* B = 1, the seed, keeps its own path */
    if (m->cfg.precision == MLP_F32)
        (micro ? train_epoch_micro_f32 : train_epoch_f32)(m, d, out);
    else
        (micro ? train_epoch_micro_f64 : train_epoch_f64)(m, d, out);
    finish(out);
}

void mlp_model_ready(mlp_model *m, const mlp_data *train, const mlp_data *test)
{
    if (m->cfg.precision == MLP_F32)
        ready_f32(m, train, test);
    else
        ready_f64(m, train, test);
}

void mlp_model_test(mlp_model *m, const mlp_data *d, mlp_metrics *out)
{
    memset(out, 0, sizeof *out);
    if (m->cfg.precision == MLP_F32)
        test_f32(m, d, out);
    else
        test_f64(m, d, out);
    finish(out);
}

const void *mlp_model_weights(const mlp_model *m, int layer, size_t *count)
{
    const mlp_model_config *c = &m->cfg;
    *count = layer == 0 ? c->inputs * c->hidden : c->hidden * c->outputs;
    return layer == 0 ? m->w01 : m->w12;
}

void *mlp_model_weights_mut(mlp_model *m, int layer, size_t *count)
{
    return (void *)mlp_model_weights(m, layer, count);
}
