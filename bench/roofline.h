/* roofline.h: the time bound of a training epoch or test pass on this machine, from
 * the work model (flops.h) and the measured peak (peak.h): the executed FLOP at the FMA
 * peak, the weight traffic at the bandwidth of the cache level that holds the weights,
 * and the input traffic at the bandwidth of the level that holds the data set, each
 * alone; the bound is the largest of the three (perfect overlap, so it is a lower bound
 * on the time, and "percent of bound" = bound / measured time). Data larger than L2
 * that fits the last-level cache is charged at the L2 bandwidth (L3 is not measured,
 * and is slower, so the bound stays a lower bound); data larger than the last-level
 * cache at the memory bandwidth. docs/roofline.md works the seed workload through. */
#ifndef MLP_ROOFLINE_H
#define MLP_ROOFLINE_H

#include <stddef.h>

#include "kernels.h"
#include "peak.h"

/* The cache capacities (bytes, one instance) the levels are chosen by. */
typedef struct mlp_cache_sizes {
    double l1, l2, llc; /* 0: unknown (then that level is never chosen) */
} mlp_cache_sizes;

/* The traffic of one phase, from flops.h's model. */
typedef struct mlp_phase_work {
    double flop;              /* executed FLOP */
    double weight_bytes;      /* bytes of weights read and written */
    double weight_footprint;  /* bytes of the weights (W01 + W12) */
    double input_bytes;       /* bytes of input values read */
    double input_footprint;   /* bytes of the whole data set's inputs */
} mlp_phase_work;

typedef struct mlp_bound {
    double compute_s, weights_s, inputs_s; /* each term alone; 0 where not measured */
    double bound_s;                        /* the largest; 0: no peak figures */
    const char *limit;                     /* "FMA", "L1", "L2", "memory", or "-" */
    const char *weights_level, *inputs_level;
} mlp_bound;

/* The bound of `w` for `threads` threads of precision `prec`. */
mlp_bound mlp_roofline_bound(const mlp_peak *p, const mlp_cache_sizes *c, mlp_precision prec,
                             int threads, const mlp_phase_work *w);

#endif
