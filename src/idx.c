/* idx.c: reads IDX files of unsigned bytes (the MNIST container), raw or gzip, from a
 * file or a memory buffer, with full validation of the header and payload (see idx.h).
 *
 * Three layers. The input (a file descriptor or a buffer) gives the bytes as stored.
 * The stream passes them through, or inflates them when they start with the gzip
 * magic 1f 8b: concatenated members are one stream, as for gzip -d, and anything
 * else after the last member is an error (zlib's gzread silently ignores it). The
 * parser checks the header, then reads the payload. A raw input's length is known,
 * so the payload is checked against it before anything is allocated; a gzip
 * stream's is not (the trailer's ISIZE is modulo 2^32 and unchecked until the end,
 * so it is not used), so the payload buffer grows geometrically as data arrives, up
 * to what the header claims.
 *
 * A fast path for start-up: a gzip input that is read whole (or small) is first
 * decompressed in one go by libdeflate (about three times zlib's speed) and the result
 * parsed as a raw input. It only ever gives a success: anything it cannot take (a
 * corrupt or unusual stream, bytes after it, a payload the parser refuses) falls back
 * to the streaming reader above, whose messages say what is wrong, so results and
 * errors are the same either way. */
#define ZLIB_CONST
#include <libdeflate.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "pages.h"

/* No header may claim more payload than this (16 GiB) or than size_t holds. */
#define IDX_MAX_PAYLOAD ((unsigned long long)1 << 34)
#define IDX_TYPE_UBYTE 0x08
#define READ_CHUNK ((size_t)1 << 30) /* at most this much per read() or inflate() */
/* Both overridable at build time: the fuzz targets make them tiny, so that chunk
 * boundaries and buffer growth occur in small inputs too. */
#ifndef IDX_IN_CHUNK
#define IDX_IN_CHUNK ((size_t)1 << 17) /* compressed bytes read from a file at a time */
#endif
#ifndef IDX_GROW_START
#define IDX_GROW_START ((size_t)1 << 20) /* first payload buffer for gzip data */
#endif
#define IN_CHUNK ((size_t)(IDX_IN_CHUNK < 8 ? 8 : IDX_IN_CHUNK)) /* gz_need asks for 8 */

typedef struct reader {
    const char *path;
    char *err;
    size_t errlen;
    int fd;                   /* the file, or -1 for a memory buffer */
    const unsigned char *mem; /* the buffer */
    unsigned long long size;  /* bytes stored: the file's length or the buffer's */
    unsigned long long taken; /* bytes taken from the input so far */
    int gzip;
    int z_ready;      /* inflateInit2 succeeded */
    int member_done;  /* inflate reached the end of a gzip member */
    int ended_early;  /* the input ended inside a gzip member */
    int z_error;      /* an inflate error not reported yet (bytes before it came first) */
    z_stream z;
    unsigned char *inbuf; /* a file's compressed bytes for inflate: IN_CHUNK */
    unsigned char *donated; /* the fast path's buffer, which is mem: the payload is moved
                               to its front and handed over instead of copied */
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

/* ---- what is at a path ---- */

static const char *errno_phrase(int e)
{
    switch (e) {
    case ENOENT: return "no such file";
    case EACCES:
    case EPERM: return "permission denied";
    case ELOOP: return "symlink loop (too many levels of symbolic links)";
    case ENOTDIR: return "a folder in the path is not a folder";
    case EISDIR: return "is a directory";
    default: return strerror(e);
    }
}

static const char *type_phrase(mode_t m)
{
    if (S_ISDIR(m))
        return "is a directory";
    if (S_ISFIFO(m))
        return "is a FIFO (named pipe)";
    if (S_ISSOCK(m))
        return "is a socket";
    if (S_ISCHR(m))
        return "is a character device";
    if (S_ISBLK(m))
        return "is a block device";
    return "is not a regular file";
}

int idx_probe(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISREG(st.st_mode))
            return 0;
        snprintf(err, errlen, "%s: %s, expected a regular file", path, type_phrase(st.st_mode));
        return -1;
    }
    int e = errno;
    if (e == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char target[256];
        ssize_t n = readlink(path, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        for (char *c = target; *c; c++) /* the message stays one line */
            if ((unsigned char)*c < 0x20)
                *c = '?';
        snprintf(err, errlen, "%s: dangling symbolic link (to '%s', which does not exist), "
                 "expected a regular file", path, target);
        return -1;
    }
    if (e == ENOENT)
        return 1;
    snprintf(err, errlen, "%s: %s, expected a regular file", path, errno_phrase(e));
    return -1;
}

