// Max pooling over time, channels-last: x [B, T, C] -> y [B, To, C]. Output step o pools input steps
// [o*stride - padLeft, o*stride - padLeft + pool) clipped to [0, T), so padding never wins; the first
// maximum wins ties and argmax records its t. A window with no input step (impossible with Keras's
// 'valid'/'same' shapes) gives y = 0 and argmax = -1, which backward skips.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstring>
#include <string>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "pool_shape.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

Napi::Value MaxPool1d(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool1d");
  const PoolShape p = pool_shape(a);
  const float* x = a.f32(7, "x", p.nx);
  float* y = a.f32(8, "y", p.ny);
  int32_t* am = a.i32(9, "argmax", p.ny);
  if (!a.ok() || p.ny == 0) return info.Env().Undefined();
  parallel_for(p.B * p.To, 1, p.C * std::min(p.pool, std::max(p.T, 1L)), [&](long r0, long r1) {
    kernels().max_pool_rows(x, y, am, p.T, p.C, p.pool, p.stride, p.pl, p.To, r0, r1);
  });
  return info.Env().Undefined();
}

// dx of sample b, zeroed, then each dy added where argmax points (windows that overlap add up). Returns false when
// some argmax lies outside its window and is not -1 (that one is then left out).
bool scatter_sample(const PoolShape& p, const float* dy, const int32_t* am, float* dx, long b) {
  float* dxb = dx + b * p.T * p.C;
  std::memset(dxb, 0, (size_t)(p.T * p.C) * sizeof(float));
  bool outside = false;
  for (long o = 0; o < p.To; ++o) {
    const Window w = window_of(p, o);
    const float* dyr = dy + (b * p.To + o) * p.C;
    const int32_t* ar = am + (b * p.To + o) * p.C;
    for (long c = 0; c < p.C; ++c) {
      const long t = ar[c];
      if (t >= w.t0 && t < w.t1) dxb[t * p.C + c] += dyr[c];
      else outside |= t != -1;
    }
  }
  return !outside;
}

// Row t of dx where windows do not overlap: 0.0f + dy where argmax is t (the scatter's bits, -0 included), else
// +0. Selected by masking the bits (+0.0f is all zeros): a branch-free loop GCC vectorizes, which it does not for
// `ar[c] == t ? 0.0f + dyr[c] : 0.0f` (it will not evaluate the addition unconditionally). With kCheck, also
// whether some argmax lies outside [t0, t1) and is not -1 (checked once per window, in the loop that loads it).
template <bool kCheck>
int select_row(float* d, const float* dyr, const int32_t* ar, long C, int32_t t, int32_t t0, int32_t t1) {
  int outside = 0;
  for (long c = 0; c < C; ++c) {
    const float g = 0.0f + dyr[c];
    uint32_t bits;
    std::memcpy(&bits, &g, sizeof bits);
    bits &= 0u - (uint32_t)(ar[c] == t);
    std::memcpy(d + c, &bits, sizeof bits);
    if (kCheck) outside |= (ar[c] != -1) & ((ar[c] < t0) | (ar[c] >= t1));
  }
  return outside;
}

// The same dx as scatter_sample where windows do not overlap, each element written once instead of zeroed and then
// added to. Returns false when some argmax lies outside its window and is not -1 (that one is then left out).
bool write_disjoint_sample(const PoolShape& p, const float* dy, const int32_t* am, float* dx, long b) {
  const long C = p.C;
  float* dxb = dx + b * p.T * C;
  long next = 0;  // rows before it are written
  int outside = 0;
  for (long o = 0; o < p.To; ++o) {
    const Window w = window_of(p, o);
    const int32_t* ar = am + (b * p.To + o) * C;
    if (w.t0 >= w.t1) {  // an empty window takes only -1
      for (long c = 0; c < C; ++c) outside |= ar[c] != -1;
      continue;
    }
    const float* dyr = dy + (b * p.To + o) * C;
    std::memset(dxb + next * C, 0, (size_t)((w.t0 - next) * C) * sizeof(float));
    // A window that holds steps lies in [0, T): its bounds fit int32, whose compares vectorize.
    const int32_t t0 = (int32_t)w.t0, t1 = (int32_t)w.t1;
    outside |= select_row<true>(dxb + w.t0 * C, dyr, ar, C, t0, t0, t1);
    for (int32_t t = t0 + 1; t < t1; ++t) select_row<false>(dxb + t * C, dyr, ar, C, t, t0, t1);
    next = w.t1;
  }
  std::memset(dxb + next * C, 0, (size_t)((p.T - next) * C) * sizeof(float));
  return !outside;
}

