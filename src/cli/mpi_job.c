/* mpi_job.c: start, load and agree under mpirun (see mpi_job.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "mpi_job.h"
#include "topo.h"

void mlp_mpi_job_start(const char *cmd, int threads)
{
    char err[MLP_ERROR_MAX];
    if (mlp_dist_start(err, sizeof err) != 0) {
        mlp_fail(cmd, err);
        exit(MLP_EXIT_FAILURE);
    }
    const char *env = getenv("OMP_NUM_THREADS");
    if (mlp_dist_active() && threads <= 0 && !(env && *env)) {
        int share = mlp_topo_physical_cores() / mlp_dist_ranks_on_host();
        mlp_apply_threads(share > 0 ? share : 1);
    }
}

static uint64_t hash_value(uint64_t h, const void *v, size_t n)
{
    return mlp_dist_hash(h, v, n);
}

/* What every rank must run alike: the workload, the set, and the data's bytes. */
static uint64_t job_hash(const mlp_run_options *opt, const mlp_kernel_set *set,
                         const mlp_workload *w)
{
    const mlp_model_config *m = &opt->spec.train.model;
    uint64_t h = MLP_DIST_HASH_START;
    size_t sizes[] = {m->inputs, m->hidden, m->outputs, m->batch, m->micro_batch,
                      opt->spec.train_count, opt->spec.test_count};
    int ints[] = {(int)m->precision, (int)m->dropout, (int)m->relu_grad,
                  opt->spec.train.epochs, opt->spec.train.test_every};
    h = hash_value(h, sizes, sizeof sizes);
    h = hash_value(h, ints, sizeof ints);
    h = hash_value(h, &m->seed, sizeof m->seed);
    h = hash_value(h, &m->alpha, sizeof m->alpha);
    h = hash_value(h, set->name, strlen(set->name));
    const mlp_dataset *ds[] = {&w->train, &w->test};
    for (int i = 0; i < 2; i++) {
        h = hash_value(h, ds[i]->images, ds[i]->count * ds[i]->pixels);
        h = hash_value(h, ds[i]->labels, ds[i]->count);
    }
    return h;
}

int mlp_mpi_job_load(const char *cmd, const mlp_run_options *opt, const mlp_kernel_set *set,
                     mlp_workload *w)
{
    char err[MLP_ERROR_MAX], line[MLP_ERROR_MAX + 64];
    bool ok = mlp_workload_load(w, &opt->spec, err, sizeof err) == 0;
    if (!mlp_dist_active())
        return ok ? 0 : mlp_fail(cmd, err);
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    int first = mlp_dist_first_failure(ok);
    if (first >= 0) {
        if (rank == first) {
            snprintf(line, sizeof line, "rank %d of %d: %s", rank, size, err);
            mlp_fail(cmd, line);
        }
        if (ok)
            mlp_workload_free(w);
        return MLP_EXIT_FAILURE;
    }
    uint64_t h = job_hash(opt, set, w);
    if (!mlp_dist_all_same(&h, sizeof h)) {
        if (rank == 0)
            mlp_fail(cmd, "the ranks do not all run the same workload, kernel set and data "
                          "(every rank must be given the same options and data)");
        mlp_workload_free(w);
        return MLP_EXIT_FAILURE;
    }
    return 0;
}

int mlp_mpi_job_end(int status)
{
    mlp_dist_stop();
    return status;
}
