// Average pooling over time, channels-last: x [B, T, C] -> y [B, To, C]. Output step o averages input steps
// [o*stride - padLeft, o*stride - padLeft + pool) clipped to [0, T): padding is not counted, as Keras's 'same'
// does; a window with no input step (impossible with Keras's shapes) gives 0. reference/avg_pool.ts is its twin.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "pool_shape.h"
#include "threadpool.h"

namespace rl {
namespace {

// The pool's shape, then its input (argument 7) and output (8): x and y forward, dy and dx backward.
struct PoolCall {
  PoolShape p;
  const float* in;
  float* out;
};
PoolCall pool_call(Args& a, bool backward) {
  PoolCall c{pool_shape(a), nullptr, nullptr};
  c.in = a.f32(7, backward ? "dy" : "x", backward ? c.p.ny : c.p.nx);
  c.out = a.f32(8, backward ? "dx" : "y", backward ? c.p.nx : c.p.ny);
  return c;
}

Napi::Value AvgPool1d(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool1d");
  const PoolCall c = pool_call(a, false);
  const PoolShape& p = c.p;
  return run_if_ok(a, [&] {
    parallel_for(p.B * p.To, 1, p.C * std::min(p.pool, std::max(p.T, 1L)), [&](long r0, long r1) {
      kernels().avg_pool_rows(c.in, c.out, p.T, p.C, p.pool, p.stride, p.pl, p.To, r0, r1);
    });
  });
}

// Each thread owns whole samples, so windows that overlap never race.
Napi::Value AvgPool1dBackward(const Napi::CallbackInfo& info) {
  Args a(info, "avgPool1dBackward");
  const PoolCall c = pool_call(a, true);
  const PoolShape& p = c.p;
  return run_if_ok(a, [&] {
    parallel_for(p.B, 1, p.T * p.C + p.To * p.C * std::min(p.pool, std::max(p.T, 1L)), [&](long b0, long b1) {
      kernels().avg_pool_grad_samples(c.in, c.out, p.T, p.C, p.pool, p.stride, p.pl, p.To, b0, b1);
    });
  });
}

const bool exported = add_bindings({{"avgPool1d", AvgPool1d}, {"avgPool1dBackward", AvgPool1dBackward}});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "avg_pool.cc"
#define RL_PASS_NS avg_pool_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

namespace {

void avg_pool_rows(const float* x, float* y, long T, long C, long pool, long stride, long pl, long To, long r0,
                   long r1) {
  for (long r = r0; r < r1; ++r) {
    const long b = r / To, o = r % To, ts = o * stride - pl;
    const long t0 = std::max(ts, 0L), t1 = std::min(ts + pool, T);
    float* yr = y + r * C;
    for (long c = 0; c < C; ++c) yr[c] = 0.0f;
    if (t0 >= t1) continue;
    for (long t = t0; t < t1; ++t) {
      const float* xt = x + (b * T + t) * C;
      for (long c = 0; c < C; ++c) yr[c] += xt[c];
    }
    const float inv = 1.0f / (float)(t1 - t0);
    for (long c = 0; c < C; ++c) yr[c] *= inv;
  }
}

void avg_pool_grad_samples(const float* dy, float* dx, long T, long C, long pool, long stride, long pl, long To,
                           long b0, long b1) {
  for (long b = b0; b < b1; ++b) {
    float* dxb = dx + b * T * C;
    for (long i = 0; i < T * C; ++i) dxb[i] = 0.0f;
    for (long o = 0; o < To; ++o) {
      const long ts = o * stride - pl;
      const long t0 = std::max(ts, 0L), t1 = std::min(ts + pool, T);
      if (t0 >= t1) continue;
      const float inv = 1.0f / (float)(t1 - t0);
      const float* dyr = dy + (b * To + o) * C;
      for (long t = t0; t < t1; ++t) {
        float* d = dxb + t * C;
        for (long c = 0; c < C; ++c) d[c] += dyr[c] * inv;
      }
    }
  }
}

RL_REGISTER_PASS(kFamilyAvgPool, t.avg_pool_rows = avg_pool_rows; t.avg_pool_grad_samples = avg_pool_grad_samples);

}  // namespace

#endif  // RL_PASS
