// bf16 Conv1D (mixed_bfloat16), the twin of conv1d.cc on bf16.h's GEMM: the convolution is a GEMM on the im2col
// matrix (rows (b, o), columns (j, ci)), whose rows are read straight from x while the window lies inside [0, T)
// and built zero-padded at the edges; packing rounds them to bf16 as it goes, so im2col is never stored.
// Forward: y = act(im2col w + bias). Backward: dw = im2col^T dy, db = column sums of dy (in double, as conv1d.cc),
// dx = col2im(dy w^T), summed in fp32 over (o, j) in order, as src/backend/reference/bf16_conv1d.ts does, each
// tile of dy w^T added into dx from the registers (never stored). The backward reads x and dy once each: im2col^T
// is packed from each sample's transposed, rounded x, and one pass over dy makes dx's A operand, dw's B operand
// (the same bf16 values the generic packings would make, so the same bits) and db's sums.
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

// gemm_packed's k block (bf16.h): a product of at most this many pairs is finished from the registers.
constexpr long kOneBlockPairs = 256;

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

// Rows of the im2col matrix. An edge row is built in a per-thread buffer (pack_a uses each row before the next).
struct Im2col {
  const Shape* c;
  const float* x;
  static const float* row(const void* ctx, long r) {
    const Im2col& m = *static_cast<const Im2col*>(ctx);
    const Shape& c = *m.c;
    const long b = r / c.To, t0 = (r % c.To) * c.s - c.pl;
    if (t0 >= 0 && t0 + c.K <= c.T) return m.x + (b * c.T + t0) * c.Cin;
    thread_local std::vector<float> d;
    d.assign((size_t)c.KC(), 0.0f);
    for (long j = 0; j < c.K; ++j) {
      const long t = t0 + j;
      if (t >= 0 && t < c.T) std::memcpy(d.data() + j * c.Cin, m.x + (b * c.T + t) * c.Cin, (size_t)c.Cin * sizeof(float));
    }
    return d.data();
  }
  Rows rows() const { return {row, this}; }
};

// op(A) = im2col^T (KC x N) in pack_a's layout: row (j, ci), read as bf16 words, holds at word r = (b, o) the bf16
// of x[b, o s - pl + j, ci] (zero outside [0, T)). Each sample's x is rounded once and transposed (ci-major) in a
// per-thread buffer; every (j, ci) row then takes a run of it, instead of K roundings of x and a transposition.
PackedA pack_im2col_t(const KernelSet& K, const Shape& c, const float* x, int slot) {
  const long KC = c.KC(), N = c.N(), kp = pairs(N), mp = round_up(KC, K.mr), ld = packed_a_ld(N);
  uint32_t* dst = scratch(slot, (size_t)(mp * ld));
  for (long i = KC; i < mp; ++i) std::fill(dst + i * ld, dst + i * ld + kp, 0u);
  if (N & 1)  // the last pair's high half, past N
    for (long i = 0; i < KC; ++i) dst[i * ld + kp - 1] = 0;
  uint16_t* words = reinterpret_cast<uint16_t*>(dst);
  parallel_for(c.B, 1, c.T * c.Cin * c.K, [&](long b0, long b1) {
    const long TC = c.T * c.Cin;
    std::vector<float> xf((size_t)TC);
    std::vector<uint16_t> xt((size_t)TC);
    for (long b = b0; b < b1; ++b) {
      transpose_dwords(K, reinterpret_cast<const uint32_t*>(x + b * TC), c.Cin, c.T, c.Cin,
                       reinterpret_cast<uint32_t*>(xf.data()), c.T);
      K.convert(xf.data(), TC, xt.data());
      for (long j = 0; j < c.K; ++j) {
        // outputs o whose input t = o s - pl + j lies in [0, T): [lo, hi)
        const long first = c.pl - j, last = c.T - 1 + c.pl - j;
        const long lo = std::min(c.To, first <= 0 ? 0 : (first + c.s - 1) / c.s);
        const long hi = std::max(lo, std::min(c.To, last < 0 ? 0 : last / c.s + 1));
        for (long ci = 0; ci < c.Cin; ++ci) {
          uint16_t* d = words + (j * c.Cin + ci) * 2 * ld + b * c.To;
          const uint16_t* col = xt.data() + ci * c.T;
          std::fill(d, d + lo, uint16_t(0));
          if (c.s == 1 && hi > lo) std::memcpy(d + lo, col + lo - c.pl + j, (size_t)(hi - lo) * sizeof(uint16_t));
          else for (long o = lo; o < hi; ++o) d[o] = col[o * c.s - c.pl + j];
          std::fill(d + hi, d + c.To, uint16_t(0));
        }
      }
    }
  });
  return {dst, ld};
}

