// GRU over whole sequences, forward and backward (Keras gate order z, r, h):
//   resetAfter (Keras 2 default): hh = h_prev r + rb; z = recAct(xp_z + hh_z); rr = recAct(xp_r + hh_r);
//                                 n = act(xp_h + rr * hh_h)
//   not resetAfter:               z, rr as above without rb; n = act(xp_h + (rr * h_prev) r_h)
//   h = z * h_prev + (1 - z) * n, computed in that (Keras's) form: n + z * (h_prev - n) gives inf - inf = NaN
//   where an unbounded activation makes n infinite.
// The design (packing, threading, masking, storage order) is described in rnn_common.h. Without resetAfter a step
// needs two products in sequence (the candidate's input rr * h_prev depends on the first), so the unit split then
// synchronises twice per step.
//
// The kernel body (below RL_PASS) is compiled once per instruction set (isa_passes.h).
#ifndef RL_PASS

#include <memory>

#include "dispatch.h"
#include "rnn_common.h"

namespace rl {
namespace gru_impl {

struct Fwd {
  long B, T, U;
  const float *xp, *r, *rb, *h0;
  const uint8_t* mask;
  bool back, resetAfter;
  int act, ract;
  float *hs, *gates, *hh;
};

struct Bwd {
  long B, T, U;
  const float *r, *rb, *h0;
  const uint8_t* mask;
  bool back, resetAfter;
  int act, ract;
  const float *hs, *gates, *hh, *dhs, *dhT;
  float *dxp, *dr, *drb, *dh0, *dhAll;
};

}  // namespace gru_impl

namespace {

// gruForward(B, T, U, xp, r, rb, h0, mask, goBackwards, resetAfter, act, recAct, hs, gates, hh)
Napi::Value GruForward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "gruForward", 3);
  auto f = a.dims<gru_impl::Fwd>();
  f.xp = a.arr("xp", a.kGates), f.r = a.arr("r", a.kWeights), f.rb = a.optional("rb", a.kBias);
  f.h0 = a.optional("h0", a.kState), f.mask = a.mask();
  f.back = a.option("goBackwards"), f.resetAfter = a.option("resetAfter");
  f.act = a.act("act"), f.ract = a.act("recAct");
  f.hs = a.arr("hs", a.kSeq), f.gates = a.arr("gates", a.kGates), f.hh = a.arr("hh", a.kSeq);
  if (a.ok() && f.rb && !f.resetAfter) a.fail("rb", "must be null when resetAfter is false");
  return a.run(kernels().gru_forward, f);
}

// gruBackward(B, T, U, r, rb, h0, mask, goBackwards, resetAfter, act, recAct, hs, gates, hh, dhs, dhT,
//             dxp, dr, drb, dh0, dhAll)
Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  rnn::SeqArgs a(info, "gruBackward", 3);
  auto b = a.dims<gru_impl::Bwd>();
  b.r = a.arr("r", a.kWeights), b.rb = a.optional("rb", a.kBias);
  b.h0 = a.optional("h0", a.kState), b.mask = a.mask();
  b.back = a.option("goBackwards"), b.resetAfter = a.option("resetAfter");
  b.act = a.act("act"), b.ract = a.act("recAct");
  b.hs = a.arr("hs", a.kSeq), b.gates = a.arr("gates", a.kGates), b.hh = a.arr("hh", a.kSeq);
  b.dhs = a.arr("dhs", a.kSeq), b.dhT = a.optional("dhT", a.kState);
  b.dxp = a.arr("dxp", a.kGates), b.dr = a.arr("dr", a.kWeights), b.drb = a.optional("drb", a.kBias);
  b.dh0 = a.optional("dh0", a.kState), b.dhAll = a.optional("dhAll", a.kSeq);
  if (a.ok() && b.rb && !b.resetAfter) a.fail("rb", "must be null when resetAfter is false");
  if (!b.rb) b.drb = nullptr;
  return a.run(kernels().gru_backward, b);
}

