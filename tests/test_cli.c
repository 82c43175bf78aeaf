/* test_cli.c: the command line as a user meets it: --help everywhere, and bad
 * options, values, kernel sets and data each give one line on stderr and the right
 * exit status (2 for usage, 1 for bad data), never a crash.
 *   usage: test_cli MLPBENCH */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "expect.h"

/* Runs `mlpbench ARGS`, capturing stderr; checks status and that stderr is one line
 * containing `needle` (when given). */
static void expect(const char *bin, const char *args, int status, const char *needle)
{
    char cmd[8192], err[4096] = "";
    snprintf(cmd, sizeof cmd, "'%s' %s 2>&1 >/dev/null", bin, args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(err, 1, sizeof err - 1, p) : 0;
    err[n] = '\0';
    int rc = p ? pclose(p) : -1;
    int code = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
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
    char cmd[1024], out[256] = "";
    snprintf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", bin, args);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    if (p)
        pclose(p);
    EXPECT(n == 0, "mlpbench %s printed on stdout: '%s'", args, out);
    expect(bin, args, status, needle);
}

/* With OMP_NUM_THREADS=1, a threaded set runs 1 thread: its case says threads:1. */
static void expect_omp_num_threads(const char *bin)
{
    char cmd[1024], out[8192] = "";
    snprintf(cmd, sizeof cmd,
             "OMP_NUM_THREADS=1 '%s' bench --sets omp --epochs 1 --repetitions 1 --processes 0 "
             "--no-peak --check-epochs 0 --no-save --train-count 50 --test-count 50 2>/dev/null",
             bin);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
    out[n] = '\0';
    int rc = p ? pclose(p) : -1;
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
    expect(bin, "--help", 0, NULL);
    expect(bin, "train --help", 0, NULL);
    expect(bin, "list --help", 0, NULL);
    expect(bin, "check --help", 0, NULL);
    expect(bin, "", 2, NULL);
    expect(bin, "frobnicate", 2, "unknown command 'frobnicate'");
    expect(bin, "train --bogus", 2, "unknown option '--bogus'");
    expect(bin, "train --epochs", 2, "needs a value");
    expect(bin, "train --epochs ten", 2, "--epochs expects an integer");
    expect(bin, "train --epochs 0", 2, "--epochs expects an integer");
    expect(bin, "train --hidden -3", 2, "--hidden expects an integer");
    expect(bin, "train --alpha nan", 2, "--alpha expects a decimal number");
    expect(bin, "train --precision f16", 2, "--precision expects f32 or f64");
    expect(bin, "train --relu-grad soft", 2, "--relu-grad expects seed or strict");
    expect(bin, "train --format xml", 2, "--format expects text or json");
    expect(bin, "train --set avx9", 2, "unknown kernel set 'avx9'");
    expect(bin, "train --variant avx9", 2, "unknown kernel set 'avx9'"); /* the old name */
    expect(bin, "train --set ''", 2, "--set expects a kernel set name");
    expect(bin, "bench --sets avx9", 2, "unknown kernel set 'avx9'");
    expect(bin, "train stray", 2, "unexpected argument 'stray'");
    expect(bin, "list --all", 2, "unknown option '--all'");
    expect(bin, "check --set avx9", 2, "unknown kernel set 'avx9'");
    expect(bin, "train --hidden ' 40'", 2, "--hidden expects an integer");
    expect(bin, "train --epochs +3", 2, "--epochs expects an integer");
    expect(bin, "train --alpha 0x10", 2, "--alpha expects a decimal number");
    expect(bin, "train --alpha ' 0.1'", 2, "--alpha expects a decimal number");
    expect(bin, "train --alpha inf", 2, "--alpha expects a decimal number");
    expect(bin, "train --alpha 1e-400", 2, "too close to zero");
    expect(bin, "train --alpha 1e400", 2, "--alpha expects a number from 0 to 1e+06");
    expect(bin, "bench --out ''", 2, "--out expects a file name");
    char *long_out = malloc(5100);
    memset(long_out, 'x', 5000);
    strcpy(long_out + 5000, ".json");
    char long_args[5200];
    snprintf(long_args, sizeof long_args, "bench --out %s", long_out);
    expect(bin, long_args, 2, "longer than 4095");
    free(long_out);
    /* a results folder that cannot be made is said before the benchmark runs: nothing
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
    expect_quiet(bin, "bench --epochs 1 --out /tmp", 1, "/tmp: exists and is a directory");
    expect_quiet(bin, "bench --epochs 1 --out /dev/null", 1, "is a character device");
    expect(bin, "train --data /nonexistent/mnist --epochs 1", 1, "/nonexistent/mnist");
    expect(bin, "train --train-count 1001 --epochs 1", 1, "1001");
    setenv("MLPBENCH_SET", "avx9", 1);
    expect(bin, "train --epochs 1", 2, "MLPBENCH_SET");
    unsetenv("MLPBENCH_SET");
    setenv("MLPBENCH_VARIANT", "avx9", 1); /* the old name */
    expect(bin, "train --epochs 1", 2, "MLPBENCH_VARIANT");
    unsetenv("MLPBENCH_VARIANT");
    /* a set this CPU cannot run (features hidden as on an older CPU): exit 2 */
#if defined(__x86_64__)
    const char *simd = "avx2", *feature = "avx2";
#elif defined(__aarch64__)
    const char *simd = "neon", *feature = "neon";
#else
    const char *simd = NULL, *feature = NULL;
#endif
    if (simd) {
        setenv("MLPBENCH_DISABLE_FEATURES", feature, 1);
        snprintf(args, sizeof args, "train --epochs 1 --set %s", simd);
        expect(bin, args, 2, "which this CPU lacks");
        unsetenv("MLPBENCH_DISABLE_FEATURES");
    }
    expect_omp_num_threads(bin);
    return expect_exit();
}
