/* workers.c: bench's worker processes (see workers.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workers.h"

/* ---- the worker's side ---- */

/* n numbers, NaN as null */
static json_t *numbers(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, isnan(x[i]) ? json_null() : json_real(x[i]));
    return a;
}

json_t *mlp_bench_worker_samples(const mlp_bench_run *run)
{
    const mlp_bench_config *c = &run->cfg;
    size_t first = (size_t)c->worker_first, count = (size_t)c->worker_count;
    size_t epochs = (size_t)c->epochs;
    json_t *cases = json_array();
    for (size_t i = 0; i < run->ncases; i++) {
        const mlp_bench_case *k = &run->cases[i];
        json_t *cpus = json_array();
        for (size_t r = first; r < first + count; r++) {
            json_t *t = json_array();
            for (int j = 0; j < k->threads; j++)
                json_array_append_new(t, json_integer(k->cpus[r * (size_t)k->threads + (size_t)j]));
            json_array_append_new(cpus, t);
        }
        size_t tests = run->test_count ? count : 0;
        json_array_append_new(
            cases,
            json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "name", k->name,
                      "train", numbers(k->train.seconds + first * epochs, count * epochs),
                      "train_cpu", numbers(k->train.cpu_seconds + first * epochs, count * epochs),
                      "train_instructions",
                      numbers(k->train.instructions + first * epochs, count * epochs),
                      "train_cycles", numbers(k->train.cycles + first * epochs, count * epochs),
                      "test", numbers(k->test.seconds + first, tests), "test_cpu",
                      numbers(k->test.cpu_seconds + first, tests), "test_instructions",
                      numbers(k->test.instructions + first, tests), "test_cycles",
                      numbers(k->test.cycles + first, tests), "cpus", cpus, "pin_failures",
                      k->pin_failures));
    }
    return json_pack("{s:i, s:i, s:b, s:s, s:o}", "first", c->worker_first, "count",
                     c->worker_count, "counters_available", run->counters_available,
                     "counters_reason", run->counters_reason, "cases", cases);
}

/* ---- the parent's side ---- */

/* n numbers of the array at key into out (null as NaN where `nulls`); false if it is
 * not exactly that */
static bool take(const json_t *o, const char *key, size_t n, double *out, bool nulls)
{
    const json_t *a = json_object_get(o, key);
    if (!json_is_array(a) || json_array_size(a) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(a, i);
        if (nulls && json_is_null(v))
            out[i] = NAN;
        else if (json_is_number(v))
            out[i] = json_number_value(v);
        else
            return false;
    }
    return true;
}

/* The samples of one worker's repetitions into the run. */
static int merge(mlp_bench_run *run, const json_t *doc, int first, int count, char *err,
                 size_t errlen)
{
    size_t epochs = (size_t)run->cfg.epochs, f = (size_t)first, n = (size_t)count;
    const json_t *cases = json_object_get(doc, "cases");
    if (!json_is_array(cases) || json_array_size(cases) != run->ncases) {
        snprintf(err, errlen, "worker output: expected %zu cases", run->ncases);
        return -1;
    }
    run->counters_available = json_is_true(json_object_get(doc, "counters_available"));
    const char *why = json_string_value(json_object_get(doc, "counters_reason"));
    snprintf(run->counters_reason, sizeof run->counters_reason, "%s", why ? why : "");
    for (size_t i = 0; i < run->ncases; i++) {
        mlp_bench_case *k = &run->cases[i];
        const json_t *c = json_array_get(cases, i);
        const char *name = json_string_value(json_object_get(c, "name"));
        size_t tests = run->test_count ? n : 0;
        size_t ne = n * epochs, fe = f * epochs;
        bool ok = name && strcmp(name, k->name) == 0 &&
                  take(c, "train", ne, k->train.seconds + fe, false) &&
                  take(c, "train_cpu", ne, k->train.cpu_seconds + fe, false) &&
                  take(c, "train_instructions", ne, k->train.instructions + fe, true) &&
                  take(c, "train_cycles", ne, k->train.cycles + fe, true) &&
                  take(c, "test", tests, k->test.seconds + f, false) &&
                  take(c, "test_cpu", tests, k->test.cpu_seconds + f, false) &&
                  take(c, "test_instructions", tests, k->test.instructions + f, true) &&
                  take(c, "test_cycles", tests, k->test.cycles + f, true);
        const json_t *cpus = json_object_get(c, "cpus");
        for (size_t r = 0; ok && r < n; r++) {
            const json_t *t = json_array_get(cpus, r);
            for (size_t j = 0; ok && j < (size_t)k->threads; j++) {
                ok = json_is_integer(json_array_get(t, j));
                if (ok)
                    k->cpus[(f + r) * (size_t)k->threads + j] =
                        (int)json_integer_value(json_array_get(t, j));
            }
        }
        if (!ok) {
            snprintf(err, errlen, "worker output: case %zu (%s) does not match", i, k->name);
            return -1;
        }
        k->pin_failures += (int)json_integer_value(json_object_get(c, "pin_failures"));
    }
    return 0;
}

