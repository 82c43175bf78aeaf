/* mnist.h: an MNIST-style data set (images and labels) loaded from an IDX folder. */
#ifndef MLP_MNIST_H
#define MLP_MNIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct mlp_dataset {
    size_t count;    /* records */
    size_t pixels;   /* values per image: rows * cols (784 for MNIST) */
    size_t classes;  /* label range: every label is < classes (10) */
    uint8_t *images; /* [count, pixels], raw bytes 0..255 */
    uint8_t *labels; /* [count] */
} mlp_dataset;

/* Loads split "train" or "test" from dir: the files
 * {train,t10k}-images-idx3-ubyte and {train,t10k}-labels-idx1-ubyte, each raw or
 * with a .gz suffix (the first of the two names that exists is used, and must be a
 * regular file: a folder, FIFO, device, dangling link or symlink loop there is an
 * error, see idx_probe). count: records wanted (0: all); asking for more than the
 * files hold is an error. Checks that the headers of images and labels agree in
 * count (whatever count is requested) and that every label is below 10. Returns 0,
 * or -1 with a one-line message in err. */
int mlp_dataset_load(const char *dir, const char *split, size_t count, mlp_dataset *out,
                     char *err, size_t errlen);
void mlp_dataset_free(mlp_dataset *d);

/* The folder used when --data is not given: $MLPBENCH_DATA if set, else the build's
 * decompressed copy of the embedded set (data/CMakeLists.txt), fixed at build time. */
const char *mlp_default_data_dir(void);

/* The embedded set as it is in git: data/mnist in the source tree, gzip files, with
 * data/mnist-full beside it when tools/fetch-mnist has filled it. */
const char *mlp_embedded_data_dir(void);

#endif
