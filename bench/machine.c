/* machine.c: the machine and build description (see machine.h). Facts come from hwloc,
 * the CPU feature probe, uname, /proc, /sys, git (run at run time, with the commit
 * seen at configure time as a fallback) and the OpenMP runtime. */
#define _GNU_SOURCE /* dladdr */
#include <ctype.h>
#include <dlfcn.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "dist.h"
#include "kernels.h"
#include "machine.h"

extern char **environ;

#ifndef MLP_C_COMPILER
#define MLP_C_COMPILER "unknown"
#endif
#ifndef MLP_C_FLAGS
#define MLP_C_FLAGS ""
#endif
#ifndef MLP_BUILD_TYPE
#define MLP_BUILD_TYPE ""
#endif
#ifndef MLP_TEST_SLOWDOWN_TEXT /* "" except in test builds slowed on purpose */
#define MLP_TEST_SLOWDOWN_TEXT ""
#endif
#ifndef MLP_SOURCE_DIR
#define MLP_SOURCE_DIR "."
#endif
#ifndef MLP_GIT_COMMIT /* configure-time fallback, "" if none */
#define MLP_GIT_COMMIT ""
#endif
#ifndef MLP_GIT_DIRTY
#define MLP_GIT_DIRTY 0
#endif

/* The first line of a file without its newline; false if unreadable or empty. */
static bool read_line(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(out, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        out[strcspn(out, "\n")] = '\0';
    return ok && *out;
}

/* The value after "key<spaces>:" on the first matching line of /proc/cpuinfo. */
static bool cpuinfo_value(const char *key, char *out, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[4096];
    bool found = false;
    size_t klen = strlen(key);
    while (!found && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, key, klen) != 0 || !colon || strspn(line + klen, " \t") != (size_t)(colon - line - (ptrdiff_t)klen))
            continue;
        snprintf(out, len, "%s", colon + 1 + strspn(colon + 1, " \t"));
        out[strcspn(out, "\n")] = '\0';
        found = true;
    }
    fclose(f);
    return found;
}

static void describe_hypervisor(mlp_machine *m)
{
    m->hypervisor[0] = '\0';
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 31)))
        return;
    __cpuid(0x40000000, a, b, c, d);
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &c, 4);
    memcpy(vendor + 8, &d, 4);
    vendor[12] = '\0';
    if (strncmp(vendor, "KVMKVMKVM", 9) == 0)
        snprintf(m->hypervisor, sizeof m->hypervisor, "KVM");
    else
        snprintf(m->hypervisor, sizeof m->hypervisor, "%s", *vendor ? vendor : "unknown");
#endif
}

static void describe_os(mlp_machine *m)
{
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(m->os, sizeof m->os, "%s", u.sysname);
        snprintf(m->kernel, sizeof m->kernel, "%s", u.release);
        snprintf(m->arch, sizeof m->arch, "%s", u.machine);
    } else {
        snprintf(m->os, sizeof m->os, "unknown");
        snprintf(m->kernel, sizeof m->kernel, "unknown");
        snprintf(m->arch, sizeof m->arch, "unknown");
    }
    if (gethostname(m->hostname, sizeof m->hostname) != 0 || !*m->hostname)
        snprintf(m->hostname, sizeof m->hostname, "unknown");
    m->hostname[sizeof m->hostname - 1] = '\0';
    char pretty[128];
    if (cpuinfo_value("cpu MHz", pretty, sizeof pretty))
        m->mhz = atof(pretty);
    describe_hypervisor(m);
}

static void describe_governor_and_load(mlp_machine *m)
{
    m->governor_known =
        read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", m->governor,
                  sizeof m->governor);
    if (!m->governor_known)
        snprintf(m->governor, sizeof m->governor, "unknown (no cpufreq)");
    m->governor_fixed = m->governor_known && strcmp(m->governor, "performance") == 0;
    char line[128];
    m->loadavg[0] = m->loadavg[1] = m->loadavg[2] = -1;
    if (read_line("/proc/loadavg", line, sizeof line))
        sscanf(line, "%lf %lf %lf", &m->loadavg[0], &m->loadavg[1], &m->loadavg[2]);
}

/* Runs a shell command; its first output line into out. Returns its exit status
 * (-1 if it could not run). */
static int run_command(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    out[0] = '\0';
    if (fgets(out, (int)len, p))
        out[strcspn(out, "\n")] = '\0';
    char rest[256];
    while (fgets(rest, sizeof rest, p))
        ;
    int status = pclose(p);
    return status;
}

