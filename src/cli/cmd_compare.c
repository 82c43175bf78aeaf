/* cmd_compare.c: `mlpbench compare A.json B.json`: matches the benchmarks of two
 * result files by name and reports the change of the median time from A to B with a
 * two-sided Mann-Whitney U test, as Google Benchmark's compare.py does. Reads our
 * result files (the raw samples of each case) and plain Google Benchmark JSON (the
 * real_time of each repetition), e.g. bench/mlp_gbench --benchmark_out files. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "stats.h"

static const char usage[] =
    "usage: mlpbench compare [--alpha P] A.json B.json\n"
    "Compares two result files (mlpbench bench, or Google Benchmark JSON) benchmark by\n"
    "benchmark: median time in A and B, the change (B - A) / A, and the p-value of a\n"
    "two-sided Mann-Whitney U test on the samples. 'faster' / 'slower' when p < alpha\n"
    "(default 0.05), else 'same'. Uses the raw per-epoch samples of mlpbench files and\n"
    "the per-repetition real_time of Google Benchmark files.\n";

enum { OPT_ALPHA = MLP_OPT_COMMAND_FIRST };

typedef struct series {
    char name[160];
    double *x; /* seconds, or the file's time_unit for Google Benchmark files */
    size_t n;
} series;

typedef struct result_file {
    series *s;
    size_t n, cap;
    const char *unit;
} result_file;

static series *add_series(result_file *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->s[i].name, name) == 0)
            return &f->s[i];
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 64;
        series *s = realloc(f->s, cap * sizeof *s);
        if (!s)
            return NULL;
        f->s = s;
        f->cap = cap;
    }
    series *s = &f->s[f->n++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static int append(series *s, double v)
{
    double *x = realloc(s->x, (s->n + 1) * sizeof *x);
    if (!x)
        return -1;
    x[s->n++] = v;
    s->x = x;
    return 0;
}

/* The raw samples of our cases: epoch/<case> and test/<case>, in seconds. */
static int read_cases(json_t *cases, result_file *f)
{
    size_t i;
    json_t *c;
    static const char *const phases[2][2] = {{"train_epoch", "epoch"}, {"test_pass", "test"}};
    json_array_foreach(cases, i, c) {
        for (int p = 0; p < 2; p++) {
            json_t *samples = json_object_get(json_object_get(c, phases[p][0]), "samples");
            const char *name = json_string_value(json_object_get(c, "name"));
            if (!name || !json_is_array(samples) || json_array_size(samples) == 0)
                continue;
            char full[160];
            snprintf(full, sizeof full, "%s/%s", phases[p][1], name);
            series *s = add_series(f, full);
            size_t j;
            json_t *v;
            json_array_foreach(samples, j, v) if (!s || append(s, json_number_value(v)) != 0)
                return -1;
        }
    }
    f->unit = "s";
    return 0;
}

/* Google Benchmark: the real_time of each iteration entry, grouped by name. */
static int read_benchmarks(json_t *list, result_file *f)
{
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e) {
        const char *rt = json_string_value(json_object_get(e, "run_type"));
        const char *name = json_string_value(json_object_get(e, "name"));
        json_t *t = json_object_get(e, "real_time");
        if (!name || !json_is_number(t) || (rt && strcmp(rt, "iteration") != 0) ||
            json_is_true(json_object_get(e, "error_occurred")))
            continue;
        series *s = add_series(f, name);
        if (!s || append(s, json_number_value(t)) != 0)
            return -1;
        if (!f->unit)
            f->unit = json_string_value(json_object_get(e, "time_unit"));
    }
    return 0;
}

static void free_file(result_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->s[i].x);
    free(f->s);
}

static int load(const char *path, result_file *f, json_t **doc)
{
    json_error_t jerr;
    memset(f, 0, sizeof *f);
    *doc = json_load_file(path, 0, &jerr);
    if (!*doc) {
        if (jerr.line > 0)
            fprintf(stderr, "mlpbench compare: error: %s: %s (line %d)\n", path, jerr.text,
                    jerr.line);
        else
            fprintf(stderr, "mlpbench compare: error: %s\n", jerr.text);
        return -1;
    }
    json_t *cases = json_object_get(*doc, "cases"), *list = json_object_get(*doc, "benchmarks");
    int rc = json_is_array(cases) ? read_cases(cases, f)
             : json_is_array(list) ? read_benchmarks(list, f)
                                   : -2;
    if (rc == -2)
        fprintf(stderr, "mlpbench compare: error: %s: no 'benchmarks' list\n", path);
    else if (rc != 0)
        fprintf(stderr, "mlpbench compare: error: out of memory reading %s\n", path);
    return rc == 0 ? 0 : -1;
}

static void compare_one(const series *a, const series *b, double alpha, double scale)
{
    double ma = mlp_stats_median(a->x, a->n), mb = mlp_stats_median(b->x, b->n);
    double p = mlp_stats_mann_whitney(a->x, a->n, b->x, b->n, NULL);
    double change = ma > 0 ? (mb - ma) / ma : NAN;
    const char *verdict = !(p < alpha) ? "same" : mb < ma ? "faster" : "slower";
    printf("%-48s %12.4f %12.4f %+8.1f%% %8.4f  %s%s\n", a->name, ma * scale, mb * scale,
           change * 100, p, verdict, a->n < 3 || b->n < 3 ? " (few samples)" : "");
}

static int compare(const result_file *a, const result_file *b, double alpha)
{
    bool seconds = a->unit && strcmp(a->unit, "s") == 0;
    double scale = seconds ? 1e3 : 1;
    const char *unit = seconds ? "ms" : a->unit ? a->unit : "?";
    printf("%-48s %9s %-2s %9s %-2s %9s %8s  %s\n", "benchmark", "A median", unit, "B median",
           unit, "change", "p-value", "verdict");
    size_t matched = 0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++)
            if (strcmp(a->s[i].name, b->s[j].name) == 0) {
                compare_one(&a->s[i], &b->s[j], alpha, scale);
                matched++;
            }
    if (matched == 0)
        return mlp_fail("compare", "the two files have no benchmark name in common");
    printf("\n%zu benchmark%s matched; A has %zu, B has %zu. Mann-Whitney U, two-sided, "
           "alpha %.3g.\n", matched, matched == 1 ? "" : "s", a->n, b->n, alpha);
    return 0;
}

int mlp_cmd_compare(int argc, char **argv)
{
    static const struct option options[] = {{"alpha", required_argument, NULL, OPT_ALPHA},
                                            {"help", no_argument, NULL, 'h'},
                                            {0, 0, 0, 0}};
    double alpha = 0.05;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            return 0;
        }
        if (c != OPT_ALPHA)
            mlp_bad_option("compare", argv);
        alpha = mlp_parse_double("compare", "alpha", optarg, 0, 1);
    }
    if (argc - optind != 2)
        mlp_usage_error("compare", "expects two result files, got %d", argc - optind);
    result_file a, b;
    json_t *da = NULL, *db = NULL;
    int rc = MLP_EXIT_FAILURE;
    if (load(argv[optind], &a, &da) == 0) {
        if (load(argv[optind + 1], &b, &db) == 0) {
            rc = compare(&a, &b, alpha);
            free_file(&b);
        }
        free_file(&a);
    }
    json_decref(da);
    json_decref(db);
    return rc;
}