// dy (N x Cout) rounded into dx's A operand (pack_a's layout, padded by a row panel past round_up(N, mr) so that a
// sample's last panel can start anywhere) and dw's B operand (op(B) = dy, pack_b's layout), with db's column sums
// (acc, in double, row by row: colsum_block's order) taken on the way, so that dy is read once. Split by bands of 16
// columns: each column is rounded and summed by one thread in row order, so any split gives these bits.
struct DyPacks {
  PackedA a;
  const uint32_t* b;
};
DyPacks pack_dy(const KernelSet& K, long N, long Cout, const float* dy, double* acc, int slot_a, int slot_b) {
  const long ld = packed_a_ld(Cout), rows = round_up(N, K.mr) + K.mr, kp = pairs(N);
  uint32_t* A = scratch(slot_a, (size_t)(rows * ld));
  uint32_t* Bp = scratch(slot_b, (size_t)packed_b_dwords(K, N, Cout));
  std::fill(A + N * ld, A + rows * ld, 0u);
  constexpr long kRowBlock = 32;  // rows packed, then summed while still in L1
  const long band = K.nr % 16 == 0 ? 16 : K.nr;
  parallel_for((Cout + band - 1) / band, 1, 2 * kp * band, [&](long u0, long u1) {
    const long c0 = u0 * band, c1 = std::min(Cout, u1 * band);
    for (long r0 = 0; r0 < N; r0 += kRowBlock) {
      const long r1 = std::min(N, r0 + kRowBlock);
      for (long r = r0; r < r1; ++r) {
        uint16_t* d = reinterpret_cast<uint16_t*>(A + r * ld);
        K.convert(dy + r * Cout + c0, c1 - c0, d + c0);
        if ((Cout & 1) && c1 == Cout) d[Cout] = 0;
      }
      for (long q = r0 / 2; q < (r1 + 1) / 2; ++q) {
        const float* x0 = dy + 2 * q * Cout;
        const float* x1 = 2 * q + 1 < N ? x0 + Cout : nullptr;
        for (long j = c0; j < c1;) {  // the band's part of each panel it crosses
          const long pj = j / K.nr, j0 = pj * K.nr, end = std::min(c1, j0 + K.nr);
          uint32_t* d = Bp + (pj * kp + q) * K.nr;
          K.interleave(x0 + j, x1 ? x1 + j : nullptr, end - j, d + (j - j0));
          if (end == Cout) std::fill(d + (Cout - j0), d + K.nr, 0u);
          j = end;
        }
      }
      if (acc) kernels().colsum_block(dy, Cout, r0, r1, c0, c1, acc + c0);
    }
  });
  return {{A, ld}, Bp};
}

// The forward without a packed im2col, where every im2col row starts on a whole pair (Cin and the stride times Cin
// even): each sample's x rounded once into a zero-padded bf16 copy, whose rows (b, o) lie a uniform stride * Cin
// words apart, so the copy itself is the A operand of the sample's product (the same bf16 values, the same sums).
bool forward_in_place(const KernelSet& K, const Shape& c, const float* x, const uint32_t* Bp, float* y,
                      const float* bias, int act) {
  if (c.Cin % 2 != 0 || c.N() == 0) return false;
  const long lead = c.pl, rows = std::max(c.T + c.pl, (c.To - 1) * c.s - c.pl + c.K) + c.pl;  // padded steps
  // The last row tile reads up to mr rows past the sample's last output (results not stored): room for them.
  const long words = rows * c.Cin + (long)K.mr * c.s * c.Cin + 2 * c.KC() + 32;
  const long lda = c.s * c.Cin / 2, kp = pairs(c.KC());
  auto round_sample = [&](long b, uint16_t* d) {
    std::fill(d, d + lead * c.Cin, uint16_t(0));
    K.convert(x + b * c.T * c.Cin, c.T * c.Cin, d + lead * c.Cin);
    std::fill(d + (lead + c.T) * c.Cin, d + words, uint16_t(0));
  };
  if (kp > kOneBlockPairs || (act != ACT_LINEAR && act != ACT_RELU)) {
    uint16_t* xp = reinterpret_cast<uint16_t*>(scratch(0, (size_t)(c.B * words / 2 + 16)));
    parallel_for(c.B, 1, c.T * c.Cin, [&](long b0, long b1) {
      for (long b = b0; b < b1; ++b) round_sample(b, xp + b * words);
    });
    for (long b = 0; b < c.B; ++b) {
      const PackedA A{reinterpret_cast<const uint32_t*>(xp + b * words), lda};
      gemm_packed(K, c.To, c.Cout, c.KC(), A, Bp, 1.0f, 0.0f, y + b * c.To * c.Cout, c.Cout, bias, act);
    }
    return true;
  }
  // One k block, each tile finished from the registers (as gemm_packed does), a sample at a time: its rounded copy
  // is still in L2 for its product, and column panels go outermost so that a panel of w stays in L1 across the
  // sample's row panels.
  const long pn = (c.Cout + K.nr - 1) / K.nr;
  parallel_for(c.B, 1, c.To * c.Cout * c.KC(), [&](long b0, long b1) {
    uint16_t* xb = reinterpret_cast<uint16_t*>(scratch(0, (size_t)(words / 2 + 16)));
    const uint32_t* A = reinterpret_cast<const uint32_t*>(xb);
    for (long b = b0; b < b1; ++b) {
      round_sample(b, xb);
      float* yb = y + b * c.To * c.Cout;
      for (long pj = 0; pj < pn; ++pj) {
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, c.Cout - j0);
        const uint32_t* bp = Bp + pj * kp * K.nr;
        for (long o0 = 0; o0 < c.To; o0 += K.mr) {
          const TileOut out{yb + o0 * c.Cout + j0, c.Cout, std::min<long>(K.mr, c.To - o0), cols, 1.0f, 0.0f,
                            bias ? bias + j0 : nullptr, act};
          K.tile_c(A + o0 * lda, lda, bp, kp, nullptr, 0, out);
        }
      }
    }
  });
  return true;
}

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
  const uint32_t* Bp = pack_b(*K, false, c.KC(), c.Cout, wr.rows(), 1);
  if (forward_in_place(*K, c, x, Bp, y, bias, act)) return info.Env().Undefined();
  const PackedA A = pack_a(*K, false, c.N(), c.KC(), im.rows(), 0);
  gemm_packed(*K, c.N(), c.Cout, c.KC(), A, Bp, 1.0f, 0.0f, y, c.Cout, bias, act);
  return info.Env().Undefined();
}

