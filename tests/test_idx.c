/* test_idx.c: the IDX reader and MNIST loader on the embedded default data (gzip and a
 * raw copy), record limits, and malformed files built here in a temporary folder: each
 * must fail with a one-line message naming the file and the problem.
 *   usage: test_idx [GROUP...]   (no GROUP: all of them; see `groups` at the end) */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "mnist.h"

static int failures;

#define EXPECT(cond, ...)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

/* ---- temporary folder: every file made is recorded so it can be removed ---- */

#define MAX_TEMP 256
static char tmpdir[64];
static char *temp_paths[MAX_TEMP];
static int temp_count;

/* tmpdir/<name>, remembered for cleanup. Returns a string owned by the list. */
static const char *temp_path(const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    for (int i = 0; i < temp_count; i++)
        if (strcmp(temp_paths[i], buf) == 0)
            return temp_paths[i];
    if (temp_count == MAX_TEMP) {
        printf("FAIL: too many temporary files\n");
        exit(1);
    }
    temp_paths[temp_count] = malloc(strlen(buf) + 1);
    strcpy(temp_paths[temp_count], buf);
    return temp_paths[temp_count++];
}

static const char *temp_subdir(const char *name)
{
    const char *p = temp_path("%s", name);
    if (mkdir(p, 0700) != 0) {
        perror(p);
        exit(1);
    }
    return p;
}

