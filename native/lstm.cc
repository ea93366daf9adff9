// LSTM over whole sequences, forward and backward (Keras gate order i, f, c, o):
//   i = recAct(xp_i + h r_i), f = recAct(xp_f + h r_f), c~ = act(xp_c + h r_c), o = recAct(xp_o + h r_o)
//   c = f * c_prev + i * c~,  h = o * act(c)
// The design (packing, threading, masking, storage order) is described in rnn_common.h.
//
// The kernel body (below RL_PASS) is compiled once per instruction set (isa_passes.h).
#ifndef RL_PASS

#include "dispatch.h"
#include "lstm_args.h"

namespace rl {

namespace {

// lstmForward(B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates)
Napi::Value LstmForward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmForward", 4);
  return a.run(kernels().lstm_forward, lstm_impl::forward_args(a));
}

// lstmBackward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
//              dxp, dr, dh0, dc0, dhAll)
Napi::Value LstmBackward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "lstmBackward", 4);
  return a.run(kernels().lstm_backward, lstm_impl::backward_args(a));
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
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U, nb = nblocks(U);
  const bool packed_tail = rl::rnn::packs_tail(U, 4, W);
  const int tail_nu = (int)rl::rnn::tail_units(U, W);
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    std::vector<StepRow> at((size_t)std::max(sh.r1 - sh.r0, 1L));
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      // Masked rows: carry the state; the output repeats the previous one (zeros before the first real step).
      const long na = forward_rows(p, sh, s, t, first, [&](long b) {
        const float* cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        std::memcpy(p.cs + (b * T + s) * U + sh.ua, cp + sh.ua, sh.ubytes);
        float* g = p.gates + (b * T + s) * G4;
        for (int q = 0; q < 4; ++q) std::memset(g + q * U + sh.ua, 0, sh.ubytes);
      });
      step_rows(p, sh, na, s, t, first, zeros, 4, at.data());
      const long xstep = p.back ? -G4 : G4;
      const bool pf = s + 1 < T;
      for (long jb = sh.j0; jb < sh.j1 && na > 0; ++jb) {
        const float* panel = panels + jb * U * 4 * W;
        const long u0 = jb * W;
        const int nu = (int)std::min<long>(W, U - u0);
        const bool packed = packed_tail && jb == nb - 1;
        gate_tiles<4>(na, packed, [&](long i0, auto Mc, auto packed_c) {
          constexpr int M = decltype(Mc)::value;
          const StepRow* r = at.data() + i0;
          const float* ap[M];
          for (int m = 0; m < M; ++m) ap[m] = r[m].a;
          vf acc[M][4];
          gate_sums<M, 4, decltype(packed_c)::value>(acc, U, ap, panel, tail_nu);
          for (int m = 0; m < M; ++m) {
            const float* const x = r[m].x + u0;
            float* const g = r[m].g + u0;
            float* const c = p.cs + r[m].o + u0;
            float* const h = p.hs + r[m].o + u0;
            const float* const cp = s > 0 ? c - U : (p.c0 ? p.c0 + r[m].b * U + u0 : zeros + u0);
            if (pf) {  // the next step's lines: its inputs, and the gates, c and h it will write
              prefetch_gate_lines(x, xstep, g, G4, U, 4);
              __builtin_prefetch(c + U, 1, 3);
              __builtin_prefetch(h + U, 1, 3);
            }
            if (nu == W) lstm_step(acc[m], x, cp, g, c, h, U, W, act, ract);  // (no lane masks)
            else lstm_step(acc[m], x, cp, g, c, h, U, nu, act, ract);
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
  rl::rnn::pack_gate_panels(p.r, U, 4 * U, U, 4, gcol, W, panels.data(), true);
  const Steps st = steps_for(p, 4.0 * U * U);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    forward_run(p, st.plan, panels.data(), st.first.data(), st.zeros.data(), act, ract);
  });
}

template <class A, class RA>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const float* rt, const int* first, const float* zeros,
                  float* dh, float* dc, float* dr_spare, A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G4 = 4 * U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    DrAccum dr(plan, sh, p.dr, dr_spare, G4, U, T, tid, first, p.back);
    load_rows(dh, p.dhT, sh, U);
    load_rows(dc, p.dcT, sh, U);
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      auto real_row = [&](long b, long ho, float* dhb, float* dg) {
        // Every pointer in a local: the vector stores may alias anything, so GCC would reload captured ones after each.
        float* const dcb = dc + b * U;
        const float* const g = p.gates + (b * T + s) * G4;
        const float* const cp = s > 0 ? p.cs + (b * T + s - 1) * U : (p.c0 ? p.c0 + b * U : zeros);
        const float* const cc = p.cs + ho, *const dhs = p.dhs + ho, *const hs = p.hs + ho;
        float* const dha = p.dhAll ? p.dhAll + ho : nullptr;
        const long dgstep = p.back ? G4 : -G4, ua = sh.ua, ub = sh.ub;
        const bool pf = s > 0, pf2 = s > 1;
        for (long u = ua; u < ub; u += W) {
          const int n = (int)std::min<long>(W, ub - u);
          if (pf) {  // the previous step's lines of this row
            prefetch_gate_lines(g + u, -G4, dg + u, dgstep, U, 4);
            __builtin_prefetch(dhs - U + u, 0, 3);
            if (pf2) __builtin_prefetch(cc - 2 * U + u, 0, 3);
            __builtin_prefetch(hs - U + u, 0, 3);  // this step's h_prev, for dR at the block's end
          }
          vf d = vloadn(dhb + u, n) + vloadn(dhs + u, n);
          if (dha) vstoren(dha + u, d, n);
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
      };
      const long na = backward_rows<4>(p, sh, dh, s, t, first, [](long) {}, real_row);
      if (plan.unit) rl::rnn::sync(nth);
      // dh_prev[b, own units] = dgates[b] R^T for the real rows (masked rows already carry dh).
      const PSeg sg{p.dxp + t * G4, T * G4, rt, G4 * W, G4};
      panel_product<false, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, &sg);
      if (dr.block_ends(s)) {  // dR += h_prev^T dgates over the block's steps
        dr.add(0, p.hs, p.h0, true, {p.dxp, G4, true, 4});
        dr.next();
      }
    }
    store_rows(p.dh0, dh, sh, U);
    store_rows(p.dc0, dc, sh, U);
    dr.finish(p.dr, dr_spare, tid, nth);
  });
}

void backward(const Bwd& p) {
  const long B = p.B, U = p.U, G4 = 4 * U, nb = nblocks(U);
  // Kept buffers (rl::kept): load_rows fills dh and dc before they are read.
  rl::Room own[4];
  float* const rt = rl::kept<float>(rl::Kept::kLstmBwdRt, (size_t)(nb * G4 * W), own[0]);
  rl::rnn::pack_transposed_panels(p.r, G4, G4, U, W, rt);
  const Steps st = steps_for(p, 4.0 * U * U);
  float* const dh = rl::kept<float>(rl::Kept::kLstmBwdDh, (size_t)(B * U), own[1]);
  float* const dc = rl::kept<float>(rl::Kept::kLstmBwdDc, (size_t)(B * U), own[2]);
  float* const dr_spare = dr_spare_for(st.plan, U, G4, own[3]);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    backward_run(p, st.plan, rt, st.first.data(), st.zeros.data(), dh, dc, dr_spare, act, ract);
  });
}

namespace {
RL_REGISTER_PASS(kFamilyLstm, t.lstm_forward = forward; t.lstm_backward = backward);
}  // namespace

#endif  // RL_PASS
