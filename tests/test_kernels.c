/* test_kernels.c: every kernel set against the reference (mlp_check_kernels), and a
 * self-test of the checker: deliberately broken tables must be reported FAILED, so
 * the check provably can fail. Exits 1 on any failure.
 *
 *   usage: test_kernels [SET]   (only SET, e.g. `valgrind test_kernels avx2`; under
 *                                valgrind, which cannot run AVX-512, avx512 is SKIPPED
 *                                anyway since valgrind's CPUID does not offer it) */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_blocked.h"
#include "check_kernels.h"

static mlp_kernels_f32 reference;

/* forward that drops the last k term */
static void forward_drops_last_term(size_t B, size_t K, size_t N, const float *restrict X,
                                    size_t ldx, const float *restrict W, size_t ldw,
                                    float *restrict Y, size_t ldy)
{
    reference.forward(B, K - 1, N, X, ldx, W, ldw, Y, ldy);
}

/* forward off by a relative 2^-10: far inside any loose |ref|-relative tolerance */
static void forward_slightly_off(size_t B, size_t K, size_t N, const float *restrict X,
                                 size_t ldx, const float *restrict W, size_t ldw,
                                 float *restrict Y, size_t ldy)
{
    reference.forward(B, K, N, X, ldx, W, ldw, Y, ldy);
    for (size_t b = 0; b < B; b++)
        for (size_t n = 0; n < N; n++)
            Y[b * ldy + n] *= 1.0f + 0x1p-10f;
}

/* relu giving +0.0 for negatives (the reference gives -0.0) */
static void relu_positive_zero(size_t n, float *x)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] >= 0 || x[i] != x[i] ? x[i] : 0.0f;
}

/* update that writes one element past each row (into the leading-dimension padding) */
static void update_writes_padding(size_t B, size_t K, size_t N, float alpha,
                                  const float *restrict X, size_t ldx, const float *restrict DY,
                                  size_t lddy, float *restrict W, size_t ldw)
{
    reference.update(B, K, N, alpha, X, ldx, DY, lddy, W, ldw);
    if (ldw > N)
        W[N] = 0;
}

/* backward whose first output depends on the row count: breaks split invariance only */
static void backward_depends_on_rows(size_t B, size_t K, size_t N, const float *restrict DY,
                                     size_t lddy, const float *restrict W, size_t ldw,
                                     float *restrict DX, size_t lddx)
{
    reference.backward(B, K, N, DY, lddy, W, ldw, DX, lddx);
    if (B % 2 && B > 0 && K > 0)
        DX[0] = nextafterf(DX[0], INFINITY);
}

/* forward_sparse as forward one row at a time: each row's list written into a dense
 * row, then the reference's forward on it (so the check must pass it) */
static void forward_sparse_by_rows(size_t B, size_t K, size_t N, const size_t *restrict rows,
                                   const int32_t *restrict cols, const float *restrict vals,
                                   const float *restrict W, size_t ldw, float *restrict Y,
                                   size_t ldy)
{
    float *x = calloc(K ? K : 1, sizeof *x);
    if (!x)
        abort();
    for (size_t b = 0; b < B; b++) {
        for (size_t e = rows[b]; e < rows[b + 1]; e++)
            x[cols[e]] = vals[e];
        reference.forward(1, K, N, x, K, W, ldw, Y + b * ldy, ldy);
        for (size_t e = rows[b]; e < rows[b + 1]; e++)
            x[cols[e]] = 0;
    }
    free(x);
}

/* the same, but the last row's first output one ulp up: inside every tolerance */
static void forward_sparse_one_ulp(size_t B, size_t K, size_t N, const size_t *restrict rows,
                                   const int32_t *restrict cols, const float *restrict vals,
                                   const float *restrict W, size_t ldw, float *restrict Y,
                                   size_t ldy)
{
    forward_sparse_by_rows(B, K, N, rows, cols, vals, W, ldw, Y, ldy);
    if (B > 1 && N > 0)
        Y[(B - 1) * ldy] = nextafterf(Y[(B - 1) * ldy], INFINITY);
}

