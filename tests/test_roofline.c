/* test_roofline.c: the roofline bound of a phase (bench/roofline.c) on a made-up peak:
 * each term from its own formula (work / rate), the level each footprint falls in, the
 * largest term chosen, the thread scaling capped by the all-thread figure, and no
 * bound without peak figures. */
#include <math.h>
#include <string.h>

#include "expect.h"
#include "roofline.h"

/* f32 100 GFLOP/s a core (180 on 2 threads); L1 200, L2 100, memory 20 GB/s a core
 * (all threads: 400, 200, 30). */
static mlp_peak made_up_peak(void)
{
    mlp_peak p;
    memset(&p, 0, sizeof p);
    p.threads = 2;
    p.have_fma = p.have_bandwidth = true;
    p.f32_core = 100, p.f32_all = 180, p.f64_core = 50, p.f64_all = 90;
    const char *names[] = {"L1", "L2", "memory"};
    double core[] = {200, 100, 20}, all[] = {400, 200, 30};
    for (int i = 0; i < MLP_PEAK_LEVELS; i++) {
        strcpy(p.bw[i].level, names[i]);
        p.bw[i].core_gbs = core[i];
        p.bw[i].all_gbs = all[i];
    }
    return p;
}

static void near(double got, double want, const char *what)
{
    EXPECT(fabs(got - want) <= 1e-12 * fabs(want), "%s = %.17g, want %.17g", what, got, want);
}

int main(void)
{
    mlp_peak p = made_up_peak();
    mlp_cache_sizes c = {.l1 = 32768, .l2 = 1 << 20, .llc = 32 << 20};

    /* weights of 125 KB in L2, inputs of 64 MB beyond the last level: 1e9 FLOP in 10 ms,
     * 2e9 weight bytes in 20 ms, 1e8 input bytes in 5 ms: L2 bounds it at 20 ms */
    mlp_phase_work w = {.flop = 1e9, .weight_bytes = 2e9, .weight_footprint = 128000,
                        .input_bytes = 1e8, .input_footprint = 64e6};
    mlp_bound b = mlp_roofline_bound(&p, &c, MLP_F32, 1, &w);
    near(b.compute_s, 1e9 / 100e9, "compute_s");
    near(b.weights_s, 2e9 / 100e9, "weights_s");
    near(b.inputs_s, 1e8 / 20e9, "inputs_s");
    near(b.bound_s, 2e9 / 100e9, "bound_s");
    EXPECT(strcmp(b.limit, "L2") == 0, "limit %s, want L2", b.limit);
    EXPECT(strcmp(b.inputs_level, "memory") == 0, "inputs level %s", b.inputs_level);

    /* float64 halves the FMA rate: 20 ms of compute ties the L2 term, FMA wins ties */
    b = mlp_roofline_bound(&p, &c, MLP_F64, 1, &w);
    near(b.compute_s, 1e9 / 50e9, "f64 compute_s");
    EXPECT(strcmp(b.limit, "FMA") == 0, "f64 limit %s, want FMA", b.limit);

    /* weights in L1, inputs in the last level (charged at L2's rate, a lower bound) */
    w.weight_footprint = 16000;
    w.input_footprint = 3e6;
    w.input_bytes = 4e9;
    b = mlp_roofline_bound(&p, &c, MLP_F32, 1, &w);
    near(b.weights_s, 2e9 / 200e9, "L1 weights_s");
    near(b.inputs_s, 4e9 / 100e9, "L3 inputs_s");
    EXPECT(strcmp(b.weights_level, "L1") == 0 && strcmp(b.limit, "L2") == 0,
           "levels %s / limit %s, want L1 / L2", b.weights_level, b.limit);

    /* 2 threads: the all-thread figures */
    b = mlp_roofline_bound(&p, &c, MLP_F32, 2, &w);
    near(b.compute_s, 1e9 / 180e9, "2-thread compute_s");
    near(b.inputs_s, 4e9 / 200e9, "2-thread inputs_s");

    /* no peak figures: no bound */
    mlp_peak none;
    memset(&none, 0, sizeof none);
    b = mlp_roofline_bound(&none, &c, MLP_F32, 1, &w);
    EXPECT(b.bound_s == 0 && strcmp(b.limit, "-") == 0, "bound %g limit %s without a peak",
           b.bound_s, b.limit);
    return expect_exit();
}
