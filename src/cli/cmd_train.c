/* cmd_train.c: `mlpbench train`: runs the workload and prints the book's lines
 * (or JSON Lines). On a terminal the epoch line is rewritten in place with \r, as
 * the seed does, and stays when a test pass is appended; into a pipe or a file only
 * the lines that carry a test pass are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "dist.h"
#include "epoch_line.h"
#include "mpi_job.h"

static const char usage[] =
    "usage: mlpbench train [options]\n"
    "Trains the network and prints, after each test pass, the book's line:\n"
    "  I:349 Train-Err:0.108 Train-Acc:1.0 Test-Err:0.653 Test-Acc:0.7073\n"
    "Under mpirun (-np N, a build with MPI) every mini-batch (--batch B, B > 1) is shared\n"
    "by the ranks, micro-batch by micro-batch; the lines are the same for every N and\n"
    "only rank 0 prints them.\n\n"
    "  --verify-ranks       under mpirun: after every step, check that all ranks hold the\n"
    "                       same weights (a hash), and end the job if not\n";

enum { OPT_VERIFY_RANKS = MLP_OPT_COMMAND_FIRST };

typedef struct train_output {
    const mlp_run_options *opt;
    bool quiet; /* a rank other than 0 */
    const char *set;
    bool tty;
    bool line_open; /* a \r line without its newline is on the terminal */
    int status;
} train_output;

static bool print_epoch(const mlp_epoch_report *r, void *user)
{
    train_output *out = user;
    if (out->quiet)
        return true;
    if (out->opt->json) {
        char *line = mlp_format_epoch_json(r, out->set,
                                           mlp_precision_name(out->opt->spec.train.model.precision));
        if (!line) {
            out->status = mlp_fail("train", "out of memory formatting JSON");
            return false;
        }
        printf("%s\n", line);
        free(line);
        fflush(stdout);
        return true;
    }
    char train[128], test[128];
    mlp_format_train_part(r, train, sizeof train);
    if (r->tested)
        mlp_format_test_part(r, test, sizeof test);
    if (out->tty) {
        printf("\r%s", train);
        if (r->tested)
            printf("%s\n", test);
        out->line_open = !r->tested;
        fflush(stdout);
    } else if (r->tested) {
        printf("%s%s\n", train, test);
    }
    return true;
}

int mlp_cmd_train(int argc, char **argv)
{
    static const struct option options[] = {
        MLP_WORKLOAD_OPTIONS,
        {"verify-ranks", no_argument, NULL, OPT_VERIFY_RANKS},
        {0, 0, 0, 0},
    };
    bool verify = false;
    mlp_run_options opt;
    mlp_run_options_defaults(&opt);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == MLP_OPT_HELP) {
            printf("%s%s", usage, mlp_workload_help);
            return 0;
        }
        if (c == OPT_VERIFY_RANKS) {
            verify = true;
            continue;
        }
        if (c == '?' || c == ':' || !mlp_parse_workload_option("train", c, optarg, &opt))
            mlp_bad_option("train", argv);
    }
    if (optind < argc)
        mlp_usage_error("train", "unexpected argument '%s'", argv[optind]);

    const mlp_kernel_set *set = mlp_choose_set("train", opt.set, opt.spec.train.model.precision);
    mlp_apply_threads(opt.threads);
    mlp_mpi_job_start("train", opt.threads);
    int rank = mlp_dist_rank(), size = mlp_dist_size();
    if (size > 1 && opt.spec.train.model.batch < 2) {
        if (rank == 0)
            fprintf(stderr, "mlpbench train: error: on %d ranks --batch must be at least 2 "
                            "(per-sample SGD has nothing to share) (see 'mlpbench train "
                            "--help')\n", size);
        return mlp_mpi_job_end(MLP_EXIT_USAGE);
    }
    char err[MLP_ERROR_MAX];
    mlp_workload w;
    int rc = mlp_mpi_job_load("train", &opt, set, &w);
    if (rc != 0)
        return mlp_mpi_job_end(rc);
    mlp_dist_comm *comm = size > 1 ? mlp_dist_comm_open(0, verify) : NULL;
    train_output out = {.opt = &opt, .quiet = rank != 0, .set = set->name,
                        /* under mpirun stdout is mpirun's pty, not the user's terminal */
                        .tty = !mlp_dist_active() && isatty(STDOUT_FILENO)};
    mlp_train_hooks hooks = {.on_epoch = print_epoch, .user = &out,
                             .comm = mlp_dist_comm_grad(comm)};
    rc = mlp_train_run(&opt.spec.train, &w, set, &hooks, NULL, err, sizeof err);
    mlp_workload_free(&w);
    mlp_dist_comm_close(comm);
    if (rc != 0)
        return mlp_mpi_job_end(mlp_fail("train", err));
    if (out.line_open)
        printf("\n");
    return mlp_mpi_job_end(out.status);
}
