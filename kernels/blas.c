/* blas.c: the `blas` kernel set, a peer: forward, backward and update through the
 * CBLAS interface of OpenBLAS (Debian's libopenblas0, found at run time with dlopen, so
 * the build does not depend on it), to show our kernels beside the library a user would
 * otherwise pick, on the same CPU. The elementwise slots are the best serial set's.
 *
 *   forward   Y = X . W          sgemm/dgemm (N, N); B = 1: gemv (W^T x)
 *   backward  DX = DY . W^T      sgemm/dgemm (N, T); B = 1: gemv (W dy)
 *   update    W += alpha X^T DY  sgemm/dgemm (T, N), beta 1; B = 1: ger
 *
 * One library thread (openblas_set_num_threads(1) when the library is loaded): the
 * set is serial like the sets it is compared with. A peer keeps no order of
 * operations of ours (kernels.h): it is checked against the reference within the
 * error bound of any summation order (check_kernels.c), never bit for bit, and not
 * by the instruction gate. Without the library the set is listed as not available. */
#include <dlfcn.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "kernels.h"

/* CBLAS's enumerations (cblas.h), so that no header is needed to build */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                         const float *, int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                         const double *, int, double, double *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);
typedef void (*dgemv_fn)(int, int, int, int, double, const double *, int, const double *, int,
                         double, double *, int);
typedef void (*sger_fn)(int, int, int, float, const float *, int, const float *, int, float *,
                        int);
typedef void (*dger_fn)(int, int, int, double, const double *, int, const double *, int,
                        double *, int);

static struct {
    bool tried, loaded;
    sgemm_fn sgemm;
    dgemm_fn dgemm;
    sgemv_fn sgemv;
    dgemv_fn dgemv;
    sger_fn sger;
    dger_fn dger;
} lib;

/* dlopen once; true if every symbol was found */
static bool blas_load(void)
{
    bool done;
#pragma omp critical(mlp_blas_load)
    {
        if (!lib.tried) {
            lib.tried = true;
            void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
            if (h) {
                *(void **)&lib.sgemm = dlsym(h, "cblas_sgemm");
                *(void **)&lib.dgemm = dlsym(h, "cblas_dgemm");
                *(void **)&lib.sgemv = dlsym(h, "cblas_sgemv");
                *(void **)&lib.dgemv = dlsym(h, "cblas_dgemv");
                *(void **)&lib.sger = dlsym(h, "cblas_sger");
                *(void **)&lib.dger = dlsym(h, "cblas_dger");
                void (*threads)(int);
                *(void **)&threads = dlsym(h, "openblas_set_num_threads");
                lib.loaded = lib.sgemm && lib.dgemm && lib.sgemv && lib.dgemv && lib.sger &&
                             lib.dger && threads;
                if (lib.loaded)
                    threads(1);
            }
        }
        done = lib.loaded;
    }
    return done;
}

static const mlp_kernel_set *blas_base(void)
{
    return mlp_kernel_set_best_serial();
}

/* BLAS has no empty matrices: an empty reduction gives zeros here, an empty output
 * nothing. Leading dimensions of a single row may be anything in our interface, but
 * not in BLAS's, so B = 1 goes through gemv/ger, which do not read them. */
#define REAL float
#define SFX(name) blas_##name##_f32
#define GEMM lib.sgemm
#define GEMV lib.sgemv
#define GER lib.sger
#include "blas_impl.h"

#define REAL double
#define SFX(name) blas_##name##_f64
#define GEMM lib.dgemm
#define GEMV lib.dgemv
#define GER lib.dger
#include "blas_impl.h"

static void blas_fill_f32(mlp_kernels_f32 *t)
{
    blas_load();
    mlp_kernel_set_table_f32(blas_base(), t);
    t->forward = blas_forward_f32;
    t->backward = blas_backward_f32;
    t->update = blas_update_f32;
    t->forward_sparse = NULL; /* the base's would stand in for the library's */
    t->update_sparse = NULL;
    t->score_head = NULL;
}

static void blas_fill_f64(mlp_kernels_f64 *t)
{
    blas_load();
    mlp_kernel_set_table_f64(blas_base(), t);
    t->forward = blas_forward_f64;
    t->backward = blas_backward_f64;
    t->update = blas_update_f64;
    t->forward_sparse = NULL; /* the base's would stand in for the library's */
    t->update_sparse = NULL;
    t->score_head = NULL;
}

static size_t blas_lanes(mlp_precision p)
{
    return blas_base()->lanes(p);
}

const mlp_kernel_set mlp_set_blas = {
    .name = "blas",
    .isa = "OpenBLAS (peer)",
    .rank = 35,
    .threaded = false,
    .requires = 0,
    .lanes = blas_lanes,
    .fill_f32 = blas_fill_f32,
    .fill_f64 = blas_fill_f64,
    .base = blas_base,
    .skips_zero_inputs = false,
    .peer = true,
    .available = blas_load,
};
