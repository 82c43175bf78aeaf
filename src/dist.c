/* dist.c: MPI for mlpbench (see dist.h): start and stop, agreement between ranks, and
 * the data-parallel step's fixed-order sum (reduce-scatter by Alltoallv over the fixed
 * tree's pieces, then Allgatherv). Without MLP_HAVE_MPI every call answers as one
 * process. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"

uint64_t mlp_dist_hash(uint64_t h, const void *bytes, size_t n)
{
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

int mlp_dist_env_rank(void)
{
    static const char *const names[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", NULL};
    for (int i = 0; names[i]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return atoi(v);
    }
    return -1;
}

#ifdef MLP_HAVE_MPI
#include <mpi.h>

struct mlp_dist_comm {
    mlp_grad_comm grad;
    MPI_Comm comm;
    bool verify, split_wait;
    double seconds;        /* in sum() and metrics() since the last take */
    double wait;           /* at the barrier before each exchange (split_wait) */
    void *send, *recv;     /* pack buffers */
    size_t send_cap, recv_cap;
    int *counts;           /* [4 * size]: send counts and displacements, receive too */
};

static bool started;
static int world_rank, world_size = 1;

bool mlp_dist_built(void)
{
    return true;
}

const char *mlp_dist_library(void)
{
    static char text[MPI_MAX_LIBRARY_VERSION_STRING + 64];
    if (!text[0]) {
        char lib[MPI_MAX_LIBRARY_VERSION_STRING] = "";
        int len = 0, major = 0, minor = 0;
        MPI_Get_library_version(lib, &len);
        MPI_Get_version(&major, &minor);
        lib[strcspn(lib, ",\n")] = '\0'; /* "Open MPI v4.1.4" of a longer text */
        snprintf(text, sizeof text, "%s, MPI %d.%d", lib, major, minor);
    }
    return text;
}

int mlp_dist_start(char *err, size_t errlen)
{
    if (started || mlp_dist_env_rank() < 0)
        return 0;
    int provided;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(err, errlen, "MPI_Init failed");
        return -1;
    }
    started = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    return 0;
}

bool mlp_dist_active(void)
{
    return started;
}

int mlp_dist_rank(void)
{
    return world_rank;
}

int mlp_dist_size(void)
{
    return world_size;
}

int mlp_dist_ranks_on_host(void)
{
    if (!started)
        return 1;
    MPI_Comm local;
    int n;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, world_rank, MPI_INFO_NULL, &local);
    MPI_Comm_size(local, &n);
    MPI_Comm_free(&local);
    return n;
}

void mlp_dist_stop(void)
{
    if (started)
        MPI_Finalize();
    started = false;
    world_rank = 0;
    world_size = 1;
}

int mlp_dist_first_failure(bool ok)
{
    if (!started)
        return ok ? -1 : 0;
    int mine = ok ? INT_MAX : world_rank, first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return first == INT_MAX ? -1 : first;
}

static bool same_hash(MPI_Comm comm, uint64_t h)
{
    int size;
    MPI_Comm_size(comm, &size);
    unsigned long long mine = h, *all = malloc((size_t)size * sizeof *all);
    if (!all)
        mlp_dist_abort("out of memory");
    MPI_Allgather(&mine, 1, MPI_UNSIGNED_LONG_LONG, all, 1, MPI_UNSIGNED_LONG_LONG, comm);
    bool same = true;
    for (int r = 1; r < size; r++)
        same = same && all[r] == all[0];
    free(all);
    return same;
}

bool mlp_dist_all_same(const void *bytes, size_t n)
{
    if (!started)
        return true;
    return same_hash(MPI_COMM_WORLD, mlp_dist_hash(MLP_DIST_HASH_START, bytes, n));
}

_Noreturn void mlp_dist_abort(const char *msg)
{
    fprintf(stderr, "mlpbench: error: rank %d of %d: %s\n", world_rank, world_size, msg);
    fflush(stderr);
    if (started)
        MPI_Abort(MPI_COMM_WORLD, 1);
    exit(1);
}

static void *grow(void **buf, size_t *cap, size_t bytes)
{
    if (bytes > *cap) {
        free(*buf);
        *buf = malloc(bytes);
        *cap = *buf ? bytes : 0;
        if (!*buf)
            mlp_dist_abort("out of memory for the gradient exchange");
    }
    return *buf;
}

