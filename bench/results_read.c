/* results_read.c: reading and validating result files (see results_read.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_read.h"
#include "stats.h"

enum { MAX_NAME = 1024 };

typedef struct reader {
    const char *label;
    char *err;
    size_t errlen;
    mlp_result_file *f;
    size_t cap; /* of f->series */
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "label: message" into the caller's buffer, on one line (a document's text quoted by
 * the JSON parser can hold newlines: control characters become spaces). Returns -1. */
static int fail(reader *r, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s: ", r->label);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    for (char *c = r->err; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
    return -1;
}

/* ---- series ---- */

static mlp_result_series *add_series(reader *r, const char *name, size_t n)
{
    mlp_result_file *f = r->f;
    if (strlen(name) > MAX_NAME) {
        fail(r, "benchmark name longer than %d characters: '%.40s...'", MAX_NAME, name);
        return NULL;
    }
    if (f->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 64;
        mlp_result_series *s = realloc(f->series, cap * sizeof *s);
        if (!s) {
            fail(r, "out of memory");
            return NULL;
        }
        f->series = s;
        r->cap = cap;
    }
    mlp_result_series *s = &f->series[f->n];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    s->values = malloc((n ? n : 1) * sizeof *s->values);
    if (!s->name || !s->values) {
        free(s->name);
        free(s->values);
        fail(r, "out of memory");
        return NULL;
    }
    f->n++;
    return s;
}

static int cmp_series(const void *a, const void *b)
{
    return strcmp(((const mlp_result_series *)a)->name, ((const mlp_result_series *)b)->name);
}

/* Sorts the series by name and refuses duplicates. */
static int sort_series(reader *r)
{
    mlp_result_file *f = r->f;
    if (f->n == 0) /* (and no qsort of a NULL array: found by tests/fuzz/fuzz_results.c) */
        return fail(r, "no benchmarks in the file");
    qsort(f->series, f->n, sizeof *f->series, cmp_series);
    for (size_t i = 1; i < f->n; i++)
        if (strcmp(f->series[i - 1].name, f->series[i].name) == 0)
            return fail(r, "benchmark '%s' appears twice", f->series[i].name);
    return 0;
}

/* A JSON value that must be a positive, finite number of seconds. */
static int sample_value(reader *r, const char *name, size_t i, const json_t *v, double scale,
                        double *out)
{
    if (!json_is_number(v))
        return fail(r, "%s: sample %zu is %s, not a number", name, i,
                    json_is_null(v)     ? "null"
                    : json_is_string(v) ? "a string"
                    : json_is_object(v) ? "an object"
                    : json_is_array(v)  ? "an array"
                                        : "not a number");
    double x = json_number_value(v) * scale;
    if (!(x > 0) || !isfinite(x))
        return fail(r, "%s: sample %zu is %g, not a positive time", name, i, x);
    *out = x;
    return 0;
}

