/**
 * Reference bf16 LSTM (mixed_bfloat16): the oracle of native/lstm_bf16.cc. The recurrent products h_{t-1} R,
 * dgates R^T and dR = sum h_prev^T dgates take bf16 operands (h, the gate gradients and R rounded as the native
 * kernel rounds them: h and dgates once per step from their fp32 values) and sum in fp32 in vdpbf16ps's order
 * (bf16_gemm.ts); the cell itself is reference/lstm.ts's, run one step at a time on the pre-activations, with fp32
 * states between steps as the native kernel keeps them. Conventions as in kernels.ts (RecurrentKernels).
 */
import type { FArray, FusedInputKernels, RecurrentKernels } from '../kernels.js';
import { dotPairs, gemmBf16 } from './bf16_gemm.js';
import { roundBf16 } from './bf16_round.js';
import { lstmKernels } from './lstm.js';
import { backwardSteps, firstRealSteps, needArray, needDims } from './rnn_common.js';

type Fwd = RecurrentKernels['lstmForward'];
type Bwd = RecurrentKernels['lstmBackward'];
const fround = Math.fround;

/** R (U x G) rounded to bf16, as its rows (U x G) and as its columns (G x U, row j = column j). */
function roundedWeights(r: FArray, U: number, G: number): { rows: Float64Array; cols: Float64Array } {
  const rows = new Float64Array(U * G), cols = new Float64Array(G * U);
  for (let k = 0; k < U; k++)
    for (let j = 0; j < G; j++) rows[k * G + j] = cols[j * U + k] = roundBf16(r[k * G + j]);
  return { rows, cols };
}

/** Row b of src (U values), or zeros when src is absent, as fp32. */
function rowOf(src: FArray | null, b: number, U: number): Float32Array {
  return src ? Float32Array.from(src.subarray(b * U, b * U + U)) : new Float32Array(U);
}

export const lstmBf16Forward: Fwd = (B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates) => {
  const K = 'lstmBf16Forward', G = 4 * U;
  needDims(K, { B, T, U });
  needArray(K, 'xp', xp, B * T * G); needArray(K, 'r', r, U * G);
  needArray(K, 'h0', h0, B * U, true); needArray(K, 'c0', c0, B * U, true); needArray(K, 'mask', mask, B * T, true);
  const { cols } = roundedWeights(r, U, G), zeroR = new Float32Array(U * G);
  const z = new Float32Array(G), h = new Float32Array(U), g = new Float32Array(G), cNext = new Float32Array(U);
  for (let b = 0; b < B; b++) {
    const hb = rowOf(h0, b, U).map(roundBf16), c = rowOf(c0, b, U), out = new Float32Array(U);
    for (let s = 0; s < T; s++) {
      const t = goBackwards ? T - 1 - s : s, ho = (b * T + s) * U, go = (b * T + s) * G;
      if (mask && !mask[b * T + t]) {
        hs.set(out, ho); cs.set(c, ho); gates.fill(0, go, go + G);
        continue;
      }
      for (let j = 0; j < G; j++) z[j] = fround(dotPairs(hb, 0, cols, j * U, U) + xp[(b * T + t) * G + j]);
      // The fp32 cell on the pre-activations: with R = 0 its own product adds nothing.
      lstmKernels.lstmForward(1, 1, U, z, zeroR, null, c, null, false, act, recAct, h, cNext, g);
      hs.set(h, ho); cs.set(cNext, ho); gates.set(g, go);
      c.set(cNext); out.set(h);
      for (let u = 0; u < U; u++) hb[u] = roundBf16(h[u]);
    }
  }
};

