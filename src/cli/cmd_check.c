/* cmd_check.c: `mlpbench check`: every kernel set against the scalar reference, at
 * the kernel level (check_kernels.c) and at the training level (check_training.c),
 * printed as tables; exits 1 if anything FAILED. A set this CPU cannot run is
 * SKIPPED, never PASSED. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_kernels.h"
#include "check_training.h"
#include "cli.h"
#include "commands.h"

enum { OPT_KERNELS_ONLY = MLP_OPT_COMMAND_FIRST, OPT_TRAINING_ONLY, OPT_CHECK_SEED,
       OPT_MAX_THREADS };

static const char usage[] =
    "usage: mlpbench check [options]\n"
    "Checks every kernel set this binary has against the scalar reference:\n"
    "  kernel level:   each operation on random inputs over a sweep of shapes,\n"
    "                  |got - ref| <= atol + rtol * sum|a_i*b_i| (ref in float64),\n"
    "                  ReLU and its mask bit-exact;\n"
    "  training level: each set's float32 run of the workload within 0.002 of the\n"
    "                  scalar float32 run on every printed value (and of the book's\n"
    "                  final line for the seed workload); threaded sets bitwise\n"
    "                  identical for 1..N threads.\n\n"
    "Options:\n"
    "  --set NAME         check only this set (and scalar as the reference);\n"
    "                     --variant is its old name\n"
    "  --kernels-only     skip the training level\n"
    "  --training-only    skip the kernel level\n"
    "  --check-seed N     seed of the kernel-level random inputs (default 1)\n"
    "  --max-threads N    thread counts tried for threaded sets: 1..N (default 4)\n"
    "  --epochs, --train-count, --test-count, --data, ...: the workload, as for train\n"
    "                     (default: the whole 350-epoch seed workload)\n";

typedef struct check_options {
    mlp_run_options run;
    bool kernels, training;
    unsigned long seed;
    int max_threads;
} check_options;

static void parse(int argc, char **argv, check_options *o)
{
    static const struct option options[] = {
        MLP_WORKLOAD_OPTIONS,
        {"kernels-only", no_argument, NULL, OPT_KERNELS_ONLY},
        {"training-only", no_argument, NULL, OPT_TRAINING_ONLY},
        {"check-seed", required_argument, NULL, OPT_CHECK_SEED},
        {"max-threads", required_argument, NULL, OPT_MAX_THREADS},
        {0, 0, 0, 0},
    };
    mlp_run_options_defaults(&o->run);
    o->kernels = o->training = true;
    o->seed = 1;
    o->max_threads = 4;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case MLP_OPT_HELP: printf("%s", usage); exit(0);
        case OPT_KERNELS_ONLY: o->training = false; break;
        case OPT_TRAINING_ONLY: o->kernels = false; break;
        case OPT_CHECK_SEED:
            o->seed = mlp_parse_ulong("check", "check-seed", optarg, 0, 4294967295ul);
            break;
        case OPT_MAX_THREADS:
            o->max_threads = (int)mlp_parse_ulong("check", "max-threads", optarg, 1, 256);
            break;
        default:
            if (c == '?' || c == ':' || !mlp_parse_workload_option("check", c, optarg, &o->run))
                mlp_bad_option("check", argv);
        }
    }
    if (optind < argc)
        mlp_usage_error("check", "unexpected argument '%s'", argv[optind]);
    if (!o->kernels && !o->training)
        mlp_usage_error("check", "--kernels-only and --training-only exclude each other");
    /* a set this CPU cannot run is SKIPPED, not an error; a bad name is */
    if (o->run.set && !mlp_kernel_set_find(o->run.set))
        mlp_lookup_set("check", "--set", o->run.set);
}

static bool selected(const check_options *o, const mlp_kernel_set *set)
{
    return !o->run.set || strcmp(o->run.set, set->name) == 0;
}

