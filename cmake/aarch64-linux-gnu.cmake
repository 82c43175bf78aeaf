# cmake/aarch64-linux-gnu.cmake: cross-build for 64-bit ARM Linux on a Debian x86-64 host.
#
#   cmake -S . -B build-aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Needs (Debian 12): gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
# qemu-user, and with `dpkg --add-architecture arm64`: zlib1g-dev:arm64
# libjansson-dev:arm64 libhwloc-dev:arm64 (see tools/ci-aarch64). The arm64 libraries
# come from Debian multiarch (/usr/lib/aarch64-linux-gnu, headers in /usr/include), the
# C library and libgomp from the cross toolchain (/usr/aarch64-linux-gnu). ctest runs
# the test programs under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(MLP_CROSS_TRIPLE aarch64-linux-gnu)

set(CMAKE_C_COMPILER ${MLP_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${MLP_CROSS_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${MLP_CROSS_TRIPLE})

# Libraries, headers and packages only from the target's roots: the cross toolchain's
# sysroot and the multiarch tree. "/" is a root so that /usr/lib/aarch64-linux-gnu is
# searched; the x86-64 libraries in /usr/lib/x86_64-linux-gnu are never looked at,
# because the library architecture above is aarch64-linux-gnu. Programs (qemu,
# pkg-config) come from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${MLP_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the arm64 .pc files (and the architecture-independent ones).
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${MLP_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# Google Benchmark is host-only here (libbenchmark-dev is amd64): bench/ is optional,
# so the cross build simply does without it.
set(CMAKE_DISABLE_FIND_PACKAGE_benchmark TRUE)

# ctest runs the test programs under qemu. -L makes qemu load the cross toolchain's
# dynamic loader; LD_LIBRARY_PATH makes that loader take the C library (and libm,
# libgomp) from the same place. Without it the loader finds the multiarch libc6:arm64
# (/lib/aarch64-linux-gnu, which libjansson-dev:arm64 pulls in) through the host's
# ld.so.cache: a different glibc build than the loader's (Debian 12: 2.36-8cross1 vs
# 2.36-9+deb12uN), and pthread_create then hangs, so every OpenMP program hangs. The
# multiarch libraries (zlib, jansson, hwloc) still come from /usr/lib/aarch64-linux-gnu.
set(CMAKE_CROSSCOMPILING_EMULATOR
    "qemu-aarch64;-L;/usr/${MLP_CROSS_TRIPLE};-E;LD_LIBRARY_PATH=/usr/${MLP_CROSS_TRIPLE}/lib")
