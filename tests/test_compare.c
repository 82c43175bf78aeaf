/* test_compare.c: `compare` as a CI gate must be right about what it refuses and what it
 * calls a change. Result documents are made here (jansson) with known samples; each
 * refusal of bench/results_read.c and bench/compare.c gets a case, the verdicts get
 * synthetic data whose answer is known, and the command's exit status is checked
 * through the real binary.
 *   usage: test_compare MLPBENCH */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compare.h"
#include "expect.h"
#include "results_read.h"

/* ---- documents ---- */

typedef struct doc_spec {
    int schema;
    const char *cpu_model;
    int hidden;
    int train_count;
    int reps, epochs;
    double scale[2];       /* epoch times of case 0 and case 1 are scale * (1 + jitter) */
    const char *check[2];  /* correctness status of each case */
} doc_spec;

static doc_spec base_spec(void)
{
    return (doc_spec){.schema = 2, .cpu_model = "AMD EPYC", .hidden = 40, .train_count = 1000,
                      .reps = 10, .epochs = 3, .scale = {1e-3, 2e-3},
                      .check = {"PASSED", "PASSED"}};
}

/* A small deterministic jitter in [-0.01, 0.01] */
static double jitter(unsigned i)
{
    unsigned x = i * 2654435761u + 12345;
    x ^= x >> 13;
    return ((double)(x % 2001) - 1000) / 100000;
}

static json_t *samples(double scale, size_t n, unsigned salt)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(scale * (1 + jitter((unsigned)i + salt))));
    return a;
}

static json_t *make_doc(const doc_spec *s, unsigned salt)
{
    json_t *cases = json_array();
    const char *names[2] = {"avx2/f64/threads:1", "scalar/f64/threads:1"};
    for (int c = 0; c < 2; c++) {
        size_t n = (size_t)s->reps * (size_t)s->epochs;
        json_array_append_new(
            cases, json_pack("{s:s, s:{s:o, s:o}, s:{s:o, s:o}, s:{s:s}, s:f}", "name", names[c],
                             "train_epoch", "samples", samples(s->scale[c], n, salt + 100u * c),
                             "cpu_samples", samples(s->scale[c], n, salt + 50u + 100u * c),
                             "test_pass", "samples",
                             samples(10 * s->scale[c], (size_t)s->reps, salt + 7u + 100u * c),
                             "cpu_samples",
                             samples(10 * s->scale[c], (size_t)s->reps, salt + 9u + 100u * c),
                             "correctness", "status", s->check[c], "peak_gflops", 100.0));
    }
    return json_pack(
        "{s:i, s:{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}}, "
        "s:{s:i, s:i, s:{s:i, s:i, s:i}, s:i, s:i, s:i}, s:{s:s}, s:o}",
        "schema_version", s->schema, "context", "machine", "cpu", "model", s->cpu_model, "id",
        "family 25 model 17 stepping 1", "features", "sse2 avx2", "build", "compiler",
        "GNU 12.2.0", "flags", "-O3", "build_type", "Release", "configuration", "repetitions",
        s->reps, "epochs", s->epochs, "model", "inputs", 784, "hidden", s->hidden, "outputs", 10,
        "train_count", s->train_count, "test_count", 10000, "warmup_epochs", 1, "data",
        "checksum", "crc32:1234", "cases", cases);
}

/* Parses doc (or the text, if given) and returns parse's status; the message into err. */
static int parse_doc(json_t *doc, const char *text, mlp_result_file *f, char *err, size_t len)
{
    char *t = text ? NULL : json_dumps(doc, JSON_COMPACT);
    const char *use = text ? text : t;
    int rc = mlp_result_parse(use, strlen(use), "X.json", f, err, len);
    free(t);
    json_decref(doc);
    return rc;
}