/* The first line of what a failed worker said, without its "mlpbench bench: error: ". */
static void first_line(FILE *f, char *out, size_t len)
{
    rewind(f);
    if (!fgets(out, (int)len, f)) {
        snprintf(out, len, "no message");
        return;
    }
    out[strcspn(out, "\n")] = '\0';
    const char *prefix = "mlpbench bench: error: ";
    if (strncmp(out, prefix, strlen(prefix)) == 0)
        memmove(out, out + strlen(prefix), strlen(out + strlen(prefix)) + 1);
}

/* Runs `mlpbench bench <args> --shuffle-seed S --worker F:C --quiet` and reads its
 * JSON from stdout. */
static int run_worker(mlp_bench_run *run, int first, int count, json_t **doc, char *err,
                      size_t errlen)
{
    const mlp_bench_config *c = &run->cfg;
    char seed[32], range[48];
    snprintf(seed, sizeof seed, "%u", c->shuffle_seed);
    snprintf(range, sizeof range, "%d:%d", first, count);
    char **argv = calloc((size_t)c->argc + 8, sizeof *argv);
    FILE *out = tmpfile(), *errs = tmpfile();
    int rc = -1;
    if (!argv || !out || !errs) {
        snprintf(err, errlen, "cannot start a worker process: %s", strerror(errno));
        goto done;
    }
    int n = 0;
    argv[n++] = "mlpbench";
    for (int i = 0; i < c->argc; i++)
        argv[n++] = c->argv[i];
    argv[n++] = "--shuffle-seed";
    argv[n++] = seed;
    argv[n++] = "--worker";
    argv[n++] = range;
    argv[n++] = "--quiet";
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "cannot start a worker process: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(errs), STDERR_FILENO);
        execv(run->executable, argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char said[400];
        first_line(errs, said, sizeof said);
        if (WIFSIGNALED(status))
            snprintf(err, errlen, "worker process (repetitions %s) killed by signal %d",
                     range, WTERMSIG(status));
        else if (WEXITSTATUS(status) == 127)
            snprintf(err, errlen, "cannot run %s as a worker process", run->executable);
        else
            snprintf(err, errlen, "worker process (repetitions %s): %s", range, said);
        goto done;
    }
    rewind(out);
    json_error_t jerr;
    *doc = json_loadf(out, 0, &jerr);
    if (!*doc) {
        snprintf(err, errlen, "worker process (repetitions %s) printed no samples: %s", range,
                 jerr.text);
        goto done;
    }
    rc = 0;
done:
    free(argv);
    if (out)
        fclose(out);
    if (errs)
        fclose(errs);
    return rc;
}

int mlp_bench_run_workers(mlp_bench_run *run, mlp_progress *pg, char *err, size_t errlen)
{
    const mlp_bench_config *c = &run->cfg;
    if (!*run->executable) {
        snprintf(err, errlen, "cannot find this program to start worker processes "
                              "(--processes 0 runs everything in this one)");
        return -1;
    }
    mlp_progress_start(pg, c->progress, (size_t)c->processes);
    for (int p = 0; p < c->processes; p++) {
        int first = c->repetitions * p / c->processes;
        int count = c->repetitions * (p + 1) / c->processes - first;
        mlp_progress_show(pg, "worker process %d/%d: repetitions %d..%d of %d", p + 1,
                          c->processes, first + 1, first + count, c->repetitions);
        json_t *doc = NULL;
        int rc = run_worker(run, first, count, &doc, err, errlen);
        if (rc == 0)
            rc = merge(run, doc, first, count, err, errlen);
        json_decref(doc);
        if (rc != 0) {
            mlp_progress_clear(pg);
            return -1;
        }
        for (int r = first; r < first + count; r++)
            run->repetition_process[r] = p;
        pg->done++;
    }
    mlp_progress_clear(pg);
    return 0;
}
