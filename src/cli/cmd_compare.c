/* cmd_compare.c: `mlpbench compare`: judges result files B against result files A,
 * benchmark by benchmark (bench/compare.h), and prints the verdicts as a table, JSON
 * or Markdown. The exit status is for CI: 0 when nothing regressed, 3 when something
 * did (per --fail-on), 1 for bad or incomparable data, 2 for usage errors. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "compare.h"

static const char usage[] =
    "usage: mlpbench compare [options] A.json B.json\n"
    "       mlpbench compare [options] A1.json A2.json ... -- B1.json B2.json ...\n"
    "Judges B against A benchmark by benchmark (mlpbench result files, or Google Benchmark\n"
    "JSON). The unit is one repetition: for mlpbench files the median of its epochs, for\n"
    "Google Benchmark files one iteration entry. Each benchmark gets the ratio B/A of its\n"
    "times (Hodges-Lehmann) with a rank-test confidence interval, and a verdict:\n"
    "  slower / faster  the whole interval lies beyond the threshold\n"
    "  same             the whole interval lies within it\n"
    "  noisy            the interval is too wide to decide either way\n"
    "  FAILED           its correctness check failed on either side\n"
    "The intervals hold together: their family-wise confidence is 1 - alpha.\n\n"
    "Options:\n"
    "  --threshold PCT    smallest change that counts, in percent (default 5)\n"
    "  --alpha P          family-wise error over all benchmarks (default 0.05)\n"
    "  --paired           file i of A with file i of B (interleaved runs, tools/perf-ab)\n"
    "  --fail-on WHAT     what makes the exit status 3: slower (default: a benchmark\n"
    "                     slower or FAILED), change (any verdict but same or noisy),\n"
    "                     never\n"
    "  --metric wall|cpu  judge wall time (default), or process CPU time, which leaves out\n"
    "                     the time a process waits for a core on a loaded machine\n"
    "  --across-machines  compare files from different machines, compilers or flags, and\n"
    "                     show each side's fraction of its machine's measured peak\n"
    "  --format text|json|markdown   output (default text)\n\n"
    "Refused with a one-line reason (exit 1): files whose workloads differ (model, counts,\n"
    "batch, dropout, ReLU mode, data), from different machines or builds (without\n"
    "--across-machines), of an unknown schema_version, with samples that are not positive\n"
    "numbers, time units that cannot be converted, empty or duplicate benchmarks.\n\n"
    "Exit status: 0 nothing regressed; 3 a regression per --fail-on; 1 bad data; 2 usage.\n";

enum { OPT_THRESHOLD = MLP_OPT_COMMAND_FIRST, OPT_ALPHA, OPT_PAIRED, OPT_FAIL_ON, OPT_ACROSS,
       OPT_FORMAT, OPT_METRIC };
typedef enum { FAIL_ON_SLOWER, FAIL_ON_CHANGE, FAIL_ON_NEVER } fail_on;
typedef enum { FORMAT_TEXT, FORMAT_JSON, FORMAT_MARKDOWN } out_format;

typedef struct compare_cli {
    mlp_compare_options o;
    fail_on fail;
    out_format format;
    char **a, **b; /* file names of each side */
    size_t na, nb;
} compare_cli;

static void parse(int argc, char **argv, compare_cli *c)
{
    static const struct option options[] = {
        {"threshold", required_argument, NULL, OPT_THRESHOLD},
        {"alpha", required_argument, NULL, OPT_ALPHA},
        {"paired", no_argument, NULL, OPT_PAIRED},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"across-machines", no_argument, NULL, OPT_ACROSS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"metric", required_argument, NULL, OPT_METRIC},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    *c = (compare_cli){.o = {.threshold = 0.05, .alpha = 0.05}};
    /* "--" splits the files of A from those of B; options come before it */
    int sep = argc;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            sep = i;
            break;
        }
    int opt;
    opterr = 0;
    while ((opt = getopt_long(sep, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'h': printf("%s", usage); exit(0);
        case OPT_THRESHOLD:
            c->o.threshold = mlp_parse_double("compare", "threshold", optarg, 0, 1000) / 100;
            break;
        case OPT_ALPHA: c->o.alpha = mlp_parse_double("compare", "alpha", optarg, 1e-9, 0.5); break;
        case OPT_PAIRED: c->o.paired = true; break;
        case OPT_ACROSS: c->o.across_machines = true; break;
        case OPT_FAIL_ON: { /* in fail_on's order */
            static const char *const whats[] = {"slower", "change", "never", NULL};
            c->fail = (fail_on)mlp_parse_choice("compare", "fail-on", optarg, whats);
            break;
        }
        case OPT_METRIC: {
            static const char *const metrics[] = {"wall", "cpu", NULL};
            c->o.cpu_time = mlp_parse_choice("compare", "metric", optarg, metrics) == 1;
            break;
        }
        case OPT_FORMAT: { /* in out_format's order */
            static const char *const formats[] = {"text", "json", "markdown", NULL};
            c->format = (out_format)mlp_parse_choice("compare", "format", optarg, formats);
            break;
        }
        default: mlp_bad_option("compare", argv);
        }
    }
    char **files = argv + optind;
    size_t before = (size_t)(sep - optind);
    if (sep == argc) { /* A.json B.json */
        if (before != 2)
            mlp_usage_error("compare", "expects two result files (or A files -- B files), got %zu",
                            before);
        c->a = files, c->na = 1, c->b = files + 1, c->nb = 1;
    } else {
        c->a = files, c->na = before, c->b = argv + sep + 1, c->nb = (size_t)(argc - sep - 1);
        if (c->na == 0 || c->nb == 0)
            mlp_usage_error("compare", "each side of '--' needs at least one result file");
    }
    for (size_t i = 0; i < c->na + c->nb; i++)
        if ((i < c->na ? c->a[i] : c->b[i - c->na])[0] == '\0')
            mlp_usage_error("compare", "an empty file name");
    if (c->o.paired && c->na != c->nb)
        mlp_usage_error("compare", "--paired needs as many files on each side, got %zu and %zu",
                        c->na, c->nb);
}