/* The document must be refused with a message containing want. */
static void expect_refused(json_t *doc, const char *text, const char *want)
{
    mlp_result_file f;
    char err[1024] = "";
    int rc = parse_doc(doc, text, &f, err, sizeof err);
    EXPECT(rc != 0, "accepted a file that should be refused for '%s'", want);
    if (rc == 0) {
        mlp_result_free(&f);
        return;
    }
    EXPECT(strstr(err, want) != NULL, "message '%s' lacks '%s'", err, want);
    EXPECT(strchr(err, '\n') == NULL, "message has several lines: '%s'", err);
}

/* Sets a sample of case 0's train_epoch to v (the document keeps v). */
static json_t *with_sample(json_t *doc, json_t *v)
{
    json_t *s = json_object_get(json_object_get(json_array_get(json_object_get(doc, "cases"), 0),
                                                "train_epoch"),
                                "samples");
    json_array_set_new(s, 2, v);
    return doc;
}

static void test_refusals(void)
{
    doc_spec s = base_spec();
    s.schema = 99;
    expect_refused(make_doc(&s, 0), NULL, "unknown schema_version 99");
    s = base_spec();
    expect_refused(with_sample(make_doc(&s, 0), json_string("fast")), NULL,
                   "sample 2 is a string");
    expect_refused(with_sample(make_doc(&s, 0), json_null()), NULL, "sample 2 is null");
    expect_refused(with_sample(make_doc(&s, 0), json_object()), NULL, "sample 2 is an object");
    expect_refused(with_sample(make_doc(&s, 0), json_real(0)), NULL, "not a positive time");
    expect_refused(with_sample(make_doc(&s, 0), json_real(-1)), NULL, "not a positive time");
    /* empty samples */
    json_t *d = make_doc(&s, 0);
    json_object_set_new(json_object_get(json_array_get(json_object_get(d, "cases"), 0),
                                        "train_epoch"),
                        "samples", json_array());
    expect_refused(d, NULL, "empty samples");
    /* fewer samples than repetitions x epochs */
    d = make_doc(&s, 0);
    json_array_remove(json_object_get(json_object_get(json_array_get(json_object_get(d, "cases"),
                                                                     0),
                                                      "train_epoch"),
                                      "samples"),
                      0);
    expect_refused(d, NULL, "29 samples, expected 30");
    /* duplicate names */
    d = make_doc(&s, 0);
    json_object_set_new(json_array_get(json_object_get(d, "cases"), 1), "name",
                        json_string("avx2/f64/threads:1"));
    expect_refused(d, NULL, "appears twice");
    /* an over-long name */
    char *longname = malloc(2000);
    memset(longname, 'x', 1999);
    longname[1999] = '\0';
    d = make_doc(&s, 0);
    json_object_set_new(json_array_get(json_object_get(d, "cases"), 1), "name",
                        json_string(longname));
    expect_refused(d, NULL, "longer than 1024 characters");
    free(longname);
    expect_refused(NULL, "{\"cases\": [", "not valid JSON");
    expect_refused(NULL, "[1, 2]", "not a JSON object");
    expect_refused(NULL, "{\"hello\": 1}", "not a result file");
    /* Google Benchmark: a unit that cannot be converted, and a missing one */
    expect_refused(NULL,
                   "{\"context\":{}, \"benchmarks\":[{\"name\":\"BM\",\"run_type\":\"iteration\","
                   "\"real_time\":5,\"time_unit\":\"fortnights\"}]}",
                   "time_unit 'fortnights' cannot be converted");
    expect_refused(NULL,
                   "{\"context\":{}, \"benchmarks\":[{\"name\":\"BM\",\"run_type\":\"iteration\","
                   "\"real_time\":5}]}",
                   "time_unit missing");
    expect_refused(NULL, "{\"context\":{}, \"benchmarks\":[]}", "no benchmarks");
}

/* ---- comparability ---- */

static void load_pair(const doc_spec *sa, const doc_spec *sb, mlp_result_file *a,
                      mlp_result_file *b)
{
    char err[512];
    if (parse_doc(make_doc(sa, 1), NULL, a, err, sizeof err) != 0 ||
        parse_doc(make_doc(sb, 2), NULL, b, err, sizeof err) != 0) {
        expect_fail("a test document was refused: %s", err);
        exit(expect_exit());
    }
}

