/* progress.h: the progress line `bench` keeps on stderr when it is a terminal:
 * "[3/20] repetition 1/5: avx512/f64/threads:1, epoch 4/11 (12 s)", rewritten in place
 * at most ten times a second, and a status line for the phases around it. */
#ifndef MLP_PROGRESS_H
#define MLP_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mlp_progress {
    bool on;            /* off: every call is a no-op */
    size_t done, total; /* units of work (case repetitions) */
    double start, shown;
} mlp_progress;

void mlp_progress_start(mlp_progress *p, bool on, size_t total);
/* "[done+1/total] <what>" (printf-style), at most every 0.1 s. */
void mlp_progress_show(mlp_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A status line for a phase without units ("peak: FMA throughput probe"), always shown. */
void mlp_progress_status(mlp_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erases the line. */
void mlp_progress_clear(mlp_progress *p);

#endif
