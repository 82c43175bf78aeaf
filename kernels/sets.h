/* sets.h: the kernel sets defined outside registry.c, one per instruction set.
 * Each is compiled only where its ISA exists (see kernels/CMakeLists.txt). */
#ifndef MLP_SETS_H
#define MLP_SETS_H

#include "kernels.h"

extern const mlp_kernel_set mlp_set_scalar; /* kernels/scalar.c, the reference */
extern const mlp_kernel_set mlp_set_avx2;   /* kernels/avx2.c */
extern const mlp_kernel_set mlp_set_avx512; /* kernels/avx512.c */
extern const mlp_kernel_set mlp_set_neon;   /* kernels/neon.c */
extern const mlp_kernel_set mlp_set_omp;    /* kernels/omp.c */
extern const mlp_kernel_set mlp_set_sve;    /* kernels/sve.c */

#endif
