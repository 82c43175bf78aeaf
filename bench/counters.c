/* counters.c: instructions and cycles through perf_event_open (see counters.h). One
 * event per counter, each with inherit (a group read cannot be combined with inherit
 * on older kernels), user space only (what kernel.perf_event_paranoid 2 allows). */
#if defined(__linux__)
#define _GNU_SOURCE /* syscall() */
#endif
#include "counters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/perf_event.h>)
#define MLP_HAVE_PERF_EVENT 1
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

const char *mlp_counter_name(mlp_counter counter)
{
    return counter == MLP_COUNTER_INSTRUCTIONS ? "instructions" : "cycles";
}

/* Empties c (nothing open); true, with the reason, when MLPBENCH_FORCE_NO_COUNTERS
 * is set (to anything but "" or "0"). */
static bool init_forced_off(mlp_counters *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < MLP_COUNTERS; i++)
        c->fd[i] = -1;
    const char *force = getenv("MLPBENCH_FORCE_NO_COUNTERS");
    if (!force || !*force || strcmp(force, "0") == 0)
        return false;
    snprintf(c->reason, sizeof c->reason, "disabled by MLPBENCH_FORCE_NO_COUNTERS");
    return true;
}

#ifdef MLP_HAVE_PERF_EVENT

/* What an errno of perf_event_open usually means, for the reason. */
static void explain(int err, char *buf, size_t len)
{
    if (err == ENOENT || err == ENODEV || err == EOPNOTSUPP)
        snprintf(buf, len, " (no PMU in this VM?)");
    else if (err == ENOSYS)
        snprintf(buf, len, " (no perf events in this kernel or emulator)");
    else if (err == EACCES || err == EPERM) {
        int level = 0;
        FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
        if (f && fscanf(f, "%d", &level) == 1)
            snprintf(buf, len, " (kernel.perf_event_paranoid is %d, or a seccomp filter)",
                     level);
        else
            snprintf(buf, len, " (not permitted: perf_event_paranoid or a seccomp filter)");
        if (f)
            fclose(f);
    } else
        buf[0] = '\0';
}

static int open_event(uint32_t type, uint64_t config)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = type;
    a.config = config;
    a.inherit = 1;
    a.exclude_kernel = 1;
    a.exclude_hv = 1;
    a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &a, 0 /* this process */, -1 /* any CPU */,
                        -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
}

bool mlp_counters_open_events(mlp_counters *c, uint32_t type,
                              const uint64_t config[MLP_COUNTERS])
{
    if (init_forced_off(c))
        return false;
    int failed = 0, first_errno = 0;
    mlp_counter missing = MLP_COUNTER_INSTRUCTIONS;
    for (int i = 0; i < MLP_COUNTERS; i++) {
        c->fd[i] = open_event(type, config[i]);
        if (c->fd[i] < 0 && failed++ == 0) {
            first_errno = errno;
            missing = (mlp_counter)i;
        }
    }
    c->available = failed < MLP_COUNTERS;
    if (failed) {
        char hint[96];
        explain(first_errno, hint, sizeof hint);
        snprintf(c->reason, sizeof c->reason, "%s%sperf_event_open: %s%s",
                 c->available ? mlp_counter_name(missing) : "",
                 c->available ? " unavailable: " : "", strerror(first_errno), hint);
    }
    return c->available;
}

bool mlp_counters_open(mlp_counters *c)
{
    const uint64_t config[MLP_COUNTERS] = {PERF_COUNT_HW_INSTRUCTIONS,
                                           PERF_COUNT_HW_CPU_CYCLES};
    return mlp_counters_open_events(c, PERF_TYPE_HARDWARE, config);
}

static void snapshot(const mlp_counters *c, mlp_counter_snapshot s[MLP_COUNTERS])
{
    for (int i = 0; i < MLP_COUNTERS; i++) {
        uint64_t buf[3] = {0, 0, 0};
        if (c->fd[i] < 0 || read(c->fd[i], buf, sizeof buf) != (ssize_t)sizeof buf)
            buf[0] = buf[1] = buf[2] = 0;
        s[i] = (mlp_counter_snapshot){buf[0], buf[1], buf[2]};
    }
}

void mlp_counters_close(mlp_counters *c)
{
    for (int i = 0; i < MLP_COUNTERS; i++) {
        if (c->fd[i] >= 0)
            close(c->fd[i]);
        c->fd[i] = -1;
    }
    c->available = false;
    c->started = c->stopped = false;
}

#else /* no perf_event_open */

bool mlp_counters_open_events(mlp_counters *c, uint32_t type,
                              const uint64_t config[MLP_COUNTERS])
{
    (void)type;
    (void)config;
    if (!init_forced_off(c))
        snprintf(c->reason, sizeof c->reason, "no perf_event_open on this system");
    return false;
}

bool mlp_counters_open(mlp_counters *c)
{
    const uint64_t none[MLP_COUNTERS] = {0, 0};
    return mlp_counters_open_events(c, 0, none);
}

static void snapshot(const mlp_counters *c, mlp_counter_snapshot s[MLP_COUNTERS])
{
    (void)c;
    memset(s, 0, MLP_COUNTERS * sizeof s[0]);
}

void mlp_counters_close(mlp_counters *c)
{
    c->available = false;
    c->started = c->stopped = false;
}

#endif

void mlp_counters_start(mlp_counters *c)
{
    if (!c->available)
        return;
    snapshot(c, c->start);
    c->started = true;
    c->stopped = false;
}

void mlp_counters_stop(mlp_counters *c)
{
    if (!c->available || !c->started)
        return;
    snapshot(c, c->stop);
    c->stopped = true;
}

bool mlp_counters_read(const mlp_counters *c, mlp_counter_values *v)
{
    memset(v, 0, sizeof *v);
    if (!c->available || !c->stopped)
        return false;
    bool any = false;
    for (int i = 0; i < MLP_COUNTERS; i++) {
        const mlp_counter_snapshot *a = &c->start[i], *b = &c->stop[i];
        uint64_t enabled = b->enabled - a->enabled, running = b->running - a->running;
        if (c->fd[i] < 0 || running == 0 || b->value < a->value)
            continue;
        uint64_t count = b->value - a->value;
        if (running < enabled) { /* on the PMU part of the time: extrapolate */
            count = (uint64_t)((double)count * (double)enabled / (double)running);
            v->multiplexed = true;
        }
        v->valid[i] = true;
        v->value[i] = count;
        any = true;
    }
    return any;
}
