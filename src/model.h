/* model.h: the seed network (inputs -> hidden -> outputs, ReLU, no biases), its
 * parameters and its per-epoch training and test passes, all arithmetic done through
 * one kernel set's table. Precision-generic: float32 or float64 chosen at creation. */
#ifndef MLP_MODEL_H
#define MLP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "mnist.h"

typedef struct mlp_model_config {
    size_t inputs;           /* 784 */
    size_t hidden;           /* 40 */
    size_t outputs;          /* 10 */
    mlp_precision precision; /* MLP_F64 reproduces the book to the digit */
    uint32_t seed;           /* np.random.seed */
    double alpha;            /* learning rate, 0.005 */
    size_t batch;            /* 1: per-sample SGD (the seed); B: mean gradient over B rows */
    size_t micro_batch;      /* 10: B > 1 sums the gradients of micro-batches of this many
                                rows in a fixed tree (microbatch_impl.h) */
    bool dropout;            /* the book's dropout: mask*2 on layer_1, mask on its delta */
    mlp_relu_grad relu_grad; /* seed (always 1) or strict (x > 0) */
} mlp_model_config;

/* Defaults of the seed workload. */
mlp_model_config mlp_model_config_seed(void);

/* Metrics of one pass: error is the summed squared error over the records divided
 * by their count, accuracy the fraction whose argmax matches the label. */
typedef struct mlp_metrics {
    size_t count;
    size_t correct;
    double error_sum;
    double error;
    double accuracy;
} mlp_metrics;

/* Inputs (pixels / 255) and one-hot targets in the model's precision. */
typedef struct mlp_data mlp_data;
mlp_data *mlp_data_prepare(const mlp_dataset *ds, mlp_precision precision);
void mlp_data_free(mlp_data *d);
size_t mlp_data_count(const mlp_data *d);
/* d's CSR copy of the inputs (made now if not yet; the process ends with a message if
 * memory runs out): record r's nonzero inputs are entries [rows[r], rows[r + 1]) of
 * cols (ascending) and vals (pixel / 255 in d's precision). Returns the number of
 * entries. For the tests: the model makes and reads it itself. */
size_t mlp_data_sparse(const mlp_data *d, const size_t **rows, const int32_t **cols,
                       const void **vals);

typedef struct mlp_model mlp_model;
/* Allocates and initialises the weights from the numpy-compatible stream:
 * W01 = 0.2*random((inputs,hidden)) - 0.1, then W12 likewise. Returns NULL with
 * a message in err if the set lacks the precision or an allocation fails. */
mlp_model *mlp_model_create(const mlp_model_config *cfg, const mlp_kernel_set *set, char *err,
                            size_t errlen);
void mlp_model_free(mlp_model *m);
const mlp_model_config *mlp_model_config_of(const mlp_model *m);

/* Makes the inputs of train and test (either may be NULL) in the forms this model's
 * epochs and test passes read (the dense rows, the CSR copy; made once per data set,
 * and otherwise on first use), and the buffers of a test pass split across threads
 * with their pages faulted in, so that no timed epoch or test pass pays for them. */
void mlp_model_ready(mlp_model *m, const mlp_data *train, const mlp_data *test);
/* One epoch of SGD over the data in order; fills the training metrics. */
void mlp_model_train_epoch(mlp_model *m, const mlp_data *d, mlp_metrics *out);
/* A forward-only pass (no dropout) over the data; fills the test metrics. */
void mlp_model_test(mlp_model *m, const mlp_data *d, mlp_metrics *out);

/* Data-parallel training (B > 1): from now on the model shares each step's micro-batches
 * with the other ranks of comm (grad_comm.h; NULL: alone again). comm must outlive its
 * use. */
struct mlp_grad_comm;
void mlp_model_set_comm(mlp_model *m, const struct mlp_grad_comm *comm);

/* The weights of layer 0 (W01, inputs x hidden) or 1 (W12, hidden x outputs),
 * row-major, as float or double per the precision; *count gets the element count. */
const void *mlp_model_weights(const mlp_model *m, int layer, size_t *count);
/* The same, writable (for tests that perturb or compare weights). */
void *mlp_model_weights_mut(mlp_model *m, int layer, size_t *count);

#endif
