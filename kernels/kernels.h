/* kernels.h: the kernel table that every kernel set fills, what a kernel set is (the
 * CPU features it needs, its lanes, the set it is built on), the registry of sets, and
 * the CPU features of this machine.
 *
 * All matrices are row-major with explicit leading dimensions (in elements).
 * B is the batch (rows of X), K the input width, N the output width.
 * Every set fills every slot (MLP_FILL_TABLE; omp takes error_delta from the set it
 * is built on). The registry fills a table from the reference first (as BLIS does),
 * so a set could leave a slot to it; none does.
 *
 * Split invariance, the contract every set keeps and omp relies on: each output
 * element of forward, backward, update and the elementwise slots is computed by one
 * fixed sequence of operations that depends only on the set, the data it reads and
 * the shape of its reduction (K for forward, N for backward, B for update), never on
 * the rest of the call: which rows or columns of the output it covers (B or a range
 * of N for forward, B or a range of K for backward, a range of K for update), the
 * element's position in a vector or a tile, the chunking of K, or alignment. So
 * calls on disjoint ranges of the outputs give the same bits as one call on all of
 * them, and omp's static split of independent outputs across threads is bitwise
 * identical for any thread count. Each *_impl.h says how it meets the contract;
 * src/check_kernels.c tests omp against itself on 1..4 threads and against its base.
 *
 * Batched calls (B >= MLP_BLOCKED_MIN_ROWS) of the SIMD sets run blocked GEMM kernels
 * (kernels/gemm_impl.h, sve_gemm_impl.h), chosen by the two rules below. backward and
 * update give the same bits blocked as on the row path, so for them the contract holds
 * as stated. forward cannot at speed: the row path's two FMA chains split a row's list
 * of nonzero inputs (which skips MNIST's ~81% zeros), the blocked path is one chain
 * over every k, ascending, with MR rows sharing each load of W. So forward keeps a
 * weaker guarantee: its bits depend also on which path the call takes,
 * mlp_blocked_forward(B, K, N): the contract holds among calls that take the same path
 * (every split of the rows that leaves each part MLP_BLOCKED_MIN_ROWS rows or more,
 * which is how omp splits a blocked forward, and every split of anything on the row
 * path). The blocked paths' order is also independent of the vector width: the
 * blocked forward and update of avx2, avx512, neon and sve agree bit for bit
 * (check_kernels' "fma order" rows). The sparse forward of the test pass (W of
 * 784x40) stays on the row path: W is small enough that re-reading it per row is
 * cheap, and the row path skips the zero inputs.
 *
 * Peer sets (`peer`, e.g. blas: a vendor library) are checked and benchmarked beside
 * ours but keep no order of their own, so none of this holds for them: the registry
 * never picks a peer as the default or as omp's base. */
#ifndef MLP_KERNELS_H
#define MLP_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The backward mask of ReLU: `seed` is the book's relu2deriv(x) = x >= 0 applied to
 * the post-ReLU value (always true, see README); `strict` is the textbook x > 0. */
typedef enum { MLP_RELU_GRAD_SEED = 0, MLP_RELU_GRAD_STRICT = 1 } mlp_relu_grad;

typedef enum { MLP_F32 = 0, MLP_F64 = 1 } mlp_precision;

/* When a SIMD set's slot takes its blocked kernels (see the top of this file): every
 * batched backward and update, and a batched forward whose W is over 256 KiB (a W
 * that fits in L2 is cheap to re-read per row, and the row path skips zero inputs). */
enum { MLP_BLOCKED_MIN_ROWS = 4 };
#define MLP_BLOCKED_MIN_W_BYTES ((size_t)256 << 10)
static inline bool mlp_blocked_batch(size_t B)
{
    return B >= MLP_BLOCKED_MIN_ROWS;
}
static inline bool mlp_blocked_forward(size_t B, size_t K, size_t N, size_t element_size)
{
    return B >= MLP_BLOCKED_MIN_ROWS && K * N * element_size > MLP_BLOCKED_MIN_W_BYTES;
}
/* The shapes score_head takes (an optional slot, below): 1 to MLP_SCORE_HEAD_MAX_N
 * outputs, and a forward on its row path. */
