// Small helpers shared by the kernel bindings: overflow-checked sizes, typed-array lengths,
// and a parallel-for over contiguous ranges that stays on the calling thread for small jobs.
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "common.h"
#include "threadpool.h"

namespace rl {

// Below this many elements of work a kernel runs on the calling thread (waking the pool costs more).
constexpr long kParallelMin = 1L << 15;

// Product of non-negative dimensions. Fails `a` (a RangeError) instead of overflowing: no typed array
// holds 2^46 elements, so any larger product is a bad call.
inline size_t dims_product(Args& a, const char* what, std::initializer_list<int64_t> ds) {
  if (!a.ok()) return 0;
  const int64_t limit = (int64_t)1 << 46;
  int64_t p = 1;
  for (int64_t d : ds) {
    if (d < 0) return a.fail(what, "has a negative dimension"), 0;
    if (d == 0) return 0;
    if (p > limit / d) return a.fail(what, "is too large"), 0;
    p *= d;
  }
  return (size_t)p;
}

// Element count of argument i when it is a typed array, 0 otherwise (Args then reports the type error).
inline size_t typed_length(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsTypedArray()) return 0;
  return info[i].As<Napi::TypedArray>().ElementLength();
}

// An activation code (0..4), checked.
inline int act_code(Args& a, size_t i, const char* name) {
  int64_t v = a.integer(i, name, 0);
  if (a.ok() && v > ACT_HARD_SIGMOID) a.fail(name, "must be an activation code 0..4");
  return (int)v;
}

// Float32Array arguments first, first+1, ... of n elements each, into the pointers in the order named:
// `f32_args(a, 0, n, {"p", "g"}, &p, &g)` reads argument 0 as "p" and 1 as "g". Inputs may be const float*.
template <class... Ptr>
inline bool f32_args(Args& a, size_t first, size_t n, std::initializer_list<const char*> names, Ptr*... out) {
  size_t i = first;
  const char* const* name = names.begin();
  ((*out = a.f32(i++, *name++, n)), ...);
  return a.ok();
}

// A rows x cols matrix's dimensions, arguments `first` and `first + 1`, and its element count.
struct Matrix {
  long rows, cols;
  size_t size;
};
inline Matrix matrix_dims(Args& a, size_t first, const char* rows, const char* cols, const char* size) {
  Matrix m{};
  m.rows = (long)a.integer(first, rows);
  m.cols = (long)a.integer(first + 1, cols);
  m.size = dims_product(a, size, {m.rows, m.cols});
  return m;
}

// The arguments of gemm and gemmBf16: (transA, transB, m, n, k, alpha, a, b, beta, c, bias | null, act),
// contiguous row-major arrays.
struct GemmCall {
  bool ta, tb;
  long m, n, k;
  float alpha, beta;
  const float *A, *B, *bias;
  float* C;
  int act;
  long lda() const { return ta ? m : k; }
  long ldb() const { return tb ? k : n; }
};
inline GemmCall gemm_call(Args& a) {
  GemmCall g{};
  g.ta = a.flag(0, "transA");
  g.tb = a.flag(1, "transB");
  const int64_t m = a.integer(2, "m"), n = a.integer(3, "n"), k = a.integer(4, "k");
  g.m = (long)m, g.n = (long)n, g.k = (long)k;
  g.alpha = (float)a.num(5, "alpha");
  const size_t mk = dims_product(a, "a", {m, k});
  const size_t kn = dims_product(a, "b", {k, n});
  const size_t mn = dims_product(a, "c", {m, n});
  g.A = a.f32(6, "a", mk);
  g.B = a.f32(7, "b", kn);
  g.beta = (float)a.num(8, "beta");
  g.C = a.f32(9, "c", mn);
  g.bias = a.f32(10, "bias", (size_t)n, true);
  g.act = act_code(a, 11, "act");
  return g;
}

// The end of a binding that returns nothing: run() the kernel once every argument has checked out (a bad one has
// already thrown its RangeError, and nothing runs on it).
template <class F>
inline Napi::Value run_if_ok(const Args& a, F&& run) {
  if (a.ok()) run();
  return a.env().Undefined();
}

// fn(begin, end) over [0, n), split over the pool in chunks aligned to `align` when the total work
// (n * cost_per_item elements) reaches kParallelMin.
template <class F>
inline void parallel_for(long n, long align, long cost_per_item, F&& fn) {
  if (n <= 0) return;
  if (n * cost_per_item < kParallelMin || num_threads() <= 1) {
    fn(0L, n);
    return;
  }
  parallel([&](int tid, int nth) {
    long b, e;
    split_range(n, tid, nth, align, &b, &e);
    if (b < e) fn(b, e);
  });
}

}  // namespace rl
