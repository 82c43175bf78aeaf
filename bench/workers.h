/* workers.h: the worker processes of `mlpbench bench`. As pyperf does, the repetitions
 * run in fresh processes (exec of this program, `bench --worker F:C` with the parent's
 * arguments), one after another, so that what differs from one process to the next
 * (memory layout, page placement, the state the OS leaves) is sampled in the
 * repetitions instead of being fixed for the whole run. A worker prints the samples of
 * its repetitions as JSON on stdout; the parent gathers them into its run. */
#ifndef MLP_WORKERS_H
#define MLP_WORKERS_H

#include <jansson.h>

#include "bench.h"

/* Runs run->cfg.processes workers, one after another, and gathers their samples.
 * Returns 0, or -1 with a one-line message (a worker's own message if it failed). */
int mlp_bench_run_workers(mlp_bench_run *run, mlp_progress *pg, char *err, size_t errlen);

/* What a worker prints: the samples of its repetitions (new reference; NULL on OOM). */
json_t *mlp_bench_worker_samples(const mlp_bench_run *run);

#endif
