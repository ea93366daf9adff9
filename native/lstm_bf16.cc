// Mixed bfloat16 LSTM (the mixed_bfloat16 policy's twin of lstm.cc): the recurrent products h_{t-1} R (forward),
// dgates R^T and dR = sum h_prev^T dgates (backward) take bf16 operands and sum in fp32 with vdpbf16ps, as bf16.h's
// GEMM does; the gates, the states, their gradients and the weights stay fp32. lstm.cc's contract, threading plan,
// masking and storage order (rnn_common.h) are kept, so the layer swaps one for the other.
//
// Each product operand is rounded once, where it is made: R when packed (per call), h_t when the step writes it (a
// bf16 copy beside hs, two rows per sequence row used in turn, since threads read the whole previous h while
// others write the next), the gate gradients likewise in backward (or, when the caller asks for packedGates, all
// B*T rows kept for the input's gradient). dR is then one bf16 GEMM over all B*T steps (KernelSet::fitted's tile,
// with gemmBf16's sums), whose operand rows are read straight from hs (shifted by a step) and from dxp or
// that full copy. src/backend/reference/bf16_lstm.ts emulates the same rounding and sum order.
//
// lstmBf16ForwardInput also takes the layer's input x and input kernel W: each register tile first sums its rows'
// x_t W + b (gemmBf16's sums: same roundings, pairs in order from zero, then the bias), keeps them in an L1 buffer
// and reads them there as it would read xp. The [B*T, 4U] xp (51 MB at the lab's shapes) is then neither written
// by a GEMM nor read back; the outputs are the bits of gemmBf16 followed by lstmBf16Forward.
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "bf16.h"
#include "dispatch.h"
#include "isa.h"
#include "kernel_util.h"
#include "lstm_args.h"