/* ---- output ---- */

/* A time in a unit that suits it. */
static void time_cell(double seconds, char *out, size_t len)
{
    if (seconds >= 1)
        snprintf(out, len, "%.3f s", seconds);
    else if (seconds >= 1e-3)
        snprintf(out, len, "%.3f ms", seconds * 1e3);
    else if (seconds >= 1e-6)
        snprintf(out, len, "%.3f us", seconds * 1e6);
    else
        snprintf(out, len, "%.1f ns", seconds * 1e9);
}

static const char *note(const mlp_compare_row *r)
{
    return r->few ? " (too few repetitions for the confidence asked)" : "";
}

static void print_text_row(const mlp_compare_row *r, bool peaks)
{
    char ta[32], tb[32], pk[48] = "";
    time_cell(r->a_median, ta, sizeof ta);
    time_cell(r->b_median, tb, sizeof tb);
    if (peaks)
        snprintf(pk, sizeof pk, " %7.1f%% %7.1f%%", 100 * r->a_peak_fraction,
                 100 * r->b_peak_fraction);
    printf("%-44s %12s %12s %7.3f [%6.3f, %6.3f]%s  %s%s\n", r->name, ta, tb, r->ratio.estimate,
           r->ratio.lo, r->ratio.hi, pk, mlp_verdict_name(r->verdict), note(r));
}

static void print_summary(FILE *f, const mlp_compare_result *r, const mlp_compare_options *o)
{
    fprintf(f, "%zu compared: %zu slower, %zu faster, %zu same, %zu noisy, %zu FAILED",
            r->nrows, r->counts[MLP_VERDICT_SLOWER], r->counts[MLP_VERDICT_FASTER],
            r->counts[MLP_VERDICT_SAME], r->counts[MLP_VERDICT_NOISY],
            r->counts[MLP_VERDICT_FAILED]);
    if (r->only_a || r->only_b)
        fprintf(f, "; %zu only in A, %zu only in B", r->only_a, r->only_b);
    fprintf(f, ".\n%s time; threshold %.3g%%; each interval at %.4g%% confidence (family-wise "
               "%.3g%%, Bonferroni over %zu); %s.\n",
            o->cpu_time ? "Process CPU" : "Wall", 100 * o->threshold, 100 * r->level,
            100 * (1 - o->alpha), r->nrows,
            o->paired ? "paired: Wilcoxon signed-rank on the pairs' log ratios"
                      : "independent: Mann-Whitney on log times");
}

static void print_text(const mlp_compare_result *r, const mlp_compare_options *o)
{
    bool peaks = o->across_machines;
    printf("%-44s %12s %12s %7s %16s%s  %s\n", "benchmark", "A median", "B median", "B/A",
           "interval", peaks ? "  A %peak  B %peak" : "", "verdict");
    for (size_t i = 0; i < r->nrows; i++)
        print_text_row(&r->rows[i], peaks);
    print_text_row(&r->geomean, false);
    printf("\n");
    print_summary(stdout, r, o);
}