enum { MLP_SCORE_HEAD_MAX_N = 12 };
static inline bool mlp_score_head_fits(size_t B, size_t K, size_t N, size_t element_size)
{
    return N >= 1 && N <= MLP_SCORE_HEAD_MAX_N && !mlp_blocked_forward(B, K, N, element_size);
}
enum { MLP_PRECISIONS = 2 };

/* "f32" / "f64" */
const char *mlp_precision_name(mlp_precision p);
/* "float32" / "float64", for messages */
const char *mlp_precision_long_name(mlp_precision p);
/* bytes of one element: 4 / 8 */
size_t mlp_precision_size(mlp_precision p);
/* "f32" or "float32", "f64" or "float64" into *p; false for anything else */
bool mlp_precision_parse(const char *s, mlp_precision *p);

typedef struct mlp_kernels_f32 {
    /* Y[B,N] = X[B,K] . W[K,N] */
    void (*forward)(size_t B, size_t K, size_t N, const float *restrict X, size_t ldx,
                    const float *restrict W, size_t ldw, float *restrict Y, size_t ldy);
    /* DX[B,K] = DY[B,N] . W[K,N]^T */
    void (*backward)(size_t B, size_t K, size_t N, const float *restrict DY, size_t lddy,
                     const float *restrict W, size_t ldw, float *restrict DX, size_t lddx);
    /* W[K,N] += alpha * (X[B,K]^T . DY[B,N]) */
    void (*update)(size_t B, size_t K, size_t N, float alpha, const float *restrict X,
                   size_t ldx, const float *restrict DY, size_t lddy, float *restrict W,
                   size_t ldw);
    /* x[n] = (x >= 0) * x, in place: negatives become -0.0, NaN stays NaN */
    void (*relu)(size_t n, float *x);
    /* delta[n] *= mask(act[n]): seed mask act >= 0, strict mask act > 0 (0 or 1) */
    void (*relu_backward)(size_t n, const float *restrict act, float *restrict delta,
                          mlp_relu_grad mode);
    /* x[n] *= m[n] (dropout) */
    void (*multiply)(size_t n, float *restrict x, const float *restrict m);
    /* delta[n] = target[n] - out[n]; returns sum of delta^2, accumulated in double */
    double (*error_delta)(size_t n, const float *restrict target, const float *restrict out,
                          float *restrict delta);
    /* Optional (NULL: the set has none; MLP_FILL_TABLE sets it NULL). Y[B,N] = X . W
     * with X[B,K] given by its nonzero entries, row b's in [rows[b], rows[b + 1]) of
     * cols (ascending, < K) and vals: the same bits as forward on the dense X one row
     * at a time (B = 1 calls, the row path), so a data set compacted once
     * (mlp_data's CSR copy) is read in a fraction of the bytes. The model calls it only
     * where forward would take its row path (!mlp_blocked_forward). check_kernels
     * compares it bit for bit with forward row by row. */
    void (*forward_sparse)(size_t B, size_t K, size_t N, const size_t *restrict rows,
                           const int32_t *restrict cols, const float *restrict vals,
                           const float *restrict W, size_t ldw, float *restrict Y, size_t ldy);
    /* Optional, as forward_sparse. The per-sample (B = 1) update with the row x[K]
     * given by its `count` nonzero entries (cols ascending, < K; vals): the same bits
     * as update(1, K, N, alpha, x, ...) on the dense row. */
    void (*update_sparse)(size_t K, size_t N, float alpha, size_t count,
                          const int32_t *restrict cols, const float *restrict vals,
                          const float *restrict dy, float *restrict W, size_t ldw);
    /* Optional, as forward_sparse. The test pass's last steps for B rows in one call:
     * Y = relu(X[B,K]) . W[K,N] (X itself is left as it is), then for each row b
     * errors[b] = the sum error_delta(N, T[b], Y[b], .) returns, and whether Y[b]'s
     * argmax (numpy's: the first largest; the first NaN if there is one) is labels[b].
     * Returns the count of rows where it is. The same bits as this set's relu, forward
     * and error_delta called in that order (src/model_impl.h's test pass), which
     * check_kernels compares it with. Only for shapes mlp_score_head_fits. */
    size_t (*score_head)(size_t B, size_t K, size_t N, const float *restrict X, size_t ldx,
                         const float *restrict W, size_t ldw, const float *restrict T,
                         size_t ldt, const uint8_t *restrict labels, double *restrict errors);
} mlp_kernels_f32;