/* [lo, hi) of the gradient's elements whose sum rank q owns */
static void slice(size_t len, int q, int size, size_t *lo, size_t *hi)
{
    *lo = len * (size_t)q / (size_t)size;
    *hi = len * (size_t)(q + 1) / (size_t)size;
}

static void step_sum(void *user, mlp_tree *t, void *out)
{
    mlp_dist_comm *c = user;
    double t0 = MPI_Wtime();
    if (c->split_wait) {
        MPI_Barrier(c->comm);
        double t1 = MPI_Wtime();
        c->wait += t1 - t0;
        t0 = t1;
    }
    int me = c->grad.rank, size = c->grad.size;
    size_t len = t->len, es = t->p == MLP_F32 ? sizeof(float) : sizeof(double);
    MPI_Datatype type = t->p == MLP_F32 ? MPI_FLOAT : MPI_DOUBLE;
    int *scount = c->counts, *sdispl = scount + size, *rcount = sdispl + size,
        *rdispl = rcount + size;
    /* send: slice q of each of my pieces to rank q */
    size_t total = 0;
    for (int q = 0; q < size; q++) {
        size_t lo, hi;
        slice(len, q, size, &lo, &hi);
        scount[q] = (int)(t->depth * (hi - lo));
        sdispl[q] = (int)total;
        total += (size_t)scount[q];
    }
    char *send = grow(&c->send, &c->send_cap, total * es + 1);
    for (int q = 0; q < size; q++) {
        size_t lo, hi;
        slice(len, q, size, &lo, &hi);
        for (size_t p = 0; p < t->depth; p++)
            memcpy(send + ((size_t)sdispl[q] + p * (hi - lo)) * es,
                   (char *)t->buf[p] + lo * es, (hi - lo) * es);
    }
    /* receive: my slice of every rank's pieces, whose nodes I know without asking */
    size_t mlo, mhi;
    slice(len, me, size, &mlo, &mhi);
    size_t mine = mhi - mlo;
    static mlp_tree_node nodes[MLP_TREE_MAX];
    total = 0;
    for (int r = 0; r < size; r++) {
        size_t a, b;
        mlp_tree_share(t->n, r, size, &a, &b);
        rcount[r] = (int)(mlp_tree_pieces(t->n, a, b, nodes) * mine);
        rdispl[r] = (int)total;
        total += (size_t)rcount[r];
    }
    char *recv = grow(&c->recv, &c->recv_cap, total * es + 1);
    MPI_Alltoallv(send, scount, sdispl, type, recv, rcount, rdispl, type, c->comm);
    /* add my slice over the tree, in the tree's order */
    mlp_tree rt = {0};
    mlp_tree_reset(&rt, t->n, t->p, mine);
    for (int r = 0; r < size; r++) {
        size_t a, b;
        mlp_tree_share(t->n, r, size, &a, &b);
        size_t np = mlp_tree_pieces(t->n, a, b, nodes);
        for (size_t p = 0; p < np; p++)
            mlp_tree_push(&rt, nodes[p], recv + ((size_t)rdispl[r] + p * mine) * es);
    }
    void *root = mlp_tree_finish(&rt);
    for (int q = 0; q < size; q++) {
        size_t lo, hi;
        slice(len, q, size, &lo, &hi);
        rcount[q] = (int)(hi - lo);
        rdispl[q] = (int)lo;
    }
    MPI_Allgatherv(root ? root : recv, (int)mine, type, out, rcount, rdispl, type, c->comm);
    c->seconds += MPI_Wtime() - t0;
}

static void epoch_metrics(void *user, double *err, size_t n, size_t *correct)
{
    mlp_dist_comm *c = user;
    double t0 = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, err, (int)n, MPI_DOUBLE, MPI_SUM, c->comm);
    unsigned long long k = *correct;
    MPI_Allreduce(MPI_IN_PLACE, &k, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, c->comm);
    *correct = (size_t)k;
    c->seconds += MPI_Wtime() - t0;
}

static void verify_step(void *user, const void *w01, size_t bytes01, const void *w12,
                        size_t bytes12)
{
    mlp_dist_comm *c = user;
    uint64_t h = mlp_dist_hash(MLP_DIST_HASH_START, w01, bytes01);
    if (!same_hash(c->comm, mlp_dist_hash(h, w12, bytes12)))
        mlp_dist_abort("the ranks' weights differ after a step");
}