// dx[b] = col2im(dy[b] w^T) for samples [b0, b1), each tile of dy w^T added into dx straight from the registers.
// Row o, column (j, ci) of the product belongs to dx[b, o s - pl + j, ci], at offset (o s - pl) Cin + (j Cin + ci)
// of the sample's dx: a C of row stride s Cin, starting pl Cin before the sample, whose rows overlap. Each dx sum
// takes its terms in the order col2im took them from a stored product (o ascending, hence j descending): row panels
// in order, column panels from the last, rows within a tile in order. A tile reaching outside the sample's [0, T)
// (the first and last row panels when padded) is summed aside and added element by element within it.
void dx_samples(const KernelSet& K, const Shape& c, PackedA dyA, const uint32_t* wT, long b0, long b1, float* dx) {
  const long KC = c.KC(), kp = pairs(c.Cout), pn = (KC + K.nr - 1) / K.nr, ldc = c.s * c.Cin, end = c.T * c.Cin;
  alignas(64) float local[16 * 64];
  for (long b = b0; b < b1; ++b) {
    float* xb = dx + b * c.T * c.Cin;
    std::fill(xb, xb + end, 0.0f);
    for (long o0 = 0; o0 < c.To; o0 += K.mr) {
      const long rows = std::min<long>(K.mr, c.To - o0), first = (o0 * c.s - c.pl) * c.Cin;
      const uint32_t* a = dyA.p + (b * c.To + o0) * dyA.ld;
      for (long pj = pn - 1; pj >= 0; --pj) {
        const long j0 = pj * K.nr, cols = std::min<long>(K.nr, KC - j0);
        const uint32_t* bp = wT + pj * kp * K.nr;
        const long lo = first + j0, hi = first + (rows - 1) * ldc + j0 + cols;  // offsets the tile touches
        if (lo >= 0 && hi <= end) {
          const TileOut out{xb + lo, ldc, rows, cols, 1.0f, 1.0f, nullptr, ACT_LINEAR};
          K.tile_c(a, dyA.ld, bp, kp, nullptr, 0, out);
          continue;
        }
        std::fill(local, local + K.mr * K.nr, 0.0f);
        K.tile_cols(a, dyA.ld, bp, kp, local, K.nr, cols);
        for (long r = 0; r < rows; ++r)
          for (long j = 0; j < cols; ++j) {
            const long f = first + r * ldc + j0 + j;
            if (f >= 0 && f < end) xb[f] += local[r * K.nr + j];
          }
      }
    }
  }
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
  const Strided wr{w, c.Cout};
  std::vector<double> acc(db ? (size_t)c.Cout : 0, 0.0);
  const DyPacks dyp = pack_dy(*K, N, c.Cout, dy, db ? acc.data() : nullptr, 4, 1);
  // dw = im2col^T dy (the k of this product is N, in row order).
  gemm_packed(*K, KC, c.Cout, N, pack_im2col_t(*K, c, x, 0), dyp.b, 1.0f, 0.0f, dw, c.Cout, nullptr, ACT_LINEAR);
  if (db)
    for (long j = 0; j < c.Cout; ++j) db[j] = (float)acc[(size_t)j];
  if (!dx) return info.Env().Undefined();
  if (N == 0 || KC == 0) {
    std::fill(dx, dx + nx, 0.0f);
    return info.Env().Undefined();
  }
  const uint32_t* wT = pack_b(*K, true, c.Cout, KC, wr.rows(), 1);  // op(B) = w^T: its columns are w's rows
  parallel_for(c.B, 1, c.To * KC * c.Cout, [&](long b0, long b1) { dx_samples(*K, c, dyp.a, wT, b0, b1, dx); });
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"conv1dBf16", Conv1dBf16}, {"conv1dBf16Backward", Conv1dBf16Backward}});

}  // namespace
}  // namespace bf16
}  // namespace rl
