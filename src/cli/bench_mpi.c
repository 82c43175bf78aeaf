/* bench_mpi.c: bench under mpirun: the scaling of the data-parallel step, the latency
 * and bandwidth probe, and whole-cluster (independent) benchmarking (see bench_mpi.h).
 *
 * Timing of a scaling case, on each rank of the k taking part: the ranks meet at a
 * barrier before every epoch; the epoch's wall time, the time waiting at a barrier that
 * bench puts before each step's exchange (the other ranks arriving: imbalance, a rank
 * not on a core), and the time in the exchange itself (dist.c: the Alltoallv, this
 * rank's additions over the tree, the Allgatherv, and the epoch's one metrics
 * reduction) are taken; compute is the rest. Per step: the
 * epoch's times divided by its steps (ceil(records / batch)). A case's step time is the
 * slowest rank's (the step ends when the last rank has the sum). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_mpi.h"
#include "dist.h"
#include "machine.h"
#include "mpi_job.h"
#include "results.h"
#include "stats.h"

#ifdef MLP_HAVE_MPI
#include <mpi.h>

enum { MAX_EPOCHS = 1000 };

/* Every rank's NUL-terminated text, gathered on rank 0: the texts one after another,
 * rank r's at (*offsets)[r]. NULL (and *offsets NULL) on the other ranks. */
