/* pages.c: big buffers in transparent huge pages (see pages.h).
 *
 * In a VM every 4 KiB page fault is a trip through the hypervisor (about 10 us on the
 * guests we measure on): the 7.8 MB of test images cost 1,900 faults, about 19 ms,
 * against 8 ms to decompress them, and a 784 KB buffer 200 faults, 2 ms. A 2 MiB page
 * is one fault and a 2 MiB clear (about 0.1 ms), so from 256 KiB on (64 faults) the
 * huge page wins even when most of it is never used. madvise is a hint: without THP
 * (or with THP off) the buffer is ordinary memory. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include <stdlib.h>
#include <sys/mman.h>

#include "pages.h"

enum { HUGE_PAGE = 2 << 20 };

void *mlp_pages_alloc(size_t bytes)
{
    if (bytes > (size_t)-1 - HUGE_PAGE)
        return NULL;
    size_t rounded = (bytes + 63) / 64 * 64;
    if (rounded < MLP_PAGES_HUGE_FROM)
        return aligned_alloc(64, rounded ? rounded : 64);
    rounded = (rounded + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, rounded);
    if (p)
        madvise(p, rounded, MADV_HUGEPAGE);
    return p;
}