namespace rl {
// The rows where colSum(rows, cols, ...) starts a partial sum after the first (pointwise.cc).
std::vector<long> col_sum_bands(long rows, long cols);

namespace lstm_bf16 {

using Fwd = lstm_impl::Fwd;
using Bwd = lstm_impl::Bwd;

// The layer's input and input kernel, when the forward computes the input projection itself (p.xp unused): step
// (b, t)'s xp row = x[b, t] W + bias, each element gemmBf16's sum for it (x and W rounded to bf16, pairs summed in
// order from zero, then the bias added), made in the step's register tiles instead of a [B*T, 4U] GEMM output.
struct Input {
  const float* x;     // [B, T, D]
  long D;
  const float* w;     // [D, 4U]
  const float* bias;  // [4U] or null
};
void forward(const bf16::KernelSet& K, const Fwd& p, const Input* in = nullptr);
// Optional outputs (see LstmBf16Backward), null when not asked for: packed_dxp, dR's packing of dxp (gemmBf16PackB's
// layout); packed_gates, dxp rounded row by row in pack_a's layout (the A operand of dX = dxp W^T).
// dx (with w, D x 4U): the input's gradient dx = dxp w^T, made in BPTT while each step's rounded gate gradients
// are in cache, with gemmBf16's bits (the same roundings, each sum from zero pair after pair).
// dbias (4U floats, goBackwards false): dxp's column sums added in, colSum(B*T, 4U, dxp, dbias, true)'s bits, made
// while the same read of dxp packs dR's operand (pack_steps_with_sums): no full bf16 copy is then kept for it.
struct Shared {
  uint32_t* packed_dxp = nullptr;
  uint32_t* packed_gates = nullptr;
  const float* w = nullptr;
  float* dx = nullptr;
  long D = 0;
  float* dbias = nullptr;
};
void backward(const bf16::KernelSet& K, const Bwd& p, const Shared& out);

namespace {

// lstmBf16Forward(B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates): lstmForward's contract.
Napi::Value LstmBf16Forward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmBf16Forward", 4);
  const Fwd f = lstm_impl::forward_args(a);
  const bf16::KernelSet* K = bf16::require_kernels(a, "lstmBf16Forward");
  if (a.ok()) forward(*K, f);
  return info.Env().Undefined();
}

// lstmBf16ForwardInput(B, T, U, D, x, w, bias, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates):
// lstmBf16Forward on xp = x W + bias (x [B, T, D], w [D, 4U], bias [4U] or null) as gemmBf16 computes it, bit for
// bit, without xp: each step projects its input in the register tiles that use it (Input above).
Napi::Value LstmBf16ForwardInput(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmBf16ForwardInput", 4);
  const long D = (long)a.integer(3, "D", 1), G4 = 4 * a.U;
  Input in{};
  in.D = D;
  in.x = a.f32(4, "x", dims_product(a, "x", {a.B, a.T, D}));
  in.w = a.f32(5, "w", dims_product(a, "w", {D, G4}));
  in.bias = a.f32(6, "bias", (size_t)G4, true);
  Fwd f = a.dims<Fwd>();
  const auto arr = [&](size_t i, const char* name, int64_t n, bool opt = false) { return a.f32(i, name, (size_t)n, opt); };
  const long BU = a.B * a.U, N = a.B * a.T;
  f.r = arr(7, "r", a.U * G4), f.h0 = arr(8, "h0", BU, true), f.c0 = arr(9, "c0", BU, true);
  f.mask = a.u8(10, "mask", (size_t)N, true), f.back = a.flag(11, "goBackwards");
  f.act = act_code(a, 12, "act"), f.ract = act_code(a, 13, "recAct");
  f.hs = arr(14, "hs", N * a.U), f.cs = arr(15, "cs", N * a.U), f.gates = arr(16, "gates", N * G4);
  const bf16::KernelSet* K = bf16::require_kernels(a, "lstmBf16ForwardInput");
  if (a.ok()) forward(*K, f, &in);
  return info.Env().Undefined();
}

// lstmBf16Backward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
//                  dxp, dr, dh0, dc0, dhAll[, packedDxp[, packedGates[, w, dx]]]): lstmBackward's contract, and
// optionally the bf16 operands the layer's next two products need, which this kernel makes anyway (goBackwards false
// only):
//   packedDxp (Int32Array of gemmBf16PackedLength(B*T, 4U)): dxp as the B operand of a product over the B*T steps,
//     what gemmBf16PackB(false, B*T, 4U, dxp) makes (dR's GEMM uses it; the input kernel's gradient x^T dxp can);
//   packedGates (Int32Array of gemmBf16PackedALength(B*T, 4U)): dxp as the A operand of dX = dxp W^T, what
//     gemmBf16 packs from dxp (gemmBf16PackedAB takes it).
// Each spares a 51 MB pass over dxp at the lab's shapes; the bits are those of the packings they replace.
//   w (Float32Array, D x 4U: the input kernel, D >= 1) and dx (Float32Array of B*T*D): dx = dxp w^T (rows in dxp's
//     order, masked steps' rows zeros), gemmBf16(false, true, B*T, D, 4U, 1, dxp, w, 0, dx)'s bits: the product runs
//     in BPTT on each step's rounded gate gradients while they are in cache instead of over all of them afterwards.
//   biasGrad (Float32Array of 4U, goBackwards false): dxp's column sums are added into it, colSum(B*T, 4U, dxp,
//     biasGrad, true)'s bits, in the pass that packs dR's operand from dxp (instead of from the full bf16 copy, which
//     packedGates still asks for): the bias's gradient then costs no pass of its own over the 51 MB dxp.
Napi::Value LstmBf16Backward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmBf16Backward", 4);
  const Bwd b = lstm_impl::backward_args(a);
  const bf16::KernelSet* K = bf16::require_kernels(a, "lstmBf16Backward");
  Shared out;
  const char* names[2] = {"packedDxp", "packedGates"};
  for (size_t i = 0; i < 2; ++i) {
    const size_t at = 21 + i;
    if (!K || !a.ok() || info.Length() <= at || info[at].IsNull() || info[at].IsUndefined()) continue;
    if (b.back) a.fail(names[i], "needs goBackwards false (with goBackwards the steps are packed in reverse)");
    const long N = b.B * b.T, G4 = 4 * b.U;
    const size_t words = i == 0 ? bf16::packed_b_words_js(*K, N, G4) : bf16::packed_a_words_js(*K, N, G4);
    int32_t* p = a.i32(at, names[i], words);
    (i == 0 ? out.packed_dxp : out.packed_gates) = p ? bf16::aligned64(p) : nullptr;
  }
  if (K && a.ok() && info.Length() > 23 && !info[23].IsNull() && !info[23].IsUndefined()) {
    const long G4 = 4 * b.U;
    out.w = a.f32(23, "w", (size_t)G4);
    const size_t wl = out.w ? info[23].As<Napi::TypedArray>().ElementLength() : 0;
    if (out.w && wl % (size_t)G4) a.fail("w", "must hold D rows of 4U = " + std::to_string(G4) + " floats");
    out.D = (long)(wl / (size_t)G4);
    if (a.ok()) out.dx = a.f32(24, "dx", (size_t)(b.B * b.T * out.D));
  }
  if (K && a.ok() && info.Length() > 25 && !info[25].IsNull() && !info[25].IsUndefined()) {
    if (b.back) a.fail("biasGrad", "needs goBackwards false (the sums run over the packed steps, in dxp's order)");
    out.dbias = a.f32(25, "biasGrad", (size_t)(4 * b.U));
  }
  if (a.ok()) backward(*K, b, out);
  return info.Env().Undefined();
}

const bool exported = add_bindings({{"lstmBf16Forward", LstmBf16Forward},
                                    {"lstmBf16ForwardInput", LstmBf16ForwardInput},
                                    {"lstmBf16Backward", LstmBf16Backward}});

// The operands of dR = Hprev^T G over the B*T steps, row p = b*T + s (processing order): h_{s-1} of row b (hs shifted
// by one step; h0 or zeros at the row's first real step, zeros before it) and the gate gradients of that step.
struct PrevHidden {
  const Bwd* p;
  const int* first;
  static const float* row(const void* ctx, long i) {
    const PrevHidden& h = *static_cast<const PrevHidden*>(ctx);
    const long T = h.p->T, b = i / T, s = i % T;
    if (s > h.first[b]) return h.p->hs + (i - 1) * h.p->U;
    return s == h.first[b] && h.p->h0 ? h.p->h0 + b * h.p->U : nullptr;
  }
  bf16::Rows rows() const { return {row, this}; }
};
struct StepGates {
  const Bwd* p;
  static const float* row(const void* ctx, long i) {
    const Bwd& p = *static_cast<const StepGates*>(ctx)->p;
    const long b = i / p.T, s = i % p.T;
    return p.dxp + (b * p.T + (p.back ? p.T - 1 - s : s)) * 4 * p.U;
  }
  bf16::Rows rows() const { return {row, this}; }
};

}  // namespace

