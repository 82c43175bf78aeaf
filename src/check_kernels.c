/* check_kernels.c: the kernel-level checker (see check_kernels.h).
 *
 * What is compared
 * ----------------
 * forward, backward, update: each output against a float64 reference computed here
 * from the same inputs (read back from the kernel's own buffers), on a sweep of shapes
 * around the checked set's own w lanes in that precision (its lanes(p): sizes 1..w-1,
 * w, w+1..2w+1, multiples of w past its widest tile, K past its 1024-input chunks; see
 * matrix_shapes), plus the model's (K,N) = (784,40), (40,10) with B = 1, 100, 256;
 * odd leading dimensions and misaligned starts; inputs with exact zeros (as MNIST's
 * ~81%). Every byte of an output buffer outside the output (leading-dimension
 * padding, guards before and after) must be left as it was.
 * relu, relu_backward (both masks), multiply: bit-exact (memcmp) against the formula
 * in the kernel's precision, with -0.0, +0.0, NaNs, +-inf and denormals in the inputs.
 * error_delta: delta bit-exact, the returned sum within tolerance.
 * forward_sparse, update_sparse (optional; only sets that have them get a row):
 * bit-exact against forward called one row at a time on the dense X, and against
 * update(1, ...) on each dense row, on the matrix shapes.
 *
 * Tolerances (why these numbers)
 * ------------------------------
 * An output that is a sum of n products a_i*b_i, computed in any order, with or without
 * FMA, in unit roundoff u (2^-24 float32, 2^-53 float64), satisfies the classic
 * deterministic bound (Higham, Accuracy and Stability of Numerical Algorithms, 3.1)
 *     |got - exact| <= gamma_n * S,   gamma_n = n*u / (1 - n*u),   S = sum_i |a_i*b_i|.
 * FMA and skipped zero terms only remove roundings, so the bound holds for every set.
 * The reference accumulates in float64, compensated (Dot2) for float64 inputs, so its
 * own error is below u * S (see "the float64 reference" below). Hence we accept
 *     |got - ref| <= atol + rtol * S,   rtol = (terms + 2) * u,
 * where the +2 covers the reference's rounding and gamma_n's 1/(1 - n*u) (n*u < 1e-3
 * here, so that factor adds less than 0.001*n*u).
 *   forward  Y[b,n]:  terms = K, S = sum_k |X[b,k] W[k,n]|
 *   backward DX[b,k]: terms = N, S = sum_n |DY[b,n] W[k,n]|
 *   update   W[k,n]:  terms = B + 2 (the B products, the add to W, the alpha scaling),
 *                     S = |W[k,n]| + |alpha| * sum_b |X[b,k] DY[b,n]|
 *   error_delta sum:  terms = n, u = 2^-53 (the sum is float64), S = sum delta^2
 * atol = 1e-30 (float32) / 1e-300 (float64) only absorbs gradual underflow, whose
 * absolute error per operation is below 2^-149 / 2^-1074. The bound is what the
 * arithmetic guarantees, not a fudge factor: a kernel dropping one term, or off by a
 * relative 2^-10, fails it (tests/test_kernels.c shows both). */
#include <math.h>
#include <omp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_blocked.h"
#include "check_kernels.h"

/* ---- values, buffers and random inputs, precision chosen at run time ---- */

typedef struct kernels_any {
    mlp_precision p;
    const mlp_kernels_f32 *f32;
    const mlp_kernels_f64 *f64;
} kernels_any;

enum { CANARY_BYTE = 0x7f, GUARD_ELEMENTS = 3 };

/* A rows x cols matrix with leading dimension ld, starting `off` elements into its
 * allocation, followed by GUARD_ELEMENTS; every byte starts as CANARY_BYTE. */
typedef struct mat {
    mlp_precision p;
    size_t rows, cols, ld, off, total;
    unsigned char *base;
} mat;

static void mat_alloc(mat *m, mlp_precision p, size_t rows, size_t cols, size_t ld, size_t off)
{
    *m = (mat){.p = p, .rows = rows, .cols = cols, .ld = ld, .off = off};
    m->total = off + rows * ld + GUARD_ELEMENTS;
    /* 64-byte aligned, so that off = 0 with a leading dimension of whole lines reaches
     * the paths that need aligned rows (avx512's full-width B = 1 update) */
    size_t bytes = m->total * mlp_precision_size(p);
    m->base = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!m->base) {
        fprintf(stderr, "check_kernels: out of memory\n");
        abort();
    }
    memset(m->base, CANARY_BYTE, m->total * mlp_precision_size(p));
}

static void mat_free(mat *m)
{
    free(m->base);
    m->base = NULL;
}

static void *mat_data(const mat *m)
{
    return m->base + m->off * mlp_precision_size(m->p);
}

static void *mat_elem(const mat *m, size_t r, size_t c)
{
    return m->base + (m->off + r * m->ld + c) * mlp_precision_size(m->p);
}

static double mat_get(const mat *m, size_t r, size_t c)
{
    const void *e = mat_elem(m, r, c);
    return m->p == MLP_F32 ? (double)*(const float *)e : *(const double *)e;
}

/* stores v rounded to the matrix's precision */
static void mat_put(mat *m, size_t r, size_t c, double v)
{
    void *e = mat_elem(m, r, c);
    if (m->p == MLP_F32)
        *(float *)e = (float)v;
    else
        *(double *)e = v;
}

/* The first element outside the matrix proper whose bytes are no longer the canary,
 * or SIZE_MAX. */
static size_t mat_first_clobbered(const mat *m)
{
    size_t size = mlp_precision_size(m->p);
    for (size_t e = 0; e < m->total; e++) {
        size_t rel = e - m->off;
        bool inside = e >= m->off && rel < m->rows * m->ld && rel % m->ld < m->cols;
        if (inside)
            continue;
        for (size_t i = 0; i < size; i++)
            if (m->base[e * size + i] != CANARY_BYTE)
                return e;
    }
    return SIZE_MAX;
}

/* splitmix64: small, seedable, good enough for test inputs */
typedef struct check_rng {
    uint64_t state;
} check_rng;

