/* dist.h: mlpbench across processes with MPI (built with -DMLP_MPI=ON, the default when
 * CMake finds MPI; without it every function here answers as one process would).
 *
 * MPI starts only when the process was launched by mpirun (its environment says so):
 * a plain `mlpbench train` never initialises MPI, costs nothing and prints as before.
 * Rank 0 prints; the others stay quiet unless they fail themselves.
 *
 * The data-parallel step (grad_comm.h) on a communicator of `size` ranks: every rank
 * knows every rank's pieces of the fixed tree (mlp_tree_pieces), so one Alltoallv sends
 * slice q of each piece to rank q, rank q adds its slice of all pieces in tree order,
 * and one Allgatherv gives every rank the whole sum: a reduce-scatter and an allgather
 * whose order of additions is the tree's, not MPI's (MPI_Allreduce promises none). */
#ifndef MLP_DIST_H
#define MLP_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grad_comm.h"

/* Whether this binary has MPI, and which ("Open MPI v4.1.4, MPI 3.1"; "not built in"). */
bool mlp_dist_built(void);
const char *mlp_dist_library(void);
/* The rank the launcher gave this process, read from the environment before MPI
 * starts (for quieting usage errors on ranks other than 0); -1 when not launched. */
int mlp_dist_env_rank(void);

/* Starts MPI if launched by mpirun (idempotent); returns 0, or -1 with a message. */
int mlp_dist_start(char *err, size_t errlen);
bool mlp_dist_active(void); /* started, on more than one process or one */
int mlp_dist_rank(void);    /* 0 without MPI */
int mlp_dist_size(void);    /* 1 without MPI */
/* How many ranks of the job run on this host (1 without MPI). */
int mlp_dist_ranks_on_host(void);
/* Ends MPI if it was started. */
void mlp_dist_stop(void);

/* Every rank says whether it is fine; returns the lowest rank that is not, or -1 when all
 * are. (One collective; without MPI: ok ? -1 : 0.) */
int mlp_dist_first_failure(bool ok);
/* Whether every rank passed the same bytes (a 64-bit hash of them, gathered). */
bool mlp_dist_all_same(const void *bytes, size_t n);
/* 64-bit FNV-1a of bytes, continuing from h (start with MLP_DIST_HASH_START). */
#define MLP_DIST_HASH_START 1469598103934665603ull
uint64_t mlp_dist_hash(uint64_t h, const void *bytes, size_t n);

/* A communicator of the first `ranks` ranks (all: 0) for the data-parallel step, or NULL
 * on the ranks left out (and without MPI: a comm of one rank, which the model treats
 * as alone). verify: after every step, check that all ranks hold the same weights (a
 * hash), and end the job with a one-line message if not. */
typedef struct mlp_dist_comm mlp_dist_comm;
mlp_dist_comm *mlp_dist_comm_open(int ranks, bool verify);
const mlp_grad_comm *mlp_dist_comm_grad(const mlp_dist_comm *c);
/* Wall seconds this rank spent in the step's communication since the last call. */
double mlp_dist_comm_take_seconds(mlp_dist_comm *c);
/* For timing (bench): every exchange first waits at a barrier, timed apart, so that the
 * communication seconds are the transfer alone and *wait the time spent waiting for the
 * other ranks to arrive (load imbalance, a rank not on a core). */
void mlp_dist_comm_split_wait(mlp_dist_comm *c, bool on);
double mlp_dist_comm_take_wait(mlp_dist_comm *c);
/* Barrier on the communicator (for timing). */
void mlp_dist_comm_barrier(mlp_dist_comm *c);
/* The largest of every rank's x, on every rank of c. */
double mlp_dist_comm_max(mlp_dist_comm *c, double x);
void mlp_dist_comm_close(mlp_dist_comm *c);

/* Ends the whole job now: msg as one line on stderr, status 1 on every rank. */
_Noreturn void mlp_dist_abort(const char *msg);

#endif
