/* idx.c: reads IDX files of unsigned bytes (the MNIST container), raw or gzip, with
 * full validation of the header and payload (see idx.h). zlib's gzread reads both:
 * it recognises gzip by the 1f 8b magic and passes any other file through unchanged. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "idx.h"

/* No header may claim more payload than this (16 GiB) or than size_t holds. */
#define IDX_MAX_PAYLOAD ((unsigned long long)1 << 34)
#define IDX_TYPE_UBYTE 0x08
#define READ_CHUNK ((size_t)1 << 30) /* gzread takes an unsigned int length */

typedef struct reader {
    gzFile gz;
    const char *path;
    char *err;
    size_t errlen;
} reader;

static int fail(const reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes "path: <message>" into the caller's buffer; always returns -1. */
static int fail(const reader *r, const char *fmt, ...)
{
    if (!r->err || r->errlen == 0)
        return -1;
    int n = snprintf(r->err, r->errlen, "%s: ", r->path);
    if (n >= 0 && (size_t)n < r->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* zlib's message without the "path: " prefix gzerror puts in front of it. */
static const char *gz_message(const reader *r, int *errnum)
{
    const char *msg = gzerror(r->gz, errnum);
    size_t plen = strlen(r->path);
    if (msg && strncmp(msg, r->path, plen) == 0 && strncmp(msg + plen, ": ", 2) == 0)
        msg += plen + 2;
    return msg ? msg : "unknown error";
}

/* Reads up to n bytes into buf and stores the count in *got; a short count means the
 * data ended. Returns -1 with a message on a read error or corrupt gzip data. */
static int read_some(const reader *r, void *buf, size_t n, size_t *got)
{
    unsigned char *p = buf;
    *got = 0;
    while (*got < n) {
        size_t want = n - *got < READ_CHUNK ? n - *got : READ_CHUNK;
        int k = gzread(r->gz, p + *got, (unsigned)want);
        if (k < 0) {
            int errnum;
            const char *msg = gz_message(r, &errnum);
            if (errnum == Z_ERRNO)
                return fail(r, "read error (%s)", msg);
            return fail(r, "corrupt gzip data (inflate: %s)", msg);
        }
        *got += (size_t)k;
        if ((size_t)k < want)
            break;
    }
    return 0;
}

/* After a short read: names a gzip stream that stopped before its end marker. */
static const char *short_read_note(const reader *r)
{
    int errnum;
    gz_message(r, &errnum);
    return errnum == Z_BUF_ERROR ? " (gzip stream ends early)" : "";
}

/* Reads exactly n header bytes described by `what`. */
static int read_header_part(const reader *r, void *buf, size_t n, size_t offset, const char *what)
{
    size_t got;
    if (read_some(r, buf, n, &got) != 0)
        return -1;
    if (got < n)
        return fail(r, "truncated header: expected %zu bytes (%s) at offset %zu, found %zu%s", n,
                    what, offset, got, short_read_note(r));
    return 0;
}

static int check_magic(const reader *r, const unsigned char m[4], unsigned ndim)
{
    if (m[0] != 0 || m[1] != 0)
        return fail(r, "bad magic number: expected 00 00 08 %02x (IDX), found %02x %02x %02x %02x",
                    ndim, m[0], m[1], m[2], m[3]);
    if (m[2] != IDX_TYPE_UBYTE)
        return fail(r, "wrong element type: expected 0x08 (unsigned byte), found 0x%02x", m[2]);
    if (m[3] != ndim)
        return fail(r, "wrong number of dimensions: expected %u, found %u", ndim, m[3]);
    return 0;
}

/* Decodes the big-endian dimensions; rejects zeros and payloads beyond the limit.
 * Stores the bytes per record (product of dims[1..]) in *record_bytes. */
static int check_dims(const reader *r, const unsigned char *raw, idx_array *a, size_t *record_bytes)
{
    unsigned long long limit = IDX_MAX_PAYLOAD < SIZE_MAX ? IDX_MAX_PAYLOAD : SIZE_MAX;
    unsigned long long total = 1;
    int overflow = 0;
    for (unsigned i = 0; i < a->ndim; i++) {
        const unsigned char *b = raw + 4 * i;
        a->dims[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
        if (a->dims[i] == 0)
            return fail(r, "zero dimension: dimension %u of %u is 0, expected > 0", i + 1,
                        a->ndim);
        if (!overflow && total > limit / a->dims[i])
            overflow = 1;
        else
            total *= a->dims[i];
    }
    if (overflow) {
        char shape[64] = "";
        for (unsigned i = 0; i < a->ndim; i++)
            snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%lu", i ? " x " : "",
                     (unsigned long)a->dims[i]);
        return fail(r, "dimension overflow: header claims %s bytes, expected at most %llu", shape,
                    limit);
    }
    *record_bytes = (size_t)(total / a->dims[0]);
    return 0;
}

/* Reads `bytes` of payload; when the whole file is wanted, also checks that nothing
 * follows it (which makes zlib verify the gzip checksum). */
static int read_payload(const reader *r, idx_array *a, size_t bytes, int whole)
{
    size_t got;
    if (read_some(r, a->data, bytes, &got) != 0)
        return -1;
    if (got < bytes)
        return fail(r, "truncated: expected %zu bytes of data, found %zu%s", bytes, got,
                    short_read_note(r));
    if (whole) {
        unsigned char extra;
        if (read_some(r, &extra, 1, &got) != 0)
            return -1;
        if (got != 0)
            return fail(r, "trailing data: expected %zu bytes of data, found more", bytes);
    }
    return 0;
}

/* Header, then the requested records. With a record limit below the file's count the
 * rest of the file is neither read nor checked: only the records returned must exist. */
static int read_all(const reader *r, unsigned ndim, size_t max_records, idx_array *out)
{
    unsigned char magic[4], raw[4 * IDX_MAX_DIMS];
    if (read_header_part(r, magic, 4, 0, "magic number") != 0)
        return -1;
    if (check_magic(r, magic, ndim) != 0)
        return -1;
    if (read_header_part(r, raw, 4 * (size_t)ndim, 4, "dimensions") != 0)
        return -1;
    out->ndim = ndim;
    size_t record_bytes = 0;
    if (check_dims(r, raw, out, &record_bytes) != 0)
        return -1;

    int whole = max_records == 0 || max_records >= out->dims[0];
    if (!whole)
        out->dims[0] = (uint32_t)max_records;
    out->count = out->dims[0] * record_bytes;
    out->data = malloc(out->count);
    if (!out->data)
        return fail(r, "out of memory: expected to allocate %zu bytes", out->count);
    return read_payload(r, out, out->count, whole);
}

int idx_read(const char *path, unsigned ndim, size_t max_records, idx_array *out, char *err,
             size_t errlen)
{
    reader r = {.gz = NULL, .path = path ? path : "(no path)", .err = err, .errlen = errlen};
    memset(out, 0, sizeof *out);
    if (ndim < 1 || ndim > IDX_MAX_DIMS)
        return fail(&r, "bad request: expected 1..%d dimensions, asked for %u", IDX_MAX_DIMS,
                    ndim);
    errno = 0;
    r.gz = path ? gzopen(path, "rb") : NULL;
    if (!r.gz)
        return fail(&r, "cannot open: %s", errno ? strerror(errno) : "out of memory");
    gzbuffer(r.gz, 1u << 17);
    int rc = read_all(&r, ndim, max_records, out);
    gzclose_r(r.gz);
    if (rc != 0)
        idx_free(out);
    return rc;
}

void idx_free(idx_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}
