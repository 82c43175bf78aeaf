/* test_results.c: the result writer: a hand-made run (real kernel sets and machine
 * description, samples filled in by hand) goes through mlp_results_document and
 * mlp_results_write into a temporary directory, is parsed back with jansson and
 * checked for the required fields and values; failed writes must leave neither the
 * target nor a temporary file behind. */
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results.h"

#include "expect.h"
#include "results_read.h"

static bool near(double got, double want)
{
    return fabs(got - want) <= 1e-9 * fmax(1, fabs(want));
}

/* Fills case k's samples: epochs 0.100, 0.101, ... s (x scale), test 0.300, 0.310 s. */
static void fill_case(mlp_bench_case *bc, double scale, size_t epochs, size_t reps)
{
    for (size_t i = 0; i < epochs * reps; i++) {
        bc->train.seconds[i] = scale * (0.100 + 0.001 * (double)i);
        bc->train.cpu_seconds[i] = bc->train.seconds[i];
    }
    bc->train.n = epochs * reps;
    for (size_t i = 0; i < reps; i++) {
        bc->test.seconds[i] = scale * (0.300 + 0.010 * (double)i);
        bc->test.cpu_seconds[i] = bc->test.seconds[i];
    }
    bc->test.n = reps;
}

/* Two cases (scalar, and the best other serial set if any; f64, one thread), two
 * repetitions of three epochs; the second set 10x faster. */
static int make_run(mlp_bench_run *run)
{
    mlp_bench_config c;
    mlp_bench_config_defaults(&c);
    c.sets[c.nsets++] = mlp_kernel_set_reference();
    const mlp_kernel_set *other = mlp_kernel_set_best_serial();
    if (other != c.sets[0])
        c.sets[c.nsets++] = other;
    c.threads[c.nthreads++] = 1;
    c.epochs = 3;
    c.repetitions = 2;
    c.check_epochs = 0;
    c.peak = false;
    c.shuffle_seed = 42;
    char err[256];
    if (mlp_bench_init(run, &c, err, sizeof err) != 0) {
        printf("FAIL: mlp_bench_init: %s\n", err);
        return -1;
    }
    run->train_count = 1000;
    run->test_count = 10000;
    run->train_nonzero = 148000;
    run->test_nonzero = 1500000;
    for (size_t k = 0; k < run->ncases; k++)
        fill_case(&run->cases[k], k == 0 ? 1.0 : 0.1, 3, 2);
    for (int r = 0; r < 2; r++)
        for (size_t i = 0; i < run->ncases; i++)
            run->order[(size_t)r * run->ncases + i] = (int)i;
    mlp_bench_finish(run);
    return 0;
}

/* Files in dir other than . and .. (names into list, up to max). */
static int list_dir(const char *dir, char list[][256], int max)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n < max)
            snprintf(list[n], 256, "%s", e->d_name);
        n++;
    }
    closedir(d);
    return n;
}

static json_t *find_benchmark(json_t *list, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) if (strcmp(json_string_value(json_object_get(e, "name")), name) == 0)
        return e;
    return NULL;
}

static void check_gb_fields(json_t *list)
{
    size_t i;
    json_t *e;
    EXPECT(json_is_array(list) && json_array_size(list) > 0, "benchmarks should be a list");
    json_array_foreach(list, i, e) {
        const char *rt = json_string_value(json_object_get(e, "run_type"));
        EXPECT(json_is_string(json_object_get(e, "name")), "benchmark %zu: no name", i);
        EXPECT(rt && (strcmp(rt, "iteration") == 0 || strcmp(rt, "aggregate") == 0),
               "benchmark %zu: run_type '%s'", i, rt ? rt : "(none)");
        EXPECT(json_is_integer(json_object_get(e, "iterations")), "benchmark %zu: iterations", i);
        EXPECT(json_is_number(json_object_get(e, "real_time")), "benchmark %zu: real_time", i);
        EXPECT(json_is_number(json_object_get(e, "cpu_time")), "benchmark %zu: cpu_time", i);
        EXPECT(json_is_string(json_object_get(e, "time_unit")), "benchmark %zu: time_unit", i);
        EXPECT(json_is_integer(json_object_get(e, "repetitions")), "benchmark %zu: repetitions", i);
        if (rt && strcmp(rt, "aggregate") == 0)
            EXPECT(json_is_string(json_object_get(e, "aggregate_name")), "%zu: aggregate_name", i);
        else
            EXPECT(json_is_integer(json_object_get(e, "repetition_index")), "%zu: repetition_index", i);
    }
}

