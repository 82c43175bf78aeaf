/* craft.c: builds small IDX data folders, good or broken, from the setup column of
 * tests/bad_inputs.tsv (see craft.h; the recipe syntax is described in the table). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zlib.h>

#include "craft.h"

static const char *const stems[4][2] = {{"train-images", "train-images-idx3-ubyte"},
                                        {"train-labels", "train-labels-idx1-ubyte"},
                                        {"t10k-images", "t10k-images-idx3-ubyte"},
                                        {"t10k-labels", "t10k-labels-idx1-ubyte"}};

typedef struct buf {
    unsigned char *p;
    size_t len;
} buf;

/* A recipe, parsed: what to write and how to spoil it. */
typedef struct recipe {
    char kind[16];         /* images, labels, bytes, empty, dir, fifo, socket, ... */
    unsigned long n;       /* records for images:N / labels:N */
    buf bytes;             /* bytes:HEX */
    long long count;       /* header record count, -1: n */
    unsigned long rows, cols;
    int has_magic;
    unsigned char magic[4];
    size_t cut, extra;     /* bytes dropped from / added to the end of the contents */
    int npoke;
    unsigned long poke_at[8], poke_val[8]; /* label=I:V */
    size_t gzcut, gzzeros, gzsplit;
    const char *gzjunk;
    int gzcrc, gzisize, gzblock, gzmethod, gzbody;
    int noperm;
} recipe;

static int bad(char *err, size_t errlen, const char *item, const char *what)
{
    snprintf(err, errlen, "setup '%s': %s", item, what);
    return -1;
}

static int parse_hex(const char *s, buf *b)
{
    size_t n = strlen(s);
    if (n % 2)
        return -1;
    b->p = malloc(n / 2 + 1);
    b->len = n / 2;
    for (size_t i = 0; i < b->len; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        b->p[i] = (unsigned char)v;
    }
    return 0;
}

/* One modifier "key=value" or "flag" of a recipe. */
static int parse_modifier(recipe *r, char *m)
{
    char *v = strchr(m, '=');
    if (v)
        *v++ = '\0';
    unsigned long a, c;
    if (strcmp(m, "noperm") == 0 && !v)
        r->noperm = 1;
    else if (strcmp(m, "gzcrc") == 0 && !v)
        r->gzcrc = 1;
    else if (strcmp(m, "gzisize") == 0 && !v)
        r->gzisize = 1;
    else if (strcmp(m, "gzblock") == 0 && !v)
        r->gzblock = 1;
    else if (strcmp(m, "gzmethod") == 0 && !v)
        r->gzmethod = 1;
    else if (strcmp(m, "gzbody") == 0 && !v)
        r->gzbody = 1;
    else if (!v)
        return -1;
    else if (strcmp(m, "count") == 0)
        r->count = strtoll(v, NULL, 10);
    else if (strcmp(m, "rows") == 0)
        r->rows = strtoul(v, NULL, 10);
    else if (strcmp(m, "cols") == 0)
        r->cols = strtoul(v, NULL, 10);
    else if (strcmp(m, "cut") == 0)
        r->cut = strtoul(v, NULL, 10);
    else if (strcmp(m, "extra") == 0)
        r->extra = strtoul(v, NULL, 10);
    else if (strcmp(m, "gzcut") == 0)
        r->gzcut = strtoul(v, NULL, 10);
    else if (strcmp(m, "gzzeros") == 0)
        r->gzzeros = strtoul(v, NULL, 10);
    else if (strcmp(m, "gzsplit") == 0)
        r->gzsplit = strtoul(v, NULL, 10);
    else if (strcmp(m, "gzjunk") == 0)
        r->gzjunk = v;
    else if (strcmp(m, "magic") == 0) {
        buf b = {0};
        int ok = parse_hex(v, &b) == 0 && b.len == 4;
        if (ok)
            memcpy(r->magic, b.p, 4);
        free(b.p);
        if (!ok)
            return -1;
        r->has_magic = 1;
    } else if (strcmp(m, "label") == 0 && r->npoke < 8 && sscanf(v, "%lu:%lu", &a, &c) == 2) {
        r->poke_at[r->npoke] = a;
        r->poke_val[r->npoke++] = c;
    } else
        return -1;
    return 0;
}

