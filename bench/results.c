/* results.c: the result document and its atomic writer (see results.h and
 * results/README.md for every field). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "results.h"

#ifndef MLP_RESULTS_DIR
#define MLP_RESULTS_DIR "results"
#endif

/* A number, or null when it is not finite (JSON has no NaN). */
static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* A positive number, or null (speedups and peaks that do not apply). */
static json_t *pos_or_null(double v)
{
    return v > 0 && isfinite(v) ? json_real(v) : json_null();
}

static json_t *array_of(const double *x, size_t n, double scale)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, num(x[i] * scale));
    return a;
}

/* ---- context ---- */

static const char *gb_cache_type(const char *type)
{
    return strcmp(type, "data") == 0 ? "Data"
           : strcmp(type, "instruction") == 0 ? "Instruction"
                                                : "Unified";
}

static json_t *gb_caches(const mlp_topo_info *t)
{
    json_t *a = json_array();
    for (int i = 0; i < t->ncaches; i++)
        json_array_append_new(a, json_pack("{s:s, s:i, s:I, s:i}", "type",
                                           gb_cache_type(t->caches[i].type), "level",
                                           t->caches[i].level, "size",
                                           (json_int_t)t->caches[i].size, "num_sharing",
                                           t->caches[i].pus_sharing));
    return a;
}

static json_t *string_list(const char (*s)[200], int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

static json_t *context_json(const mlp_bench_run *run)
{
    const mlp_machine *m = &run->machine;
    json_t *load = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(load, m->loadavg[i] >= 0 ? json_real(m->loadavg[i]) : json_null());
    bool debug = strcmp(m->build_type, "Debug") == 0;
    json_t *counters = json_pack("{s:b, s:s}", "available", run->counters_available, "reason",
                                 run->counters_reason);
    return json_pack("{s:s, s:s, s:s, s:i, s:I, s:b, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o}",
                     "date",
                     m->date_local, "host_name", m->hostname, "executable", run->executable,
                     "num_cpus", m->topo.pus, "mhz_per_cpu", (json_int_t)llround(m->mhz),
                     "cpu_scaling_enabled", m->governor_known && !m->governor_fixed, "caches",
                     gb_caches(&m->topo), "load_avg", load, "library_build_type",
                     debug ? "debug" : "release", "mlpbench_version", MLP_VERSION, "machine",
                     mlp_machine_json(m), "warnings",
                     string_list(run->warnings, run->nwarnings), "peak",
                     run->have_peak ? mlp_peak_json(&run->peak) : json_null(), "counters",
                     counters);
}

/* ---- configuration ---- */

static json_t *config_json(const mlp_bench_run *run)
{
    const mlp_bench_config *c = &run->cfg;
    const mlp_model_config *m = &c->spec.train.model;
    json_t *sets = json_array(), *precs = json_array(), *threads = json_array();
    for (size_t i = 0; i < c->nsets; i++)
        json_array_append_new(sets, json_string(c->sets[i]->name));
    for (size_t i = 0; i < c->nprecisions; i++)
        json_array_append_new(precs, json_string(mlp_precision_name(c->precisions[i])));
    for (size_t i = 0; i < c->nthreads; i++)
        json_array_append_new(threads, json_integer(c->threads[i]));
    json_t *order = json_array();
    for (int r = 0; r < c->repetitions && run->order; r++) {
        json_t *o = json_array();
        for (size_t i = 0; i < run->ncases; i++)
            json_array_append_new(o, json_integer(run->order[(size_t)r * run->ncases + i]));
        json_array_append_new(order, o);
    }
    json_t *processes = json_array();
    for (int r = 0; r < c->repetitions && run->repetition_process; r++)
        json_array_append_new(processes, json_integer(run->repetition_process[r]));
    json_t *skipped = json_array();
    for (size_t i = 0; i < run->nskipped; i++)
        json_array_append_new(skipped, json_pack("{s:s, s:s}", "set", run->skipped[i].set,
                                                 "reason", run->skipped[i].reason));
    json_t *model = json_pack(
        "{s:I, s:I, s:I, s:I, s:f, s:I, s:b, s:s}", "inputs", (json_int_t)m->inputs, "hidden",
        (json_int_t)m->hidden, "outputs", (json_int_t)m->outputs, "seed", (json_int_t)m->seed,
        "alpha", m->alpha, "batch", (json_int_t)m->batch, "dropout", m->dropout, "relu_grad",
        m->relu_grad == MLP_RELU_GRAD_SEED ? "seed" : "strict");
    if (m->batch > 1) /* B > 1 sums micro-batches in a fixed tree: part of the workload */
        json_object_set_new(model, "micro_batch", json_integer((json_int_t)m->micro_batch));
    return json_pack("{s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:o, s:b, s:s, s:i, s:b, s:I, "
                     "s:o, s:o, s:s, s:I, s:I}",
                     "model", model, "sets", sets, "precisions", precs, "threads", threads,
                     "warmup_epochs", c->warmup, "epochs", c->epochs, "repetitions",
                     c->repetitions, "processes", c->processes, "repetition_process", processes,
                     "test_pass_per_repetition", run->test_count > 0, "pin",
                     c->pin ? "cores" : "none", "check_epochs", c->check_epochs, "peak_probe",
                     c->peak, "shuffle_seed", (json_int_t)c->shuffle_seed, "order", order,
                     "skipped", skipped, "data_dir", c->spec.data_dir, "train_count",
                     (json_int_t)run->train_count, "test_count", (json_int_t)run->test_count);
}

static json_t *data_json(const mlp_bench_run *run)
{
    double pixels = (double)run->cfg.spec.train.model.inputs;
    double tr = run->train_count ? (double)run->train_nonzero / ((double)run->train_count * pixels) : 0;
    double te = run->test_count ? (double)run->test_nonzero / ((double)run->test_count * pixels) : 0;
    return json_pack("{s:I, s:I, s:s, s:I, s:I, s:f, s:f}", "train_count",
                     (json_int_t)run->train_count, "test_count", (json_int_t)run->test_count,
                     "checksum", run->data_checksum, "train_nonzero_inputs",
                     (json_int_t)run->train_nonzero, "test_nonzero_inputs",
                     (json_int_t)run->test_nonzero, "train_nonzero_fraction", tr,
                     "test_nonzero_fraction", te);
}

/* ---- cases ---- */

static json_t *stats_json(const mlp_stats *s)
{
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n, "min",
                     num(s->min), "max", num(s->max), "mean", num(s->mean), "median",
                     num(s->median), "mad", num(s->mad), "stddev", num(s->stddev), "cv",
                     num(s->cv));
}

