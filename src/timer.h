/* timer.h: the clocks epochs and kernels are timed with: monotonic wall-clock seconds,
 * and the process's CPU seconds (all threads). */
#ifndef MLP_TIMER_H
#define MLP_TIMER_H

#include <time.h>

static inline double mlp_seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double mlp_cpu_seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
