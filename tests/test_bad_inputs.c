/* test_bad_inputs.c: runs the bad-input table (tests/bad_inputs.tsv) against mlpbench.
 * For each row: crafts the row's data folder from its setup column (craft.c), runs
 * mlpbench with the row's arguments (fork and exec, no shell), and checks the exit
 * status and that stderr is exactly one line containing the expected text. A row
 * that does not end within ROW_TIMEOUT seconds is killed and fails (a hang).
 *   usage: test_bad_inputs MLPBENCH TABLE
 * MLPBENCH may be a wrapper script (the qemu runner of a cross build). */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "craft.h"

#define ROW_TIMEOUT 60
#define MAX_ARGS 64
#define MAX_ITEMS 16

#if defined(__x86_64__)
#define THIS_ARCH "x86_64"
#elif defined(__aarch64__)
#define THIS_ARCH "aarch64"
#else
#define THIS_ARCH "other"
#endif

typedef struct row {
    int line;
    char *args, *setup, *expect; /* with @DIR@ and @TMP@ replaced */
    int status;
} row;

typedef struct outcome {
    int status;       /* exit status, or -1 */
    int signal;       /* the signal that ended it, or 0 */
    int timed_out;
    char err[4096];   /* what it wrote on stderr (cut at the buffer's size) */
} outcome;