static void check_values(json_t *doc, const mlp_bench_run *run)
{
    json_t *list = json_object_get(doc, "benchmarks");
    /* scalar: epochs 100..105 ms, median 102.5 ms; rep 1 mean = 104 ms */
    json_t *med = find_benchmark(list, "epoch/scalar/f64/threads:1_median");
    EXPECT(med && near(json_number_value(json_object_get(med, "real_time")), 102.5e6),
           "scalar epoch median should be 102.5 ms = 102.5e6 ns");
    EXPECT(med && strcmp(json_string_value(json_object_get(med, "time_unit")), "ns") == 0,
           "time unit ns (Google Benchmark's compare.py prints whole units)");
    EXPECT(med && near(json_number_value(json_object_get(med, "items_per_second")), 1000 / 0.1025),
           "scalar items_per_second should be 1000 / 0.1025 s");
    json_t *counters = json_object_get(json_object_get(doc, "context"), "counters");
    EXPECT(json_is_false(json_object_get(counters, "available")) &&
               json_is_string(json_object_get(counters, "reason")),
           "context.counters: unmeasured counters say so, with a reason");
    json_t *numpy = json_object_get(json_object_get(doc, "peers"), "numpy");
    EXPECT(json_is_false(json_object_get(numpy, "measured")) &&
               json_is_string(json_object_get(numpy, "why")),
           "peers.numpy: an unmeasured peer says so, with a reason");
    mlp_run_spec spec;
    mlp_run_spec_seed(&spec);
    EXPECT(mlp_peer_numpy_applies(&spec), "the seed workload has a numpy program");
    spec.train.model.batch = 10;
    EXPECT(!mlp_peer_numpy_applies(&spec), "--batch 10 is not the seed's program");
    json_t *cases = json_object_get(doc, "cases");
    EXPECT(json_array_size(cases) == run->ncases, "%zu cases", json_array_size(cases));
    json_t *insns = json_object_get(json_object_get(json_array_get(cases, 0), "train_epoch"),
                                    "instructions");
    EXPECT(json_array_size(insns) == 6 && json_is_null(json_array_get(insns, 0)),
           "unmeasured instructions are null, one per sample");
    json_t *c0 = json_array_get(cases, 0), *train = json_object_get(c0, "train_epoch");
    json_t *samples = json_object_get(train, "samples");
    EXPECT(json_array_size(samples) == 6, "6 raw samples expected");
    for (size_t i = 0; i < json_array_size(samples); i++)
        EXPECT(json_real_value(json_array_get(samples, i)) == run->cases[0].train.seconds[i],
               "sample %zu does not round-trip", i);
    json_t *stats = json_object_get(train, "stats");
    EXPECT(near(json_number_value(json_object_get(stats, "mad")), 0.0015), "MAD of 100..105 ms");
    EXPECT(near(json_number_value(json_object_get(stats, "min")), 0.100), "min 0.100 s");
    /* dense FLOP per epoch of 1000 records: 1000 * (4*784*40 + 6*40*10) */
    EXPECT(near(json_number_value(json_object_get(json_object_get(train, "flop"), "dense")),
                1000.0 * 127840), "dense FLOP per epoch");
    EXPECT(strcmp(json_string_value(json_object_get(json_object_get(c0, "correctness"), "status")),
                  "SKIPPED") == 0, "unchecked case should be SKIPPED");
    if (run->ncases > 1) {
        json_t *c1 = json_array_get(cases, 1);
        double sp = json_number_value(json_object_get(json_object_get(c1, "train_epoch"),
                                                      "speedup_vs_scalar"));
        EXPECT(near(sp, 10), "speedup %g, want 10", sp);
    }
}

static void check_document(const char *path, const mlp_bench_run *run)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    EXPECT(doc != NULL, "%s does not parse: %s (line %d)", path, jerr.text, jerr.line);
    if (!doc)
        return;
    EXPECT(json_integer_value(json_object_get(doc, "schema_version")) == MLP_RESULTS_SCHEMA_VERSION,
           "schema_version");
    json_t *ctx = json_object_get(doc, "context");
    EXPECT(json_is_object(ctx), "context should be an object");
    const char *ctx_fields[] = {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu",
                                "cpu_scaling_enabled", "caches", "load_avg",
                                "library_build_type", "machine", "warnings"};
    for (size_t i = 0; i < sizeof ctx_fields / sizeof ctx_fields[0]; i++)
        EXPECT(json_object_get(ctx, ctx_fields[i]) != NULL, "context.%s missing", ctx_fields[i]);
    json_t *machine = json_object_get(ctx, "machine");
    EXPECT(json_is_object(json_object_get(machine, "topology")), "context.machine.topology");
    EXPECT(json_is_object(json_object_get(machine, "build")), "context.machine.build");
    EXPECT(json_is_object(json_object_get(machine, "openmp")), "context.machine.openmp");
    EXPECT(json_is_object(json_object_get(doc, "configuration")), "configuration");
    EXPECT(json_is_object(json_object_get(doc, "data")), "data");
    check_gb_fields(json_object_get(doc, "benchmarks"));
    check_values(doc, run);
    json_decref(doc);
}

