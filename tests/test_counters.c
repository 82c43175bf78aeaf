/* test_counters.c: bench/counters.c. Always: the unavailable path, forced with
 * MLPBENCH_FORCE_NO_COUNTERS=1 (status and reason set, reads give no value, nothing
 * crashes). The hardware counters: where they open, counts are positive and grow with
 * the work, a thread created after opening counts too; where they do not, the reason
 * names perf_event_open. The same available-path checks on the software task clock,
 * which Linux offers without a PMU, so they run on this VM too. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "expect.h"

#ifdef __linux__
#include <linux/perf_event.h>
#endif

/* some integer work that scales with n and cannot be optimized away */
static volatile uint64_t sink;

static void work(uint64_t n)
{
    uint64_t x = 88172645463325252ull;
    for (uint64_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    sink = x;
}

enum { WORK = 5000000 };

static void *thread_work(void *arg)
{
    work(*(const uint64_t *)arg);
    return NULL;
}

/* counts of every counter over work(n), in this thread or in a new one */
static bool measure(mlp_counters *c, uint64_t n, bool in_thread, mlp_counter_values *v)
{
    mlp_counters_start(c);
    if (in_thread) {
        pthread_t t;
        if (pthread_create(&t, NULL, thread_work, &n) != 0) {
            expect_fail("pthread_create failed");
            return false;
        }
        pthread_join(t, NULL);
    } else
        work(n);
    mlp_counters_stop(c);
    return mlp_counters_read(c, v);
}

static void check_unavailable(mlp_counters *c, const char *what, const char *in_reason)
{
    EXPECT(!c->available, "%s: reported available", what);
    EXPECT(c->reason[0] != '\0', "%s: no reason", what);
    EXPECT(strstr(c->reason, in_reason) != NULL, "%s: reason '%s' lacks '%s'", what,
           c->reason, in_reason);
    mlp_counter_values v;
    memset(&v, 0xff, sizeof v);
    mlp_counters_start(c);
    work(1000);
    mlp_counters_stop(c);
    EXPECT(!mlp_counters_read(c, &v), "%s: a read gave a value", what);
    for (int i = 0; i < MLP_COUNTERS; i++)
        EXPECT(!v.valid[i] && v.value[i] == 0, "%s: %s has a value", what,
               mlp_counter_name((mlp_counter)i));
    mlp_counters_close(c);
    mlp_counters_close(c); /* twice is harmless */
}

/* Counters that opened: every open counter counts work(n) > 0, work(4n) more than
 * twice as much (instructions: nearly 4x; cycles and time are noisier), a thread
 * created after opening at least half of what the same work counts here. */
static void check_available(mlp_counters *c, const char *what)
{
    mlp_counter_values one, four, thread;
    bool ok = measure(c, WORK, false, &one) && measure(c, 4 * WORK, false, &four) &&
              measure(c, WORK, true, &thread);
    EXPECT(ok, "%s: available, but a read gave no value", what);
    for (int i = 0; ok && i < MLP_COUNTERS; i++) {
        const char *name = mlp_counter_name((mlp_counter)i);
        if (!one.valid[i]) {
            EXPECT(strstr(c->reason, name) != NULL, "%s: %s has no value, reason '%s'",
                   what, name, c->reason);
            continue;
        }
        printf("%s %s: %llu for work n, %llu for 4n, %llu for n in a new thread%s\n", what,
               name, (unsigned long long)one.value[i], (unsigned long long)four.value[i],
               (unsigned long long)thread.value[i], one.multiplexed ? " (multiplexed)" : "");
        EXPECT(one.value[i] > 0, "%s %s: count 0", what, name);
        EXPECT(four.valid[i] && four.value[i] > 2 * one.value[i],
               "%s %s: %llu for 4x the work of %llu", what, name,
               (unsigned long long)four.value[i], (unsigned long long)one.value[i]);
        EXPECT(thread.valid[i] && thread.value[i] > one.value[i] / 2,
               "%s %s: %llu in a new thread for work counting %llu here (inherit?)", what,
               name, (unsigned long long)thread.value[i], (unsigned long long)one.value[i]);
    }
    mlp_counters_close(c);
    mlp_counter_values v;
    EXPECT(!mlp_counters_read(c, &v), "%s: a read after close gave a value", what);
}

int main(void)
{
    mlp_counters c;

    setenv("MLPBENCH_FORCE_NO_COUNTERS", "1", 1);
    EXPECT(!mlp_counters_open(&c), "forced off: open succeeded");
    for (int i = 0; i < MLP_COUNTERS; i++)
        EXPECT(c.fd[i] == -1, "forced off: fd %d open", i);
    check_unavailable(&c, "forced off", "MLPBENCH_FORCE_NO_COUNTERS");
    unsetenv("MLPBENCH_FORCE_NO_COUNTERS");

    /* a read before any start and a stop without a start give no value */
    if (mlp_counters_open(&c)) {
        mlp_counter_values v;
        mlp_counters_stop(&c);
        EXPECT(!mlp_counters_read(&c, &v), "hardware: a read before start gave a value");
        printf("hardware counters available%s%s\n", c.reason[0] ? ": " : "", c.reason);
        check_available(&c, "hardware");
    } else {
        printf("hardware counters unavailable: %s\n", c.reason);
        check_unavailable(&c, "hardware", "perf_event_open");
    }

#ifdef __linux__
    const uint64_t clock[MLP_COUNTERS] = {PERF_COUNT_SW_TASK_CLOCK, PERF_COUNT_SW_TASK_CLOCK};
    if (mlp_counters_open_events(&c, PERF_TYPE_SOFTWARE, clock))
        check_available(&c, "task clock");
    else /* perf events forbidden altogether: what is left to check is the reason */
        check_unavailable(&c, "task clock", "perf_event_open");
#endif
    return expect_exit();
}