/* The roofline bound of a phase (roofline.h), null without peak figures. */
static json_t *bound_json(const mlp_bench_phase *p)
{
    const mlp_bound *b = &p->bound;
    if (!(b->bound_s > 0))
        return json_null();
    return json_pack("{s:f, s:o, s:s, s:o, s:o, s:o, s:s, s:s}", "seconds", b->bound_s, "percent",
                     pos_or_null(p->percent_of_bound), "limit", b->limit, "compute_seconds",
                     pos_or_null(b->compute_s), "weights_seconds", pos_or_null(b->weights_s),
                     "inputs_seconds", pos_or_null(b->inputs_s), "weights_level",
                     b->weights_level, "inputs_level", b->inputs_level);
}

static json_t *phase_json(const mlp_bench_phase *p, size_t records)
{
    if (p->n == 0)
        return json_null();
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:{s:f, s:f}, s:{s:f, s:f}, s:o, s:o, "
                     "s:o, s:o, s:o, s:o}",
                     "unit", "s", "samples", array_of(p->seconds, p->n, 1), "cpu_samples",
                     array_of(p->cpu_seconds, p->n, 1), "instructions",
                     array_of(p->instructions, p->n, 1), "cycles", array_of(p->cycles, p->n, 1),
                     "stats", stats_json(&p->stats),
                     "records", (json_int_t)records, "flop", "dense", p->flops.dense,
                     "executed", p->flops.executed, "bytes", "dense", p->bytes.dense,
                     "executed", p->bytes.executed, "samples_per_second",
                     num(p->samples_per_second), "gflops_dense", num(p->gflops_dense),
                     "gflops_executed", num(p->gflops_executed), "speedup_vs_scalar",
                     pos_or_null(p->speedup), "speedup_vs_numpy", pos_or_null(p->speedup_numpy), "bound", bound_json(p));
}

