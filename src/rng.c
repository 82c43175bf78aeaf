/* rng.c: MT19937 as numpy's legacy RandomState uses it (Matsumoto & Nishimura 2002). */
#include "rng.h"

enum { MT_N = 624, MT_M = 397 };

void mlp_rng_seed(mlp_rng *r, uint32_t seed)
{
    r->state[0] = seed;
    for (int i = 1; i < MT_N; i++) {
        uint32_t prev = r->state[i - 1];
        r->state[i] = 1812433253u * (prev ^ (prev >> 30)) + (uint32_t)i;
    }
    r->index = MT_N;
}

static void regenerate(mlp_rng *r)
{
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (r->state[i] & 0x80000000u) | (r->state[(i + 1) % MT_N] & 0x7fffffffu);
        uint32_t next = r->state[(i + MT_M) % MT_N] ^ (y >> 1);
        r->state[i] = (y & 1u) ? next ^ 0x9908b0dfu : next;
    }
    r->index = 0;
}

uint32_t mlp_rng_u32(mlp_rng *r)
{
    if (r->index >= MT_N)
        regenerate(r);
    uint32_t y = r->state[r->index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double mlp_rng_random(mlp_rng *r)
{
    uint32_t a = mlp_rng_u32(r) >> 5, b = mlp_rng_u32(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

int mlp_rng_bit(mlp_rng *r)
{
    return (int)(mlp_rng_u32(r) & 1u);
}