/* git -C '<source dir>' <args> with the directory quoted for the shell. */
static int run_git(const char *args, char *out, size_t len)
{
    char quoted[1024] = "'", cmd[1400];
    size_t q = 1;
    for (const char *s = MLP_SOURCE_DIR; *s && q < sizeof quoted - 6; s++) {
        if (*s == '\'') {
            memcpy(quoted + q, "'\\''", 4);
            q += 4;
        } else {
            quoted[q++] = *s;
        }
    }
    quoted[q++] = '\'';
    quoted[q] = '\0';
    snprintf(cmd, sizeof cmd, "git -C %s %s 2>/dev/null", quoted, args);
    return run_command(cmd, out, len);
}

static void describe_git(mlp_machine *m)
{
    char line[256];
    m->git_dirty = false;
    if (run_git("rev-parse --verify -q HEAD", line, sizeof line) == 0 && strlen(line) >= 40) {
        snprintf(m->git_commit, sizeof m->git_commit, "%.64s", line);
        m->git_dirty = run_git("status --porcelain --untracked-files=no", line, sizeof line) ==
                           0 && *line;
        snprintf(m->git_source, sizeof m->git_source, "run time");
        return;
    }
    bool checkout = run_git("rev-parse --git-dir", line, sizeof line) == 0;
    if (*MLP_GIT_COMMIT) {
        snprintf(m->git_commit, sizeof m->git_commit, "%s", MLP_GIT_COMMIT);
        m->git_dirty = MLP_GIT_DIRTY;
        snprintf(m->git_source, sizeof m->git_source, "configure time");
        return;
    }
    snprintf(m->git_commit, sizeof m->git_commit, "unknown");
    snprintf(m->git_source, sizeof m->git_source, "%s",
             checkout ? "git checkout without commits" : "not a git checkout (or no git)");
}

static void describe_openmp(mlp_machine *m)
{
#ifdef _OPENMP
    m->omp_version = _OPENMP;
#endif
    m->omp_max_threads = omp_get_max_threads();
    m->omp_num_procs = omp_get_num_procs();
    Dl_info info;
    snprintf(m->omp_library, sizeof m->omp_library, "unknown");
    if (dladdr((void *)(size_t)&omp_get_max_threads, &info) && info.dli_fname)
        snprintf(m->omp_library, sizeof m->omp_library, "%s", info.dli_fname);
    m->n_env = 0;
    for (char **e = environ; e && *e && m->n_env < MLP_MACHINE_MAX_ENV; e++)
        if (strncmp(*e, "OMP_", 4) == 0 || strncmp(*e, "GOMP_", 5) == 0 ||
            strncmp(*e, "KMP_", 4) == 0)
            snprintf(m->env[m->n_env++], sizeof m->env[0], "%s", *e);
}

static void describe_dates(mlp_machine *m)
{
    time_t now = time(NULL);
    struct tm local, utc;
    localtime_r(&now, &local);
    gmtime_r(&now, &utc);
    char zone[8] = "+0000";
    strftime(m->date_local, sizeof m->date_local, "%Y-%m-%dT%H:%M:%S", &local);
    strftime(zone, sizeof zone, "%z", &local);
    size_t n = strlen(m->date_local);
    snprintf(m->date_local + n, sizeof m->date_local - n, "%.3s:%.2s", zone, zone + 3);
    strftime(m->date_utc, sizeof m->date_utc, "%Y%m%dT%H%M%SZ", &utc);
}

void mlp_machine_describe(mlp_machine *m)
{
    memset(m, 0, sizeof *m);
    mlp_topo *t = mlp_topo_this_machine();
    if (t) {
        mlp_topo_describe(t, &m->topo);
    } else {
        snprintf(m->topo.cpu_model, sizeof m->topo.cpu_model, "unknown");
        snprintf(m->topo.cpu_vendor, sizeof m->topo.cpu_vendor, "unknown");
        snprintf(m->topo.cpu_id, sizeof m->topo.cpu_id, "unknown");
        m->topo.packages = m->topo.cores = m->topo.pus = m->topo.numa_nodes = 1;
    }
    snprintf(m->features, sizeof m->features, "%s", mlp_cpu_feature_string());
    describe_os(m);
    describe_governor_and_load(m);
    snprintf(m->compiler, sizeof m->compiler, "%s", MLP_C_COMPILER);
    snprintf(m->cflags, sizeof m->cflags, "%s", MLP_C_FLAGS);
    snprintf(m->build_type, sizeof m->build_type, "%s", *MLP_BUILD_TYPE ? MLP_BUILD_TYPE : "none");
    describe_git(m);
    describe_openmp(m);
    describe_dates(m);
}

