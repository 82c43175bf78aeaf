/* mpi_job.h: what `train` and `bench` do alike under mpirun (src/dist.h): start MPI,
 * load the workload on every rank and agree that all ranks loaded the same, or end the
 * job together: the rank that failed says why in one line, every rank exits 1. */
#ifndef MLP_MPI_JOB_H
#define MLP_MPI_JOB_H

#include "cli.h"

/* Starts MPI when launched by mpirun; a failure is one line and exit 1. Under mpirun,
 * when neither --threads (threads 0) nor OMP_NUM_THREADS says otherwise, threaded sets
 * get the host's cores shared among the ranks on it (at least one each), not all of
 * them per rank. */
void mlp_mpi_job_start(const char *cmd, int threads);
/* Loads opt's workload into w on every rank. Returns 0 when every rank loaded it and
 * all agree on the workload, the kernel set and the data's bytes; else the exit status
 * (1), the reason printed once (by the failing rank, or rank 0 for a disagreement),
 * and nothing to free. */
int mlp_mpi_job_load(const char *cmd, const mlp_run_options *opt, const mlp_kernel_set *set,
                     mlp_workload *w);
/* Ends MPI and returns status (for `return mlp_mpi_job_end(rc);`). */
int mlp_mpi_job_end(int status);

#endif
