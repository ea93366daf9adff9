// Pointwise kernels: activations and their gradients, softmax, column sums, elementwise arithmetic,
// dropout and the sum of squares. The bindings come first; the loops (below RL_PASS) are compiled once per
// instruction set (isa_passes.h) and split over the pool above kParallelMin elements. Reductions keep 16
// independent lanes (so they vectorise without fast-math) and accumulate in double where a long sum would
// otherwise lose digits.
#ifndef RL_PASS
#include <napi.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

// ---------------------------------------------------------------- bindings

// The end of an elementwise binding: once the arguments are good, loop(K, b, e) with this instruction set's kernel
// table K over [0, n) in chunks aligned to `align` elements (on the pool when n is large).
template <class F>
Napi::Value for_elements(const Args& a, size_t n, long align, F&& loop) {
  const KernelTable& K = kernels();
  return run_if_ok(a, [&] { parallel_for((long)n, align, 1, [&](long b, long e) { loop(K, b, e); }); });
}

// The end of a (scalar, x, y) binding: x and y from arguments 1 and 2, n elements each, n the length of argument
// `n_from` (x's for a map, y's for an update of y); then loop(K, x, y, count) chunk by chunk.
template <class F>
Napi::Value x_to_y(Args& a, const Napi::CallbackInfo& info, size_t n_from, F&& loop) {
  const size_t n = typed_length(info, n_from);
  const float* x;
  float* y;
  f32_args(a, 1, n, {"x", "y"}, &x, &y);
  return for_elements(a, n, 16, [&](const KernelTable& K, long b, long e) { loop(K, x + b, y + b, e - b); });
}

Napi::Value Activation(const Napi::CallbackInfo& info) {
  Args a(info, "activation");
  const int act = act_code(a, 0, "act");
  return x_to_y(a, info, 1, [&](const KernelTable& K, const float* x, float* y, long n) { K.activation(act, x, y, n); });
}

// n = y.length (the activation's output, as n = x.length in activation).
Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  Args a(info, "activationBackward");
  const int act = act_code(a, 0, "act");
  const size_t n = typed_length(info, 1);
  const float *y, *dy;
  float* dx;
  f32_args(a, 1, n, {"y", "dy", "dx"}, &y, &dy, &dx);
  return for_elements(a, n, 16, [&](const KernelTable& K, long b, long e) { K.activation_grad(act, y + b, dy + b, dx + b, e - b); });
}

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Args a(info, "softmax");
  const Matrix m = matrix_dims(a, 0, "rows", "cols", "rows*cols");
  const float* x;
  float* y;
  const KernelTable& K = kernels();
  if (!f32_args(a, 2, m.size, {"x", "y"}, &x, &y) || m.size == 0) return info.Env().Undefined();
  parallel_for(m.rows, 1, m.cols * 4, [&](long r0, long r1) { K.softmax_rows(x, y, r0, r1, m.cols); });
  return info.Env().Undefined();
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  Args a(info, "softmaxBackward");
  const Matrix m = matrix_dims(a, 0, "rows", "cols", "rows*cols");
  const float *y, *dy;
  float* dx;
  const KernelTable& K = kernels();
  if (!f32_args(a, 2, m.size, {"y", "dy", "dx"}, &y, &dy, &dx) || m.size == 0) return info.Env().Undefined();
  parallel_for(m.rows, 1, m.cols, [&](long r0, long r1) { K.softmax_backward_rows(y, dy, dx, r0, r1, m.cols); });
  return info.Env().Undefined();
}

// How col_sum splits [rows, cols] over nth threads: whole on one thread when small, by bands of columns when wide
// (no merge), else by bands of rows whose partial sums are merged in order. The split depends only on the shape and
// thread count, so the sums do too.
enum class ColSumSplit { whole, by_cols, by_rows };
ColSumSplit col_sum_split(long rows, long cols, int nth) {
  if (rows * cols < kParallelMin || nth <= 1) return ColSumSplit::whole;
  return cols >= 64L * nth ? ColSumSplit::by_cols : ColSumSplit::by_rows;
}

