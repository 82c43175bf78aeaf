/* test_pyfmt.c: Python's str(float) in C against values Python prints. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pyfmt.h"
#include "expect.h"

int main(void)
{
    const struct { double x; const char *python; } cases[] = {
        {0.93, "0.93"}, {1.0, "1.0"}, {0.7073, "0.7073"}, {0.1, "0.1"},
        {0.1 + 0.2, "0.30000000000000004"}, {1e-05, "1e-05"}, {0.0001, "0.0001"},
        {0.00012, "0.00012"}, {1e16, "1e+16"}, {9999999999999998.0, "9999999999999998.0"},
        {123456789012345680.0, "1.2345678901234568e+17"}, {100.0, "100.0"}, {2.5, "2.5"},
        {1234.5, "1234.5"}, {-0.0, "-0.0"}, {0.0, "0.0"}, {-1.5, "-1.5"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.537, "0.537"}, {0.6488, "0.6488"}, {HUGE_VAL, "inf"}, {-HUGE_VAL, "-inf"},
        {NAN, "nan"}, {0.721999999, "0.721999999"}, {12.0, "12.0"}, {1.5e-7, "1.5e-07"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlp_py_float_str(cases[i].x, buf, sizeof buf);
        if (strcmp(buf, cases[i].python) != 0) {
            expect_fail("str(%.17g): got '%s', Python '%s'", cases[i].x, buf, cases[i].python);
        }
    }
    /* the book's str(x)[0:5] */
    mlp_py_float_str5(0.72177245, buf, sizeof buf);
    if (strcmp(buf, "0.721") != 0) {
        expect_fail("str(0.72177245)[0:5]: got '%s'", buf);
    }
    mlp_py_float_str5(1.0, buf, sizeof buf);
    if (strcmp(buf, "1.0") != 0) {
        expect_fail("str(1.0)[0:5]: got '%s'", buf);
    }
    return expect_exit();
}
