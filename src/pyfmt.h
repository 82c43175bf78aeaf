/* pyfmt.h: Python's str() of a float (shortest repr that round-trips), which the
 * book's printout uses, e.g. str(0.93) = "0.93", str(1.0) = "1.0", str(1e-05) = "1e-05". */
#ifndef MLP_PYFMT_H
#define MLP_PYFMT_H

#include <stddef.h>

/* Writes str(x) into buf (at least 32 bytes) and returns buf. */
char *mlp_py_float_str(double x, char *buf, size_t len);
/* The book's str(x)[0:5]: the first five characters of str(x). */
char *mlp_py_float_str5(double x, char *buf, size_t len);

#endif