/* Removes the recorded paths newest first (files before their folders). */
static void cleanup(void)
{
    for (int i = temp_count - 1; i >= 0; i--) {
        remove(temp_paths[i]);
        free(temp_paths[i]);
    }
    temp_count = 0;
    if (rmdir(tmpdir) != 0)
        EXPECT(0, "cannot remove %s (left-over files?)", tmpdir);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void write_gz(const char *path, const void *data, size_t n)
{
    gzFile f = gzopen(path, "wb9");
    if (!f || gzwrite(f, data, (unsigned)n) != (int)n || gzclose(f) != Z_OK) {
        printf("FAIL: cannot write %s\n", path);
        exit(1);
    }
}

/* Reads a whole file (malloc'd); exits on failure. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) {
        perror(path);
        exit(1);
    }
    long len = ftell(f);
    rewind(f);
    unsigned char *buf = malloc(len > 0 ? (size_t)len : 1);
    if (len < 0 || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        perror(path);
        exit(1);
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* ---- IDX files built in memory ---- */

typedef struct blob {
    unsigned char *data;
    size_t len;
} blob;

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* An IDX file with the given type byte and dims, and `payload` data bytes (value i % 10,
 * so that label files are valid). */
static blob make_idx(unsigned type, unsigned ndim, const uint32_t *dims, size_t payload)
{
    blob b = {.len = 4 + 4 * (size_t)ndim + payload};
    b.data = calloc(b.len, 1);
    b.data[2] = (unsigned char)type;
    b.data[3] = (unsigned char)ndim;
    for (unsigned i = 0; i < ndim; i++)
        put32(b.data + 4 + 4 * i, dims[i]);
    for (size_t i = 0; i < payload; i++)
        b.data[4 + 4 * ndim + i] = (unsigned char)(i % 10);
    return b;
}

static blob make_images(uint32_t n, uint32_t rows, uint32_t cols)
{
    uint32_t dims[3] = {n, rows, cols};
    return make_idx(0x08, 3, dims, (size_t)n * rows * cols);
}

static blob make_labels(uint32_t n)
{
    uint32_t dims[1] = {n};
    return make_idx(0x08, 1, dims, n);
}

/* Writes b to tmpdir/name and frees it; returns the path. */
static const char *save(const char *name, blob b)
{
    const char *p = temp_path("%s", name);
    write_file(p, b.data, b.len);
    free(b.data);
    return p;
}

static const char *save_gz(const char *name, blob b)
{
    const char *p = temp_path("%s", name);
    write_gz(p, b.data, b.len);
    free(b.data);
    return p;
}

/* ---- expectations ---- */

/* idx_read must fail with a message holding the path and `phrase`. */
static void expect_idx_error(const char *path, unsigned ndim, size_t max, const char *phrase)
{
    char err[512] = "";
    idx_array a;
    int rc = idx_read(path, ndim, max, &a, err, sizeof err);
    EXPECT(rc == -1, "idx_read(%s): expected -1 (%s), got %d", path, phrase, rc);
    EXPECT(a.data == NULL, "idx_read(%s): data left allocated after failure", path);
    EXPECT(strstr(err, phrase) != NULL, "idx_read(%s): message lacks '%s': %s", path, phrase,
           err);
    EXPECT(strstr(err, path) != NULL, "idx_read(%s): message lacks the path: %s", path, err);
    EXPECT(strchr(err, '\n') == NULL, "idx_read(%s): message is not one line: %s", path, err);
    printf("  ok: %s\n", err);
    if (rc == 0)
        idx_free(&a);
}

/* mlp_dataset_load must fail with a message holding `where` (a path) and `phrase`. */
static void expect_load_error(const char *dir, const char *split, size_t count,
                              const char *where, const char *phrase)
{
    char err[1024] = "";
    mlp_dataset d;
    int rc = mlp_dataset_load(dir, split, count, &d, err, sizeof err);
    EXPECT(rc == -1, "load(%s, %s, %zu): expected -1 (%s), got %d", dir, split, count, phrase,
           rc);
    EXPECT(d.images == NULL && d.labels == NULL, "load(%s): data left after failure", dir);
    EXPECT(strstr(err, phrase) != NULL, "load(%s, %s): message lacks '%s': %s", dir, split,
           phrase, err);
    EXPECT(strstr(err, where) != NULL, "load(%s, %s): message lacks '%s': %s", dir, split, where,
           err);
    printf("  ok: %s\n", err);
    if (rc == 0)
        mlp_dataset_free(&d);
}

static void expect_labels(const mlp_dataset *d, const unsigned char *want, const char *what)
{
    for (int i = 0; i < 10; i++)
        EXPECT(d->labels[i] == want[i], "%s label %d: got %u, want %u", what, i, d->labels[i],
               want[i]);
}

static unsigned long long sum_bytes(const uint8_t *p, size_t n)
{
    unsigned long long s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* ---- the embedded default data ---- */

static const unsigned char train_first[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
static const unsigned char test_first[10] = {7, 2, 1, 0, 4, 1, 4, 9, 5, 9};

/* Loads dir's train and test splits (all records) and checks them against MNIST's
 * embedded subset. Fills *train and *test (caller frees) or leaves them zeroed. */
static void check_default_set(const char *dir, mlp_dataset *train, mlp_dataset *test)
{
    char err[512];
    int rc = mlp_dataset_load(dir, "train", 0, train, err, sizeof err);
    EXPECT(rc == 0, "load %s train: %s", dir, err);
    if (rc == 0) {
        EXPECT(train->count == 1000, "%s train count %zu, want 1000", dir, train->count);
        EXPECT(train->pixels == 784, "%s train pixels %zu, want 784", dir, train->pixels);
        EXPECT(train->classes == 10, "%s train classes %zu, want 10", dir, train->classes);
        expect_labels(train, train_first, "train");
        EXPECT(sum_bytes(train->images, 784) == 27525, "%s train image 0 pixel sum", dir);
        EXPECT(sum_bytes(train->images, 784000) == 25637533, "%s train pixel sum", dir);
        EXPECT(sum_bytes(train->labels, 1000) == 4452, "%s train label sum", dir);
    }
    rc = mlp_dataset_load(dir, "test", 0, test, err, sizeof err);
    EXPECT(rc == 0, "load %s test: %s", dir, err);
    if (rc == 0) {
        EXPECT(test->count == 10000, "%s test count %zu, want 10000", dir, test->count);
        EXPECT(test->pixels == 784, "%s test pixels %zu, want 784", dir, test->pixels);
        expect_labels(test, test_first, "test");
        EXPECT(sum_bytes(test->images, 784) == 18454, "%s test image 0 pixel sum", dir);
        EXPECT(sum_bytes(test->images, 7840000) == 264923200, "%s test pixel sum", dir);
        EXPECT(sum_bytes(test->labels, 10000) == 44434, "%s test label sum", dir);
    }
}

static int same_dataset(const mlp_dataset *a, const mlp_dataset *b)
{
    return a->count == b->count && a->pixels == b->pixels && a->images && b->images &&
           memcmp(a->images, b->images, a->count * a->pixels) == 0 &&
           memcmp(a->labels, b->labels, a->count) == 0;
}

static const char *const default_files[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

/* Decompresses src (gzip) into dst with zlib. */
static void gunzip_file(const char *src, const char *dst)
{
    gzFile in = gzopen(src, "rb");
    FILE *out = fopen(dst, "wb");
    if (!in || !out) {
        printf("FAIL: cannot open %s or %s\n", src, dst);
        exit(1);
    }
    unsigned char buf[65536];
    int n;
    while ((n = gzread(in, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, out);
    EXPECT(n == 0, "gunzip %s failed", src);
    gzclose(in);
    if (fclose(out) != 0)
        EXPECT(0, "cannot write %s", dst);
}

static void test_default_data(void)
{
    const char *dir = mlp_embedded_data_dir(); /* the gzip files in git */
    mlp_dataset train, test;
    check_default_set(dir, &train, &test);

    /* The build's decompressed copy (data/CMakeLists.txt), the default folder. */
    mlp_dataset utrain, utest;
    check_default_set(mlp_default_data_dir(), &utrain, &utest);
    EXPECT(same_dataset(&train, &utrain), "the build's copy and the gzip training sets differ");
    EXPECT(same_dataset(&test, &utest), "the build's copy and the gzip test sets differ");
    mlp_dataset_free(&utrain);
    mlp_dataset_free(&utest);

    /* The same data decompressed: a raw copy must read identically. */
    const char *raw = temp_subdir("raw");
    for (int i = 0; i < 4; i++) {
        char src[4096];
        snprintf(src, sizeof src, "%s/%s.gz", dir, default_files[i]);
        gunzip_file(src, temp_path("raw/%s", default_files[i]));
    }
    mlp_dataset rtrain, rtest;
    check_default_set(raw, &rtrain, &rtest);
    EXPECT(same_dataset(&train, &rtrain), "raw and gzip training sets differ");
    EXPECT(same_dataset(&test, &rtest), "raw and gzip test sets differ");
    mlp_dataset_free(&rtrain);
    mlp_dataset_free(&rtest);

    /* A prefix: count records, as the first records of the whole set. */
    char err[512];
    mlp_dataset few;
    int rc = mlp_dataset_load(dir, "train", 10, &few, err, sizeof err);
    EXPECT(rc == 0, "load train 10: %s", err);
    if (rc == 0) {
        EXPECT(few.count == 10, "train 10: count %zu", few.count);
        expect_labels(&few, train_first, "train 10");
        EXPECT(train.images && memcmp(few.images, train.images, 10 * 784) == 0,
               "train 10: images differ from the first 10 of the whole set");
        mlp_dataset_free(&few);
    }
    rc = mlp_dataset_load(raw, "test", 1000, &few, err, sizeof err);
    EXPECT(rc == 0 && few.count == 1000, "load raw test 1000: %s", rc ? err : "wrong count");
    if (rc == 0)
        mlp_dataset_free(&few);
    mlp_dataset_free(&train);
    mlp_dataset_free(&test);
    mlp_dataset_free(&few); /* freeing twice is harmless */
}

static void test_max_records(void)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", mlp_embedded_data_dir());
    idx_array all, five, more;
    int rc = idx_read(path, 3, 0, &all, err, sizeof err);
    EXPECT(rc == 0, "idx_read all: %s", err);
    EXPECT(rc != 0 || (all.ndim == 3 && all.dims[0] == 1000 && all.dims[1] == 28 &&
                       all.dims[2] == 28 && all.count == 784000),
           "idx_read all: shape %u x %u x %u, count %zu", all.dims[0], all.dims[1], all.dims[2],
           all.count);
    rc = idx_read(path, 3, 5, &five, err, sizeof err);
    EXPECT(rc == 0, "idx_read 5: %s", err);
    EXPECT(rc != 0 || (five.dims[0] == 5 && five.dims[1] == 28 && five.count == 5 * 784),
           "idx_read 5: dims[0] %u, count %zu", five.dims[0], five.count);
    EXPECT(rc != 0 || !all.data || memcmp(five.data, all.data, 5 * 784) == 0,
           "idx_read 5: data differ from the whole file's first records");
    rc = idx_read(path, 3, 5000, &more, err, sizeof err); /* more than held: all of them */
    EXPECT(rc == 0 && more.dims[0] == 1000, "idx_read 5000: %s", rc ? err : "wrong count");
    idx_free(&all);
    idx_free(&five);
    idx_free(&more);

    /* Records past the limit are not read: a file cut after 3 records reads 3. */
    blob b = make_images(10, 2, 2);
    b.len = 16 + 3 * 4;
    const char *cut = save("cut-images", b);
    rc = idx_read(cut, 3, 3, &all, err, sizeof err);
    EXPECT(rc == 0 && all.dims[0] == 3 && all.count == 12, "idx_read cut 3: %s",
           rc ? err : "wrong shape");
    idx_free(&all);
    expect_idx_error(cut, 3, 4, "truncated: expected 16 bytes of data, found 12");
}

/* ---- malformed files ---- */

static void test_header_errors(void)
{
    expect_idx_error(temp_path("no-such-file"), 1, 0, "cannot open");
    expect_idx_error(temp_path("raw"), 1, 0, "is a directory"); /* a folder */

    blob b = make_labels(10);
    b.len = 6;
    expect_idx_error(save("short-header", b), 1, 0, "truncated header");
    b = make_images(2, 28, 28);
    b.len = 10;
    expect_idx_error(save("short-dims", b), 3, 0, "truncated header: expected 12 bytes");
    b = make_labels(0);
    b.len = 0;
    expect_idx_error(save("empty", b), 1, 0, "truncated header: expected 4 bytes");

    b = make_labels(10);
    b.data[0] = 0x12;
    expect_idx_error(save("bad-magic", b), 1, 0, "bad magic number");
    b = make_labels(10);
    b.data[2] = 0x0d; /* float */
    expect_idx_error(save("float-type", b), 1, 0,
                     "wrong element type: expected 0x08 (unsigned byte), found 0x0d");
    expect_idx_error(save("labels-as-images", make_labels(10)), 3, 0,
                     "wrong number of dimensions: expected 3, found 1");
    expect_idx_error(save_gz("labels-as-images.gz", make_labels(10)), 3, 0,
                     "wrong number of dimensions");
    expect_idx_error(save("zero-dim", make_images(5, 0, 28)), 3, 0, "zero dimension");
    expect_idx_error(save("zero-records", make_labels(0)), 1, 0, "zero dimension");

    uint32_t huge[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    expect_idx_error(save("huge-dims", make_idx(0x08, 3, huge, 0)), 3, 0, "dimension overflow");
    uint32_t big[3] = {70000, 512, 512}; /* 18 GB: over the 16 GiB limit */
    expect_idx_error(save("big-dims", make_idx(0x08, 3, big, 0)), 3, 1, "dimension overflow");
    expect_idx_error(save("bad-ndim-arg", make_labels(3)), 0, 0, "bad request");
}

static void test_payload_errors(void)
{
    blob b = make_labels(100);
    b.len -= 50;
    expect_idx_error(save("short-labels", b), 1, 0, "truncated: expected 100 bytes of data, found 50");
    b = make_images(4, 28, 28);
    b.len -= 1;
    expect_idx_error(save_gz("short-images.gz", b), 3, 0,
                     "truncated: expected 3136 bytes of data, found 3135");
    b = make_labels(10);
    b.len += 5; /* five bytes past the payload */
    b.data = realloc(b.data, b.len);
    memset(b.data + b.len - 5, 0, 5);
    expect_idx_error(save("trailing", b), 1, 0, "trailing data: expected 10 bytes of data");

    /* A gzip stream cut in the middle. */
    const char *whole = save_gz("cut.gz", make_images(50, 28, 28));
    size_t n;
    unsigned char *gz = slurp(whole, &n);
    write_file(whole, gz, n / 2);
    expect_idx_error(whole, 3, 0, "gzip stream ends early");
    free(gz);
}

/* Corrupt gzip data: garbage after a valid header, a bad block type, a bad checksum. */
static void test_gzip_errors(void)
{
    const char *ok = save_gz("ok.gz", make_images(20, 28, 28));
    size_t n;
    unsigned char *gz = slurp(ok, &n);

    unsigned char garbage[200];
    memcpy(garbage, gz, 10); /* gzip header: 1f 8b 08 ... */
    memset(garbage + 10, 0xff, sizeof garbage - 10);
    const char *p = temp_path("garbage.gz");
    write_file(p, garbage, sizeof garbage);
    expect_idx_error(p, 3, 0, "corrupt gzip data (inflate: ");

    gz[10] |= 0x06; /* first deflate block: type 3, which does not exist */
    p = temp_path("bad-block.gz");
    write_file(p, gz, n);
    expect_idx_error(p, 3, 0, "corrupt gzip data (inflate: invalid block type)");
    gz[10] = (unsigned char)(gz[10] & ~0x06);

    unsigned char *again = slurp(ok, &n);
    again[n - 8] ^= 0x01; /* CRC-32 in the trailer, checked once all data is read */
    p = temp_path("bad-crc.gz");
    write_file(p, again, n);
    expect_idx_error(p, 3, 0, "corrupt gzip data (inflate: incorrect data check)");
    free(again);

    unsigned char notgz[8] = {0x1f, 0x8b, 0x99, 0, 0, 0, 0, 0}; /* unknown method */
    p = temp_path("bad-method.gz");
    write_file(p, notgz, sizeof notgz);
    expect_idx_error(p, 3, 0, "corrupt gzip data");
    free(gz);
}

/* ---- the data set loader ---- */

/* A folder holding train files with n_img images and n_lbl labels. */
static const char *make_set(const char *name, uint32_t n_img, uint32_t n_lbl)
{
    temp_subdir(name);
    char img[128], lbl[128];
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", name);
    snprintf(lbl, sizeof lbl, "%s/train-labels-idx1-ubyte", name);
    save_gz(img, make_images(n_img, 28, 28));
    save(lbl, make_labels(n_lbl));
    return temp_path("%s", name);
}

static void test_loader_errors(void)
{
    const char *def = mlp_embedded_data_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte.gz", def);
    expect_load_error(def, "train", 2000, path, "holds 1000 images, 2000 requested");
    expect_load_error(def, "valid", 0, def, "unknown split");

    const char *empty = temp_subdir("empty-set");
    expect_load_error(empty, "test", 0, empty,
                      "missing file: expected t10k-images-idx3-ubyte or "
                      "t10k-images-idx3-ubyte.gz");
    const char *missing = temp_path("no-such-folder");
    expect_load_error(missing, "train", 0, missing, "cannot open data folder");

    const char *good = make_set("good", 20, 20);
    char err[512];
    mlp_dataset d;
    int rc = mlp_dataset_load(good, "train", 0, &d, err, sizeof err);
    EXPECT(rc == 0 && d.count == 20 && d.pixels == 784, "load good set: %s",
           rc ? err : "wrong shape");
    if (rc == 0)
        mlp_dataset_free(&d);

    const char *mismatch = make_set("mismatch", 20, 19);
    expect_load_error(mismatch, "train", 0, "train-labels-idx1-ubyte", "count mismatch");
    expect_load_error(mismatch, "train", 5, "train-images-idx3-ubyte.gz", "count mismatch");
    expect_load_error(mismatch, "train", 21, "train-images-idx3-ubyte.gz",
                      "holds 20 images, 21 requested");

    const char *bad = make_set("bad-label", 20, 20);
    blob b = make_labels(20);
    b.data[8 + 17] = 12;
    const char *lbl = save("bad-label/train-labels-idx1-ubyte", b);
    expect_load_error(bad, "train", 0, lbl,
                      "label out of range: record 17 has label 12, expected 0..9");

    const char *broken = make_set("broken", 20, 20);
    b = make_images(20, 28, 28);
    b.len -= 100;
    const char *img = save_gz("broken/train-images-idx3-ubyte.gz", b);
    expect_load_error(broken, "train", 0, img, "truncated: expected 15680 bytes");
}

static void test_default_dir(void)
{
    const char *saved = getenv("MLPBENCH_DATA");
    char *copy = saved ? strdup(saved) : NULL;
    setenv("MLPBENCH_DATA", "/some/where", 1);
    EXPECT(strcmp(mlp_default_data_dir(), "/some/where") == 0, "MLPBENCH_DATA ignored");
    setenv("MLPBENCH_DATA", "", 1);
    const char *def = mlp_default_data_dir();
    EXPECT(*def && strcmp(def, "/some/where") != 0, "empty MLPBENCH_DATA: got '%s'", def);
    if (copy)
        setenv("MLPBENCH_DATA", copy, 1);
    else
        unsetenv("MLPBENCH_DATA");
    free(copy);
}

/* Optional: Debian's Fashion-MNIST and the full MNIST from tools/fetch-mnist. */
static void test_optional_sets(void)
{
    char err[512], full[4096];
    mlp_dataset d;
    const char *fashion = "/usr/share/datasets/fashion-mnist";
    struct stat st;
    if (stat(fashion, &st) == 0) {
        int rc = mlp_dataset_load(fashion, "test", 0, &d, err, sizeof err);
        EXPECT(rc == 0 && d.count == 10000 && d.pixels == 784 && d.labels[0] == 9 &&
                   d.labels[1] == 2,
               "Fashion-MNIST test: %s", rc ? err : "wrong shape or labels");
        if (rc == 0)
            mlp_dataset_free(&d);
        rc = mlp_dataset_load(fashion, "train", 1000, &d, err, sizeof err);
        EXPECT(rc == 0 && d.count == 1000 && d.labels[0] == 9 && d.labels[3] == 3,
               "Fashion-MNIST train 1000: %s", rc ? err : "wrong shape or labels");
        if (rc == 0)
            mlp_dataset_free(&d);
        printf("checked %s\n", fashion);
    }
    snprintf(full, sizeof full, "%s-full", mlp_embedded_data_dir());
    if (stat(full, &st) == 0) {
        int rc = mlp_dataset_load(full, "train", 0, &d, err, sizeof err);
        EXPECT(rc == 0 && d.count == 60000 && d.pixels == 784, "full MNIST train: %s",
               rc ? err : "wrong shape");
        if (rc == 0) {
            expect_labels(&d, train_first, "full train");
            mlp_dataset_free(&d);
        }
        printf("checked %s\n", full);
    }
}

/* ---- issue 9: reader defects, one group (and one ctest case) each ---- */

/* Appends n bytes to the file at path. */
static void append_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "ab");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* idx_read must succeed with `records` records and the payload of make_idx. */
static void expect_idx_ok(const char *path, unsigned ndim, size_t max, uint32_t records)
{
    char err[512] = "";
    idx_array a;
    int rc = idx_read(path, ndim, max, &a, err, sizeof err);
    EXPECT(rc == 0, "idx_read(%s): %s", path, err);
    if (rc != 0)
        return;
    EXPECT(a.dims[0] == records, "idx_read(%s): %u records, want %u", path, a.dims[0], records);
    int same = 1;
    for (size_t i = 0; i < a.count; i++)
        same &= a.data[i] == (unsigned char)(i % 10);
    EXPECT(same, "idx_read(%s): payload differs from what was written", path);
    idx_free(&a);
}

/* A gzip file followed by bytes that are not another gzip member is rejected, as a raw
 * file with trailing bytes is; concatenated members (valid gzip) still read. */
static void test_gzip_trailing(void)
{
    static const unsigned char zeros[5], junk[8] = "garbage!", magic_only[1] = {0x1f};
    const char *p = save_gz("trail-zeros.gz", make_labels(10));
    append_file(p, zeros, sizeof zeros);
    expect_idx_error(p, 1, 0, "trailing data after the gzip stream");
    expect_idx_error(p, 1, 0, "found 5 more bytes (00 00 00 00 00)");
    p = save_gz("trail-junk.gz", make_labels(10));
    append_file(p, junk, sizeof junk);
    expect_idx_error(p, 1, 0, "found 8 more bytes (67 61 72 62 61 67 65 21)");
    p = save_gz("trail-byte.gz", make_images(3, 28, 28));
    append_file(p, magic_only, sizeof magic_only);
    expect_idx_error(p, 3, 0, "found 1 more byte (1f)");

    /* two gzip members: the IDX header and half the labels, then the rest */
    blob b = make_labels(40);
    const char *two = temp_path("two-members.gz");
    write_gz(two, b.data, 20);
    size_t n1;
    unsigned char *first = slurp(two, &n1);
    write_gz(two, b.data + 20, b.len - 20);
    size_t n2;
    unsigned char *second = slurp(two, &n2);
    write_file(two, first, n1);
    append_file(two, second, n2);
    expect_idx_ok(two, 1, 0, 40);
    append_file(two, zeros, 3);
    expect_idx_error(two, 1, 0, "found 3 more bytes (00 00 00)");
    free(first);
    free(second);
    free(b.data);

    /* the same from memory */
    unsigned char *gz = slurp(p, &n1);
    char err[512];
    idx_array a;
    EXPECT(idx_read_mem(gz, n1, "mem.gz", 3, 0, &a, err, sizeof err) == -1 &&
               strstr(err, "mem.gz: trailing data after the gzip stream"),
           "idx_read_mem with a trailing byte: %s", err);
    EXPECT(idx_read_mem(gz, n1 - 1, "mem.gz", 3, 0, &a, err, sizeof err) == 0 && a.dims[0] == 3,
           "idx_read_mem without it: %s", err);
    idx_free(&a);
    free(gz);
}

/* The header counts of images and labels must agree whatever count is requested,
 * also when it equals the smaller of the two. */
static void test_count_mismatch(void)
{
    const char *more_images = make_set("more-images", 20, 19);
    expect_load_error(more_images, "train", 19, "train-images-idx3-ubyte.gz", "count mismatch");
    expect_load_error(more_images, "train", 19, "found 20", "expected 19 images");
    expect_load_error(more_images, "train", 1, "train-labels-idx1-ubyte", "count mismatch");
    const char *more_labels = make_set("more-labels", 19, 20);
    expect_load_error(more_labels, "train", 19, "train-images-idx3-ubyte.gz", "count mismatch");
    expect_load_error(more_labels, "train", 0, "train-images-idx3-ubyte.gz", "count mismatch");
    const char *same = make_set("same-counts", 20, 20);
    char err[512];
    mlp_dataset d;
    int rc = mlp_dataset_load(same, "train", 19, &d, err, sizeof err);
    EXPECT(rc == 0 && d.count == 19, "load 19 of 20: %s", rc ? err : "wrong count");
    if (rc == 0)
        mlp_dataset_free(&d);
}

/* A folder of good train files whose images are replaced by whatever make() puts at
 * the raw name, which is looked at first; keep_gz: the good .gz images stay too.
 * Returns the folder. */
static const char *set_with_images(const char *name, void (*make)(const char *path),
                                   int keep_gz)
{
    const char *dir = make_set(name, 20, 20);
    if (!keep_gz)
        remove(temp_path("%s/train-images-idx3-ubyte.gz", name));
    make(temp_path("%s/train-images-idx3-ubyte", name));
    return dir;
}

static void make_fifo(const char *path)
{
    if (mkfifo(path, 0600) != 0) {
        perror(path);
        exit(1);
    }
}

static void link_dev_null(const char *path)
{
    if (symlink("/dev/null", path) != 0) {
        perror(path);
        exit(1);
    }
}

/* A FIFO, socket or device is not a data file: reported, never opened for a blocking
 * read (the alarm turns a hang into a failure). */
static void test_not_regular(void)
{
    alarm(20);
    const char *fifo = temp_path("fifo");
    make_fifo(fifo);
    expect_idx_error(fifo, 1, 0, "is a FIFO (named pipe), expected a regular file");
    const char *dir = set_with_images("fifo-set", make_fifo, 0);
    expect_load_error(dir, "train", 0, "fifo-set/train-images-idx3-ubyte", "is a FIFO");
    expect_idx_error("/dev/null", 1, 0, "is a character device, expected a regular file");
    dir = set_with_images("null-set", link_dev_null, 0);
    expect_load_error(dir, "train", 0, "null-set/train-images-idx3-ubyte",
                      "is a character device");

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    const char *sock = temp_path("sock");
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (strlen(sock) < sizeof addr.sun_path && fd >= 0) {
        strcpy(addr.sun_path, sock);
        EXPECT(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0, "bind %s", sock);
        expect_idx_error(sock, 1, 0, "is a socket, expected a regular file");
    } else {
        printf("  note: socket check skipped (no AF_UNIX socket or path too long)\n");
    }
    if (fd >= 0)
        close(fd);
    alarm(0);
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0) {
        perror(path);
        exit(1);
    }
}

static void make_loop(const char *path)
{
    if (symlink(path, path) != 0) { /* a link to itself */
        perror(path);
        exit(1);
    }
}

static void make_dangling(const char *path)
{
    if (symlink("nowhere/images", path) != 0) {
        perror(path);
        exit(1);
    }
}

/* Runs expect_idx_error for permission denied on an unreadable file. As root (who
 * reads anything) the check runs in a child that has become `nobody`. */
static void expect_permission_denied(void)
{
    const char *p = save("unreadable", make_labels(10));
    chmod(p, 0);
    if (geteuid() != 0) {
        expect_idx_error(p, 1, 0, "cannot open: permission denied");
        return;
    }
    chmod(tmpdir, 0755); /* nobody must reach the file to be refused it */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        failures = 0;
        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(77);
        expect_idx_error(p, 1, 0, "permission denied");
        fflush(stdout);
        _exit(failures ? 1 : 0);
    }
    int status = 0;
    EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid, "fork for the permission check");
    chmod(tmpdir, 0700);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        printf("  note: permission check skipped (running as root, cannot become nobody)\n");
    else
        EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "permission check as nobody failed (status %d)", status);
}

/* A folder, symlink loop or dangling link where a data file should be is named as
 * what it is, not as a missing file; so is a file that cannot be read. */
static void test_file_kinds(void)
{
    const char *dir = set_with_images("dir-set", make_dir, 0);
    expect_load_error(dir, "train", 0, "dir-set/train-images-idx3-ubyte",
                      "is a directory, expected a regular file");
    /* the raw name is the data file when it exists, whatever the .gz next to it */
    dir = set_with_images("dir-and-gz-set", make_dir, 1);
    expect_load_error(dir, "train", 0, "dir-and-gz-set/train-images-idx3-ubyte",
                      "is a directory, expected a regular file");
    dir = set_with_images("loop-set", make_loop, 0);
    expect_load_error(dir, "train", 0, "loop-set/train-images-idx3-ubyte", "symlink loop");
    expect_idx_error(temp_path("loop-set/train-images-idx3-ubyte"), 3, 0, "symlink loop");
    dir = set_with_images("dangling-set", make_dangling, 0);
    expect_load_error(dir, "train", 0, "dangling-set/train-images-idx3-ubyte",
                      "dangling symbolic link (to 'nowhere/images'");
    expect_idx_error(temp_path("dangling-set/train-images-idx3-ubyte"), 3, 0,
                     "dangling symbolic link");
    expect_permission_denied();
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TEST_ASAN)
#define TEST_ASAN 1
#endif
#ifdef TEST_ASAN
/* Under ASan an allocation over the address-space limit returns NULL (as malloc
 * does) instead of aborting the test. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

/* Lowers the address-space limit to what the process uses now plus 1 GiB, and says
 * whether a 2 GiB allocation then fails (qemu-user ignores the limit). */
static int limit_memory(struct rlimit *saved)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%lu", &pages) != 1)
        pages = 0;
    if (f)
        fclose(f);
    getrlimit(RLIMIT_AS, saved);
    struct rlimit lim = *saved;
    unsigned long long want = (unsigned long long)pages * (unsigned long long)sysconf(_SC_PAGESIZE) +
                              (1ull << 30);
    if (pages == 0 || (saved->rlim_cur != RLIM_INFINITY && saved->rlim_cur < want))
        return 0;
    lim.rlim_cur = (rlim_t)want;
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        return 0;
    void *probe = malloc((size_t)1 << 31);
    free(probe);
    return probe == NULL;
}

