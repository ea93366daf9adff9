// Shared machinery of the fused recurrent kernels (lstm.cc, gru.cc, simple_rnn.cc).
//
// How a recurrent kernel runs (one call per sequence; the cost model is in ../shared/docs/performance-model.md):
// - The recurrent weights are packed once per call into panels of W hidden units (16 in the AVX-512 pass, 8 in
//   the others: one vector register, see W below): the forward panel of a
//   unit block holds, for every k < U, the block's columns of each gate side by side, so one register tile
//   computes i, f, c~, o (or z, r, h) of the same units and the gate math runs on the accumulators while they
//   are still in registers. The backward panels hold R^T the same way (for dh_prev = dgates R^T).
// - One parallel region covers the whole time loop. A Plan splits the work either by batch rows (each thread
//   runs its rows through all T steps: no synchronisation at all) or, for small batches, by hidden units (each
//   thread owns a contiguous run of unit blocks across all gates; one spin barrier per step). Nothing is
//   allocated and nothing crosses into JS inside the loop.
// - Masked rows are left out of the step's register tiles (their state is copied), so padding costs only a copy.
// - Backward writes dgates straight into dxp, runs dh_prev = dgates R^T per step, and sums dR = h_prev^T dgates
//   a block of steps at a time while they are still in cache (DrAccum: each thread its rows' or units' share).
//
// Keras's masking: at a masked step the state is carried and the output repeats the previous output; before the
// first real step of a row that previous output is zero (backend.rnn starts from zeros), so hs holds zeros there
// even when h0 is given, while the state is still h0. Storage order of hs/cs/gates/hh/dhs/dhAll is processing
// order (s), of xp/dxp input time (t = goBackwards ? T-1-s : s).
//
// The SIMD part of this header (below RL_PASS) is compiled once per instruction set: each cell's pass body
// (isa_passes.h) includes it again inside that pass's namespace and target; the kernel table picks the pass.
// Test hook, read on every call: RNNLAB_RNN_SPLIT=serial|batch|unit forces the threading plan.
#ifndef RL_RNN_COMMON_BASE_H
#define RL_RNN_COMMON_BASE_H

#include <napi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common.h"
#include "kernel_util.h"
#include "simd_math.h"
#include "threadpool.h"

#include "isa.h"
#if RL_X86
#include <immintrin.h>
#endif

namespace rl {
namespace rnn {


// The argument reader of the recurrent bindings: B, T, U come first (each >= 1); every later argument is read in
// order, an array checked against the length its role implies for a cell of G gates.
class SeqArgs : public Args {
 public:
  enum Len { kGates, kWeights, kBias, kState, kSeq, kMask };  // B*T*G*U, U*G*U, G*U, B*U, B*T*U, B*T
  long B, T, U;

  SeqArgs(const Napi::CallbackInfo& info, const char* kernel, int G) : Args(info, kernel) {
    B = integer(0, "B", 1), T = integer(1, "T", 1), U = integer(2, "U", 1);
    len_[kGates] = dims_product(*this, "gates", {B, T, U, G});
    len_[kWeights] = dims_product(*this, "r", {U, U, G});
    len_[kBias] = dims_product(*this, "rb", {U, G});
    len_[kState] = dims_product(*this, "h0", {B, U});
    len_[kSeq] = dims_product(*this, "hs", {B, T, U});
    len_[kMask] = dims_product(*this, "mask", {B, T});
  }
  // The kernel's parameter struct P, zeroed, with B, T and U set.
  template <class P>
  P dims() const {
    P p{};
    p.B = B, p.T = T, p.U = U;
    return p;
  }
  float* arr(const char* name, Len len) { return f32(next_++, name, len_[len]); }
  float* optional(const char* name, Len len) { return f32(next_++, name, len_[len], true); }
  const uint8_t* mask() { return u8(next_++, "mask", len_[kMask], true); }
  bool option(const char* name) { return flag(next_++, name); }
  int act(const char* name) { return act_code(*this, next_++, name); }
  // Runs the pass on p when every argument was good (else the pending exception stands).
  template <class P>
  Napi::Value run(void (*pass)(const P&), const P& p) {
    if (ok()) pass(p);
    return env().Undefined();
  }