static uint64_t rng_next(check_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(check_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1p-53;
}

/* uniform in [-1, 1) times 2^e, e in -3..3: mixed signs and magnitudes */
static double rng_value(check_rng *r)
{
    static const double scale[] = {0.125, 0.25, 0.5, 1, 2, 4, 8};
    return (2 * rng_unit(r) - 1) * scale[rng_next(r) % 7];
}

/* an input that is an exact zero (+0, sometimes -0) with probability zero_fraction */
static double rng_input(check_rng *r, double zero_fraction)
{
    if (rng_unit(r) < zero_fraction)
        return rng_next(r) % 8 ? 0.0 : -0.0;
    return rng_value(r);
}

/* One element: a special value (signed zeros, quiet NaNs with payloads and either
 * sign, infinities, denormals, the smallest normals, +-1) with probability 1/2, else
 * rng_value. No signaling NaNs: C compilers assume there are none
 * (-fno-signaling-nans) and may fold x * 1.0 to x, which keeps an sNaN unquieted in
 * one build and quiets it in another, so no bit pattern is "the reference's". */
static void put_special_or_value(mat *m, size_t i, check_rng *r)
{
    static const uint32_t bits32[] = {
        0x00000000u, 0x80000000u, 0x7fc00000u, 0x7fe00001u, 0xffc00123u, 0x7f800000u,
        0xff800000u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x807fffffu, 0x00800000u,
        0x80800000u, 0x3f800000u, 0xbf800000u};
    static const uint64_t bits64[] = {
        0x0000000000000000ull, 0x8000000000000000ull, 0x7ff8000000000000ull,
        0x7ffc000000000001ull, 0xfff8000000000123ull, 0x7ff0000000000000ull,
        0xfff0000000000000ull, 0x0000000000000001ull, 0x8000000000000001ull,
        0x000fffffffffffffull, 0x800fffffffffffffull, 0x0010000000000000ull,
        0x8010000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull};
    enum { SPECIALS = sizeof bits32 / sizeof bits32[0] };
    if (rng_next(r) % 2) {
        mat_put(m, 0, i, rng_value(r));
        return;
    }
    size_t which = (size_t)(rng_next(r) % SPECIALS);
    if (m->p == MLP_F32)
        memcpy(mat_elem(m, 0, i), &bits32[which], sizeof(uint32_t));
    else
        memcpy(mat_elem(m, 0, i), &bits64[which], sizeof(uint64_t));
}

/* ---- the float64 reference of a sum of products ----
 * float32 inputs: a plain float64 sum. Each product of two floats is exact in
 * float64 (and a product of three rounds once, by 2^-53), so the reference errs by at
 * most (n + 1) * 2^-53 * S: below 2^-28 of the float32 tolerance per term.
 * float64 inputs: Dot2 (Ogita, Rump, Oishi 2005): every product split exactly into
 * p + p_err (Dekker's TwoProduct, no FMA instruction needed) and the sum carried with
 * its exact rounding errors (TwoSum): error at most 2^-53 |sum| + O(n^2 2^-106) S,
 * within the +2 of rtol's (terms + 2). Zero terms are left out (they add nothing). */

typedef struct ref_sum {
    bool compensated; /* float64 inputs */
    double sum, err, magnitude; /* value = sum + err; magnitude = S = sum |a*b| */
} ref_sum;

/* a*b = *p + *err exactly (Dekker 1971, Veltkamp's split; no overflow here) */
static void two_product(double a, double b, double *p, double *err)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    double ca = split * a, a_hi = ca - (ca - a), a_lo = a - a_hi;
    double cb = split * b, b_hi = cb - (cb - b), b_lo = b - b_hi;
    *p = a * b;
    *err = ((a_hi * b_hi - *p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo;
}

static void ref_add(ref_sum *r, double a, double b)
{
    if (a == 0 || b == 0)
        return;
    if (!r->compensated) {
        r->sum += a * b;
        r->magnitude += fabs(a * b);
        return;
    }
    double p, p_err;
    two_product(a, b, &p, &p_err);
    double s = r->sum + p;
    double z = s - r->sum;
    double s_err = (r->sum - (s - z)) + (p - z); /* sum + p = s + s_err exactly */
    r->sum = s;
    r->err += p_err + s_err;
    r->magnitude += fabs(p);
}

static double ref_value(const ref_sum *r)
{
    return r->sum + r->err;
}

/* ---- one row of results ---- */

typedef struct op_result {
    int shapes;
    bool exact;        /* compared bit for bit */
    long mismatches;   /* exact: elements whose bits differ */
    double max_abs;    /* toleranced: worst |got - ref| */
    double max_rel;    /* worst |got - ref| / S */
    double rtol_at;    /* the rtol of that element */
    double max_used;   /* worst |got - ref| / (atol + rtol*S) */
    bool failed;
    char detail[512];  /* the first failure */
} op_result;

typedef struct shape {
    size_t B, K, N; /* elementwise ops use N as the length */
    size_t pad;     /* extra columns of the leading dimensions (0: ld = cols) */
    size_t off;     /* elements before the first, to misalign */
} shape;

typedef struct check_ctx {
    const char *set_name;
    const kernels_any *k;
    const char *op;
    bool elementwise;
    uint64_t seed;
    op_result *res;
} check_ctx;

static double unit_roundoff(mlp_precision p)
{
    return p == MLP_F32 ? 0x1p-24 : 0x1p-53;
}

static double abs_tolerance(mlp_precision p)
{
    return p == MLP_F32 ? 1e-30 : 1e-300;
}

/* the shape of a matrix op or the length of an elementwise one, for messages */
static void describe(const shape *s, bool elementwise, char *buf, size_t len)
{
    if (elementwise)
        snprintf(buf, len, "n=%zu off=%zu", s->N, s->off);
    else
        snprintf(buf, len, "B=%zu K=%zu N=%zu pad=%zu off=%zu", s->B, s->K, s->N, s->pad, s->off);
}

static void fail(check_ctx *c, const shape *s, const char *what)
{
    c->res->failed = true;
    if (c->res->detail[0])
        return;
    char where[120];
    describe(s, c->elementwise, where, sizeof where);
    snprintf(c->res->detail, sizeof c->res->detail, "%.32s %s %.20s: %.119s: %.239s (seed %llu)",
             c->set_name, mlp_precision_name(c->k->p), c->op, where, what,
             (unsigned long long)c->seed);
}

/* Compares got, element name[i,j] (just name if i is SIZE_MAX), with the reference value of a sum with `terms`
 * terms and magnitude S. */
static void compare_sum(check_ctx *c, const shape *s, const char *name, size_t i, size_t j,
                        double got, double ref, double S, double terms, double u)
{
    op_result *r = c->res;
    double rtol = (terms + 2) * u, tol = abs_tolerance(c->k->p) + rtol * S;
    double err = fabs(got - ref);
    bool ok = err <= tol || (isnan(got) && isnan(ref)) || (got == ref);
    if (isnan(got) != isnan(ref))
        ok = false;
    if (!isnan(err)) {
        double rel = S > 0 ? err / S : (err > 0 ? INFINITY : 0);
        if (err > r->max_abs)
            r->max_abs = err;
        if (rel > r->max_rel || r->rtol_at == 0) {
            r->max_rel = rel > r->max_rel ? rel : r->max_rel;
            r->rtol_at = rtol;
        }
        if (err / tol > r->max_used)
            r->max_used = err / tol;
    }
    if (!ok) {
        char what[240];
        char at[48] = "";
        if (i != SIZE_MAX)
            snprintf(at, sizeof at, "[%zu,%zu]", i, j);
        snprintf(what, sizeof what, "%s%s got %.9g, ref %.9g, |err| %.3g > tol %.3g", name, at,
                 got, ref, err, tol);
        fail(c, s, what);
    }
}

static void check_canaries(check_ctx *c, const shape *s, const mat *m, const char *name)
{
    size_t e = mat_first_clobbered(m);
    if (e != SIZE_MAX) {
        char what[120];
        snprintf(what, sizeof what, "wrote outside %s (element %zu of its allocation)", name, e);
        fail(c, s, what);
    }
}

/* ---- forward, backward, update ---- */

/* leading dimensions: ld = cols, or cols + an odd pad that differs per matrix */
static size_t ld_of(size_t cols, const shape *s, size_t which)
{
    return s->pad ? cols + s->pad + 2 * which : cols;
}

/* where an updated W starts: on a 64-byte line for shapes without pad and offset
 * (with ld = N of whole lines, avx512's full-width B = 1 update), else misaligned */
static size_t w_offset(const shape *s)
{
    return s->pad == 0 && s->off == 0 ? 0 : s->off + 2;
}

static void fill(mat *m, check_rng *r, double zero_fraction)
{
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++)
            mat_put(m, i, j, rng_input(r, zero_fraction));
}

static void check_forward(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    mat X, W, Y;
    mat_alloc(&X, p, s->B, s->K, ld_of(s->K, s, 0), s->off);
    mat_alloc(&W, p, s->K, s->N, ld_of(s->N, s, 1), s->off + 1);
    mat_alloc(&Y, p, s->B, s->N, ld_of(s->N, s, 2), s->off + 2);
    fill(&X, r, 0.5);
    fill(&W, r, 0.0);
    if (p == MLP_F32)
        c->k->f32->forward(s->B, s->K, s->N, mat_data(&X), X.ld, mat_data(&W), W.ld,
                           mat_data(&Y), Y.ld);
    else
        c->k->f64->forward(s->B, s->K, s->N, mat_data(&X), X.ld, mat_data(&W), W.ld,
                           mat_data(&Y), Y.ld);
    for (size_t b = 0; b < s->B; b++)
        for (size_t n = 0; n < s->N; n++) {
            ref_sum d = {.compensated = p == MLP_F64};
            for (size_t k = 0; k < s->K; k++)
                ref_add(&d, mat_get(&X, b, k), mat_get(&W, k, n));
            compare_sum(c, s, "Y", b, n, mat_get(&Y, b, n), ref_value(&d), d.magnitude,
                        (double)s->K, unit_roundoff(p));
        }
    check_canaries(c, s, &Y, "Y");
    mat_free(&X);
    mat_free(&W);
    mat_free(&Y);
}

/* Every element of got against want (same shape), bit for bit: each one that differs
 * is a mismatch, the first described as name[i,j] against `what_want`. */
static void compare_bits(check_ctx *c, const shape *s, const mat *got, const mat *want,
                         const char *name, const char *what_want)
{
    size_t size = mlp_precision_size(got->p);
    for (size_t i = 0; i < got->rows; i++)
        for (size_t j = 0; j < got->cols; j++) {
            if (memcmp(mat_elem(got, i, j), mat_elem(want, i, j), size) == 0)
                continue;
            c->res->mismatches++;
            char what[200];
            snprintf(what, sizeof what, "%s[%zu,%zu]: got %.9g, %s %.9g (bits differ)", name, i,
                     j, mat_get(got, i, j), what_want, mat_get(want, i, j));
            fail(c, s, what);
        }
}

/* forward_sparse (an optional slot, kernels.h): bit for bit the row path, i.e. forward
 * called one row at a time on the dense X, here with X's nonzero entries (x != 0, as
 * the row path lists them: -0.0 left out) in CSR form. */
static void check_forward_sparse(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    size_t size = mlp_precision_size(p), B = s->B, K = s->K, N = s->N;
    mat X, W, Y, Yrow;
    mat_alloc(&X, p, B, K, ld_of(K, s, 0), s->off);
    mat_alloc(&W, p, K, N, ld_of(N, s, 1), s->off + 1);
    mat_alloc(&Y, p, B, N, ld_of(N, s, 2), s->off + 2);
    mat_alloc(&Yrow, p, B, N, ld_of(N, s, 2), s->off + 2);
    fill(&X, r, 0.5);
    fill(&W, r, 0.0);
    size_t *rows = malloc((B + 1) * sizeof *rows);
    int32_t *cols = malloc((B * K + 1) * sizeof *cols);
    unsigned char *vals = malloc((B * K + 1) * size);
    if (!rows || !cols || !vals)
        abort();
    size_t e = 0;
    rows[0] = 0;
    for (size_t b = 0; b < B; b++) {
        for (size_t k = 0; k < K; k++)
            if (mat_get(&X, b, k) != 0) {
                cols[e] = (int32_t)k;
                memcpy(vals + e * size, mat_elem(&X, b, k), size);
                e++;
            }
        rows[b + 1] = e;
    }
    if (p == MLP_F32) {
        const mlp_kernels_f32 *t = c->k->f32;
        for (size_t b = 0; b < B; b++)
            t->forward(1, K, N, mat_elem(&X, b, 0), X.ld, mat_data(&W), W.ld,
                       mat_elem(&Yrow, b, 0), Yrow.ld);
        t->forward_sparse(B, K, N, rows, cols, (const float *)vals, mat_data(&W), W.ld,
                          mat_data(&Y), Y.ld);
    } else {
        const mlp_kernels_f64 *t = c->k->f64;
        for (size_t b = 0; b < B; b++)
            t->forward(1, K, N, mat_elem(&X, b, 0), X.ld, mat_data(&W), W.ld,
                       mat_elem(&Yrow, b, 0), Yrow.ld);
        t->forward_sparse(B, K, N, rows, cols, (const double *)vals, mat_data(&W), W.ld,
                          mat_data(&Y), Y.ld);
    }
    compare_bits(c, s, &Y, &Yrow, "Y", "forward row by row");
    check_canaries(c, s, &Y, "Y");
    free(rows);
    free(cols);
    free(vals);
    mat_free(&X);
    mat_free(&W);
    mat_free(&Y);
    mat_free(&Yrow);
}

/* update_sparse (optional, kernels.h): bit for bit update(1, ...) on the dense row,
 * for each row b of the shape's X on its own (the per-sample update), with the same W
 * and dy; W's padding and guards untouched. */
static void check_update_sparse(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    size_t size = mlp_precision_size(p), K = s->K, N = s->N;
    mat X, DY, W, Wrow;
    mat_alloc(&X, p, s->B, K, ld_of(K, s, 0), s->off);
    mat_alloc(&DY, p, s->B, N, ld_of(N, s, 1), s->off + 1);
    mat_alloc(&W, p, K, N, ld_of(N, s, 2), w_offset(s));
    mat_alloc(&Wrow, p, K, N, ld_of(N, s, 2), w_offset(s));
    fill(&X, r, 0.5);
    fill(&DY, r, 0.1);
    fill(&W, r, 0.0);
    memcpy(Wrow.base, W.base, W.total * size);
    double alpha = rng_next(r) % 2 ? 0.005 : rng_value(r);
    int32_t *cols = malloc((K + 1) * sizeof *cols);
    unsigned char *vals = malloc((K + 1) * size);
    if (!cols || !vals)
        abort();
    for (size_t b = 0; b < s->B; b++) {
        size_t count = 0;
        for (size_t k = 0; k < K; k++)
            if (mat_get(&X, b, k) != 0) {
                cols[count] = (int32_t)k;
                memcpy(vals + count * size, mat_elem(&X, b, k), size);
                count++;
            }
        if (p == MLP_F32) {
            const mlp_kernels_f32 *t = c->k->f32;
            t->update(1, K, N, (float)alpha, mat_elem(&X, b, 0), X.ld, mat_elem(&DY, b, 0),
                      DY.ld, mat_data(&Wrow), Wrow.ld);
            t->update_sparse(K, N, (float)alpha, count, cols, (const float *)vals,
                             mat_elem(&DY, b, 0), mat_data(&W), W.ld);
        } else {
            const mlp_kernels_f64 *t = c->k->f64;
            t->update(1, K, N, alpha, mat_elem(&X, b, 0), X.ld, mat_elem(&DY, b, 0), DY.ld,
                      mat_data(&Wrow), Wrow.ld);
            t->update_sparse(K, N, alpha, count, cols, (const double *)vals,
                             mat_elem(&DY, b, 0), mat_data(&W), W.ld);
        }
    }
    compare_bits(c, s, &W, &Wrow, "W", "update row by row");
    check_canaries(c, s, &W, "W");
    free(cols);
    free(vals);
    mat_free(&X);
    mat_free(&DY);
    mat_free(&W);
    mat_free(&Wrow);
}

static void check_backward(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    mat DY, W, DX;
    mat_alloc(&DY, p, s->B, s->N, ld_of(s->N, s, 0), s->off);
    mat_alloc(&W, p, s->K, s->N, ld_of(s->N, s, 1), s->off + 1);
    mat_alloc(&DX, p, s->B, s->K, ld_of(s->K, s, 2), s->off + 2);
    fill(&DY, r, 0.1);
    fill(&W, r, 0.0);
    if (p == MLP_F32)
        c->k->f32->backward(s->B, s->K, s->N, mat_data(&DY), DY.ld, mat_data(&W), W.ld,
                            mat_data(&DX), DX.ld);
    else
        c->k->f64->backward(s->B, s->K, s->N, mat_data(&DY), DY.ld, mat_data(&W), W.ld,
                            mat_data(&DX), DX.ld);
    for (size_t b = 0; b < s->B; b++)
        for (size_t k = 0; k < s->K; k++) {
            ref_sum d = {.compensated = p == MLP_F64};
            for (size_t n = 0; n < s->N; n++)
                ref_add(&d, mat_get(&DY, b, n), mat_get(&W, k, n));
            compare_sum(c, s, "DX", b, k, mat_get(&DX, b, k), ref_value(&d), d.magnitude,
                        (double)s->N, unit_roundoff(p));
        }
    check_canaries(c, s, &DX, "DX");
    mat_free(&DY);
    mat_free(&W);
    mat_free(&DX);
}

static void check_update(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    mat X, DY, W, W0;
    mat_alloc(&X, p, s->B, s->K, ld_of(s->K, s, 0), s->off);
    mat_alloc(&DY, p, s->B, s->N, ld_of(s->N, s, 1), s->off + 1);
    mat_alloc(&W, p, s->K, s->N, ld_of(s->N, s, 2), w_offset(s));
    mat_alloc(&W0, p, s->K, s->N, s->N, 0);
    fill(&X, r, 0.5);
    fill(&DY, r, 0.1);
    fill(&W, r, 0.0);
    for (size_t k = 0; k < s->K; k++)
        for (size_t n = 0; n < s->N; n++)
            mat_put(&W0, k, n, mat_get(&W, k, n));
    /* alpha as the model uses it (0.005 / B) or a random scale, rounded to the precision */
    double alpha = rng_next(r) % 2 ? 0.005 / (double)s->B : rng_value(r);
    alpha = p == MLP_F32 ? (double)(float)alpha : alpha;
    if (p == MLP_F32)
        c->k->f32->update(s->B, s->K, s->N, (float)alpha, mat_data(&X), X.ld, mat_data(&DY),
                          DY.ld, mat_data(&W), W.ld);
    else
        c->k->f64->update(s->B, s->K, s->N, alpha, mat_data(&X), X.ld, mat_data(&DY), DY.ld,
                          mat_data(&W), W.ld);
    /* W0 + sum_b (alpha*x) * dy, with alpha*x split exactly into two parts */
    double *ax = malloc(2 * s->B * sizeof *ax);
    if (!ax)
        abort();
    for (size_t k = 0; k < s->K; k++) {
        for (size_t b = 0; b < s->B; b++)
            two_product(alpha, mat_get(&X, b, k), &ax[2 * b], &ax[2 * b + 1]);
        for (size_t n = 0; n < s->N; n++) {
            ref_sum d = {.compensated = p == MLP_F64};
            double w0 = mat_get(&W0, k, n);
            ref_add(&d, w0, 1.0);
            for (size_t b = 0; b < s->B; b++) {
                double dy = mat_get(&DY, b, n);
                ref_add(&d, ax[2 * b], dy);
                ref_add(&d, ax[2 * b + 1], dy);
            }
            compare_sum(c, s, "W", k, n, mat_get(&W, k, n), ref_value(&d), d.magnitude,
                        (double)s->B + 2, unit_roundoff(p));
        }
    }
    free(ax);
    check_canaries(c, s, &W, "W");
    mat_free(&X);
    mat_free(&DY);
    mat_free(&W);
    mat_free(&W0);
}

/* ---- the elementwise operations: bit-exact ---- */

/* The reference of each elementwise op, in the kernel's precision, into ref. */
typedef enum { EW_RELU, EW_RELU_BACKWARD, EW_MULTIPLY } elementwise_op;

static void reference_elementwise(elementwise_op op, mlp_precision p, size_t n, const void *a,
                                  const void *b, void *ref, mlp_relu_grad mode)
{
    for (size_t i = 0; i < n; i++) {
        if (p == MLP_F32) {
            float x = ((const float *)a)[i], y = ((const float *)b)[i], *out = ref;
            if (op == EW_RELU)
                out[i] = (float)(x >= 0) * x;
            else if (op == EW_RELU_BACKWARD) /* a = act, b = delta */
                out[i] = y * (mode == MLP_RELU_GRAD_STRICT ? (float)(x > 0) : (float)(x >= 0));
            else
                out[i] = x * y;
        } else {
            double x = ((const double *)a)[i], y = ((const double *)b)[i], *out = ref;
            if (op == EW_RELU)
                out[i] = (double)(x >= 0) * x;
            else if (op == EW_RELU_BACKWARD)
                out[i] = y * (mode == MLP_RELU_GRAD_STRICT ? (double)(x > 0) : (double)(x >= 0));
            else
                out[i] = x * y;
        }
    }
}

/* x * m with both x and m NaN: IEEE 754 leaves open which payload the result
 * carries, and compilers commute the operands of a multiplication (x86 returns the
 * first NaN operand), so either input's NaN (quieted) is accepted, bit for bit. */
static bool either_nan_product(mlp_precision p, elementwise_op op, const void *a,
                               const void *b, size_t i, const void *got)
{
    if (op != EW_MULTIPLY)
        return false;
    if (p == MLP_F32) {
        uint32_t x, y, g, quiet = 0x00400000u;
        memcpy(&x, (const float *)a + i, 4);
        memcpy(&y, (const float *)b + i, 4);
        memcpy(&g, got, 4);
        bool nan_x = (x & 0x7fffffffu) > 0x7f800000u, nan_y = (y & 0x7fffffffu) > 0x7f800000u;
        return nan_x && nan_y && (g == (x | quiet) || g == (y | quiet));
    }
    uint64_t x, y, g, quiet = 0x0008000000000000ull, inf = 0x7ff0000000000000ull;
    memcpy(&x, (const double *)a + i, 8);
    memcpy(&y, (const double *)b + i, 8);
    memcpy(&g, got, 8);
    bool nan_x = (x & ~(1ull << 63)) > inf, nan_y = (y & ~(1ull << 63)) > inf;
    return nan_x && nan_y && (g == (x | quiet) || g == (y | quiet));
}

/* relu (in place on a), relu_backward (a = act, b = delta, in place on b) in both
 * modes, multiply (in place on a, b = m) */
static void check_elementwise(check_ctx *c, const shape *s, check_rng *r, elementwise_op op)
{
    mlp_precision p = c->k->p;
    size_t n = s->N, size = mlp_precision_size(p);
    int modes = op == EW_RELU_BACKWARD ? 2 : 1;
    for (int mode = 0; mode < modes; mode++) {
        mat a, b;
        mat_alloc(&a, p, 1, n, n, s->off);
        mat_alloc(&b, p, 1, n, n, s->off + 1);
        for (size_t i = 0; i < n; i++) {
            put_special_or_value(&a, i, r);
            put_special_or_value(&b, i, r);
        }
        void *ref = malloc(n * size), *a_in = malloc(n * size), *b_in = malloc(n * size);
        if (!ref || !a_in || !b_in)
            abort();
        memcpy(a_in, mat_data(&a), n * size);
        memcpy(b_in, mat_data(&b), n * size);
        reference_elementwise(op, p, n, mat_data(&a), mat_data(&b), ref, (mlp_relu_grad)mode);
        mat *result = op == EW_RELU_BACKWARD ? &b : &a;
        if (p == MLP_F32) {
            const mlp_kernels_f32 *t = c->k->f32;
            if (op == EW_RELU)
                t->relu(n, mat_data(&a));
            else if (op == EW_RELU_BACKWARD)
                t->relu_backward(n, mat_data(&a), mat_data(&b), (mlp_relu_grad)mode);
            else
                t->multiply(n, mat_data(&a), mat_data(&b));
        } else {
            const mlp_kernels_f64 *t = c->k->f64;
            if (op == EW_RELU)
                t->relu(n, mat_data(&a));
            else if (op == EW_RELU_BACKWARD)
                t->relu_backward(n, mat_data(&a), mat_data(&b), (mlp_relu_grad)mode);
            else
                t->multiply(n, mat_data(&a), mat_data(&b));
        }
        for (size_t i = 0; i < n; i++) {
            const unsigned char *got = mat_elem(result, 0, i);
            const unsigned char *want = (unsigned char *)ref + i * size;
            if (memcmp(got, want, size) == 0 || either_nan_product(p, op, a_in, b_in, i, got))
                continue;
            c->res->mismatches++;
            char what[200];
            double g = mat_get(result, 0, i);
            double w = p == MLP_F32 ? (double)((float *)ref)[i] : ((double *)ref)[i];
            snprintf(what, sizeof what, "%s[%zu]%s: got %.9g, want %.9g (bits differ)",
                     op == EW_RELU_BACKWARD ? "delta" : "x", i,
                     op != EW_RELU_BACKWARD ? "" : mode ? " strict" : " seed", g, w);
            fail(c, s, what);
        }
        if (mat_first_clobbered(result) != SIZE_MAX)
            fail(c, s, "wrote outside its n elements");
        free(ref);
        free(a_in);
        free(b_in);
        mat_free(&a);
        mat_free(&b);
    }
}

static void check_relu(check_ctx *c, const shape *s, check_rng *r)
{
    check_elementwise(c, s, r, EW_RELU);
}

static void check_relu_backward(check_ctx *c, const shape *s, check_rng *r)
{
    check_elementwise(c, s, r, EW_RELU_BACKWARD);
}

static void check_multiply(check_ctx *c, const shape *s, check_rng *r)
{
    check_elementwise(c, s, r, EW_MULTIPLY);
}

/* delta bit-exact (target - out in the precision), the sum within tolerance */
static void check_error_delta(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    size_t n = s->N;
    mat t, o, d;
    mat_alloc(&t, p, 1, n, n, s->off);
    mat_alloc(&o, p, 1, n, n, s->off + 1);
    mat_alloc(&d, p, 1, n, n, s->off + 2);
    for (size_t i = 0; i < n; i++) {
        double target = rng_next(r) % 3 ? rng_value(r) : (double)(rng_next(r) % 2);
        mat_put(&t, 0, i, target);
        mat_put(&o, 0, i, rng_next(r) % 5 ? rng_value(r) : target);
    }
    double got = p == MLP_F32
                     ? c->k->f32->error_delta(n, mat_data(&t), mat_data(&o), mat_data(&d))
                     : c->k->f64->error_delta(n, mat_data(&t), mat_data(&o), mat_data(&d));
    ref_sum sum = {.compensated = true};
    for (size_t i = 0; i < n; i++) {
        double want;
        if (p == MLP_F32)
            want = (double)(((const float *)mat_data(&t))[i] - ((const float *)mat_data(&o))[i]);
        else
            want = ((const double *)mat_data(&t))[i] - ((const double *)mat_data(&o))[i];
        double have = mat_get(&d, 0, i);
        if (memcmp(&want, &have, sizeof want) != 0) {
            c->res->mismatches++;
            char what[160];
            snprintf(what, sizeof what, "delta[%zu]: got %.9g, want %.9g (bits differ)", i,
                     have, want);
            fail(c, s, what);
        }
        ref_add(&sum, want, want);
    }
    compare_sum(c, s, "sum of delta^2", SIZE_MAX, 0, got, ref_value(&sum), sum.magnitude, (double)n,
                0x1p-53);
    if (mat_first_clobbered(&d) != SIZE_MAX)
        fail(c, s, "wrote outside its n elements");
    mat_free(&t);
    mat_free(&o);
    mat_free(&d);
}

/* ---- shapes ---- */

/* What the sweep must reach in every set, read from their sources, in vectors of the
 * set's own lanes: the widest register tile is 10 vectors (neon and sve forward and
 * update; avx512 has 6, its B = 1 update 6 half vectors; avx2 5), and every set
 * gathers the nonzero inputs of a row 1024 at a time (AVX2_CHUNK, AVX512_CHUNK,
 * NEON_CHUNK, SVE_CHUNK). Besides: backward and the B > 1 update take rows of W 2 or
 * 4 at a time (neon's backward one vector of them), and neon skips 4 vectors of zero
 * inputs with one test. */
enum { WIDEST_TILE_VECTORS = 10, INPUT_CHUNK = 1024 };

typedef struct shape_list {
    size_t count, cap;
    shape *s;
} shape_list;

static void add_shape(shape_list *l, size_t B, size_t K, size_t N, bool padded)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->s = realloc(l->s, l->cap * sizeof *l->s);
        if (!l->s)
            abort();
    }
    size_t i = l->count;
    /* odd pads, and starts 0..3 elements past an aligned allocation */
    size_t pad = padded ? (i % 3 == 0 ? 0 : i % 3 == 1 ? 1 : 19) : 0;
    l->s[l->count++] = (shape){.B = B, .K = K, .N = N, .pad = pad, .off = padded ? i % 4 : 0};
}