static const char *string_at(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static double number_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* ---- mlpbench files ---- */

/* 0 if samples is a list of reps x per_rep entries (checked before anything is sized by
 * reps: a file's counts are not trusted), else fails. */
static int check_sample_count(reader *r, const char *name, const json_t *samples, size_t reps,
                              size_t per_rep)
{
    if (!json_is_array(samples))
        return fail(r, "%s: no samples", name);
    size_t n = json_array_size(samples);
    if (n == 0)
        return fail(r, "%s: empty samples", name);
    if (n % per_rep != 0 || n / per_rep != reps) {
        if (reps > SIZE_MAX / per_rep) /* the product does not fit: name the factors */
            return fail(r, "%s: %zu samples, expected %zu repetitions x %zu", name, n, reps,
                        per_rep);
        return fail(r, "%s: %zu samples, expected %zu (%zu repetitions x %zu)", name, n,
                    reps * per_rep, reps, per_rep);
    }
    return 0;
}

/* The median of each repetition's `per_rep` samples of the array samples into out. */
static int repetition_medians(reader *r, const char *name, const json_t *samples, size_t reps,
                              size_t per_rep, double *out)
{
    if (check_sample_count(r, name, samples, reps, per_rep) != 0)
        return -1;
    size_t n = json_array_size(samples);
    double *all = malloc(n * sizeof *all);
    if (!all)
        return fail(r, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (sample_value(r, name, i, json_array_get(samples, i), 1, &all[i]) != 0) {
            free(all);
            return -1;
        }
    for (size_t k = 0; k < reps; k++)
        out[k] = mlp_stats_median(all + k * per_rep, per_rep);
    free(all);
    return 0;
}

/* One phase of a case: `per_rep` samples per repetition, each repetition's median, in
 * wall time and (where the file has them) in process CPU time. */
static int read_phase(reader *r, const json_t *kase, const char *key, const char *prefix,
                      size_t reps, size_t per_rep)
{
    const char *cname = string_at(kase, "name");
    const json_t *phase = json_object_get(kase, key);
    if (json_is_null(phase) && strcmp(key, "test_pass") == 0)
        return 0; /* no test set in this run */
    char name[MAX_NAME + 16];
    snprintf(name, sizeof name, "%s/%s", prefix, cname);
    if (check_sample_count(r, name, json_object_get(phase, "samples"), reps, per_rep) != 0)
        return -1;
    mlp_result_series *s = add_series(r, name, reps);
    if (!s || repetition_medians(r, name, json_object_get(phase, "samples"), reps, per_rep,
                                 s->values) != 0)
        return -1;
    s->n = reps;
    const json_t *cpu = json_object_get(phase, "cpu_samples");
    if (cpu) {
        char cname2[MAX_NAME + 32];
        snprintf(cname2, sizeof cname2, "%s (cpu_samples)", name);
        s->cpu = malloc(reps * sizeof *s->cpu);
        if (!s->cpu)
            return fail(r, "out of memory");
        if (repetition_medians(r, cname2, cpu, reps, per_rep, s->cpu) != 0)
            return -1;
    }
    s->check = string_at(json_object_get(kase, "correctness"), "status");
    s->gflops = number_at(phase, "gflops_executed");
    s->peak_gflops = number_at(kase, "peak_gflops");
    return 0;
}

/* A positive integer at key of o. */
static int count_at(reader *r, const json_t *o, const char *key, size_t *out)
{
    const json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return fail(r, "configuration.%s: expected a positive integer", key);
    *out = (size_t)json_integer_value(v);
    return 0;
}

static json_t *pick(const json_t *from, const char *const *keys, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(from, keys[i]);
        json_object_set(o, keys[i], v ? v : json_null());
    }
    return o;
}

static int read_mlpbench(reader *r, json_t *doc)
{
    mlp_result_file *f = r->f;
    const json_t *kind = json_object_get(doc, "kind");
    if (json_is_string(kind) && strcmp(json_string_value(kind), "mpi-scaling") == 0)
        return fail(r, "an MPI scaling result (bench --scaling): compare judges bench and "
                       "Google Benchmark results; tools/mpi-model reads this one");
    const json_t *sv = json_object_get(doc, "schema_version");
    if (!json_is_integer(sv))
        return fail(r, "schema_version: expected an integer");
    f->schema_version = (int)json_integer_value(sv);
    if (f->schema_version < MLP_RESULTS_READ_MIN_SCHEMA ||
        f->schema_version > MLP_RESULTS_READ_MAX_SCHEMA)
        return fail(r, "unknown schema_version %d (this mlpbench reads %d to %d)",
                    f->schema_version, MLP_RESULTS_READ_MIN_SCHEMA, MLP_RESULTS_READ_MAX_SCHEMA);
    const json_t *cfg = json_object_get(doc, "configuration");
    size_t reps = 0, epochs = 0;
    if (count_at(r, cfg, "repetitions", &reps) || count_at(r, cfg, "epochs", &epochs))
        return -1;
    const json_t *m = json_object_get(json_object_get(doc, "context"), "machine");
    const json_t *cpu = json_object_get(m, "cpu"), *build = json_object_get(m, "build");
    static const char *const cpu_keys[] = {"model", "id", "features"};
    static const char *const build_keys[] = {"compiler", "flags", "build_type"};
    f->machine = pick(cpu, cpu_keys, 3);
    f->build = pick(build, build_keys, 3);
    static const char *const work_keys[] = {"model", "train_count", "test_count",
                                            "warmup_epochs"};
    f->workload = pick(cfg, work_keys, 4);
    const json_t *checksum = json_object_get(json_object_get(doc, "data"), "checksum");
    json_object_set(f->workload, "data_checksum", checksum ? (json_t *)checksum : json_null());
    const json_t *cases = json_object_get(doc, "cases");
    if (!json_is_array(cases))
        return fail(r, "cases: expected a list");
    size_t i;
    const json_t *c;
    json_array_foreach(cases, i, c) {
        if (!json_is_string(json_object_get(c, "name")))
            return fail(r, "cases[%zu]: no name", i);
        if (read_phase(r, c, "train_epoch", "epoch", reps, epochs) ||
            read_phase(r, c, "test_pass", "test", reps, 1))
            return -1;
    }
    return 0;
}

/* ---- Google Benchmark files ---- */

static int unit_scale(reader *r, const char *name, const char *unit, double *scale)
{
    static const struct { const char *unit; double scale; } units[] = {
        {"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (unit && strcmp(unit, units[i].unit) == 0) {
            *scale = units[i].scale;
            return 0;
        }
    return fail(r, "%s: time_unit %s%s%s cannot be converted to seconds", name,
                unit ? "'" : "", unit ? unit : "missing", unit ? "'" : "");
}

static int read_gbench(reader *r, json_t *doc)
{
    mlp_result_file *f = r->f;
    f->kind = MLP_RESULT_GBENCH;
    const json_t *ctx = json_object_get(doc, "context");
    static const char *const machine_keys[] = {"host_name", "num_cpus", "mhz_per_cpu",
                                               "cpu_features"};
    static const char *const build_keys[] = {"library_build_type", "mlpbench_version"};
    f->machine = pick(ctx, machine_keys, 4);
    f->build = pick(ctx, build_keys, 2);
    json_t *list = json_object_get(doc, "benchmarks");
    /* group the iteration entries by name: a name's entries are counted first */
    json_t *groups = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        const char *rt = string_at(e, "run_type"), *name = string_at(e, "name");
        if (!name) {
            json_decref(groups);
            return fail(r, "benchmarks[%zu]: no name", i);
        }
        if (rt && strcmp(rt, "iteration") != 0)
            continue;
        json_t *g = json_object_get(groups, name);
        if (!g) {
            g = json_array();
            json_object_set_new(groups, name, g);
        }
        json_array_append(g, e);
    }
    const char *name;
    json_t *g;
    int rc = 0;
    json_object_foreach(groups, name, g) {
        mlp_result_series *s = add_series(r, name, json_array_size(g));
        if (!s) {
            rc = -1;
            break;
        }
        json_array_foreach(g, i, e) {
            double scale = 0;
            if (json_is_true(json_object_get(e, "error_occurred")))
                s->check = "FAILED";
            if (unit_scale(r, name, string_at(e, "time_unit"), &scale) ||
                sample_value(r, name, i, json_object_get(e, "real_time"), scale,
                             &s->values[s->n])) {
                rc = -1;
                break;
            }
            const json_t *cpu = json_object_get(e, "cpu_time");
            if (i == 0 && cpu)
                s->cpu = malloc(json_array_size(g) * sizeof *s->cpu);
            if (i == 0 && cpu && !s->cpu) {
                rc = fail(r, "out of memory");
                break;
            }
            if (s->cpu && !cpu) { /* CPU times for some entries only: none */
                free(s->cpu);
                s->cpu = NULL;
            }
            if (s->cpu && sample_value(r, name, i, cpu, scale, &s->cpu[s->n]) != 0) {
                rc = -1;
                break;
            }
            s->n++;
        }
        if (rc)
            break;
    }
    json_decref(groups);
    return rc;
}

/* ---- files ---- */

static void free_series(mlp_result_file *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->series[i].name);
        free(f->series[i].values);
        free(f->series[i].cpu);
    }
    free(f->series);
}