 private:
  size_t len_[6] = {};
  size_t next_ = 3;
};

// Unit blocks of w hidden units (w = lanes per vector of the pass: W below).
inline long nblocks(long U, int w) { return (U + w - 1) / w; }

// How the threads share a sequence.
struct Plan {
  bool unit = false;  // split hidden-unit blocks (barrier per step) instead of batch rows (no barrier)
  bool serial = true;
  // This thread's batch rows [r0, r1) and unit blocks [j0, j1).
  void assign(int tid, int nth, long B, long nblk, long* r0, long* r1, long* j0, long* j1) const {
    *r0 = 0; *r1 = B; *j0 = 0; *j1 = nblk;
    if (nth <= 1) return;
    if (unit) split_range(nblk, tid, nth, 1, j0, j1);
    else split_range(B, tid, nth, 1, r0, r1);
  }
};

// fma_per_row_step: multiply-adds of one batch row in one step (e.g. U * G * U); w: the pass's block width.
inline Plan make_plan(long B, long T, long U, double fma_per_row_step, int w) {
  Plan p;
  int nth = num_threads();
  const char* env = std::getenv("RNNLAB_RNN_SPLIT");
  if (env && !std::strcmp(env, "serial")) return p;
  if (nth <= 1) return p;
  if (env && !std::strcmp(env, "batch")) { p.serial = false; return p; }
  if (env && !std::strcmp(env, "unit")) { p.serial = false; p.unit = true; return p; }
  double total = fma_per_row_step * (double)B * (double)T;
  if (total < 2e6) return p;  // under ~0.1 ms of work: waking the pool costs more
  if (B >= 4L * nth) { p.serial = false; return p; }
  // Few rows: split the units if each thread still gets a few thousand multiply-adds per step (a spin barrier
  // costs well under a microsecond; measured: LSTM B=1 U=100 runs 1.7x faster on 2 cores than on one).
  if (nblocks(U, w) >= 2L * nth && fma_per_row_step * (double)B / nth >= 8000) { p.serial = false; p.unit = true; return p; }
  if (B >= nth) p.serial = false;
  return p;
}

template <class F>
inline void run_plan(const Plan& p, F&& body) {
  if (p.serial) { body(0, 1); return; }
  parallel([&](int tid, int nth) { body(tid, nth); });
}

inline void sync(int nth) {
  if (nth > 1) barrier();
}

// Processing step of each row's first real step (T when the row is all masked).
inline void first_real_steps(long B, long T, const uint8_t* mask, bool back, std::vector<int>& first) {
  first.assign((size_t)B, 0);
  if (!mask) return;
  for (long b = 0; b < B; ++b) {
    long s = 0;
    for (; s < T; ++s) {
      long t = back ? T - 1 - s : s;
      if (mask[b * T + t]) break;
    }
    first[(size_t)b] = (int)s;
  }
}

// Hidden units in the last unit block of width w (w when U is a multiple of w).
inline long tail_units(long U, int w) { return U - (nblocks(U, w) - 1) * w; }

// Whether the forward panel of the last unit block packs its G gates into one vector (gate g in lanes
// [g*nu, (g+1)*nu) for its nu units) instead of G vectors of nu live lanes each: U = 100 in blocks of 16 leaves 4
// units, so an LSTM's last block then costs 1 vector of FMAs instead of 4 (about 11 % of the forward's FMAs).
inline bool packs_tail(long U, int G, int w) {
  const long nu = tail_units(U, w);
  return G > 1 && nu < w && G * nu <= w;
}

// Forward panels: for each unit block jb, [k < K][g < G][v < w] = r[k * ldr + gcol[g] + jb*w + v] (0 past U);
// with pack_tail and packs_tail(U, G, w) the last block is [k < K][g*nu + v] instead (0 past G*nu), in the first
// K*w floats of its room (the kernel then reads it with gate_sums).
inline void pack_gate_panels(const float* r, long K, long ldr, long U, int G, const long* gcol, int w, float* out,
                             bool pack_tail = false) {
  const long nb = nblocks(U, w), nu = tail_units(U, w);
  const bool packed = pack_tail && packs_tail(U, G, w);
  for (long jb = 0; jb < nb; ++jb) {
    float* o = out + jb * K * G * w;
    if (packed && jb == nb - 1) {
      for (long k = 0; k < K; ++k)
        for (int lane = 0; lane < w; ++lane) {
          const long g = lane / nu, v = lane % nu;
          *o++ = g < G ? r[k * ldr + gcol[g] + jb * w + v] : 0.0f;
        }
      break;
    }
    for (long k = 0; k < K; ++k)
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < w; ++v) {
          long u = jb * w + v;
          *o++ = u < U ? r[k * ldr + gcol[g] + u] : 0.0f;
        }
  }
}

// Backward panels (R^T): for each unit block jb, [j < J][v < w] = r[(jb*w + v) * ldr + j] (0 past U).
inline void pack_transposed_panels(const float* r, long J, long ldr, long U, int w, float* out) {
  long nb = nblocks(U, w);
  for (long jb = 0; jb < nb; ++jb) {
    float* o = out + jb * J * w;
    for (long j = 0; j < J; ++j)
      for (int v = 0; v < w; ++v) {
        long u = jb * w + v;
        *o++ = u < U ? r[u * ldr + j] : 0.0f;
      }
  }
}

// One run of rows of the dR accumulation: rows k < K contribute a[k*lda + 0..M) (outer) b[k*ldb + cols]; with b2,
// the columns from outer_accum's csplit on come from b2[k*ldb2 + col - csplit] instead (two gate arrays side by
// side, e.g. GRU's dz, dr in dxp and its candidate's gradient in a scratch array, summed in one pass).
struct Seg {
  const float* a;
  long lda;
  const float* b;
  long ldb;
  long K;
  const float* b2 = nullptr;
  long ldb2 = 0;
};

// The segments of one block of BPTT's dR accumulation, dR += sum a(b, s)^T g(b, s) over processing steps
// [sa, sb) of batch rows [r0, r1), one segment per row (its steps in ascending order): g(b, s) = g + (b*T + t)*ldg
// with t the input time of s when gtime, else s. With shifted, a(b, s) is h_prev: hs's row s-1, or h0's row b at
// the row's first real step (nothing when h0 is null: h_prev is zero there); otherwise a(b, s) is a's own row s.
// A ring (aring, gring: its slots per row, 0 for none) holds only the latest steps of rows [r0, r1): row (b, s) at
// ((b - r0) * ring + (T-1-s) % ring) rows from its start; a block of at most `ring` steps ending at T or at a
// multiple of ring steps before it (DrAccum's blocks) then has all its steps there.
// Steps before a row's first real step are left out (their g is zero), so leading padding costs nothing here.
inline void block_segments(std::vector<Seg>& segs, long r0, long r1, long T, long U, const int* first, bool back,
                           long sa, long sb, const float* a, long aring, const float* h0, bool shifted, const float* g,
                           long ldg, bool gtime, long gring) {
  segs.clear();
  const bool rev = gtime && back;
  const long gstep = gring || rev ? -ldg : ldg;
  for (long b = r0; b < r1; ++b) {
    long lo = std::max(sa, (long)first[b]);
    if (lo >= sb) continue;
    auto grow = [&](long s) {
      return gring ? g + ((b - r0) * gring + (T - 1 - s) % gring) * ldg : g + (b * T + (rev ? T - 1 - s : s)) * ldg;
    };
    if (shifted && lo == first[b]) {
      if (h0) segs.push_back(Seg{h0 + b * U, U, grow(lo), gstep, 1});
      if (++lo >= sb) continue;
    }
    const float* arow = aring ? a + ((b - r0) * aring + (T - 1 - lo) % aring) * U : a + (b * T + lo - (shifted ? 1 : 0)) * U;
    segs.push_back(Seg{arow, aring ? -U : U, grow(lo), gstep, sb - lo});
  }
}

// SimpleRNN keeps the whole-sequence dR pass below (one pass over all steps after BPTT) rather than DrAccum:
// its summation order is the one the lab's SimpleRNN accuracy in docs/RESULTS.md was measured with, and that
// 20-epoch run moves across the lab's 72 % line with rounding-level changes.
// The rows whose first real step takes h0 as h_prev, for the dR accumulation (hs holds no such row): h0's rows
// gathered in h, and room in g for the matching dgates rows (ldg columns), which the threads fill after BPTT.
struct Corr {
  const long* rows;
  long n;
  const float* h;
  float* g;
};
struct CorrBuf {
  std::vector<long> rows;
  std::vector<float> h, g;
  CorrBuf(long B, long T, long U, long ldg, const float* h0, const std::vector<int>& first) {
    if (!h0) return;
    for (long b = 0; b < B; ++b)
      if (first[(size_t)b] < T) rows.push_back(b);
    h.resize(rows.size() * (size_t)U);
    g.resize(rows.size() * (size_t)ldg);
    for (size_t i = 0; i < rows.size(); ++i) std::memcpy(&h[i * (size_t)U], h0 + rows[i] * U, (size_t)U * sizeof(float));
  }
  Corr view() { return Corr{rows.data(), (long)rows.size(), h.data(), g.data()}; }
};

// The segments of dR += sum_{b, s >= 1} hs[b, s-1]^T g(b, s), where g(b, s) = g + (b*T + t(s)) * ldg: h_prev is hs
// shifted by one step. A row's steps up to its first real one are left out: before it g is zero (masked), and at it
// h_prev is h0, whose rows come from Corr. So leading padding costs nothing here either.
inline void shifted_h_segments(std::vector<Seg>& segs, const float* hs, long B, long T, long U, const float* g, long ldg,
                               bool back, const int* first) {
  for (long b = 0; b < B; ++b) {
    const long s0 = std::max(1L, (long)first[b] + 1);
    if (s0 >= T) continue;
    const long t0 = back ? T - 1 - s0 : s0;
    segs.push_back(Seg{hs + (b * T + s0 - 1) * U, U, g + (b * T + t0) * ldg, back ? -ldg : ldg, T - s0});
  }
}

template <int N>
using IC = std::integral_constant<int, N>;

}  // namespace rnn
}  // namespace rl

#endif  // RL_RNN_COMMON_BASE_H

// ================================================================================================ SIMD pass
// Included once per instruction-set pass, inside that pass's namespace, with RL_PASS set (isa_passes.h).
#ifdef RL_PASS

// Every function below is force-inlined into its pass's kernels, so the note about passing 32-byte vectors
// without AVX (the portable pass) is moot.
#pragma GCC diagnostic ignored "-Wpsabi"

using rl::rnn::IC;
using rl::rnn::Seg;

#ifndef RLV
#define RLV inline __attribute__((always_inline))
#endif
// The same for a lambda (after its parameter list): one the compiler keeps out of line costs a call per row, which
// spills every vector register.
#ifndef RLV_LAMBDA
#define RLV_LAMBDA __attribute__((always_inline))
#endif

// Hidden units per block = lanes per vector: 16 (one zmm) in the AVX-512 pass, whose FMAs are twice as wide
// as ymm ones on CPUs with a full-width 512-bit datapath (Zen 5) and no slower where AVX-512 is split in two
// halves (Zen 4), 8 elsewhere (one ymm; the portable pass lets GCC split it into SSE pairs). Every lane
// computes the same operations in the same order at either width, so the results do not depend on W.
#if RL_PASS == 2
constexpr int W = 16;
#else
constexpr int W = 8;
#endif
typedef float vf __attribute__((vector_size(4 * W)));
typedef int32_t vi __attribute__((vector_size(4 * W)));
inline long nblocks(long U) { return rl::rnn::nblocks(U, W); }

// Accumulator registers a register tile may use: AVX-512 has 32 zmm registers, AVX2 16 ymm, SSE2 16 xmm (2 per vf).
#if RL_PASS == 2
constexpr int kMaxAcc = 24;
#elif RL_PASS == 1
constexpr int kMaxAcc = 12;
#else
constexpr int kMaxAcc = 6;
#endif
constexpr int rows_for(int nv) { return kMaxAcc / nv < 1 ? 1 : (kMaxAcc / nv > 8 ? 8 : kMaxAcc / nv); }

