/* pyfmt.c: Python float repr in C: the shortest %.Ne digits that read back to the
 * same double, laid out as Python does (fixed for 1e-4 <= |x| < 1e16, else
 * exponent form with at least two exponent digits). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfmt.h"

/* Shortest round-trip digits of |x| > 0: digits "d1d2..." and decimal exponent e
 * such that |x| = 0.d1d2... * 10^(e+1), i.e. d1 is the 10^e digit. */
static void shortest_digits(double x, char *digits, int *exp10)
{
    char tmp[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    /* tmp is "d.ddde+XX" */
    char *e = strchr(tmp, 'e');
    *exp10 = atoi(e + 1);
    size_t n = 0;
    for (char *p = tmp; p < e; p++)
        if (*p != '.')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
}

char *mlp_py_float_str(double x, char *buf, size_t len)
{
    if (isnan(x)) {
        snprintf(buf, len, "nan");
        return buf;
    }
    if (isinf(x)) {
        snprintf(buf, len, x < 0 ? "-inf" : "inf");
        return buf;
    }
    const char *sign = signbit(x) ? "-" : "";
    if (x == 0) {
        snprintf(buf, len, "%s0.0", sign);
        return buf;
    }
    char digits[24], zeros[24];
    int e;
    shortest_digits(fabs(x), digits, &e);
    int nd = (int)strlen(digits);
    if (e < -4 || e >= 16) {
        /* d[.ddd]e[+-]XX */
        snprintf(buf, len, "%s%c%s%se%c%02d", sign, digits[0], nd > 1 ? "." : "", digits + 1,
                 e < 0 ? '-' : '+', abs(e));
    } else if (e < 0) {
        /* 0.000ddd: -e-1 zeros after the point (at most 3 here) */
        memset(zeros, '0', (size_t)(-e - 1));
        zeros[-e - 1] = '\0';
        snprintf(buf, len, "%s0.%s%s", sign, zeros, digits);
    } else if (nd <= e + 1) {
        /* integer-valued: ddd000.0 (at most 15 zeros here) */
        memset(zeros, '0', (size_t)(e + 1 - nd));
        zeros[e + 1 - nd] = '\0';
        snprintf(buf, len, "%s%s%s.0", sign, digits, zeros);
    } else {
        /* ddd.ddd */
        snprintf(buf, len, "%s%.*s.%s", sign, e + 1, digits, digits + e + 1);
    }
    return buf;
}

char *mlp_py_float_str5(double x, char *buf, size_t len)
{
    mlp_py_float_str(x, buf, len);
    if (len > 5)
        buf[5] = '\0';
    return buf;
}
