/* cmd_bench.c: `mlpbench bench`: times the training workload on every selected
 * kernel set (see bench.h), prints a table, and writes a result file (see results.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_mpi.h"
#include "cli.h"
#include "dist.h"
#include "commands.h"
#include "mnist.h"
#include "results.h"
#include "workers.h"

static const char usage[] =
    "usage: mlpbench bench [options]\n"
    "Times training epochs and test passes of the workload on each kernel set, with the\n"
    "sets interleaved in a new shuffled order in every repetition; prints a table and\n"
    "writes a JSON result file (see results/README.md). Exit status 1 if a set fails\n"
    "its correctness check.\n\n"
    "Benchmark options:\n"
    "  --sets LIST          comma-separated kernel sets (default: every set this CPU runs);\n"
    "                       --set, and the old name --variant, are the same\n"
    "  --precision LIST     f32, f64 or f32,f64 (default f64, the seed's)\n"
    "  --threads LIST       thread counts for threaded sets, e.g. 1,2 for a scaling table\n"
    "                       (default: $OMP_NUM_THREADS, else one per core); other sets\n"
    "                       run one thread\n"
    "  --warmup N           uncounted epochs per repetition (default 1)\n"
    "  --epochs N           measured epochs per repetition (default 10)\n"
    "  --repetitions N      repetitions, each a fresh model (default 10)\n"
    "  --processes N        worker processes the repetitions are spread over, each a fresh\n"
    "                       exec of mlpbench, one after another (default: one per\n"
    "                       repetition; 0: all in this process)\n"
    "  --pin cores|none     bind threads one per core with hwloc (default cores)\n"
    "  --check-epochs N     epochs of the training-level correctness check, 0 to skip\n"
    "                       (default 10)\n"
    "  --no-peak            skip the peak probe (FMA throughput and cache/memory\n"
    "                       bandwidth: no %peak column, no roofline ceilings)\n"
    "  --shuffle-seed N     seed of the shuffled order (default: from the clock)\n"
    "  --out PATH           result file (default: results/<machine>-<UTC time>.json)\n"
    "  --no-save            do not write a result file\n"
    "  --no-numpy           do not time the seed's numpy program as a peer (it runs for\n"
    "                       the seed workload when /usr/bin/python3 has numpy)\n"
    "  --format text|json   text: the table; json: the result document on stdout\n"
    "  --quiet              no progress line on stderr\n"
    "  --worker F:C         internal: be a worker process for repetitions F..F+C-1\n"
    "  --preset minibatch   the batched workload of the blocked kernels: --hidden 1024\n"
    "                       --batch 256 --micro-batch 256, the 60000 training images of data/mnist-full\n"
    "                       (tools/fetch-mnist) if there, else the embedded 1000;\n"
    "                       --warmup 1 --epochs 2 --repetitions 5 --check-epochs 1; every\n"
    "                       runnable set but the reference (minutes per epoch). Other\n"
    "                       options, before or after it, override it\n\n"
    "Under mpirun (a build with MPI; docs/mpi-scaling.md):\n"
    "  --scaling LIST       strong, weak or strong,weak: time the data-parallel step\n"
    "                       (--batch B, B > 1) on 1..N ranks (strong: batch B; weak: B rows\n"
    "                       per rank): compute and communication per step, per rank; one\n"
    "                       result file (results/mpi-scaling-<machine>-<time>.json)\n"
    "  --ranks LIST         rank counts for --scaling (default 1,2,..,N)\n"
    "  --mpi-probe          latency and bandwidth between ranks 0 and 1, into that file\n"
    "  --independent        every rank runs this benchmark on its own node, ranks that\n"
    "                       share a host one after another; rank 0 writes one result file\n"
    "                       per rank (into --out DIR, default results/), for\n"
    "                       'compare --across-machines' and tools/report\n\n"
    "Workload options (defaults: the book's seed network):\n"
    "  --hidden N, --batch B, --train-count N, --test-count N (0: no test pass),\n"
    "  --alpha X, --seed N, --dropout, --relu-grad seed|strict, --data DIR, and\n"
    "  --test-every N (for the correctness check): as in 'mlpbench train --help'.\n";

enum {
    OPT_SETS = MLP_OPT_COMMAND_FIRST, OPT_WARMUP, OPT_REPETITIONS, OPT_PIN, OPT_CHECK_EPOCHS,
    OPT_NO_PEAK, OPT_SHUFFLE_SEED, OPT_OUT, OPT_NO_SAVE, OPT_QUIET, OPT_PROCESSES, OPT_WORKER,
    OPT_NO_NUMPY, OPT_SCALING, OPT_RANKS, OPT_MPI_PROBE, OPT_INDEPENDENT, OPT_PRESET,
};

typedef struct bench_cli {
    mlp_bench_config cfg;
    mlp_run_options run;    /* the workload options; run.spec goes into cfg.spec */
    const char *sets;       /* NULL: every runnable set */
    const char *precisions; /* NULL: the workload's precision */
    const char *threads;    /* NULL: one per core */
    const char *out;
    bool save, quiet;
    mlp_bench_mpi_config mpi; /* --scaling, --ranks, --mpi-probe */
    bool independent;
    bool preset_minibatch;  /* --preset minibatch */
} bench_cli;