/* ---- the input: stored bytes from a file or a buffer ---- */

/* Takes up to n stored bytes; *got < n only at the end of the input. */
static int input_take(reader *r, unsigned char *buf, size_t n, size_t *got)
{
    *got = 0;
    if (r->fd < 0) {
        unsigned long long left = r->size - r->taken;
        *got = n < left ? n : (size_t)left;
        if (*got)
            memcpy(buf, r->mem + r->taken, *got);
        r->taken += *got;
        return 0;
    }
    while (*got < n) {
        size_t want = n - *got < READ_CHUNK ? n - *got : READ_CHUNK;
        ssize_t k = read(r->fd, buf + *got, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return fail(r, "read error (%s)", strerror(errno));
        if (k == 0)
            break;
        *got += (size_t)k;
        r->taken += (size_t)k;
    }
    return 0;
}

/* Makes at least `want` stored bytes available to inflate, unless the input ends. */
static int gz_need(reader *r, unsigned want)
{
    while (r->z.avail_in < want) {
        size_t more;
        if (r->fd < 0) { /* a buffer: widen the window (next_in + avail_in == mem + taken) */
            unsigned long long left = r->size - r->taken;
            size_t room = UINT_MAX - r->z.avail_in;
            more = left < room ? (size_t)left : room;
            if (more == 0)
                return 0;
            r->z.next_in = r->mem + (r->taken - r->z.avail_in);
            r->taken += more;
        } else { /* a file: keep the unread bytes at the start of inbuf, read after them */
            if (r->z.avail_in)
                memmove(r->inbuf, r->z.next_in, r->z.avail_in);
            r->z.next_in = r->inbuf;
            if (input_take(r, r->inbuf + r->z.avail_in, IN_CHUNK - r->z.avail_in, &more) != 0)
                return -1;
            if (more == 0)
                return 0;
        }
        r->z.avail_in += (uInt)more;
    }
    return 0;
}

/* ---- the stream: the file's contents, inflated when gzip ---- */

static int gz_start(reader *r)
{
    if (r->fd >= 0 && !(r->inbuf = malloc(IN_CHUNK)))
        return fail(r, "out of memory: expected to allocate %zu bytes", IN_CHUNK);
    int rc = inflateInit2(&r->z, 16 + MAX_WBITS); /* 16: gzip wrapper only */
    if (rc != Z_OK)
        return fail(r, "cannot start inflate (%s)", zError(rc));
    r->z_ready = 1;
    return 0;
}

static int inflate_error(const reader *r, int rc)
{
    if (rc == Z_MEM_ERROR)
        return fail(r, "out of memory (inflate)");
    return fail(r, "corrupt gzip data (inflate: %s)", r->z.msg ? r->z.msg : zError(rc));
}

/* Bytes after the last gzip member that do not start another one. */
static int trailing_after_gzip(reader *r)
{
    if (gz_need(r, 8) != 0)
        return -1;
    unsigned long long at = r->taken - r->z.avail_in;
    unsigned long long more = r->size > at ? r->size - at : 0;
    if (more < r->z.avail_in)
        more = r->z.avail_in;
    char shown[32] = "";
    unsigned n = r->z.avail_in < 8 ? r->z.avail_in : 8;
    for (unsigned i = 0; i < n; i++)
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%02x", i ? " " : "",
                 r->z.next_in[i]);
    return fail(r, "trailing data after the gzip stream: expected the end of the file at byte "
                "%llu, found %llu more byte%s (%s%s)", at, more, more == 1 ? "" : "s", shown,
                more > n ? " ..." : "");
}

