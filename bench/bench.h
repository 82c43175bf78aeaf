/* bench.h: whole-workload timing (`mlpbench bench`) on the training engine. Every case
 * (a kernel set at a precision and, for threaded sets, a thread count) trains the
 * workload from its initial weights once per repetition, as one engine schedule:
 * warm-up epochs that are not counted, then the measured epochs and a test pass after
 * the last, each timed alone by the engine (monotonic and process CPU clocks). The
 * cases run in a new shuffled order in every repetition (order.h), so that drift in the
 * machine's speed favours none. Every raw sample is kept; the statistics, rates, FLOP
 * counts (flops.h), speedups against the reference set and the training-level
 * correctness check (check_training.h) are derived afterwards. The console tables are
 * in bench_table.c. */
#ifndef MLP_BENCH_H
#define MLP_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "check_training.h"
#include "counters.h"
#include "flops.h"
#include "machine.h"
#include "peak.h"
#include "roofline.h"
#include "peer_numpy.h"
#include "progress.h"
#include "stats.h"

enum { MLP_BENCH_MAX_SETS = 16, MLP_BENCH_MAX_THREADS = 16, MLP_BENCH_MAX_SKIPPED = 32 };

typedef struct mlp_bench_config {
    mlp_run_spec spec;      /* workload: model, counts, data; spec.train.epochs is unused */
    const mlp_kernel_set *sets[MLP_BENCH_MAX_SETS];
    size_t nsets;
    mlp_precision precisions[2];
    size_t nprecisions;
    int threads[MLP_BENCH_MAX_THREADS]; /* thread counts for threaded sets */
    size_t nthreads;
    int warmup;             /* uncounted epochs per repetition (1) */
    int epochs;             /* measured epochs per repetition (10) */
    int repetitions;        /* (10) */
    int processes;          /* worker processes the repetitions are spread over, run one
                               after another, each a fresh exec of this program (so that
                               the noise between processes is sampled); 0: all in this
                               process. Default: one per repetition. */
    int worker_first, worker_count; /* worker mode (bench --worker F:C): run repetitions
                               F..F+C-1 only, for the parent that started this process */
    int argc;               /* the command's arguments (argv[0] = "bench"), to start */
    char **argv;            /* workers with */
    bool pin;               /* one thread per core through hwloc */
    int check_epochs;       /* epochs of the correctness check; 0: not checked */
    bool peak;              /* run the quick FMA peak probe for the %-of-peak column */
    bool numpy;             /* time the seed's numpy program as a peer (peer_numpy.h) */
    unsigned shuffle_seed;
    bool progress;          /* a progress line on stderr (a terminal) */
} mlp_bench_config;

/* Defaults: the seed workload at f64, 1 warm-up + 10 measured epochs, 10 repetitions
 * each in its own worker process, every runnable set, pinned, a 10-epoch check, the
 * peak probe, seed from the clock. */
void mlp_bench_config_defaults(mlp_bench_config *c);

typedef struct mlp_bench_phase {
    double *seconds;        /* raw samples, wall time (monotonic clock) */
    double *cpu_seconds;    /* the same samples, process CPU time */
    double *instructions;   /* the same samples, hardware counters (NaN: no value) */
    double *cycles;
    size_t n;
    mlp_stats stats;        /* of seconds */
    mlp_flops flops;        /* per sample (one epoch or one test pass) */
    mlp_flops bytes;        /* cache traffic per sample, by flops.h's model */
    double samples_per_second;   /* records / median seconds */
    double gflops_dense, gflops_executed; /* / median seconds */
    double speedup;         /* reference median / this median, same precision; 0: none */
    double speedup_numpy;   /* the numpy seed's median / this median; 0: not measured */
    mlp_bound bound;        /* the machine's time bound for one sample (roofline.h) */
    double percent_of_bound; /* bound / median * 100; 0: no peak figures */
} mlp_bench_phase;

typedef struct mlp_bench_case {
    char name[96];          /* "avx512/f64/threads:1" */
    char set[32], isa[48];
    mlp_precision precision;
    int threads;
    bool threaded, skips_zero_inputs;
    const mlp_kernel_set *kset; /* NULL in hand-made runs (tests) */
    mlp_bench_phase train;  /* repetitions x epochs samples, in run order */
    mlp_bench_phase test;   /* one sample per repetition (n 0 without a test set) */
    int *cpus;              /* [repetition][thread]: CPU each thread last ran on, -1 unknown */
    int pin_failures;       /* threads that could not be bound */
    double peak_gflops;     /* FMA peak for this precision and thread count (0: none) */
    double percent_of_peak; /* executed GFLOP/s of training / peak_gflops * 100 */
    bool checked;
    mlp_training_check check;
    int check_epochs;
} mlp_bench_case;

typedef struct mlp_bench_skip {
    char set[32];
    char reason[128];
} mlp_bench_skip;

typedef struct mlp_bench_run {
    mlp_bench_config cfg;
    mlp_machine machine;
    bool have_peak;
    mlp_peak peak;
    mlp_peer numpy;         /* the seed's numpy program, if measured */
    size_t ncases;
    mlp_bench_case *cases;
    int *order;             /* [repetition][position]: case index */
    int *repetition_process; /* [repetition]: worker process that ran it (0 in-process) */
    size_t train_count, test_count;
    size_t train_nonzero, test_nonzero; /* nonzero pixels of the records used */
    char data_checksum[32]; /* "crc32:<hex>" of the records used (images and labels) */
    mlp_counters counters;  /* instructions and cycles per epoch, where the OS has them */
    bool counters_available; /* whether the samples' counters were measured, and if */
    char counters_reason[200]; /* not, why */
    size_t nskipped;
    mlp_bench_skip skipped[MLP_BENCH_MAX_SKIPPED];
    int nwarnings;
    char warnings[MLP_MACHINE_MAX_WARNINGS][200];
    char executable[256];
    double seconds;         /* wall time of the whole run */
} mlp_bench_run;

/* Describes the machine (and the warnings about it) and builds the cases of cfg (sets
 * lacking a precision are listed as skipped) with room for every sample. Returns 0, or
 * -1 with a message. */
int mlp_bench_init(mlp_bench_run *run, const mlp_bench_config *cfg, char *err, size_t errlen);
/* Loads the data, runs every case (in worker processes, or in this one), the checks
 * and the peak probe, then the statistics. In worker mode only the worker's
 * repetitions are run. Returns 0, or -1 with a one-line message. */
int mlp_bench_execute(mlp_bench_run *run, char *err, size_t errlen);
/* Runs repetitions first..first+count-1 of every case here, in their shuffled order
 * (pg: the progress line). Returns 0, or -1 with a message. */
int mlp_bench_measure(mlp_bench_run *run, mlp_workload *w, int first, int count,
                      mlp_progress *pg, char *err, size_t errlen);
/* Statistics, rates, speedups and % of peak from the raw samples (done by execute;
 * callable on a hand-made run). */
void mlp_bench_finish(mlp_bench_run *run);
void mlp_bench_free(mlp_bench_run *run);

/* The results table (and the thread-scaling table when there are several thread
 * counts) as text (bench_table.c). */
void mlp_bench_print(FILE *f, const mlp_bench_run *run);

#endif