int mlp_machine_warnings(const mlp_machine *m, bool pinned, char warn[][200], int max)
{
    int n = 0;
    if (!pinned && n < max)
        snprintf(warn[n++], 200, "threads are not pinned (--pin none): the OS may move them");
    if (!m->governor_known && n < max)
        snprintf(warn[n++], 200, "cannot tell whether the CPU clock is fixed: no cpufreq "
                                 "governor in /sys (virtual machine?)");
    else if (!m->governor_fixed && n < max)
        snprintf(warn[n++], 200, "CPU frequency governor is '%s', not 'performance': the "
                                 "clock may change during the run", m->governor);
    if (m->loadavg[0] >= 0.5 * m->topo.pus && n < max)
        snprintf(warn[n++], 200, "machine is loaded: 1-minute load average %.2f on %d "
                                 "processing units", m->loadavg[0], m->topo.pus);
    return n;
}

/* "family 25 model 17 stepping 1" as "f25 m17 s1" (each word's first letter), "" for
 * "unknown". */
static void short_cpu_id(const char *id, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    if (strcmp(id, "unknown") == 0)
        return;
    char word[32];
    int used;
    for (const char *p = id; sscanf(p, "%31s%n", word, &used) == 1 && o + 1 < len; p += used) {
        bool number = isdigit((unsigned char)word[0]);
        int w = snprintf(out + o, len - o, "%s%.*s", number || o == 0 ? "" : " ",
                         number ? 31 : 1, word);
        if (w > 0 && (size_t)w < len - o)
            o += (size_t)w;
    }
}

void mlp_machine_slug(const mlp_machine *m, char *out, size_t len)
{
    char id[64], src[320];
    short_cpu_id(m->topo.cpu_id, id, sizeof id);
    bool host = strcmp(m->hostname, "unknown") != 0 && *m->hostname;
    snprintf(src, sizeof src, "%s %s %s", host ? m->hostname : "", m->topo.cpu_model, id);
    size_t o = 0;
    bool dash = false;
    for (const char *s = src; *s && o + 1 < len; s++) {
        if (isalnum((unsigned char)*s)) {
            if (dash && o > 0 && o + 2 < len)
                out[o++] = '-';
            out[o++] = (char)tolower((unsigned char)*s);
            dash = false;
        } else {
            dash = true;
        }
    }
    if (o == 0 && len > 7)
        o = (size_t)snprintf(out, len, "machine");
    out[o < len ? o : len - 1] = '\0';
}

/* ---- JSON ---- */

static json_t *features_json(const char *features)
{
    json_t *a = json_array();
    char buf[128];
    snprintf(buf, sizeof buf, "%s", features);
    char *save = NULL;
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        json_array_append_new(a, json_string(tok));
    return a;
}

static json_t *caches_json(const mlp_topo_info *t)
{
    json_t *a = json_array();
    for (int i = 0; i < t->ncaches; i++) {
        const mlp_cache_info *c = &t->caches[i];
        json_array_append_new(
            a, json_pack("{s:i, s:s, s:I, s:i, s:i, s:i, s:i}", "level", c->level, "type",
                         c->type, "size", (json_int_t)c->size, "linesize", (int)c->linesize,
                         "instances", c->instances, "pus_sharing", c->pus_sharing,
                         "cores_sharing", c->cores_sharing));
    }
    return a;
}

static json_t *topology_json(const mlp_topo_info *t)
{
    return json_pack("{s:i, s:i, s:i, s:i, s:I, s:o}", "packages", t->packages, "cores",
                     t->cores, "pus", t->pus, "numa_nodes", t->numa_nodes, "memory_bytes",
                     (json_int_t)t->memory_bytes, "caches", caches_json(t));
}

static json_t *openmp_json(const mlp_machine *m)
{
    json_t *env = json_object();
    for (int i = 0; i < m->n_env; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s", m->env[i]);
        char *eq = strchr(name, '=');
        if (eq) {
            *eq = '\0';
            json_object_set_new(env, name, json_string(eq + 1));
        }
    }
    return json_pack("{s:i, s:s, s:i, s:i, s:o}", "version", m->omp_version, "library",
                     m->omp_library, "max_threads", m->omp_max_threads, "num_procs",
                     m->omp_num_procs, "env", env);
}

static json_t *nullable_number(double v)
{
    return v > 0 ? json_real(v) : json_null();
}