/* A header claiming far more than the file holds fails before a large allocation:
 * raw files against their length, gzip as the data arrives. Checked under an
 * address-space limit of 1 GiB above the current use, where a 4 GiB malloc fails. */
static void test_claim_before_alloc(void)
{
    struct rlimit saved;
    int limited = limit_memory(&saved);
    if (!limited)
        printf("  note: the address-space limit has no effect here: messages checked only\n");
    uint32_t labels[1] = {0xffffffffu}, images[3] = {20000000, 28, 28};
    expect_idx_error(save("claim-labels", make_idx(0x08, 1, labels, 100)), 1, 0,
                     "truncated: expected 4294967295 bytes of data, found 100");
    expect_idx_error(save_gz("claim-labels.gz", make_idx(0x08, 1, labels, 100)), 1, 0,
                     "truncated: expected 4294967295 bytes of data, found 100");
    expect_idx_error(save("claim-images", make_idx(0x08, 3, images, 784)), 3, 0,
                     "truncated: expected 15680000000 bytes of data, found 784");
    expect_idx_error(save_gz("claim-images.gz", make_idx(0x08, 3, images, 784)), 3, 0,
                     "truncated: expected 15680000000 bytes of data, found 784");
    expect_idx_error(temp_path("claim-images.gz"), 3, 19999999,
                     "truncated: expected 15679999216 bytes of data, found 784");
    const char *dir = make_set("claim-set", 20, 20);
    uint32_t n[1] = {0xfffffff0u};
    save("claim-set/train-labels-idx1-ubyte", make_idx(0x08, 1, n, 20));
    expect_load_error(dir, "train", 0, "claim-set/train-labels-idx1-ubyte", "truncated");
    if (limited)
        setrlimit(RLIMIT_AS, &saved);
}