/* distinct sizes, in the order added */
enum { MAX_SIZES = 512 };
typedef struct size_list {
    size_t count, v[MAX_SIZES];
} size_list;

/* adds n unless it is 0 or already listed */
static void add_size(size_list *l, size_t n)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->v[i] == n)
            return;
    if (n == 0)
        return;
    if (l->count == MAX_SIZES) {
        fprintf(stderr, "check_kernels: more than %d sizes in a sweep\n", MAX_SIZES);
        abort();
    }
    l->v[l->count++] = n;
}

/* every B in 1..max_b with every K and N of the lists */
static void add_product(shape_list *l, size_t max_b, const size_list *ks, const size_list *ns)
{
    for (size_t B = 1; B <= max_b; B++)
        for (size_t ki = 0; ki < ks->count; ki++)
            for (size_t ni = 0; ni < ns->count; ni++)
                add_shape(l, B, ks->v[ki], ns->v[ni], true);
}

/* The sweep around a set's w lanes (in the precision checked), padded and misaligned:
 *   lanes   B = 1..3, K = 1..5, w-1, w, w+1, 2w+1, 3w, 4w-1, 4w, 4w+1; N = 1..2w+1
 *   tiles   B = 1..3, K = 1, 2, w+1, 3w; N = m*w-1, m*w, m*w+1 for m = 3..T+1, 4w+3,
 *           2Tw, 2Tw+1 (T = WIDEST_TILE_VECTORS: one past the widest tile, and two)
 *   chunks  B = 1..2, K = c-1, c, c+1, 2c+2w+1 (c = INPUT_CHUNK); N = 1, w+1, 40, Tw+1
 *   blocked B = 4..131 with K and N past the blocked kernels' tiles and blocks
 * then the model's (K,N) = (784,40), (40,10) with B = 1, 100, 256, unpadded. */
