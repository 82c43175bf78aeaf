/* results_read.h: reading result files back for `compare` (and the report): mlpbench's
 * own files (results/README.md, schema_version 1 and 2) and plain Google Benchmark
 * JSON. Everything is validated on the way in: a file that cannot be read honestly
 * (unknown schema_version, a sample that is not a positive number, a time unit that
 * cannot be converted, an empty case, a duplicate name) is refused with a one-line
 * reason, never read as zeros.
 *
 * A file becomes a list of series, one per benchmark (mlpbench: "epoch/<case>" and
 * "test/<case>"), each with one value per repetition, in seconds: the median of the
 * repetition's epochs for a training epoch, its test pass, or a Google Benchmark
 * iteration entry's real_time. The repetition is the unit of comparison because the
 * noise that matters lies between repetitions and processes, not between the epochs
 * of one repetition. */
#ifndef MLP_RESULTS_READ_H
#define MLP_RESULTS_READ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum { MLP_RESULT_MLPBENCH, MLP_RESULT_GBENCH } mlp_result_kind;

typedef struct mlp_result_series {
    char *name;
    double *values;      /* seconds, one per repetition */
    double *cpu;         /* the same in process CPU time; NULL when the file has none */
    size_t n;
    const char *check;   /* "PASSED", "FAILED", "SKIPPED", or NULL when not checked */
    double gflops;       /* executed GFLOP/s at the median, 0 if unknown */
    double peak_gflops;  /* the machine's FMA peak for this case, 0 if unknown */
} mlp_result_series;

typedef struct mlp_result_file {
    char *label;          /* the path, for messages */
    mlp_result_kind kind;
    int schema_version;   /* 0 for Google Benchmark files */
    json_t *machine;      /* CPU model and features (or what Google Benchmark records) */
    json_t *build;        /* compiler, flags, build type */
    json_t *workload;     /* model, counts, data checksum; NULL for Google Benchmark */
    mlp_result_series *series; /* sorted by name */
    size_t n;
} mlp_result_file;

/* The schema versions this build reads. */
enum { MLP_RESULTS_READ_MIN_SCHEMA = 1, MLP_RESULTS_READ_MAX_SCHEMA = 2 };

/* Parses a document of len bytes (label names it in messages). Returns 0, or -1 with a
 * one-line message "label: ..." in err (then *out holds nothing to free). */
int mlp_result_parse(const char *text, size_t len, const char *label, mlp_result_file *out,
                     char *err, size_t errlen);
/* The same, from a file. */
int mlp_result_load(const char *path, mlp_result_file *out, char *err, size_t errlen);
void mlp_result_free(mlp_result_file *f);

/* The series called name, or NULL (binary search). */
const mlp_result_series *mlp_result_find(const mlp_result_file *f, const char *name);

/* Whether a and b may be compared: the same kind of file and workload and, unless
 * across_machines, the same machine and build. If not, false and the reason. */
bool mlp_result_comparable(const mlp_result_file *a, const mlp_result_file *b,
                           bool across_machines, char *why, size_t len);

#endif