/* "kind[:arg],modifier,..." into r (the string is modified). */
static int parse_recipe(char *s, recipe *r)
{
    memset(r, 0, sizeof *r);
    r->count = -1;
    r->rows = r->cols = 28;
    char *save = NULL;
    char *kind = strtok_r(s, ",", &save);
    if (!kind)
        return -1;
    char *arg = strchr(kind, ':');
    if (arg)
        *arg++ = '\0';
    if (strlen(kind) >= sizeof r->kind)
        return -1;
    strcpy(r->kind, kind);
    if ((strcmp(kind, "images") == 0 || strcmp(kind, "labels") == 0) && arg)
        r->n = strtoul(arg, NULL, 10);
    else if (strcmp(kind, "bytes") == 0 && arg) {
        if (parse_hex(arg, &r->bytes) != 0)
            return -1;
    } else if (arg)
        return -1;
    for (char *m; (m = strtok_r(NULL, ",", &save));)
        if (parse_modifier(r, m) != 0)
            return -1;
    return 0;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The IDX contents of an images:N or labels:N recipe, with its content modifiers. */
static buf make_contents(const recipe *r)
{
    int images = strcmp(r->kind, "images") == 0;
    unsigned ndim = images ? 3 : 1;
    size_t rec = images ? r->rows * r->cols : 1;
    size_t header = 4 + 4 * (size_t)ndim, payload = r->n * rec;
    buf b = {.len = header + payload + r->extra};
    b.p = calloc(b.len ? b.len : 1, 1);
    b.p[2] = 0x08;
    b.p[3] = (unsigned char)ndim;
    put32(b.p + 4, r->count >= 0 ? (uint32_t)r->count : (uint32_t)r->n);
    if (images) {
        put32(b.p + 8, (uint32_t)r->rows);
        put32(b.p + 12, (uint32_t)r->cols);
    }
    for (size_t i = 0; i < payload; i++)
        b.p[header + i] = images ? (unsigned char)(i * 7) : (unsigned char)(i % 10);
    for (int i = 0; i < r->npoke; i++)
        if (header + r->poke_at[i] < b.len)
            b.p[header + r->poke_at[i]] = (unsigned char)r->poke_val[i];
    if (r->has_magic)
        memcpy(b.p, r->magic, 4);
    b.len -= r->cut < b.len ? r->cut : b.len;
    return b;
}

/* Appends a gzip member holding p[0..n) to out. */
static int gzip_append(buf *out, const unsigned char *p, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t room = deflateBound(&z, (uLong)n) + 16;
    out->p = realloc(out->p, out->len + room);
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = out->p + out->len;
    z.avail_out = (uInt)room;
    int rc = deflate(&z, Z_FINISH);
    out->len += room - z.avail_out;
    deflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

/* Compresses b (freed) as gzip, with the recipe's gzip modifiers. */
static buf make_gzip(const recipe *r, buf b)
{
    buf g = {0};
    size_t split = r->gzsplit < b.len ? r->gzsplit : 0; /* gzsplit=K: two members */
    if ((split && gzip_append(&g, b.p, split) != 0) ||
        gzip_append(&g, b.p + split, b.len - split) != 0) {
        fprintf(stderr, "craft: deflate failed\n");
        exit(1);
    }
    free(b.p);
    if (r->gzmethod)
        g.p[2] = 0x99;
    if (r->gzblock)
        g.p[10] |= 0x06; /* first deflate block: type 3, which does not exist */
    if (r->gzcrc)
        g.p[g.len - 8] ^= 0x01;
    if (r->gzisize)
        g.p[g.len - 4] ^= 0x01;
    if (r->gzbody)
        memset(g.p + 10, 0xff, g.len - 10);
    g.len -= r->gzcut < g.len ? r->gzcut : g.len;
    size_t junk = r->gzjunk ? strlen(r->gzjunk) : 0;
    g.p = realloc(g.p, g.len + r->gzzeros + junk + 1);
    memset(g.p + g.len, 0, r->gzzeros);
    g.len += r->gzzeros;
    if (junk)
        memcpy(g.p + g.len, r->gzjunk, junk);
    g.len += junk;
    return g;
}

static int write_all(const char *path, const buf *b)
{
    FILE *f = fopen(path, "wb");
    int ok = f && (b->len == 0 || fwrite(b->p, 1, b->len, f) == b->len);
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static int make_socket(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path)
        return -1;
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    int rc = fd >= 0 ? bind(fd, (struct sockaddr *)&a, sizeof a) : -1;
    if (fd >= 0)
        close(fd); /* the socket file stays */
    return rc;
}

/* Writes what the recipe describes at path. */
static int make_entry(const char *path, const recipe *r, int gz)
{
    const char *k = r->kind;
    remove(path);
    if (strcmp(k, "none") == 0)
        return 0;
    if (strcmp(k, "dir") == 0)
        return mkdir(path, 0700);
    if (strcmp(k, "fifo") == 0)
        return mkfifo(path, 0600);
    if (strcmp(k, "socket") == 0)
        return make_socket(path);
    if (strcmp(k, "loop") == 0)
        return symlink(path, path);
    if (strcmp(k, "dangling") == 0)
        return symlink("no-such-target", path);
    if (strcmp(k, "devnull") == 0)
        return symlink("/dev/null", path);
    buf b = {0};
    if (strcmp(k, "images") == 0 || strcmp(k, "labels") == 0)
        b = make_contents(r);
    else if (strcmp(k, "bytes") == 0) {
        b.p = malloc(r->bytes.len + 1);
        memcpy(b.p, r->bytes.p, r->bytes.len);
        b.len = r->bytes.len;
    } else if (strcmp(k, "empty") != 0) {
        errno = EINVAL;
        return -1;
    }
    if (gz)
        b = make_gzip(r, b);
    int rc = write_all(path, &b);
    free(b.p);
    if (rc == 0 && r->noperm)
        rc = chmod(path, 0);
    return rc;
}

const char *craft_stem(const char *item, char *out, size_t len)
{
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(stems[i][0]);
        if (strncmp(item, stems[i][0], n) == 0 &&
            (item[n] == '=' || strncmp(item + n, ".gz=", 4) == 0)) {
            snprintf(out, len, "%s", stems[i][0]);
            return out;
        }
    }
    return NULL;
}

/* DIR/<the file> for a FILE=RECIPE item (copy holds FILE); *gz: it ends in .gz. */
static void item_path(const char *dir, const char *file, char *path, size_t len, int *gz)
{
    size_t n = strlen(file);
    *gz = n > 3 && strcmp(file + n - 3, ".gz") == 0;
    for (int i = 0; i < 4; i++)
        if (strncmp(file, stems[i][0], strlen(stems[i][0])) == 0 &&
            (strcmp(file + strlen(stems[i][0]), *gz ? ".gz" : "") == 0)) {
            snprintf(path, len, "%s/%s%s", dir, stems[i][1], *gz ? ".gz" : "");
            return;
        }
    snprintf(path, len, "%s/%s", dir, file);
}

void craft_drop_base(const char *dir, const char *item)
{
    char stem[32], path[1024];
    if (!craft_stem(item, stem, sizeof stem))
        return;
    for (int i = 0; i < 4; i++)
        if (strcmp(stem, stems[i][0]) == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, stems[i][1]);
            remove(path);
        }
}

