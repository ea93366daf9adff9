// Forward-only LSTM and GRU (resetAfter) for predict: the same cell arithmetic as lstm.cc / gru.cc, so outputs are
// bit-identical to the training forward pass given the same xp, but nothing backward needs is kept:
// - the state lives in three [B, U] buffers (h twice, so a step reads h_prev while it writes h; LSTM's c in place),
//   not in [B, T, ...] arrays of gates, cell states and outputs;
// - hs (every output) is written only when the caller asks for it (returnSequences); hT (and cT) always;
// - the input projection is read through an optional row index: step (b, t) reads xp row rows[b*T + t] instead of
//   row b*T + t, so a projected embedding table (ids as rows) or one projected vector per sample (RepeatVector)
//   serves every step without materialising [B, T, G*U].
// Threads split the batch rows (no barrier); small batches run on the calling thread. (Splitting the hidden units
// with a barrier per step, as the training kernels do for a few rows, was measured 3-5x slower than one thread for
// one LSTM row on a loaded 2-core machine: a spin barrier waits for every preempted thread.)
#ifndef RL_PASS

#include "dispatch.h"
#include "rnn_common.h"

namespace rl {
namespace rnn_infer {

struct Seq {
  long B, T, U;
  const float* xp;
  const int32_t* rows;
  const float *r, *rb, *h0, *c0;
  const uint8_t* mask;
  bool back;
  int act, ract;
  float *hs, *hT, *cT;
};

}  // namespace rnn_infer
}  // namespace rl

namespace rl {
namespace {

// The shared arguments: (B, T, U, xp, rows, r, ...) with xp checked against rows (every index must name a row).
class InferArgs : public Args {
 public:
  long B, T, U;
  size_t seq = 0, state = 0, mask = 0;
  InferArgs(const Napi::CallbackInfo& info, const char* kernel, int G, rnn_infer::Seq& p) : Args(info, kernel) {
    B = integer(0, "B", 1), T = integer(1, "T", 1), U = integer(2, "U", 1);
    const size_t gu = dims_product(*this, "xp", {U, G});
    seq = dims_product(*this, "hs", {B, T, U}), state = dims_product(*this, "hT", {B, U});
    mask = dims_product(*this, "mask", {B, T});
    p.B = B, p.T = T, p.U = U;
    p.rows = i32(4, "rows", mask, true);
    const size_t xlen = typed_length(info, 3);
    if (ok() && p.rows) {
      const size_t nrows = gu ? xlen / gu : 0;
      for (size_t i = 0; i < mask && ok(); ++i)
        if (p.rows[i] < 0 || (size_t)p.rows[i] >= nrows)
          fail("rows", "has index " + std::to_string(p.rows[i]) + " at " + std::to_string(i) + ", outside the " +
                           std::to_string(nrows) + " rows of xp");
    }
    p.xp = f32(3, "xp", p.rows ? gu : mask * gu);
    p.r = f32(5, "r", dims_product(*this, "r", {U, U, G}));
  }
};

// lstmInfer(B, T, U, xp, rows, r, h0, c0, mask, goBackwards, act, recAct, hs, hT, cT)
Napi::Value LstmInfer(const Napi::CallbackInfo& info) {
  rnn_infer::Seq p{};
  InferArgs a(info, "lstmInfer", 4, p);
  p.rb = nullptr;
  p.h0 = a.f32(6, "h0", a.state, true), p.c0 = a.f32(7, "c0", a.state, true), p.mask = a.u8(8, "mask", a.mask, true);
  p.back = a.flag(9, "goBackwards"), p.act = act_code(a, 10, "act"), p.ract = act_code(a, 11, "recAct");
  p.hs = a.f32(12, "hs", a.seq, true), p.hT = a.f32(13, "hT", a.state), p.cT = a.f32(14, "cT", a.state, true);
  return run_if_ok(a, [&] { kernels().lstm_infer(p); });
}

// gruInfer(B, T, U, xp, rows, r, rb, h0, mask, goBackwards, act, recAct, hs, hT): resetAfter (Keras 2's default).
Napi::Value GruInfer(const Napi::CallbackInfo& info) {
  rnn_infer::Seq p{};
  InferArgs a(info, "gruInfer", 3, p);
  p.rb = a.f32(6, "rb", dims_product(a, "rb", {a.U, 3}), true), p.c0 = nullptr;
  p.h0 = a.f32(7, "h0", a.state, true), p.mask = a.u8(8, "mask", a.mask, true);
  p.back = a.flag(9, "goBackwards"), p.act = act_code(a, 10, "act"), p.ract = act_code(a, 11, "recAct");
  p.hs = a.f32(12, "hs", a.seq, true), p.hT = a.f32(13, "hT", a.state), p.cT = nullptr;
  return run_if_ok(a, [&] { kernels().gru_infer(p); });
}

const bool exported = add_bindings({{"lstmInfer", LstmInfer}, {"gruInfer", GruInfer}});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "rnn_infer.cc"
#define RL_PASS_NS rnn_infer
#include "isa_passes.h"

#else  // RL_PASS: the kernels of one instruction-set pass

#include "rnn_common.h"  // its SIMD part, for this pass

// The register tile of h_prev R is WL units wide: with AVX-512 one 16-lane vector per gate and row, handed to the cell
// in parts of rnn_common.h's W lanes (16 there too now, so one part). Each lane still sums over k in the same order
// with the same operations, so the bits do not change.
#if RL_PASS == 2
typedef float vw __attribute__((vector_size(64)));
constexpr int WL = 16;
#else
typedef vf vw;
constexpr int WL = W;
#endif

inline long wblocks(long U) { return (U + WL - 1) / WL; }

// Scratch of the calling thread that outlives the call (slot 0: packed weights, 1: states): predict calls these
// kernels once per layer and batch, and a fresh allocation of a few hundred KB each time is an mmap/munmap pair.
inline float* reused(int slot, size_t n) {
  thread_local std::vector<float> bufs[2];
  if (bufs[slot].size() < n) bufs[slot].resize(n);
  return bufs[slot].data();
}

// Panels of WL units: for each block jb, [k < U][g < G][lane < WL] = r[k * G*U + g*U + jb*WL + lane] (0 past U).
inline void pack_wide(const float* r, long U, int G, float* out) {
  for (long jb = 0; jb < wblocks(U); ++jb)
    for (long k = 0; k < U; ++k)
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < WL; ++v) {
          const long u = jb * WL + v;
          *out++ = u < U ? r[k * G * U + g * U + u] : 0.0f;
        }
}

// acc[m][g] = sum_{k<K} a[m][k] * panel[k][g][lanes], k ascending (as rnn_common.h's mk_accum), from one block's
// packed panel.
template <int M, int G>
RLV void wide_accum(vw (&acc)[M][G], long K, const float* const* a, const float* panel) {
  vw c[M][G] = {};
  for (long k = 0; k < K; ++k) {
    vw bv[G];
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) __builtin_memcpy(&bv[g], panel + (k * G + g) * WL, sizeof(vw));
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      const vw av = vw{} + a[m][k];
#pragma GCC unroll 8
      for (int g = 0; g < G; ++g) c[m][g] = av * bv[g] + c[m][g];
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) acc[m][g] = c[m][g];
}

