/* machine.h: the description of the machine and build a benchmark ran on: hwloc's
 * topology, the ISA features seen at run time, OS and kernel, compiler and flags, git
 * commit and whether the tree was dirty, the OpenMP runtime and the OMP_* settings in
 * force, the frequency governor and the load; as text (`mlpbench info`) or JSON (the
 * context block of a result file). */
#ifndef MLP_MACHINE_H
#define MLP_MACHINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "topo.h"

enum { MLP_MACHINE_MAX_ENV = 32, MLP_MACHINE_MAX_WARNINGS = 8 };

typedef struct mlp_machine {
    mlp_topo_info topo;
    char features[128];        /* mlp_cpu_feature_string() */
    char hostname[128];
    char os[72], kernel[72], arch[72]; /* uname */
    char hypervisor[32];       /* "" on bare metal or if unknown */
    double mhz;                /* "cpu MHz" of /proc/cpuinfo, 0 if unknown */
    char governor[64];         /* scaling_governor, or "unknown (no cpufreq)" */
    bool governor_known, governor_fixed; /* fixed: "performance" */
    double loadavg[3];         /* -1 if unknown */
    char compiler[96], cflags[512], build_type[32];
    char git_commit[72];       /* 40 (or 64) hex digits, or "unknown" */
    bool git_dirty;            /* tracked files changed (untracked files do not count) */
    char git_source[64];       /* "run time", "configure time", or why unknown */
    int omp_version;           /* _OPENMP, e.g. 201511 */
    char omp_library[256];     /* file of the runtime, e.g. /usr/lib/.../libgomp.so.1 */
    int omp_max_threads, omp_num_procs;
    int n_env;
    char env[MLP_MACHINE_MAX_ENV][160]; /* OMP_*, GOMP_*, KMP_* as NAME=VALUE */
    char date_local[40];       /* 2024-01-31T12:00:00+01:00 (Google Benchmark's "date") */
    char date_utc[24];         /* 20240131T110000Z (result file names) */
} mlp_machine;

/* Fills everything (a few ms: loads the topology, runs git). Never fails: whatever
 * cannot be found is marked unknown. */
void mlp_machine_describe(mlp_machine *m);

/* Warnings about the conditions of a benchmark run: threads not pinned, a frequency
 * governor that is not fixed (or unknown), a loaded machine. Returns the count. */
int mlp_machine_warnings(const mlp_machine *m, bool pinned,
                         char warn[][200], int max);

/* A file-name-safe name for the machine: its host name, CPU model and CPU id in short,
 * in lower case with runs of other characters as '-': "vm-amd-epyc-f25-m17-s1" (a VM's
 * host name and model name alone do not tell machines apart). */
void mlp_machine_slug(const mlp_machine *m, char *out, size_t len);

/* The description as a JSON object (new reference; NULL on allocation failure). */
json_t *mlp_machine_json(const mlp_machine *m);
/* The description as text, for `mlpbench info`. */
void mlp_machine_print(FILE *f, const mlp_machine *m);

#endif