static void expect_incomparable(const doc_spec *sb, bool across, const char *want)
{
    doc_spec sa = base_spec();
    mlp_result_file a, b;
    load_pair(&sa, sb, &a, &b);
    mlp_compare_options o = {.threshold = 0.05, .alpha = 0.05, .across_machines = across};
    mlp_compare_result r;
    char err[1024] = "";
    int rc = mlp_compare(&a, 1, &b, 1, &o, &r, err, sizeof err);
    if (want) {
        EXPECT(rc != 0, "compared files that differ in '%s'", want);
        EXPECT(rc == 0 || strstr(err, want), "message '%s' lacks '%s'", err, want);
    } else {
        EXPECT(rc == 0, "refused: %s", err);
    }
    if (rc == 0)
        mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);
}

static void test_comparability(void)
{
    doc_spec s = base_spec();
    s.hidden = 100;
    expect_incomparable(&s, false, "model.hidden is 40 in A, 100 in B");
    expect_incomparable(&s, true, "model.hidden"); /* a workload is never compared across */
    s = base_spec();
    s.train_count = 500;
    expect_incomparable(&s, false, "train_count is 1000 in A, 500 in B");
    s = base_spec();
    s.cpu_model = "Intel Xeon";
    expect_incomparable(&s, false, "machine.model is \"AMD EPYC\" in A, \"Intel Xeon\" in B");
    expect_incomparable(&s, true, NULL); /* allowed with --across-machines */
}

/* ---- verdicts ---- */

static mlp_compare_result judged(const doc_spec *sb, const mlp_compare_options *o,
                                 mlp_result_file *a, mlp_result_file *b)
{
    doc_spec sa = base_spec();
    load_pair(&sa, sb, a, b);
    mlp_compare_result r;
    char err[512];
    if (mlp_compare(a, 1, b, 1, o, &r, err, sizeof err) != 0) {
        expect_fail("compare failed: %s", err);
        exit(expect_exit());
    }
    return r;
}

static void expect_verdict(const mlp_compare_result *r, size_t row, mlp_verdict want)
{
    EXPECT(r->rows[row].verdict == want, "%s: %s [%g, %g], want %s", r->rows[row].name,
           mlp_verdict_name(r->rows[row].verdict), r->rows[row].ratio.lo, r->rows[row].ratio.hi,
           mlp_verdict_name(want));
}

static void test_verdicts(void)
{
    mlp_compare_options o = {.threshold = 0.05, .alpha = 0.05};
    mlp_result_file a, b;
    /* rows, by name: epoch/avx2, epoch/scalar, test/avx2, test/scalar */
    doc_spec s = base_spec(); /* the same times, other jitter: same */
    mlp_compare_result r = judged(&s, &o, &a, &b);
    EXPECT(r.nrows == 4, "%zu rows", r.nrows);
    for (size_t i = 0; i < r.nrows; i++)
        expect_verdict(&r, i, MLP_VERDICT_SAME);
    EXPECT(fabs(r.level - (1 - 0.05 / 4)) < 1e-15, "level %g: not Bonferroni", r.level);
    mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);

    s.scale[0] *= 1.10; /* case 0 10% slower, case 1 10% faster */
    s.scale[1] /= 1.10;
    r = judged(&s, &o, &a, &b);
    expect_verdict(&r, 0, MLP_VERDICT_SLOWER);
    expect_verdict(&r, 1, MLP_VERDICT_FASTER);
    expect_verdict(&r, 2, MLP_VERDICT_SLOWER);
    expect_verdict(&r, 3, MLP_VERDICT_FASTER);
    EXPECT(fabs(r.rows[0].ratio.estimate - 1.10) < 0.01, "ratio %g", r.rows[0].ratio.estimate);
    EXPECT(r.counts[MLP_VERDICT_SLOWER] == 2 && r.counts[MLP_VERDICT_FASTER] == 2, "counts");
    mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);

    s = base_spec(); /* 3%: neither beyond nor inside a 5% threshold with 1% jitter? */
    s.scale[0] *= 1.045;
    r = judged(&s, &o, &a, &b);
    expect_verdict(&r, 0, MLP_VERDICT_NOISY);
    mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);

    s = base_spec(); /* a FAILED check is never faster */
    s.scale[0] /= 2;
    s.check[0] = "FAILED";
    r = judged(&s, &o, &a, &b);
    expect_verdict(&r, 0, MLP_VERDICT_FAILED);
    expect_verdict(&r, 2, MLP_VERDICT_FAILED);
    mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);

    s = base_spec(); /* 2 against 10 repetitions cannot reach 98.75% (at best 1 - 2/66) */
    s.reps = 2;
    s.scale[0] *= 2;
    r = judged(&s, &o, &a, &b);
    EXPECT(r.rows[0].few, "2 against 10 repetitions claims enough");
    expect_verdict(&r, 0, MLP_VERDICT_NOISY);
    mlp_compare_free(&r);
    mlp_result_free(&a);
    mlp_result_free(&b);
}