/** The input projection by the bf16 GEMM, then lstmBf16Forward: the definition native/lstm_bf16.cc's fused forward keeps. */
export const lstmBf16ForwardInput: FusedInputKernels['lstmForwardInput'] = (B, T, U, D, x, w, bias, r, h0, c0, mask,
  goBackwards, act, recAct, hs, cs, gates) => {
  const K = 'lstmBf16ForwardInput';
  needDims(K, { B, T, U, D });
  needArray(K, 'x', x, B * T * D); needArray(K, 'w', w, D * 4 * U); needArray(K, 'bias', bias, 4 * U, true);
  const xp = new Float32Array(B * T * 4 * U);
  gemmBf16(false, false, B * T, 4 * U, D, 1, x, w, 0, xp, bias, 0);
  lstmBf16Forward(B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates);
};

export const lstmBf16Backward: Bwd = (B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT,
  dxp, dr, dh0, dc0, dhAll) => {
  const K = 'lstmBf16Backward', G = 4 * U;
  needDims(K, { B, T, U });
  needArray(K, 'r', r, U * G); needArray(K, 'h0', h0, B * U, true); needArray(K, 'c0', c0, B * U, true);
  needArray(K, 'mask', mask, B * T, true);
  needArray(K, 'hs', hs, B * T * U); needArray(K, 'cs', cs, B * T * U); needArray(K, 'gates', gates, B * T * G);
  needArray(K, 'dhs', dhs, B * T * U); needArray(K, 'dxp', dxp, B * T * G); needArray(K, 'dr', dr, U * G);
  const { rows } = roundedWeights(r, U, G), zeroR = new Float32Array(U * G), scratch = new Float32Array(U * G);
  const first = firstRealSteps(B, T, mask, goBackwards);
  const d = new Float32Array(U), dcIn = new Float32Array(U), dcOut = new Float32Array(U), dg = new Float32Array(G);
  const dgb = new Float64Array(G), dh = new Float64Array(U);
  for (let b = 0; b < B; b++) {
    for (let u = 0; u < U; u++) { dh[u] = dhT ? dhT[b * U + u] : 0; dcIn[u] = dcT ? dcT[b * U + u] : 0; }
    backwardSteps(b, T, U, G, goBackwards, mask, first[b], dh, dhs, dhAll, dxp, (s, ho, go, xo) => {
      for (let u = 0; u < U; u++) d[u] = fround(dh[u] + dhs[ho + u]);
      if (dhAll) dhAll.set(d, ho);
      const cPrev = s > 0 ? cs.subarray(ho - U, ho) : rowOf(c0, b, U);
      // The fp32 cell's backward for this step alone: d is the whole gradient reaching h, dcIn the one reaching c.
      lstmKernels.lstmBackward(1, 1, U, zeroR, null, cPrev, null, false, act, recAct, hs.subarray(ho, ho + U),
        cs.subarray(ho, ho + U), gates.subarray(go, go + G), d, null, dcIn, dg, scratch, null, dcOut, null);
      dxp.set(dg, xo); dcIn.set(dcOut);
      for (let j = 0; j < G; j++) dgb[j] = roundBf16(dg[j]);
      for (let k = 0; k < U; k++) dh[k] = dotPairs(dgb, 0, rows, k * G, G);
    });
    for (let u = 0; u < U; u++) {
      if (dh0) dh0[b * U + u] = dh[u];
      if (dc0) dc0[b * U + u] = dcIn[u];
    }
  }
  // dR = Hprev^T Dg over the B*T steps in processing order: h_{s-1} (h0 or zeros at a row's first real step, zeros
  // before it) against that step's gate gradients, as native/lstm_bf16.cc's GEMM takes them.
  const N = B * T, hPrev = new Float32Array(N * U), dgAll = new Float32Array(N * G);
  for (let b = 0; b < B; b++)
    for (let s = 0; s < T; s++) {
      const i = b * T + s, t = goBackwards ? T - 1 - s : s;
      if (s > first[b]) hPrev.set(hs.subarray((i - 1) * U, i * U), i * U);
      else if (s === first[b] && h0) hPrev.set(h0.subarray(b * U, b * U + U), i * U);
      dgAll.set(dxp.subarray((b * T + t) * G, (b * T + t + 1) * G), i * G);
    }
  gemmBf16(true, false, U, G, N, 1, hPrev, dgAll, 0, dr, null, 0);
};
