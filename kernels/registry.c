/* registry.c: the kernel sets built into this binary, listed in rank order, and the
 * run-time choice among them.
 *
 * Adding a set touches these files and no others:
 *   kernels/<name>.c       defines `const mlp_kernel_set mlp_set_<name>` (name, isa,
 *                          rank, requires, lanes, fills, ...), with its kernels in it
 *                          or in a kernels/<name>_impl.h it includes once per precision;
 *   kernels/CMakeLists.txt one line mlp_add_set(<name> <name>.c "<compile flags>");
 *   README.md              a row in the table of kernel sets, for people.
 * (A set that needs a CPU feature without an MLP_CPU_* bit first adds the bit and its
 * detection: kernels/kernels.h, kernels/cpu.c.) mlp_add_set lists the set in
 * kernel_sets.inc, generated in the build tree, which this file expands into its
 * declarations and its table, and in the CMake property MLP_KERNEL_SETS, from which
 * tests/ adds its book_final_<name>_f32 test; the checker, bench, gbench and `list`
 * find it here. Its rank decides where it is listed and whether it is the default. */
#include <string.h>

#include "kernels.h"

/* The reference (kernels/scalar.c) is always built and not in kernel_sets.inc. */
#define MLP_KERNEL_SET(name) extern const mlp_kernel_set mlp_set_##name;
MLP_KERNEL_SET(scalar)
#include "kernel_sets.inc"
#undef MLP_KERNEL_SET

/* In the order of kernels/CMakeLists.txt; mlp_kernel_set_at orders them by rank. */
static const mlp_kernel_set *const sets[] = {
    &mlp_set_scalar,
#define MLP_KERNEL_SET(name) &mlp_set_##name,
#include "kernel_sets.inc"
#undef MLP_KERNEL_SET
};
enum { SET_COUNT = sizeof sets / sizeof sets[0] };

size_t mlp_kernel_set_count(void)
{
    return SET_COUNT;
}

/* where sets[j] is listed: after every set of lower rank, and of equal rank before j */
static size_t listed_at(size_t j)
{
    size_t before = 0;
    for (size_t i = 0; i < SET_COUNT; i++)
        before += sets[i]->rank < sets[j]->rank || (sets[i]->rank == sets[j]->rank && i < j);
    return before;
}

const mlp_kernel_set *mlp_kernel_set_at(size_t i)
{
    for (size_t j = 0; j < SET_COUNT; j++)
        if (listed_at(j) == i)
            return sets[j];
    return NULL;
}

const mlp_kernel_set *mlp_kernel_set_find(const char *name)
{
    for (size_t i = 0; i < SET_COUNT; i++)
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
    return mlp_cpu_has(set->requires) && (!set->available || set->available());
}

bool mlp_kernel_set_has(const mlp_kernel_set *set, mlp_precision p)
{
    return p == MLP_F32 ? set->fill_f32 != NULL : set->fill_f64 != NULL;
}

/* the highest-ranked runnable set that is not a peer (of equal ranks, the one listed last) */
static const mlp_kernel_set *best(bool allow_threaded)
{
    const mlp_kernel_set *found = &mlp_set_scalar;
    for (size_t i = 0; i < SET_COUNT; i++)
        if (!sets[i]->peer && mlp_kernel_set_runnable(sets[i]) &&
            sets[i]->rank >= found->rank && (allow_threaded || !sets[i]->threaded))
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
