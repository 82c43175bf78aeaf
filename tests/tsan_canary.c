/* tsan_canary.c: an OpenMP loop with a data race on purpose. tools/sanitize tsan
 * builds it with the same compiler, flags, runtime and suppressions as mlpbench and
 * requires ThreadSanitizer to report it: a clean run of mlpbench then means something
 * (TSan, libomp and Archer see races inside parallel regions). Not part of the build. */
#include <stdio.h>

int main(void)
{
    long sum = 0;
#pragma omp parallel for num_threads(2)
    for (int i = 0; i < 100000; i++)
        sum += i; /* the race: every thread adds to one variable without a reduction */
    printf("%ld\n", sum);
    return 0;
}