typedef struct mlp_kernels_f64 {
    void (*forward)(size_t B, size_t K, size_t N, const double *restrict X, size_t ldx,
                    const double *restrict W, size_t ldw, double *restrict Y, size_t ldy);
    void (*backward)(size_t B, size_t K, size_t N, const double *restrict DY, size_t lddy,
                     const double *restrict W, size_t ldw, double *restrict DX, size_t lddx);
    void (*update)(size_t B, size_t K, size_t N, double alpha, const double *restrict X,
                   size_t ldx, const double *restrict DY, size_t lddy, double *restrict W,
                   size_t ldw);
    void (*relu)(size_t n, double *x);
    void (*relu_backward)(size_t n, const double *restrict act, double *restrict delta,
                          mlp_relu_grad mode);
    void (*multiply)(size_t n, double *restrict x, const double *restrict m);
    double (*error_delta)(size_t n, const double *restrict target, const double *restrict out,
                          double *restrict delta);
    void (*forward_sparse)(size_t B, size_t K, size_t N, const size_t *restrict rows,
                           const int32_t *restrict cols, const double *restrict vals,
                           const double *restrict W, size_t ldw, double *restrict Y, size_t ldy);
    void (*update_sparse)(size_t K, size_t N, double alpha, size_t count,
                          const int32_t *restrict cols, const double *restrict vals,
                          const double *restrict dy, double *restrict W, size_t ldw);
    size_t (*score_head)(size_t B, size_t K, size_t N, const double *restrict X, size_t ldx,
                         const double *restrict W, size_t ldw, const double *restrict T,
                         size_t ldt, const uint8_t *restrict labels, double *restrict errors);
} mlp_kernels_f64;

/* CPU features, one bit each (kernels/cpu.c detects them). On x86-64 a feature with
 * registers of its own (AVX's YMM, AVX-512's ZMM and opmasks) counts only when the
 * OS saves them (XCR0). */
enum {
    MLP_CPU_SSE2 = 1 << 0,
    MLP_CPU_AVX = 1 << 1,
    MLP_CPU_AVX2 = 1 << 2,
    MLP_CPU_FMA = 1 << 3,
    MLP_CPU_AVX512F = 1 << 4,
    MLP_CPU_AVX512DQ = 1 << 5,
    MLP_CPU_AVX512BW = 1 << 6,
    MLP_CPU_AVX512VL = 1 << 7,
    MLP_CPU_NEON = 1 << 8,
    MLP_CPU_SVE = 1 << 9,
};
typedef unsigned mlp_cpu_mask; /* an OR of MLP_CPU_* bits */

/* The features of this CPU and OS, less those named in MLPBENCH_DISABLE_FEATURES
 * (comma-separated, as mlp_cpu_feature_string spells them: "avx512f,avx2"). */
mlp_cpu_mask mlp_cpu_feature_mask(void);
/* true if this CPU has every feature in `required` (so always for 0) */
bool mlp_cpu_has(mlp_cpu_mask required);
/* The names of the features present, space-separated: "sse2 avx avx2 fma ..." */
const char *mlp_cpu_feature_string(void);