/* Reads up to n bytes of content into buf; *got < n means the content ended. */
static int stream_read(reader *r, unsigned char *buf, size_t n, size_t *got)
{
    if (!r->gzip)
        return input_take(r, buf, n, got);
    *got = 0;
    if (r->z_error)
        return inflate_error(r, r->z_error);
    while (*got < n) {
        if (r->member_done) { /* the end, another member, or trailing bytes */
            if (gz_need(r, 2) != 0)
                return -1;
            if (r->z.avail_in == 0)
                break;
            if (r->z.avail_in < 2 || r->z.next_in[0] != 0x1f || r->z.next_in[1] != 0x8b)
                return trailing_after_gzip(r);
            if (inflateReset(&r->z) != Z_OK)
                return inflate_error(r, Z_STREAM_ERROR);
            r->member_done = 0;
        }
        if (gz_need(r, 1) != 0)
            return -1;
        /* Called even without input left: inflate may hold bits, or a match that it
         * had no room to copy, and so make output (or find an error) without input. */
        size_t want = n - *got < READ_CHUNK ? n - *got : READ_CHUNK;
        uInt in_before = r->z.avail_in;
        r->z.next_out = buf + *got;
        r->z.avail_out = (uInt)want;
        int rc = inflate(&r->z, Z_NO_FLUSH);
        size_t made = want - r->z.avail_out;
        *got += made;
        if (rc == Z_STREAM_END) {
            r->member_done = 1;
        } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
            if (made == 0 && r->z.avail_in == in_before) { /* no progress */
                if (in_before != 0) /* zlib always progresses with input and room */
                    return inflate_error(r, Z_BUF_ERROR);
                r->ended_early = 1; /* it needs input that is not there */
                break;
            }
        } else {
            /* When the bytes asked for came before the error, they are the caller's
             * and the error waits for the next read: the first problem reported then
             * does not depend on how the input was cut into chunks (inflate finds a
             * bad checksum in the same call only when the trailer happens to be in
             * its input already). */
            if (*got < n)
                return inflate_error(r, rc);
            r->z_error = rc;
        }
    }
    return 0;
}

/* After a short read: names a gzip stream that stopped before its end marker. */
static const char *short_read_note(const reader *r)
{
    return r->ended_early ? " (gzip stream ends early)" : "";
}

/* When the whole file was wanted: nothing may follow the payload, and a gzip stream
 * must end properly (which is when inflate checks its CRC-32 and length). */
static int stream_finish(reader *r, size_t bytes)
{
    unsigned char extra;
    size_t got;
    if (stream_read(r, &extra, 1, &got) != 0)
        return -1;
    if (got != 0)
        return fail(r, "trailing data: expected %zu bytes of data, found more", bytes);
    if (r->ended_early)
        return fail(r, "truncated: the gzip stream ends early, after all %zu bytes of data "
                    "but before its checksum", bytes);
    return 0;
}

/* ---- the parser ---- */

/* Reads exactly n header bytes described by `what`. */
static int read_header_part(reader *r, void *buf, size_t n, size_t offset, const char *what)
{
    size_t got;
    if (stream_read(r, buf, n, &got) != 0)
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

/* A raw input's length is known: the payload must be there before it is allocated. */
static int check_stored_size(const reader *r, size_t bytes, int whole)
{
    unsigned long long stored = r->size > r->taken ? r->size - r->taken : 0;
    if (stored < bytes)
        return fail(r, "truncated: expected %zu bytes of data, found %llu", bytes, stored);
    if (whole && stored > bytes)
        return fail(r, "trailing data: expected %zu bytes of data, found %llu more bytes after "
                    "them", bytes, stored - bytes);
    return 0;
}

/* Reads `bytes` of payload into a->data. For gzip the buffer starts small and doubles
 * as data arrives (at most twice what was found), up to `bytes`. */
static int read_payload(reader *r, idx_array *a, size_t bytes)
{
    if (r->donated && r->size - r->taken >= bytes) { /* in place, no second buffer */
        memmove(r->donated, r->mem + r->taken, bytes);
        a->data = r->donated;
        r->donated = NULL;
        r->taken += bytes;
        return 0;
    }
    size_t cap = r->gzip && bytes > IDX_GROW_START ? IDX_GROW_START : bytes;
    size_t have = 0;
    a->data = mlp_pages_alloc(cap); /* huge pages: see pages.c */
    if (!a->data)
        return fail(r, "out of memory: expected to allocate %zu bytes", cap);
    for (;;) {
        size_t got;
        if (stream_read(r, a->data + have, cap - have, &got) != 0)
            return -1;
        have += got;
        if (have < cap || cap == bytes)
            break;
        size_t next = cap <= bytes / 2 ? 2 * cap : bytes;
        uint8_t *p = realloc(a->data, next);
        if (!p)
            return fail(r, "out of memory: expected to allocate %zu bytes (%zu bytes of data "
                        "read so far)", next, have);
        a->data = p;
        cap = next;
    }
    if (have < bytes)
        return fail(r, "truncated: expected %zu bytes of data, found %zu%s", bytes, have,
                    short_read_note(r));
    return 0;
}

/* Header, then the requested records. With a record limit below the file's count the
 * rest of the file is neither read nor checked: only the records returned must exist. */
static int read_all(reader *r, unsigned ndim, size_t max_records, idx_array *out)
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
    out->file_records = out->dims[0];

    int whole = max_records == 0 || max_records >= out->dims[0];
    if (!whole)
        out->dims[0] = (uint32_t)max_records;
    out->count = (size_t)out->dims[0] * record_bytes;
    if (!r->gzip && check_stored_size(r, out->count, whole) != 0)
        return -1;
    if (read_payload(r, out, out->count) != 0)
        return -1;
    return whole ? stream_finish(r, out->count) : 0;
}