/* What bench writes, compare reads: one value per repetition, its epochs' median. */
static void check_read_back(const char *path, const mlp_bench_run *run)
{
    mlp_result_file f;
    char err[512];
    EXPECT(mlp_result_load(path, &f, err, sizeof err) == 0, "read back: %s", err);
    if (f.n == 0)
        return;
    EXPECT(f.n == 2 * run->ncases, "%zu series read back, want %zu", f.n, 2 * run->ncases);
    EXPECT(f.schema_version == MLP_RESULTS_SCHEMA_VERSION, "schema %d", f.schema_version);
    const mlp_result_series *s = mlp_result_find(&f, "epoch/scalar/f64/threads:1");
    EXPECT(s && s->n == 2 && near(s->values[0], 0.101) && near(s->values[1], 0.104),
           "scalar epochs: repetition medians 101 and 104 ms expected");
    s = mlp_result_find(&f, "test/scalar/f64/threads:1");
    EXPECT(s && s->n == 2 && near(s->values[0], 0.300) && near(s->values[1], 0.310),
           "scalar test passes: 300 and 310 ms expected");
    mlp_result_free(&f);
}

static void test_write(const char *dir, const mlp_bench_run *run)
{
    char path[512], err[512], names[8][256];
    snprintf(path, sizeof path, "%s/result.json", dir);
    json_t *doc = mlp_results_document(run);
    EXPECT(doc != NULL, "mlp_results_document failed");
    if (!doc)
        return;
    EXPECT(mlp_results_write(doc, path, err, sizeof err) == 0, "write: %s", err);
    /* a second write replaces the file */
    EXPECT(mlp_results_write(doc, path, err, sizeof err) == 0, "rewrite: %s", err);
    json_decref(doc);
    int n = list_dir(dir, names, 8);
    EXPECT(n == 1 && strcmp(names[0], "result.json") == 0,
           "the directory should hold result.json alone, has %d entries (first '%s')", n,
           n > 0 ? names[0] : "");
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    EXPECT(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask),
           "result file mode %o, want %o (0666 less the umask, not mkstemp's 0600)",
           (unsigned)(st.st_mode & 0777), (unsigned)(0666 & ~mask));
    check_document(path, run);
    check_read_back(path, run);
    unlink(path);
}

/* Failed writes: no target, no temporary file left. */
static void test_failures(const char *dir, const mlp_bench_run *run)
{
    char path[512], blocker[512], err[512] = "", names[8][256];
    json_t *doc = mlp_results_document(run);
    if (!doc)
        return;
    /* the directory cannot be created: its parent is missing */
    snprintf(path, sizeof path, "%s/no/such/dir/r.json", dir);
    EXPECT(mlp_results_write(doc, path, err, sizeof err) != 0, "write under a missing parent");
    EXPECT(*err != '\0' && strchr(err, '\n') == NULL, "one-line message expected: '%s'", err);
    /* the "directory" is a regular file */
    snprintf(blocker, sizeof blocker, "%s/file", dir);
    FILE *f = fopen(blocker, "w");
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/file/r.json", dir);
    EXPECT(mlp_results_write(doc, path, err, sizeof err) != 0, "write into a file");
    /* the rename fails after the temporary file is written: the target is a
     * non-empty directory */
    snprintf(path, sizeof path, "%s/target", dir);
    mkdir(path, 0755);
    snprintf(blocker, sizeof blocker, "%s/target/keep", dir);
    f = fopen(blocker, "w");
    if (f)
        fclose(f);
    EXPECT(mlp_results_write(doc, path, err, sizeof err) != 0, "rename onto a directory");
    /* a FIFO (or /dev/null) in place of the file is not replaced */
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s/pipe", dir);
    EXPECT(mkfifo(fifo, 0600) == 0, "mkfifo");
    EXPECT(mlp_results_write(doc, fifo, err, sizeof err) != 0 && strstr(err, "a FIFO"),
           "a FIFO was replaced: '%s'", err);
    struct stat fst;
    EXPECT(lstat(fifo, &fst) == 0 && S_ISFIFO(fst.st_mode), "the FIFO is gone");
    unlink(fifo);
    int n = list_dir(dir, names, 8);
    EXPECT(n == 2, "only 'file' and 'target' should remain, found %d entries", n);
    for (int i = 0; i < n && i < 8; i++)
        EXPECT(strstr(names[i], "tmp") == NULL, "temporary file left behind: %s", names[i]);
    EXPECT(list_dir(path, names, 8) == 1, "target directory changed");
    /* an unwritable directory (meaningless as root, who may write anywhere) */
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/ro", dir);
        mkdir(path, 0555);
        snprintf(path, sizeof path, "%s/ro/r.json", dir);
        EXPECT(mlp_results_write(doc, path, err, sizeof err) != 0, "write into a read-only dir");
        snprintf(path, sizeof path, "%s/ro", dir);
        EXPECT(list_dir(path, names, 8) == 0, "read-only dir should stay empty");
        rmdir(path);
    }
    unlink(blocker);
    rmdir(path);
    snprintf(path, sizeof path, "%s/target", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/file", dir);
    unlink(path);
    json_decref(doc);
}

