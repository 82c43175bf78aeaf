/* cmd_info.c: `mlpbench info`: the machine and build description that bench records
 * (hwloc topology, ISA features, OS, compiler, git, OpenMP), as text or JSON. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "machine.h"

static const char usage[] =
    "usage: mlpbench info [--format text|json]\n"
    "Describes this machine and build as bench records them: CPU model and vendor,\n"
    "packages, cores, processing units, NUMA nodes, caches and their sharing (hwloc),\n"
    "ISA features seen at run time, OS and kernel, compiler and flags, git commit, the\n"
    "OpenMP runtime and the OMP_* settings in force, the frequency governor and load.\n";

enum { OPT_FORMAT = MLP_OPT_COMMAND_FIRST };

static int print_json(const mlp_machine *m)
{
    json_t *doc = mlp_machine_json(m);
    if (!doc || json_dumpf(doc, stdout, JSON_INDENT(2)) != 0) {
        json_decref(doc);
        return mlp_fail("info", "cannot format the description as JSON");
    }
    printf("\n");
    json_decref(doc);
    return 0;
}

int mlp_cmd_info(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, OPT_FORMAT},
                                            {"help", no_argument, NULL, 'h'},
                                            {0, 0, 0, 0}};
    bool json = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'h') {
            printf("%s", usage);
            return 0;
        }
        if (c != OPT_FORMAT)
            mlp_bad_option("info", argv);
        if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
            mlp_usage_error("info", "--format expects text or json, got '%s'", optarg);
        json = strcmp(optarg, "json") == 0;
    }
    if (optind < argc)
        mlp_usage_error("info", "unexpected argument '%s'", argv[optind]);
    mlp_machine m;
    mlp_machine_describe(&m);
    if (json)
        return print_json(&m);
    mlp_machine_print(stdout, &m);
    char warn[MLP_MACHINE_MAX_WARNINGS][200];
    int n = mlp_machine_warnings(&m, true, warn, MLP_MACHINE_MAX_WARNINGS);
    for (int i = 0; i < n; i++)
        printf("Warning:     %s\n", warn[i]);
    return 0;
}
