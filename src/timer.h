/* timer.h: monotonic wall-clock seconds for epoch and kernel timing. */
#ifndef MLP_TIMER_H
#define MLP_TIMER_H

#include <time.h>

static inline double mlp_seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
