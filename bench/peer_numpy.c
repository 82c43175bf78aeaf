/* peer_numpy.c: the seed's numpy program as a peer (see peer_numpy.h). */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer_numpy.h"
#include "stats.h"

#ifndef MLP_SOURCE_DIR
#define MLP_SOURCE_DIR "."
#endif

static const char python[] = "/usr/bin/python3"; /* Debian's, where python3-numpy is */
static const char book_first[] =
    " I:0 Train-Err:0.722 Train-Acc:0.537 Test-Err:0.601 Test-Acc:0.6488";

bool mlp_peer_numpy_applies(const mlp_run_spec *spec)
{
    mlp_run_spec seed;
    mlp_run_spec_seed(&seed);
    const mlp_model_config *m = &spec->train.model, *s = &seed.train.model;
    return m->inputs == s->inputs && m->hidden == s->hidden && m->outputs == s->outputs &&
           m->seed == s->seed && m->alpha == s->alpha && m->batch == 1 && !m->dropout &&
           m->relu_grad == s->relu_grad && spec->train_count == seed.train_count &&
           spec->test_count == seed.test_count;
}

/* The first line a failed run wrote on stderr, without "numpy-seed: error: ". */
static void said(FILE *f, char *out, size_t len)
{
    rewind(f);
    if (!fgets(out, (int)len, f))
        snprintf(out, len, "no message");
    out[strcspn(out, "\n")] = '\0';
    const char *prefix = "numpy-seed: error: ";
    if (strncmp(out, prefix, strlen(prefix)) == 0)
        memmove(out, out + strlen(prefix), strlen(out + strlen(prefix)) + 1);
}

/* One process: 3 epochs with a test pass after each; the first of each is a warm-up. */
static int run_once(const mlp_run_spec *spec, bool pin, const char *script, mlp_peer *p)
{
    FILE *out = tmpfile(), *errs = tmpfile();
    if (!out || !errs) {
        snprintf(p->why, sizeof p->why, "cannot run the peer: %s", strerror(errno));
        goto fail;
    }
    char epochs[16];
    snprintf(epochs, sizeof epochs, "%d", MLP_PEER_EPOCHS);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (pin) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(0, &one);
            sched_setaffinity(0, sizeof one, &one);
        }
        setenv("OPENBLAS_NUM_THREADS", "1", 1); /* one core, as the sets it is put beside */
        setenv("OMP_NUM_THREADS", "1", 1);
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(errs), STDERR_FILENO);
        execl(python, "python3", script, "--data", spec->data_dir, "--epochs", epochs,
              "--test-every", "1", "--json", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char msg[160];
        said(errs, msg, sizeof msg);
        snprintf(p->why, sizeof p->why, "%s", pid < 0 ? "cannot fork" : msg);
        goto fail;
    }
    rewind(out);
    json_error_t jerr;
    json_t *doc = json_loadf(out, 0, &jerr);
    json_t *train = json_object_get(doc, "train_seconds"), *test = json_object_get(doc, "test_seconds");
    if (json_array_size(train) != MLP_PEER_EPOCHS || json_array_size(test) != MLP_PEER_EPOCHS) {
        snprintf(p->why, sizeof p->why, "the peer printed no times");
        json_decref(doc);
        goto fail;
    }
    for (size_t i = 1; i < MLP_PEER_EPOCHS; i++) {
        p->train[p->ntrain++] = json_number_value(json_array_get(train, i));
        p->test[p->ntest++] = json_number_value(json_array_get(test, i));
    }
    const char *first = json_string_value(json_array_get(json_object_get(doc, "lines"), 0));
    p->book_line = first && strcmp(first, book_first) == 0;
    snprintf(p->numpy, sizeof p->numpy, "%s",
             json_string_value(json_object_get(doc, "numpy")) ? json_string_value(json_object_get(doc, "numpy")) : "?");
    json_decref(doc);
    fclose(out);
    fclose(errs);
    return 0;
fail:
    if (out)
        fclose(out);
    if (errs)
        fclose(errs);
    return -1;
}

void mlp_peer_numpy_run(const mlp_run_spec *spec, bool pin, mlp_peer *out)
{
    memset(out, 0, sizeof *out);
    char script[4200];
    snprintf(script, sizeof script, "%s/tools/numpy-seed", MLP_SOURCE_DIR);
    if (!mlp_peer_numpy_applies(spec)) {
        snprintf(out->why, sizeof out->why, "only the seed workload has a numpy program");
        return;
    }
    if (access(python, X_OK) != 0 || access(script, R_OK) != 0) {
        snprintf(out->why, sizeof out->why, "%s or %.160s is missing", python, script);
        return;
    }
    for (int i = 0; i < MLP_PEER_PROCESSES; i++)
        if (run_once(spec, pin, script, out) != 0)
            return;
    out->measured = out->book_line;
    if (!out->book_line) {
        snprintf(out->why, sizeof out->why, "its first line is not the book's: not the seed");
        return;
    }
    out->train_median = mlp_stats_median(out->train, out->ntrain);
    out->test_median = mlp_stats_median(out->test, out->ntest);
}

static json_t *samples(const double *x, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(x[i]));
    return a;
}

json_t *mlp_peer_json(const mlp_peer *p)
{
    if (!p->measured)
        return json_pack("{s:b, s:s}", "measured", 0, "why", p->why);
    return json_pack("{s:b, s:s, s:s, s:i, s:i, s:{s:o, s:f}, s:{s:o, s:f}}", "measured", 1,
                     "program", "tools/numpy-seed (the book's code, float64, 1 BLAS thread)",
                     "numpy", p->numpy, "processes", MLP_PEER_PROCESSES, "warmup_epochs", 1,
                     "train_epoch", "samples", samples(p->train, p->ntrain), "median",
                     p->train_median, "test_pass", "samples", samples(p->test, p->ntest),
                     "median", p->test_median);
}
