// Optimizer updates, one fused pass over each parameter array (memory-bound: read p, g and the slots once,
// write p and the slots once), compiled once per instruction set (isa_passes.h) and split over the pool for
// large arrays. Under mixed_bfloat16 each binding optionally takes (rows, cols, packed | null, packedT | null) after
// its own arguments: the weight's bf16 packings, made from each block of updated weights while it is in cache
// (bf16.h's update_and_pack; src/backend/bf16_weight_cache.ts asks for them), instead of a later pass over the
// weights per packing. What they cost is their bytes: on the CNN head (12.5 M weights, two packings of 25 MB) Adam
// takes 9.4 ms on one Zen 5 core against 7.1 without packings: +2.3 ms, what a plain C++ loop of the same update
// gains when each block is followed by streaming stores of its share of 50 MB (+2.1 to 2.4 ms; such stores run at
// about 28 GB/s per core). Rounding from the update's registers in the same pass, or fetching the next block while
// one is packed, measured no faster; ordinary stores were slower.
#ifndef RL_PASS
#include <napi.h>

#include <cmath>

#include "bf16.h"
#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

// fn(i0, i1) over the n weights: split over the pool, or block by block with the bf16 packings asked for.
template <class F>
void update(const bf16::UpdatePackings& packings, size_t n, F&& fn) {
  if (packings.K) bf16::update_and_pack(packings, fn);
  else parallel_for((long)n, 16, 1, fn);
}

Napi::Value Adam(const Napi::CallbackInfo& info) {
  Args a(info, "adam");
  size_t n = typed_length(info, 0);
  float *p, *m, *v;
  const float* g;
  f32_args(a, 0, n, {"p", "g", "m", "v"}, &p, &g, &m, &v);
  double lr = a.num(4, "lr");
  double b1 = a.num(5, "beta1");
  double b2 = a.num(6, "beta2");
  double eps = a.num(7, "eps");
  int64_t step = a.integer(8, "step", 1);
  const bf16::UpdatePackings packings = bf16::update_packings(a, info, 9, p, n);
  if (!a.ok()) return info.Env().Undefined();
  double t = (double)step;
  double lr_t = lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t));
  update(packings, n, [&](long i0, long i1) {
    kernels().adam(p + i0, g + i0, m + i0, v + i0, i1 - i0, (float)b1, (float)(1.0 - b1), (float)b2, (float)(1.0 - b2),
               (float)lr_t, (float)eps);
  });
  return info.Env().Undefined();
}

Napi::Value RmsProp(const Napi::CallbackInfo& info) {
  Args a(info, "rmsprop");
  size_t n = typed_length(info, 0);
  float *p, *acc;
  const float* g;
  f32_args(a, 0, n, {"p", "g", "acc"}, &p, &g, &acc);
  double lr = a.num(3, "lr");
  double rho = a.num(4, "rho");
  double eps = a.num(5, "eps");
  const bf16::UpdatePackings packings = bf16::update_packings(a, info, 6, p, n);
  if (!a.ok()) return info.Env().Undefined();
  update(packings, n, [&](long i0, long i1) {
    kernels().rmsprop(p + i0, g + i0, acc + i0, i1 - i0, (float)rho, (float)(1.0 - rho), (float)lr, (float)eps);
  });
  return info.Env().Undefined();
}

// vel may be null (or short) when momentum is 0: plain SGD keeps no velocity.
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  Args a(info, "sgd");
  size_t n = typed_length(info, 0);
  double momentum = a.num(4, "momentum");
  float* p = a.f32(0, "p", n);
  const float* g = a.f32(1, "g", n);
  float* vel = a.f32(2, "vel", momentum != 0 ? n : 0, momentum == 0);
  double lr = a.num(3, "lr");
  bool nesterov = a.flag(5, "nesterov");
  const bf16::UpdatePackings packings = bf16::update_packings(a, info, 6, p, n);
  if (!a.ok()) return info.Env().Undefined();
  if (momentum == 0) {
    update(packings, n, [&](long i0, long i1) { kernels().sgd(p + i0, g + i0, i1 - i0, (float)lr); });
  } else {
    update(packings, n, [&](long i0, long i1) {
      kernels().sgd_momentum(p + i0, g + i0, vel + i0, i1 - i0, (float)lr, (float)momentum, nesterov);
    });
  }
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"adam", Adam}, {"rmsprop", RmsProp}, {"sgd", Sgd}});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "optim.cc"
#define RL_PASS_NS optim_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

// `#pragma GCC ivdep` where GCC would give a loop that fuses a * b + c an overlap check: its results then never
// depend on where the arrays lie (isa_passes.h).
namespace {

void adam(float* p, const float* g, float* m, float* v, long n, float b1, float c1, float b2,
                          float c2, float lr_t, float eps) {
#pragma GCC ivdep
  for (long i = 0; i < n; ++i) {
    float gi = g[i];
    float mi = b1 * m[i] + c1 * gi;
    float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (std::sqrt(vi) + eps);
  }
}

void rmsprop(float* p, const float* g, float* acc, long n, float rho, float c, float lr, float eps) {
#pragma GCC ivdep
  for (long i = 0; i < n; ++i) {
    float gi = g[i];
    float ai = rho * acc[i] + c * gi * gi;
    acc[i] = ai;
    p[i] -= lr * gi / std::sqrt(ai + eps);  // eps inside the root, as Keras 3, tf.keras 2.11+ and tfjs
  }
}

void sgd(float* p, const float* g, long n, float lr) {
#pragma GCC ivdep
  for (long i = 0; i < n; ++i) p[i] -= lr * g[i];
}

void sgd_momentum(float* p, const float* g, float* vel, long n, float lr, float mom, bool nesterov) {
  if (nesterov) {
#pragma GCC ivdep
    for (long i = 0; i < n; ++i) {
      float vi = mom * vel[i] - lr * g[i];
      vel[i] = vi;
      p[i] += mom * vi - lr * g[i];
    }
  } else {
#pragma GCC ivdep
    for (long i = 0; i < n; ++i) {
      float vi = mom * vel[i] - lr * g[i];
      vel[i] = vi;
      p[i] += vi;
    }
  }
}

RL_REGISTER_PASS(kFamilyOptim, t.adam = adam; t.rmsprop = rmsprop; t.sgd = sgd; t.sgd_momentum = sgd_momentum);

}  // namespace

#endif  // RL_PASS