void mlp_result_free(mlp_result_file *f)
{
    free_series(f);
    json_decref(f->machine);
    json_decref(f->build);
    json_decref(f->workload);
    free(f->label);
    memset(f, 0, sizeof *f);
}

/* The correctness strings point into the document, which is freed after reading: they
 * are replaced by the static names. */
static void own_checks(mlp_result_file *f)
{
    static const char *const names[] = {"PASSED", "FAILED", "SKIPPED"};
    for (size_t i = 0; i < f->n; i++) {
        const char *c = f->series[i].check;
        f->series[i].check = NULL;
        for (size_t k = 0; c && k < 3; k++)
            if (strcmp(c, names[k]) == 0)
                f->series[i].check = names[k];
    }
}

int mlp_result_parse(const char *text, size_t len, const char *label, mlp_result_file *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    reader r = {.label = label, .err = err, .errlen = errlen, .f = out};
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    if (!doc)
        return jerr.line > 0 ? fail(&r, "not valid JSON: %s (line %d)", jerr.text, jerr.line)
                             : fail(&r, "not valid JSON: %s", jerr.text);
    int rc;
    if (!json_is_object(doc))
        rc = fail(&r, "not a result file: the document is not a JSON object");
    else if (json_object_get(doc, "cases"))
        rc = read_mlpbench(&r, doc);
    else if (json_is_array(json_object_get(doc, "benchmarks")))
        rc = read_gbench(&r, doc);
    else
        rc = fail(&r, "not a result file: neither 'cases' (mlpbench) nor 'benchmarks' "
                      "(Google Benchmark)");
    if (rc == 0) {
        own_checks(out);
        rc = sort_series(&r);
    }
    json_decref(doc);
    out->label = rc == 0 ? strdup(label) : NULL;
    if (rc == 0 && !out->label)
        rc = fail(&r, "out of memory");
    if (rc != 0)
        mlp_result_free(out);
    return rc;
}