typedef struct group {
    const char *name;
    void (*run)(void);
} group;

static const group groups[] = {
    {"default_dir", test_default_dir},
    {"default_data", test_default_data},
    {"max_records", test_max_records},
    {"header_errors", test_header_errors},
    {"payload_errors", test_payload_errors},
    {"gzip_errors", test_gzip_errors},
    {"loader_errors", test_loader_errors},
    {"optional_sets", test_optional_sets},
    {"gzip_trailing", test_gzip_trailing},
    {"count_mismatch", test_count_mismatch},
    {"not_regular", test_not_regular},
    {"file_kinds", test_file_kinds},
    {"claim_before_alloc", test_claim_before_alloc},
};
#define NGROUPS (sizeof groups / sizeof groups[0])

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t g = 0;
        while (g < NGROUPS && strcmp(argv[i], groups[g].name) != 0)
            g++;
        if (g == NGROUPS) {
            fprintf(stderr, "test_idx: unknown group '%s'\n", argv[i]);
            return 2;
        }
    }
    strcpy(tmpdir, "/tmp/test_idx.XXXXXX");
    const char *env = getenv("TMPDIR");
    if (env && *env && strlen(env) < sizeof tmpdir - 20)
        snprintf(tmpdir, sizeof tmpdir, "%s/test_idx.XXXXXX", env);
    if (!mkdtemp(tmpdir)) {
        perror(tmpdir);
        return 1;
    }
    test_default_dir();
    unsetenv("MLPBENCH_DATA"); /* the embedded set, whatever the caller's environment */
    for (size_t g = 0; g < NGROUPS; g++) {
        int wanted = argc == 1;
        for (int i = 1; i < argc; i++)
            wanted |= strcmp(argv[i], groups[g].name) == 0;
        if (!wanted || groups[g].run == test_default_dir)
            continue;
        printf("%s\n", groups[g].name);
        groups[g].run();
    }
    cleanup();
    if (failures) {
        printf("test_idx: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_idx: all passed\n");
    return 0;
}
