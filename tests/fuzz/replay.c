/* replay.c: a main() for a fuzz target built without libFuzzer (any compiler): runs
 * the target once on every file named, or in a folder named, on the command line;
 * a broken invariant aborts. The ctest cases fuzz_replay_<target> run it on the
 * seed corpus, so a crashing input added to a corpus stays a regression test.
 *   usage: fuzz_<target>_replay FILE|DIR... */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0, n;
    unsigned char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += n) == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int inputs = 0, errors = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *d = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? opendir(argv[i]) : NULL;
        if (!d) {
            errors += run_file(argv[i]) != 0;
            inputs++;
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
                continue;
            errors += run_file(path) != 0;
            inputs++;
        }
        closedir(d);
    }
    printf("%s: %d inputs, %d unreadable\n", argv[0], inputs, errors);
    return inputs == 0 || errors ? 1 : 0;
}
