/* cmd_train.c: `mlpbench train`: runs the workload and prints the book's lines
 * (or JSON Lines). On a terminal the epoch line is rewritten in place with \r, as
 * the seed does, and stays when a test pass is appended; into a pipe or a file only
 * the lines that carry a test pass are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "epoch_line.h"

static const char usage[] =
    "usage: mlpbench train [options]\n"
    "Trains the network and prints, after each test pass, the book's line:\n"
    "  I:349 Train-Err:0.108 Train-Acc:1.0 Test-Err:0.653 Test-Acc:0.7073\n\n";

typedef struct train_output {
    const mlp_run_options *opt;
    const char *set;
    bool tty;
    bool line_open; /* a \r line without its newline is on the terminal */
    int status;
} train_output;

static bool print_epoch(const mlp_epoch_report *r, void *user)
{
    train_output *out = user;
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
    static const struct option options[] = {MLP_WORKLOAD_OPTIONS, {0, 0, 0, 0}};
    mlp_run_options opt;
    mlp_run_options_defaults(&opt);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == MLP_OPT_HELP) {
            printf("%s%s", usage, mlp_workload_help);
            return 0;
        }
        if (c == '?' || c == ':' || !mlp_parse_workload_option("train", c, optarg, &opt))
            mlp_bad_option("train", argv);
    }
    if (optind < argc)
        mlp_usage_error("train", "unexpected argument '%s'", argv[optind]);

    const mlp_kernel_set *set = mlp_choose_set("train", opt.set, opt.spec.train.model.precision);
    mlp_apply_threads(opt.threads);
    char err[MLP_ERROR_MAX];
    mlp_workload w;
    if (mlp_workload_load(&w, &opt.spec, err, sizeof err) != 0)
        return mlp_fail("train", err);
    train_output out = {.opt = &opt, .set = set->name, .tty = isatty(STDOUT_FILENO)};
    mlp_train_hooks hooks = {.on_epoch = print_epoch, .user = &out};
    int rc = mlp_train_run(&opt.spec.train, &w, set, &hooks, NULL, err, sizeof err);
    mlp_workload_free(&w);
    if (rc != 0)
        return mlp_fail("train", err);
    if (out.line_open)
        printf("\n");
    return out.status;
}