static char *gather_texts(const char *text, int **offsets)
{
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    int len = (int)strlen(text) + 1, *lens = NULL, *displs = NULL;
    char *all = NULL;
    if (rank == 0) {
        lens = calloc((size_t)size, sizeof *lens);
        displs = calloc((size_t)size, sizeof *displs);
        if (!lens || !displs)
            mlp_dist_abort("out of memory");
    }
    MPI_Gather(&len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD);
    size_t total = 0;
    for (int r = 0; rank == 0 && r < size; r++) {
        displs[r] = (int)total;
        total += (size_t)lens[r];
    }
    if (rank == 0 && !(all = malloc(total)))
        mlp_dist_abort("out of memory");
    MPI_Gatherv(text, len, MPI_CHAR, all, lens, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
    free(lens);
    *offsets = displs;
    return all;
}

/* This rank's machine context as JSON text, every rank's gathered to rank 0 (a list of
 * {rank, host_name, ranks_on_host, oversubscribed, machine}); NULL on other ranks. */
static json_t *gather_contexts(int *ranks_on_host_out, bool *oversubscribed_out)
{
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
    int on_host;
    MPI_Comm_size(local, &on_host);
    MPI_Comm_free(&local);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    bool over = cpus > 0 && on_host > cpus;
    mlp_machine m;
    mlp_machine_describe(&m);
    json_t *mine = json_pack("{s:i, s:s, s:i, s:b, s:o}", "rank", rank, "host_name",
                             m.hostname, "ranks_on_host", on_host, "oversubscribed", over,
                             "machine", mlp_machine_json(&m));
    char *text = json_dumps(mine, JSON_COMPACT);
    json_decref(mine);
    if (!text)
        mlp_dist_abort("out of memory");
    int *displs;
    char *all = gather_texts(text, &displs);
    free(text);
    int worst = on_host, any_over = over;
    MPI_Allreduce(MPI_IN_PLACE, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &any_over, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    *ranks_on_host_out = worst;
    *oversubscribed_out = any_over;
    if (rank != 0)
        return NULL;
    json_t *list = json_array();
    for (int r = 0; r < size; r++)
        json_array_append_new(list, json_loads(all + displs[r], 0, NULL));
    free(all);
    free(displs);
    return list;
}

/* ---- the probe: ping-pong between ranks 0 and 1 ---- */

static json_t *probe(void)
{
    int rank = mlp_dist_rank();
    static const size_t sizes[] = {8, 64, 512, 4096, 32768, 262144, 1048576, 4194304};
    enum { NSIZES = sizeof sizes / sizeof sizes[0] };
    char *buf = calloc(sizes[NSIZES - 1], 1);
    if (!buf)
        mlp_dist_abort("out of memory");
    json_t *points = rank == 0 ? json_array() : NULL;
    double t[NSIZES];
    for (int s = 0; s < NSIZES; s++) {
        int reps = sizes[s] >= 1048576 ? 20 : sizes[s] >= 32768 ? 100 : 1000;
        double best = INFINITY;
        for (int round = 0; round < 15; round++) { /* the best of 15 rounds: least disturbed */
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = MPI_Wtime();
            for (int i = 0; i < reps && rank <= 1; i++) {
                if (rank == 0) {
                    MPI_Send(buf, (int)sizes[s], MPI_CHAR, 1, 0, MPI_COMM_WORLD);
                    MPI_Recv(buf, (int)sizes[s], MPI_CHAR, 1, 0, MPI_COMM_WORLD,
                             MPI_STATUS_IGNORE);
                } else {
                    MPI_Recv(buf, (int)sizes[s], MPI_CHAR, 0, 0, MPI_COMM_WORLD,
                             MPI_STATUS_IGNORE);
                    MPI_Send(buf, (int)sizes[s], MPI_CHAR, 0, 0, MPI_COMM_WORLD);
                }
            }
            double one_way = (MPI_Wtime() - t0) / reps / 2;
            if (one_way < best)
                best = one_way;
        }
        t[s] = best;
        if (rank == 0)
            json_array_append_new(points, json_pack("{s:I, s:f, s:f}", "bytes",
                                                    (json_int_t)sizes[s], "seconds", best,
                                                    "bytes_per_second", sizes[s] / best));
    }
    free(buf);
    if (rank != 0)
        return NULL;
    /* alpha: the smallest message's one-way time; beta: the least-squares slope over
     * 32 KiB..1 MiB (the gradients are 125 KiB..1 MiB; 4 MiB leaves the caches) */
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int s = 0; s < NSIZES; s++)
        if (sizes[s] >= 32768 && sizes[s] <= 1048576) {
            double x = (double)sizes[s];
            sx += x, sy += t[s], sxx += x * x, sxy += x * t[s], n++;
        }
    double beta = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    printf("MPI probe (ping-pong, ranks 0 and 1, one-way, best of 15 rounds):\n");
    for (int s = 0; s < NSIZES; s++)
        printf("  %8zu bytes  %10.2f us  %8.3f GB/s\n", sizes[s], t[s] * 1e6,
               sizes[s] / t[s] / 1e9);
    printf("  alpha %.3f us, beta %.4f ns/byte (%.2f GB/s)\n\n", t[0] * 1e6, beta * 1e9,
           1 / beta / 1e9);
    return json_pack("{s:s, s:f, s:f, s:o}", "method",
                     "ping-pong between ranks 0 and 1, one-way time = round trip / 2, best "
                     "of 5 rounds; alpha = the 8-byte time, beta = least-squares slope over "
                     "32 KiB..1 MiB",
                     "alpha_seconds", t[0], "beta_seconds_per_byte", beta, "points", points);
}

/* ---- scaling ---- */

typedef struct case_result {
    int mode; /* 0 strong, 1 weak */
    int ranks;
    size_t batch, steps;
    double step, compute, comm; /* medians over epochs of the slowest rank, per step */
    double step_min, comm_min;  /* the least disturbed epoch's (a shared machine) */
    double wait;                /* median: at the barrier before each exchange */
} case_result;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* One case on the first k ranks; every rank of the world calls it. Rank 0 gets every
 * rank's samples into `samples` [size][3][epochs]: epoch, exchange and wait seconds (NaN
 * for ranks left out). */
