/* idx.h: reader for IDX files (the MNIST container format), raw or gzip-compressed. */
#ifndef MLP_IDX_H
#define MLP_IDX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_MAX_DIMS 4

typedef struct idx_array {
    unsigned ndim;                /* number of dimensions (1 for labels, 3 for images) */
    uint32_t dims[IDX_MAX_DIMS];  /* dims[0] is the record count actually read */
    size_t count;                 /* elements read: product of dims */
    uint8_t *data;                /* unsigned bytes (IDX type 0x08), malloc'd */
} idx_array;

/* Reads an IDX file of unsigned bytes with `ndim` dimensions, raw or gzip
 * (recognised by its first bytes, whatever the file name). Reads at most
 * `max_records` records along dims[0] (0: all). Validates the magic number,
 * the element type, the dimensions (no zero, no size overflow) and that the file
 * holds the whole payload. Returns 0, or -1 with a one-line message in err
 * naming the file, what was expected and what was found. */
int idx_read(const char *path, unsigned ndim, size_t max_records, idx_array *out, char *err,
             size_t errlen);
void idx_free(idx_array *a);

#endif
