/* timer.h: the clocks epochs and kernels are timed with: monotonic wall-clock seconds,
 * and CPU seconds of the process (all threads) or of the calling thread. */
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

/* The calling thread's CPU seconds: for work done on one thread, what OpenMP workers
 * still spinning after an earlier parallel region add to the process's is left out. */
static inline double mlp_thread_cpu_seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
