/* peak.c: the peak probe (see peak.h): picks the widest loops whose required CPU
 * features this CPU has (see peak_isa.h), calibrates each measurement to about
 * trial_seconds and keeps the best of several trials, one thread alone and then all
 * threads at once (OpenMP, pinned one per core through topo.c). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "peak.h"
#include "peak_isa.h"
#include "timer.h"
#include "topo.h"

/* ---- portable loops, for CPUs without a vector ISA file ---- */

#define SCALAR_CHAINS 8

static double scalar_fma_f32(uint64_t iters)
{
    float acc[SCALAR_CHAINS];
    for (int j = 0; j < SCALAR_CHAINS; j++)
        acc[j] = (float)j;
    for (uint64_t i = 0; i < iters; i++)
        for (int j = 0; j < SCALAR_CHAINS; j++)
            acc[j] = acc[j] * 0.999999f + 1e-6f;
    float s = 0;
    for (int j = 0; j < SCALAR_CHAINS; j++)
        s += acc[j];
    return s;
}

static double scalar_fma_f64(uint64_t iters)
{
    double acc[SCALAR_CHAINS];
    for (int j = 0; j < SCALAR_CHAINS; j++)
        acc[j] = (double)j;
    for (uint64_t i = 0; i < iters; i++)
        for (int j = 0; j < SCALAR_CHAINS; j++)
            acc[j] = acc[j] * 0.999999 + 1e-6;
    double s = 0;
    for (int j = 0; j < SCALAR_CHAINS; j++)
        s += acc[j];
    return s;
}

static void scalar_triad(double *a, const double *b, const double *c, double s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] + s * c[i];
}

static const mlp_peak_isa scalar_isa = {.name = "scalar C",
                                        .requires = 0,
                                        .chains = SCALAR_CHAINS,
                                        .lanes_f32 = 1,
                                        .lanes_f64 = 1,
                                        .fma_f32 = scalar_fma_f32,
                                        .fma_f64 = scalar_fma_f64,
                                        .triad = scalar_triad};

/* The widest loops built for this architecture whose required features this CPU has. */
static const mlp_peak_isa *choose_isa(void)
{
    const mlp_peak_isa *const built[] = {
#if defined(__x86_64__)
        mlp_peak_isa_avx512(),
        mlp_peak_isa_avx2(),
#elif defined(__aarch64__)
        mlp_peak_isa_neon(),
#endif
        &scalar_isa,
    };
    const mlp_peak_isa *widest = &scalar_isa;
    for (size_t i = 0; i < sizeof built / sizeof built[0]; i++)
        if (mlp_cpu_has(built[i]->requires) && built[i]->lanes_f32 > widest->lanes_f32)
            widest = built[i];
    return widest;
}

void mlp_peak_options_defaults(mlp_peak_options *o)
{
    *o = (mlp_peak_options){.fma = true, .bandwidth = true, .threads = 0, .pin = true,
                            .trial_seconds = 0.05, .trials = 5};
}

/* ---- timing: one job, run by every thread of a team at once ---- */

typedef struct job job;
typedef void (*job_fn)(job *j, uint64_t reps);

struct job {
    const mlp_peak_isa *isa;
    job_fn run;
    int prec;                /* FMA: 0 f32, 1 f64 */
    size_t elems;            /* triad: elements per thread */
    double *buf[64][3];      /* triad: each thread's arrays */
    volatile double sink[64]; /* FMA: each thread's result, kept alive */
};

static void run_fma(job *j, uint64_t reps)
{
    j->sink[omp_get_thread_num()] = j->prec == 0 ? j->isa->fma_f32(reps) : j->isa->fma_f64(reps);
}

static void run_triad(job *j, uint64_t reps)
{
    double **b = j->buf[omp_get_thread_num()];
    for (uint64_t r = 0; r < reps; r++)
        j->isa->triad(b[0], b[1], b[2], 0.5, j->elems);
}

/* Seconds for `reps` repetitions on `threads` threads together (thread 0 times, between
 * barriers). With pin, the team's threads are bound one per core first. */
static double time_team(job *j, int threads, uint64_t reps)
{
    double t0 = 0, t1 = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp barrier
        if (omp_get_thread_num() == 0)
            t0 = mlp_seconds_now();
        j->run(j, reps);
#pragma omp barrier
        if (omp_get_thread_num() == 0)
            t1 = mlp_seconds_now();
    }
    return t1 - t0;
}

/* Best (smallest) time over trials of a repetition count calibrated to trial_seconds;
 * *reps_out gets that count. */