static json_t *correctness_json(const mlp_bench_case *k)
{
    if (!k->checked)
        return json_pack("{s:s, s:b, s:s}", "status", "SKIPPED", "checked", 0, "detail",
                         "not checked (--check-epochs 0)");
    const mlp_training_check *c = &k->check;
    return json_pack("{s:s, s:b, s:s, s:i, s:o, s:o, s:f, s:f, s:s}", "status",
                     mlp_check_status_name(c->status), "checked", 1, "precision", "f32",
                     "epochs", k->check_epochs, "vs_scalar", num(c->vs_scalar), "vs_book",
                     num(c->vs_book), "tolerance", MLP_TRAINING_TOLERANCE, "seconds", c->seconds,
                     "detail", c->detail);
}

static json_t *cpus_json(const mlp_bench_case *k, int reps)
{
    json_t *a = json_array();
    for (int r = 0; r < reps; r++) {
        json_t *t = json_array();
        for (int i = 0; i < k->threads; i++)
            json_array_append_new(t, json_integer(k->cpus[(size_t)r * (size_t)k->threads + (size_t)i]));
        json_array_append_new(a, t);
    }
    return a;
}

static json_t *case_json(const mlp_bench_run *run, const mlp_bench_case *k)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:b, s:i, s:o, s:o, s:o, s:o, s:o, "
                     "s:o}",
                     "name", k->name, "set", k->set, "isa", k->isa, "precision",
                     mlp_precision_name(k->precision), "threads", k->threads, "threaded",
                     k->threaded, "skips_zero_inputs", k->skips_zero_inputs, "pinned",
                     run->cfg.pin && k->pin_failures == 0, "pin_failures", k->pin_failures,
                     "cpus", cpus_json(k, run->cfg.repetitions), "train_epoch",
                     phase_json(&k->train, run->train_count), "test_pass",
                     phase_json(&k->test, run->test_count), "peak_gflops",
                     pos_or_null(k->peak_gflops), "percent_of_peak",
                     pos_or_null(k->percent_of_peak), "correctness", correctness_json(k));
}

/* ---- Google Benchmark entries ---- */

typedef struct family {
    const mlp_bench_case *k;
    const mlp_bench_phase *p;
    const char *phase;  /* "epoch" or "test" */
    size_t records;
    int per_rep;        /* samples per repetition */
    int index;
    char name[128];
} family;

/* Rate counters for a time of `seconds` per sample (Google Benchmark's names where
 * they exist: items_per_second). */
static void add_counters(json_t *e, const family *f, double seconds)
{
    if (!(seconds > 0))
        return;
    json_object_set_new(e, "items_per_second", json_real((double)f->records / seconds));
    json_object_set_new(e, "flops_dense", json_real(f->p->flops.dense / seconds));
    json_object_set_new(e, "flops_executed", json_real(f->p->flops.executed / seconds));
}

static json_t *gb_entry(const family *f, const char *name, const char *run_type, int reps)
{
    return json_pack("{s:s, s:i, s:i, s:s, s:s, s:i, s:i}", "name", name, "family_index",
                     f->index, "per_family_instance_index", 0, "run_name", f->name, "run_type",
                     run_type, "repetitions", reps, "threads", f->k->threads);
}

static void set_times(json_t *e, int iterations, double real_s, double cpu_s, double scale)
{
    json_object_set_new(e, "iterations", json_integer(iterations));
    json_object_set_new(e, "real_time", num(real_s * scale));
    json_object_set_new(e, "cpu_time", num(cpu_s * scale));
    json_object_set_new(e, "time_unit", json_string("ns"));
}

