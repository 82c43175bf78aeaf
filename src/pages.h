/* pages.h: big buffers that are cheap to fault in (see pages.c). */
#ifndef MLP_PAGES_H
#define MLP_PAGES_H

#include <stddef.h>

/* `bytes` of uncleared memory, 64-byte aligned, released with free(); NULL on
 * failure. From MLP_PAGES_HUGE_FROM bytes on, the buffer is aligned to 2 MiB, its
 * length rounded up to whole 2 MiB pages, and offered to the kernel for transparent
 * huge pages. */
void *mlp_pages_alloc(size_t bytes);

/* The size from which mlp_pages_alloc asks for huge pages (256 KiB). */
#define MLP_PAGES_HUGE_FROM ((size_t)256 << 10)

#endif