static void matrix_shapes(shape_list *l, size_t w)
{
    const size_t T = WIDEST_TILE_VECTORS, c = INPUT_CHUNK;
    size_list ks = {0}, ns = {0};
    const size_t lane_k[] = {1, 2, 3, 4, 5, w - 1, w, w + 1, 2 * w + 1, 3 * w,
                             4 * w - 1, 4 * w, 4 * w + 1};
    for (size_t i = 0; i < sizeof lane_k / sizeof lane_k[0]; i++)
        add_size(&ks, lane_k[i]);
    for (size_t n = 1; n <= 2 * w + 1; n++)
        add_size(&ns, n);
    add_product(l, 3, &ks, &ns);

    ks.count = ns.count = 0;
    const size_t tile_k[] = {1, 2, w + 1, 3 * w};
    for (size_t i = 0; i < sizeof tile_k / sizeof tile_k[0]; i++)
        add_size(&ks, tile_k[i]);
    for (size_t m = 3; m <= T + 1; m++) {
        add_size(&ns, m * w - 1);
        add_size(&ns, m * w);
        add_size(&ns, m * w + 1);
    }
    add_size(&ns, 4 * w + 3);
    add_size(&ns, 2 * T * w);
    add_size(&ns, 2 * T * w + 1);
    add_product(l, 3, &ks, &ns);

    ks.count = ns.count = 0;
    const size_t chunk_k[] = {c - 1, c, c + 1, 2 * c + 2 * w + 1};
    const size_t chunk_n[] = {1, w + 1, 40, T * w + 1};
    for (size_t i = 0; i < 4; i++) {
        add_size(&ks, chunk_k[i]);
        add_size(&ns, chunk_n[i]);
    }
    add_product(l, 2, &ks, &ns);

    /* the blocked kernels (B >= 4, kernels/gemm_impl.h): edges of the micro-tiles
     * (8 or 6 rows, 3 or 2 vectors; backward 4x6, 3x4), of KC (128 or 384) and of the
     * MC (128 or 96 rows) and NC blocks; W over 256 KiB in float32 for forward's */
    const size_t blocked[][3] = {{4, 300, 241},  {5, 1100, 70}, {13, 257, 300},
                                 {131, 129, 510}, {9, 3, 23},    {7, 40, 10}};
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        add_shape(l, blocked[i][0], blocked[i][1], blocked[i][2], true);

    const size_t model[][2] = {{784, 40}, {40, 10}};
    const size_t batches[] = {1, 100, 256};
    for (size_t mi = 0; mi < 2; mi++)
        for (size_t bi = 0; bi < 3; bi++)
            add_shape(l, batches[bi], model[mi][0], model[mi][1], false);
}

