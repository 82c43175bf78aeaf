/* mnist.c: loads an MNIST-style split (images + labels IDX files, raw or .gz) from a
 * folder and checks that the two files agree (see mnist.h). Fashion-MNIST, e.g.
 * Debian's /usr/share/datasets/fashion-mnist, uses the same file names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "idx.h"
#include "mnist.h"

#ifndef MLP_EMBEDDED_DATA_DIR
#define MLP_EMBEDDED_DATA_DIR "data/mnist"
#endif
#ifndef MLP_DEFAULT_DATA_DIR
#define MLP_DEFAULT_DATA_DIR MLP_EMBEDDED_DATA_DIR
#endif

#define MNIST_CLASSES 10
#define PATH_LEN 4096

const char *mlp_default_data_dir(void)
{
    const char *env = getenv("MLPBENCH_DATA");
    return env && *env ? env : MLP_DEFAULT_DATA_DIR;
}

const char *mlp_embedded_data_dir(void)
{
    return MLP_EMBEDDED_DATA_DIR;
}

/* Finds dir/<prefix>-<kind>-ubyte, raw or .gz: the first of the two names that exists
 * in any form (a dangling link too) is the data file, and must be a regular file. */
static int find_file(const char *dir, const char *prefix, const char *kind, char *path,
                     char *err, size_t errlen)
{
    const char *suffixes[] = {"", ".gz"};
    for (int i = 0; i < 2; i++) {
        int n = snprintf(path, PATH_LEN, "%s/%s-%s-ubyte%s", dir, prefix, kind, suffixes[i]);
        if (n < 0 || n >= PATH_LEN) {
            snprintf(err, errlen, "%s: folder name too long (at most %d bytes)", dir,
                     PATH_LEN - 64);
            return -1;
        }
        int found = idx_probe(path, err, errlen);
        if (found <= 0)
            return found; /* 0: a regular file; -1: something else is there */
    }
    snprintf(err, errlen, "%s: missing file: expected %s-%s-ubyte or %s-%s-ubyte.gz, found neither",
             dir, prefix, kind, prefix, kind);
    return -1;
}

static int check_dir(const char *dir, char *err, size_t errlen)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open data folder: %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: expected a data folder, found a file", dir);
        return -1;
    }
    return 0;
}

static int check_labels(const char *path, const idx_array *labels, char *err, size_t errlen)
{
    for (size_t i = 0; i < labels->count; i++) {
        if (labels->data[i] >= MNIST_CLASSES) {
            snprintf(err, errlen,
                     "%s: label out of range: record %zu has label %u, expected 0..%d", path, i,
                     labels->data[i], MNIST_CLASSES - 1);
            return -1;
        }
    }
    return 0;
}

/* Count checks on the headers, whatever was requested: enough records for the
 * request, and as many images as labels. */
static int check_counts(const char *img_path, const idx_array *img, const char *lbl_path,
                        const idx_array *lbl, size_t count, char *err, size_t errlen)
{
    if (count > img->file_records) {
        snprintf(err, errlen, "%s: holds %lu images, %zu requested", img_path,
                 (unsigned long)img->file_records, count);
        return -1;
    }
    if (img->file_records != lbl->file_records) {
        snprintf(err, errlen,
                 "%s: image/label count mismatch: expected %lu images (the labels in %s), "
                 "found %lu",
                 img_path, (unsigned long)lbl->file_records, lbl_path,
                 (unsigned long)img->file_records);
        return -1;
    }
    return 0;
}

static const char *split_prefix(const char *split)
{
    if (split && strcmp(split, "train") == 0)
        return "train";
    if (split && strcmp(split, "test") == 0)
        return "t10k";
    return NULL;
}

/* Reads both files (all labels, the requested images) and checks them together. */
static int load_files(const char *img_path, const char *lbl_path, size_t count,
                      mlp_dataset *out, char *err, size_t errlen)
{
    idx_array img, lbl;
    if (idx_read(lbl_path, 1, 0, &lbl, err, errlen) != 0)
        return -1;
    if (check_labels(lbl_path, &lbl, err, errlen) != 0 ||
        idx_read(img_path, 3, count, &img, err, errlen) != 0) {
        idx_free(&lbl);
        return -1;
    }
    if (check_counts(img_path, &img, lbl_path, &lbl, count, err, errlen) != 0) {
        idx_free(&img);
        idx_free(&lbl);
        return -1;
    }
    out->count = img.dims[0];
    out->pixels = (size_t)img.dims[1] * img.dims[2];
    out->classes = MNIST_CLASSES;
    out->images = img.data;
    out->labels = lbl.data; /* may hold more labels than count; only count are used */
    return 0;
}

int mlp_dataset_load(const char *dir, const char *split, size_t count, mlp_dataset *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!dir || !*dir) {
        snprintf(err, errlen, "(no folder): expected a data folder name, found none");
        return -1;
    }
    const char *prefix = split_prefix(split);
    if (!prefix) {
        snprintf(err, errlen, "%s: unknown split: expected train or test, found '%s'", dir,
                 split ? split : "(null)");
        return -1;
    }
    char img_path[PATH_LEN], lbl_path[PATH_LEN];
    if (check_dir(dir, err, errlen) != 0 ||
        find_file(dir, prefix, "images-idx3", img_path, err, errlen) != 0 ||
        find_file(dir, prefix, "labels-idx1", lbl_path, err, errlen) != 0)
        return -1;
    return load_files(img_path, lbl_path, count, out, err, errlen);
}

void mlp_dataset_free(mlp_dataset *d)
{
    if (!d)
        return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}