int craft_item(const char *dir, const char *item, int *noperm, char *err, size_t errlen)
{
    char copy[512], path[1024];
    if (strlen(item) >= sizeof copy)
        return bad(err, errlen, item, "too long");
    strcpy(copy, item);
    char *eq = strchr(copy, '=');
    if (!eq || eq == copy)
        return bad(err, errlen, item, "expected FILE=RECIPE");
    *eq = '\0';
    int gz;
    item_path(dir, copy, path, sizeof path, &gz);
    recipe r;
    int rc = parse_recipe(eq + 1, &r);
    if (rc != 0)
        bad(err, errlen, item, "unknown recipe or modifier (see tests/bad_inputs.tsv)");
    else if ((rc = make_entry(path, &r, gz)) != 0)
        snprintf(err, errlen, "setup '%s': cannot make %s: %s", item, path, strerror(errno));
    if (rc == 0 && noperm)
        *noperm |= r.noperm;
    free(r.bytes.p);
    return rc;
}

int craft_base(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0) {
        snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    char item[64];
    for (int i = 0; i < 4; i++) {
        snprintf(item, sizeof item, "%s=%s:%d", stems[i][0], i % 2 ? "labels" : "images",
                 CRAFT_RECORDS);
        if (craft_item(dir, item, NULL, err, errlen) != 0)
            return -1;
    }
    return 0;
}
