/* progress.c: the progress line on stderr (see progress.h). */
#include <stdarg.h>
#include <stdio.h>

#include "progress.h"
#include "timer.h"

void mlp_progress_start(mlp_progress *p, bool on, size_t total)
{
    *p = (mlp_progress){.on = on, .total = total, .start = mlp_seconds_now()};
}

void mlp_progress_show(mlp_progress *p, const char *fmt, ...)
{
    double now = mlp_seconds_now();
    if (!p->on || now - p->shown < 0.1)
        return;
    p->shown = now;
    fprintf(stderr, "\r\033[K[%zu/%zu] ", p->done + 1, p->total);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (%.0f s)", now - p->start);
    fflush(stderr);
}

void mlp_progress_status(mlp_progress *p, const char *fmt, ...)
{
    if (!p->on)
        return;
    fprintf(stderr, "\r\033[K");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fflush(stderr);
}

void mlp_progress_clear(mlp_progress *p)
{
    if (p->on)
        fprintf(stderr, "\r\033[K");
}