#if !RL_X86
void forward(const bf16::KernelSet&, const Fwd&, const Input*) {}
void backward(const bf16::KernelSet&, const Bwd&, const Shared&) {}
#endif

}  // namespace lstm_bf16
}  // namespace rl

#if RL_X86
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx512f,avx512vl,avx512bw,avx512dq,avx512bf16")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
namespace rl {
namespace lstm_bf16 {
namespace avx512 {
#define RL_PASS 2
#include "rnn_common.h"
#include "rnn_bf16.h"
#undef RL_PASS

// The bf16 copies of a state (or gate-gradient) row: two sets of B rows of ld uint16, the one written at step s
// being s & 1.
struct PairRows {
  long B, ld;
  rl::Room own;
  uint16_t* v;  // kept (rl::kept), zeroed
  PairRows(long B_, long ld_, rl::Kept slot)
      : B(B_), ld(ld_), v(rl::kept_zeroed<uint16_t>(slot, (size_t)(2 * B_ * ld_), own)) {}
  PairRows(const PairRows&) = delete;
  uint16_t* at(long s) { return v + (s & 1) * B * ld; }
};

// The forward's gate panels of a [K, 4U] weight (R, or W when the input is projected here): pack_bf16_gate_panels'
// layout, except that where packs_tail(U, 4, W) holds the last unit block is packed (pair q's dword for gate g,
// unit v at lane g*nu + v, zeros past 4*nu): U = 100 leaves 4 units there, whose 4 gates then take one vector of
// products instead of four. Every lane holds the same pairs either way, so its sum is the same.
struct GatePanels {
  rl::Room own;
  uint32_t* v;  // kept (rl::kept), zeroed: the packed tail's lanes past 4 * nu stay zero
  long kp;
  bool packed_tail;
  GatePanels(const bf16::KernelSet& K, const float* w, long Kr, long U, rl::Kept slot)
      : v(rl::kept_zeroed<uint32_t>(slot, (size_t)(nblocks(U) * bf16::pairs(Kr) * 4 * W), own)), kp(bf16::pairs(Kr)) {
    const long nb = nblocks(U), gcol[4] = {0, U, 2 * U, 3 * U}, nu = tail_units(U);
    packed_tail = packs_tail(U);
    pack_bf16_gate_panels(K, w, Kr, 4 * U, packed_tail ? U - nu : U, 4, gcol, v);
    if (!packed_tail) return;
    for (long q = 0; q < kp; ++q) {
      uint32_t* d = at(nb - 1) + q * W;
      const float* r0 = w + 2 * q * 4 * U + (U - nu);
      for (int g = 0; g < 4; ++g) K.interleave(r0 + gcol[g], 2 * q + 1 < Kr ? r0 + gcol[g] + 4 * U : nullptr, nu, d + g * nu);
    }
  }
  GatePanels(const GatePanels&) = delete;
  const uint32_t* at(long jb) const { return v + jb * kp * 4 * W; }
  uint32_t* at(long jb) { return v + jb * kp * 4 * W; }
  static long tail_units(long U) { return rl::rnn::tail_units(U, W); }
  static bool packs_tail(long U) { return rl::rnn::packs_tail(U, 4, W); }
};

// The input side of a fused forward (lstm_bf16::Input): W's gate panels, the bias in the packed tail's lanes and
// the rounding of x's rows.
struct InputPanels {
  const Input* in;
  const GatePanels* w;
  std::vector<float> tail_bias;  // bias[g*U + U - nu + v] at lane g*nu + v
  const bf16::KernelSet* K;  // rounds x's rows
};

// Lanes [g*nu, (g+1)*nu) of a packed tail's vector moved to lanes [0, nu) (the others zero, as a padded panel's).
struct TailLanes {
  __m512i idx[4];
  __mmask16 m;
  explicit TailLanes(int nu) : m((__mmask16)((1u << nu) - 1)) {
    for (int g = 0; g < 4; ++g) idx[g] = _mm512_add_epi32(_mm512_set1_epi32(g * nu), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  RLV vf gate(vf packed, int g) const { return (vf)_mm512_maskz_permutexvar_ps(m, idx[g], (__m512)packed); }
};

// Step t's xp values of the M rows whose x rows ap points at, for unit block jb (units u0..): the sums gemmBf16
// makes for them (from zero, pair after pair, then + bias), stored at xt + m * ldt + q * U + u0, where lstm_step
// reads them as it would read xp's row. PACKED: jb is the packed tail (nu units).
template <int M, bool PACKED>
RLV void project_input(const InputPanels& ip, const uint32_t* const* ap, long jb, long U, float* xt, long ldt) {
  const uint32_t* panel = ip.w->at(jb);
  const long u0 = jb * W;
  const int nu = (int)std::min<long>(W, U - u0);
  const float* bias = ip.in->bias;
  if constexpr (PACKED) {
    vf acc[M][1];
    acc_zero(acc);
    bf16_accum<M, 1, 1>(acc, ip.w->kp, ap, &panel);
    for (int m = 0; m < M; ++m) {
      const vf v = bias ? acc[m][0] + vload(ip.tail_bias.data()) : acc[m][0];
      // Lane g*nu + v goes to gate g's unit v: a masked store from g*nu floats before it writes just those lanes.
      for (int g = 0; g < 4; ++g)
        _mm512_mask_storeu_ps(xt + m * ldt + g * U + u0 - g * nu, (__mmask16)(((1u << nu) - 1) << (g * nu)), (__m512)v);
    }
  } else {
    vf acc[M][4];
    acc_zero(acc);
    bf16_accum<M, 1, 4>(acc, ip.w->kp, ap, &panel);
    for (int m = 0; m < M; ++m)
      for (int q = 0; q < 4; ++q) {
        vf v = acc[m][q];
        if (bias) v = v + vloadn(bias + q * U + u0, nu);
        vstoren(xt + m * ldt + q * U + u0, v, nu);
      }
  }
}

// h_{t-1} R for the M rows of ap, unit block jb, into acc[m][gate] (a packed tail's lanes moved to each gate's).
template <int M, bool PACKED>
RLV void recurrent_sums(vf (&acc)[M][4], const GatePanels& r, const uint32_t* const* ap, long jb, const TailLanes& tl) {
  const uint32_t* panel = r.at(jb);
  if constexpr (PACKED) {
    vf one[M][1];
    acc_zero(one);
    bf16_accum<M, 1, 1>(one, r.kp, ap, &panel);
    for (int m = 0; m < M; ++m)
      for (int g = 0; g < 4; ++g) acc[m][g] = tl.gate(one[m][0], g);
  } else {
    acc_zero(acc);
    bf16_accum<M, 1, 4>(acc, r.kp, ap, &panel);
  }
}

// dst[0, n) = src[0, n), dst's whole 64-byte lines by non-temporal stores: for an output too large to stay in
// cache, whose lines a plain store would first read from memory.
RLV void stream_copy(float* dst, const float* src, long n) {
  long i = std::min<long>(n, (long)(((64 - ((uintptr_t)dst & 63)) & 63) / sizeof(float)));
  for (long j = 0; j < i; ++j) dst[j] = src[j];
  for (; i + W <= n; i += W) _mm512_stream_ps(dst + i, (__m512)vload(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}

// dxp is streamed past the cache (stream_copy) from this many floats (32 MB, the L3 of the lab's machine): at the
// lab's shapes its 51 MB are read again only by the bias gradient's colSum, after dR's product has evicted them
// (2 threads: 15.8 -> 14.6 ms; with goBackwards, where dR's packing reads dxp back, 24.5 -> 23.2 ms), or by
// pack_steps_with_sums right after BPTT (still streamed: plain stores cost BPTT ~1 ms, 1 thread, and saved the pass
// ~0.5 ms).
// (The forward's gates likewise measured slower: 8.9 -> 9.4 ms; its time is the products, not memory.)
constexpr long kStreamFloats = 8L << 20;

// Zen 4 only (CpuFeatures::avx512_halves): the forward also fetches the next step's c and h lines (a write hint that
// compiles to prefetcht0 here: this file's target has no PRFCHW), and
// BPTT its gates, dhs and c_prev lines two steps ahead into L2 besides one step ahead into L1. On that 2-core host
// BPTT's row loop waits on memory (1 thread, lab's shapes: 13.7 ms of a 33 ms call, 4.3 with those reads from a
// buffer in cache). CPU ms a call at the lab's shapes, 2 threads, builds alternating: forward 36.7 / 38.8 -> 34.5 /
// 35.0, backward 65.5 / 71.6 -> 59.4 / 65.8 (two steps ahead into L1, or one into L2 alone, gained nothing). Not
// measured on Zen 5.
inline bool far_prefetch() { return rl::cpu_features().avx512_halves; }

// ip null: xp is read from p.xp; else each tile projects its rows' inputs first (project_input) into xt, a few
// rows in L1, and xp is never written.
template <class A, class RA>
void forward_run(const Fwd& p, const rl::rnn::Plan& plan, const GatePanels& r, PairRows& hb, const int* first,
                 const float* zeros, const InputPanels* ip, A act, RA ract) {
  const bool far = far_prefetch();
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U, ld = hb.ld, nb = nblocks(U);
  const long D = ip ? ip->in->D : 0, ldx = bf16::round_up(D, 2), ldt = G4 + W;
  const TailLanes tl((int)GatePanels::tail_units(U));
  run_shares(plan, B, U, [&](int, int nth, Share& sh) {
    // step t's rows of x in bf16 (this share's rows)
    rl::Room own_xb;
    uint16_t* const xb = rl::kept_zeroed<uint16_t>(rl::Kept::kBf16FwdX, (size_t)(ip ? B * ldx : 0), own_xb);
    std::vector<float> xt((size_t)(ip ? rows_for(1) * ldt : 0));
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      uint16_t* hn = hb.at(s);
      const uint16_t* hp = hb.at(s + 1);  // the previous step's copy
      const long na = forward_rows(p, sh, s, t, first, [&](long b) {
        const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        std::memcpy(p.cs + (b * T + s) * U + sh.ua, cp + sh.ua, sh.ubytes);
        std::memcpy(hn + b * ld + sh.ua, hp + b * ld + sh.ua, (size_t)(sh.ub - sh.ua) * sizeof(uint16_t));
        float* g = p.gates + (b * T + s) * G4;
        for (int q = 0; q < 4; ++q) std::memset(g + q * U + sh.ua, 0, sh.ubytes);
      });
      if (ip && sh.ub > sh.ua) {
        const long tn = p.back ? t - 1 : t + 1;  // the next step's rows are fetched while this one computes
        for (long i = 0; i < na; ++i) {
          const long b = sh.rows[(size_t)i];
          const float* xr = ip->in->x + (b * T + t) * D;
          bf16::round_pairs(*ip->K, xr, D, xb + b * ldx);
          if (s + 1 < T)
            for (long k = 0; k < D; k += 16) __builtin_prefetch(xr + (tn - t) * D + k, 0, 3);
        }
      }
      for (long jb = sh.j0; jb < sh.j1 && na > 0; ++jb) {
        const long u0 = jb * W;
        const int nu = (int)std::min<long>(W, U - u0);
        gate_tiles<4>(na, r.packed_tail && jb == nb - 1, [&](long i0, auto Mc, auto Pc) {
          constexpr int M = decltype(Mc)::value;
          constexpr bool PACKED = decltype(Pc)::value;
          if (ip) {
            const uint32_t* xa[M];
            for (int m = 0; m < M; ++m)
              xa[m] = reinterpret_cast<const uint32_t*>(xb + (long)sh.rows[(size_t)(i0 + m)] * ldx);
            project_input<M, PACKED>(*ip, xa, jb, U, xt.data(), ldt);
          }
          const uint32_t* ap[M];
          for (int m = 0; m < M; ++m)
            ap[m] = reinterpret_cast<const uint32_t*>(hp + (long)sh.rows[(size_t)(i0 + m)] * ld);
          vf acc[M][4];
          recurrent_sums<M, PACKED>(acc, r, ap, jb, tl);
          for (int m = 0; m < M; ++m) {
            const long b = sh.rows[(size_t)(i0 + m)];
            const float* x = ip ? xt.data() + m * ldt + u0 : p.xp + (b * T + t) * G4 + u0;
            float* g = p.gates + (b * T + s) * G4 + u0;
            float* const c_out = p.cs + (b * T + s) * U + u0;
            float* const h_out = p.hs + (b * T + s) * U + u0;
            if (s + 1 < T) {
              if (ip)
                for (int q = 0; q < 4; ++q) __builtin_prefetch(g + G4 + q * U, 1, 3);
              else
                prefetch_gate_lines(x, p.back ? -G4 : G4, g, G4, U, 4);
              if (far) {
                __builtin_prefetch(c_out + U, 1, 3);
                __builtin_prefetch(h_out + U, 1, 3);
              }
            }
            const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
            const vf h = lstm_step(acc[m], x, cp + u0, g, c_out, h_out, U, nu, act, ract);
            store_bf16(hn + b * ld + u0, h, nu);
          }
        });
      }
      if (plan.unit) rl::rnn::sync(nth);
    }
  });
}

// Where BPTT writes each step's bf16 gate gradients: a two-row ring, or (full not null) the whole [B*T, 4U] matrix
// in dxp's row order and pack_a's layout (rows fld uint16 apart), kept for the products after BPTT.
struct GateCopies {
  PairRows ring;
  uint16_t* full;
  long fld, T;
  uint16_t* row(long b, long s, long t) { return full ? full + (b * T + t) * fld : ring.at(s) + b * ring.ld; }
  // Step s's rows by batch row b: the first and the stride.
  const uint16_t* rows(long s, long t) { return full ? full + t * fld : ring.at(s); }
  long stride() const { return full ? T * fld : ring.ld; }
};

template <class A, class RA>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const uint32_t* rt, long kpg, GateCopies& gb,
                  const int* first, const float* zeros, float* dh, float* dc, const Shared& out, const uint32_t* wt,
                  A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U, D = out.D;
  const bool far = far_prefetch();
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    // dx's column blocks this thread writes: its rows' all, or with the units split a share of the blocks.
    long d0 = 0, d1 = nblocks(D);
    if (plan.unit) rl::split_range(nblocks(D), tid, nth, 1, &d0, &d1);
    // A whole row's gate gradients are made here, then streamed to dxp (kStreamFloats).
    const bool stream = sh.ua == 0 && sh.ub == U && B * T * G4 >= kStreamFloats;
    std::vector<float> dg_row((size_t)(stream ? G4 : 0));
    load_rows(dh, p.dhT, sh, U);
    load_rows(dc, p.dcT, sh, U);
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      auto real_row = [&](long b, long ho, float* dhb, float* dxp_row) {
        float* dg = stream ? dg_row.data() : dxp_row;
        float* dcb = dc + b * U;
        uint16_t* dgh = gb.row(b, s, t);
        const float* g = p.gates + (b * T + s) * G4;
        const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        const float* cc = p.cs + ho;
        for (long u = sh.ua; u < sh.ub; u += W) {
          const int n = (int)std::min<long>(W, sh.ub - u);
          if (s > 0) {
            if (stream)  // no prefetch of the next dxp row: it would read the lines the streaming spares
              for (int q = 0; q < 4; ++q) __builtin_prefetch(g + u - G4 + q * U, 0, 3);
            else
              prefetch_gate_lines(g + u, -G4, dxp_row + u, p.back ? G4 : -G4, U, 4);
            __builtin_prefetch(p.dhs + ho - U + u, 0, 3);
            // The next step's c_prev and bf16 copy too: without them BPTT waited on memory for both (13.9 -> 12.3 ms
            // at the lab's shapes, 1 thread).
            if (s > 1) __builtin_prefetch(cp - U + u, 0, 3);
            if (gb.full)
              for (int q = 0; q < 4; ++q) __builtin_prefetch(dgh + (p.back ? gb.fld : -gb.fld) + q * U + u, 1, 3);
            if (far && s > 1) {
              for (int q = 0; q < 4; ++q) _mm_prefetch((const char*)(g + u - 2 * G4 + q * U), _MM_HINT_T1);
              _mm_prefetch((const char*)(p.dhs + ho - 2 * U + u), _MM_HINT_T1);
              if (s > 2) _mm_prefetch((const char*)(cp - 2 * U + u), _MM_HINT_T1);
            }
          }
          vf d = vloadn(dhb + u, n) + vloadn(p.dhs + ho + u, n);
          if (p.dhAll) vstoren(p.dhAll + ho + u, d, n);
          vf ig = vloadn(g + u, n), fg = vloadn(g + U + u, n), cg = vloadn(g + 2 * U + u, n),
             og = vloadn(g + 3 * U + u, n);
          vf tc = act(vloadn(cc + u, n));
          vf dct = vloadn(dcb + u, n) + d * og * act.grad(tc);
          vstoren(dcb + u, dct * fg, n);
          const vf dgs[4] = {dct * cg * ract.grad(ig), dct * vloadn(cp + u, n) * ract.grad(fg),
                             dct * ig * act.grad(cg), d * tc * ract.grad(og)};
          for (int q = 0; q < 4; ++q) {
            vstoren(dg + q * U + u, dgs[q], n);
            store_bf16(dgh + q * U + u, dgs[q], n);
          }
        }
        if (stream) stream_copy(dxp_row, dg, G4);
      };
      // A masked step's gate gradients are zeros (dxp's row is zeroed), in the full copy too.
      auto masked_row = [&](long ho) {
        if (!gb.full) return;
        uint16_t* z = gb.row(ho / (T * U), s, t);
        for (int q = 0; q < 4; ++q) std::fill(z + q * U + sh.ua, z + q * U + sh.ub, (uint16_t)0);
      };
      const long na = backward_rows<4>(p, sh, dh, s, t, first, masked_row, real_row);
      if (plan.unit) rl::rnn::sync(nth);
      // dh_prev[b, own units] = dgates[b] R^T for the real rows (masked rows already carry dh).
      bf16_panel_product(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, gb.rows(s, t), gb.stride(), rt, kpg * W, kpg);
      if (!out.dx) continue;
      // dx[b, t] = dgates[b] w^T on the same rounded rows (masked steps: zeros, as the product of dxp's zero row).
      bf16_panel_product(sh.rows.data(), na, d0, d1, D, out.dx + t * D, T * D, gb.rows(s, t), gb.stride(), wt,
                         kpg * W, kpg);
      for (long b = sh.r0; b < sh.r1 && p.mask && d1 > d0; ++b)
        if (!p.mask[b * T + t])
          std::fill(out.dx + (b * T + t) * D + d0 * W, out.dx + (b * T + t) * D + std::min(d1 * W, D), 0.0f);
    }
    store_rows(p.dh0, dh, sh, U);
    store_rows(p.dc0, dc, sh, U);
    if (stream) _mm_sfence();  // the streamed rows reach memory before the pool's join releases dxp
  });
}

void forward(const bf16::KernelSet& K, const Fwd& p, const Input* in) {
  const long U = p.U, ld = nblocks(U) * W;
  const GatePanels r(K, p.r, U, U, rl::Kept::kBf16FwdR);
  // W's panels (gemmBf16's roundings of W, laid out as R's), when the input is projected here.
  const GatePanels w(K, in ? in->w : nullptr, in ? in->D : 0, in ? U : 0, rl::Kept::kBf16FwdW);
  InputPanels ip{in, &w, {}, &K};
  if (in && in->bias && w.packed_tail) {
    const long nu = GatePanels::tail_units(U);
    ip.tail_bias.assign(W, 0.0f);
    for (int g = 0; g < 4; ++g) std::memcpy(&ip.tail_bias[(size_t)(g * nu)], in->bias + g * U + U - nu, (size_t)nu * sizeof(float));
  }
  PairRows hb(p.B, ld, rl::Kept::kBf16FwdH);
  if (p.h0)  // the state before step 0 sits in the copy step -1 (odd) reads
    for (long b = 0; b < p.B; ++b) K.convert(p.h0 + b * U, U, hb.at(1) + b * ld);
  const Steps st = steps_for(p, 4.0 * U * (U + (in ? in->D : 0)));
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    forward_run(p, st.plan, r, hb, st.first.data(), st.zeros.data(), in ? &ip : nullptr, act, ract);
  });
}