static void print_markdown(const mlp_compare_result *r, const mlp_compare_options *o)
{
    printf("| benchmark | A median | B median | B/A | interval | verdict |\n");
    printf("|---|---:|---:|---:|---|---|\n");
    for (size_t i = 0; i <= r->nrows; i++) {
        const mlp_compare_row *row = i < r->nrows ? &r->rows[i] : &r->geomean;
        char ta[32], tb[32];
        time_cell(row->a_median, ta, sizeof ta);
        time_cell(row->b_median, tb, sizeof tb);
        printf("| %s%s%s | %s | %s | %.3f | [%.3f, %.3f] | %s%s |\n", i < r->nrows ? "`" : "**",
               row->name, i < r->nrows ? "`" : "**", ta, tb, row->ratio.estimate, row->ratio.lo,
               row->ratio.hi, mlp_verdict_name(row->verdict), note(row));
    }
    printf("\n");
    print_summary(stdout, r, o);
}

static json_t *row_json(const mlp_compare_row *r)
{
    return json_pack("{s:s, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:b, s:s, s:b, s:f, s:f}",
                     "name", r->name, "a_median", r->a_median, "b_median", r->b_median, "a_n",
                     (json_int_t)r->a_n, "b_n", (json_int_t)r->b_n, "ratio", r->ratio.estimate,
                     "lo", r->ratio.lo, "hi", r->ratio.hi, "confidence", r->ratio.achieved,
                     "exact", r->ratio.exact, "verdict", mlp_verdict_name(r->verdict),
                     "too_few", r->few, "a_peak_fraction", r->a_peak_fraction,
                     "b_peak_fraction", r->b_peak_fraction);
}

static int print_json(const mlp_compare_result *r, const mlp_compare_options *o, int status)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < r->nrows; i++)
        json_array_append_new(rows, row_json(&r->rows[i]));
    json_t *doc = json_pack(
        "{s:f, s:f, s:f, s:b, s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:i}",
        "threshold", o->threshold, "alpha", o->alpha, "confidence", r->level, "paired",
        o->paired, "metric", o->cpu_time ? "cpu" : "wall", "benchmarks", rows, "geometric_mean", row_json(&r->geomean), "counts",
        "slower", (json_int_t)r->counts[MLP_VERDICT_SLOWER], "faster",
        (json_int_t)r->counts[MLP_VERDICT_FASTER], "same", (json_int_t)r->counts[MLP_VERDICT_SAME],
        "noisy", (json_int_t)r->counts[MLP_VERDICT_NOISY], "FAILED",
        (json_int_t)r->counts[MLP_VERDICT_FAILED], "only_in_a", (json_int_t)r->only_a,
        "only_in_b", (json_int_t)r->only_b, "exit_status", status);
    int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
    printf("\n");
    json_decref(doc);
    return rc;
}

/* ---- the command ---- */

static int status_of(const mlp_compare_result *r, fail_on f)
{
    size_t bad = r->counts[MLP_VERDICT_SLOWER] + r->counts[MLP_VERDICT_FAILED];
    if (f == FAIL_ON_CHANGE)
        bad += r->counts[MLP_VERDICT_FASTER];
    return f != FAIL_ON_NEVER && bad > 0 ? MLP_EXIT_REGRESSION : 0;
}

static int load_side(char **names, size_t n, mlp_result_file *files, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++)
        if (mlp_result_load(names[i], &files[i], err, errlen) != 0) {
            while (i-- > 0)
                mlp_result_free(&files[i]);
            return -1;
        }
    return 0;
}

int mlp_cmd_compare(int argc, char **argv)
{
    compare_cli c;
    parse(argc, argv, &c);
    mlp_result_file *a = calloc(c.na, sizeof *a), *b = calloc(c.nb, sizeof *b);
    char err[MLP_ERROR_MAX];
    int rc = MLP_EXIT_FAILURE;
    bool loaded_a = false, loaded_b = false;
    if (!a || !b) {
        snprintf(err, sizeof err, "out of memory");
        goto done;
    }
    if (!(loaded_a = load_side(c.a, c.na, a, err, sizeof err) == 0) ||
        !(loaded_b = load_side(c.b, c.nb, b, err, sizeof err) == 0))
        goto done;
    mlp_compare_result r;
    if (mlp_compare(a, c.na, b, c.nb, &c.o, &r, err, sizeof err) != 0)
        goto done;
    rc = status_of(&r, c.fail);
    if (c.format == FORMAT_JSON)
        print_json(&r, &c.o, rc);
    else if (c.format == FORMAT_MARKDOWN)
        print_markdown(&r, &c.o);
    else
        print_text(&r, &c.o);
    mlp_compare_free(&r);
done:
    if (rc == MLP_EXIT_FAILURE)
        mlp_fail("compare", err);
    for (size_t i = 0; loaded_a && i < c.na; i++)
        mlp_result_free(&a[i]);
    for (size_t i = 0; loaded_b && i < c.nb; i++)
        mlp_result_free(&b[i]);
    free(a);
    free(b);
    return rc;
}