/* update_sparse as update(1, ...) on the dense row rebuilt from the list */
static void update_sparse_by_row(size_t K, size_t N, float alpha, size_t count,
                                 const int32_t *restrict cols, const float *restrict vals,
                                 const float *restrict dy, float *restrict W, size_t ldw)
{
    float *x = calloc(K ? K : 1, sizeof *x);
    if (!x)
        abort();
    for (size_t e = 0; e < count; e++)
        x[cols[e]] = vals[e];
    reference.update(1, K, N, alpha, x, K, dy, N, W, ldw);
    free(x);
}

/* the same, then the first listed row's first weight one ulp up */
static void update_sparse_one_ulp(size_t K, size_t N, float alpha, size_t count,
                                  const int32_t *restrict cols, const float *restrict vals,
                                  const float *restrict dy, float *restrict W, size_t ldw)
{
    update_sparse_by_row(K, N, alpha, count, cols, vals, dy, W, ldw);
    if (count > 1 && N > 0)
        W[(size_t)cols[0] * ldw] = nextafterf(W[(size_t)cols[0] * ldw], INFINITY);
}

/* score_head as the calls it stands for: relu on a copy of X, forward, then per row
 * error_delta and numpy's argmax (so the check must pass it) */
static size_t score_head_by_calls(size_t B, size_t K, size_t N, const float *restrict X,
                                  size_t ldx, const float *restrict W, size_t ldw,
                                  const float *restrict T, size_t ldt,
                                  const uint8_t *restrict labels, double *restrict errors)
{
    float *h = malloc((B * K + 1) * sizeof *h), *y = malloc((B * N + 1) * sizeof *y);
    float *d = malloc((N + 1) * sizeof *d);
    if (!h || !y || !d)
        abort();
    for (size_t b = 0; b < B; b++)
        for (size_t k = 0; k < K; k++)
            h[b * K + k] = X[b * ldx + k];
    reference.relu(B * K, h);
    reference.forward(B, K, N, h, K, W, ldw, y, N);
    size_t right = 0;
    for (size_t b = 0; b < B; b++) {
        errors[b] = reference.error_delta(N, T + b * ldt, y + b * N, d);
        size_t best = 0;
        for (size_t n = 0; n < N; n++) {
            if (y[b * N + n] != y[b * N + n]) {
                best = n;
                break;
            }
            if (y[b * N + n] > y[b * N + best])
                best = n;
        }
        right += best == labels[b];
    }
    free(h);
    free(y);
    free(d);
    return right;
}

/* the same, but the last row's error one ulp up */
static size_t score_head_one_ulp(size_t B, size_t K, size_t N, const float *restrict X,
                                 size_t ldx, const float *restrict W, size_t ldw,
                                 const float *restrict T, size_t ldt,
                                 const uint8_t *restrict labels, double *restrict errors)
{
    size_t right = score_head_by_calls(B, K, N, X, ldx, W, ldw, T, ldt, labels, errors);
    if (B > 1)
        errors[B - 1] = nextafter(errors[B - 1], INFINITY);
    return right;
}

/* the same, but the argmax takes the last of equal largest outputs */
static size_t score_head_last_of_ties(size_t B, size_t K, size_t N, const float *restrict X,
                                      size_t ldx, const float *restrict W, size_t ldw,
                                      const float *restrict T, size_t ldt,
                                      const uint8_t *restrict labels, double *restrict errors)
{
    score_head_by_calls(B, K, N, X, ldx, W, ldw, T, ldt, labels, errors);
    float *h = malloc((K + 1) * sizeof *h), *y = malloc((N + 1) * sizeof *y);
    if (!h || !y)
        abort();
    size_t right = 0;
    for (size_t b = 0; b < B; b++) {
        for (size_t k = 0; k < K; k++)
            h[k] = X[b * ldx + k];
        reference.relu(K, h);
        reference.forward(1, K, N, h, K, W, ldw, y, N);
        size_t best = 0;
        for (size_t n = 0; n < N; n++)
            if (y[n] >= y[best] || y[n] != y[n])
                best = n;
        right += best == labels[b];
    }
    free(h);
    free(y);
    return right;
}

typedef struct broken {
    const char *what;
    const char *op;
    void (*apply)(mlp_kernels_f32 *t);
} broken;