/* One kernel set: what it is called and built on, what it needs from the CPU, its
 * vector lanes, and how it fills a table. */
typedef struct mlp_kernel_set mlp_kernel_set;
struct mlp_kernel_set {
    const char *name;       /* command-line name: "scalar", "avx2", ... */
    const char *isa;        /* what it is built on, for people: "AVX2+FMA" */
    int rank;               /* higher is faster; the best runnable set is the default */
    bool threaded;          /* runs OpenMP threads (honours --threads) */
    mlp_cpu_mask requires;  /* the CPU features it needs, all of them; 0: none */
    /* Its vector lanes in precision p, as it runs on this machine (SVE: the machine's
     * vector length; scalar 1; a set built on another: that set's). Only for a
     * runnable set: SVE's reads the vector length with an SVE instruction. */
    size_t (*lanes)(mlp_precision p);
    void (*fill_f32)(mlp_kernels_f32 *t);  /* fills every slot of t */
    void (*fill_f64)(mlp_kernels_f64 *t);  /* NULL: this set has no float64 */
    /* The set this one is built on (omp: the best runnable serial set), else NULL. */
    const mlp_kernel_set *(*base)(void);
    /* forward and update leave out the terms with a zero input X[b,k] == 0 (the same
     * result; less work on MNIST's ~81% zero pixels). For `bench`'s executed FLOP count. */
    bool skips_zero_inputs;
    /* A peer: someone else's kernels (a vendor BLAS), checked and benchmarked beside
     * ours but never the default set nor omp's base, and outside the instruction gate. */
    bool peer;
    /* NULL, or whether what the set needs beyond CPU features is here (blas: the
     * library loads). Runnable = the CPU has `requires` and this says yes. */
    bool (*available)(void);
};

/* Fills every slot of table t from functions named PREFIX_<slot>_SUFFIX (and the
 * optional forward_sparse, update_sparse and score_head with NULL), as every set but
 * omp fills its table:
 * MLP_FILL_TABLE(t, avx2, f32) sets t->forward = avx2_forward_f32, ... */
#define MLP_FILL_TABLE(t, prefix, suffix)                                                 \
    do {                                                                                  \
        (t)->forward = prefix##_forward_##suffix;                                         \
        (t)->backward = prefix##_backward_##suffix;                                       \
        (t)->update = prefix##_update_##suffix;                                           \
        (t)->relu = prefix##_relu_##suffix;                                               \
        (t)->relu_backward = prefix##_relu_backward_##suffix;                             \
        (t)->multiply = prefix##_multiply_##suffix;                                       \
        (t)->error_delta = prefix##_error_delta_##suffix;                                 \
        (t)->forward_sparse = NULL;                                                       \
        (t)->update_sparse = NULL;                                                        \
        (t)->score_head = NULL;                                                           \
    } while (0)

/* Registry (kernels/registry.c). Sets are listed in rank order, the reference first. */
size_t mlp_kernel_set_count(void);
const mlp_kernel_set *mlp_kernel_set_at(size_t i);
const mlp_kernel_set *mlp_kernel_set_find(const char *name); /* NULL if unknown */
/* The reference every other set is checked against: plain C, runs everywhere. */
const mlp_kernel_set *mlp_kernel_set_reference(void);
bool mlp_kernel_set_runnable(const mlp_kernel_set *set);     /* this CPU has its requires */
bool mlp_kernel_set_has(const mlp_kernel_set *set, mlp_precision p);
const mlp_kernel_set *mlp_kernel_set_best(void);              /* highest-ranked runnable */
/* The best runnable set without threads (what a threaded set builds on). */
const mlp_kernel_set *mlp_kernel_set_best_serial(void);
/* Fill a full table: the reference's first, then the set's. */
void mlp_kernel_set_table_f32(const mlp_kernel_set *set, mlp_kernels_f32 *t);
void mlp_kernel_set_table_f64(const mlp_kernel_set *set, mlp_kernels_f64 *t);

#endif
