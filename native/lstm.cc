// LSTM over whole sequences, forward and backward (Keras gate order i, f, c, o):
//   i = recAct(xp_i + h r_i), f = recAct(xp_f + h r_f), c~ = act(xp_c + h r_c), o = recAct(xp_o + h r_o)
//   c = f * c_prev + i * c~,  h = o * act(c)
// The design (packing, threading, masking, storage order) is described in rnn_common.h.
//
// The kernel body (below RL_PASS) is compiled once per instruction set (isa_passes.h).
#ifndef RL_PASS

#include "dispatch.h"
#include "rnn_common.h"

namespace rl {
namespace lstm_impl {

struct Fwd {
  long B, T, U;
  const float *xp, *r, *h0, *c0;
  const uint8_t* mask;
  bool back;
  int act, ract;
  float *hs, *cs, *gates;
};

struct Bwd {
  long B, T, U;
  const float *r, *h0, *c0;
  const uint8_t* mask;
  bool back;
  int act, ract;
  const float *hs, *cs, *gates, *dhs, *dhT, *dcT;
  float *dxp, *dr, *dh0, *dc0, *dhAll;
};

}  // namespace lstm_impl

namespace {

// lstmForward(B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates)
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmForward", 4);
  auto f = a.dims<lstm_impl::Fwd>();
  f.xp = a.arr("xp", a.kGates), f.r = a.arr("r", a.kWeights);
  f.h0 = a.optional("h0", a.kState), f.c0 = a.optional("c0", a.kState), f.mask = a.mask();
  f.back = a.option("goBackwards"), f.act = a.act("act"), f.ract = a.act("recAct");
  f.hs = a.arr("hs", a.kSeq), f.cs = a.arr("cs", a.kSeq), f.gates = a.arr("gates", a.kGates);
  return a.run(kernels().lstm_forward, f);
}

// lstmBackward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
//              dxp, dr, dh0, dc0, dhAll)
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmBackward", 4);
  auto b = a.dims<lstm_impl::Bwd>();
  b.r = a.arr("r", a.kWeights);
  b.h0 = a.optional("h0", a.kState), b.c0 = a.optional("c0", a.kState), b.mask = a.mask();
  b.back = a.option("goBackwards"), b.act = a.act("act"), b.ract = a.act("recAct");
  b.hs = a.arr("hs", a.kSeq), b.cs = a.arr("cs", a.kSeq), b.gates = a.arr("gates", a.kGates);
  b.dhs = a.arr("dhs", a.kSeq), b.dhT = a.optional("dhT", a.kState), b.dcT = a.optional("dcT", a.kState);
  b.dxp = a.arr("dxp", a.kGates), b.dr = a.arr("dr", a.kWeights);
  b.dh0 = a.optional("dh0", a.kState), b.dc0 = a.optional("dc0", a.kState), b.dhAll = a.optional("dhAll", a.kSeq);
  return a.run(kernels().lstm_backward, b);
}

const bool exported = add_bindings({{"lstmForward", LstmForward}, {"lstmBackward", LstmBackward}});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "lstm.cc"
#define RL_PASS_NS lstm_impl
#include "isa_passes.h"

#else  // RL_PASS: the kernels of one instruction-set pass

#include "rnn_common.h"  // its SIMD part, for this pass