// out[0, cols) = (accumulate ? out : 0) + the column sums of x [rows, cols], summed in double per column in row order
// within each of col_sum_split's bands.
void col_sum(const KernelTable& K, const float* x, long rows, long cols, float* out, bool accumulate) {
  auto finish = [&](long c0, long c1, const double* acc) {
    for (long j = c0; j < c1; ++j) out[j] = (float)((accumulate ? (double)out[j] : 0.0) + acc[j - c0]);
  };
  const int nth = num_threads();
  const ColSumSplit split = col_sum_split(rows, cols, nth);
  if (split == ColSumSplit::whole) {
    std::vector<double> acc((size_t)cols, 0.0);
    K.colsum_block(x, cols, 0, rows, 0, cols, acc.data());
    finish(0, cols, acc.data());
  } else if (split == ColSumSplit::by_cols) {
    parallel([&](int tid, int nt) {
      long c0, c1;
      split_range(cols, tid, nt, 16, &c0, &c1);
      if (c0 >= c1) return;
      std::vector<double> acc((size_t)(c1 - c0), 0.0);
      K.colsum_block(x, cols, 0, rows, c0, c1, acc.data());
      finish(c0, c1, acc.data());
    });
  } else {
    std::vector<double> part((size_t)nth * (size_t)cols, 0.0);
    parallel([&](int tid, int nt) {
      long r0, r1;
      split_range(rows, tid, nt, 1, &r0, &r1);
      if (r0 < r1) K.colsum_block(x, cols, r0, r1, 0, cols, part.data() + (size_t)tid * cols);
    });
    for (int t = 1; t < nth; ++t)
      for (long j = 0; j < cols; ++j) part[j] += part[(size_t)t * cols + j];
    finish(0, cols, part.data());
  }
}

}  // namespace

// Where col_sum's sums restart: the first rows of its row bands after the first (their partial sums are added to
// the ones before in order), none where each column is summed whole in row order. For kernels that make the same
// sums in another pass (lstm_bf16.cc), so they follow col_sum's split.
std::vector<long> col_sum_bands(long rows, long cols) {
  std::vector<long> starts;
  const int nth = num_threads();
  if (col_sum_split(rows, cols, nth) != ColSumSplit::by_rows) return starts;
  for (int t = 1; t < nth; ++t) {
    long r0, r1;
    split_range(rows, t, nth, 1, &r0, &r1);
    if (r0 < r1) starts.push_back(r0);
  }
  return starts;
}

namespace {

// colSum(rows, cols, x, out, accumulate, blocks = 1): x holds `blocks` [rows, cols] matrices and out their `blocks`
// rows of column sums, each exactly as its own colSum call would sum it (the adder's per-sample sums over RepeatVector
// steps: one call instead of one per sample). Small blocks run whole on one thread each, spread over the pool.
Napi::Value ColSum(const Napi::CallbackInfo& info) {
  Args a(info, "colSum");
  const Matrix m = matrix_dims(a, 0, "rows", "cols", "rows*cols");
  const long rows = m.rows, cols = m.cols;
  const long blocks = info.Length() > 5 && !info[5].IsUndefined() ? (long)a.integer(5, "blocks", 1) : 1;
  const size_t n = m.size;
  const float* x = a.f32(2, "x", n * (size_t)blocks);
  float* out = a.f32(3, "out", (size_t)cols * (size_t)blocks);
  bool accumulate = a.flag(4, "accumulate");
  const KernelTable& K = kernels();
  if (!a.ok() || cols == 0) return info.Env().Undefined();
  if (blocks > 1 && ((long)n < kParallelMin || num_threads() <= 1)) {
    parallel_for(blocks, 1, (long)n, [&](long b0, long b1) {
      for (long b = b0; b < b1; ++b) col_sum(K, x + b * (long)n, rows, cols, out + b * cols, accumulate);
    });
  } else {
    for (long b = 0; b < blocks; ++b) col_sum(K, x + b * (long)n, rows, cols, out + b * cols, accumulate);
  }
  return info.Env().Undefined();
}

// y = a (op) b elementwise, by the table's loop `op` (add or mul).
Napi::Value Binary(const Napi::CallbackInfo& info, const char* kernel,
                   void (*KernelTable::*op)(const float*, const float*, float*, long)) {
  Args a(info, kernel);
  const size_t n = typed_length(info, 2);
  const float *x, *y0;
  float* y;
  f32_args(a, 0, n, {"a", "b", "y"}, &x, &y0, &y);
  return for_elements(a, n, 16, [&](const KernelTable& K, long b, long e) { (K.*op)(x + b, y0 + b, y + b, e - b); });
}

Napi::Value Add(const Napi::CallbackInfo& info) { return Binary(info, "add", &KernelTable::add); }
Napi::Value Mul(const Napi::CallbackInfo& info) { return Binary(info, "mul", &KernelTable::mul); }

Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args a(info, "axpy");
  const float alpha = (float)a.num(0, "alpha");
  return x_to_y(a, info, 2, [&](const KernelTable& K, const float* x, float* y, long n) { K.axpy(alpha, x, y, n); });
}