RLV vf vload(const float* p) {
  vf v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
// A float-typed store (vf's alias set is float's), not memcpy's, which may alias anything: after one of those
// the compiler reloads every pointer and count it had in registers from memory.
typedef float vf_unaligned __attribute__((vector_size(4 * W), aligned(4)));
RLV void vstore(float* p, vf v) { *(vf_unaligned*)p = v; }
#if RL_PASS == 2
// All lanes. (The maskz forms of the intrinsics below: their unmasked forms draw GCC 12's -Wmaybe-uninitialized.)
constexpr __mmask16 kAll = 0xffff;
RLV vf vset(float x) { return (vf)_mm512_set1_ps(x); }
#else
RLV vf vset(float x) { return vf{x, x, x, x, x, x, x, x}; }
#endif
RLV vf vzero() { return vf{}; }

// First n (1..W) lanes; the rest read as 0 / are left untouched. Never touches memory past p + n.
RLV vf vload_part(const float* p, int n) {
#if RL_PASS == 2
  return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), p);
#elif RL_PASS == 1
  const vi lane = {0, 1, 2, 3, 4, 5, 6, 7};
  vi m = lane < n;
  return (vf)_mm256_maskload_ps(p, (__m256i)m);
#else
  vf v = {};
  float tmp[W] = {};
  for (int i = 0; i < n; ++i) tmp[i] = p[i];
  __builtin_memcpy(&v, tmp, sizeof v);
  return v;
#endif
}
RLV void vstore_part(float* p, vf v, int n) {
#if RL_PASS == 2
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1), (__m512)v);
#else
  float tmp[W];
  __builtin_memcpy(tmp, &v, sizeof v);
  for (int i = 0; i < n; ++i) p[i] = tmp[i];
#endif
}
RLV vf vloadn(const float* p, int n) { return n == W ? vload(p) : vload_part(p, n); }
RLV void vstoren(float* p, vf v, int n) {
  if (n == W) vstore(p, v);
  else vstore_part(p, v, n);
}

// One LSTM step for one row's block of nu units (Keras gate order i, f, c, o), from the recurrent sums acc[0..3]:
// x the block's projected input, cp the previous cell state; writes the four gates to g (U apart), c and h.
// Shared by the fp32 cells (lstm.cc) and their bf16 twins (lstm_bf16.cc), so both compute the same expressions.
template <class A, class RA>
RLV vf lstm_step(const vf* acc, const float* x, const float* cp, float* g, float* c_out, float* h_out, long U, int nu,
                 A act, RA ract) {
  vf ig = ract(acc[0] + vloadn(x, nu));
  vf fg = ract(acc[1] + vloadn(x + U, nu));
  vf cg = act(acc[2] + vloadn(x + 2 * U, nu));
  vf og = ract(acc[3] + vloadn(x + 3 * U, nu));
  vf c = fg * vloadn(cp, nu) + ig * cg;
  vf h = og * act(c);
  vstoren(g, ig, nu);
  vstoren(g + U, fg, nu);
  vstoren(g + 2 * U, cg, nu);
  vstoren(g + 3 * U, og, nu);
  vstoren(c_out, c, nu);
  vstoren(h_out, h, nu);
  return h;
}

// a < b ? a : b and a > b ? a : b, lane by lane (b where either is NaN, or both are zeros): exactly what x86's
// min/max instructions compute with a first, in one instruction instead of a compare and a blend.
RLV vf vmin(vf a, vf b) {
#if RL_PASS == 2
  return (vf)_mm512_maskz_min_ps(kAll, (__m512)a, (__m512)b);
#elif RL_PASS == 1
  return (vf)_mm256_min_ps((__m256)a, (__m256)b);
#else
  return a < b ? a : b;
#endif
}
RLV vf vmax(vf a, vf b) {
#if RL_PASS == 2
  return (vf)_mm512_maskz_max_ps(kAll, (__m512)a, (__m512)b);
#elif RL_PASS == 1
  return (vf)_mm256_max_ps((__m256)a, (__m256)b);
#else
  return a > b ? a : b;
#endif
}
RLV vf vsel(vi m, vf a, vf b) { return m ? a : b; }

// 1/y. AVX-512: 14-bit estimate + one Newton step (~2^-27 relative); elsewhere a division.
RLV vf vrcp(vf y) {
#if RL_PASS == 2
  vf r = (vf)_mm512_maskz_rcp14_ps(kAll, (__m512)y);
  return r * (2.0f - y * r);
#else
  return 1.0f / y;
#endif
}

// p / q. AVX-512: reciprocal estimate + one Newton step; elsewhere a division.
RLV vf vdiv(vf p, vf q) {
#if RL_PASS == 2
  return p * vrcp(q);
#else
  return p / q;
#endif
}