template <class A, class RA>
void forward_run(const Fwd& p, const rl::rnn::Plan& plan, const float* panels, const int* first, const float* zeros,
                 A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U;
  constexpr int MM = rows_for(4);
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      long na = 0;
      for (long b = sh.r0; b < sh.r1; ++b) {
        if (!p.mask || p.mask[b * T + t]) {
          sh.rows[(size_t)na++] = (int)b;
          continue;
        }
        if (sh.ub <= sh.ua) continue;
        // Masked: carry the state; the output repeats the previous one (zeros before the first real step).
        repeat_output(p.hs + (b * T + s) * U, U, sh.ua, sh.ub, s > first[b]);
        const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        std::memcpy(p.cs + (b * T + s) * U + sh.ua, cp + sh.ua, sh.ubytes);
        float* g = p.gates + (b * T + s) * G4;
        for (int q = 0; q < 4; ++q) std::memset(g + q * U + sh.ua, 0, sh.ubytes);
      }
      for (long jb = sh.j0; jb < sh.j1 && na > 0; ++jb) {
        const float* panel = panels + jb * U * 4 * W;
        const long u0 = jb * W;
        const int nu = (int)std::min<long>(W, U - u0);
        for_tiles<MM>(na, [&](long i0, auto Mc) {
          constexpr int M = decltype(Mc)::value;
          const float* ap[M];
          for (int m = 0; m < M; ++m) {
            long b = sh.rows[(size_t)(i0 + m)];
            ap[m] = s > first[b] ? p.hs + (b * T + s - 1) * U : (p.h0 ? p.h0 + b * U : zeros);
          }
          vf acc[M][4];
          acc_zero(acc);
          mk_accum<M, 1, 4>(acc, U, ap, &panel);
          for (int m = 0; m < M; ++m) {
            const long b = sh.rows[(size_t)(i0 + m)];
            const float* x = p.xp + (b * T + t) * G4 + u0;
            float* g = p.gates + (b * T + s) * G4 + u0;
            if (s + 1 < T) prefetch_gate_lines(x, p.back ? -G4 : G4, g, G4, U, 4);  // the next step's lines
            vf ig = ract(acc[m][0] + vloadn(x, nu));
            vf fg = ract(acc[m][1] + vloadn(x + U, nu));
            vf cg = act(acc[m][2] + vloadn(x + 2 * U, nu));
            vf og = ract(acc[m][3] + vloadn(x + 3 * U, nu));
            const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
            vf c = fg * vloadn(cp + u0, nu) + ig * cg;
            vf h = og * act(c);
            vstoren(g, ig, nu);
            vstoren(g + U, fg, nu);
            vstoren(g + 2 * U, cg, nu);
            vstoren(g + 3 * U, og, nu);
            vstoren(p.cs + (b * T + s) * U + u0, c, nu);
            vstoren(p.hs + (b * T + s) * U + u0, h, nu);
          }
        });
      }
      if (plan.unit) rl::rnn::sync(nth);
    }
  });
}

void forward(const Fwd& p) {
  const long U = p.U, nb = nblocks(U);
  std::vector<float> panels((size_t)(nb * U * 4 * W));
  const long gcol[4] = {0, U, 2 * U, 3 * U};
  rl::rnn::pack_gate_panels(p.r, U, 4 * U, U, 4, gcol, W, panels.data());
  std::vector<int> first;
  rl::rnn::first_real_steps(p.B, p.T, p.mask, p.back, first);
  std::vector<float> zeros((size_t)U, 0.0f);
  rl::rnn::Plan plan = rl::rnn::make_plan(p.B, p.T, U, 4.0 * U * U, W);
  if (p.act == rl::ACT_TANH && p.ract == rl::ACT_SIGMOID)
    forward_run(p, plan, panels.data(), first.data(), zeros.data(), ActT<rl::ACT_TANH>{p.act},
                ActT<rl::ACT_SIGMOID>{p.ract});
  else
    forward_run(p, plan, panels.data(), first.data(), zeros.data(), ActT<-1>{p.act}, ActT<-1>{p.ract});
}

