/* peer_numpy.h: the seed's own program as a measured peer of the kernel sets. bench
 * runs tools/numpy-seed (the book's numpy code, float64, Debian's python3-numpy) in
 * fresh processes pinned to one core with one BLAS thread, times its training epochs
 * and test passes, and keeps them beside the sets' samples, so that a result file
 * states the speedup over the program mlpbench reproduces. Only the seed workload has
 * a numpy program; any other is "not measured", as is a machine without python3-numpy. */
#ifndef MLP_PEER_NUMPY_H
#define MLP_PEER_NUMPY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

enum { MLP_PEER_PROCESSES = 3, MLP_PEER_EPOCHS = 3 }; /* 1 warm-up + 2 measured epochs */

typedef struct mlp_peer {
    bool measured;
    char why[200];         /* why not measured */
    char numpy[32];        /* numpy's version */
    bool book_line;        /* its first printed line is the book's I:0 line */
    size_t ntrain, ntest;
    double train[MLP_PEER_PROCESSES * MLP_PEER_EPOCHS]; /* measured epochs, seconds */
    double test[MLP_PEER_PROCESSES * MLP_PEER_EPOCHS];  /* after each measured epoch */
    double train_median, test_median;
} mlp_peer;

/* Whether the spec is the seed workload the numpy program runs. */
bool mlp_peer_numpy_applies(const mlp_run_spec *spec);

/* Runs the peer (pin: bind it to core 0). Never fails: whatever goes wrong is why it
 * was not measured. */
void mlp_peer_numpy_run(const mlp_run_spec *spec, bool pin, mlp_peer *out);

/* The peer as a JSON object (new reference). */
json_t *mlp_peer_json(const mlp_peer *p);

#endif
