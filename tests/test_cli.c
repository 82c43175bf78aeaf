/* test_cli.c: the command line as a user meets it, where a row of the bad-input table
 * (tests/bad_inputs.tsv, which holds every bad option and bad data input) cannot say
 * it: --help of every command exits 0, an --out of 5000 bytes, a result file that
 * cannot be written refused before the benchmark runs (nothing on stdout), and
 * OMP_NUM_THREADS honoured.
 *   usage: test_cli MLPBENCH */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "expect.h"

/* Runs the shell command cmd, its output into out (len bytes at most); returns its exit
 * status (-1 if it did not exit). */
static int capture(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, len - 1, p) : 0;
    out[n] = '\0';
    int rc = p ? pclose(p) : -1;
    return rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Runs `mlpbench ARGS`; checks the status and that stderr is one line containing
 * `needle` (when given). */
static void expect(const char *bin, const char *args, int status, const char *needle)
{
    char cmd[8192], err[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1 >/dev/null", bin, args);
    int code = capture(cmd, err, sizeof err);
    int lines = 0;
    for (char *c = err; *c; c++)
        lines += *c == '\n';
    bool ok = code == status && (!needle || (strstr(err, needle) && lines == 1));
    printf("%s mlpbench %s -> %d%s%s", ok ? "ok  " : "    ", args, code, *err ? ": " : "\n", err);
    EXPECT(ok, "mlpbench %s: expected status %d%s%s", args, status,
           needle ? " and one line with " : "", needle ? needle : "");
}

/* As expect, and nothing may be printed on stdout. */
static void expect_quiet(const char *bin, const char *args, int status, const char *needle)
{
    char cmd[1024], out[256];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", bin, args);
    capture(cmd, out, sizeof out);
    EXPECT(!*out, "mlpbench %s printed on stdout: '%s'", args, out);
    expect(bin, args, status, needle);
}

/* With OMP_NUM_THREADS=1, a threaded set runs 1 thread: its case says threads:1. */
static void expect_omp_num_threads(const char *bin)
{
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof cmd,
             "OMP_NUM_THREADS=1 '%s' bench --sets omp --epochs 1 --repetitions 1 --processes 0 "
             "--no-peak --check-epochs 0 --no-save --train-count 50 --test-count 50 2>/dev/null",
             bin);
    int rc = capture(cmd, out, sizeof out);
    EXPECT(rc == 0 && strstr(out, "omp/f64/threads:1 ") && !strstr(out, "threads:2"),
           "OMP_NUM_THREADS=1 bench: the omp case should run 1 thread:\n%s", out);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s MLPBENCH\n", argv[0]);
        return 2;
    }
    const char *bin = argv[1];
    const char *commands[] = {"", "train ", "list ", "check ", "bench ", "info ", "peak ",
                              "compare "};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char help[32];
        snprintf(help, sizeof help, "%s--help", commands[i]);
        expect(bin, help, 0, NULL);
    }
    expect(bin, "", 2, NULL);
    /* an --out of 5000 bytes (too long for a row of tests/bad_inputs.tsv to read well) */
    char *long_out = malloc(5100);
    memset(long_out, 'x', 5000);
    strcpy(long_out + 5000, ".json");
    char long_args[5200];
    snprintf(long_args, sizeof long_args, "bench --out %s", long_out);
    expect(bin, long_args, 2, "longer than 4095");
    free(long_out);
    /* a result file that cannot be written is said before the benchmark runs: nothing
     * on stdout (the table comes after the run) */
    expect_quiet(bin, "bench --out /proc/no/such/r.json --epochs 1 --repetitions 1 --no-peak",
                 1, "cannot create directory /proc/no/such");
    char args[512];
    snprintf(args, sizeof args, "bench --epochs 1 --out /tmp/%.300s.json",
             "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
             "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
             "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
             "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
    expect_quiet(bin, args, 1, "a file name of 305 bytes");
    expect_quiet(bin, "bench --epochs 1 --out /dev/null", 1, "is a character device");
    expect_omp_num_threads(bin);
    return expect_exit();
}
