/* test_sparse_inputs.c: the CSR copy of a data set's inputs (mlp_data_sparse, built
 * from the pixel bytes eight at a time, src/model_impl.h) against the bytes read one
 * by one: the same entries in the same order, each value bitwise (REAL)pixel / 255,
 * in both precisions; on image sizes that are and are not a multiple of 8, with
 * words of zeros, rows of zeros, rows with no zero, and zero records. */
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "mnist.h"
#include "model.h"

/* splitmix64 for the test bytes */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void check(size_t count, size_t pixels, uint64_t seed)
{
    mlp_dataset ds = {.count = count, .pixels = pixels, .classes = 10};
    ds.images = malloc(count * pixels + 1);
    ds.labels = malloc(count + 1);
    if (!ds.images || !ds.labels)
        abort();
    for (size_t r = 0; r < count; r++) {
        ds.labels[r] = (uint8_t)(r % 10);
        for (size_t c = 0; c < pixels; c++) {
            uint64_t v = next(&seed);
            uint8_t b = v % 5 < 4 ? 0 : (uint8_t)(v >> 8); /* ~80% zeros, as MNIST */
            if (r % 7 == 3)
                b = 0; /* a record of zeros */
            if (r % 7 == 5)
                b = (uint8_t)(1 + v % 255); /* a record without a zero */
            ds.images[r * pixels + c] = b;
        }
    }
    for (int p = 0; p < MLP_PRECISIONS; p++) {
        mlp_data *d = mlp_data_prepare(&ds, (mlp_precision)p);
        EXPECT(d != NULL, "prepare");
        if (!d)
            continue;
        const size_t *rows;
        const int32_t *cols;
        const void *vals;
        size_t total = mlp_data_sparse(d, &rows, &cols, &vals), e = 0;
        bool same = rows[0] == 0;
        for (size_t r = 0; r < count && same; r++) {
            for (size_t c = 0; c < pixels && same; c++) {
                uint8_t b = ds.images[r * pixels + c];
                if (b == 0)
                    continue;
                same = e < rows[r + 1] && cols[e] == (int32_t)c;
                if (p == MLP_F32) {
                    float want = (float)b / (float)255;
                    same = same && memcmp(&want, (const float *)vals + e, sizeof want) == 0;
                } else {
                    double want = (double)b / (double)255;
                    same = same && memcmp(&want, (const double *)vals + e, sizeof want) == 0;
                }
                e++;
            }
            same = same && rows[r + 1] == e;
        }
        EXPECT(same && total == e, "%zu records of %zu pixels, %s: the CSR copy differs from "
               "the bytes (entry %zu of %zu)", count, pixels, p ? "f64" : "f32", e, total);
        mlp_data_free(d);
    }
    free(ds.images);
    free(ds.labels);
}

int main(void)
{
    const size_t pixels[] = {784, 29, 8, 1, 16, 7, 1031};
    for (size_t i = 0; i < sizeof pixels / sizeof pixels[0]; i++) {
        check(50, pixels[i], 1 + i);
        check(1, pixels[i], 100 + i);
    }
    check(0, 784, 7);
    return expect_exit();
}
