/* cli.h: shared pieces of the mlpbench command line: strict option-value parsing,
 * the workload options common to train / bench / check, and the choice of kernel
 * set. Usage errors print one line and exit with status 2. */
#ifndef MLP_CLI_H
#define MLP_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "engine.h"

enum { MLP_EXIT_FAILURE = 1, MLP_EXIT_USAGE = 2, MLP_EXIT_REGRESSION = 3 };
/* Room for a one-line error message: a path of up to 4095 bytes and its cause. */
enum { MLP_ERROR_MAX = 8192 };

/* The workload and how to run it, as given on the command line. */
typedef struct mlp_run_options {
    mlp_run_spec spec;   /* the workload */
    const char *set;     /* kernel set; NULL: $MLPBENCH_SET, else the fastest runnable */
    int threads;         /* 0: one per physical core */
    bool json;           /* --format json */
} mlp_run_options;

enum {
    MLP_OPT_HELP = 'h',
    MLP_OPT_PRECISION = 1000, MLP_OPT_SEED, MLP_OPT_HIDDEN, MLP_OPT_ALPHA, MLP_OPT_EPOCHS,
    MLP_OPT_TRAIN_COUNT, MLP_OPT_TEST_COUNT, MLP_OPT_TEST_EVERY, MLP_OPT_BATCH,
    MLP_OPT_DROPOUT, MLP_OPT_RELU_GRAD, MLP_OPT_DATA, MLP_OPT_FORMAT, MLP_OPT_SET,
    MLP_OPT_THREADS, MLP_OPT_MICRO_BATCH,
    MLP_OPT_COMMAND_FIRST = 1100, /* commands number their own options from here */
};

/* getopt_long entries of the workload options; a command lists them in its table. */
#define MLP_WORKLOAD_OPTIONS                                                              \
    {"set", required_argument, NULL, MLP_OPT_SET},                                        \
    {"variant", required_argument, NULL, MLP_OPT_SET}, /* the old name */                 \
    {"precision", required_argument, NULL, MLP_OPT_PRECISION},                            \
    {"seed", required_argument, NULL, MLP_OPT_SEED},                                      \
    {"hidden", required_argument, NULL, MLP_OPT_HIDDEN},                                  \
    {"alpha", required_argument, NULL, MLP_OPT_ALPHA},                                    \
    {"epochs", required_argument, NULL, MLP_OPT_EPOCHS},                                  \
    {"train-count", required_argument, NULL, MLP_OPT_TRAIN_COUNT},                        \
    {"test-count", required_argument, NULL, MLP_OPT_TEST_COUNT},                          \
    {"test-every", required_argument, NULL, MLP_OPT_TEST_EVERY},                          \
    {"batch", required_argument, NULL, MLP_OPT_BATCH},                                    \
    {"micro-batch", required_argument, NULL, MLP_OPT_MICRO_BATCH},                        \
    {"dropout", no_argument, NULL, MLP_OPT_DROPOUT},                                      \
    {"relu-grad", required_argument, NULL, MLP_OPT_RELU_GRAD},                            \
    {"data", required_argument, NULL, MLP_OPT_DATA},                                      \
    {"format", required_argument, NULL, MLP_OPT_FORMAT},                                  \
    {"threads", required_argument, NULL, MLP_OPT_THREADS},                                \
    {"help", no_argument, NULL, MLP_OPT_HELP}
/* Help text for those options. */
extern const char mlp_workload_help[];

void mlp_run_options_defaults(mlp_run_options *o);
/* Handles one getopt_long result that is a workload option; returns false if `opt`
 * is not one (the caller handles it). Bad values exit 2. */
bool mlp_parse_workload_option(const char *cmd, int opt, const char *arg, mlp_run_options *o);

/* One-line usage error on stderr, then exit(2). */
_Noreturn void mlp_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Unknown option / missing argument as reported by getopt_long, then exit(2). */
_Noreturn void mlp_bad_option(const char *cmd, char *const argv[]);
/* Failure at run time (bad data, ...): one line on stderr; returns MLP_EXIT_FAILURE. */
int mlp_fail(const char *cmd, const char *msg);

unsigned long mlp_parse_ulong(const char *cmd, const char *opt, const char *s, unsigned long min,
                              unsigned long max);
double mlp_parse_double(const char *cmd, const char *opt, const char *s, double min, double max);
/* The index of s in the NULL-terminated choices; anything else is a usage error
 * ("--format expects text or json, got 'xml'"). */
int mlp_parse_choice(const char *cmd, const char *opt, const char *s,
                     const char *const *choices);

/* The kernel set to run: `name` (or, when name is NULL, $MLPBENCH_SET or its old name
 * $MLPBENCH_VARIANT), else the fastest runnable one. An unknown set, one this CPU
 * cannot run, or one without the precision is a usage error (exit 2). */
const mlp_kernel_set *mlp_choose_set(const char *cmd, const char *name, mlp_precision p);
/* The set called `name`, as given by `source` (an option or variable name, for the
 * message): an empty or unknown name, or a set this CPU cannot run, is a usage error. */
const mlp_kernel_set *mlp_lookup_set(const char *cmd, const char *source, const char *name);
/* Applies --threads to OpenMP; 0: $OMP_NUM_THREADS when set (as the runtime read it),
 * else one per physical core. Returns the count used. */
int mlp_apply_threads(int threads);

#endif