// e^x for x in [-86, rl::kExpMax]; inputs outside are clamped (so e^x stays a normal float and 2^(n-1) one normal
// factor), NaN propagates (the clamps are written so that a NaN x falls through). The polynomial is simd_math.h's.
// Only vsigmoid takes it, at -x: below -86 that is a sigmoid of x > 86, which is 1 either way.
RLV vf vexp(vf x) {
  const vf c = vmax(vset(-86.0f), vmin(vset(rl::kExpMax), x));
#if RL_PASS == 2
  vf fn = (vf)_mm512_maskz_roundscale_ps(kAll, (__m512)(c * 1.44269504088896341f),
                                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return (vf)_mm512_maskz_scalef_ps(kAll, (__m512)rl::exp_reduced(c, fn), (__m512)fn);
#else
  const vf magic = vset(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
  vf t = c * 1.44269504088896341f + magic;
  vi n = (vi)t - (vi)magic;
  // (2p) 2^(n-1): 2^n alone is inf at n = 128; doubling first is exact, so every other result is p 2^n bit for bit.
  const vf p = rl::exp_reduced(c, t - magic);
  return (p + p) * (vf)((n + 126) << 23);
#endif
}
// simd_math.h's sigmoid rule: 0 below rl::kSigmoidZeroBelow.
RLV vf vsigmoid(vf x) { return vsel(x < rl::kSigmoidZeroBelow, vzero(), vrcp(1.0f + vexp(-x))); }
// tanh as a rational function of x (odd degree-13 over even degree-6 polynomial, the minimax fit Eigen uses) on
// [-7.905, 7.905], +-1 to float precision outside: relative error below 4e-7 everywhere, and no exp.
RLV vf vtanh(vf x) {
  const vf c = vmax(vset(-7.90531110763549805f), vmin(vset(7.90531110763549805f), x));
  vf z = c * c;
  vf p = vset(-2.76076847742355e-16f);
  p = p * z + 2.00018790482477e-13f;
  p = p * z + -8.60467152213735e-11f;
  p = p * z + 5.12229709037114e-08f;
  p = p * z + 1.48572235717979e-05f;
  p = p * z + 6.37261928875436e-04f;
  p = p * z + 4.89352455891786e-03f;
  vf q = vset(1.19825839466702e-06f);
  q = q * z + 1.18534705686654e-04f;
  q = q * z + 2.26843463243900e-03f;
  q = q * z + 4.89352518554385e-03f;
  // Past |x| = 9.0109 float32's tanh rounds to exactly ±1, where the rational stops 4 ulps short (0.99999976): a
  // saturated unit would keep a gradient (1 - y)(1 + y) of 4.8e-7 that the reference kernels and tfjs do not have.
  const vf r = vdiv(p * c, q);
  return vsel(x > 9.0109f, vset(1.0f), vsel(x < -9.0109f, vset(-1.0f), r));
}
RLV vf vhard_sigmoid(vf x) {
  vf y = vmin(vmax(0.2f * x + 0.5f, vzero()), vset(1.0f));
  return vsel(x != x, x, y);
}
RLV vf vrelu(vf x) { return vsel(x > 0.0f, x, vsel(x != x, x, vzero())); }

RLV vf act_apply(int code, vf x) {
  switch (code) {
    case rl::ACT_TANH: return vtanh(x);
    case rl::ACT_SIGMOID: return vsigmoid(x);
    case rl::ACT_HARD_SIGMOID: return vhard_sigmoid(x);
    case rl::ACT_RELU: return vrelu(x);
    default: return x;
  }
}
// act'(.) from the activation's output y.
RLV vf act_grad(int code, vf y) {
  switch (code) {
    case rl::ACT_TANH: return rl::tanh_grad_y(y);
    case rl::ACT_SIGMOID: return rl::sigmoid_grad_y(y);
    case rl::ACT_HARD_SIGMOID: return vsel((y > 0.0f) & (y < 1.0f), vset(0.2f), vzero());
    case rl::ACT_RELU: return vsel(y > 0.0f, vset(1.0f), vzero());
    default: return vset(1.0f);
  }
}

// An activation fixed at compile time (C >= 0) or chosen at run time (C < 0, code in `code`).
template <int C>
struct ActT {
  int code;
  RLV vf operator()(vf x) const { return act_apply(C >= 0 ? C : code, x); }
  RLV vf grad(vf y) const { return act_grad(C >= 0 ? C : code, y); }
};

// run(act) with the activation fixed at compile time when it is tanh (the common case), otherwise chosen
// at run time: the same per-lane operations either way.
template <class F>
inline void with_act(int act, F&& run) {
  if (act == rl::ACT_TANH) run(ActT<rl::ACT_TANH>{act});
  else run(ActT<-1>{act});
}

// run(act, ract) likewise for a gated cell, fixed for the common pair (tanh, sigmoid).
template <class F>
inline void with_gate_acts(int act, int ract, F&& run) {
  if (act == rl::ACT_TANH && ract == rl::ACT_SIGMOID) run(ActT<rl::ACT_TANH>{act}, ActT<rl::ACT_SIGMOID>{ract});
  else run(ActT<-1>{act}, ActT<-1>{ract});
}

#if RL_PASS == 1
// AVX2 only: N vectors through vsigmoid / vtanh side by side. Each vector gets exactly vsigmoid's / vtanh's
// operations (the same expressions, so GCC fuses the same products and every lane is the same bits), but statement
// by statement over the N vectors, so the N independent dependency chains are interleaved in the instruction stream.
// Called one vector after another, each activation is one long chain (~15 dependent operations, a division among
// them). Used by the GRU forward's tile (gru.cc), whose gate math took about as long as its recurrent product
// (perf, Zen 3); the LSTM forward's tile measured no faster this way (interleaving a whole tile's 12 activations
// spills registers; per row, slower), so it keeps lstm_step.
template <int N>
RLV void vexp_n(vf (&x)[N]) {
  const vf magic = vset(12582912.0f);  // as vexp
  vf c[N], t[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) c[j] = vmax(vset(-86.0f), vmin(vset(rl::kExpMax), x[j]));
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) t[j] = c[j] * 1.44269504088896341f + magic;
  vi n[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) n[j] = (vi)t[j] - (vi)magic;
  // rl::exp_reduced(c, t - magic), statement by statement.
  vf r[N], z[N], p[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) {
    const vf fn = t[j] - magic;
    r[j] = c[j] - fn * rl::kLn2Hi;
    r[j] = r[j] - fn * rl::kLn2Lo;
  }
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) z[j] = r[j] * r[j];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = r[j] * rl::kExpPoly[0] + rl::kExpPoly[1];
#pragma GCC unroll 4
  for (int i = 2; i < 6; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < N; ++j) p[j] = p[j] * r[j] + rl::kExpPoly[i];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + r[j] + 1.0f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) x[j] = (p[j] + p[j]) * (vf)((n[j] + 126) << 23);
}
template <int N>
RLV void vsigmoid_n(vf (&x)[N]) {
  vf e[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) e[j] = -x[j];
  vexp_n(e);
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) x[j] = vsel(x[j] < rl::kSigmoidZeroBelow, vzero(), vrcp(1.0f + e[j]));
}
template <int N>
RLV void vtanh_n(vf (&x)[N]) {
  vf c[N], z[N], p[N], q[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) c[j] = vmax(vset(-7.90531110763549805f), vmin(vset(7.90531110763549805f), x[j]));
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) z[j] = c[j] * c[j];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = vset(-2.76076847742355e-16f), q[j] = vset(1.19825839466702e-06f);
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + 2.00018790482477e-13f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + -8.60467152213735e-11f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) q[j] = q[j] * z[j] + 1.18534705686654e-04f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + 5.12229709037114e-08f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) q[j] = q[j] * z[j] + 2.26843463243900e-03f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + 1.48572235717979e-05f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) q[j] = q[j] * z[j] + 4.89352518554385e-03f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + 6.37261928875436e-04f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) p[j] = p[j] * z[j] + 4.89352455891786e-03f;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) {
    const vf r = vdiv(p[j] * c[j], q[j]);
    x[j] = vsel(x[j] > 9.0109f, vset(1.0f), vsel(x[j] < -9.0109f, vset(-1.0f), r));
  }
}
// x[j] = a(x[j]) for j < N, interleaved (above) for tanh and sigmoid fixed at compile time.
template <int C, int N>
RLV void act_n(const ActT<C>& a, vf (&x)[N]) {
  if constexpr (C == rl::ACT_TANH) {
    vtanh_n(x);
  } else if constexpr (C == rl::ACT_SIGMOID) {
    vsigmoid_n(x);
  } else {
    for (int j = 0; j < N; ++j) x[j] = a(x[j]);
  }
}

#endif  // RL_PASS == 1

// Calls f(IC<m>) for m in 1..MM.
template <int MM, class F>
RLV void dispatch_rows(int m, F&& f) {
  switch (m) {
    case 1: f(IC<1>{}); break;
    case 2: if constexpr (MM >= 2) f(IC<2>{}); break;
    case 3: if constexpr (MM >= 3) f(IC<3>{}); break;
    case 4: if constexpr (MM >= 4) f(IC<4>{}); break;
    case 5: if constexpr (MM >= 5) f(IC<5>{}); break;
    case 6: if constexpr (MM >= 6) f(IC<6>{}); break;
    case 7: if constexpr (MM >= 7) f(IC<7>{}); break;
    case 8: if constexpr (MM >= 8) f(IC<8>{}); break;
    default: break;
  }
}

// Splits n items into balanced tiles of at most MM; calls f(first, IC<size>).
template <int MM, class F>
RLV void for_tiles(long n, F&& f) {
  if (n <= 0) return;
  long nt = (n + MM - 1) / MM, base = n / nt, rem = n % nt, i0 = 0;
  for (long t = 0; t < nt; ++t) {
    int m = (int)(base + (t < rem ? 1 : 0));
    dispatch_rows<MM>(m, [&](auto Mc) { f(i0, Mc); });
    i0 += m;
  }
}

// Register tile: acc[m][p*VP + v] += sum_{k<K} a[m][k] * b[p][k*VP*W + v*W + lane], for M rows and NP panels of
// VP vectors each (a panel row is VP*W floats).
template <int M, int NP, int VP>
RLV void mk_accum(vf (&acc)[M][NP * VP], long K, const float* const* a, const float* const* b) {
  constexpr int NV = NP * VP;
  vf c[M][NV];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) c[m][n] = acc[m][n];
  const float* ap[M];
  const float* bp[NP];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) ap[m] = a[m];
#pragma GCC unroll 8
  for (int p = 0; p < NP; ++p) bp[p] = b[p];
  for (long k = 0; k < K; ++k) {
    vf bv[NV];
#pragma GCC unroll 8
    for (int p = 0; p < NP; ++p)
#pragma GCC unroll 8
      for (int v = 0; v < VP; ++v) bv[p * VP + v] = vload(bp[p] + k * (VP * W) + v * W);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      vf av = vset(ap[m][k]);
#pragma GCC unroll 8
      for (int n = 0; n < NV; ++n) c[m][n] = av * bv[n] + c[m][n];
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) acc[m][n] = c[m][n];
}

template <int M, int NV>
RLV void acc_zero(vf (&acc)[M][NV]) {
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) acc[m][n] = vzero();
}

// acc[m][g] = sum over k < U of ap[m][k] times gate g's columns of one unit block's forward panel. A packed panel
// (PACKED: the last block under packs_tail, nu units) sums all G gates in one vector; each gate's nu lanes are
// then moved to lanes [0, nu) of acc[m][g] (the other lanes 0, as a padded panel gives). Every lane is the same
// FMA chain either way, so packing changes no result.
template <int M, int G, bool PACKED>
RLV void gate_sums(vf (&acc)[M][G], long U, const float* const* ap, const float* panel, int nu) {
  if constexpr (!PACKED) {
    acc_zero(acc);
    mk_accum<M, 1, G>(acc, U, ap, &panel);
  } else {
    vf one[M][1];
    acc_zero(one);
    mk_accum<M, 1, 1>(one, U, ap, &panel);
    for (int m = 0; m < M; ++m) {
      float lanes[W];
      vstore(lanes, one[m][0]);
      for (int g = 0; g < G; ++g) acc[m][g] = vload_part(lanes + g * nu, nu);
    }
  }
}