template <class A, class RA>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const float* rt, const int* first, const float* zeros,
                  float* dh, float* dc, const rl::rnn::Corr& corr, A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua; ++b) {
      if (p.dhT) std::memcpy(dh + b * U + sh.ua, p.dhT + b * U + sh.ua, sh.ubytes);
      else std::memset(dh + b * U + sh.ua, 0, sh.ubytes);
      if (p.dcT) std::memcpy(dc + b * U + sh.ua, p.dcT + b * U + sh.ua, sh.ubytes);
      else std::memset(dc + b * U + sh.ua, 0, sh.ubytes);
    }
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      long na = 0;
      for (long b = sh.r0; b < sh.r1; ++b) {
        const bool real = !p.mask || p.mask[b * T + t];
        if (real) sh.rows[(size_t)na++] = (int)b;
        if (sh.ub <= sh.ua) continue;
        const long ho = (b * T + s) * U;
        float* dhb = dh + b * U;
        float* dcb = dc + b * U;
        float* dg = p.dxp + (b * T + t) * G4;
        if (!real) {
          masked_backward(dhb, p.dhs + ho, p.dhAll ? p.dhAll + ho : nullptr, sh.ua, sh.ub, s > first[b]);
          for (int q = 0; q < 4; ++q) std::memset(dg + q * U + sh.ua, 0, sh.ubytes);
          continue;
        }
        const float* g = p.gates + (b * T + s) * G4;
        const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        const float* cc = p.cs + ho;
        const bool pf = s > 0;
        for (long u = sh.ua; u < sh.ub; u += W) {
          const int n = (int)std::min<long>(W, sh.ub - u);
          if (pf) {  // the previous step's lines of this row
            prefetch_gate_lines(g + u, -G4, dg + u, p.back ? G4 : -G4, U, 4);
            __builtin_prefetch(p.dhs + ho - U + u, 0, 3);
            if (s > 1) __builtin_prefetch(cc - 2 * U + u, 0, 3);
          }
          vf d = vloadn(dhb + u, n) + vloadn(p.dhs + ho + u, n);
          if (p.dhAll) vstoren(p.dhAll + ho + u, d, n);
          vf ig = vloadn(g + u, n), fg = vloadn(g + U + u, n), cg = vloadn(g + 2 * U + u, n),
             og = vloadn(g + 3 * U + u, n);
          vf tc = act(vloadn(cc + u, n));
          vf dct = vloadn(dcb + u, n) + d * og * act.grad(tc);
          vstoren(dcb + u, dct * fg, n);
          vstoren(dg + u, dct * cg * ract.grad(ig), n);
          vstoren(dg + U + u, dct * vloadn(cp + u, n) * ract.grad(fg), n);
          vstoren(dg + 2 * U + u, dct * ig * act.grad(cg), n);
          vstoren(dg + 3 * U + u, d * tc * ract.grad(og), n);
        }
      }
      if (plan.unit) rl::rnn::sync(nth);
      // dh_prev[b, own units] = dgates[b] R^T for the real rows (masked rows already carry dh).
      const PSeg sg{p.dxp + t * G4, T * G4, rt, G4 * W, G4};
      panel_product<false, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, &sg);
    }
    for (long b = sh.r0; b < sh.r1 && sh.ub > sh.ua; ++b) {
      if (p.dh0) std::memcpy(p.dh0 + b * U + sh.ua, dh + b * U + sh.ua, sh.ubytes);
      if (p.dc0) std::memcpy(p.dc0 + b * U + sh.ua, dc + b * U + sh.ua, sh.ubytes);
    }
    rl::rnn::sync(nth);
    // dR = sum over steps of h_prev^T dgates: h_prev is hs shifted by one step, except at each row's first real
    // step, where it is h0 (gathered in corr).
    long c0, c1;
    split_cols(G4, tid, nth, &c0, &c1);
    shifted_outer(p.dr, G4, c0, c1, p.hs, p.dxp, B, T, U, p.back, first, corr);
  });
}

void backward(const Bwd& p) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U, nb = nblocks(U);
  std::vector<float> rt((size_t)(nb * G4 * W));
  rl::rnn::pack_transposed_panels(p.r, G4, G4, U, W, rt.data());
  std::vector<int> first;
  rl::rnn::first_real_steps(B, T, p.mask, p.back, first);
  std::vector<float> zeros((size_t)U, 0.0f), dh((size_t)(B * U)), dc((size_t)(B * U));
  rl::rnn::CorrBuf corr(B, T, U, G4, p.h0, first);
  rl::rnn::Plan plan = rl::rnn::make_plan(B, T, U, 4.0 * U * U, W);
  if (p.act == rl::ACT_TANH && p.ract == rl::ACT_SIGMOID)
    backward_run(p, plan, rt.data(), first.data(), zeros.data(), dh.data(), dc.data(), corr.view(),
                 ActT<rl::ACT_TANH>{p.act}, ActT<rl::ACT_SIGMOID>{p.ract});
  else
    backward_run(p, plan, rt.data(), first.data(), zeros.data(), dh.data(), dc.data(), corr.view(), ActT<-1>{p.act},
                 ActT<-1>{p.ract});
}

namespace {
RL_REGISTER_PASS(kFamilyLstm, t.lstm_forward = forward; t.lstm_backward = backward);
}  // namespace

#endif  // RL_PASS