// One row's acc[n][g] = sum_{k<K} a[k] * R[k][g][block j0+n], k ascending, for N unit blocks at once, R read in
// place (row k at k * kstride, gate g at g * gstride): no packing, which costs more than a few row-steps of product.
// The same per-lane sums as wide_accum (so the same bits), but N*G independent FMA chains instead of G (one row's
// G chains were bound by the FMA latency), and each row of R is read in runs of N blocks.
template <int N, int G>
RLV void row_accum(vw (&acc)[N][G], long K, const float* a, const float* r, long kstride, long gstride) {
  vw c[N][G] = {};
  for (long k = 0; k < K; ++k) {
    const vw av = vw{} + a[k];
    const float* rk = r + k * kstride;
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g)
#pragma GCC unroll 8
      for (int n = 0; n < N; ++n) {
        vw bv;
        __builtin_memcpy(&bv, rk + g * gstride + n * WL, sizeof(vw));
        c[n][g] = av * bv + c[n][g];
      }
  }
#pragma GCC unroll 8
  for (int n = 0; n < N; ++n)
#pragma GCC unroll 8
    for (int g = 0; g < G; ++g) acc[n][g] = c[n][g];
}

// Unit blocks per row_accum tile: about as many accumulators as the pass has vector registers (AVX-512: all 32, which
// was measured faster for one 128-unit LSTM row than 16, the loads and broadcasts reading memory operands; elsewhere
// rnn_common.h's kMaxAcc).
constexpr int blocks_for(int G) { return std::max(1, std::min(8, (RL_PASS == 2 ? 32 : kMaxAcc) / G)); }

