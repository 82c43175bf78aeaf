/* bench_mpi.h: `mlpbench bench` under mpirun (bench_mpi.c):
 *   --scaling strong,weak  the data-parallel step on 1..N ranks: per rank, compute and
 *                          communication seconds per step; strong scaling keeps the batch
 *                          B, weak scaling gives each rank B rows (batch B x ranks);
 *                          one result file of kind "mpi-scaling", gathered by rank 0
 *   --mpi-probe            latency and bandwidth between ranks 0 and 1 (ping-pong), in
 *                          the same file (or alone)
 *   --independent          every rank runs the ordinary benchmark, ranks that share a
 *                          host one after another; rank 0 writes one file per rank */
#ifndef MLP_BENCH_MPI_H
#define MLP_BENCH_MPI_H

#include <stdbool.h>

#include "cli.h"

enum { MLP_BENCH_MPI_MAX_RANKS = 64 };

typedef struct mlp_bench_mpi_config {
    mlp_run_options run;  /* the workload; run.spec.train.model.batch is B */
    bool strong, weak, probe;
    int ranks[MLP_BENCH_MPI_MAX_RANKS]; /* rank counts to measure; none: 1..N */
    int nranks;
    int warmup, epochs;   /* per case */
    const char *out;      /* NULL: results/mpi-scaling-<machine>-<time>.json */
    bool save;
} mlp_bench_mpi_config;

/* Runs the scaling cases and/or the probe; returns the exit status. */
int mlp_bench_mpi_scaling(const mlp_bench_mpi_config *c);

/* --independent: runs `run` (the ordinary benchmark: bench's own main with argv) on every
 * rank, co-located ranks in turn, and gathers the result documents to rank 0, which
 * writes each to its own file. Returns the exit status. */
typedef int (*mlp_bench_one_fn)(void *user, char **doc_json);
int mlp_bench_mpi_independent(mlp_bench_one_fn run, void *user, const char *out_dir,
                              bool save);

#endif
