/* cli.c: option parsing shared by the mlpbench subcommands (see cli.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dist.h"
#include "mnist.h"
#include "topo.h"

const char mlp_workload_help[] =
    "Workload options (defaults: the book's seed network):\n"
    "  --set NAME           kernel set (see 'mlpbench list'); default $MLPBENCH_SET,\n"
    "                       else the fastest set this CPU runs (--variant and\n"
    "                       $MLPBENCH_VARIANT: old names, still accepted)\n"
    "  --precision f32|f64  arithmetic precision (default f64)\n"
    "  --threads N          OpenMP threads for threaded sets (default: $OMP_NUM_THREADS,\n"
    "                       else one per core)\n"
    "  --seed N             np.random.seed for the weights and dropout (default 1)\n"
    "  --hidden N           hidden units (default 40)\n"
    "  --alpha X            learning rate (default 0.005)\n"
    "  --epochs N           training epochs (default 350)\n"
    "  --train-count N      training images used (default 1000)\n"
    "  --test-count N       test images used, 0 for none (default 10000)\n"
    "  --test-every N       test every N epochs and after the last (default 10)\n"
    "  --batch B            mini-batch size: mean gradient over B rows (default 1)\n"
    "  --micro-batch M      with B > 1: the batch's gradient is summed from micro-batches\n"
    "                       of M rows in a fixed tree, the same under mpirun on any number\n"
    "                       of ranks (default 10)\n"
    "  --dropout            the book's dropout (a 0/1 mask per hidden unit, x2 in training)\n"
    "  --relu-grad seed|strict  ReLU derivative: the seed's x >= 0 on the post-ReLU value\n"
    "                       (always 1) or the textbook x > 0 (default seed)\n"
    "  --data DIR           IDX folder, raw or .gz (default: the embedded MNIST subset,\n"
    "                       or $MLPBENCH_DATA)\n"
    "  --format text|json   text: the book's lines; json: one JSON object per epoch\n";

void mlp_run_options_defaults(mlp_run_options *o)
{
    memset(o, 0, sizeof *o);
    mlp_run_spec_seed(&o->spec);
}

/* s on stderr with control characters as spaces: an error stays one line. */
static void put_line_part(const char *s)
{
    for (const char *c = s; *c; c++)
        fputc((unsigned char)*c < 0x20 ? ' ' : *c, stderr);
}

_Noreturn void mlp_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[MLP_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (mlp_dist_env_rank() <= 0) { /* under mpirun, rank 0 says it for all */
        fprintf(stderr, "mlpbench %s: error: ", cmd);
        put_line_part(msg);
        fprintf(stderr, " (see 'mlpbench %s --help')\n", cmd);
    }
    exit(MLP_EXIT_USAGE);
}

_Noreturn void mlp_bad_option(const char *cmd, char *const argv[])
{
    const char *arg = argv[optind - 1];
    if (optopt)
        mlp_usage_error(cmd, "option '%s' needs a value", arg);
    mlp_usage_error(cmd, "unknown option '%s'", arg);
}

int mlp_fail(const char *cmd, const char *msg)
{
    fprintf(stderr, "mlpbench %s: error: ", cmd);
    put_line_part(msg); /* one line, whatever a file name holds */
    fputc('\n', stderr);
    return MLP_EXIT_FAILURE;
}

unsigned long mlp_parse_ulong(const char *cmd, const char *opt, const char *s, unsigned long min,
                              unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    /* digits only: strtoul would also take leading blanks and a sign */
    if (!isdigit((unsigned char)*s) || *end != '\0' || errno == ERANGE || v < min || v > max)
        mlp_usage_error(cmd, "--%s expects an integer from %lu to %lu, got '%s'", opt, min, max,
                        s);
    return v;
}

int mlp_parse_choice(const char *cmd, const char *opt, const char *s,
                     const char *const *choices)
{
    char list[256] = "";
    int n = 0;
    for (; choices[n]; n++) {
        if (strcmp(s, choices[n]) == 0)
            return n;
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", n == 0 ? "" : ", ", choices[n]);
    }
    char *last = strrchr(list, ','); /* "a, b, c" reads "a, b or c" */
    if (last) {
        char tail[128];
        snprintf(tail, sizeof tail, " or%s", last + 1);
        snprintf(last, sizeof list - (size_t)(last - list), "%s", tail);
    }
    mlp_usage_error(cmd, "--%s expects %s, got '%s'", opt, list, s);
}

double mlp_parse_double(const char *cmd, const char *opt, const char *s, double min, double max)
{
    /* a decimal number: strtod would also take leading blanks, hex, inf and nan */
    bool decimal = *s != '\0' && strspn(s, "0123456789.eE+-") == strlen(s) &&
                   (isdigit((unsigned char)*s) || *s == '.' || *s == '-' || *s == '+');
    char *end;
    errno = 0;
    double v = decimal ? strtod(s, &end) : 0;
    if (!decimal || *end != '\0')
        mlp_usage_error(cmd, "--%s expects a decimal number from %g to %g, got '%s'", opt, min,
                        max, s);
    if (errno == ERANGE && fabs(v) < 1)
        mlp_usage_error(cmd, "--%s: '%s' is too close to zero to be represented (a double "
                             "underflows below 1e-308)", opt, s);
    if (errno == ERANGE || !isfinite(v) || v < min || v > max)
        mlp_usage_error(cmd, "--%s expects a number from %g to %g, got '%s'", opt, min, max, s);
    return v;
}