/* lengths 1..2w+1, 3w, 4w+3, the model's, and two long enough for threads */
static void vector_shapes(shape_list *l, size_t w)
{
    size_list ns = {0};
    for (size_t n = 1; n <= 2 * w + 1; n++)
        add_size(&ns, n);
    const size_t more[] = {3 * w, 4 * w + 3, 10, 40, 256 * 40, 70001};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        add_size(&ns, more[i]);
    for (size_t i = 0; i < ns.count; i++)
        add_shape(l, 0, 0, ns.v[i], true);
}

/* numpy's argmax, as the model's test pass takes it: the first largest, the first NaN */
static size_t argmax_of(const mat *y, size_t r)
{
    size_t best = 0;
    for (size_t n = 0; n < y->cols; n++) {
        double v = mat_get(y, r, n);
        if (v != v)
            return n;
        if (v > mat_get(y, r, best))
            best = n;
    }
    return best;
}

/* score_head (an optional slot, kernels.h) against the calls it stands for, made here
 * with the same table: relu on a copy of X, forward, then error_delta and argmax per
 * row. Each row's error must have the same bits (any NaN matching any NaN: which
 * operand's payload an FMA passes on is the compiler's choice of instruction form),
 * the count of right rows must agree, and X and the bytes around the errors must be
 * left alone. Only shapes that mlp_score_head_fits; X has NaNs in some shapes, ties
 * between two outputs in others (W's first two columns equal), labels that never match
 * (255) now and then, and targets that are not one-hot. */