// Calls tile(i0, IC<M>, std::bool_constant<packed>) over na rows, in tiles sized for a unit block's G gate vectors,
// or for the single vector of a packed block (more rows per tile keep as many FMA chains in flight).
template <int G, class F>
RLV void gate_tiles(long na, bool packed, F&& tile) {
  if (packed) for_tiles<rows_for(1)>(na, [&](long i0, auto Mc) { tile(i0, Mc, std::true_type{}); });
  else for_tiles<rows_for(G)>(na, [&](long i0, auto Mc) { tile(i0, Mc, std::false_type{}); });
}

// One A operand of panel_product: row b is base + b * bstride (K floats), times K rows of each block's panel,
// which starts at panels + jb * pstride.
struct PSeg {
  const float* base;
  long bstride;
  const float* panels;
  long pstride;
  long K;
};

#if RL_PASS == 2
// panel_product's last block when it holds nu <= 4 units (U = 100: 4 of 16 lanes): four rows per vector, lane
// 4r + u the sum for row r, unit u, so no FMA runs on padding. Per element the same chain (segments in order, k
// ascending, from zero) as a padded block's lane, so the result is the same bits.
template <bool ADD, int NSEG>
inline void panel_tail4(const int* rows, long na, long jb, long U, int nu, float* dst, long ldd, const PSeg* sg) {
  const long ng = (na + 3) / 4;
  for_tiles<8>(ng, [&](long g0, auto Mc) {
    constexpr int M = decltype(Mc)::value;
    vf acc[M];
    for (int m = 0; m < M; ++m) acc[m] = vzero();
    for (int e = 0; e < NSEG; ++e) {
      const float* ap[M][4];
      for (int m = 0; m < M; ++m)
        for (int r = 0; r < 4; ++r) {
          const long i = std::min((g0 + m) * 4 + r, na - 1);  // a missing row repeats the last; not stored
          ap[m][r] = sg[e].base + (long)rows[i] * sg[e].bstride;
        }
      const float* bp = sg[e].panels + jb * sg[e].pstride;
      const long K = sg[e].K;
      long k = 0;
      for (; k + 8 <= K; k += 8) {  // rows 0, 1 of the group's 8 k in one vector, rows 2, 3 in another
        __m512 x01[M], x23[M];
#pragma GCC unroll 8
        for (int m = 0; m < M; ++m) {
          x01[m] = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(ap[m][0] + k)),
                                      _mm256_loadu_ps(ap[m][1] + k), 1);
          x23[m] = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(ap[m][2] + k)),
                                      _mm256_loadu_ps(ap[m][3] + k), 1);
        }
#pragma GCC unroll 8
        for (int j = 0; j < 8; ++j) {
          const vf bv = (vf)_mm512_maskz_broadcast_f32x4(kAll, _mm_loadu_ps(bp + (k + j) * W));
          const __m512i idx = _mm512_set_epi32(24 + j, 24 + j, 24 + j, 24 + j, 16 + j, 16 + j, 16 + j, 16 + j, 8 + j,
                                               8 + j, 8 + j, 8 + j, j, j, j, j);
#pragma GCC unroll 8
          for (int m = 0; m < M; ++m) acc[m] = (vf)_mm512_permutex2var_ps(x01[m], idx, x23[m]) * bv + acc[m];
        }
      }
      for (; k < K; ++k) {
        const vf bv = (vf)_mm512_maskz_broadcast_f32x4(kAll, _mm_loadu_ps(bp + k * W));
        for (int m = 0; m < M; ++m) {
          const float a0 = ap[m][0][k], a1 = ap[m][1][k], a2 = ap[m][2][k], a3 = ap[m][3][k];
          const vf av = {a0, a0, a0, a0, a1, a1, a1, a1, a2, a2, a2, a2, a3, a3, a3, a3};
          acc[m] = av * bv + acc[m];
        }
      }
    }
    const long u0 = jb * W;
    const __mmask16 part = (__mmask16)((1u << nu) - 1);
    for (int m = 0; m < M; ++m) {
      float lanes[W];
      vstore(lanes, acc[m]);
      for (int r = 0; r < 4; ++r) {
        const long i = (g0 + m) * 4 + r;
        if (i >= na) break;
        float* d = dst + (long)rows[i] * ldd + u0;
        vf v = vload_part(lanes + 4 * r, nu);
        if (ADD) v += vload_part(d, nu);
        _mm512_mask_storeu_ps(d, part, (__m512)v);
      }
    }
  });
}
#endif

// For each listed row b and each unit block jb in [j0, j1): dst[b*ldd + jb*W + lanes] (=, or += with ADD)
// sum over segments of a_b[k] * panel_jb[k][lanes]; lanes past U are not written.
template <bool ADD, int NSEG>
inline void panel_product(const int* rows, long na, long j0, long j1, long U, float* dst, long ldd, const PSeg* sg) {
  if (na <= 0) return;
#if RL_PASS == 2
  const int nu = (int)rl::rnn::tail_units(U, W);
  if (j1 == nblocks(U) && j1 > j0 && nu <= 4) {
    panel_tail4<ADD, NSEG>(rows, na, j1 - 1, U, nu, dst, ldd, sg);
    if (--j1 == j0) return;
  }
#endif
  for_tiles<4>(j1 - j0, [&](long q0, auto NPc) {
    constexpr int NP = decltype(NPc)::value;
    constexpr int MM = rows_for(NP);
    for_tiles<MM>(na, [&](long i0, auto Mc) {
      constexpr int M = decltype(Mc)::value;
      vf acc[M][NP];
      acc_zero(acc);
      for (int e = 0; e < NSEG; ++e) {
        const float* ap[M];
        const float* bp[NP];
        for (int m = 0; m < M; ++m) ap[m] = sg[e].base + (long)rows[i0 + m] * sg[e].bstride;
        for (int q = 0; q < NP; ++q) bp[q] = sg[e].panels + (j0 + q0 + q) * sg[e].pstride;
        mk_accum<M, NP, 1>(acc, sg[e].K, ap, bp);
      }
      for (int m = 0; m < M; ++m) {
        float* d = dst + (long)rows[i0 + m] * ldd;
        for (int q = 0; q < NP; ++q) {
          const long u0 = (j0 + q0 + q) * W;
          const int n = (int)std::min<long>(W, U - u0);
          vf v = acc[m][q];
          if (ADD) v += vloadn(d + u0, n);
          vstoren(d + u0, v, n);
        }
      }
    });
  });
}

// Prefetches G lines U floats apart from each of x + xstep (read) and g + gstep (written): the gate inputs and
// outputs of a row's neighbouring step.
RLV void prefetch_gate_lines(const float* x, long xstep, const float* g, long gstep, long U, int G) {
  for (int q = 0; q < G; ++q) {
    __builtin_prefetch(x + xstep + q * U, 0, 3);
    __builtin_prefetch(g + gstep + q * U, 1, 3);
  }
}

// Masked step of row b in forward: the output repeats the previous one (zeros before the row's first real step),
// for units [ua, ub) of the output row `out` (the previous output row is out - U).
RLV void repeat_output(float* out, long U, long ua, long ub, bool started) {
  if (ub <= ua) return;
  if (started) std::memcpy(out + ua, out - U + ua, (size_t)(ub - ua) * sizeof(float));
  else std::memset(out + ua, 0, (size_t)(ub - ua) * sizeof(float));
}

// Backward at a masked step: the state's gradient passes through, plus the repeated output's when the row had a
// real step before (the output is a constant zero otherwise). dhAll (or null) receives the total.
RLV void masked_backward(float* dh, const float* dhs, float* dhAll, long ua, long ub, bool live) {
  for (long u = ua; u < ub; u += W) {
    const int n = (int)std::min<long>(W, ub - u);
    vf d = vloadn(dh + u, n);
    if (live) d += vloadn(dhs + u, n);
    vstoren(dh + u, d, n);
    if (dhAll) vstoren(dhAll + u, d, n);
  }
}

