/* main.c: the mlpbench command: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"train", mlp_cmd_train, "train the network and print the book's lines"},
    {"list", mlp_cmd_list, "list kernel sets and whether this CPU runs them"},
    {"check", mlp_cmd_check, "check every kernel set against the scalar reference"},
    {"bench", mlp_cmd_bench, "time training epochs and test passes of every kernel set"},
    {"info", mlp_cmd_info, "describe this machine and build (hwloc, ISA, compiler, OpenMP)"},
    {"peak", mlp_cmd_peak, "measure FMA throughput and L1/L2/memory bandwidth"},
    {"compare", mlp_cmd_compare, "judge result files B against A: ratios, intervals, verdicts"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mlpbench COMMAND [options]   (mlpbench COMMAND --help for more)\n\n"
               "mlpbench %s: SIMD and OpenMP kernels on the Grokking Deep Learning\n"
               "chapter-8 MNIST network (784-40-10, ReLU, per-sample SGD).\n\nCommands:\n",
            MLP_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].what);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return MLP_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mlpbench %s\n", MLP_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mlpbench: error: unknown command '%s' (see 'mlpbench --help')\n", argv[1]);
    return MLP_EXIT_USAGE;
}
