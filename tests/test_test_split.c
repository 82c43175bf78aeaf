/* test_test_split.c: the test pass of a threaded set (omp) splits its rows across
 * threads (src/model_test_impl.h); its metrics must be bitwise those of the serial
 * pass of the set it is built on, for 1..4 threads, float32 and float64, on row
 * counts that do and do not divide by the thread count, below the split's minimum
 * (where it runs serially), and with the last images all zero (the split follows the
 * nonzero inputs, so the last thread's share ends before them). The weights come from one training epoch on 200
 * records, the same on both sets (the omp set's training is bitwise its base's, which
 * check_training tests). */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "expect.h"

/* Test metrics of `set` after one epoch of cfg on w, with `threads` OpenMP threads. */
static mlp_metrics test_metrics(const mlp_train_config *cfg, mlp_workload *w,
                                const mlp_kernel_set *set, int threads)
{
    char err[256];
    mlp_metrics none = {0};
    omp_set_num_threads(threads);
    mlp_engine *e = mlp_engine_open(cfg, w, set, err, sizeof err);
    EXPECT(e != NULL, "%s: %s", set->name, err);
    if (!e)
        return none;
    mlp_epoch_report r;
    mlp_engine_train_epoch(e, &r);
    mlp_engine_test(e, &r);
    EXPECT(r.tested, "%s: no test pass", set->name);
    mlp_engine_close(e, false);
    return r.test;
}

static bool same_metrics(const mlp_metrics *a, const mlp_metrics *b)
{
    return a->count == b->count && a->correct == b->correct &&
           memcmp(&a->error_sum, &b->error_sum, sizeof a->error_sum) == 0 &&
           memcmp(&a->error, &b->error, sizeof a->error) == 0 &&
           memcmp(&a->accuracy, &b->accuracy, sizeof a->accuracy) == 0;
}

int main(void)
{
    const mlp_kernel_set *omp = mlp_kernel_set_find("omp");
    if (!omp || !mlp_kernel_set_runnable(omp) || omp_get_thread_limit() < 2) {
        printf("SKIPPED: no omp set or no second thread\n");
        return EXPECT_SKIPPED;
    }
    const mlp_kernel_set *base = omp->base();
    /* 10000 and 9999 split across 2..4 threads, 511 below 2 chunks of 256 (serial);
     * then 10000 with the last 700 images blank */
    const size_t counts[] = {10000, 9999, 511, 10000};
    const size_t blank_tail[] = {0, 0, 0, 700};
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
        mlp_run_spec spec;
        mlp_run_spec_seed(&spec);
        spec.train_count = 200;
        spec.test_count = counts[ci];
        mlp_workload w;
        char err[256];
        if (mlp_workload_load(&w, &spec, err, sizeof err) != 0) {
            expect_fail("%s", err);
            break;
        }
        size_t blank = blank_tail[ci] * w.test.pixels; /* before any copy is made of them */
        memset(w.test.images + w.test.count * w.test.pixels - blank, 0, blank);
        for (int p = 0; p < MLP_PRECISIONS; p++) {
            mlp_train_config cfg = spec.train;
            cfg.model.precision = (mlp_precision)p;
            if (!mlp_kernel_set_has(omp, cfg.model.precision))
                continue;
            mlp_metrics serial = test_metrics(&cfg, &w, base, 1);
            EXPECT(serial.count == counts[ci], "%zu test rows counted, not %zu", serial.count,
                   counts[ci]);
            for (int threads = 1; threads <= 4; threads++) {
                mlp_metrics m = test_metrics(&cfg, &w, omp, threads);
                EXPECT(same_metrics(&m, &serial),
                       "%s %zu rows, %d threads: error %.17g accuracy %.17g, %s (serial): "
                       "error %.17g accuracy %.17g",
                       mlp_precision_name(cfg.model.precision), counts[ci], threads, m.error,
                       m.accuracy, base->name, serial.error, serial.accuracy);
            }
        }
        mlp_workload_free(&w);
    }
    return expect_exit();
}
