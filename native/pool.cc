// Max pooling over time, channels-last: x [B, T, C] -> y [B, To, C]. Output step o pools input steps
// [o*stride - padLeft, o*stride - padLeft + pool) clipped to [0, T), so padding never wins; the first
// maximum wins ties and argmax records its t. A window with no input step (impossible with Keras's
// 'valid'/'same' shapes) gives y = 0 and argmax = -1, which backward skips.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

Napi::Value MaxPool1d(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool1d");
  long B = (long)a.integer(0, "B");
  long T = (long)a.integer(1, "T");
  long C = (long)a.integer(2, "C");
  long pool = (long)a.integer(3, "pool", 1);
  long stride = (long)a.integer(4, "stride", 1);
  long pl = (long)a.integer(5, "padLeft");
  long To = (long)a.integer(6, "To");
  const long lim = 1L << 31;  // argmax is int32; o * stride must not overflow
  if (a.ok() && (T >= lim || pool > lim || stride > lim || pl > lim || To > lim))
    a.fail("T/pool/stride/padLeft/To", "is too large");
  size_t nx = dims_product(a, "B*T*C", {B, T, C});
  size_t ny = dims_product(a, "B*To*C", {B, To, C});
  const float* x = a.f32(7, "x", nx);
  float* y = a.f32(8, "y", ny);
  int32_t* am = a.i32(9, "argmax", ny);
  if (!a.ok() || ny == 0) return info.Env().Undefined();
  parallel_for(B * To, 1, C * std::min(pool, std::max(T, 1L)),
               [&](long r0, long r1) { kernels().max_pool_rows(x, y, am, T, C, pool, stride, pl, To, r0, r1); });
  return info.Env().Undefined();
}

Napi::Value MaxPool1dBackward(const Napi::CallbackInfo& info) {
  Args a(info, "maxPool1dBackward");
  long B = (long)a.integer(0, "B");
  long T = (long)a.integer(1, "T");
  long C = (long)a.integer(2, "C");
  long To = (long)a.integer(3, "To");
  size_t nx = dims_product(a, "B*T*C", {B, T, C});
  size_t ny = dims_product(a, "B*To*C", {B, To, C});
  const float* dy = a.f32(4, "dy", ny);
  const int32_t* am = a.i32(5, "argmax", ny);
  float* dx = a.f32(6, "dx", nx);
  // One pass: each thread zeroes and fills its own samples; a bad argmax is skipped and reported afterwards,
  // so nothing is ever written outside dx.
  return run_if_ok(a, [&] {
    if (nx == 0) return;
    std::atomic<long> bad{-1};
    parallel_for(B, 1, To * C + T * C, [&](long b0, long b1) {
      for (long b = b0; b < b1; ++b) {
        float* dxb = dx + b * T * C;
        std::memset(dxb, 0, (size_t)(T * C) * sizeof(float));
        for (long o = 0; o < To; ++o) {
          const float* dyr = dy + (b * To + o) * C;
          const int32_t* ar = am + (b * To + o) * C;
          for (long c = 0; c < C; ++c) {
            long t = ar[c];
            if (t >= 0 && t < T) dxb[t * C + c] += dyr[c];
            else if (t != -1) bad.store((b * To + o) * C + c, std::memory_order_relaxed);
          }
        }
      }
    });
    const long at = bad.load();
    if (at >= 0)
      a.fail("argmax", "holds " + std::to_string(am[at]) + " at " + std::to_string(at) + ", outside [0, T=" +
                           std::to_string(T) + ") (and not -1)");
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
