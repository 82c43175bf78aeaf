/* registry.c: the list of kernel sets built into this binary, in rank order, and
 * the run-time choice among them. Adding a set: one source file that defines an
 * mlp_kernel_set, one line here, one line in kernels/CMakeLists.txt. */
#include <string.h>

#include "kernels.h"
#include "sets.h"

static const mlp_kernel_set *const sets[] = {
    &mlp_set_scalar,
#ifdef MLP_HAVE_NEON
    &mlp_set_neon,
#endif
#ifdef MLP_HAVE_SVE
    &mlp_set_sve,
#endif
#ifdef MLP_HAVE_AVX2
    &mlp_set_avx2,
#endif
#ifdef MLP_HAVE_AVX512
    &mlp_set_avx512,
#endif
#ifdef MLP_HAVE_OMP
    &mlp_set_omp,
#endif
};

size_t mlp_kernel_set_count(void)
{
    return sizeof sets / sizeof sets[0];
}

const mlp_kernel_set *mlp_kernel_set_at(size_t i)
{
    return i < mlp_kernel_set_count() ? sets[i] : NULL;
}

const mlp_kernel_set *mlp_kernel_set_find(const char *name)
{
    for (size_t i = 0; i < mlp_kernel_set_count(); i++)
        if (strcmp(sets[i]->name, name) == 0)
            return sets[i];
    return NULL;
}

const mlp_kernel_set *mlp_kernel_set_reference(void)
{
    return &mlp_set_scalar;
}

bool mlp_kernel_set_runnable(const mlp_kernel_set *set)
{
    return mlp_cpu_has(set->requires);
}

bool mlp_kernel_set_has(const mlp_kernel_set *set, mlp_precision p)
{
    return p == MLP_F32 ? set->fill_f32 != NULL : set->fill_f64 != NULL;
}

static const mlp_kernel_set *best(bool allow_threaded)
{
    const mlp_kernel_set *found = sets[0];
    for (size_t i = 0; i < mlp_kernel_set_count(); i++)
        if (mlp_kernel_set_runnable(sets[i]) && sets[i]->rank >= found->rank &&
            (allow_threaded || !sets[i]->threaded))
            found = sets[i];
    return found;
}

const mlp_kernel_set *mlp_kernel_set_best(void)
{
    return best(true);
}

const mlp_kernel_set *mlp_kernel_set_best_serial(void)
{
    return best(false);
}

void mlp_kernel_set_table_f32(const mlp_kernel_set *set, mlp_kernels_f32 *t)
{
    mlp_set_scalar.fill_f32(t);
    if (set->fill_f32)
        set->fill_f32(t);
}

void mlp_kernel_set_table_f64(const mlp_kernel_set *set, mlp_kernels_f64 *t)
{
    mlp_set_scalar.fill_f64(t);
    if (set->fill_f64)
        set->fill_f64(t);
}

const char *mlp_precision_name(mlp_precision p)
{
    return p == MLP_F32 ? "f32" : "f64";
}

const char *mlp_precision_long_name(mlp_precision p)
{
    return p == MLP_F32 ? "float32" : "float64";
}

size_t mlp_precision_size(mlp_precision p)
{
    return p == MLP_F32 ? sizeof(float) : sizeof(double);
}

bool mlp_precision_parse(const char *s, mlp_precision *p)
{
    if (strcmp(s, "f32") == 0 || strcmp(s, "float32") == 0)
        *p = MLP_F32;
    else if (strcmp(s, "f64") == 0 || strcmp(s, "float64") == 0)
        *p = MLP_F64;
    else
        return false;
    return true;
}
