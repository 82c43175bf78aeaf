/* rng.h: numpy-compatible MT19937 (the legacy np.random.RandomState stream). */
#ifndef MLP_RNG_H
#define MLP_RNG_H

#include <stdint.h>

typedef struct mlp_rng {
    uint32_t state[624];
    int index;
} mlp_rng;

/* np.random.seed(s): MT19937 init_genrand on the 32-bit seed. */
void mlp_rng_seed(mlp_rng *r, uint32_t seed);
/* One 32-bit draw. */
uint32_t mlp_rng_u32(mlp_rng *r);
/* np.random.random(): a 53-bit double in [0, 1) from two draws. */
double mlp_rng_random(mlp_rng *r);
/* np.random.randint(2): one draw, low bit. */
int mlp_rng_bit(mlp_rng *r);

#endif