static void check_score_head(check_ctx *c, const shape *s, check_rng *r)
{
    mlp_precision p = c->k->p;
    size_t size = mlp_precision_size(p), B = s->B, K = s->K, N = s->N;
    if (!mlp_score_head_fits(B, K, N, size)) {
        c->res->shapes--; /* not a shape the slot takes: not counted as checked */
        return;
    }
    mat X, X0, Xr, W, T, Y, D, E;
    mat_alloc(&X, p, B, K, ld_of(K, s, 0), s->off);
    mat_alloc(&X0, p, B, K, ld_of(K, s, 0), s->off);
    mat_alloc(&Xr, p, B, K, ld_of(K, s, 0), s->off);
    mat_alloc(&W, p, K, N, ld_of(N, s, 1), s->off + 1);
    mat_alloc(&T, p, B, N, ld_of(N, s, 2), s->off + 2);
    mat_alloc(&Y, p, B, N, N, 0);
    mat_alloc(&D, p, 1, N, N, 0);
    mat_alloc(&E, MLP_F64, 1, B, B, s->off);
    fill(&X, r, 0.3);
    fill(&W, r, 0.0);
    fill(&T, r, 0.0);
    if ((B + K) % 4 == 1) /* NaNs in a few inputs */
        for (size_t b = 0; b < B; b += 3)
            mat_put(&X, b, (b * 7) % K, NAN);
    if ((B + K) % 3 == 0 && N >= 2) /* ties: outputs 0 and 1 get the same bits */
        for (size_t k = 0; k < K; k++)
            memcpy(mat_elem(&W, k, 1), mat_elem(&W, k, 0), size);
    uint8_t *labels = malloc(B + 1);
    if (!labels)
        abort();
    for (size_t b = 0; b < B; b++)
        labels[b] = rng_next(r) % 7 ? (uint8_t)(rng_next(r) % N) : 255;
    memcpy(Xr.base, X.base, X.total * size);
    memcpy(X0.base, X.base, X.total * size);
    size_t want = 0, got;
    double *errors = mat_data(&E);
    if (p == MLP_F32) {
        const mlp_kernels_f32 *t = c->k->f32;
        for (size_t b = 0; b < B; b++)
            t->relu(K, mat_elem(&Xr, b, 0));
        t->forward(B, K, N, mat_data(&Xr), Xr.ld, mat_data(&W), W.ld, mat_data(&Y), Y.ld);
        got = t->score_head(B, K, N, mat_data(&X), X.ld, mat_data(&W), W.ld, mat_data(&T),
                            T.ld, labels, errors);
    } else {
        const mlp_kernels_f64 *t = c->k->f64;
        for (size_t b = 0; b < B; b++)
            t->relu(K, mat_elem(&Xr, b, 0));
        t->forward(B, K, N, mat_data(&Xr), Xr.ld, mat_data(&W), W.ld, mat_data(&Y), Y.ld);
        got = t->score_head(B, K, N, mat_data(&X), X.ld, mat_data(&W), W.ld, mat_data(&T),
                            T.ld, labels, errors);
    }
    for (size_t b = 0; b < B; b++) {
        double e = p == MLP_F32 ? c->k->f32->error_delta(N, mat_elem(&T, b, 0), mat_elem(&Y, b, 0),
                                                          mat_data(&D))
                                : c->k->f64->error_delta(N, mat_elem(&T, b, 0), mat_elem(&Y, b, 0),
                                                          mat_data(&D));
        want += argmax_of(&Y, b) == labels[b];
        bool same = (e != e && errors[b] != errors[b]) || memcmp(&e, &errors[b], sizeof e) == 0;
        if (!same) {
            c->res->mismatches++;
            char what[160];
            snprintf(what, sizeof what, "errors[%zu]: got %.17g, the calls give %.17g (bits differ)",
                     b, errors[b], e);
            fail(c, s, what);
        }
    }
    if (got != want) {
        c->res->mismatches++;
        char what[160];
        snprintf(what, sizeof what, "%zu rows right by argmax, the calls give %zu", got, want);
        fail(c, s, what);
    }
    if (memcmp(X.base, X0.base, X.total * size) != 0)
        fail(c, s, "wrote to its input X");
    check_canaries(c, s, &E, "errors");
    free(labels);
    mat_free(&X);
    mat_free(&X0);
    mat_free(&Xr);
    mat_free(&W);
    mat_free(&T);
    mat_free(&Y);
    mat_free(&D);
    mat_free(&E);
}