Napi::Value DropoutApply(const Napi::CallbackInfo& info) {
  Args a(info, "dropoutApply");
  size_t n = typed_length(info, 3);
  const float* x = a.f32(0, "x", n);
  const uint8_t* mask = a.u8(1, "mask", n);
  float scale = (float)a.num(2, "scale");
  float* y = a.f32(3, "y", n);
  return for_elements(a, n, 64, [&](const KernelTable& K, long b, long e) { K.dropout(x + b, mask + b, scale, y + b, e - b); });
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Args a(info, "sumSquares");
  size_t n = typed_length(info, 0);
  const float* x = a.f32(0, "x", n);
  const KernelTable& K = kernels();
  if (!a.ok()) return info.Env().Undefined();
  int nth = num_threads();
  double total = 0;
  if ((long)n < kParallelMin || nth <= 1) {
    total = K.sum_squares(x, (long)n);
  } else {
    std::vector<double> part((size_t)nth, 0.0);
    parallel([&](int tid, int nt) {
      long b, e;
      split_range((long)n, tid, nt, 16, &b, &e);
      if (b < e) part[(size_t)tid] = K.sum_squares(x + b, e - b);
    });
    for (double p : part) total += p;
  }
  return Napi::Number::New(info.Env(), total);
}

const bool exported = add_bindings({
    {"activation", Activation},
    {"activationBackward", ActivationBackward},
    {"softmax", Softmax},
    {"softmaxBackward", SoftmaxBackward},
    {"colSum", ColSum},
    {"add", Add},
    {"mul", Mul},
    {"axpy", Axpy},
    {"dropoutApply", DropoutApply},
    {"sumSquares", SumSquares},
});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "pointwise.cc"
#define RL_PASS_NS pointwise_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