Napi::Value MaxPool1dBackward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool1dBackward");
  const PoolShape p = pool_shape(a);
  const float* dy = a.f32(7, "dy", p.ny);
  const int32_t* am = a.i32(8, "argmax", p.ny);
  float* dx = a.f32(9, "dx", p.nx);
  // Each thread writes its own samples; an argmax outside its window is skipped and the first one reported
  // afterwards, so nothing is ever written outside dx.
  return run_if_ok(a, [&] {
    if (p.nx == 0) return;
    std::atomic<long> bad{LONG_MAX};
    parallel_for(p.B, 1, p.To * p.C + p.T * p.C, [&](long b0, long b1) {
      for (long b = b0; b < b1; ++b) {
        const bool inside = p.disjoint() ? write_disjoint_sample(p, dy, am, dx, b) : scatter_sample(p, dy, am, dx, b);
        const long at = inside ? -1 : first_outside(p, am, b);
        long seen = bad.load(std::memory_order_relaxed);
        while (at >= 0 && at < seen && !bad.compare_exchange_weak(seen, at, std::memory_order_relaxed)) {}
      }
    });
    const long at = bad.load();
    if (at == LONG_MAX) return;
    a.fail("argmax", argmax_outside(p, am, at));
  });
}

const bool exported = add_bindings({{"maxPool1d", MaxPool1d}, {"maxPool1dBackward", MaxPool1dBackward}});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "pool.cc"
#define RL_PASS_NS pool_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

namespace {

// Output rows [r0, r1) of the flattened [B, To] grid.
void max_pool_rows(const float* x, float* y, int32_t* am, long T, long C, long pool, long stride, long pl,
                         long To, long r0, long r1) {
  for (long r = r0; r < r1; ++r) {
    // y's and argmax's lines kRowsAhead rows on, asked for writing: without, each store waits for its line's read
    constexpr long kRowsAhead = 4;
    if (r + kRowsAhead < r1)
      for (long c = 0; c < C; c += 16) {
        __builtin_prefetch(y + (r + kRowsAhead) * C + c, 1, 3);
        __builtin_prefetch(am + (r + kRowsAhead) * C + c, 1, 3);
      }
    long b = r / To, o = r % To;
    long ts = o * stride - pl;
    long t0 = std::max(ts, 0L), t1 = std::min(ts + pool, T);
    float* yr = y + r * C;
    int32_t* ar = am + r * C;
    if (t0 >= t1) {
      for (long c = 0; c < C; ++c) {
        yr[c] = 0.0f;
        ar[c] = -1;
      }
      continue;
    }
    const float* xb = x + b * T * C;
    const float* x0 = xb + t0 * C;
    for (long c = 0; c < C; ++c) {
      yr[c] = x0[c];
      ar[c] = (int32_t)t0;
    }
    for (long t = t0 + 1; t < t1; ++t) {
      const float* xt = xb + t * C;
      const int32_t tt = (int32_t)t;
      for (long c = 0; c < C; ++c) {
        bool win = xt[c] > yr[c];
        yr[c] = win ? xt[c] : yr[c];
        ar[c] = win ? tt : ar[c];
      }
    }
  }
}

RL_REGISTER_PASS(kFamilyPool, t.max_pool_rows = max_pool_rows);

}  // namespace

#endif  // RL_PASS
