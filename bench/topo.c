/* topo.c: the machine's topology and thread pinning through hwloc (see topo.h). */
#include <hwloc.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

struct mlp_topo {
    hwloc_topology_t h;
    bool synthetic;
};

int mlp_topo_physical_cores(void)
{
    mlp_topo *t = mlp_topo_this_machine();
    return t ? mlp_topo_cores(t) : 1;
}

/* hwloc's plugins (Debian's libhwloc-plugins) discover I/O devices (PCI, OpenCL, GL)
 * and parse XML with libxml2; loading them pulls in libxml2, ICU, X11 and OpenCL, about
 * 4 ms of every run's start-up in a VM, for objects mlpbench never looks at (it reads
 * CPUs and caches only, and hwloc's own XML parser remains). hwloc loads its plugins
 * once per process, at the first hwloc_topology_init, unless HWLOC_PLUGINS_BLACKLIST
 * names them; a user who sets any hwloc plugin or component variable keeps control.
 * The variable is removed again afterwards, so child processes do not inherit it. */
static int init_without_io_plugins(hwloc_topology_t *h)
{
    static const char *const user_vars[] = {"HWLOC_PLUGINS_BLACKLIST", "HWLOC_COMPONENTS",
                                            "HWLOC_PLUGINS_PATH", "HWLOC_XMLFILE"};
    bool user = false;
    for (size_t i = 0; i < sizeof user_vars / sizeof *user_vars; i++)
        user |= getenv(user_vars[i]) != NULL;
    if (!user)
        setenv("HWLOC_PLUGINS_BLACKLIST",
               "hwloc_pci,hwloc_opencl,hwloc_gl,hwloc_xml_libxml,hwloc_cuda,hwloc_nvml,"
               "hwloc_rsmi,hwloc_levelzero", 1);
    int rc = hwloc_topology_init(h);
    if (!user)
        unsetenv("HWLOC_PLUGINS_BLACKLIST");
    return rc;
}

mlp_topo *mlp_topo_open(const char *synthetic, char *err, size_t errlen)
{
    mlp_topo *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->synthetic = synthetic != NULL;
    if (init_without_io_plugins(&t->h) != 0) {
        snprintf(err, errlen, "hwloc: cannot initialise a topology");
        free(t);
        return NULL;
    }
    hwloc_topology_set_icache_types_filter(t->h, HWLOC_TYPE_FILTER_KEEP_ALL);
    if (synthetic && hwloc_topology_set_synthetic(t->h, synthetic) != 0) {
        snprintf(err, errlen, "hwloc: bad synthetic topology '%s'", synthetic);
        mlp_topo_close(t);
        return NULL;
    }
    if (hwloc_topology_load(t->h) != 0) {
        snprintf(err, errlen, "hwloc: cannot load the topology");
        mlp_topo_close(t);
        return NULL;
    }
    return t;
}

void mlp_topo_close(mlp_topo *t)
{
    if (!t)
        return;
    hwloc_topology_destroy(t->h);
    free(t);
}

mlp_topo *mlp_topo_this_machine(void)
{
    static mlp_topo *machine;
    static bool tried;
    if (!tried) {
        char err[128];
        tried = true;
        machine = mlp_topo_open(NULL, err, sizeof err);
    }
    return machine;
}

static int count_type(const mlp_topo *t, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(t->h, type);
    return n > 0 ? n : 0;
}

int mlp_topo_cores(const mlp_topo *t)
{
    int n = count_type(t, HWLOC_OBJ_CORE);
    if (n == 0)
        n = count_type(t, HWLOC_OBJ_PU);
    return n > 0 ? n : 1;
}

/* The first CPUModel / CPUVendor info found on a package or the root. */
static void cpu_info(const mlp_topo *t, const char *name, char *out, size_t len)
{
    const char *v = NULL;
    hwloc_obj_t pkg = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_PACKAGE, 0);
    if (pkg)
        v = hwloc_obj_get_info_by_name(pkg, name);
    if (!v)
        v = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->h), name);
    snprintf(out, len, "%s", v && *v ? v : "unknown");
}

/* The CPU's identification numbers: "family 25 model 17 stepping 1" on x86,
 * "implementer 0x41 part 0xd0c revision 1" on Arm, else "unknown". */
static void cpu_id(const mlp_topo *t, char *out, size_t len)
{
    static const char *const keys[2][3][2] = {
        {{"CPUFamilyNumber", "family"}, {"CPUModelNumber", "model"}, {"CPUStepping", "stepping"}},
        {{"CPUImplementer", "implementer"}, {"CPUPartNumber", "part"}, {"CPURevision", "revision"}},
    };
    for (int k = 0; k < 2; k++) {
        size_t used = 0;
        out[0] = '\0';
        for (int i = 0; i < 3; i++) {
            char v[64];
            cpu_info(t, keys[k][i][0], v, sizeof v);
            if (strcmp(v, "unknown") == 0)
                continue;
            int w = snprintf(out + used, len - used, "%s%s %s", used ? " " : "", keys[k][i][1], v);
            if (w > 0 && (size_t)w < len - used)
                used += (size_t)w;
        }
        if (used)
            return;
    }
    snprintf(out, len, "unknown");
}

static const char *cache_type_name(hwloc_obj_cache_type_t type)
{
    switch (type) {
    case HWLOC_OBJ_CACHE_DATA: return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "instruction";
    default: return "unified";
    }
}

