#!/bin/sh
# test_numpy_seed.sh: the numpy peer (tools/numpy-seed) is the book's program: its first
# printed line is the book's first line, to the digit. Skipped (77) without numpy.
#   usage: test_numpy_seed.sh NUMPY_SEED BOOK_TABLE
set -u
/usr/bin/python3 -c 'import numpy' 2>/dev/null || { echo "SKIPPED: no python3-numpy"; exit 77; }
got=$(OPENBLAS_NUM_THREADS=1 "$1" --epochs 1) || { echo "FAIL: $1 exited $?"; exit 1; }
want=$(head -n 1 "$2")
[ "$got" = "$want" ] || { printf 'FAIL:\n  got  %s\n  book %s\n' "$got" "$want"; exit 1; }
echo "PASSED: $got"