static double best_time(job *j, int threads, const mlp_peak_options *o, uint64_t *reps_out)
{
    uint64_t reps = 1;
    double t = time_team(j, threads, reps);
    while (t < o->trial_seconds / 8 && reps < (1ull << 40)) {
        reps *= 4;
        t = time_team(j, threads, reps);
    }
    double want = reps * o->trial_seconds / (t > 1e-9 ? t : 1e-9);
    reps = want < 1 ? 1 : (uint64_t)want;
    double best = 1e300;
    for (int i = 0; i < o->trials; i++) {
        double ti = time_team(j, threads, reps);
        best = ti < best ? ti : best;
    }
    *reps_out = reps;
    return best;
}

static double fma_gflops(const mlp_peak_isa *isa, int prec, int threads,
                         const mlp_peak_options *o)
{
    job j = {.isa = isa, .run = run_fma, .prec = prec};
    uint64_t reps;
    double t = best_time(&j, threads, o, &reps);
    double lanes = prec == 0 ? isa->lanes_f32 : isa->lanes_f64;
    return 2.0 * lanes * isa->chains * (double)reps * threads / t / 1e9;
}

static void free_buffers(job *j, int threads)
{
    for (int t = 0; t < threads; t++)
        for (int k = 0; k < 3; k++) {
            free(j->buf[t][k]);
            j->buf[t][k] = NULL;
        }
}

/* Each thread allocates and first-touches its own three arrays of elems doubles. */
static int alloc_buffers(job *j, int threads)
{
    int failed = 0;
    size_t bytes = j->elems * sizeof(double);
#pragma omp parallel num_threads(threads) reduction(+ : failed)
    {
        double **b = j->buf[omp_get_thread_num()];
        for (int k = 0; k < 3; k++) {
            b[k] = aligned_alloc(64, bytes);
            if (!b[k]) {
                failed++;
                continue;
            }
            for (size_t i = 0; i < j->elems; i++)
                b[k][i] = 1.0 + (double)(i % 7);
        }
    }
    if (failed)
        free_buffers(j, threads);
    return failed ? -1 : 0;
}

/* Triad GB/s of `threads` threads, each over three arrays of per_thread bytes in all. */
static double triad_gbs(const mlp_peak_isa *isa, size_t per_thread, int threads,
                        const mlp_peak_options *o)
{
    job j = {.isa = isa, .run = run_triad};
    j.elems = per_thread / 3 / sizeof(double) / 16 * 16;
    if (j.elems < 16)
        j.elems = 16;
    if (alloc_buffers(&j, threads) != 0)
        return -1;
    uint64_t reps;
    double t = best_time(&j, threads, o, &reps);
    free_buffers(&j, threads);
    return 24.0 * (double)j.elems * (double)reps * threads / t / 1e9;
}

/* Footprints (three arrays): half of L1d, half of L2 per thread; memory: 256 MiB or
 * 4 x the last-level cache, whichever is larger, capped at 1 GiB. */
static void footprints(mlp_peak *p, const mlp_topo_info *ti)
{
    unsigned long long l1 = mlp_topo_cache_size(ti, 1), l2 = mlp_topo_cache_size(ti, 2);
    unsigned long long llc = 0; /* all instances of the last level together */
    for (int i = 0; i < ti->ncaches; i++)
        if (strcmp(ti->caches[i].type, "instruction") != 0)
            llc = ti->caches[i].size * (unsigned long long)ti->caches[i].instances;
    unsigned long long mem = 4 * llc > (256ull << 20) ? 4 * llc : (256ull << 20);
    p->bw[0] = (mlp_peak_bw){.level = "L1", .footprint = (size_t)(l1 ? l1 / 2 : 16384)};
    p->bw[1] = (mlp_peak_bw){.level = "L2", .footprint = (size_t)(l2 ? l2 / 2 : 256 << 10)};
    p->bw[2] = (mlp_peak_bw){.level = "memory",
                             .footprint = (size_t)(mem < (1ull << 30) ? mem : (1ull << 30))};
}

static int measure_bandwidth(const mlp_peak_isa *isa, mlp_peak *p, const mlp_peak_options *o,
                             char *err, size_t errlen)
{
    mlp_topo_info ti;
    mlp_topo *t = mlp_topo_this_machine();
    memset(&ti, 0, sizeof ti);
    if (t)
        mlp_topo_describe(t, &ti);
    footprints(p, &ti);
    for (int i = 0; i < MLP_PEAK_LEVELS; i++) {
        mlp_peak_bw *b = &p->bw[i];
        bool shared = i == MLP_PEAK_LEVELS - 1; /* memory: the footprint is split */
        b->core_gbs = triad_gbs(isa, b->footprint, 1, o);
        b->all_gbs = triad_gbs(isa, shared ? b->footprint / (size_t)p->threads : b->footprint,
                               p->threads, o);
        if (b->core_gbs < 0 || b->all_gbs < 0) {
            snprintf(err, errlen, "out of memory for the %s triad (%zu bytes)", b->level,
                     b->footprint);
            return -1;
        }
    }
    return 0;
}