/* s with every @DIR@ and @TMP@ replaced (malloc'd). */
static char *substitute(const char *s, const char *dir, const char *tmp)
{
    size_t cap = strlen(s) + 1;
    for (const char *p = s; (p = strchr(p, '@')); p++)
        cap += strlen(dir) + strlen(tmp);
    char *out = malloc(cap), *o = out;
    while (*s) {
        const char *with = strncmp(s, "@DIR@", 5) == 0 ? dir : strncmp(s, "@TMP@", 5) == 0 ? tmp : NULL;
        if (with) {
            o += sprintf(o, "%s", with);
            s += 5;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* Splits s in place at spaces; '...' keeps spaces inside one word. */
static int split_words(char *s, char **words, int max)
{
    int n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        if (n == max)
            return -1;
        char *w = s, *o = s;
        int quoted = 0;
        for (; *s && (quoted || *s != ' '); s++) {
            if (*s == '\'')
                quoted = !quoted;
            else
                *o++ = *s;
        }
        if (*s)
            s++;
        *o = '\0';
        words[n++] = w;
    }
    return n;
}

/* Removes a tree made by this program (files, links, FIFOs, sockets, folders). */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs bin with argv (argv[0] set here) and the row's NAME=VALUE settings, stdin and
 * stdout on /dev/null, stderr captured; kills it after ROW_TIMEOUT seconds. */
static void run(const char *bin, char **argv, char **env, int nenv, outcome *out)
{
    memset(out, 0, sizeof *out);
    out->status = -1;
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(out->err, sizeof out->err, "pipe: %s\n", strerror(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        unsetenv("MLPBENCH_DATA"); /* the embedded set unless a row says otherwise */
        unsetenv("MLPBENCH_VARIANT");
        unsetenv("MLPBENCH_DISABLE_FEATURES");
        for (int i = 0; i < nenv; i++) {
            char *eq = strchr(env[i], '=');
            *eq = '\0';
            setenv(env[i], eq + 1, 1);
        }
        argv[0] = (char *)bin;
        execv(bin, argv);
        fprintf(stderr, "test_bad_inputs: cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    double deadline = now() + ROW_TIMEOUT;
    for (;;) {
        double left = deadline - now();
        if (left <= 0) {
            out->timed_out = 1;
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int ready = poll(&p, 1, (int)(left * 1000) + 1);
        if (ready == 0 || (ready < 0 && errno == EINTR))
            continue; /* the deadline is checked again */
        char chunk[512];
        ssize_t k = read(fds[0], chunk, sizeof chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t take = (size_t)k < sizeof out->err - 1 - len ? (size_t)k : sizeof out->err - 1 - len;
        memcpy(out->err + len, chunk, take);
        len += take;
    }
    out->err[len] = '\0';
    close(fds[0]);
    int ws = 0;
    if (pid > 0 && waitpid(pid, &ws, 0) == pid) {
        if (WIFEXITED(ws))
            out->status = WEXITSTATUS(ws);
        else if (WIFSIGNALED(ws))
            out->signal = WTERMSIG(ws);
    }
}

/* Makes the row's folder and returns 1 to run it, 0 to skip it (why in *skip), -1 on a
 * setup error (message in err). env receives the NAME=VALUE items. */
static int set_up(char *setup, const char *dir, char **env, int *nenv, const char **skip,
                  char *err, size_t errlen)
{
    char *items[MAX_ITEMS];
    int n = split_words(setup, items, MAX_ITEMS), files = 0, noperm = 0;
    *nenv = 0;
    if (n < 0) {
        snprintf(err, errlen, "too many setup items (at most %d)", MAX_ITEMS);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (strncmp(items[i], "env:", 4) == 0 && strchr(items[i], '='))
            env[(*nenv)++] = items[i] + 4;
        else if (strncmp(items[i], "arch:", 5) == 0) {
            if (strcmp(items[i] + 5, THIS_ARCH) != 0)
                *skip = "for another architecture";
        } else if (strcmp(items[i], "-") != 0)
            files++;
    }
    if (*skip || files == 0)
        return *skip ? 0 : 1;
    if (craft_base(dir, err, errlen) != 0)
        return -1;
    for (int i = 0; i < n; i++)
        if (strchr(items[i], '=') && strncmp(items[i], "env:", 4) != 0)
            craft_drop_base(dir, items[i]);
    for (int i = 0; i < n; i++) {
        if (strcmp(items[i], "set") == 0 || strcmp(items[i], "-") == 0 ||
            strncmp(items[i], "env:", 4) == 0 || strncmp(items[i], "arch:", 5) == 0)
            continue;
        if (craft_item(dir, items[i], &noperm, err, errlen) != 0)
            return -1;
    }
    if (noperm && geteuid() == 0)
        *skip = "running as root: file permissions do not apply";
    return *skip ? 0 : 1;
}

/* Reads the next row of the table; 0 at the end, -1 on a malformed line. */
static int next_row(FILE *f, int *line, char **text, size_t *cap, char *fields[4])
{
    ssize_t n;
    while ((n = getline(text, cap, f)) > 0) {
        ++*line;
        if ((*text)[n - 1] == '\n')
            (*text)[--n] = '\0';
        if (n == 0 || (*text)[0] == '#')
            continue;
        char *s = *text;
        for (int i = 0; i < 4; i++) {
            fields[i] = s;
            s = i < 3 ? strchr(s, '\t') : NULL;
            if (i < 3 && !s)
                return -1;
            if (s)
                *s++ = '\0';
        }
        return strchr(fields[3], '\t') ? -1 : 1;
    }
    return 0;
}

/* Checks one outcome against its row; prints the verdict. Returns 1 when it passed. */
static int verdict(const row *r, const outcome *o)
{
    int lines = 0;
    for (const char *c = o->err; *c; c++)
        lines += *c == '\n';
    size_t len = strlen(o->err);
    int one_line = lines == 1 && len > 0 && o->err[len - 1] == '\n';
    int ok = !o->timed_out && o->status == r->status && one_line && strstr(o->err, r->expect);
    printf("%s line %d: mlpbench %s -> ", ok ? "ok  " : "FAIL", r->line, r->args);
    if (o->timed_out)
        printf("no end after %d s (killed)\n", ROW_TIMEOUT);
    else if (o->signal)
        printf("killed by signal %d\n", o->signal);
    else
        printf("%d%s%s", o->status, len ? ": " : "\n", o->err);
    if (len && o->err[len - 1] != '\n')
        printf("\n");
    if (!ok)
        printf("     expected status %d and one line on stderr containing: %s\n", r->status,
               r->expect);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s MLPBENCH TABLE\n", argv[0]);
        return 2;
    }
    FILE *table = fopen(argv[2], "r");
    if (!table) {
        fprintf(stderr, "test_bad_inputs: %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    char base[256] = "/tmp/bad_inputs.XXXXXX";
    const char *t = getenv("TMPDIR");
    if (t && *t && strlen(t) < 200)
        snprintf(base, sizeof base, "%s/bad_inputs.XXXXXX", t);
    if (!mkdtemp(base)) {
        perror(base);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int line = 0, rows = 0, passed = 0, skipped = 0, failed = 0;
    char *text = NULL, *fields[4];
    size_t cap = 0;
    int got;
    while ((got = next_row(table, &line, &text, &cap, fields)) != 0) {
        if (got < 0) {
            printf("FAIL line %d: expected 4 tab-separated columns\n", line);
            failed++;
            continue;
        }
        char tmp[300], dir[320], err[512];
        snprintf(tmp, sizeof tmp, "%s/%d", base, line);
        snprintf(dir, sizeof dir, "%s/data", tmp);
        mkdir(tmp, 0700);
        char *endp;
        row r = {.line = line, .status = (int)strtol(fields[2], &endp, 10)};
        r.args = substitute(fields[0], dir, tmp);
        r.setup = substitute(fields[1], dir, tmp);
        r.expect = substitute(fields[3], dir, tmp);
        rows++;
        char *env[MAX_ITEMS], *words[MAX_ARGS + 2];
        int nenv = 0;
        const char *skip = NULL;
        char *argbuf = strdup(r.args); /* split in place; r.args stays for messages */
        int nargs = split_words(argbuf, words + 1, MAX_ARGS);
        int go = *endp || endp == fields[2] || nargs < 0 || !*r.expect ? -1
                 : set_up(r.setup, dir, env, &nenv, &skip, err, sizeof err);
        if (go < 0) {
            printf("FAIL line %d: bad row: %s\n", line,
                   *endp || endp == fields[2] ? "status is not a number"
                   : nargs < 0 ? "too many arguments" : !*r.expect ? "no expected text" : err);
            failed++;
        } else if (go == 0) {
            printf("skip line %d: mlpbench %s (%s)\n", line, r.args, skip);
            skipped++;
        } else {
            char results_env[340]; /* a bench row that gets as far as writing writes here */
            snprintf(results_env, sizeof results_env, "MLPBENCH_RESULTS=%s", tmp);
            if (nenv < MAX_ITEMS)
                env[nenv++] = results_env;
            words[nargs + 1] = NULL;
            outcome o;
            run(argv[1], words, env, nenv, &o);
            if (verdict(&r, &o))
                passed++;
            else
                failed++;
        }
        remove_tree(tmp);
        free(argbuf);
        free(r.args);
        free(r.setup);
        free(r.expect);
    }
    free(text);
    fclose(table);
    remove_tree(base);
    printf("%s: %d rows: %d passed, %d skipped, %d failed\n",
           failed || rows == 0 ? "FAILED" : "PASSED", rows, passed, skipped, failed);
    return failed || rows == 0 ? 1 : 0;
}
