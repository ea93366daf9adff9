// What an LSTM kernel call carries, and the reading of its N-API arguments: shared by the fp32 kernels (lstm.cc)
// and their mixed_bfloat16 twins (lstm_bf16.cc), which keep lstmForward's and lstmBackward's contracts.
#pragma once
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

// (B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates)
inline Fwd forward_args(rnn::SeqArgs& a) {
  auto f = a.dims<Fwd>();
  f.xp = a.arr("xp", a.kGates), f.r = a.arr("r", a.kWeights);
  f.h0 = a.optional("h0", a.kState), f.c0 = a.optional("c0", a.kState), f.mask = a.mask();
  f.back = a.option("goBackwards"), f.act = a.act("act"), f.ract = a.act("recAct");
  f.hs = a.arr("hs", a.kSeq), f.cs = a.arr("cs", a.kSeq), f.gates = a.arr("gates", a.kGates);
  return f;
}

// (B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT, dxp, dr, dh0, dc0, dhAll)
inline Bwd backward_args(rnn::SeqArgs& a) {
  auto b = a.dims<Bwd>();
  b.r = a.arr("r", a.kWeights);
  b.h0 = a.optional("h0", a.kState), b.c0 = a.optional("c0", a.kState), b.mask = a.mask();
  b.back = a.option("goBackwards"), b.act = a.act("act"), b.ract = a.act("recAct");
  b.hs = a.arr("hs", a.kSeq), b.cs = a.arr("cs", a.kSeq), b.gates = a.arr("gates", a.kGates);
  b.dhs = a.arr("dhs", a.kSeq), b.dhT = a.optional("dhT", a.kState), b.dcT = a.optional("dcT", a.kState);
  b.dxp = a.arr("dxp", a.kGates), b.dr = a.arr("dr", a.kWeights);
  b.dh0 = a.optional("dh0", a.kState), b.dc0 = a.optional("dc0", a.kState), b.dhAll = a.optional("dhAll", a.kSeq);
  return b;
}

}  // namespace lstm_impl
}  // namespace rl