// dR's B operand from the full bf16 copy of the gate gradients: pack_b_into(K, false, B*T, 4U, StepGates) bit for
// bit (the copy holds the same roundings), reading 2 bytes an element instead of 4 and converting nothing.
void pack_steps_from_copy(const bf16::KernelSet& K, const Bwd& p, const GateCopies& gb, uint32_t* dst) {
  const long T = p.T, N = p.B * T, G4 = 4 * p.U, kp = bf16::pairs(N), nr = K.nr, pn = (G4 + nr - 1) / nr;
  auto row = [&](long i) -> const uint16_t* {
    const long b = i / T, s = i % T;
    return gb.full + (b * T + (p.back ? T - 1 - s : s)) * gb.fld;
  };
  rl::parallel_for(kp, 1, G4, [&](long q0, long q1) {
    for (long q = q0; q < q1; ++q) {
      const uint16_t* r0 = row(2 * q);
      const uint16_t* r1 = 2 * q + 1 < N ? row(2 * q + 1) : nullptr;
      for (long pj = 0; pj < pn; ++pj) {
        const long j0 = pj * nr, cols = std::min(nr, G4 - j0);
        uint32_t* d = dst + (pj * kp + q) * nr;
        for (long j = 0; j < cols; ++j) d[j] = (uint32_t)r0[j0 + j] | (r1 ? (uint32_t)r1[j0 + j] << 16 : 0u);
        std::fill(d + cols, d + nr, 0u);
      }
    }
  });
}