/* Calls fn on each comma-separated item of list. */
static void for_each_item(const char *opt, const char *list, void (*fn)(const char *, void *),
                          void *user)
{
    char buf[512];
    if (strlen(list) >= sizeof buf)
        mlp_usage_error("bench", "--%s: list too long", opt);
    snprintf(buf, sizeof buf, "%s", list);
    /* every item between commas must be there: "a,,b", ",a" and "a," are errors */
    for (char *item = buf, *comma;; item = comma + 1) {
        comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        if (!*item)
            mlp_usage_error("bench", "--%s expects a comma-separated list of names or numbers, "
                                     "got '%s' (an empty item)", opt, list);
        fn(item, user);
        if (!comma)
            break;
    }
}

static void add_set(const char *name, void *user)
{
    mlp_bench_config *c = user;
    const mlp_kernel_set *s = mlp_lookup_set("bench", "--sets", name);
    for (size_t i = 0; i < c->nsets; i++)
        if (c->sets[i] == s)
            return;
    if (c->nsets >= MLP_BENCH_MAX_SETS)
        mlp_usage_error("bench", "--sets: too many sets");
    c->sets[c->nsets++] = s;
}

static void add_precision(const char *name, void *user)
{
    mlp_bench_config *c = user;
    mlp_precision p;
    if (!mlp_precision_parse(name, &p))
        mlp_usage_error("bench", "--precision expects f32, f64 or f32,f64, got '%s'", name);
    for (size_t i = 0; i < c->nprecisions; i++)
        if (c->precisions[i] == p)
            return;
    c->precisions[c->nprecisions++] = p;
}

static void add_threads(const char *item, void *user)
{
    mlp_bench_config *c = user;
    if (c->nthreads >= MLP_BENCH_MAX_THREADS)
        mlp_usage_error("bench", "--threads: at most %d counts", MLP_BENCH_MAX_THREADS);
    c->threads[c->nthreads++] = (int)mlp_parse_ulong("bench", "threads", item, 1, 1024);
}

static void add_scaling(const char *item, void *user)
{
    mlp_bench_mpi_config *m = user;
    static const char *const modes[] = {"strong", "weak", NULL};
    if (mlp_parse_choice("bench", "scaling", item, modes) == 0)
        m->strong = true;
    else
        m->weak = true;
}

static void add_ranks(const char *item, void *user)
{
    mlp_bench_mpi_config *m = user;
    if (m->nranks >= MLP_BENCH_MPI_MAX_RANKS)
        mlp_usage_error("bench", "--ranks: at most %d counts", MLP_BENCH_MPI_MAX_RANKS);
    m->ranks[m->nranks++] = (int)mlp_parse_ulong("bench", "ranks", item, 1, 1 << 20);
}

