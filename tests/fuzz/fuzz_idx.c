/* fuzz_idx.c: fuzz target for the IDX reader on files as stored, raw or gzip (the
 * input is the file). Each input is read from memory (idx_read_mem) and from a file
 * (idx_read, on a memory file, memfd_create, reached through /proc/self/fd), for every
 * dimension count and a few record limits. Both must agree exactly, and every
 * result must keep the reader's promises: on failure a one-line message starting
 * with the file's name and nothing left allocated; on success the shape asked for,
 * a payload of that size and, for a raw file, exactly the bytes after the header
 * (with nothing after them when the whole file was read). */
#define _GNU_SOURCE /* memfd_create */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "idx.h"

static int file_fd = -1;
static char file_path[64];

/* The input as a file, rewritten for every input: a memory file (no disk I/O). */
static const char *as_file(const uint8_t *data, size_t size)
{
    if (file_fd < 0) {
        file_fd = memfd_create("fuzz_idx", MFD_CLOEXEC);
        FUZZ_CHECK(file_fd >= 0, "memfd_create");
        snprintf(file_path, sizeof file_path, "/proc/self/fd/%d", file_fd);
    }
    FUZZ_CHECK(size == 0 || pwrite(file_fd, data, size, 0) == (ssize_t)size, "pwrite");
    FUZZ_CHECK(ftruncate(file_fd, (off_t)size) == 0, "ftruncate");
    return file_path;
}

static void check_result(const char *name, const uint8_t *data, size_t size, unsigned ndim,
                         size_t max, int rc, const idx_array *a, const char *err)
{
    size_t nlen = strlen(name);
    FUZZ_CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc != 0) {
        FUZZ_CHECK(a->data == NULL && a->count == 0, "data left after a failure: %s", err);
        FUZZ_CHECK(strncmp(err, name, nlen) == 0 && strncmp(err + nlen, ": ", 2) == 0 &&
                       err[nlen + 2] != '\0',
                   "message does not name the file: %s", err);
        FUZZ_CHECK(strchr(err, '\n') == NULL, "message is not one line: %s", err);
        return;
    }
    FUZZ_CHECK(a->ndim == ndim && a->data != NULL, "ndim %u, data %p", a->ndim, (void *)a->data);
    size_t count = 1;
    for (unsigned i = 0; i < ndim; i++) {
        FUZZ_CHECK(a->dims[i] > 0, "dimension %u is 0", i);
        count *= a->dims[i];
    }
    FUZZ_CHECK(count == a->count, "count %zu, product of dims %zu", a->count, count);
    int whole = max == 0 || max >= a->file_records;
    FUZZ_CHECK(a->dims[0] == (whole ? a->file_records : max), "read %u records of %u, max %zu",
               a->dims[0], a->file_records, max);
    volatile uint8_t last = a->data[a->count - 1]; /* the whole payload is there (ASan) */
    (void)last;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return;
    size_t header = 4 + 4 * (size_t)ndim;
    FUZZ_CHECK(size >= header + a->count, "payload of %zu from %zu bytes", a->count, size);
    FUZZ_CHECK(!whole || size == header + a->count, "%zu trailing bytes accepted",
               size - header - a->count);
    FUZZ_CHECK(memcmp(a->data, data + header, a->count) == 0, "payload differs from the file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t limits[] = {0, 1, 2};
    const char *path = as_file(data, size);
    for (unsigned ndim = 1; ndim <= IDX_MAX_DIMS; ndim++) {
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            char err[512] = "", ferr[512] = "";
            idx_array a, b;
            int rc = idx_read_mem(data, size, path, ndim, limits[l], &a, err, sizeof err);
            check_result(path, data, size, ndim, limits[l], rc, &a, err);
            int frc = idx_read(path, ndim, limits[l], &b, ferr, sizeof ferr);
            check_result(path, data, size, ndim, limits[l], frc, &b, ferr);
            FUZZ_CHECK(rc == frc && strcmp(err, ferr) == 0, "memory and file differ: '%s' / '%s'",
                       err, ferr);
            FUZZ_CHECK(rc != 0 || (a.count == b.count && a.dims[0] == b.dims[0] &&
                                   memcmp(a.data, b.data, a.count) == 0),
                       "memory and file read different data");
            idx_free(&a);
            idx_free(&b);
        }
    }
    return 0;
}