/* ---- the command's exit status ---- */

static char dir[] = "/tmp/mlpbench-compare-XXXXXX";

static void write_doc(const char *name, const doc_spec *s, unsigned salt)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_t *d = make_doc(s, salt);
    if (json_dump_file(d, path, 0) != 0)
        expect_fail("cannot write %s", path);
    json_decref(d);
}

/* `bin compare ARGS`, each word of ARGS ending in .json taken as a file in dir */
static int run(const char *bin, const char *args)
{
    char cmd[4096], words[512];
    int n = snprintf(cmd, sizeof cmd, "'%s' compare", bin);
    snprintf(words, sizeof words, "%s", args);
    char *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        size_t len = strlen(w);
        bool file = len > 5 && strcmp(w + len - 5, ".json") == 0;
        n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s%s%s", file ? dir : "",
                      file ? "/" : "", w);
    }
    snprintf(cmd + n, sizeof cmd - (size_t)n, " >/dev/null 2>&1");
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_exit_status(const char *bin)
{
    if (!mkdtemp(dir)) {
        expect_fail("mkdtemp");
        return;
    }
    doc_spec s = base_spec();
    write_doc("a.json", &s, 1);
    write_doc("a2.json", &s, 3);
    s.scale[1] /= 1.2;
    write_doc("faster.json", &s, 2);
    s = base_spec();
    s.scale[0] *= 1.2;
    write_doc("slower.json", &s, 2);
    write_doc("slower2.json", &s, 4);
    s = base_spec();
    s.hidden = 100;
    write_doc("other.json", &s, 2);
    const struct { const char *args; int status; } cases[] = {
        {"a.json a2.json", 0},
        {"a.json slower.json", 3},
        {"--fail-on never a.json slower.json", 0},
        {"--metric cpu a.json slower.json", 3},
        {"--metric cpu a.json a2.json", 0},
        {"a.json faster.json", 0},
        {"--fail-on change a.json faster.json", 3},
        {"--format json a.json slower.json", 3},
        {"--format markdown a.json a2.json", 0},
        {"a.json a2.json -- slower.json slower2.json", 3},
        {"a.json a2.json -- slower.json faster.json", 0}, /* pooled: mixed, noisy */
        {"--paired a.json a2.json -- a2.json a.json", 0},
        {"a.json other.json", 1},
        {"a.json missing.json", 1},
        {"a.json", 2},
        {"--fail-on sometimes a.json a2.json", 2},
        {"--threshold -1 a.json a2.json", 2},
        {"--paired a.json a2.json -- a.json", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = run(bin, cases[i].args);
        EXPECT(got == cases[i].status, "compare %s: exit %d, want %d", cases[i].args, got,
               cases[i].status);
    }
    const char *files[] = {"a.json",      "a2.json",      "faster.json",
                           "slower.json", "slower2.json", "other.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MLPBENCH\n", argv[0]);
        return 2;
    }
    test_refusals();
    test_comparability();
    test_verdicts();
    test_exit_status(argv[1]);
    return expect_exit();
}
