// gbench_shim.cc: Google Benchmark microbenchmarks of single kernels: every operation of
// every kernel set built in, at both precisions, over the model's shapes and a size
// sweep, through the C kernel table (kernels.h). Names say what, how and at which size
// (Google Benchmark appends /real_time):
//   forward/avx512/f32/B1_K784_N40        dense inputs
//   forward/avx512/f32/B1_K784_N40_z81    81% zero inputs, as MNIST's pixels
//   relu/avx2/f64/n4000
// Timed in real (wall) time, so that threaded sets are measured fairly. The counters
// FLOP/s and bytes/s are rates over that time: the FLOP of the dense operation (2 per
// multiply-add, even where a set skips zero inputs) and the bytes it must move at least
// (each input read once, each output written once). A set this CPU cannot run is not
// registered: it is named on stderr and in the context (skipped_sets), and the
// executable still succeeds.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <omp.h>

#define restrict __restrict
extern "C" {
#include "kernels.h"
}
#undef restrict

namespace {

// ---- buffers ----

struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
};

// n elements of T, 64-byte aligned, filled with uniform values in [lo, hi) and a
// fraction `zeros` of exact zeros, from a fixed seed.
template <typename T>
std::unique_ptr<T[], FreeDeleter> make_buffer(size_t n, double lo, double hi, double zeros,
                                             uint32_t seed)
{
    size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    T *p = static_cast<T *>(std::aligned_alloc(64, bytes ? bytes : 64));
    if (!p)
        throw std::bad_alloc();
    uint32_t s = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        double u = (double)s / 4294967296.0;
        double z = (double)((s * 2654435761u) >> 8) / 16777216.0;
        p[i] = z < zeros ? T(0) : T(lo + (hi - lo) * u);
    }
    return std::unique_ptr<T[], FreeDeleter>(p);
}

// ---- tables per precision ----

template <typename T> struct Prec;
template <> struct Prec<float> {
    using Table = mlp_kernels_f32;
    static constexpr mlp_precision id = MLP_F32;
    static const char *name() { return "f32"; }
    static void fill(const mlp_kernel_set *s, Table *t) { mlp_kernel_set_table_f32(s, t); }
};
template <> struct Prec<double> {
    using Table = mlp_kernels_f64;
    static constexpr mlp_precision id = MLP_F64;
    static const char *name() { return "f64"; }
    static void fill(const mlp_kernel_set *s, Table *t) { mlp_kernel_set_table_f64(s, t); }
};

void set_rates(benchmark::State &st, double flop, double bytes)
{
    double it = (double)st.iterations();
    st.counters["FLOP/s"] = benchmark::Counter(flop * it, benchmark::Counter::kIsRate);
    st.counters["bytes/s"] = benchmark::Counter(bytes * it, benchmark::Counter::kIsRate);
}

// ---- matrix operations: Y = X.W, DX = DY.W^T, W += alpha X^T.DY ----

enum class MatOp { forward, backward, update };

const char *mat_op_name(MatOp op)
{
    return op == MatOp::forward ? "forward" : op == MatOp::backward ? "backward" : "update";
}

struct MatShape {
    size_t B, K, N;
    double zeros; // fraction of zero inputs in X (forward, update)
};

template <typename T>
void run_matrix(benchmark::State &st, const mlp_kernel_set *set, MatOp op, MatShape sh)
{
    typename Prec<T>::Table t;
    Prec<T>::fill(set, &t);
    const size_t B = sh.B, K = sh.K, N = sh.N;
    auto x = make_buffer<T>(B * K, 0.0, 1.0, sh.zeros, 1);
    auto w = make_buffer<T>(K * N, -0.1, 0.1, 0.0, 2);
    auto y = make_buffer<T>(B * N, -1.0, 1.0, 0.0, 3);
    const T alpha = T(1e-7);
    for (auto _ : st) {
        switch (op) {
        case MatOp::forward: t.forward(B, K, N, x.get(), K, w.get(), N, y.get(), N); break;
        case MatOp::backward: t.backward(B, K, N, y.get(), N, w.get(), N, x.get(), K); break;
        case MatOp::update: t.update(B, K, N, alpha, x.get(), K, y.get(), N, w.get(), N); break;
        }
        benchmark::ClobberMemory();
    }
    double s = sizeof(T);
    double bytes = op == MatOp::update ? (double)(B * K + B * N + 2 * K * N) * s
                                       : (double)(B * K + K * N + B * N) * s;
    set_rates(st, 2.0 * (double)(B * K * N), bytes);
}

// ---- elementwise operations ----

enum class EwOp { relu, relu_backward, multiply, error_delta };

const char *ew_op_name(EwOp op)
{
    switch (op) {
    case EwOp::relu: return "relu";
    case EwOp::relu_backward: return "relu_backward";
    case EwOp::multiply: return "multiply";
    default: return "error_delta";
    }
}