// Pairs [q0, q1) of dxp's rows (N rows of G4 floats), columns [c0, c1), c0 a multiple of 16 and nr: packed into
// dst's panels (nr columns, kp pairs each) with the conversions pack_b_into makes (lanes at or past G4 zeros, up to
// `end`, the end of the panels written) and added, each column row after row, into part[j - c0] (without the pairs'
// second rows when sum_second is false). 64 columns at a time keep their sums in registers over a block of pairs,
// the next block's lines fetched ahead (colsum_block's plan; blocks of 32 pairs against 8: 4.0 -> 3.0 ms at the
// lab's shapes, 1 thread).
RLV void pack_and_sum(const float* dxp, long N, long G4, long kp, long nr, uint32_t* dst, long q0, long q1, long c0,
                      long c1, long end, double* part, bool sum_second = true) {
  constexpr long kPairs = 32, kCols = 64;
  for (long qb = q0; qb < q1; qb += kPairs) {
    const long qe = std::min(q1, qb + kPairs);
    for (long c = c0; c < end; c += kCols) {
      const int nv = (int)std::min<long>(4, (end - c) / 16);
      __m512d acc[8] = {};
      for (int v = 0; v < 2 * nv; ++v) acc[v] = _mm512_loadu_pd(part + (c - c0) + 8 * v);
      for (long q = qb; q < qe; ++q) {
        const float* r0 = dxp + 2 * q * G4;
        const float* r1 = 2 * q + 1 < N ? r0 + G4 : nullptr;
        if (q + kPairs < q1 && 2 * (q + kPairs) + 1 < N)
          for (int v = 0; v < nv; ++v) {
            __builtin_prefetch(r0 + 2 * kPairs * G4 + c + 16 * v, 0, 3);
            __builtin_prefetch(r0 + (2 * kPairs + 1) * G4 + c + 16 * v, 0, 3);
          }
        for (int v = 0; v < nv; ++v) {
          const long j = c + 16 * v;
          const __mmask16 m = (__mmask16)(j + 16 <= c1 ? 0xffff : j >= c1 ? 0 : (1u << (c1 - j)) - 1);
          const __m512 x0 = _mm512_maskz_loadu_ps(m, r0 + j);
          const __m512 x1 = r1 ? _mm512_maskz_loadu_ps(m, r1 + j) : _mm512_setzero_ps();
          const __m512i lo = _mm512_maskz_cvtepu16_epi32(0xffff, (__m256i)_mm512_cvtneps_pbh(x0));
          const __m512i hi = _mm512_maskz_cvtepu16_epi32(0xffff, (__m256i)_mm512_cvtneps_pbh(x1));
          const __m512i pair = _mm512_or_si512(lo, _mm512_maskz_slli_epi32(0xffff, hi, 16));
          // Streamed: 26 MB at the lab's shapes, read next by dR's product from memory anyway; plain stores' reads for
          // ownership do not scale to two threads.
          _mm512_stream_si512((__m512i*)(dst + ((j / nr) * kp + q) * nr + j % nr), pair);
          // Row 2q's values, then row 2q + 1's (each column's order), in halves read again from L1.
          const __mmask8 mlo = (__mmask8)(m & 0xff), mhi = (__mmask8)(m >> 8);
          const auto add = [&](const float* r) {
            acc[2 * v] = _mm512_add_pd(acc[2 * v], _mm512_maskz_cvtps_pd(0xff, _mm256_maskz_loadu_ps(mlo, r + j)));
            acc[2 * v + 1] = _mm512_add_pd(acc[2 * v + 1], _mm512_maskz_cvtps_pd(0xff, _mm256_maskz_loadu_ps(mhi, r + j + 8)));
          };
          add(r0);
          if (r1 && sum_second) add(r1);
        }
      }
      for (int v = 0; v < 2 * nv; ++v) _mm512_storeu_pd(part + (c - c0) + 8 * v, acc[v]);
    }
  }
}