int mlp_result_load(const char *path, mlp_result_file *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    size_t got;
    while (text && (got = fread(text + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *grown = realloc(text, cap * 2);
            if (!grown) {
                free(text);
                text = NULL;
            }
            text = grown;
            cap *= 2;
        }
    }
    bool bad = ferror(fp);
    fclose(fp);
    if (!text || bad) {
        free(text);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "out of memory");
        return -1;
    }
    int rc = mlp_result_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

const mlp_result_series *mlp_result_find(const mlp_result_file *f, const char *name)
{
    mlp_result_series key = {.name = (char *)name};
    return f->n ? bsearch(&key, f->series, f->n, sizeof *f->series, cmp_series) : NULL;
}

/* The first key of objects a and b (which have the same keys; nested objects are
 * searched too) whose values differ: "<prefix><path> is <A's> in A, <B's> in B". */
/* The first key of a whose value b lacks or differs in, as "key is <a's> in A, <b's> in
 * B" (swapped: a is B's and b is A's, the message says so) */
static bool first_difference(const json_t *a, const json_t *b, const char *prefix, char *why,
                             size_t len, bool swapped)
{
    const char *key;
    json_t *va;
    json_object_foreach((json_t *)a, key, va) {
        json_t *vb = json_object_get(b, key);
        if (vb && json_equal(va, vb))
            continue;
        char path[128];
        snprintf(path, sizeof path, "%.60s%.60s", prefix, key);
        if (json_is_object(va) && json_is_object(vb)) {
            char inner[132];
            snprintf(inner, sizeof inner, "%s.", path);
            if (first_difference(va, vb, inner, why, len, swapped))
                return true;
            continue;
        }
        char *ta = json_dumps(va, JSON_ENCODE_ANY | JSON_COMPACT);
        char *tb = vb ? json_dumps(vb, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        const char *sa = ta ? ta : "?", *sb = tb ? tb : "missing";
        snprintf(why, len, "%s is %.80s in A, %.80s in B", path, swapped ? sb : sa,
                 swapped ? sa : sb);
        free(ta);
        free(tb);
        return true;
    }
    return false;
}

bool mlp_result_comparable(const mlp_result_file *a, const mlp_result_file *b,
                           bool across_machines, char *why, size_t len)
{
    if (a->kind != b->kind) {
        snprintf(why, len, "%s is %s file, %s %s file", a->label,
                 a->kind == MLP_RESULT_MLPBENCH ? "an mlpbench" : "a Google Benchmark", b->label,
                 b->kind == MLP_RESULT_MLPBENCH ? "an mlpbench" : "a Google Benchmark");
        return false;
    }
    char diff[512];
    /* both ways: a field that only one file has (micro_batch) is a difference too */
    if (a->workload && b->workload &&
        (first_difference(a->workload, b->workload, "", diff, sizeof diff, false) ||
         first_difference(b->workload, a->workload, "", diff, sizeof diff, true))) {
        snprintf(why, len, "the workloads differ: %.400s", diff);
        return false;
    }
    if (across_machines)
        return true;
    if (first_difference(a->machine, b->machine, "machine.", diff, sizeof diff, false) ||
        first_difference(a->build, b->build, "build.", diff, sizeof diff, false)) {
        snprintf(why, len, "different machines or builds: %.300s (--across-machines compares "
                           "them anyway)", diff);
        return false;
    }
    return true;
}