// `#pragma GCC ivdep` where GCC would give a loop that fuses a * b + c an overlap check: its results then never
// depend on where the arrays lie (isa_passes.h).
namespace {

// y = act(x) for an rl::Act code (y may alias x).
void activation(int act, const float* x, float* y, long n) {
  switch (act) {
    case ACT_RELU: for (long i = 0; i < n; ++i) y[i] = relu(x[i]); break;
    case ACT_SIGMOID: for (long i = 0; i < n; ++i) y[i] = sigmoid_approx(x[i]); break;
    case ACT_TANH: for (long i = 0; i < n; ++i) y[i] = tanh_approx(x[i]); break;
    case ACT_HARD_SIGMOID:
#pragma GCC ivdep
      for (long i = 0; i < n; ++i) y[i] = hard_sigmoid(x[i]);
      break;
    default:
      if (x != y) std::memmove(y, x, (size_t)n * sizeof(float));
  }
}

// dx = dy * act'(.) from the activation's output y (dx may alias dy).
void activation_grad(int act, const float* y, const float* dy, float* dx, long n) {
  switch (act) {
    case ACT_RELU: for (long i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f; break;
    case ACT_SIGMOID: for (long i = 0; i < n; ++i) dx[i] = dy[i] * sigmoid_grad_y(y[i]); break;
    case ACT_TANH: for (long i = 0; i < n; ++i) dx[i] = dy[i] * tanh_grad_y(y[i]); break;
    case ACT_HARD_SIGMOID:
      for (long i = 0; i < n; ++i) dx[i] = (y[i] > 0.0f && y[i] < 1.0f) ? 0.2f * dy[i] : 0.0f;
      break;
    default:
      if (dx != dy) std::memmove(dx, dy, (size_t)n * sizeof(float));
  }
}

void softmax_rows(const float* x, float* y, long r0, long r1, long cols) {
  for (long r = r0; r < r1; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = max_f(xr, cols);
    if (m == -INFINITY) m = 0.0f;  // an all -inf row: no shift (gives NaN, as the reference does)
    for (long j = 0; j < cols; ++j) yr[j] = exp_approx(xr[j] - m);
    float inv = (float)(1.0 / sum_d(yr, cols));
    for (long j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

void softmax_backward_rows(const float* y, const float* dy, float* dx, long r0, long r1, long cols) {
  for (long r = r0; r < r1; ++r) {
    const float* yr = y + r * cols;
    const float* dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    float s = dot_f(yr, dyr, cols);
    for (long j = 0; j < cols; ++j) dxr[j] = yr[j] * (dyr[j] - s);
  }
}

// acc[j - c0] += sum over rows r0..r1 of x[r, j] for j in [c0, c1), each column's sum in row order. Blocks of
// kRows rows (in L1) by kCols columns whose sums stay in registers, the next block prefetched: the row-by-row loop
// loaded and stored every sum once a row and stayed well under the memory's speed (the lab LSTM's bias gradient,
// 32000 x 400 from memory: 2.5 -> 1.9 ms on one thread, 2.8 -> 1.3 ms on two).
void colsum_block(const float* x, long cols, long r0, long r1, long c0, long c1, double* acc) {
  constexpr long kRows = 16, kCols = 64;
  for (long rb = r0; rb < r1; rb += kRows) {
    const long re = std::min(r1, rb + kRows);
    long c = c0;
    for (; c + kCols <= c1; c += kCols) {
      double a[kCols];
      for (long j = 0; j < kCols; ++j) a[j] = acc[c - c0 + j];
      for (long r = rb; r < re; ++r) {
        const float* xr = x + r * cols + c;
        // The next block's lines of these columns: the hardware prefetcher does not follow this pattern.
        if (r + kRows < r1)
          for (long j = 0; j < kCols; j += 16) __builtin_prefetch(xr + kRows * cols + j, 0, 3);
        for (long j = 0; j < kCols; ++j) a[j] += (double)xr[j];
      }
      for (long j = 0; j < kCols; ++j) acc[c - c0 + j] = a[j];
    }
    const long w = c1 - c;
    for (long r = rb; r < re && w > 0; ++r) {
      const float* xr = x + r * cols + c;
      for (long j = 0; j < w; ++j) acc[c - c0 + j] += (double)xr[j];
    }
  }
}

void add(const float* a, const float* b, float* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = a[i] + b[i];
}
void mul(const float* a, const float* b, float* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = a[i] * b[i];
}
void axpy(float alpha, const float* x, float* y, long n) {
#pragma GCC ivdep
  for (long i = 0; i < n; ++i) y[i] += alpha * x[i];
}
void dropout(const float* x, const uint8_t* mask, float scale, float* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = mask[i] ? x[i] * scale : 0.0f;
}
double sum_squares(const float* x, long n) { return sumsq_d(x, n); }

RL_REGISTER_PASS(kFamilyPointwise, t.activation = activation; t.activation_grad = activation_grad;
                t.softmax_rows = softmax_rows; t.softmax_backward_rows = softmax_backward_rows;
                t.colsum_block = colsum_block; t.add = add; t.mul = mul; t.axpy = axpy; t.dropout = dropout;
                t.sum_squares = sum_squares);

}  // namespace

#endif  // RL_PASS