/* ---- the table of operations and the printed rows ---- */

typedef struct op_def {
    const char *name;
    void (*check)(check_ctx *c, const shape *s, check_rng *r);
    bool elementwise, exact;
    bool optional; /* a slot a table may leave NULL: no row for a set without it */
} op_def;

static const op_def ops[] = {
    {"forward", check_forward, false, false, false},
    {"backward", check_backward, false, false, false},
    {"update", check_update, false, false, false},
    {"relu", check_relu, true, true, false},
    {"relu_backward", check_relu_backward, true, true, false},
    {"multiply", check_multiply, true, true, false},
    {"error_delta", check_error_delta, true, false, false},
    {"forward_sparse", check_forward_sparse, false, true, true},
    {"update_sparse", check_update_sparse, false, true, true},
    {"score_head", check_score_head, false, true, true},
};
enum { OP_COUNT = sizeof ops / sizeof ops[0] };

void mlp_check_kernels_header(FILE *out)
{
    fprintf(out, "%-8s %-4s %-15s %6s %10s %10s %10s %9s  %s\n", "set", "prec", "operation",
            "shapes", "max|err|", "max err/S", "its rtol", "max e/tol", "status");
}

static void print_row(FILE *out, const char *set, mlp_precision p, const char *op,
                      const op_result *r, const char *status)
{
    if (r == NULL) {
        fprintf(out, "%-8s %-4s %-15s %6s %10s %10s %10s %9s  %s\n", set, mlp_precision_name(p), op,
                "-", "-", "-", "-", "-", status);
        return;
    }
    if (r->exact) {
        char diff[24];
        snprintf(diff, sizeof diff, "%ld diff", r->mismatches);
        fprintf(out, "%-8s %-4s %-15s %6d %10s %10s %10s %9s  %s\n", set, mlp_precision_name(p), op,
                r->shapes, diff, "-", "exact", "-", status);
    } else {
        fprintf(out, "%-8s %-4s %-15s %6d %10.3g %10.3g %10.3g %9.3g  %s\n", set,
                mlp_precision_name(p), op, r->shapes, r->max_abs, r->max_rel, r->rtol_at,
                r->max_used, status);
    }
    if (r->failed && r->detail[0])
        fprintf(out, "  first failure: %s\n", r->detail);
}

static void count(mlp_check_tally *tally, const char *status)
{
    if (!tally)
        return;
    if (strcmp(status, "PASSED") == 0)
        tally->passed++;
    else if (strcmp(status, "FAILED") == 0)
        tally->failed++;
    else
        tally->skipped++;
}

static uint64_t op_seed(uint64_t seed, mlp_precision p, size_t op)
{
    check_rng r = {seed ^ (0x9e3779b97f4a7c15ull * (op + 1)) ^ ((uint64_t)p << 40)};
    return rng_next(&r);
}

/* whether table k has the optional slot that `check` checks */
static bool has_slot(const kernels_any *k, void (*check)(check_ctx *, const shape *, check_rng *))
{
    if (check == check_forward_sparse)
        return k->p == MLP_F32 ? k->f32->forward_sparse != NULL : k->f64->forward_sparse != NULL;
    if (check == check_update_sparse)
        return k->p == MLP_F32 ? k->f32->update_sparse != NULL : k->f64->update_sparse != NULL;
    if (check == check_score_head)
        return k->p == MLP_F32 ? k->f32->score_head != NULL : k->f64->score_head != NULL;
    return true;
}

static int check_table(const char *name, const kernels_any *k, size_t lanes, uint64_t seed,
                       FILE *out, mlp_check_tally *tally)
{
    shape_list matrices = {0}, vectors = {0};
    matrix_shapes(&matrices, lanes);
    vector_shapes(&vectors, lanes);
    int failed = 0;
    for (size_t i = 0; i < OP_COUNT; i++) {
        if (ops[i].optional && !has_slot(k, ops[i].check))
            continue;
        op_result res = {.exact = ops[i].exact};
        check_ctx c = {.set_name = name, .k = k, .op = ops[i].name,
                       .elementwise = ops[i].elementwise, .seed = seed, .res = &res};
        check_rng r = {op_seed(seed, k->p, i)};
        const shape_list *l = ops[i].elementwise ? &vectors : &matrices;
        for (size_t j = 0; j < l->count; j++) {
            ops[i].check(&c, &l->s[j], &r);
            res.shapes++;
        }
        const char *status = res.failed ? "FAILED" : "PASSED";
        print_row(out, name, k->p, ops[i].name, &res, status);
        count(tally, status);
        failed += res.failed;
    }
    free(matrices.s);
    free(vectors.s);
    fflush(out);
    return failed;
}

int mlp_check_table_f32(const char *name, const mlp_kernels_f32 *t, size_t lanes,
                        uint64_t seed, FILE *out, mlp_check_tally *tally)
{
    kernels_any k = {.p = MLP_F32, .f32 = t};
    return check_table(name, &k, lanes, seed, out, tally);
}

int mlp_check_table_f64(const char *name, const mlp_kernels_f64 *t, size_t lanes,
                        uint64_t seed, FILE *out, mlp_check_tally *tally)
{
    kernels_any k = {.p = MLP_F64, .f64 = t};
    return check_table(name, &k, lanes, seed, out, tally);
}

/* ---- bitwise identity across thread counts ---- */

/* appends len bytes at *total of the growing buffer *bytes of capacity *cap */
static void append(unsigned char **bytes, size_t *total, size_t *cap, const void *src, size_t len)
{
    if (*total + len > *cap) {
        size_t grown = (*total + len) * 2;
        unsigned char *b = realloc(*bytes, grown);
        if (!b)
            abort();
        *bytes = b;
        *cap = grown;
    }
    memcpy(*bytes + *total, src, len);
    *total += len;
}

/* Runs every threaded-size case of one table, appending all outputs to `bytes`
 * (allocated here); returns their length. The inputs come from `seed` alone. */
