// Loss kernels: each returns the mean loss and writes dLoss/dinput already divided by the count.
// Losses are small next to the layers that feed them, so they compute in double (matching the
// reference closely) and only split over the pool when large; partial sums merge in thread order.
// The bindings check the arguments; the per-row loops (below RL_PASS) are compiled once per instruction set.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "threadpool.h"

namespace rl {
namespace {

// Sums fn(begin, end) over [0, n) split into contiguous ranges (over the pool when n * cost is large).
template <class F>
double parallel_sum(long n, long cost, F&& fn) {
  if (n <= 0) return 0.0;
  int nth = num_threads();
  if (n * cost < kParallelMin || nth <= 1) return fn(0L, n);
  std::vector<double> part((size_t)nth, 0.0);
  parallel([&](int tid, int nt) {
    long b, e;
    split_range(n, tid, nt, 1, &b, &e);
    if (b < e) part[(size_t)tid] = fn(b, e);
  });
  double s = 0;
  for (double p : part) s += p;
  return s;
}

using ElementwiseRows = double (*)(const float*, const float*, float*, double, long, long);

// name(n, input, target, grad) for losses over n independent values.
Napi::Value ElementwiseLoss(const Napi::CallbackInfo& info, const char* name, const char* input, long cost,
                            ElementwiseRows KernelTable::*rows) {
  Args a(info, name);
  long n = (long)a.integer(0, "n");
  const float* x = a.f32(1, input, (size_t)n);
  const float* z = a.f32(2, "target", (size_t)n);
  float* g = a.f32(3, "grad", (size_t)n);
  if (!a.ok()) return info.Env().Undefined();
  if (n == 0) return Napi::Number::New(info.Env(), 0.0);
  const ElementwiseRows fn = kernels().*rows;
  double inv = 1.0 / (double)n;
  double total = parallel_sum(n, cost, [&](long b, long e) { return fn(x, z, g, inv, b, e); });
  return Napi::Number::New(info.Env(), total * inv);
}

Napi::Value SigmoidCrossEntropyWithLogits(const Napi::CallbackInfo& info) {
  return ElementwiseLoss(info, "sigmoidCrossEntropyWithLogits", "logits", 8, &KernelTable::sigmoid_xent_rows);
}

Napi::Value BinaryCrossentropy(const Napi::CallbackInfo& info) {
  return ElementwiseLoss(info, "binaryCrossentropy", "prob", 8, &KernelTable::binary_xent_rows);
}

Napi::Value MeanSquaredError(const Napi::CallbackInfo& info) {
  return ElementwiseLoss(info, "meanSquaredError", "pred", 1, &KernelTable::mse_rows);
}

enum class Target { distributions, labels };

// name(rows, cols, input, target, grad) for losses over rows of class scores (logits, or probabilities when
// `probs`). With Target::labels the target is an Int32Array of class labels (length rows), checked against [0, cols).
Napi::Value RowLoss(const Napi::CallbackInfo& info, const char* name, bool probs, Target target) {
  const bool sparse = target == Target::labels;
  const char* input = probs ? "prob" : "logits";
  Args a(info, name);
  long rows = (long)a.integer(0, "rows");
  long cols = (long)a.integer(1, "cols");
  size_t n = dims_product(a, "rows*cols", {rows, cols});
  const float* x = a.f32(2, input, n);
  const float* t = sparse ? nullptr : a.f32(3, "target", n);
  const int32_t* labels = sparse ? a.i32(3, "labels", (size_t)rows) : nullptr;
  float* g = a.f32(4, "grad", n);
  if (!a.ok()) return info.Env().Undefined();
  for (long r = 0; sparse && r < rows; ++r)
    if (labels[r] < 0 || labels[r] >= cols) {
      a.fail("labels", "holds " + std::to_string(labels[r]) + " at " + std::to_string(r) + ", outside [0, " +
                           std::to_string(cols) + ")");
      return info.Env().Undefined();
    }
  if (rows == 0) return Napi::Number::New(info.Env(), 0.0);
  const KernelTable& K = kernels();
  double inv = 1.0 / (double)rows;
  double total = parallel_sum(rows, cols * 8, [&](long b, long e) {
    return probs ? K.categorical_xent_rows(x, t, g, cols, inv, b, e)
                 : K.softmax_xent_rows(x, t, labels, g, cols, inv, b, e);
  });
  return Napi::Number::New(info.Env(), total * inv);
}

Napi::Value SoftmaxCrossEntropyWithLogits(const Napi::CallbackInfo& info) {
  return RowLoss(info, "softmaxCrossEntropyWithLogits", false, Target::distributions);
}

Napi::Value SparseSoftmaxCrossEntropyWithLogits(const Napi::CallbackInfo& info) {
  return RowLoss(info, "sparseSoftmaxCrossEntropyWithLogits", false, Target::labels);
}

Napi::Value CategoricalCrossentropy(const Napi::CallbackInfo& info) {
  return RowLoss(info, "categoricalCrossentropy", true, Target::distributions);
}

const bool exported = add_bindings({
    {"sigmoidCrossEntropyWithLogits", SigmoidCrossEntropyWithLogits},
    {"binaryCrossentropy", BinaryCrossentropy},
    {"softmaxCrossEntropyWithLogits", SoftmaxCrossEntropyWithLogits},
    {"sparseSoftmaxCrossEntropyWithLogits", SparseSoftmaxCrossEntropyWithLogits},
    {"categoricalCrossentropy", CategoricalCrossentropy},
    {"meanSquaredError", MeanSquaredError},
});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "loss.cc"
#define RL_PASS_NS loss_pass
#define RL_PASS_NO_CONTRACT
#include "isa_passes.h"

#else  // RL_PASS: the per-row loops of one instruction-set pass

namespace {

constexpr double kEps = 1e-7;  // Keras backend epsilon()

// log(sum_j exp(x_j)), shifted by the max for stability.
double log_sum_exp(const float* x, long cols) {
  double m = -INFINITY;
  for (long j = 0; j < cols; ++j) m = std::max(m, (double)x[j]);
  if (m == -INFINITY) m = 0;
  double s = 0;
  for (long j = 0; j < cols; ++j) s += std::exp((double)x[j] - m);
  return m + std::log(s);
}

double sigmoid_xent_rows(const float* x, const float* z, float* g, double inv, long b, long e) {
  double s = 0;
  for (long i = b; i < e; ++i) {
    double xi = x[i], zi = z[i];
    double ex = std::exp(-std::fabs(xi));
    s += std::max(xi, 0.0) - xi * zi + std::log1p(ex);
    double sig = xi >= 0 ? 1.0 / (1.0 + ex) : ex / (1.0 + ex);
    g[i] = (float)((sig - zi) * inv);
  }
  return s;
}

double binary_xent_rows(const float* p, const float* z, float* g, double inv, long b, long e) {
  double s = 0;
  for (long i = b; i < e; ++i) {
    double pi = p[i], zi = z[i];
    double c = std::min(std::max(pi, kEps), 1.0 - kEps);
    s -= zi * std::log(c) + (1.0 - zi) * std::log(1.0 - c);
    // The clip passes the gradient only inside [eps, 1-eps].
    bool inside = pi >= kEps && pi <= 1.0 - kEps;
    g[i] = inside ? (float)((-zi / c + (1.0 - zi) / (1.0 - c)) * inv) : 0.0f;
  }
  return s;
}

double mse_rows(const float* y, const float* t, float* g, double inv, long b, long e) {
  double s = 0;
  for (long i = b; i < e; ++i) {
    double d = (double)y[i] - (double)t[i];
    s += d * d;
    g[i] = (float)(2.0 * d * inv);
  }
  return s;
}

// Against target distributions t, or (t null) integer labels: dL/dx_j = softmax_j * sum(t) - t_j.
double softmax_xent_rows(const float* x, const float* t, const int32_t* labels, float* g, long cols, double inv,
                         long b, long e) {
  double s = 0;
  for (long r = b; r < e; ++r) {
    const float* xr = x + r * cols;
    float* gr = g + r * cols;
    double lse = log_sum_exp(xr, cols);
    if (labels) {
      int32_t lab = labels[r];
      s += lse - (double)xr[lab];
      for (long j = 0; j < cols; ++j) {
        double sm = std::exp((double)xr[j] - lse);
        gr[j] = (float)((sm - (j == lab ? 1.0 : 0.0)) * inv);
      }
      continue;
    }
    const float* tr = t + r * cols;
    double tsum = 0;
    for (long j = 0; j < cols; ++j) {
      s += (double)tr[j] * (lse - (double)xr[j]);
      tsum += tr[j];
    }
    for (long j = 0; j < cols; ++j) {
      double sm = std::exp((double)xr[j] - lse);
      gr[j] = (float)((sm * tsum - (double)tr[j]) * inv);
    }
  }
  return s;
}

// Keras: q = p / sum(p); c = clip(q, eps, 1-eps); loss = -sum(t log c).
// dL/dq_j = -t_j / q_j where eps <= q_j <= 1-eps (0 elsewhere); dL/dp_k = (dL/dq_k - sum_j dL/dq_j q_j) / sum(p).
double categorical_xent_rows(const float* p, const float* t, float* g, long cols, double inv, long b, long e) {
  double s = 0;
  std::vector<double> gq((size_t)cols);
  for (long r = b; r < e; ++r) {
    const float* pr = p + r * cols;
    const float* tr = t + r * cols;
    float* gr = g + r * cols;
    double S = 0;
    for (long j = 0; j < cols; ++j) S += pr[j];
    double gq_dot_q = 0;
    for (long j = 0; j < cols; ++j) {
      double q = (double)pr[j] / S;
      double c = std::min(std::max(q, kEps), 1.0 - kEps);
      s -= (double)tr[j] * std::log(c);
      gq[j] = (q >= kEps && q <= 1.0 - kEps) ? -(double)tr[j] / q : 0.0;
      gq_dot_q += gq[j] * q;
    }
    for (long j = 0; j < cols; ++j) gr[j] = (float)((gq[j] - gq_dot_q) / S * inv);
  }
  return s;
}

RL_REGISTER_PASS(kFamilyLoss, t.sigmoid_xent_rows = sigmoid_xent_rows; t.binary_xent_rows = binary_xent_rows;
                t.mse_rows = mse_rows; t.softmax_xent_rows = softmax_xent_rows;
                t.categorical_xent_rows = categorical_xent_rows);

}  // namespace

#endif  // RL_PASS
