/* cmd_peak.c: `mlpbench peak`: this machine's float32 / float64 FMA throughput per
 * core and over all cores, and L1 / L2 / memory triad bandwidth (see peak.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "peak.h"

static const char usage[] =
    "usage: mlpbench peak [options]\n"
    "Measures float32 and float64 FMA throughput (GFLOP/s) on one core and on all cores,\n"
    "and the bandwidth (GB/s) of L1, L2 and memory with a STREAM-like triad\n"
    "a[i] = b[i] + s*c[i] (24 bytes per element). Takes a few seconds.\n\n"
    "  --threads N          threads of the all-core figures (default: one per core)\n"
    "  --pin cores|none     bind threads one per core with hwloc (default cores)\n"
    "  --fma-only           skip the bandwidth figures\n"
    "  --trial-seconds X    length of one timed trial (default 0.05); best of 5 kept\n"
    "  --format text|json   output format (default text)\n";

enum { OPT_THREADS = MLP_OPT_COMMAND_FIRST, OPT_PIN, OPT_FMA_ONLY, OPT_TRIAL, OPT_FORMAT };

static void parse(int argc, char **argv, mlp_peak_options *o, bool *json)
{
    static const struct option options[] = {
        {"threads", required_argument, NULL, OPT_THREADS},
        {"pin", required_argument, NULL, OPT_PIN},
        {"fma-only", no_argument, NULL, OPT_FMA_ONLY},
        {"trial-seconds", required_argument, NULL, OPT_TRIAL},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'h': printf("%s", usage); exit(0);
        case OPT_THREADS: o->threads = (int)mlp_parse_ulong("peak", "threads", optarg, 1, 64); break;
        case OPT_PIN:
            if (strcmp(optarg, "cores") != 0 && strcmp(optarg, "none") != 0)
                mlp_usage_error("peak", "--pin expects cores or none, got '%s'", optarg);
            o->pin = strcmp(optarg, "cores") == 0;
            break;
        case OPT_FMA_ONLY: o->bandwidth = false; break;
        case OPT_TRIAL: o->trial_seconds = mlp_parse_double("peak", "trial-seconds", optarg, 0.001, 10); break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
                mlp_usage_error("peak", "--format expects text or json, got '%s'", optarg);
            *json = strcmp(optarg, "json") == 0;
            break;
        default: mlp_bad_option("peak", argv);
        }
    }
    if (optind < argc)
        mlp_usage_error("peak", "unexpected argument '%s'", argv[optind]);
}

int mlp_cmd_peak(int argc, char **argv)
{
    mlp_peak_options o;
    mlp_peak_options_defaults(&o);
    bool json = false;
    parse(argc, argv, &o, &json);
    mlp_peak p;
    char err[MLP_ERROR_MAX];
    if (mlp_peak_run(&o, &p, err, sizeof err) != 0)
        return mlp_fail("peak", err);
    if (!json) {
        mlp_peak_print(stdout, &p);
        return 0;
    }
    json_t *doc = mlp_peak_json(&p);
    int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
    json_decref(doc);
    if (rc != 0)
        return mlp_fail("peak", "cannot format the result as JSON");
    printf("\n");
    return 0;
}