static size_t run_thread_cases(const kernels_any *k, uint64_t seed, unsigned char **bytes)
{
    /* rows split (B >= threads) and columns split (B < threads) */
    static const shape cases[] = {
        {.B = 256, .K = 784, .N = 40}, {.B = 256, .K = 40, .N = 10}, {.B = 2, .K = 784, .N = 100},
        {.B = 3, .K = 100, .N = 333, .pad = 5, .off = 1},
    };
    enum { CASES = sizeof cases / sizeof cases[0], ELEMENTS = 70001 };
    mlp_precision p = k->p;
    size_t size = mlp_precision_size(p), total = 0, cap = 0;
    *bytes = NULL;
    check_rng r = {seed};
#define APPEND(ptr, n) append(bytes, &total, &cap, (ptr), (n) * size)
    for (size_t i = 0; i < CASES; i++) {
        const shape *s = &cases[i];
        mat X, W, Y, DX, W2;
        mat_alloc(&X, p, s->B, s->K, s->K + s->pad, s->off);
        mat_alloc(&W, p, s->K, s->N, s->N + s->pad, s->off);
        mat_alloc(&Y, p, s->B, s->N, s->N + s->pad, s->off);
        mat_alloc(&DX, p, s->B, s->K, s->K + s->pad, s->off);
        mat_alloc(&W2, p, s->K, s->N, s->N + s->pad, s->off);
        fill(&X, &r, 0.5);
        fill(&W, &r, 0.0);
        memcpy(W2.base, W.base, W.total * size);
        if (p == MLP_F32) {
            const mlp_kernels_f32 *t = k->f32;
            t->forward(s->B, s->K, s->N, mat_data(&X), X.ld, mat_data(&W), W.ld, mat_data(&Y),
                       Y.ld);
            t->backward(s->B, s->K, s->N, mat_data(&Y), Y.ld, mat_data(&W), W.ld,
                        mat_data(&DX), DX.ld);
            t->update(s->B, s->K, s->N, 0.005f, mat_data(&X), X.ld, mat_data(&Y), Y.ld,
                      mat_data(&W2), W2.ld);
        } else {
            const mlp_kernels_f64 *t = k->f64;
            t->forward(s->B, s->K, s->N, mat_data(&X), X.ld, mat_data(&W), W.ld, mat_data(&Y),
                       Y.ld);
            t->backward(s->B, s->K, s->N, mat_data(&Y), Y.ld, mat_data(&W), W.ld,
                        mat_data(&DX), DX.ld);
            t->update(s->B, s->K, s->N, 0.005, mat_data(&X), X.ld, mat_data(&Y), Y.ld,
                      mat_data(&W2), W2.ld);
        }
        APPEND(Y.base, Y.total - GUARD_ELEMENTS);
        APPEND(DX.base, DX.total - GUARD_ELEMENTS);
        APPEND(W2.base, W2.total - GUARD_ELEMENTS);
        mat_free(&X);
        mat_free(&W);
        mat_free(&Y);
        mat_free(&DX);
        mat_free(&W2);
    }
    mat a, b;
    mat_alloc(&a, p, 1, ELEMENTS, ELEMENTS, 0);
    mat_alloc(&b, p, 1, ELEMENTS, ELEMENTS, 0);
    for (size_t i = 0; i < ELEMENTS; i++) {
        put_special_or_value(&a, i, &r);
        put_special_or_value(&b, i, &r);
    }
    if (p == MLP_F32) {
        k->f32->relu_backward(ELEMENTS, mat_data(&a), mat_data(&b), MLP_RELU_GRAD_STRICT);
        k->f32->multiply(ELEMENTS, mat_data(&b), mat_data(&a));
        k->f32->relu(ELEMENTS, mat_data(&a));
    } else {
        k->f64->relu_backward(ELEMENTS, mat_data(&a), mat_data(&b), MLP_RELU_GRAD_STRICT);
        k->f64->multiply(ELEMENTS, mat_data(&b), mat_data(&a));
        k->f64->relu(ELEMENTS, mat_data(&a));
    }
    APPEND(a.base, (size_t)ELEMENTS);
    APPEND(b.base, (size_t)ELEMENTS);
#undef APPEND
    mat_free(&a);
    mat_free(&b);
    return total;
}

static void fill_table(const mlp_kernel_set *set, mlp_precision p, mlp_kernels_f32 *t32,
                       mlp_kernels_f64 *t64, kernels_any *k)
{
    *k = (kernels_any){.p = p};
    if (p == MLP_F32) {
        mlp_kernel_set_table_f32(set, t32);
        k->f32 = t32;
    } else {
        mlp_kernel_set_table_f64(set, t64);
        k->f64 = t64;
    }
}

int mlp_check_thread_identity(const mlp_kernel_set *set, mlp_precision p, int max_threads,
                              uint64_t seed, FILE *out, mlp_check_tally *tally)
{
    char label[32];
    snprintf(label, sizeof label, "1..%d threads", max_threads);
    if (omp_get_thread_limit() < max_threads) /* OMP_THREAD_LIMIT, e.g. under qemu */
        max_threads = omp_get_thread_limit();
    if (max_threads < 2) {
        fprintf(out, "  (OMP_THREAD_LIMIT=%d: no second thread to compare with)\n",
                omp_get_thread_limit());
        print_row(out, set->name, p, label, NULL, "SKIPPED");
        count(tally, "SKIPPED");
        return 0;
    }
    snprintf(label, sizeof label, "1..%d threads", max_threads);
    op_result res = {.exact = true};
    mlp_kernels_f32 t32;
    mlp_kernels_f64 t64;
    kernels_any k;
    fill_table(set, p, &t32, &t64, &k);
    int ambient = omp_get_max_threads();
    uint64_t case_seed = op_seed(seed, p, OP_COUNT);
    unsigned char *one = NULL, *other = NULL;
    omp_set_num_threads(1);
    size_t len = run_thread_cases(&k, case_seed, &one);
    res.shapes++;
    for (int threads = 2; threads <= max_threads; threads++) {
        omp_set_num_threads(threads);
        size_t len2 = run_thread_cases(&k, case_seed, &other);
        res.shapes++;
        if (len2 != len || memcmp(one, other, len) != 0) {
            res.mismatches++;
            res.failed = true;
            if (!res.detail[0])
                snprintf(res.detail, sizeof res.detail,
                         "%s %s: %d threads differ from 1 thread (seed %llu)", set->name,
                         mlp_precision_name(p), threads, (unsigned long long)seed);
        }
        free(other);
    }
    omp_set_num_threads(ambient);
    /* and the same bits as the serial set it is built on */
    const mlp_kernel_set *base = set->base ? set->base() : NULL;
    if (base && mlp_kernel_set_has(base, p)) {
        kernels_any kb;
        fill_table(base, p, &t32, &t64, &kb);
        size_t len2 = run_thread_cases(&kb, case_seed, &other);
        res.shapes++;
        if (len2 != len || memcmp(one, other, len) != 0) {
            res.mismatches++;
            res.failed = true;
            if (!res.detail[0])
                snprintf(res.detail, sizeof res.detail, "%s %s: differs from its base set %s",
                         set->name, mlp_precision_name(p), base->name);
        }
        free(other);
    }
    free(one);
    const char *status = res.failed ? "FAILED" : "PASSED";
    print_row(out, set->name, p, label, &res, status);
    count(tally, status);
    return res.failed;
}

/* ---- every registered set ---- */

enum { THREAD_CHECK_MAX = 4 };

int mlp_check_kernels(uint64_t seed, const char *only_set, FILE *out, mlp_check_tally *tally)
{
    if (only_set && !mlp_kernel_set_find(only_set)) {
        fprintf(out, "check: unknown kernel set '%s'\n", only_set);
        count(tally, "FAILED");
        return 1;
    }
    mlp_check_kernels_header(out);
    int failed = 0;
    for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
        const mlp_kernel_set *set = mlp_kernel_set_at(i);
        if (only_set ? strcmp(set->name, only_set) != 0 : set == mlp_kernel_set_reference())
            continue;
        for (int pi = 0; pi < 2; pi++) {
            mlp_precision p = (mlp_precision)pi;
            if (!mlp_kernel_set_has(set, p))
                continue;
            if (!mlp_kernel_set_runnable(set)) {
                for (size_t o = 0; o < OP_COUNT; o++) {
                    if (ops[o].optional)
                        continue;
                    print_row(out, set->name, p, ops[o].name, NULL, "SKIPPED");
                    count(tally, "SKIPPED");
                }
                continue;
            }
            mlp_kernels_f32 t32;
            mlp_kernels_f64 t64;
            kernels_any k;
            fill_table(set, p, &t32, &t64, &k);
            failed += check_table(set->name, &k, set->lanes(p), seed, out, tally);
            if (set->threaded)
                failed += mlp_check_thread_identity(set, p, THREAD_CHECK_MAX, seed, out, tally);
        }
    }
    return failed + mlp_check_blocked(seed, only_set, out, tally);
}
