/* fuzz_idx_gz.c: fuzz target for the IDX reader behind gzip: the input is a file's
 * decompressed contents. The harness compresses it (one gzip member; two members
 * split where the input says; one member followed by a zero byte) and reads each
 * from memory, for every dimension count and a few record limits. Reading the gzip
 * forms must give what reading the contents raw gives (the same success or
 * failure, shape and payload), except that the byte after the stream must be
 * rejected whenever the whole file is read, and is not looked at otherwise.
 * Inputs that start with the gzip magic are skipped (raw, they would be gzip). */
#include <string.h>
#include <zlib.h>

#include "fuzz.h"
#include "idx.h"

/* Appends a gzip member holding in[0..n) at out + *len (room for it is there). */
static void gzip_member(const uint8_t *in, size_t n, uint8_t *out, size_t *len, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    FUZZ_CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK,
               "deflateInit2");
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out + *len;
    z.avail_out = (uInt)(cap - *len);
    FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
    *len = cap - z.avail_out;
    deflateEnd(&z);
}

static int same(const idx_array *a, const idx_array *b)
{
    return a->ndim == b->ndim && a->count == b->count && a->file_records == b->file_records &&
           memcmp(a->dims, b->dims, sizeof a->dims) == 0 &&
           memcmp(a->data, b->data, a->count) == 0;
}

static void check_message(int rc, const idx_array *a, const char *err)
{
    if (rc == 0)
        return;
    FUZZ_CHECK(rc == -1 && a->data == NULL, "rc %d, data %p", rc, (void *)a->data);
    FUZZ_CHECK(strncmp(err, "gz: ", 4) == 0 && !strchr(err, '\n'), "bad message: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        return 0;
    size_t cap = 2 * (size_t)compressBound((uLong)size) + 64, one = 0, two = 0;
    uint8_t *gz1 = malloc(cap + 1), *gz2 = malloc(cap);
    gzip_member(data, size, gz1, &one, cap);
    size_t split = size ? (size_t)data[size / 2] * size / 255 : 0;
    gzip_member(data, split, gz2, &two, cap);
    gzip_member(data + split, size - split, gz2, &two, cap);
    gz1[one] = 0; /* the trailing byte of the third form */

    static const size_t limits[] = {0, 1, 2};
    for (unsigned ndim = 1; ndim <= IDX_MAX_DIMS; ndim++) {
        for (size_t l = 0; l < sizeof limits / sizeof limits[0]; l++) {
            size_t max = limits[l];
            char err[512], err1[512], err2[512], err3[512];
            idx_array raw, a1, a2, a3;
            int rc = idx_read_mem(data, size, "raw", ndim, max, &raw, err, sizeof err);
            int rc1 = idx_read_mem(gz1, one, "gz", ndim, max, &a1, err1, sizeof err1);
            int rc2 = idx_read_mem(gz2, two, "gz", ndim, max, &a2, err2, sizeof err2);
            int rc3 = idx_read_mem(gz1, one + 1, "gz", ndim, max, &a3, err3, sizeof err3);
            check_message(rc1, &a1, err1);
            check_message(rc2, &a2, err2);
            check_message(rc3, &a3, err3);
            FUZZ_CHECK(rc1 == rc && (rc != 0 || same(&raw, &a1)),
                       "raw and gzip differ: '%s' / '%s'", rc ? err : "ok", rc1 ? err1 : "ok");
            FUZZ_CHECK(rc2 == rc && (rc != 0 || same(&raw, &a2)),
                       "raw and two gzip members (split at %zu) differ: '%s' / '%s'", split,
                       rc ? err : "ok", rc2 ? err2 : "ok");
            int whole = rc == 0 && (max == 0 || max >= raw.file_records);
            if (whole)
                FUZZ_CHECK(rc3 == -1 && strstr(err3, "trailing data after the gzip stream"),
                           "a byte after the gzip stream was accepted: %s", rc3 ? err3 : "ok");
            else
                FUZZ_CHECK(rc3 == rc && (rc != 0 || same(&raw, &a3)),
                           "a byte after the gzip stream changed a partial read: %s",
                           rc3 ? err3 : "ok");
            idx_free(&raw);
            idx_free(&a1);
            idx_free(&a2);
            idx_free(&a3);
        }
    }
    free(gz1);
    free(gz2);
    return 0;
}
