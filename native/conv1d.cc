// Channels-last 1-D convolution as GEMM.
//
// The im2col row of output step o of sample b is x[b, o*stride - padLeft + j, :] for j < K, and while the
// window lies inside [0, T) that is K*Cin contiguous floats of x; successive steps start stride*Cin floats
// apart. So the "interior" steps of a sample are one GEMM straight on x (lda = stride*Cin, rows overlap),
// with bias and activation fused in the GEMM's epilogue. Only the few edge steps whose window reaches into
// the zero padding are copied into a small im2col buffer (all edge rows of a thread's samples together,
// so they cost one GEMM, not two per sample).
//
// Backward: dw = im2col(x)^T dy the same way (interior rows straight from x), db = column sums of dy,
// dx = col2im(dy w^T) a block of output steps at a time so the column buffer stays in cache; a sample's dy serves
// its interior product, db and dx in turn (and, with reluY, is masked by relu's derivative then, not in a pass before).
//
// Dilation d > 1 spreads the window's K rows d steps apart, so no window is contiguous in x: every step then takes
// the im2col path (a copy of K*Cin floats per row against a GEMM of K*Cin*Cout flops, so ~1/Cout overhead).
//
// Threading: with enough samples each thread takes a contiguous range of samples and runs single-threaded
// GEMMs (no synchronisation inside; per-thread dw/db partials merged in thread order). With few samples the
// samples run one after another on the multi-threaded GEMM.
#ifndef RL_PASS
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "common.h"
#include "dispatch.h"
#include "gemm.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

namespace rl {
namespace {

using GemmFn = void (*)(bool, bool, long, long, long, float, const float*, long, const float*, long, float, float*,
                        long, const float*, int);

struct Shape {
  long B, T, Cin, Cout, K, s, pl, To;
  long d = 1;     // dilation: window row j reads input step t0 + j*d
  long KC;        // K * Cin, the im2col row length
  long oLo, oHi;  // interior output steps [oLo, oHi): windows contiguous and entirely inside [0, T)
  size_t nx, nw, ny;  // lengths of x (B*T*Cin), w (K*Cin*Cout) and y (B*To*Cout)