const bool exported = add_bindings({{"gruForward", GruForward}, {"gruBackward", GruBackward}});

}  // namespace
}  // namespace rl

#define RL_PASS_FILE "gru.cc"
#define RL_PASS_NS gru_impl
#include "isa_passes.h"

#else  // RL_PASS: the kernels of one instruction-set pass

#include "rnn_common.h"  // its SIMD part, for this pass

template <class A, class RA>
void forward_run(const Fwd& p, const rl::rnn::Plan& plan, const float* pan, const float* pan_h, const int* first,
                 const float* zeros, float* rh, A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G3 = 3 * U;
  const bool packed_tail = p.resetAfter && rl::rnn::packs_tail(U, 3, W);  // (see pack_gate_panels)
  const int tail_nu = (int)rl::rnn::tail_units(U, W);
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    std::vector<StepRow> at((size_t)std::max(sh.r1 - sh.r0, 1L));
    for (long s = 0; s < T; ++s) {
      const long t = p.back ? T - 1 - s : s;
      const long xstep = p.back ? -G3 : G3;
      auto hprev = [&](long b) { return s > first[b] ? p.hs + (b * T + s - 1) * U : (p.h0 ? p.h0 + b * U : zeros); };
      const long na = forward_rows(p, sh, s, t, first, [&](long b) {
        std::memset(p.hh + (b * T + s) * U + sh.ua, 0, sh.ubytes);
        float* g = p.gates + (b * T + s) * G3;
        for (int q = 0; q < 3; ++q) std::memset(g + q * U + sh.ua, 0, sh.ubytes);
      });
      if (p.resetAfter) {
        step_rows(p, sh, na, s, t, first, zeros, 3, at.data());
        const bool pf = s + 1 < T;
        for (long jb = sh.j0; jb < sh.j1 && na > 0; ++jb) {
          const float* panel = pan + jb * U * 3 * W;
          const long u0 = jb * W;
          const int nu = (int)std::min<long>(W, U - u0);
          const bool packed = packed_tail && jb == nblocks(U) - 1;
          vf rbz = vzero(), rbr = vzero(), rbh = vzero();
          if (p.rb) {
            rbz = vloadn(p.rb + u0, nu);
            rbr = vloadn(p.rb + U + u0, nu);
            rbh = vloadn(p.rb + 2 * U + u0, nu);
          }
          gate_tiles<3>(na, packed, [&](long i0, auto Mc, auto packed_c) {
            constexpr int M = decltype(Mc)::value;
            const StepRow* r = at.data() + i0;
            const float* ap[M];
            for (int m = 0; m < M; ++m) ap[m] = r[m].a;
            vf acc[M][3];
            gate_sums<M, 3, decltype(packed_c)::value>(acc, U, ap, panel, tail_nu);
            // The cell on row m's sums, n live lanes (W: no lane masks).
            auto cell = [&](int m, int n_) RLV_LAMBDA {
              const float* const x = r[m].x + u0;
              float* const g = r[m].g + u0;
              float* const hho = p.hh + r[m].o + u0;
              float* const ho = p.hs + r[m].o + u0;
              if (pf) {  // the next step's lines: its inputs, and the gates, hh and h it will write
                prefetch_gate_lines(x, xstep, g, G3, U, 3);
                __builtin_prefetch(hho + U, 1, 3);
                __builtin_prefetch(ho + U, 1, 3);
              }
              vf hhv = acc[m][2] + rbh;
              vf z = ract(acc[m][0] + rbz + vloadn(x, n_));
              vf rr = ract(acc[m][1] + rbr + vloadn(x + U, n_));
              vf n = act(vloadn(x + 2 * U, n_) + rr * hhv);
              vf hp = vloadn(ap[m] + u0, n_);
              vf h = z * hp + (1.0f - z) * n;
              vstoren(g, z, n_);
              vstoren(g + U, rr, n_);
              vstoren(g + 2 * U, n, n_);
              vstoren(hho, hhv, n_);
              vstoren(ho, h, n_);
            };
#if RL_PASS == 1
            // AVX2: the tile's rows through the gate math together, activations interleaved (act_n); per lane the
            // same operations as cell(), so the same bits.
            (void)cell;
            auto cells = [&](int n_) RLV_LAMBDA {
              vf sr[2 * M], hhv[M], nn[M];
              for (int m = 0; m < M; ++m) {
                const float* const x = r[m].x + u0;
                if (pf) {  // as cell()
                  prefetch_gate_lines(x, xstep, r[m].g + u0, G3, U, 3);
                  __builtin_prefetch(p.hh + r[m].o + u0 + U, 1, 3);
                  __builtin_prefetch(p.hs + r[m].o + u0 + U, 1, 3);
                }
                hhv[m] = acc[m][2] + rbh;
                sr[2 * m] = acc[m][0] + rbz + vloadn(x, n_);
                sr[2 * m + 1] = acc[m][1] + rbr + vloadn(x + U, n_);
              }
              act_n(ract, sr);
              for (int m = 0; m < M; ++m) nn[m] = vloadn(r[m].x + u0 + 2 * U, n_) + sr[2 * m + 1] * hhv[m];
              act_n(act, nn);
              for (int m = 0; m < M; ++m) {
                float* const g = r[m].g + u0;
                const vf z = sr[2 * m], n = nn[m];
                const vf hp = vloadn(ap[m] + u0, n_);
                const vf h = z * hp + (1.0f - z) * n;
                vstoren(g, z, n_);
                vstoren(g + U, sr[2 * m + 1], n_);
                vstoren(g + 2 * U, n, n_);
                vstoren(p.hh + r[m].o + u0, hhv[m], n_);
                vstoren(p.hs + r[m].o + u0, h, n_);
              }
            };
            if (nu == W) cells(W);
            else cells(nu);
#else
            for (int m = 0; m < M; ++m) {
              if (nu == W) cell(m, W);
              else cell(m, nu);
            }
#endif
          });
        }
      } else if (na > 0) {
        // z and rr, then rh = rr * h_prev for the candidate's product.
        for_tiles<2>(sh.j1 - sh.j0, [&](long q0, auto NPc) {
          constexpr int NP = decltype(NPc)::value;
          constexpr int MM = rows_for(2 * NP);
          const float* bp[NP];
          for (int q = 0; q < NP; ++q) bp[q] = pan + (sh.j0 + q0 + q) * U * 2 * W;
          for_tiles<MM>(na, [&](long i0, auto Mc) {
            constexpr int M = decltype(Mc)::value;
            const float* ap[M];
            for (int m = 0; m < M; ++m) ap[m] = hprev(sh.rows[(size_t)(i0 + m)]);
            vf acc[M][2 * NP];
            acc_zero(acc);
            mk_accum<M, NP, 2>(acc, U, ap, bp);
            for (int m = 0; m < M; ++m) {
              const long b = sh.rows[(size_t)(i0 + m)];
              for (int q = 0; q < NP; ++q) {
                const long u0 = (sh.j0 + q0 + q) * W;
                const int nu = (int)std::min<long>(W, U - u0);
                const float* x = p.xp + (b * T + t) * G3 + u0;
                float* g = p.gates + (b * T + s) * G3 + u0;
                if (s + 1 < T) prefetch_gate_lines(x, xstep, g, G3, U, 3);
                vf z = ract(acc[m][2 * q] + vloadn(x, nu));
                vf rr = ract(acc[m][2 * q + 1] + vloadn(x + U, nu));
                vstoren(g, z, nu);
                vstoren(g + U, rr, nu);
                vstoren(rh + b * U + u0, rr * vloadn(ap[m] + u0, nu), nu);
              }
            }
          });
        });
      }
      if (!p.resetAfter) {
        if (plan.unit) rl::rnn::sync(nth);
        auto reset_h = [&](long b) { return rh + b * U; };
        one_gate_products(sh, na, pan_h, U, reset_h, [&](long b, vf hh, long u0, int nu) RLV_LAMBDA {
          const float* x = p.xp + (b * T + t) * G3 + u0;
          float* g = p.gates + (b * T + s) * G3 + u0;
          vf n = act(vloadn(x + 2 * U, nu) + hh);
          vf z = vloadn(g, nu);
          vf h = z * vloadn(hprev(b) + u0, nu) + (1.0f - z) * n;
          vstoren(g + 2 * U, n, nu);
          vstoren(p.hh + (b * T + s) * U + u0, hh, nu);
          vstoren(p.hs + (b * T + s) * U + u0, h, nu);
        });
      }
      if (plan.unit) rl::rnn::sync(nth);
    }
  });
}