static void print_row(const char *name, const char *what, const mlp_training_check *r)
{
    char book[16] = "-", scalar[16] = "-";
    if (r->status != MLP_CHECK_SKIPPED && !isnan(r->vs_book))
        snprintf(book, sizeof book, "%.4f", r->vs_book);
    if (r->status != MLP_CHECK_SKIPPED && r->vs_scalar >= 0 && strcmp(what, "trajectory") == 0)
        snprintf(scalar, sizeof scalar, isinf(r->vs_scalar) ? "lines differ" : "%.4f",
                 r->vs_scalar);
    printf("%-8s %-22s %-12s %-8s %8.1f  %s%s%s\n", name, what, scalar, book, r->seconds,
           mlp_check_status_name(r->status), *r->detail ? ": " : "", r->detail);
}

typedef struct training_rows {
    const check_options *o;
    mlp_train_config cfg;
    mlp_workload *w;
    int failures;
} training_rows;

/* One set's rows: its trajectory against the reference and, for a threaded set, the
 * bitwise reproducibility across thread counts of a few epochs of the seed (B = 1) and
 * of B = 100. */
static void print_set(const mlp_kernel_set *set, const mlp_training_check *r, void *user)
{
    training_rows *t = user;
    print_row(set->name, "trajectory", r);
    t->failures += r->status == MLP_CHECK_FAILED;
    fflush(stdout);
    if (!set->threaded)
        return;
    mlp_train_config short_cfg = t->cfg;
    short_cfg.epochs = t->cfg.epochs < 3 ? t->cfg.epochs : 3;
    const size_t batches[] = {1, 100};
    for (size_t b = 0; b < 2; b++) {
        short_cfg.model.batch = batches[b];
        char what[64];
        snprintf(what, sizeof what, "1..%d threads, B=%zu", t->o->max_threads, batches[b]);
        mlp_training_check rr;
        mlp_check_thread_reproducibility(&short_cfg, t->w, set, t->o->max_threads, &rr);
        print_row(set->name, what, &rr);
        t->failures += rr.status == MLP_CHECK_FAILED;
    }
}

/* The training level; returns the number of failures. */
static int check_training(const check_options *o)
{
    char err[MLP_ERROR_MAX];
    mlp_workload w;
    if (mlp_workload_load(&w, &o->run.spec, err, sizeof err) != 0) {
        mlp_fail("check", err);
        return 1;
    }
    training_rows t = {.o = o, .cfg = o->run.spec.train, .w = &w};
    t.cfg.model.precision = MLP_F32;
    printf("\nTraining level: float32, %d epochs, %zu training / %zu test records; "
           "tolerance %.3f on every printed value\n",
           t.cfg.epochs, w.train.count, w.test.count, MLP_TRAINING_TOLERANCE);
    printf("%-8s %-22s %-12s %-8s %8s  %s\n", "set", "check", "vs scalar", "vs book",
           "seconds", "status");
    const mlp_kernel_set *sets[64];
    size_t nsets = 0;
    for (size_t i = 0; i < mlp_kernel_set_count() && nsets < 64; i++)
        if (selected(o, mlp_kernel_set_at(i)))
            sets[nsets++] = mlp_kernel_set_at(i);
    if (mlp_check_training_sets(&t.cfg, &w, sets, nsets, print_set, &t, err, sizeof err) != 0) {
        mlp_fail("check", err);
        t.failures++;
    }
    mlp_workload_free(&w);
    return t.failures;
}

int mlp_cmd_check(int argc, char **argv)
{
    check_options o;
    parse(argc, argv, &o);
    int failures = 0;
    if (o.kernels) {
        mlp_check_tally tally = {0};
        printf("Kernel level (random inputs, seed %lu)\n", o.seed);
        failures += mlp_check_kernels(o.seed, o.run.set, stdout, &tally);
        printf("kernel level: %d passed, %d failed, %d skipped\n", tally.passed, tally.failed,
               tally.skipped);
        fflush(stdout);
    }
    if (o.training)
        failures += check_training(&o);
    printf("\n%s\n", failures ? "check: FAILED" : "check: all PASSED (or SKIPPED where the CPU cannot run a set)");
    return failures ? MLP_EXIT_FAILURE : 0;
}
