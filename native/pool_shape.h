// The shape arguments max and average pooling share: (B, T, C, pool, stride, padLeft, To), checked.
#pragma once
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

}  // namespace rl
