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
      long na = 0;
      for (long b = sh.r0; b < sh.r1; ++b) {
        if (!p.mask || p.mask[b * T + t]) sh.rows[(size_t)na++] = (int)b;
        else repeat_output(p.hs + (b * T + s) * U, U, sh.ua, sh.ub, s > first[b]);
      }
      if (na > 0)
        for_tiles<4>(sh.j1 - sh.j0, [&](long q0, auto NPc) {
          constexpr int NP = decltype(NPc)::value;
          constexpr int MM = rows_for(NP);
          const float* bp[NP];
          for (int q = 0; q < NP; ++q) bp[q] = pan + (sh.j0 + q0 + q) * U * W;
          for_tiles<MM>(na, [&](long i0, auto Mc) {
            constexpr int M = decltype(Mc)::value;
            const float* ap[M];
            for (int m = 0; m < M; ++m) {
              const long b = sh.rows[(size_t)(i0 + m)];
              ap[m] = s > first[b] ? p.hs + (b * T + s - 1) * U : (p.h0 ? p.h0 + b * U : zeros);
            }
            vf acc[M][NP];
            acc_zero(acc);
            mk_accum<M, NP, 1>(acc, U, ap, bp);
            for (int m = 0; m < M; ++m) {
              const long b = sh.rows[(size_t)(i0 + m)];
              const float* x = p.xp + (b * T + t) * U;
              float* h = p.hs + (b * T + s) * U;
              for (int q = 0; q < NP; ++q) {
                const long u0 = (sh.j0 + q0 + q) * W;
                const int nu = (int)std::min<long>(W, U - u0);
                if (s + 1 < T) {
                  __builtin_prefetch(x + xstep + u0, 0, 3);
                  __builtin_prefetch(h + U + u0, 1, 3);
                }
                vstoren(h + u0, act(acc[m][q] + vloadn(x + u0, nu)), nu);
              }
            }
          });
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
  std::vector<int> first;
  rl::rnn::first_real_steps(p.B, p.T, p.mask, p.back, first);
  std::vector<float> zeros((size_t)U, 0.0f);
  rl::rnn::Plan plan = rl::rnn::make_plan(p.B, p.T, U, 1.0 * U * U, W);
  if (p.act == rl::ACT_TANH) forward_run(p, plan, pan.data(), first.data(), zeros.data(), ActT<rl::ACT_TANH>{p.act});
  else forward_run(p, plan, pan.data(), first.data(), zeros.data(), ActT<-1>{p.act});
}

template <class A>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const float* rt, const int* first, float* dh,
                  const rl::rnn::Corr& corr, A act) {
  const long B = p.B, T = p.T, U = p.U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua; ++b) {
      if (p.dhT) std::memcpy(dh + b * U + sh.ua, p.dhT + b * U + sh.ua, sh.ubytes);
      else std::memset(dh + b * U + sh.ua, 0, sh.ubytes);
    }
    const long xstep = p.back ? U : -U;
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      long na = 0;
      for (long b = sh.r0; b < sh.r1; ++b) {
        const bool real = !p.mask || p.mask[b * T + t];
        if (real) sh.rows[(size_t)na++] = (int)b;
        if (sh.ub <= sh.ua) continue;
        const long ho = (b * T + s) * U;
        float* dhb = dh + b * U;
        float* dg = p.dxp + (b * T + t) * U;
        if (!real) {
          masked_backward(dhb, p.dhs + ho, p.dhAll ? p.dhAll + ho : nullptr, sh.ua, sh.ub, s > first[b]);
          std::memset(dg + sh.ua, 0, sh.ubytes);
          continue;
        }
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
      }
      if (plan.unit) rl::rnn::sync(nth);
      const PSeg sg{p.dxp + t * U, T * U, rt, U * W, U};
      panel_product<false, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, &sg);
    }
    for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua && p.dh0; ++b) std::memcpy(p.dh0 + b * U + sh.ua, dh + b * U + sh.ua, sh.ubytes);
    rl::rnn::sync(nth);
    long c0, c1;
    split_cols(U, tid, nth, &c0, &c1);
    shifted_outer(p.dr, U, c0, c1, p.hs, p.dxp, B, T, U, p.back, first, corr);
  });
}

void backward(const Bwd& p) {
  const long B = p.B, T = p.T, U = p.U, nb = nblocks(U);
  std::vector<float> rt((size_t)(nb * U * W));
  rl::rnn::pack_transposed_panels(p.r, U, U, U, W, rt.data());
  std::vector<int> first;
  rl::rnn::first_real_steps(B, T, p.mask, p.back, first);
  std::vector<float> dh((size_t)(B * U));
  rl::rnn::CorrBuf corr(B, T, U, U, p.h0, first);
  rl::rnn::Plan plan = rl::rnn::make_plan(B, T, U, 1.0 * U * U, W);
  if (p.act == rl::ACT_TANH) backward_run(p, plan, rt.data(), first.data(), dh.data(), corr.view(), ActT<rl::ACT_TANH>{p.act});
  else backward_run(p, plan, rt.data(), first.data(), dh.data(), corr.view(), ActT<-1>{p.act});
}

namespace {
RL_REGISTER_PASS(kFamilySimpleRnn, t.simple_rnn_forward = forward; t.simple_rnn_backward = backward);
}  // namespace

#endif  // RL_PASS