// Runs the time loop of a G-gate cell; cell(acc, x, hp, hn, c, u0, nu) turns one row's register tile of h_prev R
// (acc[g] for units u0..u0+nu) and its projected input x (at u0) into the new h (and c) of those units.
template <int G, class Cell>
void drive(const Seq& p, const float* panels, Cell cell) {
  // panels null: R is read in place (only when U is a whole number of blocks, so no lane reads past R).
  const long B = p.B, T = p.T, U = p.U, GU = G * U, nb = wblocks(U);
  constexpr int MM = rows_for(G);
  std::vector<int> first;
  rl::rnn::first_real_steps(B, T, p.mask, p.back, first);
  float* state = reused(1, (size_t)(B * U * (G == 4 ? 3 : 2)));
  float* hbuf[2] = {state, state + B * U};
  float* cbuf = G == 4 ? state + 2 * B * U : nullptr;
  const size_t ubytes = (size_t)U * sizeof(float);
  auto xrow = [&](long b, long t) { return p.xp + (p.rows ? (long)p.rows[b * T + t] : b * T + t) * GU; };
  // Rows [r0, r1) through every step: rows never read each other's state, so any split of the batch gives the
  // same bits.
  auto body = [&](long r0, long r1) {
    for (long b = r0; b < r1; ++b) {
      if (p.h0) std::memcpy(hbuf[0] + b * U, p.h0 + b * U, ubytes);
      else std::memset(hbuf[0] + b * U, 0, ubytes);
      if (cbuf && p.c0) std::memcpy(cbuf + b * U, p.c0 + b * U, ubytes);
      else if (cbuf) std::memset(cbuf + b * U, 0, ubytes);
    }
    std::vector<int> rows((size_t)(r1 - r0));
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      // Without h0 every row starts from zeros, so the first step's h_prev R is +0 in every lane (finite weights):
      // skipping it changes no bit and saves one step of the recurrent product per call.
      const bool zero_state = s == 0 && !p.h0;
      const float* hp = hbuf[s & 1];
      float* hn = hbuf[(s + 1) & 1];
      long na = 0;
      for (long b = r0; b < r1; ++b) {
        if (!p.mask || p.mask[b * T + t]) {
          rows[(size_t)na++] = (int)b;
          continue;
        }
        // Masked: the state is carried; the output repeats the previous one (zeros before the first real step).
        std::memcpy(hn + b * U, hp + b * U, ubytes);
        if (!p.hs) continue;
        if (s > first[(size_t)b]) std::memcpy(p.hs + (b * T + s) * U, hp + b * U, ubytes);
        else std::memset(p.hs + (b * T + s) * U, 0, ubytes);
      }
      // The cell on one row's register tile of units u0.. (in W-lane parts: the activations are rnn_common.h's).
      auto finish = [&](const vw* acc, long b, long u0, int nu) {
        const float* xb = xrow(b, t);
        if (s + 1 < T && u0 == 0) {
          const float* xn = xrow(b, p.back ? t - 1 : t + 1);
          for (long o = 0; o < GU; o += 16) __builtin_prefetch(xn + o, 0, 3);
        }
        float* c = cbuf ? cbuf + b * U : nullptr;
        for (int part = 0; part * W < nu; ++part) {
          vf av[G];
          for (int g = 0; g < G; ++g) __builtin_memcpy(&av[g], (const float*)&acc[g] + part * W, sizeof(vf));
          const long uh = u0 + part * W;
          cell(av, xb + uh, hp + b * U, hn + b * U, c, uh, std::min(nu - part * W, W));
        }
      };
      if (!panels) {
        // R in place (a few row-steps, U a whole number of blocks): a row at a time, several blocks per tile.
        for (long i = 0; i < na; ++i) {
          const long b = rows[(size_t)i];
          for_tiles<blocks_for(G)>(nb, [&](long j0, auto Nc) {
            constexpr int N = decltype(Nc)::value;
            vw acc[N][G] = {};
            if (!zero_state) row_accum<N, G>(acc, U, hp + b * U, p.r + j0 * WL, GU, U);
            for (int n = 0; n < N; ++n) finish(acc[n], b, (j0 + n) * WL, WL);
          });
        }
      }
      for (long jb = 0; jb < nb && na > 0 && panels; ++jb) {
        const float* panel = panels + jb * U * G * WL;
        const long u0 = jb * WL;
        const int nu = (int)std::min<long>(WL, U - u0);
        for_tiles<MM>(na, [&](long i0, auto Mc) {
          constexpr int M = decltype(Mc)::value;
          const float* ap[M];
          for (int m = 0; m < M; ++m) ap[m] = hp + (long)rows[(size_t)(i0 + m)] * U;
          vw acc[M][G] = {};
          if (!zero_state) wide_accum<M, G>(acc, U, ap, panel);
          for (int m = 0; m < M; ++m) finish(acc[m], rows[(size_t)(i0 + m)], u0, nu);
        });
      }
      if (p.hs)
        for (long i = 0; i < na; ++i) std::memcpy(p.hs + ((long)rows[(size_t)i] * T + s) * U, hn + rows[(size_t)i] * U, ubytes);
    }
    const float* hl = hbuf[T & 1];
    for (long b = r0; b < r1; ++b) {
      // The final output: zeros for a row with no real step (as the training pass's last output).
      if (first[(size_t)b] < T) std::memcpy(p.hT + b * U, hl + b * U, ubytes);
      else std::memset(p.hT + b * U, 0, ubytes);
      if (p.cT) std::memcpy(p.cT + b * U, cbuf + b * U, ubytes);
    }
  };
  // Chunks of rows go to whichever thread claims them first: on a loaded machine a preempted worker costs
  // nothing, as the calling thread takes its chunks (a static split waited a whole time slice for it).
  const int nth = rl::num_threads();
  const bool split = nth > 1 && B >= 2 * MM && (double)B * T * U * GU >= 2e6;
  const long chunks = split ? std::min<long>(std::max<long>(B / 16, 2), 4L * nth) : 1;
  const long per = (B + chunks - 1) / chunks;
  if (chunks == 1) body(0, B);
  else rl::parallel_chunks(chunks, [&](long c) { body(c * per, std::min(B, (c + 1) * per)); });
}