int mlp_peak_run(const mlp_peak_options *o, mlp_peak *out, char *err, size_t errlen)
{
    double start = mlp_seconds_now();
    const mlp_peak_isa *isa = choose_isa();
    memset(out, 0, sizeof *out);
    snprintf(out->isa, sizeof out->isa, "%s", isa->name);
    int threads = o->threads > 0 ? o->threads : mlp_topo_physical_cores();
    out->threads = threads > 64 ? 64 : threads;
    mlp_topo *t = mlp_topo_this_machine();
    out->pinned = o->pin && mlp_topo_pin_omp(t, out->threads, true) == 0;
    if (o->fma) {
        out->have_fma = true;
        out->f32_core = fma_gflops(isa, 0, 1, o);
        out->f32_all = fma_gflops(isa, 0, out->threads, o);
        out->f64_core = fma_gflops(isa, 1, 1, o);
        out->f64_all = fma_gflops(isa, 1, out->threads, o);
    }
    if (o->bandwidth) {
        if (measure_bandwidth(isa, out, o, err, errlen) != 0)
            return -1;
        out->have_bandwidth = true;
    }
    out->seconds = mlp_seconds_now() - start;
    return 0;
}

double mlp_peak_gflops(const mlp_peak *p, mlp_precision prec, int threads)
{
    if (!p || !p->have_fma)
        return 0;
    double core = prec == MLP_F32 ? p->f32_core : p->f64_core;
    double all = prec == MLP_F32 ? p->f32_all : p->f64_all;
    if (threads <= 1)
        return core;
    return threads >= p->threads ? all : core * threads;
}

json_t *mlp_peak_json(const mlp_peak *p)
{
    json_t *j = json_pack("{s:s, s:i, s:b, s:f}", "isa", p->isa, "threads", p->threads,
                          "pinned", p->pinned, "seconds", p->seconds);
    if (p->have_fma) {
        json_object_set_new(j, "fma_gflops",
                            json_pack("{s:{s:f, s:f}, s:{s:f, s:f}}", "f32", "core", p->f32_core,
                                      "all", p->f32_all, "f64", "core", p->f64_core, "all",
                                      p->f64_all));
    }
    if (p->have_bandwidth) {
        json_t *bw = json_array();
        for (int i = 0; i < MLP_PEAK_LEVELS; i++)
            json_array_append_new(bw, json_pack("{s:s, s:I, s:f, s:f}", "level", p->bw[i].level,
                                                "footprint_bytes", (json_int_t)p->bw[i].footprint,
                                                "core_gbs", p->bw[i].core_gbs, "all_gbs",
                                                p->bw[i].all_gbs));
        json_object_set_new(j, "triad_bandwidth", bw);
    }
    return j;
}

void mlp_peak_print(FILE *f, const mlp_peak *p)
{
    fprintf(f, "Peak probe: %s loops, all-core figures on %d thread%s (%s), %.1f s\n\n", p->isa,
            p->threads, p->threads == 1 ? "" : "s", p->pinned ? "pinned one per core" : "not pinned",
            p->seconds);
    if (p->have_fma) {
        fprintf(f, "  FMA throughput     1 core (GFLOP/s)   %d threads (GFLOP/s)\n", p->threads);
        fprintf(f, "  float32            %16.1f   %20.1f\n", p->f32_core, p->f32_all);
        fprintf(f, "  float64            %16.1f   %20.1f\n\n", p->f64_core, p->f64_all);
    }
    if (p->have_bandwidth) {
        fprintf(f, "  Triad bandwidth    footprint     1 core (GB/s)   %d threads (GB/s)\n",
                p->threads);
        for (int i = 0; i < MLP_PEAK_LEVELS; i++) {
            const mlp_peak_bw *b = &p->bw[i];
            char fp[32];
            if (b->footprint >= (1u << 20))
                snprintf(fp, sizeof fp, "%.0f MiB", (double)b->footprint / (1 << 20));
            else
                snprintf(fp, sizeof fp, "%.0f KiB", (double)b->footprint / 1024);
            fprintf(f, "  %-18s %-12s %14.1f   %17.1f\n", b->level, fp, b->core_gbs, b->all_gbs);
        }
        fprintf(f, "\n  L1 and L2 footprints are per thread; the memory footprint is split "
                   "among the threads.\n");
    }
}
