/* test_topo.c: the hwloc topology code on synthetic topologies (a single core, as a
 * small VM reports; several packages; caches) and on this machine (core count,
 * binding a thread to each core and seeing it run there, OpenMP pinning). */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"
#include "expect.h"

static mlp_topo *open_or_fail(const char *synthetic)
{
    char err[256];
    mlp_topo *t = mlp_topo_open(synthetic, err, sizeof err);
    EXPECT(t != NULL, "open %s: %s", synthetic ? synthetic : "this machine", err);
    return t;
}

static void test_single_core(void)
{
    mlp_topo *t = open_or_fail("core:1 pu:1");
    if (!t)
        return;
    mlp_topo_info info;
    mlp_topo_describe(t, &info);
    EXPECT(info.synthetic, "should be marked synthetic");
    EXPECT(info.cores == 1 && info.pus == 1, "cores %d pus %d, want 1 1", info.cores, info.pus);
    EXPECT(info.packages == 1 && info.numa_nodes == 1, "packages %d numa %d, want 1 1",
           info.packages, info.numa_nodes);
    EXPECT(info.ncaches == 0, "%d caches, want none", info.ncaches);
    EXPECT(strcmp(info.cpu_model, "unknown") == 0, "cpu model '%s'", info.cpu_model);
    EXPECT(mlp_topo_cores(t) == 1, "mlp_topo_cores %d", mlp_topo_cores(t));
    EXPECT(mlp_topo_cache_size(&info, 1) == 0, "no L1 expected");
    /* binding is for the real machine only: a clean failure, not a crash */
    EXPECT(mlp_topo_bind_thread(t, 0) == -1, "binding on a synthetic topology should fail");
    EXPECT(mlp_topo_bind_thread(t, 5) == -1, "binding core 5 of 1 should fail cleanly");
    EXPECT(mlp_topo_last_cpu(t) == -1, "no last CPU on a synthetic topology");
    EXPECT(mlp_topo_pin_omp(t, 2, true) == 2, "both threads should fail to bind");
    EXPECT(mlp_topo_pin_omp(t, 2, false) == 0, "no pinning: no failures");
    EXPECT(mlp_topo_core_of_cpu(t, 0) == 0, "PU 0 is in core 0");
    EXPECT(mlp_topo_core_of_cpu(t, 1) == -1, "there is no PU 1");
    mlp_topo_close(t);
}

/* PUs only: hwloc reports no cores (some VMs), cores fall back to PUs. */
static void test_no_cores(void)
{
    mlp_topo *t = open_or_fail("pu:3");
    if (!t)
        return;
    EXPECT(mlp_topo_cores(t) == 3, "cores %d, want 3 (the PUs)", mlp_topo_cores(t));
    mlp_topo_close(t);
}

static void test_bigger(void)
{
    mlp_topo *t = open_or_fail("pack:2 l3:1(size=8388608) l2:2(size=1048576) l1d:1(size=32768) core:1 pu:2");
    if (!t)
        return;
    mlp_topo_info info;
    mlp_topo_describe(t, &info);
    EXPECT(info.packages == 2 && info.cores == 4 && info.pus == 8,
           "packages %d cores %d pus %d, want 2 4 8", info.packages, info.cores, info.pus);
    EXPECT(mlp_topo_cache_size(&info, 1) == 32 * 1024, "L1 %llu", mlp_topo_cache_size(&info, 1));
    EXPECT(mlp_topo_cache_size(&info, 2) == 1024 * 1024, "L2 %llu", mlp_topo_cache_size(&info, 2));
    EXPECT(mlp_topo_cache_size(&info, 3) == 8 * 1024 * 1024, "L3 %llu",
           mlp_topo_cache_size(&info, 3));
    for (int i = 0; i < info.ncaches; i++) {
        const mlp_cache_info *c = &info.caches[i];
        if (c->level == 3)
            EXPECT(c->instances == 2 && c->cores_sharing == 2 && c->pus_sharing == 4,
                   "L3: %d instances shared by %d cores / %d PUs", c->instances,
                   c->cores_sharing, c->pus_sharing);
        if (c->level == 1)
            EXPECT(c->instances == 4 && c->cores_sharing == 1 && c->pus_sharing == 2,
                   "L1: %d instances shared by %d cores / %d PUs", c->instances,
                   c->cores_sharing, c->pus_sharing);
    }
    mlp_topo_close(t);
}

static void test_bad(void)
{
    char err[256] = "";
    mlp_topo *t = mlp_topo_open("this is not a topology", err, sizeof err);
    EXPECT(t == NULL && strstr(err, "synthetic") != NULL, "bad description: '%s'", err);
    mlp_topo_close(t);
}

/* Spins a little so that the scheduler moves the thread if it must. */
static double spin(void)
{
    double x = 0;
    for (int i = 0; i < 2000000; i++)
        x = x * 0.5 + i;
    return x;
}

static void test_this_machine(void)
{
    mlp_topo *t = open_or_fail(NULL);
    if (!t)
        return;
    mlp_topo_info info;
    mlp_topo_describe(t, &info);
    int cores = mlp_topo_cores(t);
    EXPECT(cores >= 1 && cores == info.cores, "cores %d / %d", cores, info.cores);
    EXPECT(cores == mlp_topo_physical_cores(), "physical cores %d", mlp_topo_physical_cores());
    EXPECT(info.pus >= cores, "pus %d < cores %d", info.pus, cores);
    printf("this machine: %s, %d cores, %d PUs, %d caches\n", info.cpu_model, cores, info.pus,
           info.ncaches);
    for (int c = 0; c < cores; c++) {
        EXPECT(mlp_topo_bind_thread(t, c) == 0, "cannot bind to core %d", c);
        EXPECT(spin() > 0, "spin");
        int cpu = mlp_topo_last_cpu(t);
        EXPECT(mlp_topo_core_of_cpu(t, cpu) == c, "bound to core %d, ran on CPU %d (core %d)", c,
               cpu, mlp_topo_core_of_cpu(t, cpu));
    }
    int threads = cores > 1 ? cores : 2, cpus[64];
    EXPECT(mlp_topo_pin_omp(t, threads, true) == 0, "OpenMP pinning failed");
    int spun = 0;
#pragma omp parallel num_threads(threads) reduction(+ : spun)
    spun += spin() > 0;
    EXPECT(spun == threads, "spin");
    mlp_topo_omp_cpus(t, threads, cpus, 64);
    for (int i = 0; i < threads && i < 64; i++)
        EXPECT(mlp_topo_core_of_cpu(t, cpus[i]) == i % cores, "thread %d ran on CPU %d", i,
               cpus[i]);
    EXPECT(mlp_topo_unbind_thread(t) == 0, "cannot unbind");
    mlp_topo_close(t);
}

int main(void)
{
    test_single_core();
    test_no_cores();
    test_bigger();
    test_bad();
    test_this_machine();
    return expect_exit();
}