bool mlp_parse_workload_option(const char *cmd, int opt, const char *arg, mlp_run_options *o)
{
    mlp_model_config *m = &o->spec.train.model;
    switch (opt) {
    case MLP_OPT_SET: o->set = arg; break;
    case MLP_OPT_PRECISION:
        if (!mlp_precision_parse(arg, &m->precision))
            mlp_usage_error(cmd, "--precision expects f32 or f64, got '%s'", arg);
        break;
    case MLP_OPT_SEED: m->seed = (uint32_t)mlp_parse_ulong(cmd, "seed", arg, 0, 4294967295ul); break;
    case MLP_OPT_HIDDEN: m->hidden = mlp_parse_ulong(cmd, "hidden", arg, 1, 1u << 20); break;
    case MLP_OPT_ALPHA: m->alpha = mlp_parse_double(cmd, "alpha", arg, 0, 1e6); break;
    case MLP_OPT_EPOCHS: o->spec.train.epochs = (int)mlp_parse_ulong(cmd, "epochs", arg, 1, 1000000); break;
    case MLP_OPT_TRAIN_COUNT: o->spec.train_count = mlp_parse_ulong(cmd, "train-count", arg, 1, 1u << 30); break;
    case MLP_OPT_TEST_COUNT: o->spec.test_count = mlp_parse_ulong(cmd, "test-count", arg, 0, 1u << 30); break;
    case MLP_OPT_TEST_EVERY:
        o->spec.train.test_every = (int)mlp_parse_ulong(cmd, "test-every", arg, 1, 1000000);
        break;
    case MLP_OPT_BATCH: m->batch = mlp_parse_ulong(cmd, "batch", arg, 1, 1u << 20); break;
    case MLP_OPT_MICRO_BATCH:
        m->micro_batch = mlp_parse_ulong(cmd, "micro-batch", arg, 1, 1u << 20);
        break;
    case MLP_OPT_DROPOUT: m->dropout = true; break;
    case MLP_OPT_RELU_GRAD: { /* in mlp_relu_grad's order */
        static const char *const modes[] = {"seed", "strict", NULL};
        m->relu_grad = (mlp_relu_grad)mlp_parse_choice(cmd, "relu-grad", arg, modes);
        break;
    }
    case MLP_OPT_DATA: o->spec.data_dir = arg; break;
    case MLP_OPT_FORMAT: {
        static const char *const formats[] = {"text", "json", NULL};
        o->json = mlp_parse_choice(cmd, "format", arg, formats) == 1;
        break;
    }
    case MLP_OPT_THREADS: o->threads = (int)mlp_parse_ulong(cmd, "threads", arg, 1, 4096); break;
    default: return false;
    }
    return true;
}

const mlp_kernel_set *mlp_lookup_set(const char *cmd, const char *source, const char *name)
{
    if (!*name)
        mlp_usage_error(cmd, "%s expects a kernel set name, got ''", source);
    const mlp_kernel_set *set = mlp_kernel_set_find(name);
    if (!set) {
        char known[256] = "";
        for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
            strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
            strncat(known, mlp_kernel_set_at(i)->name, sizeof known - strlen(known) - 1);
        }
        mlp_usage_error(cmd, "%s: unknown kernel set '%s' (this build has: %s)", source, name,
                        known);
    }
    if (!mlp_kernel_set_runnable(set))
        mlp_usage_error(cmd, "%s: kernel set '%s' needs %s, which this CPU lacks (it has: %s)",
                        source, name, set->isa, mlp_cpu_feature_string());
    return set;
}

const mlp_kernel_set *mlp_choose_set(const char *cmd, const char *name, mlp_precision p)
{
    const char *source = "--set";
    static const char *const env_names[] = {"MLPBENCH_SET", "MLPBENCH_VARIANT"};
    for (size_t i = 0; !name && i < 2; i++) {
        const char *env = getenv(env_names[i]);
        if (env && *env) { /* an empty variable counts as unset */
            name = env;
            source = env_names[i];
        }
    }
    const mlp_kernel_set *set = name ? mlp_lookup_set(cmd, source, name) : mlp_kernel_set_best();
    if (!mlp_kernel_set_has(set, p))
        mlp_usage_error(cmd, "kernel set '%s' has no %s kernels (try --precision %s)", set->name,
                        mlp_precision_name(p), mlp_precision_name(p == MLP_F32 ? MLP_F64 : MLP_F32));
    return set;
}

int mlp_apply_threads(int threads)
{
    if (threads <= 0) {
        const char *env = getenv("OMP_NUM_THREADS");
        if (env && *env) /* the OpenMP runtime has read it: keep what it says */
            return omp_get_max_threads();
        threads = mlp_topo_physical_cores();
    }
    omp_set_num_threads(threads);
    return threads;
}
