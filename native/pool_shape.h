// The shape arguments max and average pooling share: (B, T, C, pool, stride, padLeft, To), checked.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include "common.h"
#include "kernel_util.h"

namespace rl {

struct PoolShape {
  long B, T, C, pool, stride, pl, To;
  size_t nx, ny;
  // Whether every input step lies in at most one window (stride >= pool): backward then writes each dx element once.
  bool disjoint() const { return stride >= pool; }
};

inline PoolShape pool_shape(Args& a) {
  PoolShape p{};
  p.B = (long)a.integer(0, "B");
  p.T = (long)a.integer(1, "T");
  p.C = (long)a.integer(2, "C");
  p.pool = (long)a.integer(3, "pool", 1);
  p.stride = (long)a.integer(4, "stride", 1);
  p.pl = (long)a.integer(5, "padLeft");
  p.To = (long)a.integer(6, "To");
  const long lim = 1L << 31;  // argmax is int32; o * stride must not overflow
  if (a.ok() && (p.T >= lim || p.pool > lim || p.stride > lim || p.pl > lim || p.To > lim))
    a.fail("T/pool/stride/padLeft/To", "is too large");
  p.nx = dims_product(a, "B*T*C", {p.B, p.T, p.C});
  p.ny = dims_product(a, "B*To*C", {p.B, p.To, p.C});
  return p;
}

// The input steps [t0, t1) that output step o pools (empty when t1 <= t0).
struct Window {
  long t0, t1;
};
inline Window window_of(const PoolShape& p, long o) {
  const long ts = o * p.stride - p.pl;
  return {std::max(ts, 0L), std::min(ts + p.pool, p.T)};
}

// The flat index of sample b's first argmax that is neither -1 nor in its window, or -1 when all are.
inline long first_outside(const PoolShape& p, const int32_t* am, long b) {
  for (long o = 0; o < p.To; ++o) {
    const Window w = window_of(p, o);
    const int32_t* ar = am + (b * p.To + o) * p.C;
    // An empty window takes only -1; a window's bounds are then in [0, T], which int32 holds (compares vectorize).
    const int32_t t0 = (int32_t)std::min(w.t0, p.T), t1 = (int32_t)std::max(std::min(w.t1, p.T), (long)t0);
    int outside = 0;
    for (long c = 0; c < p.C; ++c) outside |= (ar[c] != -1) & ((ar[c] < t0) | (ar[c] >= t1));
    if (!outside) continue;
    for (long c = 0; c < p.C; ++c)
      if (ar[c] != -1 && (ar[c] < t0 || ar[c] >= t1)) return (b * p.To + o) * p.C + c;
  }
  return -1;
}

// The error for argmax's flat index at, outside its window (the backwards that read argmax fail with it).
inline std::string argmax_outside(const PoolShape& p, const int32_t* am, long at) {
  const Window w = window_of(p, at / p.C % p.To);
  return "holds " + std::to_string(am[at]) + " at " + std::to_string(at) + ", outside its window [" +
         std::to_string(w.t0) + ", " + std::to_string(w.t1) + ") (and not -1)";
}

}  // namespace rl
