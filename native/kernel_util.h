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