// dR's B operand from dxp, pack_b_into(K, false, B*T, 4U, StepGates)'s bits (goBackwards false: the steps are dxp's
// rows in order), and from the same read dxp's column sums added into dbias as colSum(B*T, 4U, dxp, dbias, true)
// adds them: each column in double, row after row (from zero again at each of colSum's row bands, merged in order),
// the threads splitting the columns (by 16) so that every column keeps its order.
void pack_steps_with_sums(const bf16::KernelSet& K, const Bwd& p, uint32_t* dst, float* dbias) {
  const long N = p.B * p.T, G4 = 4 * p.U, kp = bf16::pairs(N), nr = K.nr, width = bf16::round_up(G4, nr);
  const std::vector<long> bands = rl::col_sum_bands(N, G4);
  rl::parallel_for(width / 16, 1, 2 * kp * 16, [&](long u0, long u1) {
    const long c0 = 16 * u0, c1 = std::min(16 * u1, G4), end = 16 * u1;
    if (c0 >= G4) {  // only zero lanes past G4
      for (long q = 0; q < kp; ++q)
        for (long j = c0; j < end; j += 16) std::fill_n(dst + ((j / nr) * kp + q) * nr + j % nr, 16, 0u);
      return;
    }
    const long w = end - c0;
    std::vector<double> sum((size_t)w, 0.0), part((size_t)w, 0.0);  // the bands before, the current band
    long q = 0;
    for (size_t b = 0; b <= bands.size(); ++b) {
      if (b == bands.size()) {
        pack_and_sum(p.dxp, N, G4, kp, nr, dst, q, kp, c0, c1, end, part.data());
        break;
      }
      const long stop = bands[b];  // the next band's first row
      pack_and_sum(p.dxp, N, G4, kp, nr, dst, q, stop / 2, c0, c1, end, part.data());
      q = stop / 2;
      // A band starting inside a pair: its first row ends the band before, its second starts this one.
      if (stop & 1) pack_and_sum(p.dxp, N, G4, kp, nr, dst, q, q + 1, c0, c1, end, part.data(), false);
      for (long j = 0; j < w; ++j) sum[(size_t)j] += part[(size_t)j];
      std::fill(part.begin(), part.end(), 0.0);
      if (!(stop & 1)) continue;
      for (long j = c0; j < c1; ++j) part[(size_t)(j - c0)] += (double)p.dxp[stop * G4 + j];
      ++q;
    }
    for (long j = c0; j < c1; ++j) {
      sum[(size_t)(j - c0)] += part[(size_t)(j - c0)];
      dbias[j] = (float)((double)dbias[j] + sum[(size_t)(j - c0)]);
    }
    _mm_sfence();
  });
}