/* Opens a regular file without blocking (a FIFO that slipped past the probe would
 * otherwise wait for a writer), checks it again, and sees whether it is gzip. */
static int open_file(reader *r)
{
    int kind = idx_probe(r->path, r->err, r->errlen);
    if (kind > 0)
        return fail(r, "cannot open: no such file");
    if (kind < 0)
        return -1;
    r->fd = open(r->path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (r->fd < 0)
        return fail(r, "cannot open: %s", errno_phrase(errno));
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return fail(r, "cannot open: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail(r, "%s, expected a regular file", type_phrase(st.st_mode));
    int flags = fcntl(r->fd, F_GETFL);
    if (flags != -1)
        fcntl(r->fd, F_SETFL, flags & ~O_NONBLOCK);
    r->size = (unsigned long long)st.st_size;
    unsigned char m[2];
    ssize_t k;
    while ((k = pread(r->fd, m, 2, 0)) < 0 && errno == EINTR)
        ;
    if (k < 0)
        return fail(r, "read error (%s)", strerror(errno));
    r->gzip = k == 2 && m[0] == 0x1f && m[1] == 0x8b;
    return 0;
}

/* ---- the fast path: libdeflate, then the raw parser ---- */

enum { FAST_SMALL = 16 << 20, FAST_MAX = 1 << 30 }; /* bytes of decompressed data */
enum { DEFLATE_MAX_RATIO = 1032 }; /* the most deflate expands data (258-byte matches) */

/* The gzip input's stored bytes: the buffer, or the whole file read in (*owned). */
static const unsigned char *stored_bytes(const reader *r, unsigned char **owned)
{
    *owned = NULL;
    if (r->mem)
        return r->mem;
    unsigned char *b = r->size && r->size < FAST_MAX ? mlp_pages_alloc(r->size) : NULL;
    size_t have = 0;
    while (b && have < r->size) {
        ssize_t k = pread(r->fd, b + have, r->size - have, (off_t)have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        have += (size_t)k;
    }
    if (!b || have != r->size) {
        free(b);
        return NULL;
    }
    return *owned = b;
}

/* Every member of a gzip input, one after another, into one buffer (*out, *len);
 * false for anything but a clean decompression of all the stored bytes. The buffer
 * starts at the trailer's ISIZE, a hint that a damaged file can make anything, so it is
 * believed only up to what deflate can expand `size` bytes into (1032:1) and FAST_MAX. */
static bool deflate_all(const unsigned char *in, size_t size, size_t hint, uint8_t **out,
                        size_t *len)
{
    size_t most = size < FAST_MAX / DEFLATE_MAX_RATIO ? size * DEFLATE_MAX_RATIO : FAST_MAX;
    if (hint > most)
        return false;
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t cap = hint ? hint : size * 4, have = 0, off = 0;
    uint8_t *buf = d ? mlp_pages_alloc(cap) : NULL;
    bool ok = buf != NULL;
    while (ok && off < size) {
        size_t in_used = 0, out_used = 0;
        enum libdeflate_result rc = libdeflate_gzip_decompress_ex(
            d, in + off, size - off, buf + have, cap - have, &in_used, &out_used);
        if (rc == LIBDEFLATE_INSUFFICIENT_SPACE && cap < most) { /* another member */
            size_t next = cap < most / 2 ? cap * 2 : most;
            uint8_t *grown = realloc(buf, next);
            ok = grown != NULL;
            buf = ok ? grown : buf;
            cap = next;
            continue;
        }
        ok = rc == LIBDEFLATE_SUCCESS && in_used > 0;
        off += in_used;
        have += out_used;
    }
    libdeflate_free_decompressor(d);
    if (!ok) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = have;
    return true;
}

/* 0: read by the fast path; 1: not taken (the caller reads it the usual way). */
static int fast_gzip(const reader *r, unsigned ndim, size_t max_records, idx_array *out)
{
    if (r->size < 18)
        return 1;
    unsigned char *owned;
    const unsigned char *in = stored_bytes(r, &owned);
    if (!in)
        return 1;
    const unsigned char *t = in + r->size - 4; /* the last member's ISIZE: a hint only */
    size_t hint = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
    uint8_t *raw = NULL;
    size_t len = 0;
    bool whole_or_small = max_records == 0 || hint <= FAST_SMALL;
    bool ok = whole_or_small && deflate_all(in, r->size, hint, &raw, &len);
    free(owned);
    if (!ok)
        return 1;
    char scratch[256];
    reader plain = {.path = r->path, .err = scratch, .errlen = sizeof scratch, .fd = -1,
                    .mem = raw, .size = len, .donated = raw};
    int rc = read_all(&plain, ndim, max_records, out);
    if (plain.donated) /* not handed over */
        free(raw);
    if (rc != 0)
        idx_free(out);
    return rc == 0 ? 0 : 1;
}

/* Runs the parser on an opened reader and releases everything but the result. */
static int run(reader *r, unsigned ndim, size_t max_records, idx_array *out)
{
    int rc = 0;
    if (r->gzip && fast_gzip(r, ndim, max_records, out) == 0) {
        if (r->fd >= 0)
            close(r->fd);
        return 0;
    }
    if (r->gzip)
        rc = gz_start(r);
    if (rc == 0)
        rc = read_all(r, ndim, max_records, out);
    if (r->z_ready)
        inflateEnd(&r->z);
    free(r->inbuf);
    if (r->fd >= 0)
        close(r->fd);
    if (rc != 0)
        idx_free(out);
    return rc;
}

static int check_request(const reader *r, unsigned ndim)
{
    if (ndim < 1 || ndim > IDX_MAX_DIMS)
        return fail(r, "bad request: expected 1..%d dimensions, asked for %u", IDX_MAX_DIMS,
                    ndim);
    return 0;
}

int idx_read(const char *path, unsigned ndim, size_t max_records, idx_array *out, char *err,
             size_t errlen)
{
    reader r = {.path = path ? path : "(no path)", .err = err, .errlen = errlen, .fd = -1};
    memset(out, 0, sizeof *out);
    if (check_request(&r, ndim) != 0)
        return -1;
    if (!path)
        return fail(&r, "cannot open: expected a file name, found none");
    if (open_file(&r) != 0) {
        if (r.fd >= 0)
            close(r.fd);
        return -1;
    }
    return run(&r, ndim, max_records, out);
}

int idx_read_mem(const void *data, size_t len, const char *name, unsigned ndim,
                 size_t max_records, idx_array *out, char *err, size_t errlen)
{
    reader r = {.path = name ? name : "(memory)", .err = err, .errlen = errlen, .fd = -1,
                .mem = data, .size = data ? len : 0};
    memset(out, 0, sizeof *out);
    if (check_request(&r, ndim) != 0)
        return -1;
    r.gzip = r.size >= 2 && r.mem[0] == 0x1f && r.mem[1] == 0x8b;
    return run(&r, ndim, max_records, out);
}

void idx_free(idx_array *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}
