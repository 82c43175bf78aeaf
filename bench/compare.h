/* compare.h: the judgement of `mlpbench compare`: two sides (one or more result files
 * each) matched benchmark by benchmark, each match judged by the ratio B/A of its
 * repetitions with a confidence interval (ratio.h), against a threshold:
 *   slower  the whole interval lies above 1 + threshold
 *   faster  the whole interval lies below 1 / (1 + threshold)
 *   same    the whole interval lies within [1 / (1 + threshold), 1 + threshold]
 *   noisy   none of these: the interval is too wide to decide (or the samples too few
 *           to reach the confidence asked for)
 *   FAILED  the benchmark's correctness check failed on either side: never "faster".
 * The intervals control the family-wise error over all the benchmarks compared
 * (Bonferroni): each is at confidence 1 - alpha / m for m benchmarks. Paired mode
 * takes the files of the two sides in pairs (file i of A with file i of B, as
 * tools/perf-ab writes them from interleaved runs) and judges the ratios of the pairs. */
#ifndef MLP_COMPARE_H
#define MLP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "ratio.h"
#include "results_read.h"

typedef enum {
    MLP_VERDICT_SAME, MLP_VERDICT_FASTER, MLP_VERDICT_SLOWER, MLP_VERDICT_NOISY,
    MLP_VERDICT_FAILED,
} mlp_verdict;
const char *mlp_verdict_name(mlp_verdict v);

typedef struct mlp_compare_options {
    double threshold;     /* 0.05: 5% */
    double alpha;         /* 0.05: family-wise error over all benchmarks compared */
    bool paired;
    bool across_machines; /* compare files from different machines or builds */
    bool cpu_time;        /* judge process CPU time instead of wall time (a loaded
                             machine: the time a process waits for a core is not in it) */
} mlp_compare_options;

typedef struct mlp_compare_row {
    const char *name;
    double a_median, b_median; /* seconds: medians of the units */
    size_t a_n, b_n;           /* units (repetitions, or pairs) */
    mlp_ratio ratio;
    mlp_verdict verdict;
    bool few;                  /* too few units for the confidence asked for */
    double a_peak_fraction, b_peak_fraction; /* executed GFLOP/s / peak; 0 unknown */
} mlp_compare_row;

typedef struct mlp_compare_result {
    double level;         /* confidence of each interval: 1 - alpha / rows */
    size_t nrows;
    mlp_compare_row *rows; /* in name order */
    mlp_compare_row geomean; /* over the rows not FAILED: name "geometric mean" */
    size_t counts[5];     /* rows per verdict */
    size_t only_a, only_b; /* benchmarks on one side only */
} mlp_compare_result;

/* Judges side B against side A (na, nb files; paired: na == nb, file i with file i).
 * Returns 0, or -1 with a one-line message (files not comparable, no benchmark in
 * common, out of memory). The rows point into the files: keep them until done. */
int mlp_compare(const mlp_result_file *a, size_t na, const mlp_result_file *b, size_t nb,
                const mlp_compare_options *o, mlp_compare_result *out, char *err, size_t errlen);
void mlp_compare_free(mlp_compare_result *r);

#endif