void backward(const bf16::KernelSet& K, const Bwd& p, const Shared& out) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U, kpg = bf16::pairs(G4), N = B * T;
  // Kept buffers (rl::kept), zeroed as the panels' padding lanes need.
  rl::Room own[4];
  uint32_t* const rt = rl::kept_zeroed<uint32_t>(rl::Kept::kBf16BwdRt, (size_t)(nblocks(U) * kpg * W), own[0]);
  pack_bf16_transposed_panels(K, p.r, G4, G4, U, rt);
  GateCopies gb{PairRows(B, bf16::round_up(G4, 2), rl::Kept::kBf16BwdGates),
                reinterpret_cast<uint16_t*>(out.packed_gates), 2 * bf16::packed_a_ld(G4), T};
  if (gb.full)  // pack_a's padding rows up to a whole micro-tile
    std::fill(gb.full + N * gb.fld, gb.full + bf16::round_up(N, K.mr) * gb.fld, (uint16_t)0);
  uint32_t* const wt =
      rl::kept_zeroed<uint32_t>(rl::Kept::kBf16BwdWt, out.dx ? (size_t)(nblocks(out.D) * kpg * W) : 0, own[1]);
  if (out.dx) pack_bf16_transposed_panels(K, out.w, G4, G4, out.D, wt);
  const Steps st = steps_for(p, 4.0 * U * U);
  float* const dh = rl::kept_zeroed<float>(rl::Kept::kBf16BwdDh, (size_t)(B * U), own[2]);
  float* const dc = rl::kept_zeroed<float>(rl::Kept::kBf16BwdDc, (size_t)(B * U), own[3]);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    backward_run(p, st.plan, rt, kpg, gb, st.first.data(), st.zeros.data(), dh, dc, out, wt, act, ract);
  });
  const PrevHidden hprev{&p, st.first.data()};
  const StepGates steps{&p};
  const bf16::PackedA A = bf16::pack_a(K, true, U, N, hprev.rows(), 0);
  uint32_t* Gp = out.packed_dxp ? out.packed_dxp : bf16::scratch(1, (size_t)bf16::packed_b_dwords(K, N, G4));
  if (out.dbias) pack_steps_with_sums(K, p, Gp, out.dbias);
  else if (gb.full) pack_steps_from_copy(K, p, gb, Gp);
  else bf16::pack_b_into(K, false, N, G4, steps.rows(), Gp);
  // The fitted tile always (measured at 100 x 400: 8.6 -> 5.3 ms against the 12 x 32 tiles), not only where
  // gemm_packed would pick it.
  if (K.fitted) K.fitted(K, U, G4, N, A, Gp, bf16::TileOut{p.dr, G4, U, G4, 1.0f, 0.0f, nullptr, ACT_LINEAR});
  else bf16::gemm_packed(K, U, G4, N, A, Gp, 1.0f, 0.0f, p.dr, G4, nullptr, ACT_LINEAR);
}

}  // namespace avx512

void forward(const bf16::KernelSet& K, const Fwd& p, const Input* in) { avx512::forward(K, p, in); }
void backward(const bf16::KernelSet& K, const Bwd& p, const Shared& out) { avx512::backward(K, p, out); }

}  // namespace lstm_bf16
}  // namespace rl
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif
