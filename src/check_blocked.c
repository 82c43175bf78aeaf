/* check_blocked.c: bitwise checks of the batched (B >= 4, blocked) kernels, the part
 * of the contract in kernels.h that check_kernels' tolerance rows cannot see:
 *   split    per set: forward on two row ranges of at least MLP_BLOCKED_MIN_ROWS rows
 *            each, backward on two row ranges and on two ranges of K, update on two
 *            ranges of K and on two of N, each the same bits as one call on all of it;
 *   fma order  across sets: the blocked forward and update of every runnable SIMD set
 *            (not the reference, not threaded, not a peer) give the same bits as the
 *            first of them -- the order that does not depend on the vector width.
 * Inputs: random values in [-1, 1) with half of X exactly zero (as MNIST's pixels),
 * shapes past the tiles and cache blocks of every set; forward's W is over
 * MLP_BLOCKED_MIN_W_BYTES so that the blocked path runs. */
#include <stdlib.h>
#include <string.h>

#include "check_blocked.h"

typedef struct bshape {
    size_t B, K, N;
} bshape;

/* forward's W is 300 x 241 (289 KiB in float32), and 1100 x 70 */
static const bshape shapes[] = {{13, 300, 241}, {37, 1100, 70}, {9, 70, 50}};
enum { SHAPES = sizeof shapes / sizeof shapes[0] };

typedef struct rng {
    uint64_t s;
} rng;

static double rng_value(rng *r, double zero_fraction)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    double u = (double)(r->s >> 11) / 9007199254740992.0;
    if (u < zero_fraction)
        return 0.0;
    return 2.0 * (u - zero_fraction) / (1.0 - zero_fraction) - 1.0;
}

static void *alloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "check_blocked: out of memory\n");
        abort();
    }
    return p;
}

/* The outputs of one set on one shape, concatenated: forward Y, backward DX, update W,
 * and, if `split`, the same three from calls on two parts each (in `parts`). */
#define RUN_CASES(REAL, T, table)                                                          \
    static void run_##T(const table *t, const bshape *s, uint64_t seed, REAL *one,         \
                        REAL *parts)                                                       \
    {                                                                                      \
        size_t B = s->B, K = s->K, N = s->N;                                               \
        rng r = {seed};                                                                    \
        REAL *X = alloc(B * K, sizeof(REAL)), *W = alloc(K * N, sizeof(REAL));             \
        REAL *DY = alloc(B * N, sizeof(REAL)), *W2 = alloc(K * N, sizeof(REAL));           \
        for (size_t i = 0; i < B * K; i++)                                                 \
            X[i] = (REAL)rng_value(&r, 0.5);                                               \
        for (size_t i = 0; i < K * N; i++)                                                 \
            W[i] = (REAL)rng_value(&r, 0.0);                                               \
        for (size_t i = 0; i < B * N; i++)                                                 \
            DY[i] = (REAL)rng_value(&r, 0.0);                                              \
        REAL alpha = (REAL)(0.005 / (double)B);                                            \
        REAL *Y = one, *DX = one + B * N, *U = DX + B * K;                                 \
        t->forward(B, K, N, X, K, W, N, Y, N);                                             \
        t->backward(B, K, N, DY, N, W, N, DX, K);                                          \
        memcpy(U, W, K * N * sizeof(REAL));                                                \
        t->update(B, K, N, alpha, X, K, DY, N, U, N);                                      \
        if (parts) {                                                                       \
            size_t b1 = MLP_BLOCKED_MIN_ROWS + (B - 2 * MLP_BLOCKED_MIN_ROWS) / 3;         \
            size_t k1 = K / 3 + 1, n1 = N / 2 + 1;                                         \
            Y = parts, DX = Y + B * N;                                                     \
            REAL *DX2 = DX + B * K, *U1 = DX2 + B * K, *U2 = U1 + K * N;                   \
            t->forward(b1, K, N, X, K, W, N, Y, N);                                        \
            t->forward(B - b1, K, N, X + b1 * K, K, W, N, Y + b1 * N, N);                  \
            t->backward(1, K, N, DY, N, W, N, DX, K); /* one row: the row path */          \
            t->backward(B - 1, K, N, DY + N, N, W, N, DX + K, K);                          \
            t->backward(B, k1, N, DY, N, W, N, DX2, K);                                    \
            t->backward(B, K - k1, N, DY, N, W + k1 * N, N, DX2 + k1, K);                  \
            memcpy(U1, W, K * N * sizeof(REAL));                                           \
            t->update(B, k1, N, alpha, X, K, DY, N, U1, N);                                \
            t->update(B, K - k1, N, alpha, X + k1, K, DY, N, U1 + k1 * N, N);              \
            memcpy(U2, W, K * N * sizeof(REAL));                                           \
            t->update(B, K, n1, alpha, X, K, DY, N, U2, N);                                \
            t->update(B, K, N - n1, alpha, X, K, DY + n1, N, U2 + n1, N);                  \
        }                                                                                  \
        free(X);                                                                           \
        free(W);                                                                           \
        free(DY);                                                                          \
        free(W2);                                                                          \
    }
RUN_CASES(float, f32, mlp_kernels_f32)
RUN_CASES(double, f64, mlp_kernels_f64)
#undef RUN_CASES

/* elements of one run's outputs: Y, DX, W */
static size_t one_len(const bshape *s)
{
    return s->B * s->N + s->B * s->K + s->K * s->N;
}

/* the float32 table to run instead of a set's (mlp_check_split_table_f32), or NULL */
static const mlp_kernels_f32 *given_f32;

static void run(const mlp_kernel_set *set, mlp_precision p, const bshape *s, uint64_t seed,
                void *one, void *parts)
{
    if (p == MLP_F32 && given_f32) {
        run_f32(given_f32, s, seed, one, parts);
    } else if (p == MLP_F32) {
        mlp_kernels_f32 t;
        mlp_kernel_set_table_f32(set, &t);
        run_f32(&t, s, seed, one, parts);
    } else {
        mlp_kernels_f64 t;
        mlp_kernel_set_table_f64(set, &t);
        run_f64(&t, s, seed, one, parts);
    }
}

static void row(FILE *out, const char *set, mlp_precision p, const char *what, int cases,
                long diffs, const char *status)
{
    char diff[32];
    snprintf(diff, sizeof diff, "%ld diff", diffs);
    fprintf(out, "%-8s %-4s %-15s %6d %10s %10s %10s %9s  %s\n", set, mlp_precision_name(p),
            what, cases, diff, "-", "exact", "-", status);
}

static void count(mlp_check_tally *tally, bool failed)
{
    if (tally)
        *(failed ? &tally->failed : &tally->passed) += 1;
}

/* elements of a and b (n each, of size `size`) whose bits differ */
static long differing(const unsigned char *a, const unsigned char *b, size_t n, size_t size)
{
    long d = 0;
    for (size_t i = 0; i < n; i++)
        d += memcmp(a + i * size, b + i * size, size) != 0;
    return d;
}

/* one set (or given_f32, labelled `name`): its split calls against its whole calls */
static int check_split(const mlp_kernel_set *set, const char *name, mlp_precision p,
                       uint64_t seed, FILE *out, mlp_check_tally *tally)
{
    size_t size = mlp_precision_size(p);
    long diffs = 0;
    char first[160] = "";
    for (size_t i = 0; i < SHAPES; i++) {
        const bshape *s = &shapes[i];
        size_t BN = s->B * s->N, BK = s->B * s->K, KN = s->K * s->N;
        unsigned char *one = alloc(one_len(s), size);
        unsigned char *parts = alloc(BN + 2 * BK + 2 * KN, size);
        run(set, p, s, seed + i, one, parts);
        /* (name, offset in one, offset in parts, elements) */
        const struct {
            const char *what;
            size_t at_one, at_parts, n;
        } cmp[] = {{"forward, rows", 0, 0, BN},
                   {"backward, rows", BN, BN, BK},
                   {"backward, K", BN, BN + BK, BK},
                   {"update, K", BN + BK, BN + 2 * BK, KN},
                   {"update, N", BN + BK, BN + 2 * BK + KN, KN}};
        for (size_t c = 0; c < sizeof cmp / sizeof cmp[0]; c++) {
            long d = differing(one + cmp[c].at_one * size, parts + cmp[c].at_parts * size,
                               cmp[c].n, size);
            if (d && !first[0])
                snprintf(first, sizeof first, "%s %s: %s split differs from one call (B=%zu K=%zu N=%zu)",
                         name, mlp_precision_name(p), cmp[c].what, s->B, s->K, s->N);
            diffs += d;
        }
        free(one);
        free(parts);
    }
    row(out, name, p, "split rows/cols", SHAPES, diffs, diffs ? "FAILED" : "PASSED");
    if (diffs)
        fprintf(out, "  first failure: %s\n", first);
    count(tally, diffs != 0);
    return diffs != 0;
}

static bool in_order_group(const mlp_kernel_set *set, mlp_precision p)
{
    return set != mlp_kernel_set_reference() && !set->threaded && !set->peer &&
           mlp_kernel_set_has(set, p) && mlp_kernel_set_runnable(set);
}

/* every SIMD set's blocked forward and update against the first such set's */
static int check_order(const char *only_set, mlp_precision p, uint64_t seed, FILE *out,
                       mlp_check_tally *tally)
{
    const mlp_kernel_set *first = NULL;
    int failed = 0;
    for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
        const mlp_kernel_set *set = mlp_kernel_set_at(i);
        if (!in_order_group(set, p))
            continue;
        if (!first) {
            first = set;
            continue;
        }
        if (only_set && strcmp(only_set, set->name) != 0)
            continue;
        size_t size = mlp_precision_size(p);
        long diffs = 0;
        for (size_t j = 0; j < SHAPES; j++) {
            const bshape *s = &shapes[j];
            unsigned char *a = alloc(one_len(s), size), *b = alloc(one_len(s), size);
            run(first, p, s, seed + j, a, NULL);
            run(set, p, s, seed + j, b, NULL);
            size_t BN = s->B * s->N, BK = s->B * s->K, KN = s->K * s->N;
            /* forward Y (only where W is big enough for the blocked path) and update W */
            if (mlp_blocked_forward(s->B, s->K, s->N, size))
                diffs += differing(a, b, BN, size);
            diffs += differing(a + (BN + BK) * size, b + (BN + BK) * size, KN, size);
            free(a);
            free(b);
        }
        char what[24];
        snprintf(what, sizeof what, "fma order=%s", first->name);
        row(out, set->name, p, what, SHAPES, diffs, diffs ? "FAILED" : "PASSED");
        count(tally, diffs != 0);
        failed += diffs != 0;
    }
    return failed;
}

int mlp_check_split_table_f32(const char *name, const mlp_kernels_f32 *t, uint64_t seed,
                              FILE *out, mlp_check_tally *tally)
{
    given_f32 = t;
    int failed = check_split(NULL, name, MLP_F32, seed, out, tally);
    given_f32 = NULL;
    return failed;
}

int mlp_check_blocked(uint64_t seed, const char *only_set, FILE *out, mlp_check_tally *tally)
{
    int failed = 0;
    for (int pi = 0; pi < MLP_PRECISIONS; pi++) {
        mlp_precision p = (mlp_precision)pi;
        for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
            const mlp_kernel_set *set = mlp_kernel_set_at(i);
            if (set == mlp_kernel_set_reference() || set->peer ||
                !mlp_kernel_set_has(set, p) || !mlp_kernel_set_runnable(set) ||
                (only_set && strcmp(only_set, set->name) != 0))
                continue;
            failed += check_split(set, set->name, p, seed, out, tally);
        }
        failed += check_order(only_set, p, seed, out, tally);
    }
    fflush(out);
    return failed;
}
