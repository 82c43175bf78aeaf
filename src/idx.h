/* idx.h: reader for IDX files (the MNIST container format), raw or gzip-compressed,
 * from a file or from a memory buffer. */
#ifndef MLP_IDX_H
#define MLP_IDX_H

#include <stddef.h>
#include <stdint.h>

#define IDX_MAX_DIMS 4

typedef struct idx_array {
    unsigned ndim;                /* number of dimensions (1 for labels, 3 for images) */
    uint32_t dims[IDX_MAX_DIMS];  /* dims[0] is the record count actually read */
    uint32_t file_records;        /* the record count in the header (>= dims[0]) */
    size_t count;                 /* elements read: product of dims */
    uint8_t *data;                /* unsigned bytes (IDX type 0x08), malloc'd */
} idx_array;

/* Reads an IDX file of unsigned bytes with `ndim` dimensions, raw or gzip
 * (recognised by its first bytes, whatever the file name; concatenated gzip members
 * are read as one stream, as gzip -d does). Reads at most `max_records` records
 * along dims[0] (0: all). Validates the magic number, the element type, the
 * dimensions (no zero, no size overflow) and that the file holds the whole payload;
 * when all records are read, also that nothing follows the payload or the gzip
 * stream. Only a regular file (after following symbolic links) is read: a folder,
 * FIFO, socket or device is reported without being read, and opening never blocks.
 * Memory grows only with the data actually found: a header claiming more than the
 * file holds fails before a large allocation. Returns 0, or -1 with a one-line
 * message in err naming the file, what was expected and what was found. */
int idx_read(const char *path, unsigned ndim, size_t max_records, idx_array *out, char *err,
             size_t errlen);

/* The same on the `len` bytes at `data` (the whole file's contents); `name` stands
 * for the file in messages. */
int idx_read_mem(const void *data, size_t len, const char *name, unsigned ndim,
                 size_t max_records, idx_array *out, char *err, size_t errlen);

/* What is at `path`, as a data file: 0 for a regular file (after following symbolic
 * links), 1 when nothing is there (no such name, not even a dangling link), -1 for
 * anything else with a one-line message in err: "PATH: is a directory, expected a
 * regular file", a FIFO, socket or device, "dangling symbolic link", "symlink loop",
 * "permission denied". Does not open the file. */
int idx_probe(const char *path, char *err, size_t errlen);

void idx_free(idx_array *a);

#endif