static void apply_drop(mlp_kernels_f32 *t) { t->forward = forward_drops_last_term; }
static void apply_off(mlp_kernels_f32 *t) { t->forward = forward_slightly_off; }
static void apply_relu(mlp_kernels_f32 *t) { t->relu = relu_positive_zero; }
static void apply_pad(mlp_kernels_f32 *t) { t->update = update_writes_padding; }
static void apply_sparse(mlp_kernels_f32 *t) { t->forward_sparse = forward_sparse_one_ulp; }
static void apply_update_sparse(mlp_kernels_f32 *t) { t->update_sparse = update_sparse_one_ulp; }
static void apply_score_ulp(mlp_kernels_f32 *t) { t->score_head = score_head_one_ulp; }
static void apply_score_ties(mlp_kernels_f32 *t) { t->score_head = score_head_last_of_ties; }

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    setvbuf(stdout, NULL, _IOLBF, 0); /* rows appear as they finish, also in ctest logs */
    int failures = 0;
    mlp_check_tally tally = {0};
    printf("Kernel sets against the reference (seed 1)\n");
    if (mlp_check_kernels(1, only, stdout, &tally) != 0 || tally.failed != 0) {
        printf("FAILED: %d kernel rows failed\n", tally.failed);
        failures++;
    }
    printf("%d passed, %d failed, %d skipped\n\n", tally.passed, tally.failed, tally.skipped);

    /* the checker must fail each broken table, on the broken operation only */
    const mlp_kernel_set *ref = mlp_kernel_set_reference();
    mlp_kernel_set_table_f32(ref, &reference);
    size_t lanes = ref->lanes(MLP_F32);
    const broken cases[] = {
        {"forward drops the last k term", "forward", apply_drop},
        {"forward off by a relative 2^-10", "forward", apply_off},
        {"relu gives +0.0 for negatives", "relu", apply_relu},
        {"update writes into the padding", "update", apply_pad},
        {"forward_sparse one ulp off forward row by row", "forward_sparse", apply_sparse},
        {"update_sparse one ulp off update row by row", "update_sparse", apply_update_sparse},
        {"score_head one ulp off in one row's error", "score_head", apply_score_ulp},
        {"score_head takes the last of tied outputs", "score_head", apply_score_ties},
    };
    printf("Checker self-test: broken tables must FAIL\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlp_kernels_f32 t = reference;
        cases[i].apply(&t);
        mlp_check_tally self = {0};
        printf("-- %s\n", cases[i].what);
        int failed = mlp_check_table_f32("broken", &t, lanes, 7, stdout, &self);
        bool ok = failed == 1 && self.failed == 1;
        printf("%s: the checker %s\n", ok ? "ok" : "FAILED",
               ok ? "reported exactly that operation FAILED" : "did not catch it");
        failures += !ok;
    }
    /* the split check must fail a backward that depends on the row count (one ulp
     * passes every tolerance above), and pass the reference */
    mlp_kernels_f32 rows = reference;
    rows.backward = backward_depends_on_rows;
    mlp_check_tally split = {0};
    printf("-- backward depends on the row count, by one ulp\n");
    bool caught = mlp_check_split_table_f32("broken", &rows, 7, stdout, &split) == 1;
    bool clean = mlp_check_split_table_f32(ref->name, &reference, 7, stdout, &split) == 0;
    printf("%s: the split check %s\n", caught && clean ? "ok" : "FAILED",
           caught && clean ? "caught it and passed the reference" : "did not tell them apart");
    failures += !(caught && clean);
    /* and the unbroken reference passes, also with a correct forward_sparse */
    mlp_check_tally self = {0};
    printf("-- the reference itself, with forward_sparse, update_sparse and score_head by "
           "their calls\n");
    mlp_kernels_f32 with_sparse = reference;
    with_sparse.forward_sparse = forward_sparse_by_rows;
    with_sparse.update_sparse = update_sparse_by_row;
    with_sparse.score_head = score_head_by_calls;
    if (mlp_check_table_f32(ref->name, &with_sparse, lanes, 7, stdout, &self) != 0 ||
        self.passed != 10) {
        printf("FAILED: the reference does not pass its own check\n");
        failures++;
    }
    printf("\ntest_kernels: %s\n", failures ? "FAILED" : "all ok");
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