static bool parse_bench_option(int opt, const char *arg, bench_cli *b)
{
    mlp_bench_config *c = &b->cfg;
    switch (opt) {
    case OPT_SETS: case MLP_OPT_SET: b->sets = arg; break;
    case MLP_OPT_PRECISION: b->precisions = arg; break;
    case MLP_OPT_THREADS: b->threads = arg; break;
    case MLP_OPT_EPOCHS: c->epochs = (int)mlp_parse_ulong("bench", "epochs", arg, 1, 100000); break;
    case OPT_WARMUP: c->warmup = (int)mlp_parse_ulong("bench", "warmup", arg, 0, 100000); break;
    case OPT_REPETITIONS:
        c->repetitions = (int)mlp_parse_ulong("bench", "repetitions", arg, 1, 10000);
        break;
    case OPT_PIN: {
        static const char *const pins[] = {"none", "cores", NULL};
        c->pin = mlp_parse_choice("bench", "pin", arg, pins) == 1;
        break;
    }
    case OPT_CHECK_EPOCHS:
        c->check_epochs = (int)mlp_parse_ulong("bench", "check-epochs", arg, 0, 100000);
        break;
    case OPT_NO_PEAK: c->peak = false; break;
    case OPT_SHUFFLE_SEED:
        c->shuffle_seed = (unsigned)mlp_parse_ulong("bench", "shuffle-seed", arg, 0, UINT_MAX);
        break;
    case OPT_OUT:
        if (!*arg)
            mlp_usage_error("bench", "--out expects a file name, got ''");
        if (strlen(arg) >= MLP_RESULTS_PATH_MAX)
            mlp_usage_error("bench", "--out: a path of %zu bytes, longer than %d", strlen(arg),
                            MLP_RESULTS_PATH_MAX - 1);
        b->out = arg;
        break;
    case OPT_NO_SAVE: b->save = false; break;
    case OPT_QUIET: b->quiet = true; break;
    case OPT_NO_NUMPY: c->numpy = false; break;
    case OPT_SCALING: for_each_item("scaling", arg, add_scaling, &b->mpi); break;
    case OPT_RANKS: for_each_item("ranks", arg, add_ranks, &b->mpi); break;
    case OPT_MPI_PROBE: b->mpi.probe = true; break;
    case OPT_INDEPENDENT: b->independent = true; break;
    case OPT_PRESET: break; /* applied before the other options (apply_preset) */
    case OPT_PROCESSES:
        c->processes = (int)mlp_parse_ulong("bench", "processes", arg, 0, 10000);
        break;
    case OPT_WORKER: {
        unsigned first, count;
        char tail;
        if (sscanf(arg, "%u:%u%c", &first, &count, &tail) != 2 || count == 0)
            mlp_usage_error("bench", "--worker expects FIRST:COUNT, got '%s'", arg);
        c->worker_first = (int)first;
        c->worker_count = (int)count;
        break;
    }
    default: return mlp_parse_workload_option("bench", opt, arg, &b->run);
    }
    return true;
}

/* data/mnist-full beside the embedded data folder, if tools/fetch-mnist filled it */
static const char *full_mnist_dir(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s-full", mlp_embedded_data_dir());
    char file[4200];
    snprintf(file, sizeof file, "%s/train-images-idx3-ubyte", dir);
    return access(file, R_OK) == 0 ? dir : NULL;
}

/* --preset NAME anywhere in argv (before "--"): set its values first, so that every
 * other option, before or after it, overrides them. Bad name: exit 2. */
static void apply_preset(int argc, char **argv, bench_cli *b)
{
    const char *name = NULL;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--preset") == 0)
            name = i + 1 < argc ? argv[++i] : "";
        else if (strncmp(argv[i], "--preset=", 9) == 0)
            name = argv[i] + 9;
    }
    if (!name)
        return;
    if (strcmp(name, "minibatch") != 0)
        mlp_usage_error("bench", "--preset expects minibatch, got '%s'", name);
    b->preset_minibatch = true;
    mlp_run_spec *s = &b->run.spec;
    s->train.model.hidden = 1024;
    s->train.model.batch = 256;
    s->train.model.micro_batch = 256; /* one 256-row call per layer and step */
    const char *full = full_mnist_dir();
    if (full) {
        s->data_dir = full;
        s->train_count = 60000;
    }
    b->cfg.warmup = 1;
    b->cfg.epochs = 2;
    b->cfg.repetitions = 5;
    b->cfg.check_epochs = 1;
}

static void parse_args(int argc, char **argv, bench_cli *b)
{
    apply_preset(argc, argv, b);
    static const struct option options[] = {
        MLP_WORKLOAD_OPTIONS,
        {"sets", required_argument, NULL, OPT_SETS},
        {"warmup", required_argument, NULL, OPT_WARMUP},
        {"repetitions", required_argument, NULL, OPT_REPETITIONS},
        {"pin", required_argument, NULL, OPT_PIN},
        {"check-epochs", required_argument, NULL, OPT_CHECK_EPOCHS},
        {"no-peak", no_argument, NULL, OPT_NO_PEAK},
        {"shuffle-seed", required_argument, NULL, OPT_SHUFFLE_SEED},
        {"out", required_argument, NULL, OPT_OUT},
        {"no-save", no_argument, NULL, OPT_NO_SAVE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"no-numpy", no_argument, NULL, OPT_NO_NUMPY},
        {"processes", required_argument, NULL, OPT_PROCESSES},
        {"worker", required_argument, NULL, OPT_WORKER},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"ranks", required_argument, NULL, OPT_RANKS},
        {"mpi-probe", no_argument, NULL, OPT_MPI_PROBE},
        {"independent", no_argument, NULL, OPT_INDEPENDENT},
        {"preset", required_argument, NULL, OPT_PRESET},
        {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == MLP_OPT_HELP) {
            printf("%s", usage);
            exit(0);
        }
        if (c == '?' || c == ':' || !parse_bench_option(c, optarg, b))
            mlp_bad_option("bench", argv);
    }
    if (optind < argc)
        mlp_usage_error("bench", "unexpected argument '%s'", argv[optind]);
}

