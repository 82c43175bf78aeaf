/* counters.h: hardware counters around an interval, for bench: instructions retired
 * and CPU cycles of the calling process in user space, through Linux perf_event_open,
 * inherited by the threads it creates after opening (open before the OpenMP workers
 * exist). Where the OS offers none (no PMU in a VM, kernel.perf_event_paranoid, a
 * seccomp filter, not Linux) they are "unavailable" with the reason, every call stays
 * safe and every read gives "no value".
 *
 *   mlp_counters c;
 *   mlp_counters_open(&c);                 // c.available, else c.reason says why
 *   mlp_counters_start(&c); work(); mlp_counters_stop(&c);
 *   mlp_counter_values v;
 *   if (mlp_counters_read(&c, &v) && v.valid[MLP_COUNTER_INSTRUCTIONS]) ...
 *   mlp_counters_close(&c);
 *
 * The counters run from open to close; start and stop take snapshots, and a read is
 * their difference (robust where a reset would miss exited threads), scaled up when
 * the kernel multiplexed the PMU. MLPBENCH_FORCE_NO_COUNTERS=1 makes every open
 * report unavailable, so that path can be tested anywhere. */
#ifndef MLP_COUNTERS_H
#define MLP_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { MLP_COUNTER_INSTRUCTIONS = 0, MLP_COUNTER_CYCLES = 1 } mlp_counter;
enum { MLP_COUNTERS = 2 };

typedef struct mlp_counter_snapshot {
    uint64_t value, enabled, running; /* count; ns enabled; ns on the PMU */
} mlp_counter_snapshot;

typedef struct mlp_counters {
    bool available;   /* at least one counter is open */
    char reason[200]; /* why not, or why one is missing; "" when all are open */
    int fd[MLP_COUNTERS];                        /* -1: not open */
    bool started, stopped;
    mlp_counter_snapshot start[MLP_COUNTERS], stop[MLP_COUNTERS];
} mlp_counters;

typedef struct mlp_counter_values {
    bool valid[MLP_COUNTERS];     /* false: no value (not open, not measured, or never
                                     on the PMU during the interval) */
    uint64_t value[MLP_COUNTERS]; /* count over the interval, scaled if multiplexed */
    bool multiplexed;             /* a counter was on the PMU for part of it only */
} mlp_counter_values;

/* "instructions", "cycles" */
const char *mlp_counter_name(mlp_counter counter);

/* Opens the counters (PERF_COUNT_HW_INSTRUCTIONS, PERF_COUNT_HW_CPU_CYCLES); returns
 * c->available. */
bool mlp_counters_open(mlp_counters *c);
/* The same on two other perf events of one perf type (PERF_TYPE_*): the test opens the
 * software task clock, which needs no PMU, to check the available path anywhere. */
bool mlp_counters_open_events(mlp_counters *c, uint32_t type,
                              const uint64_t config[MLP_COUNTERS]);
/* Snapshots at the start and at the end of the interval; no-ops when unavailable. */
void mlp_counters_start(mlp_counters *c);
void mlp_counters_stop(mlp_counters *c);
/* The counts between start and stop. False when there is no value at all (v is then
 * all invalid); true when at least one counter has one. */
bool mlp_counters_read(const mlp_counters *c, mlp_counter_values *v);
void mlp_counters_close(mlp_counters *c);

#endif
