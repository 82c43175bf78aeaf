/* cpu.c: run-time CPU feature detection. On x86-64: cpuid feature bits, and XCR0
 * (xgetbv) to check that the OS saves the YMM/ZMM state; on AArch64: getauxval.
 * MLPBENCH_DISABLE_FEATURES (comma-separated names, e.g. "avx512f,avx2") hides
 * features, to see how a CPU without them is treated. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long read_xcr0(void)
{
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static void detect(mlp_cpu_features *f)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return;
    f->sse2 = (edx >> 26) & 1;
    bool osxsave = (ecx >> 27) & 1;
    bool cpu_avx = (ecx >> 28) & 1;
    bool cpu_fma = (ecx >> 12) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    bool os_ymm = (xcr0 & 0x6) == 0x6;   /* XMM and YMM state saved */
    bool os_zmm = (xcr0 & 0xe6) == 0xe6; /* and opmask, ZMM_Hi256, Hi16_ZMM */
    f->avx = cpu_avx && os_ymm;
    f->fma = cpu_fma && os_ymm;
    if (__get_cpuid_max(0, NULL) < 7)
        return;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    f->avx2 = ((ebx >> 5) & 1) && os_ymm;
    f->avx512f = ((ebx >> 16) & 1) && os_zmm;
    f->avx512dq = ((ebx >> 17) & 1) && os_zmm;
    f->avx512bw = ((ebx >> 30) & 1) && os_zmm;
    f->avx512vl = ((ebx >> 31) & 1) && os_zmm;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_SVE
#define HWCAP_SVE (1 << 22)
#endif

static void detect(mlp_cpu_features *f)
{
    unsigned long hwcap = getauxval(AT_HWCAP);
    f->neon = (hwcap & HWCAP_ASIMD) != 0;
    f->sve = (hwcap & HWCAP_SVE) != 0;
}
#else
static void detect(mlp_cpu_features *f)
{
    (void)f;
}
#endif

static mlp_cpu_features features;
static char feature_string[128];
static bool detected;

/* True if `name` is in the comma-separated list. */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n) {
        bool starts = p == list || p[-1] == ',';
        bool ends = p[n] == '\0' || p[n] == ',';
        if (starts && ends)
            return true;
    }
    return false;
}

const mlp_cpu_features *mlp_cpu(void)
{
    if (!detected) {
        detect(&features);
        struct { bool *on; const char *name; } list[] = {
            {&features.sse2, "sse2"},         {&features.avx, "avx"},
            {&features.avx2, "avx2"},         {&features.fma, "fma"},
            {&features.avx512f, "avx512f"},   {&features.avx512dq, "avx512dq"},
            {&features.avx512bw, "avx512bw"}, {&features.avx512vl, "avx512vl"},
            {&features.neon, "neon"},         {&features.sve, "sve"},
        };
        const char *disabled = getenv("MLPBENCH_DISABLE_FEATURES");
        size_t len = 0;
        for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
            if (disabled && listed(disabled, list[i].name))
                *list[i].on = false;
            if (!*list[i].on)
                continue;
            int w = snprintf(feature_string + len, sizeof feature_string - len, "%s%s",
                             len ? " " : "", list[i].name);
            if (w > 0)
                len += (size_t)w;
        }
        detected = true;
    }
    return &features;
}

const char *mlp_cpu_feature_string(void)
{
    mlp_cpu();
    return feature_string;
}