static void run_case(const mlp_bench_mpi_config *c, const mlp_kernel_set *set, mlp_workload *w,
                     int k, size_t batch, double *samples)
{
    int rank = mlp_dist_rank(), E = c->epochs;
    double mine[3 * MAX_EPOCHS];
    for (int i = 0; i < 3 * E; i++)
        mine[i] = NAN;
    mlp_dist_comm *dc = mlp_dist_comm_open(k, false);
    if (dc) {
        mlp_train_config tc = c->run.spec.train;
        tc.model.batch = batch;
        char err[MLP_ERROR_MAX];
        mlp_engine *e = mlp_engine_open(&tc, w, set, err, sizeof err);
        if (!e)
            mlp_dist_abort(err);
        mlp_model_set_comm(mlp_engine_model(e), k > 1 ? mlp_dist_comm_grad(dc) : NULL);
        mlp_dist_comm_split_wait(dc, true);
        for (int i = 0; i < c->warmup + E; i++) {
            mlp_epoch_report r;
            mlp_dist_comm_barrier(dc);
            mlp_dist_comm_take_seconds(dc);
            mlp_dist_comm_take_wait(dc);
            mlp_engine_train_epoch(e, &r);
            double comm = mlp_dist_comm_take_seconds(dc), wait = mlp_dist_comm_take_wait(dc);
            if (i >= c->warmup) {
                mine[i - c->warmup] = r.train_seconds;
                mine[E + i - c->warmup] = comm;
                mine[2 * E + i - c->warmup] = wait;
            }
        }
        mlp_engine_close(e, false);
        mlp_dist_comm_close(dc);
    }
    MPI_Gather(mine, 3 * E, MPI_DOUBLE, samples, 3 * E, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    (void)rank;
}

static json_t *summarise(case_result *cr, const double *samples, int E, int size)
{
    double step[MAX_EPOCHS], compute[MAX_EPOCHS], comm[MAX_EPOCHS], wait[MAX_EPOCHS];
    json_t *per_rank = json_array();
    for (int e = 0; e < E; e++)
        step[e] = compute[e] = comm[e] = wait[e] = 0;
    for (int r = 0; r < cr->ranks && r < size; r++) {
        const double *s = samples + (size_t)r * 3 * (size_t)E;
        json_t *ep = json_array(), *cm = json_array(), *wt = json_array();
        for (int e = 0; e < E; e++) {
            double t = s[e] / (double)cr->steps, x = s[E + e] / (double)cr->steps,
                   w = s[2 * E + e] / (double)cr->steps;
            step[e] = fmax(step[e], t);
            comm[e] = fmax(comm[e], x);
            wait[e] = fmax(wait[e], w);
            compute[e] = fmax(compute[e], t - x - w);
            json_array_append_new(ep, json_real(s[e]));
            json_array_append_new(cm, json_real(s[E + e]));
            json_array_append_new(wt, json_real(s[2 * E + e]));
        }
        json_array_append_new(per_rank, json_pack("{s:i, s:o, s:o, s:o}", "rank", r,
                                                  "epoch_seconds", ep, "comm_seconds", cm,
                                                  "wait_seconds", wt));
    }
    double lo = INFINITY, lo_comm = INFINITY;
    for (int e = 0; e < E; e++)
        lo = fmin(lo, step[e]), lo_comm = fmin(lo_comm, comm[e]);
    cr->step_min = lo;
    cr->comm_min = lo_comm;
    cr->step = median(step, E);
    cr->compute = median(compute, E);
    cr->comm = median(comm, E);
    cr->wait = median(wait, E);
    return json_pack("{s:s, s:i, s:I, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:o}", "mode",
                     cr->mode ? "weak" : "strong", "ranks", cr->ranks, "batch",
                     (json_int_t)cr->batch, "steps_per_epoch", (json_int_t)cr->steps,
                     "step_seconds", cr->step, "compute_seconds", cr->compute, "comm_seconds",
                     cr->comm, "wait_seconds", cr->wait, "step_seconds_min", cr->step_min,
                     "comm_seconds_min", cr->comm_min, "per_rank", per_rank);
}

static void print_table(const case_result *cr, int n, int mode)
{
    const case_result *one = NULL;
    for (int i = 0; i < n; i++)
        if (cr[i].mode == mode && cr[i].ranks == 1)
            one = &cr[i];
    printf("%s scaling (%s): per step, the slowest rank, median over epochs (min: the "
           "fastest epoch)\n", mode ? "weak" : "strong", mode ? "B rows per rank" : "fixed batch");
    printf("  %5s %7s %10s %9s %11s %9s %9s %9s %8s %10s\n", "ranks", "batch", "step ms",
           "min", "compute ms", "wait ms", "comm ms", "min", mode ? "" : "speedup",
           "efficiency");
    for (int i = 0; i < n; i++) {
        if (cr[i].mode != mode)
            continue;
        double eff = NAN, speed = NAN;
        if (one) {
            speed = one->step / cr[i].step;
            eff = mode ? speed : speed / cr[i].ranks;
        }
        char sp[16] = "";
        if (!mode)
            snprintf(sp, sizeof sp, "%.2f", speed);
        printf("  %5d %7zu %10.3f %9.3f %11.3f %9.3f %9.3f %9.3f %8s %9.0f%%\n",
               cr[i].ranks, cr[i].batch, cr[i].step * 1e3, cr[i].step_min * 1e3,
               cr[i].compute * 1e3, cr[i].wait * 1e3, cr[i].comm * 1e3, cr[i].comm_min * 1e3,
               sp, eff * 100);
    }
    printf("\n");
}

static int default_path(char *path, size_t len)
{
    mlp_machine m;
    mlp_machine_describe(&m);
    char full[MLP_RESULTS_PATH_MAX];
    if (mlp_results_default_path(&m, mlp_results_default_dir(), full, sizeof full) != 0)
        return -1;
    char *slash = strrchr(full, '/');
    const char *base = slash ? slash + 1 : full;
    int dir = slash ? (int)(slash - full + 1) : 0;
    return snprintf(path, len, "%.*smpi-scaling-%s", dir, full, base) >= (int)len ? -1 : 0;
}

int mlp_bench_mpi_scaling(const mlp_bench_mpi_config *c)
{
    const mlp_run_options *o = &c->run;
    const mlp_kernel_set *set = mlp_choose_set("bench", o->set, o->spec.train.model.precision);
    mlp_apply_threads(o->threads);
    if (c->epochs > MAX_EPOCHS)
        mlp_usage_error("bench", "--epochs: at most %d with --scaling", MAX_EPOCHS);
    mlp_mpi_job_start("bench", o->threads);
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    char path[MLP_RESULTS_PATH_MAX], err[MLP_ERROR_MAX];
    int bad = 0;
    if (!mlp_dist_active())
        bad = mlp_fail("bench", "--scaling and --mpi-probe run under mpirun "
                                "(mpirun -np N mlpbench bench --scaling strong,weak ...)");
    else if (c->probe && size < 2 && rank == 0)
        bad = mlp_fail("bench", "--mpi-probe needs at least 2 ranks");
    else if (c->probe && size < 2)
        bad = MLP_EXIT_FAILURE;
    for (int i = 0; !bad && i < c->nranks; i++)
        if (c->ranks[i] > size)
            bad = rank == 0 ? mlp_fail("bench", "--ranks: more ranks than mpirun started")
                            : MLP_EXIT_FAILURE;
    size_t most = 1; /* the largest batch a case will run */
    for (int i = 0; i < c->nranks; i++)
        most = (size_t)c->ranks[i] > most ? (size_t)c->ranks[i] : most;
    if (!c->nranks)
        most = (size_t)size;
    most = c->weak ? most * o->spec.train.model.batch : o->spec.train.model.batch;
    if (!bad && (c->strong || c->weak) && most > o->spec.train_count) {
        if (rank == 0)
            fprintf(stderr, "mlpbench bench: error: --scaling: a batch of %zu rows, but "
                            "--train-count is %zu (each step must have its whole batch) "
                            "(see 'mlpbench bench --help')\n", most, o->spec.train_count);
        bad = MLP_EXIT_USAGE;
    }
    if (!bad && c->save && rank == 0) {
        if (c->out)
            snprintf(path, sizeof path, "%s", c->out);
        else if (default_path(path, sizeof path) != 0)
            bad = mlp_fail("bench", "the default result path is too long (use --out PATH)");
        if (!bad && mlp_results_check_writable(path, err, sizeof err) != 0)
            bad = mlp_fail("bench", err);
    }
    int failed = mlp_dist_active() ? mlp_dist_first_failure(!bad) : -1;
    if (failed >= 0) { /* the status of the first rank that failed, on every rank */
        int status = bad;
        MPI_Bcast(&status, 1, MPI_INT, failed, MPI_COMM_WORLD);
        return mlp_mpi_job_end(status);
    }
    if (bad)
        return mlp_mpi_job_end(bad);
    mlp_workload w;
    int rc = (c->strong || c->weak) ? mlp_mpi_job_load("bench", o, set, &w) : 0;
    if (rc != 0)
        return mlp_mpi_job_end(rc);
    int on_host;
    bool over;
    json_t *contexts = gather_contexts(&on_host, &over);
    if (rank == 0 && over)
        fprintf(stderr, "mlpbench bench: warning: %d ranks share a host with fewer cores: "
                        "oversubscribed, the ranks take turns on the cores\n", on_host);
    json_t *probe_doc = c->probe ? probe() : NULL;

    int ks[MLP_BENCH_MPI_MAX_RANKS], nk = 0;
    if (c->nranks)
        for (int i = 0; i < c->nranks; i++)
            ks[nk++] = c->ranks[i];
    else
        for (int k = 1; k <= size && nk < MLP_BENCH_MPI_MAX_RANKS; k++)
            ks[nk++] = k;
    size_t B = o->spec.train.model.batch, count = o->spec.train_count;
    int E = c->epochs;
    double *samples = malloc((size_t)size * 3 * (size_t)E * sizeof *samples);
    case_result cr[2 * MLP_BENCH_MPI_MAX_RANKS];
    int ncr = 0;
    json_t *cases = json_array();
    if (!samples)
        mlp_dist_abort("out of memory");
    for (int mode = 0; mode < 2; mode++) {
        if (!(mode ? c->weak : c->strong))
            continue;
        for (int i = 0; i < nk; i++) {
            size_t batch = mode ? B * (size_t)ks[i] : B;
            run_case(c, set, &w, ks[i], batch, samples);
            if (rank == 0) {
                cr[ncr] = (case_result){.mode = mode, .ranks = ks[i], .batch = batch,
                                        .steps = (count + batch - 1) / batch};
                json_array_append_new(cases, summarise(&cr[ncr], samples, E, size));
                ncr++;
            }
        }
    }
    free(samples);
    if (c->strong || c->weak)
        mlp_workload_free(&w);
    if (rank == 0) {
        if (c->strong)
            print_table(cr, ncr, 0);
        if (c->weak)
            print_table(cr, ncr, 1);
        json_t *model = json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:b}", "inputs",
                                  (json_int_t)o->spec.train.model.inputs, "hidden",
                                  (json_int_t)o->spec.train.model.hidden, "outputs",
                                  (json_int_t)o->spec.train.model.outputs, "precision",
                                  mlp_precision_name(o->spec.train.model.precision), "batch",
                                  (json_int_t)B, "micro_batch",
                                  (json_int_t)o->spec.train.model.micro_batch, "dropout",
                                  o->spec.train.model.dropout);
        json_t *doc = json_pack(
            "{s:i, s:s, s:{s:i, s:s, s:i, s:b, s:o}, s:{s:o, s:s, s:I, s:i, s:i, s:b, s:b},"
            " s:o, s:o}",
            "schema_version", 3, "kind", "mpi-scaling", "context", "ranks", size, "mpi",
            mlp_dist_library(), "max_ranks_on_a_host", on_host, "oversubscribed", over,
            "ranks_context", contexts, "configuration", "model", model, "set", set->name,
            "train_count", (json_int_t)count, "warmup_epochs", c->warmup, "epochs", E,
            "strong", c->strong, "weak", c->weak, "cases", cases, "probe",
            probe_doc ? probe_doc : json_null());
        if (!doc)
            rc = mlp_fail("bench", "out of memory building the result document");
        else if (c->save && mlp_results_write(doc, path, err, sizeof err) != 0)
            rc = mlp_fail("bench", err);
        else if (c->save)
            printf("results: %s\n", path);
        json_decref(doc);
    } else {
        json_decref(cases);
    }
    return mlp_mpi_job_end(rc);
}