// Tile of the dR accumulation from packed chunks: C[m, tile columns] += sum_{k < K} a[k][i0 + m] * b[k*NV*W + lanes],
// m < M; each element one FMA chain continued from its value in C (a partial last vector: TAIL, tailn lanes).
template <int M, int NV, bool TAIL>
RLV void outer_tile(float* C, long ldc, const float* const* a, long i0, const float* b, long K, int tailn) {
  vf c[M][NV];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n)
      c[m][n] = (TAIL && n == NV - 1) ? vload_part(C + m * ldc + n * W, tailn) : vload(C + m * ldc + n * W);
  for (long k = 0; k < K; ++k) {
    const float* br = b + k * (NV * W);
    const float* ar = a[k] + i0;
    vf bv[NV];
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) bv[n] = vload(br + n * W);
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      vf av = vset(ar[m]);
#pragma GCC unroll 8
      for (int n = 0; n < NV; ++n) c[m][n] = av * bv[n] + c[m][n];
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) {
      if (TAIL && n == NV - 1) vstore_part(C + m * ldc + n * W, c[m][n], tailn);
      else vstore(C + m * ldc + n * W, c[m][n]);
    }
}

// Rows of a chunk of outer_accum (by default), and the floats of its packing room for n columns and chunks of kc
// rows (64-byte aligned), which a caller that sums block after block keeps (nothing allocated per block).
constexpr long kOuterKC = 64;
inline size_t outer_room(long n, long kc = kOuterKC) { return (size_t)(kc * ((n + W - 1) / W) * W); }

// o[0, NV*W) = columns [col, col + n) of a row, those before csplit from r1, the others from r2 (at column - csplit);
// zeros past n. Vector copies: a chunk packs many short rows, where calls to memcpy cost more than the copying.
template <int NV>
RLV void pack_cols(float* o, const float* r1, const float* r2, long col, long n, long csplit) {
  const long n1 = std::max(0L, std::min(n, csplit - col));  // columns from r1
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const long c = (long)v * W;
    vf x = vzero();
    if (c < n) {
      const int k = (int)std::min<long>(W, n - c);
      if (c + k <= n1) {
        x = vloadn(r1 + col + c, k);
      } else if (c >= n1) {
        x = vloadn(r2 + (col + c - csplit), k);
      } else {
        // Straddles csplit (GRU's [dz, dr | dn * rr] at U = 100: one vector of every packed row). Lane by lane, not
        // through a stack buffer: its vector load waited on the buffer's narrower stores (no store forwarding),
        // and that stall was a fifth of GRU's dR time on the thread that hit it most.
        const int n1c = (int)(n1 - c);
#if RL_PASS == 2
        const __mmask16 lo = (__mmask16)((1u << n1c) - 1), all = (__mmask16)((1u << k) - 1);
        x = (vf)_mm512_maskz_loadu_ps(lo, r1 + col + c);
        x = (vf)_mm512_mask_loadu_ps((__m512)x, (__mmask16)(all & ~lo), r2 + (col + n1 - csplit) - n1c);
#else
        for (int i = 0; i < k; ++i) x[i] = i < n1c ? r1[col + c + i] : r2[col + c + i - csplit];
#endif
      }
    }
    vstore(o + c, x);
  }
}

// C[m0:m1, c0:c1) += sum over segments and their rows k of a[k*lda + m0:m1]^T b[k*ldb + c0:c1) (columns from csplit
// on: the segments' b2, see Seg). Rows and columns are relative to C, a and b alike. Runs on the calling thread
// (callers split rows). The rows of all segments are taken in chunks of KC; each chunk's b slices are first packed
// in bpack (outer_room(c1 - c0, KC) floats) per column tile ([tile][k][NV vectors], zero past c1), so the register tiles
// read contiguous memory that stays in L1 instead of KC scattered rows of dgates (the a values are single floats,
// broadcast from their rows), and short segments (few steps) cost no extra passes over C. Each element of C is one
// chain of FMAs in k order whatever KC, the tiles, the split or where its column comes from, so none of them changes
// a bit of the result.
template <long KC = kOuterKC>
inline void outer_accum(float* C, long ldc, long m0, long m1, long c0, long c1, const Seg* segs, long nseg,
                        float* bpack, long csplit = LONG_MAX) {
  // Column vectors per tile: a tile holds its M x NVT accumulators, NVT vectors of b and a broadcast in registers.
  // AVX2's 16 take 6 x 2 (3 x 4 needs 17: GCC spilled accumulators to the stack inside the k loop and dR ran far
  // below the GEMM's rate on Zen 2); AVX-512's 32 take 6 x 4.
  constexpr int NVT = RL_PASS == 2 ? 4 : 2;
  constexpr int MM = rows_for(NVT);
  const long ncol = c1 - c0, nrow = m1 - m0;
  if (ncol <= 0 || nrow <= 0) return;
  const long nvec = (ncol + W - 1) / W;
  const int tailn = (int)(ncol - (nvec - 1) * W);
  const float* ap[KC];
  const float* bp[KC];
  const float* bp2[KC];
  long si = 0, k = 0;
  for (;;) {
    long kc = 0;
    while (kc < KC && si < nseg) {
      if (k >= segs[si].K) {
        ++si;
        k = 0;
        continue;
      }
      ap[kc] = segs[si].a + k * segs[si].lda + m0;
      bp[kc] = segs[si].b + k * segs[si].ldb;
      bp2[kc] = segs[si].b2 ? segs[si].b2 + k * segs[si].ldb2 : nullptr;
      ++kc;
      ++k;
    }
    if (kc == 0) break;
    for_tiles<NVT>(nvec, [&](long v0, auto NVc) {
      constexpr int NV = decltype(NVc)::value;
      float* bt = bpack + v0 * W * kc;
      const long col = c0 + v0 * W, n = std::min<long>(NV * W, ncol - v0 * W);
      for (long i = 0; i < kc; ++i) pack_cols<NV>(bt + i * (NV * W), bp[i], bp2[i], col, n, csplit);
    });
    for_tiles<NVT>(nvec, [&](long v0, auto NVc) {
      constexpr int NV = decltype(NVc)::value;
      const bool tail = (v0 + NV == nvec) && tailn != W;
      const float* bt = bpack + v0 * W * kc;
      for_tiles<MM>(nrow, [&](long i0, auto Mc) {
        constexpr int M = decltype(Mc)::value;
        float* ct = C + (m0 + i0) * ldc + c0 + v0 * W;
        if (tail) outer_tile<M, NV, true>(ct, ldc, ap, i0, bt, kc, tailn);
        else outer_tile<M, NV, false>(ct, ldc, ap, i0, bt, kc, W);
      });
    });
  }
}

// This thread's share of a sequence under a Plan: batch rows [r0, r1), unit blocks [j0, j1), i.e. units [ua, ub)
// (ubytes bytes of a row), and room for the list of a step's real rows.
struct Share {
  long r0, r1, j0, j1, ua, ub;
  size_t ubytes;
  std::vector<int> rows;
};

// Runs body(tid, nth, share) on each thread of the plan.
template <class F>
inline void run_shares(const rl::rnn::Plan& plan, long B, long U, F&& body) {
  rl::rnn::run_plan(plan, [&](int tid, int nth) {
    Share sh;
    plan.assign(tid, nth, B, nblocks(U), &sh.r0, &sh.r1, &sh.j0, &sh.j1);
    sh.ua = std::min(sh.j0 * W, U), sh.ub = std::min(sh.j1 * W, U);
    sh.ubytes = (size_t)(sh.ub - sh.ua) * sizeof(float);
    sh.rows.resize((size_t)std::max(sh.r1 - sh.r0, 1L));
    body(tid, nth, sh);
  });
}

// Gathers the rows of this share that are real at forward step s (time index t) into sh.rows and returns their
// count. When the share owns units, a masked row's output repeats the previous one and masked(b) carries the
// rest of the cell's state.
template <class P, class Masked>
inline long forward_rows(const P& p, Share& sh, long s, long t, const int* first, Masked masked) {
  const long T = p.T, U = p.U;
  long na = 0;
  for (long b = sh.r0; b < sh.r1; ++b) {
    if (!p.mask || p.mask[b * T + t]) {
      sh.rows[(size_t)na++] = (int)b;
      continue;
    }
    if (sh.ub <= sh.ua) continue;
    repeat_output(p.hs + (b * T + s) * U, U, sh.ua, sh.ub, s > first[b]);
    masked(b);
  }
  return na;
}

