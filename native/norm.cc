// Batch and layer normalization (reference/norm.ts is the twin). Batch normalization views x as [outer, C, inner]
// (channels-last: inner = 1); its per-channel sums run over bands of outer rows, one partial per thread merged in
// thread order, so a result depends only on the thread count. Sums are double; variances are biased (the mean of
// squared deviations, two passes), as tf.moments computes them. Layer normalization normalizes each row of
// x [rows, cols] over its cols.
#ifndef RL_PASS
#include <napi.h>

#include <cmath>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "threadpool.h"

namespace rl {
namespace {

// n doubles summed over rows [0, rows) by fn(r0, r1, acc): on the calling thread for small jobs, else one
// partial per thread, merged in thread order.
template <class F>
std::vector<double> reduce_rows(long rows, long cost_per_row, size_t n, F&& fn) {
  const int nth = num_threads();
  if (rows * cost_per_row < kParallelMin || nth <= 1) {
    std::vector<double> acc(n, 0.0);
    if (rows > 0) fn(0L, rows, acc.data());
    return acc;
  }
  std::vector<double> part((size_t)nth * n, 0.0);
  parallel([&](int tid, int nt) {
    long r0, r1;
    split_range(rows, tid, nt, 1, &r0, &r1);
    if (r0 < r1) fn(r0, r1, part.data() + (size_t)tid * n);
  });
  for (int t = 1; t < nth; ++t)
    for (size_t j = 0; j < n; ++j) part[j] += part[(size_t)t * n + j];
  part.resize(n);
  return part;
}

struct Channels {
  long outer, C, inner;
  size_t size;
  const float* x;
};

// (outer, C, inner) then x, checked in reference/norm.ts's order.
Channels channel_args(Args& a) {
  Channels s{};
  s.outer = (long)a.integer(0, "outer");
  s.C = (long)a.integer(1, "C");
  s.inner = (long)a.integer(2, "inner");
  s.size = dims_product(a, "outer*C*inner", {s.outer, s.C, s.inner});
  s.x = a.f32(3, "x", s.size);
  return s;
}

// What batchNormForward and batchNormBackward read after x: the statistics to normalize by and the scale gamma.
struct Moments {
  const float *mean, *variance, *gamma;
};
Moments moments_args(Args& a, const Channels& s) {
  // Braced initialisers run in order, so the first bad argument is the one reported.
  return {a.f32(4, "mean", (size_t)s.C), a.f32(5, "variance", (size_t)s.C), a.f32(6, "gamma", (size_t)s.C, true)};
}

std::vector<double> inverse_std(long C, const float* variance, double eps) {
  std::vector<double> inv((size_t)C);
  for (long c = 0; c < C; ++c) inv[c] = 1.0 / std::sqrt((double)variance[c] + eps);
  return inv;
}

Napi::Value BatchNormStats(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormStats");
  const Channels s = channel_args(a);
  const float* x = s.x;
  float* mean = a.f32(4, "mean", (size_t)s.C);
  float* variance = a.f32(5, "variance", (size_t)s.C);
  if (!a.ok() || s.C == 0) return info.Env().Undefined();
  const KernelTable& K = kernels();
  const long row = s.C * s.inner;
  const double n = (double)s.outer * (double)s.inner;
  std::vector<double> mu = reduce_rows(s.outer, row, (size_t)s.C, [&](long o0, long o1, double* acc) {
    K.channel_sums(x, s.C, s.inner, o0, o1, acc);
  });
  for (double& m : mu) m = n > 0 ? m / n : 0.0;
  std::vector<double> sq = reduce_rows(s.outer, row, (size_t)s.C, [&](long o0, long o1, double* acc) {
    K.channel_sq_devs(x, mu.data(), s.C, s.inner, o0, o1, acc);
  });
  for (long c = 0; c < s.C; ++c) {
    mean[c] = (float)mu[c];
    variance[c] = (float)(n > 0 ? sq[c] / n : 0.0);
  }
  return info.Env().Undefined();
}

Napi::Value BatchNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormForward");
  const Channels s = channel_args(a);
  const Moments m = moments_args(a, s);
  const float* beta = a.f32(7, "beta", (size_t)s.C, true);
  const double eps = a.num(8, "eps");
  float* y = a.f32(9, "y", s.size);
  return run_if_ok(a, [&] {
    const std::vector<double> inv = inverse_std(s.C, m.variance, eps);
    std::vector<float> scale((size_t)s.C), shift((size_t)s.C);
    for (long c = 0; c < s.C; ++c) {
      scale[c] = (float)(inv[c] * (m.gamma ? (double)m.gamma[c] : 1.0));
      shift[c] = beta ? beta[c] : 0.0f;
    }
    parallel_for(s.outer, 1, s.C * s.inner, [&](long o0, long o1) {
      kernels().channel_affine(s.x, m.mean, scale.data(), shift.data(), s.C, s.inner, o0, o1, y);
    });
  });
}

Napi::Value BatchNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "batchNormBackward");
  const Channels s = channel_args(a);
  const Moments m = moments_args(a, s);
  const float *x = s.x, *mean = m.mean, *variance = m.variance, *gamma = m.gamma;
  const double eps = a.num(7, "eps");
  const bool batch_stats = a.flag(8, "batchStats");
  const float* dy = a.f32(9, "dy", s.size);
  float* dx = a.f32(10, "dx", s.size, true);
  float* dgamma = a.f32(11, "dgamma", (size_t)s.C, true);
  float* dbeta = a.f32(12, "dbeta", (size_t)s.C, true);
  if (!a.ok() || s.C == 0) return info.Env().Undefined();
  const KernelTable& K = kernels();
  const long C = s.C;
  std::vector<double> mu((size_t)C);
  for (long c = 0; c < C; ++c) mu[c] = mean[c];
  // sums[0, C): sum dy; sums[C, 2C): sum dy (x - mean).
  const std::vector<double> sums = reduce_rows(s.outer, 2 * C * s.inner, 2 * (size_t)C, [&](long o0, long o1, double* acc) {
    K.channel_grad_sums(x, dy, mu.data(), C, s.inner, o0, o1, acc, acc + C);
  });
  const std::vector<double> inv = inverse_std(C, variance, eps);
  for (long c = 0; c < C; ++c) {
    if (dgamma) dgamma[c] = (float)(sums[C + c] * inv[c]);
    if (dbeta) dbeta[c] = (float)sums[c];
  }
  if (!dx || s.size == 0) return info.Env().Undefined();
  const double n = (double)s.outer * (double)s.inner;
  std::vector<float> k((size_t)C), shift((size_t)C), slope((size_t)C);
  for (long c = 0; c < C; ++c) {
    const double kc = inv[c] * (gamma ? (double)gamma[c] : 1.0);
    k[c] = (float)kc;
    shift[c] = (float)(batch_stats && n > 0 ? kc * sums[c] / n : 0.0);
    slope[c] = (float)(batch_stats && n > 0 ? kc * inv[c] * inv[c] * sums[C + c] / n : 0.0);
  }
  parallel_for(s.outer, 1, C * s.inner, [&](long o0, long o1) {
    K.channel_dx(x, dy, mean, k.data(), shift.data(), slope.data(), C, s.inner, o0, o1, dx);
  });
  return info.Env().Undefined();
}