template <typename T>
void run_elementwise(benchmark::State &st, const mlp_kernel_set *set, EwOp op, size_t n)
{
    typename Prec<T>::Table t;
    Prec<T>::fill(set, &t);
    auto a = make_buffer<T>(n, -1.0, 1.0, 0.0, 4);
    auto b = make_buffer<T>(n, -1.0, 1.0, 0.0, 5);
    auto c = make_buffer<T>(n, 0.0, 1.0, 0.0, 6);
    double sum = 0;
    for (auto _ : st) {
        switch (op) {
        case EwOp::relu: t.relu(n, a.get()); break;
        case EwOp::relu_backward: t.relu_backward(n, a.get(), b.get(), MLP_RELU_GRAD_STRICT); break;
        case EwOp::multiply: t.multiply(n, b.get(), c.get()); break;
        case EwOp::error_delta: sum += t.error_delta(n, c.get(), a.get(), b.get()); break;
        }
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(sum);
    double s = sizeof(T), dn = (double)n;
    double flop = op == EwOp::error_delta ? 3 * dn : dn;
    double bytes = op == EwOp::relu ? 2 * dn * s : 3 * dn * s;
    set_rates(st, flop, bytes);
}

// ---- registration ----

std::vector<MatShape> matrix_shapes()
{
    std::vector<MatShape> v;
    for (size_t B : {1, 100, 256}) {
        v.push_back({B, 784, 40, 0.0}); // the model's layers
        v.push_back({B, 40, 10, 0.0});
    }
    for (size_t B : {1, 100})
        v.push_back({B, 784, 40, 0.81}); // MNIST-like input sparsity
    for (size_t B : {1, 64})
        for (size_t KN : {16, 64, 256, 1024}) // size sweep
            v.push_back({B, KN, KN, 0.0});
    // batched GEMM shapes (mini-batch 256, hidden 1024: the blocked kernels)
    v.push_back({256, 784, 1024, 0.0});
    v.push_back({256, 1024, 1024, 0.0});
    return v;
}

std::string shape_name(const MatShape &sh)
{
    std::string s = "B" + std::to_string(sh.B) + "_K" + std::to_string(sh.K) + "_N" +
                    std::to_string(sh.N);
    if (sh.zeros > 0)
        s += "_z" + std::to_string((int)(sh.zeros * 100 + 0.5));
    return s;
}

template <typename T> void register_set(const mlp_kernel_set *set)
{
    if (!mlp_kernel_set_has(set, Prec<T>::id))
        return;
    std::string prefix = std::string("/") + set->name + "/" + Prec<T>::name() + "/";
    for (const MatShape &sh : matrix_shapes())
        for (MatOp op : {MatOp::forward, MatOp::backward, MatOp::update}) {
            if (op == MatOp::backward && sh.zeros > 0)
                continue; // backward reads no inputs that could be zero
            std::string name = mat_op_name(op) + prefix + shape_name(sh);
            benchmark::RegisterBenchmark(name.c_str(), [set, op, sh](benchmark::State &st) {
                run_matrix<T>(st, set, op, sh);
            })->UseRealTime();
        }
    for (size_t n : {10, 40, 4000, 65536})
        for (EwOp op : {EwOp::relu, EwOp::relu_backward, EwOp::multiply, EwOp::error_delta}) {
            std::string name = ew_op_name(op) + prefix + "n" + std::to_string(n);
            benchmark::RegisterBenchmark(name.c_str(), [set, op, n](benchmark::State &st) {
                run_elementwise<T>(st, set, op, n);
            })->UseRealTime();
        }
}

// Registers every runnable set; returns the sets skipped, as "name (needs ISA)".
std::string register_all()
{
    std::string skipped;
    for (size_t i = 0; i < mlp_kernel_set_count(); i++) {
        const mlp_kernel_set *set = mlp_kernel_set_at(i);
        if (!mlp_kernel_set_runnable(set)) {
            std::fprintf(stderr, "gbench: skipping kernel set '%s': this CPU cannot run %s\n",
                         set->name, set->isa);
            skipped += std::string(skipped.empty() ? "" : ", ") + set->name + " (needs " +
                       set->isa + ")";
            continue;
        }
        register_set<float>(set);
        register_set<double>(set);
    }
    return skipped;
}

} // namespace

int main(int argc, char **argv)
{
    std::string skipped = register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    benchmark::AddCustomContext("mlpbench_version", MLP_VERSION);
    benchmark::AddCustomContext("cpu_features", mlp_cpu_feature_string());
    benchmark::AddCustomContext("omp_max_threads", std::to_string(omp_get_max_threads()));
    benchmark::AddCustomContext("skipped_sets", skipped.empty() ? "none" : skipped);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