// A real row's pointers at one forward step, worked out once per step for all of the share's unit blocks (in each
// block's epilogue their arithmetic was a third of the instructions, and it limits how far the core looks ahead).
struct StepRow {
  const float* a;  // h_prev: the row of the recurrent product (h0's row or zeros before the first real step)
  const float* x;  // the projected input at this step (G*U floats)
  float* g;        // the gates this step writes (G*U floats)
  long o;          // the row's offset in the [B, T, U] outputs at this step: (b*T + s) * U
  long b;
};
template <class P>
inline void step_rows(const P& p, const Share& sh, long na, long s, long t, const int* first, const float* zeros,
                      long G, StepRow* at) {
  const long T = p.T, U = p.U;
  for (long i = 0; i < na; ++i) {
    const long b = sh.rows[(size_t)i], o = (b * T + s) * U;
    at[i] = {s > first[b] ? p.hs + o - U : (p.h0 ? p.h0 + b * U : zeros), p.xp + (b * T + t) * G * U,
             p.gates + (b * T + s) * G * U, o, b};
  }
}

// Gathers the rows of this share that are real at backward step s (time index t) into sh.rows and returns their
// count. When the share owns units, a masked row passes its state gradient through, zeroes its G gate gradients
// and calls masked(ho); a real row calls real(b, ho, dhb, dg): ho its output offset, dhb its state gradient,
// dg its gate gradients.
template <int G, class P, class Masked, class Real>
inline long backward_rows(const P& p, Share& sh, float* dh, long s, long t, const int* first, Masked masked,
                          Real real) {
  const long T = p.T, U = p.U;
  long na = 0;
  for (long b = sh.r0; b < sh.r1; ++b) {
    const bool is_real = !p.mask || p.mask[b * T + t];
    if (is_real) sh.rows[(size_t)na++] = (int)b;
    if (sh.ub <= sh.ua) continue;
    const long ho = (b * T + s) * U;
    float* dhb = dh + b * U;
    float* dg = p.dxp + (b * T + t) * (G * U);
    if (is_real) {
      real(b, ho, dhb, dg);
      continue;
    }
    masked_backward(dhb, p.dhs + ho, p.dhAll ? p.dhAll + ho : nullptr, sh.ua, sh.ub, s > first[b]);
    for (int q = 0; q < G; ++q) std::memset(dg + q * U + sh.ua, 0, sh.ubytes);
    masked(ho);
  }
  return na;
}

// Units [ua, ub) of this share's rows of `state` (rows U apart): a copy of src's, or zeros when src is null.
inline void load_rows(float* state, const float* src, const Share& sh, long U) {
  for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua; ++b) {
    if (src) std::memcpy(state + b * U + sh.ua, src + b * U + sh.ua, sh.ubytes);
    else std::memset(state + b * U + sh.ua, 0, sh.ubytes);
  }
}

// Units [ua, ub) of this share's rows of `state` copied into dst (rows U apart), when dst is not null.
inline void store_rows(float* dst, const float* state, const Share& sh, long U) {
  for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua && dst; ++b)
    std::memcpy(dst + b * U + sh.ua, state + b * U + sh.ua, sh.ubytes);
}

// What a recurrent pass sets up before its time loop: each row's first real step (processing order), a row of
// zeros (the state before it when there is no initial state) and the thread plan.
struct Steps {
  std::vector<int> first;
  std::vector<float> zeros;
  rl::rnn::Plan plan;
};
template <class P>
inline Steps steps_for(const P& p, double fma_per_row_step) {
  Steps st;
  rl::rnn::first_real_steps(p.B, p.T, p.mask, p.back, st.first);
  st.zeros.assign((size_t)p.U, 0.0f);
  st.plan = rl::rnn::make_plan(p.B, p.T, p.U, fma_per_row_step, W);
  return st;
}

// This thread's share [c0, c1) of n columns, split in whole vectors.
inline void split_cols(long n, int tid, int nth, long* c0, long* c1) { rl::split_range(n, tid, nth, W, c0, c1); }

// The gate gradients one DrAccum::add sums: row (b, s) at g + (b*T + t)*ldg, t the input time of processing step s
// when gtime, else s, or in a ring of `ring` slots per row (block_segments); its columns [0, ngates * U) go to
// ngates * U columns of dR.
struct GateRows {
  const float* g = nullptr;
  long ldg = 0;
  bool gtime = false;
  int ngates = 0;
  long ring = 0;
};

// dR summed during BPTT, a block of steps at a time while the block's gate gradients and hidden states are still
// in cache (a pass over all B*T steps after the loop read them back from memory: most of that pass's time). Each
// thread sums into its own accumulator: under the batch split its rows' share of all of dR (thread 0 into dr
// itself, the others into their slice of `spare`, added to dr in thread order by finish()), under the unit split
// its units' columns of each gate straight into dr, serially all of dR. So every element of dR is, per thread,
// one FMA chain (blocks from the last steps to the first, batch rows ascending within a block, each row's steps
// ascending), fixed by the shape and the thread count.
class DrAccum {
 public:
  // dr: U rows of ldc floats; spare: (threads - 1) * U * ldc floats when the plan splits batch rows, else unused.
  // first: each row's first real step; back: goBackwards.
  DrAccum(const rl::rnn::Plan& plan, const Share& sh, float* dr, float* spare, long ldc, long U, long T, int tid,
          const int* first, bool back)
      : sh_(sh), ldc_(ldc), U_(U), T_(T), sb_(T), first_(first), back_(back), unit_(plan.unit) {
    pack_ = rl::kept<float>(rl::Kept::kDrPack, outer_room(ldc, kChunk), own_pack_);
    C_ = (plan.serial || plan.unit || tid == 0) ? dr : spare + (tid - 1) * U * ldc;
    // About kChunk (row, step) pairs per block: 256 KB of a block's dgates and states stay in L2.
    steps_ = std::max(1L, std::min(kMaxSteps, kChunk / std::max(1L, sh.r1 - sh.r0)));
    if (unit_) {
      for (long m = 0; m < U; ++m)
        for (long c = 0; c < ldc; c += U) std::memset(C_ + m * ldc + c + sh.ua, 0, sh.ubytes);
    } else {
      std::memset(C_, 0, (size_t)(U * ldc) * sizeof(float));
    }
  }
  // After processing step s (from T-1 down to 0): whether steps [s, end of the last block) now form a block.
  bool block_ends(long s) {
    sa_ = s;
    return s == 0 || sb_ - s >= steps_;
  }
  // Adds the block's sum of a(b, s)^T g(b, s) (block_segments, over this share's rows: all of them under the unit
  // split) to columns [c, c + n * U) of dR, n = g.ngates + g2.ngates: g's columns, then g2's (both summed in one
  // pass over a); under the unit split only this thread's units of each gate.
  // a: hs (shifted) or its own rows, in a ring of aring slots per row when aring > 0 (block_segments).
  void add(long c, const float* a, const float* h0, bool shifted, const GateRows& g, const GateRows& g2 = {},
           long aring = 0) {
    rl::rnn::block_segments(segs_, sh_.r0, sh_.r1, T_, U_, first_, back_, sa_, sb_, a, aring, h0, shifted, g.g, g.ldg,
                            g.gtime, g.ring);
    if (g2.ngates > 0) {
      rl::rnn::block_segments(segs2_, sh_.r0, sh_.r1, T_, U_, first_, back_, sa_, sb_, a, aring, h0, shifted, g2.g,
                              g2.ldg, g2.gtime, g2.ring);
      for (size_t i = 0; i < segs_.size(); ++i) segs_[i].b2 = segs2_[i].b, segs_[i].ldb2 = segs2_[i].ldb;
    }
    float* C = C_ + c;
    const long n = (long)segs_.size(), split = g.ngates * U_, ngates = g.ngates + g2.ngates;
    if (!unit_) {
      outer_accum<kChunk>(C, ldc_, 0, U_, 0, ngates * U_, segs_.data(), n, pack_, split);
      return;
    }
    for (int q = 0; q < ngates && sh_.ub > sh_.ua; ++q)
      outer_accum<kChunk>(C, ldc_, 0, U_, q * U_ + sh_.ua, q * U_ + sh_.ub, segs_.data(), n, pack_, split);
  }
  // Call after the block's adds.
  void next() { sb_ = sa_; }
  // A ring of this share's rows over the latest block of steps (block_segments), rows U floats long, instead of a
  // [B, T, U] array for values that are only read within their block: it stays in cache. Room for every share's
  // ring: ring_room floats, of which ring_of gives this share's; ring_slots() slots per row: a block's steps, but
  // at least 2, so that under the unit split a step's row is not the next step's, which a thread may start
  // writing while another still reads this one.
  static long ring_room(long B, long T, long U) { return B * std::min(kMaxSteps, T) * U; }
  float* ring_of(float* room) const { return room + sh_.r0 * std::min(kMaxSteps, T_) * U_; }
  long ring_slots() const { return std::min(std::max(steps_, 2L), T_); }
  float* ring_row(float* ring, long b, long s) const {
    return ring + ((b - sh_.r0) * ring_slots() + (T_ - 1 - s) % ring_slots()) * U_;
  }
  // After the last step, on every thread: under the batch split, dr += the other threads' sums (dr's rows shared
  // out over the threads), once all of them are complete.
  void finish(float* dr, const float* spare, int tid, int nth) {
    if (unit_ || nth <= 1) return;
    rl::rnn::sync(nth);
    long m0, m1;
    rl::split_range(U_, tid, nth, 1, &m0, &m1);
    for (long m = m0; m < m1; ++m)
      for (int th = 1; th < nth; ++th) {
        const float* o = spare + (th - 1) * U_ * ldc_ + m * ldc_;
        float* d = dr + m * ldc_;
        for (long c = 0; c < ldc_; c += W) {
          const int k = (int)std::min<long>(W, ldc_ - c);
          vstoren(d + c, vloadn(d + c, k) + vloadn(o + c, k), k);
        }
      }
  }