// What both layer-normalization passes begin with: x [rows, cols] (arguments 0..2) and gamma [cols] | null (3).
struct LayerRows {
  Matrix m;
  const float *x, *gamma;
};
LayerRows layer_rows_args(Args& a) {
  LayerRows l{matrix_dims(a, 0, "rows", "cols", "rows*cols"), nullptr, nullptr};
  l.x = a.f32(2, "x", l.m.size);
  l.gamma = a.f32(3, "gamma", (size_t)l.m.cols, true);
  return l;
}

Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormForward");
  const LayerRows l = layer_rows_args(a);
  const float* beta = a.f32(4, "beta", (size_t)l.m.cols, true);
  const double eps = a.num(5, "eps");
  float* y = a.f32(6, "y", l.m.size);
  float* mean = a.f32(7, "mean", (size_t)l.m.rows);
  float* rstd = a.f32(8, "rstd", (size_t)l.m.rows);
  return run_if_ok(a, [&] {
    parallel_for(l.m.rows, 1, 3 * l.m.cols, [&](long r0, long r1) {
      kernels().layer_norm_rows(l.x, l.gamma, beta, l.m.cols, eps, r0, r1, y, mean, rstd);
    });
  });
}

Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args a(info, "layerNormBackward");
  const LayerRows l = layer_rows_args(a);
  const Matrix& m = l.m;
  const float *x = l.x, *gamma = l.gamma;
  const float* mean = a.f32(4, "mean", (size_t)m.rows);
  const float* rstd = a.f32(5, "rstd", (size_t)m.rows);
  const float* dy = a.f32(6, "dy", m.size);
  float* dx = a.f32(7, "dx", m.size, true);
  float* dgamma = a.f32(8, "dgamma", (size_t)m.cols, true);
  float* dbeta = a.f32(9, "dbeta", (size_t)m.cols, true);
  if (!a.ok()) return info.Env().Undefined();
  const long cols = m.cols;
  // sums[0, cols): dgamma; sums[cols, 2 cols): dbeta.
  const std::vector<double> sums = reduce_rows(m.rows, 3 * cols, 2 * (size_t)cols, [&](long r0, long r1, double* acc) {
    kernels().layer_norm_grad_rows(x, gamma, mean, rstd, dy, cols, r0, r1, dx, acc, acc + cols);
  });
  for (long j = 0; j < cols; ++j) {
    if (dgamma) dgamma[j] = (float)sums[j];
    if (dbeta) dbeta[j] = (float)sums[cols + j];
  }
  return info.Env().Undefined();
}

