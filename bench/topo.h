/* topo.h: the machine's topology through hwloc: packages, cores, processing units,
 * NUMA nodes, caches and their sharing, the CPU's model and vendor; and thread
 * pinning (one thread per core) with a record of the CPU each thread ran on.
 *
 * A topology is the real machine, or a synthetic one given as an hwloc description
 * string (e.g. "core:1 pu:1") so that tests can check the single-core case. Binding
 * works only on the real machine. */
#ifndef MLP_TOPO_H
#define MLP_TOPO_H

#include <stdbool.h>
#include <stddef.h>

/* Physical cores of this machine (at least 1). */
int mlp_topo_physical_cores(void);

typedef struct mlp_topo mlp_topo;

/* Loads the topology of this machine (synthetic NULL) or of a synthetic description.
 * Returns NULL with a one-line message in err on failure. */
mlp_topo *mlp_topo_open(const char *synthetic, char *err, size_t errlen);
void mlp_topo_close(mlp_topo *t);

/* The topology of this machine, loaded once and kept for the process (NULL if hwloc
 * fails; then binding is a no-op that fails). Not thread-safe on first call. */
mlp_topo *mlp_topo_this_machine(void);

enum { MLP_TOPO_MAX_CACHES = 8 };

typedef struct mlp_cache_info {
    int level;                 /* 1, 2, 3, ... */
    char type[16];             /* "data", "instruction" or "unified" */
    unsigned long long size;   /* bytes, of one instance */
    unsigned linesize;         /* bytes, 0 if unknown */
    int instances;             /* how many of these caches the machine has */
    int pus_sharing;           /* processing units sharing one instance */
    int cores_sharing;         /* cores sharing one instance */
} mlp_cache_info;

typedef struct mlp_topo_info {
    bool synthetic;
    char cpu_model[128];  /* "unknown" if hwloc does not say */
    char cpu_vendor[64];
    char cpu_id[96];      /* "family 25 model 17 stepping 1", or "unknown" */
    int packages, cores, pus, numa_nodes; /* each at least 1 */
    unsigned long long memory_bytes;      /* total, 0 if unknown */
    int ncaches;
    mlp_cache_info caches[MLP_TOPO_MAX_CACHES]; /* data/unified first by level */
} mlp_topo_info;

void mlp_topo_describe(const mlp_topo *t, mlp_topo_info *out);

/* Cores (at least 1; processing units when hwloc reports no cores). */
int mlp_topo_cores(const mlp_topo *t);

/* Size of one instance of the level-`level` data (or unified) cache, 0 if none. */
unsigned long long mlp_topo_cache_size(const mlp_topo_info *info, int level);

/* Binds the calling thread to core (core % cores). Returns 0, or -1 (synthetic
 * topology, or the OS refused). */
int mlp_topo_bind_thread(mlp_topo *t, int core);
/* Removes the calling thread's binding (allows every PU). Returns 0 or -1. */
int mlp_topo_unbind_thread(mlp_topo *t);
/* OS index of the CPU the calling thread last ran on, -1 if unknown. */
int mlp_topo_last_cpu(mlp_topo *t);
/* Index of the core (as mlp_topo_bind_thread counts them) that holds the PU with OS
 * index cpu, -1 if none. */
int mlp_topo_core_of_cpu(const mlp_topo *t, int cpu);

/* In one OpenMP parallel region of `threads` threads, each thread binds itself to
 * core (thread_num % cores) when `pin` (thread 0 is the calling thread). Returns the
 * number of threads that failed to bind (0 when !pin). */
int mlp_topo_pin_omp(mlp_topo *t, int threads, bool pin);
/* In one OpenMP parallel region of `threads` threads, records the CPU each thread last
 * ran on into cpus[thread_num] (up to max entries). */
void mlp_topo_omp_cpus(mlp_topo *t, int threads, int *cpus, int max);

/* Places a benchmark case's threads: sets OpenMP's team size to `threads` and, when
 * pin, binds one per core (the team of a threaded case; else only the calling thread,
 * to core 0). Returns the binds that failed. */
int mlp_topo_place(mlp_topo *t, int threads, bool team, bool pin);
/* The CPU each of the case's threads last ran on, into cpus[0..threads) (-1 unknown). */
void mlp_topo_record_cpus(mlp_topo *t, int threads, bool team, int *cpus);

#endif