 private:
  static constexpr long kMaxSteps = 32;
  // (Row, step) pairs of a block (steps_ is set from it) and of an outer_accum chunk: a whole block at once, so
  // dR's tiles are loaded and stored once per block rather than twice. At 64 each thread's dR sum (160 KB at the
  // LSTM's U = 100) was loaded and stored every 64 pairs, and depending on where a thread's sum lay in memory that
  // thread's tiles ran ~20 % slower (2 threads, Zen 5: one thread's LSTM backward ~2 ms behind the other's).
  // Each element of dR stays one FMA chain in the same order, so no bit changes.
  static constexpr long kChunk = 128;
  const Share& sh_;
  float* C_;
  long ldc_, U_, T_, sa_ = 0, sb_, steps_;
  const int* first_;
  bool back_, unit_;
  std::vector<Seg> segs_, segs2_;
  rl::Room own_pack_;
  float* pack_;  // outer_accum's packing room for any of add's column ranges (at most ldc columns)
};

// Room for the other threads' dR sums when the plan splits batch rows (DrAccum): (threads - 1) * U * ldc floats,
// kept from call to call (rl::kept; DrAccum zeroes each thread's part); null under other plans.
inline float* dr_spare_for(const rl::rnn::Plan& plan, long U, long ldc, rl::Room& own) {
  if (plan.serial || plan.unit) return nullptr;
  return rl::kept<float>(rl::Kept::kDrSpare, (size_t)(rl::num_threads() - 1) * (size_t)(U * ldc), own);
}

// For the na real rows of a step (sh.rows), the products of each row's vector ap_of(b) (length U) with the
// one-gate panels of this share's unit blocks (pan, blocks U * W apart), tile by tile in registers:
// out(b, acc, u0, nu) receives the product for units u0..u0+nu of row b.
template <class Ap, class Out>
inline void one_gate_products(const Share& sh, long na, const float* pan, long U, Ap ap_of, Out out) {
  if (na <= 0) return;
  for_tiles<4>(sh.j1 - sh.j0, [&](long q0, auto NPc) {
    constexpr int NP = decltype(NPc)::value;
    constexpr int MM = rows_for(NP);
    const float* bp[NP];
    for (int q = 0; q < NP; ++q) bp[q] = pan + (sh.j0 + q0 + q) * U * W;
    for_tiles<MM>(na, [&](long i0, auto Mc) {
      constexpr int M = decltype(Mc)::value;
      const float* ap[M];
      for (int m = 0; m < M; ++m) ap[m] = ap_of((long)sh.rows[(size_t)(i0 + m)]);
      vf acc[M][NP];
      acc_zero(acc);
      mk_accum<M, NP, 1>(acc, U, ap, bp);
      for (int m = 0; m < M; ++m)
        for (int q = 0; q < NP; ++q) {
          const long b = sh.rows[(size_t)(i0 + m)], u0 = (sh.j0 + q0 + q) * W;
          const int nu = (int)std::min<long>(W, U - u0);
          if (nu == W) out(b, acc[m][q], u0, W);  // (no lane masks)
          else out(b, acc[m][q], u0, nu);
        }
    });
  });
}

inline void zero_block(float* C, long ldc, long m0, long m1, long c0, long c1) {
  if (c1 <= c0) return;
  for (long m = m0; m < m1; ++m) std::memset(C + m * ldc + c0, 0, (size_t)(c1 - c0) * sizeof(float));
}

// C[:, c0:c1) = the outer-product sum of segs, C having U rows: this thread's share of the rows (a split by rows
// keeps the threads balanced whatever the column count, e.g. 100 columns = 7 vectors), in chunks of KC rows of the
// segments. Call on every thread.
template <long KC = kOuterKC>
inline void rows_outer(float* C, long ldc, long U, long c0, long c1, const std::vector<Seg>& segs, int tid, int nth) {
  long m0, m1;
  rl::split_range(U, tid, nth, 1, &m0, &m1);
  zero_block(C, ldc, m0, m1, c0, c1);
  rl::Room own;
  float* const pack = rl::kept<float>(rl::Kept::kRowsOuterPack, outer_room(c1 - c0, KC), own);
  outer_accum<KC>(C, ldc, m0, m1, c0, c1, segs.data(), (long)segs.size(), pack);
}

// Columns [c0, c1) of h0's rows' gate gradients gathered in corr.g (each thread a share of them), then a barrier:
// every thread's dR rows read all of them.
inline void gather_corr(const rl::rnn::Corr& corr, float* cg, long ldcg, const float* g, long ldg, long c0, long c1, long T,
                        bool back, const int* first, int tid, int nth) {
  long d0, d1;
  split_cols(c1 - c0, tid, nth, &d0, &d1);
  for (long i = 0; i < corr.n && d1 > d0; ++i) {
    const long b = corr.rows[i], s1 = first[b], t1 = back ? T - 1 - s1 : s1;
    std::memcpy(cg + i * ldcg + c0 + d0, g + (b * T + t1) * ldg + c0 + d0, (size_t)(d1 - d0) * sizeof(float));
  }
  rl::rnn::sync(nth);
}

// dR[:, c0:c1) = sum over all steps of h_prev^T g(b, s), g rows ldg floats apart (columns relative to dR and g):
// h_prev is hs shifted by one step, except at each row's first real step, where it is h0 (corr, whose g rows are
// gathered here, columns c0:c1), in chunks of KC rows. Call on every thread.
template <long KC = kOuterKC>
inline void shifted_outer(float* dr, long ldg, long c0, long c1, const float* hs, const float* g, long B, long T,
                          long U, bool back, const int* first, const rl::rnn::Corr& corr, int tid, int nth) {
  gather_corr(corr, corr.g, ldg, g, ldg, c0, c1, T, back, first, tid, nth);
  std::vector<Seg> segs;
  segs.reserve((size_t)B + 1);
  rl::rnn::shifted_h_segments(segs, hs, B, T, U, g, ldg, back, first);
  if (corr.n > 0) segs.push_back(Seg{corr.h, U, corr.g, ldg, corr.n});
  rows_outer<KC>(dr, ldg, U, c0, c1, segs, tid, nth);
}

// The end of a backward pass, after its last step: once every thread's gate gradients (p.dxp, G columns) are
// complete, this thread's rows of dR = sum over steps of h_prev^T dgates. h_prev is hs shifted by one step,
// except at each row's first real step, where it is h0 (gathered in corr). KC: outer_accum's chunk of rows.
template <long KC = kOuterKC, class P>
inline void recurrent_weight_grad(const P& p, long G, int tid, int nth, const int* first, const rl::rnn::Corr& corr) {
  rl::rnn::sync(nth);
  shifted_outer<KC>(p.dr, G, 0, G, p.hs, p.dxp, p.B, p.T, p.U, p.back, first, corr, tid, nth);
}

#endif  // RL_PASS
