/* results.h: result files of `mlpbench bench`: a JSON document that is a superset of
 * Google Benchmark's (a `context` block and a `benchmarks` list with its field names),
 * plus the machine and build, the configuration, raw samples, statistics and
 * correctness (see results/README.md), written atomically: a temporary file in the
 * same directory, fsync, rename; never a partial file. */
#ifndef MLP_RESULTS_H
#define MLP_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#include "bench.h"

enum { MLP_RESULTS_SCHEMA_VERSION = 2, MLP_RESULTS_PATH_MAX = 4096 };

/* The result document of a finished run (new reference; NULL if out of memory). */
json_t *mlp_results_document(const mlp_bench_run *run);

/* Writes doc to path atomically (creating the directory if it is missing, one level).
 * Returns 0, or -1 with a one-line message; on failure no file is left at path nor
 * any temporary file beside it. */
int mlp_results_write(const json_t *doc, const char *path, char *err, size_t errlen);

/* Whether a result file can be written at path (its directory exists or can be made,
 * and a file can be created in it), checked before a long run. Returns 0, or -1 with a
 * one-line message. */
int mlp_results_check_writable(const char *path, char *err, size_t errlen);

/* The default directory of result files: $MLPBENCH_RESULTS if set, else results/ of
 * the source tree (fixed at build time). */
const char *mlp_results_default_dir(void);

/* dir/<slug>-<UTC yyyymmddThhmmssZ>.json for the machine description m. Returns 0, or
 * -1 if it does not fit. */
int mlp_results_default_path(const mlp_machine *m, const char *dir, char *out, size_t len);

#endif