  void init() {
    KC = K * Cin;
    oLo = std::min((pl + s - 1) / s, To);
    oHi = oLo;
    if (d > 1) oLo = oHi = 0;  // no contiguous windows: every step is an edge step
    else if (T - K + pl >= 0) oHi = std::max(oLo, std::min((T - K + pl) / s + 1, To));
  }
  long interior() const { return oHi - oLo; }
  long edges_per_sample() const { return To - interior(); }
  // The i-th edge step of a sample: [0, oLo) then [oHi, To).
  long edge_step(long i) const { return i < oLo ? i : oHi + (i - oLo); }
  // First input row of the window of output step o.
  long t0(long o) const { return o * s - pl; }
};

// Rows of an im2col/edge buffer per GEMM call: ~1 MB of im2col rows, at least 1, at most 512.
long edge_chunk_rows(const Shape& c) { return std::max(1L, std::min(512L, (256L * 1024) / std::max(1L, c.KC))); }

// Edge steps (windows that reach into the padding) of samples [b0, b1); rows of the largest chunk of them.
long edge_steps(const Shape& c, long b0, long b1) { return c.edges_per_sample() * (b1 - b0); }
long edge_buffer_rows(const Shape& c, long b0, long b1) { return std::min(edge_chunk_rows(c), edge_steps(c, b0, b1)); }

// The edge steps of samples [b0, b1), edge_chunk_rows at a time: for each chunk, fill(r, b, o) for its rows r
// (sample b, output step o), then gemm(cnt) for its cnt rows, then drain(r, b, o) for its rows again.
template <class Fill, class Gemm, class Drain>
void for_edge_chunks(const Shape& c, long b0, long b1, Fill fill, Gemm gemm, Drain drain) {
  const long ePer = c.edges_per_sample(), nEdge = edge_steps(c, b0, b1), R = edge_chunk_rows(c);
  for (long e0 = 0; e0 < nEdge; e0 += R) {
    const long cnt = std::min(R, nEdge - e0);
    for (long r = 0; r < cnt; ++r) fill(r, b0 + (e0 + r) / ePer, c.edge_step((e0 + r) % ePer));
    gemm(cnt);
    for (long r = 0; r < cnt; ++r) drain(r, b0 + (e0 + r) / ePer, c.edge_step((e0 + r) % ePer));
  }
}

void im2col_row(const Shape& c, const float* x, long b, long o, float* dst) {
  long t0 = c.t0(o);
  for (long j = 0; j < c.K; ++j) {
    long t = t0 + j * c.d;
    if (t >= 0 && t < c.T) std::memcpy(dst + j * c.Cin, x + (b * c.T + t) * c.Cin, (size_t)c.Cin * sizeof(float));
    else std::memset(dst + j * c.Cin, 0, (size_t)c.Cin * sizeof(float));
  }
}

// Whether to give each thread its own samples (single-threaded GEMMs) rather than thread each GEMM.
bool sample_parallel(const Shape& c) {
  int nth = num_threads();
  if (nth <= 1 || c.B < nth) return false;
  double flops = 2.0 * (double)c.B * (double)c.To * (double)c.KC * (double)c.Cout;
  if (flops < 2e6) return false;
  return c.B % nth == 0 || c.B >= 4L * nth;
}

// ------------------------------------------------------------------------------------------- forward

void forward_range(const Shape& c, const float* x, const float* w, const float* bias, float* y, int act, long b0,
                   long b1, GemmFn gemm) {
  const long mI = c.interior();
  if (mI > 0)
    for (long b = b0; b < b1; ++b)
      gemm(false, false, mI, c.Cout, c.KC, 1.0f, x + (b * c.T + c.t0(c.oLo)) * c.Cin, c.s * c.Cin, w, c.Cout, 0.0f,
           y + (b * c.To + c.oLo) * c.Cout, c.Cout, bias, act);

  const long rows = edge_buffer_rows(c, b0, b1);
  if (rows == 0) return;
  Room own_e, own_y;
  float* E = kept<float>(Kept::kConvFwdEdgeX, (size_t)(rows * c.KC), own_e);
  float* Y = kept<float>(Kept::kConvFwdEdgeY, (size_t)(rows * c.Cout), own_y);
  for_edge_chunks(
      c, b0, b1, [&](long r, long b, long o) { im2col_row(c, x, b, o, E + r * c.KC); },
      [&](long cnt) {
        gemm(false, false, cnt, c.Cout, c.KC, 1.0f, E, c.KC, w, c.Cout, 0.0f, Y, c.Cout, bias, act);
      },
      [&](long r, long b, long o) {
        std::memcpy(y + (b * c.To + o) * c.Cout, Y + r * c.Cout, (size_t)c.Cout * sizeof(float));
      });
}

bool read_shape(Args& a, Shape& c) {
  c.B = (long)a.integer(0, "B");
  c.T = (long)a.integer(1, "T");
  c.Cin = (long)a.integer(2, "Cin");
  c.Cout = (long)a.integer(3, "Cout");
  c.K = (long)a.integer(4, "K", 1);
  c.s = (long)a.integer(5, "stride", 1);
  c.pl = (long)a.integer(6, "padLeft");
  c.To = (long)a.integer(7, "To");
  if (!a.ok()) return false;
  // Keep every index product (o * stride, t * Cin, ...) far from overflow; the arrays' sizes are checked by
  // the callers.
  const long lim = 1L << 31;
  if (c.K > lim || c.s > lim || c.pl > lim || c.T > lim || c.To > lim) {
    a.fail("K/stride/padLeft/T/To", "is too large");
    return false;
  }
  c.init();
  c.nx = dims_product(a, "B*T*Cin", {c.B, c.T, c.Cin});
  c.nw = dims_product(a, "K*Cin*Cout", {c.K, c.Cin, c.Cout});
  c.ny = dims_product(a, "B*To*Cout", {c.B, c.To, c.Cout});
  return true;
}

// The arguments both passes begin with: the shape (0..7), then x (8) and w (9).
bool read_inputs(Args& a, Shape& c, const float** x, const float** w) {
  if (!read_shape(a, c)) return false;
  *x = a.f32(8, "x", c.nx);
  *w = a.f32(9, "w", c.nw);
  return true;
}

// The optional trailing dilation (default 1, so callers that predate it keep working).
bool read_dilation(const Napi::CallbackInfo& info, Args& a, size_t i, Shape& c) {
  if (i >= info.Length() || info[i].IsUndefined()) return a.ok();
  c.d = (long)a.integer(i, "dilation", 1);
  if (a.ok() && c.d > (1L << 31)) a.fail("dilation", "is too large");
  c.init();
  return a.ok();
}

Napi::Value Conv1d(const Napi::CallbackInfo& info) {
  Args a(info, "conv1d");
  Shape c{};
  const float *x, *w;
  if (!read_inputs(a, c, &x, &w)) return info.Env().Undefined();
  const size_t ny = c.ny;
  const float* bias = a.f32(10, "bias", (size_t)c.Cout, true);
  float* y = a.f32(11, "y", ny);
  int act = act_code(a, 12, "act");
  if (!read_dilation(info, a, 13, c) || ny == 0) return info.Env().Undefined();

  if (c.KC == 0) {  // no input channels: y = act(bias)
    for (long r = 0; r < c.B * c.To; ++r) {
      float* yr = y + r * c.Cout;
      for (long j = 0; j < c.Cout; ++j) yr[j] = bias ? bias[j] : 0.0f;
      kernels().activation(act, yr, yr, c.Cout);
    }
    return info.Env().Undefined();
  }
  if (sample_parallel(c)) {
    parallel([&](int tid, int nth) {
      long b0, b1;
      split_range(c.B, tid, nth, 1, &b0, &b1);
      if (b0 < b1) forward_range(c, x, w, bias, y, act, b0, b1, sgemm_serial);
    });
  } else {
    forward_range(c, x, w, bias, y, act, 0, c.B, sgemm);
  }
  return info.Env().Undefined();
}

// ------------------------------------------------------------------------------------------- backward

// The backward's dy: its own rows, or with reluY (relu's output, when dy is the gradient of it) the rows with relu's
// derivative applied (activationBackward's loop) into a buffer as they are read, instead of a pass over all of dy.
struct DyRows {
  const float* dy;
  const float* relu_y;
  long Cout;
  // Rows [r, r + n): dy's, or masked into buf (n * Cout floats).
  const float* rows(long r, long n, float* buf) const {
    if (!relu_y) return dy + r * Cout;
    kernels().activation_grad(ACT_RELU, relu_y + r * Cout, dy + r * Cout, buf, n * Cout);
    return buf;
  }
};

// dwacc [KC, Cout] += im2col(x)^T dy and dbacc [Cout] += colsum(dy) over samples [b0, b1); dx rows of those
// samples overwritten (when dx). A sample's dy is read once for its interior product, db's sums and its dx (none
// of which depends on another's order: dwacc's terms keep theirs, interior samples in order, then the edges).
void backward_range(const Shape& c, const float* x, const float* w, const DyRows& dyr, float* dx, float* dwacc,
                    double* dbacc, long b0, long b1, GemmFn gemm) {
  const long mI = c.interior();
  // Kept from call to call (kernel_util.h): allocated per call, these few hundred KB were faulted in again every
  // step (the lab's CNN at 2 threads: ~490 faults a step, with dwpart below).
  Room own_sample, own_dcol;
  float* sample = dyr.relu_y ? kept<float>(Kept::kConvBwdSample, (size_t)(c.To * c.Cout), own_sample) : nullptr;
  // dcol = dy w^T a block of steps at a time (w stored [KC, Cout]); col2im adds each row's K slices.
  const long RB = std::max(1L, std::min(c.To, std::max(16L, (128L * 1024) / c.KC)));
  float* dcol = dx ? kept<float>(Kept::kConvBwdDcol, (size_t)(RB * c.KC), own_dcol) : nullptr;
  for (long b = b0; b < b1; ++b) {
    const float* dy = dyr.rows(b * c.To, c.To, sample);  // sample b's rows
    if (mI > 0)
      gemm(true, false, c.KC, c.Cout, mI, 1.0f, x + (b * c.T + c.t0(c.oLo)) * c.Cin, c.s * c.Cin,
           dy + c.oLo * c.Cout, c.Cout, 1.0f, dwacc, c.Cout, nullptr, ACT_LINEAR);
    if (dbacc)
      for (long o = 0; o < c.To; ++o) kernels().add_to_d(dbacc, dy + o * c.Cout, c.Cout);
    if (!dx) continue;
    float* dxb = dx + b * c.T * c.Cin;
    std::memset(dxb, 0, (size_t)(c.T * c.Cin) * sizeof(float));
    for (long o0 = 0; o0 < c.To; o0 += RB) {
      long cnt = std::min(RB, c.To - o0);
      gemm(false, true, cnt, c.KC, c.Cout, 1.0f, dy + o0 * c.Cout, c.Cout, w, c.Cout, 0.0f, dcol, c.KC, nullptr,
           ACT_LINEAR);
      for (long r = 0; r < cnt; ++r) {
        long t0 = c.t0(o0 + r);
        const float* src = dcol + r * c.KC;
        if (c.d == 1) {
          long jlo = std::max(0L, -t0), jhi = std::min(c.K, c.T - t0);  // window rows inside [0, T)
          if (jlo < jhi) kernels().add_to(dxb + (t0 + jlo) * c.Cin, src + jlo * c.Cin, (jhi - jlo) * c.Cin);
        } else {
          for (long j = 0; j < c.K; ++j) {
            long t = t0 + j * c.d;
            if (t >= 0 && t < c.T) kernels().add_to(dxb + t * c.Cin, src + j * c.Cin, c.Cin);
          }
        }
      }
    }
  }

  const long rows = edge_buffer_rows(c, b0, b1);
  if (rows > 0) {
    Room own_e, own_d;
    float* E = kept<float>(Kept::kConvBwdEdgeX, (size_t)(rows * c.KC), own_e);
    float* D = kept<float>(Kept::kConvBwdEdgeDy, (size_t)(rows * c.Cout), own_d);
    for_edge_chunks(
        c, b0, b1,
        [&](long r, long b, long o) {
          im2col_row(c, x, b, o, E + r * c.KC);
          float* to = D + r * c.Cout;
          const float* from = dyr.rows(b * c.To + o, 1, to);
          if (from != to) std::memcpy(to, from, (size_t)c.Cout * sizeof(float));
        },
        [&](long cnt) {
          gemm(true, false, c.KC, c.Cout, cnt, 1.0f, E, c.KC, D, c.Cout, 1.0f, dwacc, c.Cout, nullptr, ACT_LINEAR);
        },
        [](long, long, long) {});
  }
}

Napi::Value Conv1dBackward(const Napi::CallbackInfo& info) {
  Args a(info, "conv1dBackward");
  Shape c{};
  const float *x, *w;
  if (!read_inputs(a, c, &x, &w)) return info.Env().Undefined();
  const size_t nx = c.nx, nw = c.nw, ny = c.ny;
  const float* dy = a.f32(10, "dy", ny);
  float* dx = a.f32(11, "dx", nx, true);
  float* dw = a.f32(12, "dw", nw);
  float* db = a.f32(13, "db", (size_t)c.Cout, true);
  const float* relu_y = a.f32(15, "reluY", ny, true);
  if (!read_dilation(info, a, 14, c)) return info.Env().Undefined();
  const DyRows dyr{dy, relu_y, c.Cout};

  std::fill(dw, dw + nw, 0.0f);
  if (db) std::fill(db, db + c.Cout, 0.0f);
  if (ny == 0 || c.KC == 0) {  // degenerate shapes: dw = 0, dx = 0; db still sums dy
    if (dx) std::fill(dx, dx + nx, 0.0f);
    if (db && ny > 0) {
      std::vector<double> acc((size_t)c.Cout, 0.0);
      std::vector<float> row((size_t)c.Cout);
      for (long r = 0; r < c.B * c.To; ++r) kernels().add_to_d(acc.data(), dyr.rows(r, 1, row.data()), c.Cout);
      for (long j = 0; j < c.Cout; ++j) db[j] = (float)acc[(size_t)j];
    }
    return info.Env().Undefined();
  }

  if (sample_parallel(c)) {
    int nth = num_threads();
    // Thread 0 accumulates into dw itself; the others into private buffers merged afterwards in order.
    Room own_dw;
    float* dwpart = kept_zeroed<float>(Kept::kConvBwdDwPart, (size_t)(nth - 1) * nw, own_dw);
    std::vector<double> dbpart(db ? (size_t)nth * (size_t)c.Cout : 0, 0.0);
    parallel([&](int tid, int nt) {
      long b0, b1;
      split_range(c.B, tid, nt, 1, &b0, &b1);
      float* dwacc = tid == 0 ? dw : dwpart + (size_t)(tid - 1) * nw;
      double* dbacc = db ? dbpart.data() + (size_t)tid * (size_t)c.Cout : nullptr;
      if (b0 < b1) backward_range(c, x, w, dyr, dx, dwacc, dbacc, b0, b1, sgemm_serial);
    });
    for (int t = 1; t < nth; ++t) kernels().add_to(dw, dwpart + (size_t)(t - 1) * nw, (long)nw);
    if (db)
      for (long j = 0; j < c.Cout; ++j) {
        double s = 0;
        for (int t = 0; t < nth; ++t) s += dbpart[(size_t)t * (size_t)c.Cout + (size_t)j];
        db[j] = (float)s;
      }
  } else {
    std::vector<double> dbacc(db ? (size_t)c.Cout : 0, 0.0);
    backward_range(c, x, w, dyr, dx, dw, db ? dbacc.data() : nullptr, 0, c.B, sgemm);
    if (db)
      for (long j = 0; j < c.Cout; ++j) db[j] = (float)dbacc[(size_t)j];
  }
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"conv1d", Conv1d}, {"conv1dBackward", Conv1dBackward}});

}  // namespace

}  // namespace rl

#define RL_PASS_FILE "conv1d.cc"
#define RL_PASS_NS conv_pass
#define RL_PASS_ELEMENTWISE
#include "isa_passes.h"

#else  // RL_PASS: the loops of one instruction-set pass

namespace {

void add_to(float* dst, const float* src, long n) {
  for (long i = 0; i < n; ++i) dst[i] += src[i];
}

void add_to_d(double* dst, const float* src, long n) {
  for (long i = 0; i < n; ++i) dst[i] += (double)src[i];
}

RL_REGISTER_PASS(kFamilyConv, t.add_to = add_to; t.add_to_d = add_to_d);

}  // namespace

#endif  // RL_PASS
