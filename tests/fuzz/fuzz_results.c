/* fuzz_results.c: fuzz target for the result-file reader (bench/results_read.c) and
 * compare's judgement (bench/compare.c) on any bytes. A document is either refused
 * with a one-line message naming the file, or read into series that keep the reader's
 * promises: sorted by name, no duplicate, at least one value each, every value a
 * positive finite number of seconds, each found by its name. A file that was read
 * compares with itself: every benchmark is matched, the ratio of identical samples is
 * exactly 1 and lies in its interval, and nothing is slower or faster. */
#include <math.h>
#include <string.h>

#include "compare.h"
#include "fuzz.h"
#include "results_read.h"

static void check_read(const mlp_result_file *f)
{
    FUZZ_CHECK(f->n > 0, "no series");
    for (size_t i = 0; i < f->n; i++) {
        const mlp_result_series *s = &f->series[i];
        FUZZ_CHECK(s->name && strlen(s->name) <= 1024, "series %zu: name", i);
        FUZZ_CHECK(i == 0 || strcmp(f->series[i - 1].name, s->name) < 0, "not sorted");
        FUZZ_CHECK(s->n > 0, "%s: no values", s->name);
        for (size_t j = 0; j < s->n; j++)
            FUZZ_CHECK(s->values[j] > 0 && isfinite(s->values[j]), "%s: value %zu = %g",
                       s->name, j, s->values[j]);
        FUZZ_CHECK(mlp_result_find(f, s->name) == s, "%s: not found by name", s->name);
    }
}

static void check_self_compare(const mlp_result_file *f)
{
    mlp_compare_options o = {.threshold = 0.05, .alpha = 0.05};
    mlp_compare_result r;
    char err[1024];
    FUZZ_CHECK(mlp_compare(f, 1, f, 1, &o, &r, err, sizeof err) == 0, "self-compare: %s", err);
    FUZZ_CHECK(r.nrows == f->n && r.only_a == 0 && r.only_b == 0, "not every series matched");
    for (size_t i = 0; i < r.nrows; i++) {
        const mlp_compare_row *row = &r.rows[i];
        FUZZ_CHECK(fabs(row->ratio.estimate - 1) < 1e-12, "%s: ratio %.17g with itself",
                   row->name, row->ratio.estimate);
        FUZZ_CHECK(row->ratio.lo <= row->ratio.estimate && row->ratio.estimate <= row->ratio.hi,
                   "%s: estimate outside [%g, %g]", row->name, row->ratio.lo, row->ratio.hi);
        FUZZ_CHECK(row->verdict != MLP_VERDICT_SLOWER && row->verdict != MLP_VERDICT_FASTER,
                   "%s: %s than itself", row->name, mlp_verdict_name(row->verdict));
    }
    mlp_compare_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlp_result_file f;
    char err[2048];
    int rc = mlp_result_parse((const char *)data, size, "fuzz.json", &f, err, sizeof err);
    FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc != 0) {
        FUZZ_CHECK(strncmp(err, "fuzz.json: ", 11) == 0, "message '%s'", err);
        FUZZ_CHECK(strchr(err, '\n') == NULL, "message of several lines: '%s'", err);
        FUZZ_CHECK(f.series == NULL && f.n == 0, "something left after a refusal");
        return 0;
    }
    check_read(&f);
    check_self_compare(&f);
    mlp_result_free(&f);
    return 0;
}