json_t *mlp_machine_json(const mlp_machine *m)
{
    json_t *load = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(load, m->loadavg[i] >= 0 ? json_real(m->loadavg[i]) : json_null());
    json_t *cpu = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s?}", "model", m->topo.cpu_model,
                            "vendor", m->topo.cpu_vendor, "id", m->topo.cpu_id, "features",
                            features_json(m->features), "mhz",
                            nullable_number(m->mhz), "hypervisor",
                            *m->hypervisor ? m->hypervisor : NULL);
    json_t *os = json_pack("{s:s, s:s, s:s}", "name", m->os, "kernel", m->kernel, "arch", m->arch);
    json_t *gov = json_pack("{s:s, s:b, s:b}", "name", m->governor, "known", m->governor_known,
                            "fixed", m->governor_fixed);
    json_t *git = json_pack("{s:s, s:b, s:s}", "commit", m->git_commit, "dirty", m->git_dirty,
                            "source", m->git_source);
    json_t *build = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "version", MLP_VERSION,
                              "compiler", m->compiler, "flags", m->cflags, "build_type",
                              m->build_type, "git", git, "test_slowdown",
                              *MLP_TEST_SLOWDOWN_TEXT ? json_string(MLP_TEST_SLOWDOWN_TEXT)
                                                      : json_null(),
                              "mpi", mlp_dist_built() ? json_string(mlp_dist_library())
                                                      : json_null());
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "host_name",
                     m->hostname, "cpu", cpu, "topology", topology_json(&m->topo), "os", os,
                     "governor", gov, "load_avg", load, "build", build, "openmp",
                     openmp_json(m), "date", m->date_local, "date_utc", m->date_utc);
}

/* ---- text ---- */

static void print_size(FILE *f, unsigned long long bytes)
{
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        fprintf(f, "%llu GiB", bytes >> 30);
    else if (bytes >= (1ull << 20))
        fprintf(f, "%.1f MiB", (double)bytes / (1 << 20));
    else
        fprintf(f, "%llu KiB", bytes >> 10);
}

static void print_caches(FILE *f, const mlp_topo_info *t)
{
    for (int i = 0; i < t->ncaches; i++) {
        const mlp_cache_info *c = &t->caches[i];
        fprintf(f, "  L%d %-11s ", c->level, c->type);
        print_size(f, c->size);
        fprintf(f, " x %d, %u-byte lines, shared by %d core%s (%d PU%s)\n", c->instances,
                c->linesize, c->cores_sharing, c->cores_sharing == 1 ? "" : "s", c->pus_sharing,
                c->pus_sharing == 1 ? "" : "s");
    }
}

void mlp_machine_print(FILE *f, const mlp_machine *m)
{
    const mlp_topo_info *t = &m->topo;
    fprintf(f, "Host:        %s (%s %s, %s)%s%s\n", m->hostname, m->os, m->kernel, m->arch,
            *m->hypervisor ? ", virtual machine: " : "", m->hypervisor);
    fprintf(f, "CPU:         %s (%s, %s)", t->cpu_model, t->cpu_vendor, t->cpu_id);
    if (m->mhz > 0)
        fprintf(f, ", %.0f MHz reported", m->mhz);
    fprintf(f, "\nTopology:    %d package%s, %d core%s, %d PU%s, %d NUMA node%s, memory ",
            t->packages, t->packages == 1 ? "" : "s", t->cores, t->cores == 1 ? "" : "s", t->pus,
            t->pus == 1 ? "" : "s", t->numa_nodes, t->numa_nodes == 1 ? "" : "s");
    print_size(f, t->memory_bytes);
    fprintf(f, "\nCaches:\n");
    print_caches(f, t);
    fprintf(f, "ISA:         %s\n", m->features);
    fprintf(f, "Governor:    %s\n", m->governor);
    fprintf(f, "Load:        %.2f %.2f %.2f\n", m->loadavg[0], m->loadavg[1], m->loadavg[2]);
    fprintf(f, "Compiler:    %s, %s build, flags: %s\n", m->compiler, m->build_type, m->cflags);
    fprintf(f, "MPI:         %s\n", mlp_dist_library());
    if (*MLP_TEST_SLOWDOWN_TEXT)
        fprintf(f, "Test build:  every epoch slowed by a fraction %s on purpose "
                   "(MLP_TEST_SLOWDOWN)\n", MLP_TEST_SLOWDOWN_TEXT);
    fprintf(f, "Git:         %s%s (%s)\n", m->git_commit, m->git_dirty ? " (dirty)" : "",
            m->git_source);
    fprintf(f, "OpenMP:      %d, %s, max threads %d, %d procs\n", m->omp_version, m->omp_library,
            m->omp_max_threads, m->omp_num_procs);
    for (int i = 0; i < m->n_env; i++)
        fprintf(f, "  %s\n", m->env[i]);
    if (m->n_env == 0)
        fprintf(f, "  (no OMP_*, GOMP_* or KMP_* variables set)\n");
}
