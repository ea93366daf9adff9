// bf16 Conv1D (mixed_bfloat16), the twin of conv1d.cc on bf16.h's GEMM: the convolution is a GEMM on the im2col
// matrix (rows (b, o), columns (j, ci)), whose rows are read straight from x while the window lies inside [0, T)
// and built zero-padded at the edges; packing rounds them to bf16 as it goes, so im2col is never stored.
// Forward: y = act(im2col w + bias). Backward: dw = im2col^T dy, db = column sums of dy (in double, as conv1d.cc),
// dx = col2im(dy w^T) for a chunk of samples at a time (about a million fp32 columns at a time), summed in fp32
// over (o, j) in order, as src/backend/reference/bf16_conv1d.ts does.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "bf16.h"
#include "common.h"
#include "dispatch.h"
#include "kernel_util.h"

namespace rl {
namespace bf16 {
namespace {

struct Shape {
  long B, T, Cin, Cout, K, s, pl, To;
  long KC() const { return K * Cin; }
  long N() const { return B * To; }
};

Shape read_shape(Args& a) {
  const char* names[] = {"B", "T", "Cin", "Cout", "K", "stride", "padLeft", "To"};
  long v[8];
  for (int i = 0; i < 8; ++i) v[i] = (long)a.integer((size_t)i, names[i], i == 4 || i == 5 ? 1 : 0);
  return {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
}

// Rows of the im2col matrix. An edge row is built in one of two per-thread buffers, used in turn: the transposed
// packing holds two rows at once.
struct Im2col {
  const Shape* c;
  const float* x;
  static const float* row(const void* ctx, long r) {
    const Im2col& m = *static_cast<const Im2col*>(ctx);
    const Shape& c = *m.c;
    const long b = r / c.To, t0 = (r % c.To) * c.s - c.pl;
    if (t0 >= 0 && t0 + c.K <= c.T) return m.x + (b * c.T + t0) * c.Cin;
    thread_local std::vector<float> buf[2];
    thread_local int turn = 0;
    std::vector<float>& d = buf[turn ^= 1];
    d.assign((size_t)c.KC(), 0.0f);
    for (long j = 0; j < c.K; ++j) {
      const long t = t0 + j;
      if (t >= 0 && t < c.T) std::memcpy(d.data() + j * c.Cin, m.x + (b * c.T + t) * c.Cin, (size_t)c.Cin * sizeof(float));
    }
    return d.data();
  }
  Rows rows() const { return {row, this}; }
};

// conv1dBf16(B, T, Cin, Cout, K, stride, padLeft, To, x, w, bias | null, y, act): conv1d's contract.
Napi::Value Conv1dBf16(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBf16");
  const Shape c = read_shape(a);
  const float* x = a.f32(8, "x", dims_product(a, "x", {c.B, c.T, c.Cin}));
  const float* w = a.f32(9, "w", dims_product(a, "w", {c.K, c.Cin, c.Cout}));
  const float* bias = a.f32(10, "bias", (size_t)c.Cout, true);
  float* y = a.f32(11, "y", dims_product(a, "y", {c.B, c.To, c.Cout}));
  const int act = act_code(a, 12, "act");
  const KernelSet* K = require_kernels(a, "conv1dBf16");
  if (!a.ok() || c.N() == 0 || c.Cout == 0) return info.Env().Undefined();
  const Im2col im{&c, x};
  const Strided wr{w, c.Cout};
  const PackedA A = pack_a(*K, false, c.N(), c.KC(), im.rows(), 0);
  const uint32_t* Bp = pack_b(*K, false, c.KC(), c.Cout, wr.rows(), 1);
  gemm_packed(*K, c.N(), c.Cout, c.KC(), A, Bp, 1.0f, 0.0f, y, c.Cout, bias, act);
  return info.Env().Undefined();
}

void col2im_add(const Shape& c, const float* dcol, long b0, long b1, float* dx) {
  parallel_for(b1 - b0, 1, c.To * c.KC(), [&](long s0, long s1) {
    for (long b = b0 + s0; b < b0 + s1; ++b)
      for (long o = 0; o < c.To; ++o) {
        const float* src = dcol + ((b - b0) * c.To + o) * c.KC();
        for (long j = 0; j < c.K; ++j) {
          const long t = o * c.s - c.pl + j;
          if (t < 0 || t >= c.T) continue;
          float* d = dx + (b * c.T + t) * c.Cin;
          for (long ci = 0; ci < c.Cin; ++ci) d[ci] += src[j * c.Cin + ci];
        }
      }
  });
}

// conv1dBf16Backward(B, T, Cin, Cout, K, stride, padLeft, To, x, w, dy, dx | null, dw, db | null).
Napi::Value Conv1dBf16Backward(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBf16Backward");
  const Shape c = read_shape(a);
  const size_t nx = dims_product(a, "x", {c.B, c.T, c.Cin}), nw = dims_product(a, "w", {c.K, c.Cin, c.Cout});
  const float* x = a.f32(8, "x", nx);
  const float* w = a.f32(9, "w", nw);
  const float* dy = a.f32(10, "dy", dims_product(a, "dy", {c.B, c.To, c.Cout}));
  float* dx = a.f32(11, "dx", nx, true);
  float* dw = a.f32(12, "dw", nw);
  float* db = a.f32(13, "db", (size_t)c.Cout, true);
  const KernelSet* K = require_kernels(a, "conv1dBf16Backward");
  if (!a.ok()) return info.Env().Undefined();
  const long N = c.N(), KC = c.KC();
  const Im2col im{&c, x};
  const Strided dyr{dy, c.Cout}, wr{w, c.Cout};
  // dw = im2col^T dy (the k of this product is N, in row order).
  gemm_packed(*K, KC, c.Cout, N, pack_a(*K, true, KC, N, im.rows(), 0), pack_b(*K, false, N, c.Cout, dyr.rows(), 1),
              1.0f, 0.0f, dw, c.Cout, nullptr, ACT_LINEAR);
  if (db) {
    std::vector<double> acc((size_t)c.Cout, 0.0);
    parallel_for(c.Cout, 16, N, [&](long c0, long c1) { kernels().colsum_block(dy, c.Cout, 0, N, c0, c1, acc.data() + c0); });
    for (long j = 0; j < c.Cout; ++j) db[j] = (float)acc[(size_t)j];
  }
  if (!dx) return info.Env().Undefined();
  std::fill(dx, dx + nx, 0.0f);
  if (N == 0 || KC == 0) return info.Env().Undefined();
  const uint32_t* wT = pack_b(*K, true, c.Cout, KC, wr.rows(), 1);  // op(B) = w^T: its columns are w's rows
  const long chunk = std::max(1L, (1L << 20) / std::max(1L, c.To * KC));
  float* dcol = reinterpret_cast<float*>(scratch(2, (size_t)(std::min(chunk, c.B) * c.To * KC)));
  for (long b0 = 0; b0 < c.B; b0 += chunk) {
    const long b1 = std::min(c.B, b0 + chunk), rows = (b1 - b0) * c.To;
    const Strided part{dy + b0 * c.To * c.Cout, c.Cout};
    gemm_packed(*K, rows, KC, c.Cout, pack_a(*K, false, rows, c.Cout, part.rows(), 0), wT, 1.0f, 0.0f, dcol, KC,
                nullptr, ACT_LINEAR);
    col2im_add(c, dcol, b0, b1, dx);
  }
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"conv1dBf16", Conv1dBf16}, {"conv1dBf16Backward", Conv1dBf16Backward}});

}  // namespace
}  // namespace bf16
}  // namespace rl
