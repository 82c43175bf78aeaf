/* flops.c: the FLOP model of the workload (see flops.h). */
#include "flops.h"

mlp_flops mlp_flops_train_epoch(const mlp_model_config *m, size_t count, size_t nonzero)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero;
    /* forward I*H + H*O, backward O*H, update I*H + H*O: 2 FLOP per multiply-add */
    return (mlp_flops){.dense = n * (4 * I * H + 6 * H * O),
                       .executed = 4 * nz * H + n * 6 * H * O};
}

mlp_flops mlp_flops_test_pass(const mlp_model_config *m, size_t count, size_t nonzero)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero;
    return (mlp_flops){.dense = n * (2 * I * H + 2 * H * O),
                       .executed = 2 * nz * H + n * 2 * H * O};
}

mlp_flops mlp_bytes_train_epoch(const mlp_model_config *m, size_t count, size_t nonzero,
                                size_t size)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero, s = (double)size;
    return (mlp_flops){.dense = s * (n * I + 3 * n * I * H + 4 * n * H * O),
                       .executed = s * (n * I + 3 * nz * H + 4 * n * H * O)};
}

mlp_flops mlp_bytes_test_pass(const mlp_model_config *m, size_t count, size_t nonzero,
                              size_t size)
{
    double I = (double)m->inputs, H = (double)m->hidden, O = (double)m->outputs;
    double n = (double)count, nz = (double)nonzero, s = (double)size;
    return (mlp_flops){.dense = s * (n * I + n * I * H + n * H * O),
                       .executed = s * (n * I + nz * H + n * H * O)};
}

size_t mlp_flops_nonzero_inputs(const mlp_dataset *d)
{
    size_t nz = 0;
    for (size_t i = 0; i < d->count * d->pixels; i++)
        nz += d->images[i] != 0;
    return nz;
}