const bool exported = add_bindings({
    {"batchNormStats", BatchNormStats},
    {"batchNormForward", BatchNormForward},
    {"batchNormBackward", BatchNormBackward},
    {"layerNormForward", LayerNormForward},
    {"layerNormBackward", LayerNormBackward},
});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "norm.cc"
#define RL_PASS_NS norm_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

// `#pragma GCC ivdep` where GCC would give a loop that fuses a * b + c an overlap check: its results then never
// depend on where the arrays lie (isa_passes.h).
namespace {

void channel_sums(const float* x, long C, long inner, long o0, long o1, double* acc) {
  for (long o = o0; o < o1; ++o) {
    const float* xo = x + o * C * inner;
    if (inner == 1) {
      for (long c = 0; c < C; ++c) acc[c] += (double)xo[c];
      continue;
    }
    for (long c = 0; c < C; ++c) {
      double s = 0.0;
      for (long i = 0; i < inner; ++i) s += (double)xo[c * inner + i];
      acc[c] += s;
    }
  }
}

void channel_sq_devs(const float* x, const double* mean, long C, long inner, long o0, long o1, double* acc) {
  for (long o = o0; o < o1; ++o) {
    const float* xo = x + o * C * inner;
    if (inner == 1) {
      for (long c = 0; c < C; ++c) {
        const double d = (double)xo[c] - mean[c];
        acc[c] += d * d;
      }
      continue;
    }
    for (long c = 0; c < C; ++c) {
      double s = 0.0;
      for (long i = 0; i < inner; ++i) {
        const double d = (double)xo[c * inner + i] - mean[c];
        s += d * d;
      }
      acc[c] += s;
    }
  }
}

void channel_grad_sums(const float* x, const float* dy, const double* mean, long C, long inner, long o0, long o1,
                       double* sdy, double* sdyc) {
  for (long o = o0; o < o1; ++o) {
    const float* xo = x + o * C * inner;
    const float* go = dy + o * C * inner;
    for (long c = 0; c < C; ++c) {
      double s = 0.0, sc = 0.0;
      for (long i = 0; i < inner; ++i) {
        const double g = (double)go[c * inner + i];
        s += g;
        sc += g * ((double)xo[c * inner + i] - mean[c]);
      }
      sdy[c] += s;
      sdyc[c] += sc;
    }
  }
}

void channel_affine(const float* x, const float* mu, const float* s, const float* b, long C, long inner, long o0,
                    long o1, float* y) {
  for (long o = o0; o < o1; ++o) {
    const float* xo = x + o * C * inner;
    float* yo = y + o * C * inner;
    if (inner == 1) {
#pragma GCC ivdep
      for (long c = 0; c < C; ++c) yo[c] = (xo[c] - mu[c]) * s[c] + b[c];
      continue;
    }
    for (long c = 0; c < C; ++c) {
#pragma GCC ivdep
      for (long i = 0; i < inner; ++i) yo[c * inner + i] = (xo[c * inner + i] - mu[c]) * s[c] + b[c];
    }
  }
}

void channel_dx(const float* x, const float* dy, const float* mu, const float* k, const float* shift,
                const float* slope, long C, long inner, long o0, long o1, float* dx) {
  for (long o = o0; o < o1; ++o) {
    const long at = o * C * inner;
    if (inner == 1) {
#pragma GCC ivdep
      for (long c = 0; c < C; ++c) dx[at + c] = k[c] * dy[at + c] - shift[c] - (x[at + c] - mu[c]) * slope[c];
      continue;
    }
    for (long c = 0; c < C; ++c) {
#pragma GCC ivdep
      for (long i = 0; i < inner; ++i) {
        const long j = at + c * inner + i;
        dx[j] = k[c] * dy[j] - shift[c] - (x[j] - mu[c]) * slope[c];
      }
    }
  }
}

void layer_norm_rows(const float* x, const float* gamma, const float* beta, long cols, double eps, long r0, long r1,
                     float* y, float* mean, float* rstd) {
  for (long r = r0; r < r1; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double s = 0.0;
    for (long j = 0; j < cols; ++j) s += (double)xr[j];
    const double mu = cols > 0 ? s / (double)cols : 0.0;
    double q = 0.0;
    for (long j = 0; j < cols; ++j) {
      const double d = (double)xr[j] - mu;
      q += d * d;
    }
    mean[r] = (float)mu;
    rstd[r] = (float)(1.0 / std::sqrt((cols > 0 ? q / (double)cols : 0.0) + eps));
    // The stored (float) mean and rstd, so forward and backward see the same numbers.
    const float m = mean[r], v = rstd[r];
#pragma GCC ivdep
    for (long j = 0; j < cols; ++j)
      yr[j] = (xr[j] - m) * v * (gamma ? gamma[j] : 1.0f) + (beta ? beta[j] : 0.0f);
  }
}

void layer_norm_grad_rows(const float* x, const float* gamma, const float* mean, const float* rstd, const float* dy,
                          long cols, long r0, long r1, float* dx, double* sg, double* sb) {
  for (long r = r0; r < r1; ++r) {
    const float* xr = x + r * cols;
    const float* gr = dy + r * cols;
    const float m = mean[r], v = rstd[r];
    // g = dy * gamma is the gradient w.r.t. the normalized row xhat; dx = rstd (g - mean(g) - xhat mean(g xhat)).
    double sum = 0.0, dot = 0.0;
    for (long j = 0; j < cols; ++j) {
      const double xh = ((double)xr[j] - m) * (double)v, d = (double)gr[j];
      const double g = d * (gamma ? (double)gamma[j] : 1.0);
      sg[j] += d * xh;
      sb[j] += d;
      sum += g;
      dot += g * xh;
    }
    if (!dx) continue;
    // In double: g - mean(g) - xhat mean(g xhat) cancels when the rows are short.
    const double mg = sum / (double)cols, mgx = dot / (double)cols;
    float* dr = dx + r * cols;
    for (long j = 0; j < cols; ++j) {
      const double xh = ((double)xr[j] - m) * (double)v;
      dr[j] = (float)((double)v * ((double)gr[j] * (gamma ? (double)gamma[j] : 1.0) - mg - xh * mgx));
    }
  }
}

RL_REGISTER_PASS(kFamilyNorm, t.channel_sums = channel_sums; t.channel_sq_devs = channel_sq_devs;
                 t.channel_grad_sums = channel_grad_sums; t.channel_affine = channel_affine; t.channel_dx = channel_dx;
                 t.layer_norm_rows = layer_norm_rows; t.layer_norm_grad_rows = layer_norm_grad_rows);

}  // namespace

#endif  // RL_PASS
