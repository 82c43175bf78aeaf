/* roofline.c: the time bound of a phase from the work model and the peak (roofline.h). */
#include "roofline.h"

/* The level that holds `footprint` bytes: 0 L1, 1 L2 (also for what fits the last
 * level), 2 memory. */
static int level_of(const mlp_cache_sizes *c, double footprint)
{
    if (c->l1 > 0 && footprint <= c->l1)
        return 0;
    if ((c->l2 > 0 && footprint <= c->l2) || (c->llc > 0 && footprint <= c->llc))
        return 1;
    return 2;
}

/* GB/s of `threads` threads at level i: one thread's figure times threads, capped by
 * the all-thread figure (which the probe measured with p->threads threads). */
static double bandwidth(const mlp_peak *p, int i, int threads)
{
    const mlp_peak_bw *b = &p->bw[i];
    double gbs = b->core_gbs * threads;
    if (threads >= p->threads || (b->all_gbs > 0 && gbs > b->all_gbs))
        gbs = b->all_gbs > 0 ? b->all_gbs : gbs;
    return gbs;
}

mlp_bound mlp_roofline_bound(const mlp_peak *p, const mlp_cache_sizes *c, mlp_precision prec,
                             int threads, const mlp_phase_work *w)
{
    mlp_bound b = {.limit = "-", .weights_level = "-", .inputs_level = "-"};
    double gflops = mlp_peak_gflops(p, prec, threads);
    if (gflops > 0)
        b.compute_s = w->flop / (gflops * 1e9);
    if (p->have_bandwidth) {
        int wl = level_of(c, w->weight_footprint), il = level_of(c, w->input_footprint);
        b.weights_level = p->bw[wl].level;
        b.inputs_level = p->bw[il].level;
        double wg = bandwidth(p, wl, threads), ig = bandwidth(p, il, threads);
        b.weights_s = wg > 0 ? w->weight_bytes / (wg * 1e9) : 0;
        b.inputs_s = ig > 0 ? w->input_bytes / (ig * 1e9) : 0;
    }
    if (b.compute_s > 0 && b.compute_s >= b.weights_s && b.compute_s >= b.inputs_s) {
        b.bound_s = b.compute_s;
        b.limit = "FMA";
    } else if (b.weights_s > 0 && b.weights_s >= b.inputs_s) {
        b.bound_s = b.weights_s;
        b.limit = b.weights_level;
    } else if (b.inputs_s > 0) {
        b.bound_s = b.inputs_s;
        b.limit = b.inputs_level;
    }
    return b;
}