/* Objects of `type` inside obj's cpuset. */
static int objs_inside(const mlp_topo *t, hwloc_obj_t obj, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_inside_cpuset_by_type(t->h, obj->cpuset, type);
    return n > 0 ? n : 1;
}

static void describe_caches(const mlp_topo *t, mlp_topo_info *out)
{
    static const hwloc_obj_type_t types[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE,
                                             HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                             HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE};
    out->ncaches = 0;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        int n = hwloc_get_nbobjs_by_type(t->h, types[i]);
        hwloc_obj_t c = hwloc_get_obj_by_type(t->h, types[i], 0);
        if (n <= 0 || !c || out->ncaches >= MLP_TOPO_MAX_CACHES)
            continue;
        mlp_cache_info *ci = &out->caches[out->ncaches++];
        ci->level = (int)c->attr->cache.depth;
        snprintf(ci->type, sizeof ci->type, "%s", cache_type_name(c->attr->cache.type));
        ci->size = (unsigned long long)c->attr->cache.size;
        ci->linesize = c->attr->cache.linesize;
        ci->instances = n;
        ci->pus_sharing = objs_inside(t, c, HWLOC_OBJ_PU);
        ci->cores_sharing = objs_inside(t, c, HWLOC_OBJ_CORE);
    }
}

static int at_least_1(int n)
{
    return n > 0 ? n : 1;
}

void mlp_topo_describe(const mlp_topo *t, mlp_topo_info *out)
{
    memset(out, 0, sizeof *out);
    out->synthetic = t->synthetic;
    cpu_info(t, "CPUModel", out->cpu_model, sizeof out->cpu_model);
    cpu_info(t, "CPUVendor", out->cpu_vendor, sizeof out->cpu_vendor);
    cpu_id(t, out->cpu_id, sizeof out->cpu_id);
    out->packages = at_least_1(count_type(t, HWLOC_OBJ_PACKAGE));
    out->cores = mlp_topo_cores(t);
    out->pus = at_least_1(count_type(t, HWLOC_OBJ_PU));
    out->numa_nodes = at_least_1(count_type(t, HWLOC_OBJ_NUMANODE));
    out->memory_bytes = (unsigned long long)hwloc_get_root_obj(t->h)->total_memory;
    describe_caches(t, out);
}

unsigned long long mlp_topo_cache_size(const mlp_topo_info *info, int level)
{
    for (int i = 0; i < info->ncaches; i++)
        if (info->caches[i].level == level && strcmp(info->caches[i].type, "instruction") != 0)
            return info->caches[i].size;
    return 0;
}

/* The core (or PU, if there are no cores) to bind thread `core` to. */
static hwloc_obj_t core_obj(const mlp_topo *t, int core)
{
    hwloc_obj_type_t type = count_type(t, HWLOC_OBJ_CORE) ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    int n = mlp_topo_cores(t);
    return hwloc_get_obj_by_type(t->h, type, (unsigned)((core % n + n) % n));
}

int mlp_topo_bind_thread(mlp_topo *t, int core)
{
    if (!t || t->synthetic)
        return -1;
    hwloc_obj_t obj = core_obj(t, core);
    if (!obj || !obj->cpuset)
        return -1;
    return hwloc_set_cpubind(t->h, obj->cpuset, HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}

int mlp_topo_unbind_thread(mlp_topo *t)
{
    if (!t || t->synthetic)
        return -1;
    hwloc_const_cpuset_t all = hwloc_topology_get_complete_cpuset(t->h);
    return hwloc_set_cpubind(t->h, all, HWLOC_CPUBIND_THREAD) == 0 ? 0 : -1;
}

int mlp_topo_last_cpu(mlp_topo *t)
{
    if (!t || t->synthetic)
        return -1;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return -1;
    int cpu = -1;
    if (hwloc_get_last_cpu_location(t->h, set, HWLOC_CPUBIND_THREAD) == 0)
        cpu = hwloc_bitmap_first(set);
    hwloc_bitmap_free(set);
    return cpu;
}

int mlp_topo_core_of_cpu(const mlp_topo *t, int cpu)
{
    if (!t || cpu < 0)
        return -1;
    hwloc_obj_type_t type = count_type(t, HWLOC_OBJ_CORE) ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    int n = mlp_topo_cores(t);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(t->h, type, (unsigned)i);
        if (obj && obj->cpuset && hwloc_bitmap_isset(obj->cpuset, (unsigned)cpu))
            return i;
    }
    return -1;
}

int mlp_topo_pin_omp(mlp_topo *t, int threads, bool pin)
{
    int failed = 0;
    if (!pin)
        return 0;
#pragma omp parallel num_threads(threads) reduction(+ : failed)
    failed += mlp_topo_bind_thread(t, omp_get_thread_num()) != 0;
    return failed;
}

void mlp_topo_omp_cpus(mlp_topo *t, int threads, int *cpus, int max)
{
#pragma omp parallel num_threads(threads)
    {
        int id = omp_get_thread_num();
        if (id < max)
            cpus[id] = mlp_topo_last_cpu(t);
    }
}

int mlp_topo_place(mlp_topo *t, int threads, bool team, bool pin)
{
    omp_set_num_threads(threads);
    if (!pin)
        return 0;
    return team ? mlp_topo_pin_omp(t, threads, true) : mlp_topo_bind_thread(t, 0) != 0;
}

void mlp_topo_record_cpus(mlp_topo *t, int threads, bool team, int *cpus)
{
    if (team)
        mlp_topo_omp_cpus(t, threads, cpus, threads);
    else
        cpus[0] = mlp_topo_last_cpu(t);
}
