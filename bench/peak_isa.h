/* peak_isa.h: the inner loops of the peak probe, one implementation per instruction
 * set, each in its own source file built with that ISA's flags (peak_avx512.c,
 * peak_avx2.c, peak_neon.c; the portable one is in peak.c). Each declares the CPU
 * features it needs as kernel sets do (kernels.h); the probe runs the widest one
 * this CPU has. */
#ifndef MLP_PEAK_ISA_H
#define MLP_PEAK_ISA_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

typedef struct mlp_peak_isa {
    const char *name;   /* "AVX-512F+FMA" */
    mlp_cpu_mask requires; /* the CPU features its loops need, all of them; 0: none */
    int chains;         /* independent accumulators per loop iteration */
    int lanes_f32, lanes_f64;
    /* iters iterations of `chains` independent vector FMAs; returns a sink value */
    double (*fma_f32)(uint64_t iters);
    double (*fma_f64)(uint64_t iters);
    /* a[i] = b[i] + s * c[i] for i < n (n a multiple of 16; 64-byte aligned arrays) */
    void (*triad)(double *a, const double *b, const double *c, double s, size_t n);
} mlp_peak_isa;

const mlp_peak_isa *mlp_peak_isa_avx512(void);
const mlp_peak_isa *mlp_peak_isa_avx2(void);
const mlp_peak_isa *mlp_peak_isa_neon(void);

#endif
