// SimpleRNN over whole sequences, forward and backward: h = act(xp + h_prev r).
// The design (packing, threading, masking, storage order) is described in rnn_common.h.
//
// The kernel body (below RL_PASS) is compiled once per instruction set (isa_passes.h).
#ifndef RL_PASS

#include "dispatch.h"
#include "rnn_common.h"

namespace rl {
namespace srnn_impl {

struct Fwd {
  long B, T, U;
  const float *xp, *r, *h0;
  const uint8_t* mask;
  bool back;
  int act;
  float* hs;
};

struct Bwd {
  long B, T, U;
  const float *r, *h0;
  const uint8_t* mask;
  bool back;
  int act;
  const float *hs, *dhs, *dhT;
  float *dxp, *dr, *dh0, *dhAll;
};

}  // namespace srnn_impl

namespace {

// simpleRnnForward(B, T, U, xp, r, h0, mask, goBackwards, act, hs)
Napi::Value SimpleRnnForward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "simpleRnnForward", 1);
  auto f = a.dims<srnn_impl::Fwd>();
  f.xp = a.arr("xp", a.kSeq), f.r = a.arr("r", a.kWeights), f.h0 = a.optional("h0", a.kState), f.mask = a.mask();
  f.back = a.option("goBackwards"), f.act = a.act("act");
  f.hs = a.arr("hs", a.kSeq);
  return a.run(kernels().simple_rnn_forward, f);
}

// simpleRnnBackward(B, T, U, r, h0, mask, goBackwards, act, hs, dhs, dhT, dxp, dr, dh0, dhAll)
Napi::Value SimpleRnnBackward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "simpleRnnBackward", 1);
  auto b = a.dims<srnn_impl::Bwd>();
  b.r = a.arr("r", a.kWeights), b.h0 = a.optional("h0", a.kState), b.mask = a.mask();
  b.back = a.option("goBackwards"), b.act = a.act("act");
  b.hs = a.arr("hs", a.kSeq), b.dhs = a.arr("dhs", a.kSeq), b.dhT = a.optional("dhT", a.kState);
  b.dxp = a.arr("dxp", a.kSeq), b.dr = a.arr("dr", a.kWeights);
  b.dh0 = a.optional("dh0", a.kState), b.dhAll = a.optional("dhAll", a.kSeq);
  return a.run(kernels().simple_rnn_backward, b);
}

const bool exported = add_bindings({
    {"simpleRnnForward", SimpleRnnForward},
    {"simpleRnnBackward", SimpleRnnBackward},
});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "simple_rnn.cc"
#define RL_PASS_NS srnn_impl
#include "isa_passes.h"

#else  // RL_PASS: the kernels of one instruction-set pass

#include "rnn_common.h"  // its SIMD part, for this pass

template <class A>
void forward_run(const Fwd& p, const rl::rnn::Plan& plan, const float* pan, const int* first, const float* zeros,
                 A act) {
  const long B = p.B, T = p.T, U = p.U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      const long xstep = p.back ? -U : U;
      const long na = forward_rows(p, sh, s, t, first, [](long) {});
      auto hprev = [&](long b) { return s > first[b] ? p.hs + (b * T + s - 1) * U : (p.h0 ? p.h0 + b * U : zeros); };
      one_gate_products(sh, na, pan, U, hprev, [&](long b, vf acc, long u0, int nu) RLV_LAMBDA {
        const float* x = p.xp + (b * T + t) * U;
        float* h = p.hs + (b * T + s) * U;
        if (s + 1 < T) {
          __builtin_prefetch(x + xstep + u0, 0, 3);
          __builtin_prefetch(h + U + u0, 1, 3);
        }
        vstoren(h + u0, act(acc + vloadn(x + u0, nu)), nu);
      });
      if (plan.unit) rl::rnn::sync(nth);
    }
  });
}

void forward(const Fwd& p) {
  const long U = p.U, nb = nblocks(U);
  std::vector<float> pan((size_t)(nb * U * W));
  const long gcol[1] = {0};
  rl::rnn::pack_gate_panels(p.r, U, U, U, 1, gcol, W, pan.data());
  const Steps st = steps_for(p, 1.0 * U * U);
  with_act(p.act, [&](auto act) { forward_run(p, st.plan, pan.data(), st.first.data(), st.zeros.data(), act); });
}

// Rows of dxp per chunk of the end-of-pass dR (outer_accum's default is 64). Each thread packs every row of dxp for
// its half of dR, and at 2 threads that packing (its reads of dxp come from the other core's cache or memory) and
// each chunk's start (reloading the C tiles, the next pack) cost more than at 1 thread: 256-row chunks made the
// pass ~7 % faster on 2 cores (Zen 5) than 64 (128: ~5 %, 512: ~6 %). Each element of dR is still one FMA chain in
// step order, so no bit changes with the chunk. (Packing each chunk once for both threads, behind a barrier, was
// 8-24 % slower: the tiles then read what the other core packed instead of their own L1.)
constexpr long kDrChunk = 256;

template <class A>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const float* rt, const int* first, float* dh,
                  const rl::rnn::Corr& corr, A act) {
  const long B = p.B, T = p.T, U = p.U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    load_rows(dh, p.dhT, sh, U);
    const long xstep = p.back ? U : -U;
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      auto real_row = [&](long b, long ho, float* dhb, float* dg) {
        for (long u = sh.ua; u < sh.ub; u += W) {
          const int n = (int)std::min<long>(W, sh.ub - u);
          if (s > 0) {
            __builtin_prefetch(p.hs + ho - U + u, 0, 3);
            __builtin_prefetch(p.dhs + ho - U + u, 0, 3);
            __builtin_prefetch(dg + xstep + u, 1, 3);
          }
          vf d = vloadn(dhb + u, n) + vloadn(p.dhs + ho + u, n);
          if (p.dhAll) vstoren(p.dhAll + ho + u, d, n);
          vstoren(dg + u, d * act.grad(vloadn(p.hs + ho + u, n)), n);
        }
      };
      const long na = backward_rows<1>(p, sh, dh, s, t, first, [](long) {}, real_row);
      if (plan.unit) rl::rnn::sync(nth);
      const PSeg sg{p.dxp + t * U, T * U, rt, U * W, U};
      panel_product<false, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, &sg);
    }
    store_rows(p.dh0, dh, sh, U);
    recurrent_weight_grad<kDrChunk>(p, U, tid, nth, first, corr);
  });
}

void backward(const Bwd& p) {
  const long B = p.B, T = p.T, U = p.U, nb = nblocks(U);
  std::vector<float> rt((size_t)(nb * U * W));
  rl::rnn::pack_transposed_panels(p.r, U, U, U, W, rt.data());
  const Steps st = steps_for(p, 1.0 * U * U);
  // 64-byte aligned (gru.cc's backward says why): each thread writes its own rows of dh every step.
  rl::Room own_dh;
  float* const dh = own_dh.get<float>((size_t)(B * U));
  rl::rnn::CorrBuf corr(B, T, U, U, p.h0, st.first);
  with_act(p.act, [&](auto act) { backward_run(p, st.plan, rt.data(), st.first.data(), dh, corr.view(), act); });
}

namespace {
RL_REGISTER_PASS(kFamilySimpleRnn, t.simple_rnn_forward = forward; t.simple_rnn_backward = backward);
}  // namespace

#endif  // RL_PASS