// Packing R costs about as much as the product for U/4 row-steps (measured: U=128, one row and step: 16 us packed,
// 1 us of product); for fewer, as at batch 1, R is read where it is.
inline bool in_place(const Seq& p) { return p.U % WL == 0 && p.B * p.T * 4 <= p.U; }

template <class A, class RA>
void lstm_run(const Seq& p, const float* panels, A act, RA ract) {
  const long U = p.U;
  drive<4>(p, panels, [&](vf* acc, const float* x, const float* hp, float* hn, float* c, long u0, int nu) {
    (void)hp;
    vf ig = ract(acc[0] + vloadn(x, nu));
    vf fg = ract(acc[1] + vloadn(x + U, nu));
    vf cg = act(acc[2] + vloadn(x + 2 * U, nu));
    vf og = ract(acc[3] + vloadn(x + 3 * U, nu));
    vf cv = fg * vloadn(c + u0, nu) + ig * cg;
    vstoren(c + u0, cv, nu);
    vstoren(hn + u0, og * act(cv), nu);
  });
}

void lstm(const Seq& p) {
  const long U = p.U;
  float* panels = in_place(p) ? nullptr : reused(0, (size_t)(wblocks(U) * U * 4 * WL));
  if (panels) pack_wide(p.r, U, 4, panels);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) { lstm_run(p, panels, act, ract); });
}

// v as the training kernel has it after storing it. GCC fuses a product whose every use is an addition into each of
// those additions (one rounding fewer); the training GRU also stores its candidate n (a product: tanh and sigmoid end
// in one), so there n stays rounded. Without the store, whether n is fused into the cell's arithmetic that follows
// would depend on how the cell was inlined; this keeps it rounded everywhere, so the bits match.
RLV vf as_stored(vf v) {
  asm("" : "+m"(v));
  return v;
}

template <class A, class RA>
void gru_run(const Seq& p, const float* panels, A act, RA ract) {
  const long U = p.U;
  drive<3>(p, panels, [&](vf* acc, const float* x, const float* hp, float* hn, float* c, long u0, int nu) {
    (void)c;
    vf rbz = vzero(), rbr = vzero(), rbh = vzero();
    if (p.rb) {
      rbz = vloadn(p.rb + u0, nu);
      rbr = vloadn(p.rb + U + u0, nu);
      rbh = vloadn(p.rb + 2 * U + u0, nu);
    }
    vf hhv = acc[2] + rbh;
    vf z = ract(acc[0] + rbz + vloadn(x, nu));
    vf rr = ract(acc[1] + rbr + vloadn(x + U, nu));
    vf n = as_stored(act(vloadn(x + 2 * U, nu) + rr * hhv));
    vf h = z * vloadn(hp + u0, nu) + (1.0f - z) * n;
    vstoren(hn + u0, h, nu);
  });
}

void gru(const Seq& p) {
  const long U = p.U;
  float* panels = in_place(p) ? nullptr : reused(0, (size_t)(wblocks(U) * U * 3 * WL));
  if (panels) pack_wide(p.r, U, 3, panels);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) { gru_run(p, panels, act, ract); });
}

namespace {
RL_REGISTER_PASS(kFamilyRnnInfer, t.lstm_infer = lstm; t.gru_infer = gru);
}  // namespace

#endif  // RL_PASS
