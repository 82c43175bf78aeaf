/* cpu.c: run-time CPU feature detection, as a mask of MLP_CPU_* bits. On x86-64:
 * cpuid feature bits, and XCR0 (xgetbv) to check that the OS saves the YMM/ZMM state;
 * on AArch64: getauxval. MLPBENCH_DISABLE_FEATURES (comma-separated names, e.g.
 * "avx512f,avx2") hides features, to see how a CPU without them is treated. */
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

static mlp_cpu_mask detect(void)
{
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return 0;
    mlp_cpu_mask f = 0;
    bool osxsave = (ecx >> 27) & 1;
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    bool os_ymm = (xcr0 & 0x6) == 0x6;   /* XMM and YMM state saved */
    bool os_zmm = (xcr0 & 0xe6) == 0xe6; /* and opmask, ZMM_Hi256, Hi16_ZMM */
    f |= (edx >> 26) & 1 ? MLP_CPU_SSE2 : 0;
    f |= ((ecx >> 28) & 1) && os_ymm ? MLP_CPU_AVX : 0;
    f |= ((ecx >> 12) & 1) && os_ymm ? MLP_CPU_FMA : 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return f;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    f |= ((ebx >> 5) & 1) && os_ymm ? MLP_CPU_AVX2 : 0;
    f |= ((ebx >> 16) & 1) && os_zmm ? MLP_CPU_AVX512F : 0;
    f |= ((ebx >> 17) & 1) && os_zmm ? MLP_CPU_AVX512DQ : 0;
    f |= ((ebx >> 30) & 1) && os_zmm ? MLP_CPU_AVX512BW : 0;
    f |= ((ebx >> 31) & 1) && os_zmm ? MLP_CPU_AVX512VL : 0;
    return f;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_SVE
#define HWCAP_SVE (1 << 22)
#endif

static mlp_cpu_mask detect(void)
{
    unsigned long hwcap = getauxval(AT_HWCAP);
    return (hwcap & HWCAP_ASIMD ? MLP_CPU_NEON : 0) | (hwcap & HWCAP_SVE ? MLP_CPU_SVE : 0);
}
#else
static mlp_cpu_mask detect(void)
{
    return 0;
}
#endif

/* Every feature's name, in the order mlp_cpu_feature_string lists them. */
static const struct {
    mlp_cpu_mask bit;
    const char *name;
} names[] = {
    {MLP_CPU_SSE2, "sse2"},         {MLP_CPU_AVX, "avx"},           {MLP_CPU_AVX2, "avx2"},
    {MLP_CPU_FMA, "fma"},           {MLP_CPU_AVX512F, "avx512f"},   {MLP_CPU_AVX512DQ, "avx512dq"},
    {MLP_CPU_AVX512BW, "avx512bw"}, {MLP_CPU_AVX512VL, "avx512vl"}, {MLP_CPU_NEON, "neon"},
    {MLP_CPU_SVE, "sve"},
};

static mlp_cpu_mask features;
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

mlp_cpu_mask mlp_cpu_feature_mask(void)
{
    if (!detected) {
        mlp_cpu_mask f = detect();
        const char *disabled = getenv("MLPBENCH_DISABLE_FEATURES");
        size_t len = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (disabled && listed(disabled, names[i].name))
                f &= ~names[i].bit;
            if (!(f & names[i].bit))
                continue;
            int w = snprintf(feature_string + len, sizeof feature_string - len, "%s%s",
                             len ? " " : "", names[i].name);
            if (w > 0)
                len += (size_t)w;
        }
        features = f;
        detected = true;
    }
    return features;
}

bool mlp_cpu_has(mlp_cpu_mask required)
{
    return (mlp_cpu_feature_mask() & required) == required;
}

const char *mlp_cpu_feature_string(void)
{
    mlp_cpu_feature_mask();
    return feature_string;
}