/* Empty phases (no samples, NaN statistics) must still give a valid document. */
static void test_empty(mlp_bench_run *run)
{
    for (size_t k = 0; k < run->ncases; k++)
        run->cases[k].train.n = run->cases[k].test.n = 0;
    mlp_bench_finish(run);
    json_t *doc = mlp_results_document(run);
    EXPECT(doc != NULL, "a run without samples should still give a document");
    json_decref(doc);
}

static void test_default_path(const mlp_bench_run *run)
{
    char path[512];
    EXPECT(mlp_results_default_path(&run->machine, "results", path, sizeof path) == 0,
           "default path");
    size_t n = strlen(path);
    EXPECT(strncmp(path, "results/", 8) == 0 && n > 26 && strcmp(path + n - 5, ".json") == 0 &&
               path[n - 6] == 'Z' && path[n - 13] == 'T',
           "default path '%s' should be results/<machine>-<yyyymmddThhmmssZ>.json", path);
    EXPECT(mlp_results_default_path(&run->machine, "results", path, 10) != 0, "too long");
}

/* A writer killed while it writes leaves no temporary file (the signals wait until it
 * is renamed or removed), and one left by a dead process (or by an older writer, from
 * before that) is removed by the next write. */
static void test_interrupted(const char *dir, const mlp_bench_run *run)
{
    char path[512], stale[600], names[8][256], err[8192];
    snprintf(path, sizeof path, "%s/r.json", dir);
    json_t *doc = mlp_results_document(run);
    if (!doc)
        return;
    for (int attempt = 0; attempt < 20; attempt++) {
        pid_t pid = fork();
        if (pid == 0) { /* write forever until killed */
            for (;;)
                mlp_results_write(doc, path, err, sizeof err);
        }
        struct timespec pause = {0, 1000000L * (1 + attempt % 5)};
        nanosleep(&pause, NULL);
        kill(pid, attempt % 2 ? SIGINT : SIGTERM);
        int status;
        waitpid(pid, &status, 0);
        EXPECT(WIFSIGNALED(status), "the writer was not killed by its signal");
        int n = list_dir(dir, names, 8);
        for (int i = 0; i < n && i < 8; i++)
            EXPECT(strstr(names[i], ".tmp.") == NULL, "attempt %d left %s behind", attempt,
                   names[i]);
    }
    /* a temporary file of a process that is gone, as a writer killed by SIGKILL leaves it */
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    snprintf(stale, sizeof stale, "%s/.mlpbench-result.tmp.%ld.AbCdEf", dir, (long)gone);
    FILE *f = fopen(stale, "w");
    if (f)
        fclose(f);
    EXPECT(mlp_results_write(doc, path, err, sizeof err) == 0, "write: %s", err);
    EXPECT(access(stale, F_OK) != 0, "the dead writer's %s was not removed", stale);
    /* and one of this (living) process stays: it may be being written */
    snprintf(stale, sizeof stale, "%s/.mlpbench-result.tmp.%ld.AbCdEf", dir, (long)getpid());
    f = fopen(stale, "w");
    if (f)
        fclose(f);
    EXPECT(mlp_results_write(doc, path, err, sizeof err) == 0, "write: %s", err);
    EXPECT(access(stale, F_OK) == 0, "a living writer's temporary file was removed");
    unlink(stale);
    unlink(path);
    json_decref(doc);
}

int main(void)
{
    char dir[] = "/tmp/mlp-test-results-XXXXXX";
    if (!mkdtemp(dir)) {
        printf("FAIL: mkdtemp\n");
        return 1;
    }
    mlp_bench_run run;
    if (make_run(&run) != 0)
        return 1;
    test_write(dir, &run);
    test_failures(dir, &run);
    test_interrupted(dir, &run);
    test_default_path(&run);
    test_empty(&run);
    mlp_bench_free(&run);
    rmdir(dir);
    return expect_exit();
}