/* ---- independent: the ordinary benchmark on every rank ---- */

int mlp_bench_mpi_independent(mlp_bench_one_fn run, void *user, const char *out_dir, bool save)
{
    mlp_mpi_job_start("bench", 1); /* each rank has the host to itself in its turn */
    if (!mlp_dist_active())
        return mlp_fail("bench", "--independent runs under mpirun "
                                 "(mpirun -np N --map-by node mlpbench bench --independent)");
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    /* ranks that share a host take turns: rank l of the host runs in turn l, the others
     * wait at the host's barrier (blocking in MPI, which Open MPI lets yield the core
     * when oversubscribed) */
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
    int lrank = 0, lsize = 1;
    MPI_Comm_rank(local, &lrank);
    MPI_Comm_size(local, &lsize);
    char *doc = NULL;
    int rc = 0;
    for (int turn = 0; turn < lsize; turn++) {
        if (turn == lrank)
            rc = run(user, &doc);
        MPI_Barrier(local);
    }
    MPI_Comm_free(&local);
    int first = mlp_dist_first_failure(rc == 0 && doc);
    if (first >= 0) {
        free(doc);
        return mlp_mpi_job_end(rc ? rc : MLP_EXIT_FAILURE);
    }
    /* gather the documents to rank 0 */
    int *displs;
    char *all = gather_texts(doc, &displs);
    free(doc);
    for (int r = 0; rank == 0 && r < size && rc == 0; r++) {
        json_t *d = json_loads(all + displs[r], 0, NULL);
        json_t *machine = json_object_get(json_object_get(d, "context"), "machine");
        json_object_set_new(json_object_get(d, "context"), "mpi",
                            json_pack("{s:i, s:i, s:s}", "rank", r, "ranks", size,
                                      "how", "bench --independent: ranks sharing a host "
                                             "ran one after another"));
        const char *host = json_string_value(json_object_get(machine, "host_name"));
        char path[MLP_RESULTS_PATH_MAX], err[MLP_ERROR_MAX];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        char stamp[32];
        strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
        snprintf(path, sizeof path, "%s/%s-rank%d-%s.json", out_dir, host ? host : "host", r,
                 stamp);
        if (!d)
            rc = mlp_fail("bench", "a rank's result document does not parse");
        else if (save && mlp_results_write(d, path, err, sizeof err) != 0)
            rc = mlp_fail("bench", err);
        else if (save)
            printf("results of rank %d (%s): %s\n", r, host ? host : "?", path);
        json_decref(d);
    }
    free(all);
    free(displs);
    return mlp_mpi_job_end(rc);
}

#else /* without MPI */

int mlp_bench_mpi_scaling(const mlp_bench_mpi_config *c)
{
    (void)c;
    return mlp_fail("bench", "--scaling and --mpi-probe need a build with MPI "
                             "(cmake -DMLP_MPI=ON, Debian: libopenmpi-dev)");
}

int mlp_bench_mpi_independent(mlp_bench_one_fn run, void *user, const char *out_dir, bool save)
{
    (void)run, (void)user, (void)out_dir, (void)save;
    return mlp_fail("bench", "--independent needs a build with MPI "
                             "(cmake -DMLP_MPI=ON, Debian: libopenmpi-dev)");
}

#endif