static void add_iterations(json_t *list, const family *f, int reps)
{
    for (int r = 0; r < reps; r++) {
        size_t first = (size_t)r * (size_t)f->per_rep;
        if (first + (size_t)f->per_rep > f->p->n)
            break;
        double real = mlp_stats_mean(f->p->seconds + first, (size_t)f->per_rep);
        double cpu = mlp_stats_mean(f->p->cpu_seconds + first, (size_t)f->per_rep);
        json_t *e = gb_entry(f, f->name, "iteration", reps);
        json_object_set_new(e, "repetition_index", json_integer(r));
        set_times(e, f->per_rep, real, cpu, 1e9);
        add_counters(e, f, real);
        json_array_append_new(list, e);
    }
}

static void add_aggregates(json_t *list, const family *f, int reps)
{
    static const char *const names[] = {"mean", "median", "stddev", "cv", "min", "mad"};
    mlp_stats cpu;
    mlp_stats_summarize(f->p->cpu_seconds, f->p->n, &cpu);
    const mlp_stats *s = &f->p->stats;
    double real[] = {s->mean, s->median, s->stddev, s->cv, s->min, s->mad};
    double cput[] = {cpu.mean, cpu.median, cpu.stddev, cpu.cv, cpu.min, cpu.mad};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s_%s", f->name, names[i]);
        json_t *e = gb_entry(f, name, "aggregate", reps);
        bool cv = strcmp(names[i], "cv") == 0;
        json_object_set_new(e, "aggregate_name", json_string(names[i]));
        json_object_set_new(e, "aggregate_unit", json_string(cv ? "percentage" : "time"));
        set_times(e, (int)f->p->n, real[i], cput[i], cv ? 1 : 1e9);
        if (i == 0 || i == 1 || i == 4)
            add_counters(e, f, real[i]);
        json_array_append_new(list, e);
    }
}

static json_t *benchmarks_json(const mlp_bench_run *run)
{
    json_t *list = json_array();
    int index = 0, reps = run->cfg.repetitions;
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        family fams[2] = {
            {k, &k->train, "epoch", run->train_count, run->cfg.epochs, 0, ""},
            {k, &k->test, "test", run->test_count, 1, 0, ""},
        };
        for (int j = 0; j < 2; j++) {
            family *f = &fams[j];
            if (f->p->n == 0)
                continue;
            f->index = index++;
            snprintf(f->name, sizeof f->name, "%s/%s", f->phase, k->name);
            add_iterations(list, f, reps);
            add_aggregates(list, f, reps);
        }
    }
    return list;
}

json_t *mlp_results_document(const mlp_bench_run *run)
{
    json_t *cases = json_array();
    for (size_t i = 0; i < run->ncases; i++)
        json_array_append_new(cases, case_json(run, &run->cases[i]));
    return json_pack("{s:i, s:o, s:o, s:o, s:o, s:{s:o}, s:f, s:o}", "schema_version",
                     MLP_RESULTS_SCHEMA_VERSION, "context", context_json(run), "configuration",
                     config_json(run), "data", data_json(run), "cases", cases, "peers", "numpy",
                     mlp_peer_json(&run->numpy), "seconds", run->seconds, "benchmarks",
                     benchmarks_json(run));
}

/* ---- writing ---- */

const char *mlp_results_default_dir(void)
{
    const char *env = getenv("MLPBENCH_RESULTS");
    return env && *env ? env : MLP_RESULTS_DIR;
}

int mlp_results_default_path(const mlp_machine *m, const char *dir, char *out, size_t len)
{
    char slug[96];
    mlp_machine_slug(m, slug, sizeof slug);
    int n = snprintf(out, len, "%s/%s-%s.json", dir, slug, m->date_utc);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* The directory part of path ("." if none). */
static void dir_of(const char *path, char *dir, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == path)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync of the directory, so that the rename is durable (best effort). */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

#define TEMP_PREFIX ".mlpbench-result.tmp."

/* Removes the temporary files that writers killed before they could clean up left in
 * dir: .mlpbench-result.tmp.<pid>.XXXXXX of a process that no longer exists, and (older
 * writers put no pid in the name) nameless ones older than an hour. */
static void remove_stale_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    time_t now = time(NULL);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0)
            continue;
        const char *rest = e->d_name + strlen(TEMP_PREFIX);
        char *end;
        long pid = strtol(rest, &end, 10);
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        bool dead = end != rest && *end == '.' && pid > 0 && kill((pid_t)pid, 0) != 0 &&
                    errno == ESRCH;
        bool old = end == rest && stat(path, &st) == 0 && now - st.st_mtime > 3600;
        if (dead || old)
            unlink(path);
    }
    closedir(d);
}