void forward(const Fwd& p) {
  const long B = p.B, U = p.U, nb = nblocks(U);
  std::vector<float> pan, pan_h;
  rl::Room own_rh;  // 64-byte aligned: each thread writes its own rows every step (see backward)
  float* rh = nullptr;
  if (p.resetAfter) {
    pan.resize((size_t)(nb * U * 3 * W));
    const long gcol[3] = {0, U, 2 * U};
    rl::rnn::pack_gate_panels(p.r, U, 3 * U, U, 3, gcol, W, pan.data(), true);
  } else {
    pan.resize((size_t)(nb * U * 2 * W));
    pan_h.resize((size_t)(nb * U * W));
    rh = own_rh.get<float>((size_t)(B * U));
    const long gzr[2] = {0, U}, gh[1] = {2 * U};
    rl::rnn::pack_gate_panels(p.r, U, 3 * U, U, 2, gzr, W, pan.data());
    rl::rnn::pack_gate_panels(p.r, U, 3 * U, U, 1, gh, W, pan_h.data());
  }
  const Steps st = steps_for(p, 3.0 * U * U);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    forward_run(p, st.plan, pan.data(), pan_h.data(), st.first.data(), st.zeros.data(), rh, act, ract);
  });
}

// scr: room for each share's ring (DrAccum::ring_room) of per-step rows read only within their block of steps:
// resetAfter: the candidate's recurrent gradient dn * rr; otherwise rr * h_prev.
template <class A, class RA>
void backward_run(const Bwd& p, const rl::rnn::Plan& plan, const float* rt, const int* first, const float* zeros,
                  float* dh, float* scr, float* drh, float* drbp, long ldrb, float* dr_spare, A act, RA ract) {
  const long B = p.B, T = p.T, U = p.U, G3 = 3 * U, G2 = 2 * U;
  run_shares(plan, B, U, [&](int tid, int nth, Share& sh) {
    DrAccum dr(plan, sh, p.dr, dr_spare, G3, U, T, tid, first, p.back);
    float* const ring = dr.ring_of(scr);
    const long nslot = dr.ring_slots();
    float* myrb = drbp ? drbp + tid * ldrb : nullptr;
    if (myrb) std::memset(myrb, 0, (size_t)G3 * sizeof(float));
    load_rows(dh, p.dhT, sh, U);
    const long xstep = p.back ? G3 : -G3;  // dxp row of the next processed (earlier) step
    for (long s = T - 1; s >= 0; --s) {
      const long t = p.back ? T - 1 - s : s;
      auto hprev = [&](long b) { return s > first[b] ? p.hs + (b * T + s - 1) * U : (p.h0 ? p.h0 + b * U : zeros); };
      auto masked_row = [&](long ho) {  // ho = (b*T + s) * U
        std::memset(dr.ring_row(ring, (ho / U - s) / T, s) + sh.ua, 0, sh.ubytes);
      };
      auto real_row = [&](long b, long ho, float* dhb, float* dg) {
        // Every pointer in a local: the vector stores may alias anything, so GCC would reload captured ones after each.
        const float* const g = p.gates + (b * T + s) * G3;
        const float* const hp = hprev(b);
        const float* const dhs = p.dhs + ho;
        const float* const hh = p.hh + ho, *const hs = p.hs + ho;
        float* const dha = p.dhAll ? p.dhAll + ho : nullptr;
        float* const sc = dr.ring_row(ring, b, s);
        float* const rb = myrb;
        const bool ra = p.resetAfter;
        const long ua = sh.ua, ub = sh.ub;
        for (long u = ua; u < ub; u += W) {
          const int n = (int)std::min<long>(W, ub - u);
          if (s > 0) {
            prefetch_gate_lines(g + u, -G3, dg + u, xstep, U, 3);
            __builtin_prefetch(dhs - U + u, 0, 3);
            if (ra) __builtin_prefetch(hh - U + u, 0, 3);
            if (s > 1) __builtin_prefetch(hs - 2 * U + u, 0, 3);  // the next step's h_prev
          }
          vf d = vloadn(dhb + u, n) + vloadn(dhs + u, n);
          if (dha) vstoren(dha + u, d, n);
          vf z = vloadn(g + u, n), rr = vloadn(g + U + u, n), nn = vloadn(g + 2 * U + u, n);
          vf hpv = vloadn(hp + u, n);
          vf dz = d * (hpv - nn) * ract.grad(z);
          vf dn = d * (1.0f - z) * act.grad(nn);
          vstoren(dhb + u, d * z, n);
          vstoren(dg + u, dz, n);
          vstoren(dg + 2 * U + u, dn, n);
          if (ra) {
            vf dr = dn * vloadn(hh + u, n) * ract.grad(rr);
            vf dhh = dn * rr;
            vstoren(dg + U + u, dr, n);
            vstoren(sc + u, dhh, n);
            if (rb) {
              vstoren(rb + u, vloadn(rb + u, n) + dz, n);
              vstoren(rb + U + u, vloadn(rb + U + u, n) + dr, n);
              vstoren(rb + 2 * U + u, vloadn(rb + 2 * U + u, n) + dhh, n);
            }
          } else {
            vstoren(sc + u, rr * hpv, n);
          }
        }
      };
      const long na = backward_rows<3>(p, sh, dh, s, t, first, masked_row, real_row);
      if (plan.unit) rl::rnn::sync(nth);
      if (p.resetAfter) {
        // dh_prev += [dz, dr] r_zr^T + (dn * rr) r_h^T; the ring's rows of step s are nslot rows apart.
        const float* ring_s = dr.ring_row(ring, sh.r0, s) - sh.r0 * nslot * U;
        const PSeg sg[2] = {{p.dxp + t * G3, T * G3, rt, G3 * W, G2}, {ring_s, nslot * U, rt + G2 * W, G3 * W, U}};
        panel_product<true, 2>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, sg);
      } else {
        // d(rr * h_prev) = dn r_h^T; then dr and its direct term; then dh_prev += [dz, dr] r_zr^T.
        const PSeg sa{p.dxp + t * G3 + G2, T * G3, rt + G2 * W, G3 * W, U};
        panel_product<false, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, drh, U, &sa);
        for (long i = 0; i < na && sh.ub > sh.ua; ++i) {
          const long b = sh.rows[(size_t)i];
          const float* g = p.gates + (b * T + s) * G3;
          const float* hp = hprev(b);
          float* dg = p.dxp + (b * T + t) * G3;
          for (long u = sh.ua; u < sh.ub; u += W) {
            const int n = (int)std::min<long>(W, sh.ub - u);
            vf dv = vloadn(drh + b * U + u, n), rr = vloadn(g + U + u, n);
            vstoren(dg + U + u, dv * vloadn(hp + u, n) * ract.grad(rr), n);
            vstoren(dh + b * U + u, vloadn(dh + b * U + u, n) + dv * rr, n);
          }
        }
        if (plan.unit) rl::rnn::sync(nth);
        const PSeg sb{p.dxp + t * G3, T * G3, rt, G3 * W, G2};
        panel_product<true, 1>(sh.rows.data(), na, sh.j0, sh.j1, U, dh, U, &sb);
      }
      if (dr.block_ends(s)) {
        // dR[:, z and r] += h_prev^T [dz, dr]; dR[:, h] += resetAfter: h_prev^T (dn * rr) (scr, processing order;
        // in the same pass over h_prev); else (rr * h_prev)^T dn (scr^T dxp_h).
        const GateRows zr{p.dxp, G3, true, 2};
        if (p.resetAfter) {
          dr.add(0, p.hs, p.h0, true, zr, {ring, U, false, 1, nslot});
        } else {
          dr.add(0, p.hs, p.h0, true, zr);
          dr.add(G2, ring, nullptr, false, {p.dxp + G2, G3, true, 1}, {}, nslot);
          // Under the unit split every thread reads all units of the block's ring rows: none may write the next
          // block's (the same slots) before all are done.
          if (plan.unit) rl::rnn::sync(nth);
        }
        dr.next();
      }
    }
    store_rows(p.dh0, dh, sh, U);
    rl::rnn::sync(nth);
    long c0, c1;
    if (p.drb) {
      split_cols(G3, tid, nth, &c0, &c1);
      for (long c = c0; c < c1; ++c) {
        float v = 0.0f;
        for (int th = 0; th < nth; ++th) v += drbp[th * ldrb + c];
        p.drb[c] = v;
      }
    }
    dr.finish(p.dr, dr_spare, tid, nth);
  });
}

