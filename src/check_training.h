/* check_training.h: the training-level check: a kernel set's whole seed run against
 * the scalar float32 run and the book's final line, and bitwise reproducibility of
 * threaded sets across thread counts. */
#ifndef MLP_CHECK_TRAINING_H
#define MLP_CHECK_TRAINING_H

#include <stdio.h>

#include "engine.h"

typedef enum { MLP_CHECK_PASSED, MLP_CHECK_FAILED, MLP_CHECK_SKIPPED } mlp_check_status;
const char *mlp_check_status_name(mlp_check_status s);

enum { MLP_TRAJECTORY_MAX = 4096 };

/* The printed values of one run: the four numbers of each line that carries a test
 * pass, as the book prints them (errors truncated by str(x)[0:5]). */
typedef struct mlp_trajectory {
    int lines;
    int epoch[MLP_TRAJECTORY_MAX];
    double value[MLP_TRAJECTORY_MAX][4]; /* Train-Err Train-Acc Test-Err Test-Acc */
    double seconds;                      /* wall time of the run */
} mlp_trajectory;

/* Runs cfg on set (with the OpenMP thread count in force) and records its lines. */
int mlp_trajectory_run(const mlp_train_config *cfg, mlp_workload *w, const mlp_kernel_set *set,
                       mlp_trajectory *out, char *err, size_t errlen);

/* Largest difference between two trajectories' printed values (+inf if their lines
 * do not match up). */
double mlp_trajectory_distance(const mlp_trajectory *a, const mlp_trajectory *b);

/* The book's final line: I:349 Train-Err:0.108 Train-Acc:1.0 Test-Err:0.653 Test-Acc:0.7073 */
extern const double mlp_book_final[4];

/* Tolerances of the training-level check (see check_training.c for why). */
#define MLP_TRAINING_TOLERANCE 0.002

typedef struct mlp_training_check {
    mlp_check_status status;
    double vs_scalar;   /* largest difference from the scalar f32 run, any line */
    double vs_book;     /* largest difference of the final line from the book's */
    double seconds;     /* wall time of the set's run */
    char detail[256];   /* why it failed or was skipped */
} mlp_training_check;

/* Checks one set's float32 run of cfg against the scalar float32 trajectory
 * `scalar` (made by mlp_trajectory_run with the same cfg). The book comparison
 * applies when cfg is the seed workload (350 epochs, defaults). A set this CPU cannot
 * run is SKIPPED. */
void mlp_check_training_set(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *set, const mlp_trajectory *scalar,
                            mlp_training_check *out);

/* For a threaded set: trains `epochs` epochs of cfg with 1..max_threads threads and
 * compares the final weights bitwise. */
void mlp_check_thread_reproducibility(const mlp_train_config *cfg, mlp_workload *w,
                                      const mlp_kernel_set *set, int max_threads,
                                      mlp_training_check *out);

/* Called with each set's check, the reference's first. */
typedef void (*mlp_check_visit)(const mlp_kernel_set *set, const mlp_training_check *r,
                                void *user);

/* The training-level check of several sets: the reference set's float32 run of cfg
 * first (visited with its own distance from the book), then each of `sets` once, in
 * order, against it (the reference and repeated sets are not run again). Returns 0,
 * or -1 with a message if the reference run itself fails. */
int mlp_check_training_sets(const mlp_train_config *cfg, mlp_workload *w,
                            const mlp_kernel_set *const *sets, size_t nsets,
                            mlp_check_visit visit, void *user, char *err, size_t errlen);

#endif