/* Lists from the options, with their defaults. */
static void resolve_lists(bench_cli *b)
{
    mlp_bench_config *c = &b->cfg;
    if (b->sets) {
        for_each_item("sets", b->sets, add_set, c);
    } else {
        for (size_t i = 0; i < mlp_kernel_set_count() && c->nsets < MLP_BENCH_MAX_SETS; i++)
            if (mlp_kernel_set_runnable(mlp_kernel_set_at(i)) &&
                !(b->preset_minibatch && mlp_kernel_set_at(i) == mlp_kernel_set_reference()))
                c->sets[c->nsets++] = mlp_kernel_set_at(i);
    }
    if (b->precisions) {
        c->nprecisions = 0;
        for_each_item("precision", b->precisions, add_precision, c);
    }
    if (b->threads)
        for_each_item("threads", b->threads, add_threads, c);
    else
        c->threads[c->nthreads++] = mlp_apply_threads(0);
}

/* Where the result file goes (--out, else the default), checked writable before the
 * run, so that a bad folder is said at once and not after the whole benchmark. */
static int result_path(const mlp_bench_run *run, const bench_cli *b, char *path, size_t len)
{
    char err[MLP_ERROR_MAX];
    if (b->out)
        snprintf(path, len, "%s", b->out);
    else if (mlp_results_default_path(&run->machine, mlp_results_default_dir(), path, len) != 0)
        return mlp_fail("bench", "the default result path is too long (use --out PATH)");
    if (mlp_results_check_writable(path, err, sizeof err) != 0) {
        char msg[MLP_ERROR_MAX + 64];
        snprintf(msg, sizeof msg, "%s (use --out PATH or --no-save)", err);
        return mlp_fail("bench", msg);
    }
    return 0;
}

static int save(const mlp_bench_run *run, const char *path)
{
    char err[MLP_ERROR_MAX];
    json_t *doc = mlp_results_document(run);
    if (!doc)
        return mlp_fail("bench", "out of memory building the result document");
    int rc = mlp_results_write(doc, path, err, sizeof err);
    json_decref(doc);
    if (rc != 0)
        return mlp_fail("bench", err);
    printf("\nresults: %s\n", path);
    return 0;
}

static int print_json(const mlp_bench_run *run)
{
    json_t *doc = mlp_results_document(run);
    if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2)) != 0) {
        json_decref(doc);
        return mlp_fail("bench", "cannot format the result document");
    }
    printf("\n");
    json_decref(doc);
    return 0;
}

static bool any_check_failed(const mlp_bench_run *run)
{
    for (size_t i = 0; i < run->ncases; i++)
        if (run->cases[i].checked && run->cases[i].check.status == MLP_CHECK_FAILED)
            return true;
    return false;
}

/* --scaling / --mpi-probe: their own run (bench_mpi.c) */
static int bench_scaling(bench_cli *b)
{
    mlp_bench_mpi_config *m = &b->mpi;
    if (b->sets && strchr(b->sets, ','))
        mlp_usage_error("bench", "--scaling runs one kernel set, got '%s'", b->sets);
    if (b->precisions && strchr(b->precisions, ','))
        mlp_usage_error("bench", "--scaling runs one precision, got '%s'", b->precisions);
    if (b->independent)
        mlp_usage_error("bench", "--independent and --scaling/--mpi-probe are two modes: "
                                 "choose one");
    if ((m->strong || m->weak) && b->run.spec.train.model.batch < 2)
        mlp_usage_error("bench", "--scaling needs --batch B with B at least 2 (the step it "
                                 "shares over ranks)");
    m->run = b->run;
    if (b->sets)
        m->run.set = b->sets;
    if (b->precisions) {
        mlp_precision p;
        if (!mlp_precision_parse(b->precisions, &p))
            mlp_usage_error("bench", "--precision expects f32 or f64, got '%s'", b->precisions);
        m->run.spec.train.model.precision = p;
    }
    if (b->threads)
        m->run.threads = (int)mlp_parse_ulong("bench", "threads", b->threads, 1, 1024);
    m->warmup = b->cfg.warmup;
    m->epochs = b->cfg.epochs;
    m->out = b->out;
    m->save = b->save;
    return mlp_bench_mpi_scaling(m);
}