/* Blocks (or restores) the signals that would kill the process between creating the
 * temporary file and renaming or removing it: they are delivered once it is gone. */
static void block_signals(bool block, sigset_t *saved)
{
    if (!block) {
        sigprocmask(SIG_SETMASK, saved, NULL);
        return;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGQUIT);
    sigprocmask(SIG_BLOCK, &set, saved);
}

/* Text into a fresh temporary file in dir; its name into tmp. */
static int write_temp(const char *dir, const char *text, char *tmp, size_t tmplen, char *err,
                      size_t errlen)
{
    snprintf(tmp, tmplen, "%s/" TEMP_PREFIX "%ld.XXXXXX", dir, (long)getpid());
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a file in %s: %s", dir, strerror(errno));
        tmp[0] = '\0';
        return -1;
    }
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
    if (rc == 0)
        rc = write_all(fd, text, strlen(text));
    if (rc == 0)
        rc = write_all(fd, "\n", 1);
    if (rc == 0)
        rc = fsync(fd);
    if (rc != 0)
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* What a path that exists but is not a regular file is, for the message. */
static const char *kind_of(mode_t mode)
{
    return S_ISDIR(mode)    ? "a directory"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
           : S_ISLNK(mode)  ? "a symbolic link"
                            : "not a regular file";
}

/* A result replaces only a regular file (never /dev/null, a FIFO or a link). */
static int replaceable(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
        return 0;
    snprintf(err, errlen, "%s: exists and is %s, not a result file to replace", path,
             kind_of(st.st_mode));
    return -1;
}

/* The directory of path, created (one level) if missing. */
static int result_dir(const char *path, char *dir, size_t len, char *err, size_t errlen)
{
    if (strlen(path) >= MLP_RESULTS_PATH_MAX) {
        snprintf(err, errlen, "result path of %zu bytes, longer than %d", strlen(path),
                 MLP_RESULTS_PATH_MAX - 1);
        return -1;
    }
    dir_of(path, dir, len);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int mlp_results_check_writable(const char *path, char *err, size_t errlen)
{
    char dir[MLP_RESULTS_PATH_MAX], tmp[MLP_RESULTS_PATH_MAX + 64];
    if (result_dir(path, dir, sizeof dir, err, errlen) != 0 ||
        replaceable(path, err, errlen) != 0)
        return -1;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (!*base || (name_max > 0 && strlen(base) > (size_t)name_max)) {
        snprintf(err, errlen, "%s: a file name of %zu bytes (this folder allows %ld)", path,
                 strlen(base), name_max);
        return -1;
    }
    sigset_t saved;
    block_signals(true, &saved);
    int rc = write_temp(dir, "", tmp, sizeof tmp, err, errlen);
    if (*tmp)
        unlink(tmp);
    block_signals(false, &saved);
    return rc;
}

int mlp_results_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
    char dir[MLP_RESULTS_PATH_MAX], tmp[MLP_RESULTS_PATH_MAX + 64];
    if (result_dir(path, dir, sizeof dir, err, errlen) != 0 ||
        replaceable(path, err, errlen) != 0)
        return -1;
    remove_stale_temps(dir);
    char *text = json_dumps(doc, JSON_INDENT(2));
    if (!text) {
        snprintf(err, errlen, "cannot format the result as JSON");
        return -1;
    }
    sigset_t saved;
    block_signals(true, &saved);
    int rc = write_temp(dir, text, tmp, sizeof tmp, err, errlen);
    free(text);
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && *tmp)
        unlink(tmp);
    block_signals(false, &saved);
    if (rc == 0)
        sync_dir(dir);
    return rc;
}
