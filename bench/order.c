/* order.c: shuffled case orders (see order.h). */
#include "order.h"

/* xorshift32: small and deterministic; a zero state is replaced by a fixed one */
static unsigned next_random(unsigned *state)
{
    unsigned x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

void mlp_shuffled_orders(int *order, int repetitions, size_t n, unsigned seed)
{
    unsigned state = seed;
    for (int r = 0; r < repetitions; r++) {
        int *o = order + (size_t)r * n;
        for (size_t i = 0; i < n; i++)
            o[i] = (int)i;
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
            size_t j = next_random(&state) % i;
            int t = o[i - 1];
            o[i - 1] = o[j];
            o[j] = t;
        }
    }
}
