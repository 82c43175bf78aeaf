/* peak.h: this machine's peak: float32 and float64 FMA throughput per core and over
 * all cores (independent accumulator chains in the widest vectors the CPU runs), and
 * the bandwidth of L1, L2 and memory measured with a STREAM-like triad
 * a[i] = b[i] + s * c[i] (24 bytes per element: two loads and a store; write-allocate
 * traffic not counted, as in STREAM). Each figure is the best of several timed trials. */
#ifndef MLP_PEAK_H
#define MLP_PEAK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "kernels.h"

typedef struct mlp_peak_options {
    bool fma;          /* measure FMA throughput */
    bool bandwidth;    /* measure L1 / L2 / memory triad bandwidth */
    int threads;       /* all-core figures with this many threads; 0: one per core */
    bool pin;          /* bind thread i to core i */
    double trial_seconds; /* length of one timed trial (default 0.05) */
    int trials;        /* timed trials per figure, the best is kept (default 5) */
} mlp_peak_options;

void mlp_peak_options_defaults(mlp_peak_options *o);

enum { MLP_PEAK_LEVELS = 3 }; /* L1, L2, memory */

typedef struct mlp_peak_bw {
    char level[8];        /* "L1", "L2", "memory" */
    size_t footprint;     /* bytes of the three arrays, per thread for L1/L2, in all for memory */
    double core_gbs;      /* GB/s (1e9 bytes) of one thread */
    double all_gbs;       /* GB/s of all threads together */
} mlp_peak_bw;

typedef struct mlp_peak {
    char isa[32];           /* the loops used: "AVX-512F+FMA", "AVX2+FMA", "NEON", "scalar C" */
    int threads;            /* threads of the all-core figures */
    bool pinned;
    bool have_fma, have_bandwidth;
    double f32_core, f32_all; /* GFLOP/s (an FMA is 2 FLOP) */
    double f64_core, f64_all;
    mlp_peak_bw bw[MLP_PEAK_LEVELS];
    double seconds;         /* wall time of the probe */
} mlp_peak;

/* Runs the probe. Returns 0, or -1 with a one-line message (out of memory). */
int mlp_peak_run(const mlp_peak_options *o, mlp_peak *out, char *err, size_t errlen);

/* The FMA peak, GFLOP/s, that `threads` threads can reach: the per-core figure times
 * threads, capped by the all-core figure when threads reach its thread count.
 * 0 if not measured. */
double mlp_peak_gflops(const mlp_peak *p, mlp_precision prec, int threads);

json_t *mlp_peak_json(const mlp_peak *p); /* new reference */
void mlp_peak_print(FILE *f, const mlp_peak *p);

#endif