void backward(const Bwd& p) {
  const long B = p.B, T = p.T, U = p.U, G3 = 3 * U, nb = nblocks(U);
  std::vector<float> rt((size_t)(nb * G3 * W));
  rl::rnn::pack_transposed_panels(p.r, G3, G3, U, W, rt.data());
  const Steps st = steps_for(p, 3.0 * U * U);
  // 64-byte aligned rooms: under the batch split each thread writes its own rows of dh, drh and the ring every
  // step, and a cache line holding the end of one thread's rows and the start of the other's passes between the
  // cores at every step. malloc aligns to 16 bytes, so whether the lab's split (32 + 32 rows of 100 units) shared a
  // line depended on where the buffer landed; aligned, it never does (other splits may, by one line). Each thread's
  // bias partial sums (drbp) start on their own line: at G3 = 300 the two threads' sums shared one. With them the
  // GRU backward at 64 x 500 x 100 on 2 threads went from 16.4-17.4 to 14.1-14.8 ms (Zen 5, docs/BENCHMARKS.md).
  rl::Room own_dh, own_drh, own_scr, own_drbp, own_spare;
  float* const dh = own_dh.get<float>((size_t)(B * U));
  float* const drh = p.resetAfter ? nullptr : own_drh.get<float>((size_t)(B * U));
  float* const scr = own_scr.get<float>((size_t)DrAccum::ring_room(B, T, U));
  const long ldrb = (G3 + 15) / 16 * 16;
  float* const drbp = p.drb ? own_drbp.get<float>((size_t)rl::num_threads() * (size_t)ldrb) : nullptr;
  float* const dr_spare = dr_spare_for(st.plan, U, G3, own_spare);
  with_gate_acts(p.act, p.ract, [&](auto act, auto ract) {
    backward_run(p, st.plan, rt.data(), st.first.data(), st.zeros.data(), dh, scr, drh, drbp, ldrb, dr_spare, act,
                 ract);
  });
}

namespace {
RL_REGISTER_PASS(kFamilyGru, t.gru_forward = forward; t.gru_backward = backward);
}  // namespace

#endif  // RL_PASS