mlp_dist_comm *mlp_dist_comm_open(int ranks, bool verify)
{
    if (ranks <= 0 || ranks > world_size)
        ranks = world_size;
    mlp_dist_comm *c = calloc(1, sizeof *c);
    if (!c)
        mlp_dist_abort("out of memory");
    c->comm = MPI_COMM_NULL;
    if (started) {
        MPI_Comm_split(MPI_COMM_WORLD, world_rank < ranks ? 0 : MPI_UNDEFINED, world_rank,
                       &c->comm);
        if (c->comm == MPI_COMM_NULL) {
            free(c);
            return NULL;
        }
        MPI_Comm_rank(c->comm, &c->grad.rank);
        MPI_Comm_size(c->comm, &c->grad.size);
    } else {
        c->grad.size = 1;
    }
    c->counts = malloc(4 * (size_t)c->grad.size * sizeof *c->counts);
    if (!c->counts)
        mlp_dist_abort("out of memory");
    c->verify = verify;
    c->grad.sum = step_sum;
    c->grad.metrics = epoch_metrics;
    c->grad.after_step = verify && c->grad.size > 1 ? verify_step : NULL;
    c->grad.user = c;
    return c;
}

double mlp_dist_comm_take_seconds(mlp_dist_comm *c)
{
    double s = c->seconds;
    c->seconds = 0;
    return s;
}

void mlp_dist_comm_split_wait(mlp_dist_comm *c, bool on)
{
    c->split_wait = on;
}

double mlp_dist_comm_take_wait(mlp_dist_comm *c)
{
    double s = c->wait;
    c->wait = 0;
    return s;
}

void mlp_dist_comm_barrier(mlp_dist_comm *c)
{
    if (c->comm != MPI_COMM_NULL)
        MPI_Barrier(c->comm);
}

double mlp_dist_comm_max(mlp_dist_comm *c, double x)
{
    double m = x;
    if (c->comm != MPI_COMM_NULL)
        MPI_Allreduce(&x, &m, 1, MPI_DOUBLE, MPI_MAX, c->comm);
    return m;
}

void mlp_dist_comm_close(mlp_dist_comm *c)
{
    if (!c)
        return;
    if (c->comm != MPI_COMM_NULL)
        MPI_Comm_free(&c->comm);
    free(c->send);
    free(c->recv);
    free(c->counts);
    free(c);
}

#else /* no MPI: one process */

struct mlp_dist_comm {
    mlp_grad_comm grad;
};

bool mlp_dist_built(void) { return false; }
const char *mlp_dist_library(void) { return "not built in"; }
int mlp_dist_start(char *err, size_t errlen)
{
    const char *n = getenv("OMPI_COMM_WORLD_SIZE");
    if (!n)
        n = getenv("PMI_SIZE");
    if (mlp_dist_env_rank() >= 0 && n && atoi(n) > 1) {
        snprintf(err, errlen, "launched by mpirun on %s ranks, but this mlpbench is built "
                              "without MPI (cmake -DMLP_MPI=ON)", n);
        return -1;
    }
    return 0;
}
bool mlp_dist_active(void) { return false; }
int mlp_dist_rank(void) { return 0; }
int mlp_dist_size(void) { return 1; }
int mlp_dist_ranks_on_host(void) { return 1; }
void mlp_dist_stop(void) {}
int mlp_dist_first_failure(bool ok) { return ok ? -1 : 0; }
bool mlp_dist_all_same(const void *bytes, size_t n) { (void)bytes; (void)n; return true; }

_Noreturn void mlp_dist_abort(const char *msg)
{
    fprintf(stderr, "mlpbench: error: %s\n", msg);
    exit(1);
}

mlp_dist_comm *mlp_dist_comm_open(int ranks, bool verify)
{
    (void)ranks;
    (void)verify;
    mlp_dist_comm *c = calloc(1, sizeof *c);
    if (!c)
        mlp_dist_abort("out of memory");
    c->grad.size = 1;
    return c;
}

double mlp_dist_comm_take_seconds(mlp_dist_comm *c) { (void)c; return 0; }
void mlp_dist_comm_split_wait(mlp_dist_comm *c, bool on) { (void)c; (void)on; }
double mlp_dist_comm_take_wait(mlp_dist_comm *c) { (void)c; return 0; }
void mlp_dist_comm_barrier(mlp_dist_comm *c) { (void)c; }
double mlp_dist_comm_max(mlp_dist_comm *c, double x) { (void)c; return x; }
void mlp_dist_comm_close(mlp_dist_comm *c) { free(c); }

#endif

const mlp_grad_comm *mlp_dist_comm_grad(const mlp_dist_comm *c)
{
    return c ? &c->grad : NULL;
}
