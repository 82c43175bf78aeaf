/* cmd_list.c: `mlpbench list`: every kernel set in this binary, its ISA, its
 * precisions, and whether this CPU runs it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "dist.h"
#include "commands.h"

static const char usage[] =
    "usage: mlpbench list\n"
    "Lists the kernel sets built into this binary, what they are built on, their\n"
    "precisions, and whether this CPU can run them ('not available': a peer set whose\n"
    "library is not installed). '*' marks the default set.\n";

int mlp_cmd_list(int argc, char **argv)
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            return 0;
        }
        mlp_bad_option("list", argv);
    }
    if (optind < argc)
        mlp_usage_error("list", "unexpected argument '%s'", argv[optind]);

    const mlp_kernel_set *best = mlp_kernel_set_best();
    printf("CPU features: %s\n\n", mlp_cpu_feature_string());
    printf("  %-8s %-26s %-10s %s\n", "set", "built on", "precision", "this CPU");
    for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
        const mlp_kernel_set *s = mlp_kernel_set_at(i);
        char isa[64], prec[16] = "";
        if (s->base)
            snprintf(isa, sizeof isa, "%s on %s", s->isa, s->base()->name);
        else
            snprintf(isa, sizeof isa, "%s", s->isa);
        if (mlp_kernel_set_has(s, MLP_F32))
            strcat(prec, "f32");
        if (mlp_kernel_set_has(s, MLP_F64))
            strcat(prec, *prec ? ",f64" : "f64");
        const char *runs = mlp_kernel_set_runnable(s) ? "runs"
                           : mlp_cpu_has(s->requires) ? "not available" /* its library */
                                                      : "cannot run";
        printf("%c %-8s %-26s %-10s %s\n", s == best ? '*' : ' ', s->name, isa, prec, runs);
    }
    printf("\nMPI: %s%s\n", mlp_dist_library(),
           mlp_dist_built() ? " (mpirun -np N mlpbench train --batch B: data-parallel)" : "");
    return 0;
}