/* --independent: this rank's ordinary benchmark, its document handed to bench_mpi.c */
typedef struct independent_run {
    int argc;
    char **argv;
    bench_cli *b;
} independent_run;

static int bench_once(bench_cli *b, int argc, char **argv, char **doc_out);

static int independent_one(void *user, char **doc)
{
    independent_run *r = user;
    return bench_once(r->b, r->argc, r->argv, doc);
}

int mlp_cmd_bench(int argc, char **argv)
{
    bench_cli b = {.save = true};
    mlp_bench_config_defaults(&b.cfg);
    mlp_run_options_defaults(&b.run);
    parse_args(argc, argv, &b);
    bool worker = b.cfg.worker_count > 0;
    if (!worker && (b.mpi.strong || b.mpi.weak || b.mpi.probe))
        return bench_scaling(&b);
    if (b.mpi.nranks && !worker)
        mlp_usage_error("bench", "--ranks goes with --scaling");
    if (b.independent && !worker) {
        independent_run r = {.argc = argc, .argv = argv, .b = &b};
        return mlp_bench_mpi_independent(independent_one, &r, b.out ? b.out
                                         : mlp_results_default_dir(), b.save);
    }
    return bench_once(&b, argc, argv, NULL);
}

/* The ordinary benchmark; doc_out: hand the result document over as JSON text instead
 * of printing a JSON document or writing the file (--independent; only its rank 0
 * prints the table). */
static int bench_once(bench_cli *bp, int argc, char **argv, char **doc_out)
{
    bench_cli b = *bp;
    if (doc_out)
        b.save = false;
    b.cfg.spec = b.run.spec;
    b.cfg.argc = argc;
    b.cfg.argv = argv;
    resolve_lists(&b);
    b.cfg.progress = !b.quiet && isatty(STDERR_FILENO);
    bool worker = b.cfg.worker_count > 0;
    if (worker && (size_t)b.cfg.worker_first + (size_t)b.cfg.worker_count >
                      (size_t)b.cfg.repetitions)
        mlp_usage_error("bench", "--worker %d:%d: past the %d repetitions", b.cfg.worker_first,
                        b.cfg.worker_count, b.cfg.repetitions);
    mlp_bench_run run;
    char err[MLP_ERROR_MAX], path[MLP_RESULTS_PATH_MAX];
    if (mlp_bench_init(&run, &b.cfg, err, sizeof err) != 0)
        return mlp_fail("bench", err);
    if (b.save && !worker && result_path(&run, &b, path, sizeof path) != 0) {
        mlp_bench_free(&run);
        return MLP_EXIT_FAILURE;
    }
    ssize_t n = readlink("/proc/self/exe", run.executable, sizeof run.executable - 1);
    run.executable[n > 0 ? n : 0] = '\0';
    if (run.ncases == 0) {
        mlp_bench_free(&run);
        return mlp_fail("bench", "no kernel set has the requested precision");
    }
    for (int i = 0; !worker && i < run.nwarnings; i++)
        fprintf(stderr, "mlpbench bench: warning: %s\n", run.warnings[i]);
    int rc = mlp_bench_execute(&run, err, sizeof err);
    if (rc != 0) {
        mlp_bench_free(&run);
        return mlp_fail("bench", err);
    }
    if (worker) { /* the samples, for the parent process */
        json_t *doc = mlp_bench_worker_samples(&run);
        rc = doc && json_dumpf(doc, stdout, JSON_COMPACT) == 0 ? 0 : mlp_fail("bench", "out of memory");
        json_decref(doc);
        mlp_bench_free(&run);
        return rc;
    }
    if (doc_out) {
        if (mlp_dist_rank() == 0)
            mlp_bench_print(stdout, &run);
        json_t *doc = mlp_results_document(&run);
        *doc_out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
        json_decref(doc);
        rc = *doc_out ? 0 : mlp_fail("bench", "out of memory building the result document");
        if (rc == 0 && any_check_failed(&run))
            rc = MLP_EXIT_FAILURE;
        mlp_bench_free(&run);
        return rc;
    }
    rc = b.run.json ? print_json(&run) : (mlp_bench_print(stdout, &run), 0);
    if (rc == 0 && b.save)
        rc = save(&run, path);
    if (rc == 0 && any_check_failed(&run))
        rc = MLP_EXIT_FAILURE;
    mlp_bench_free(&run);
    return rc;
}
