/**
 * Reference LSTM over whole sequences (Keras gate order i, f, c, o), plain loops, generic over Float32Array and
 * Float64Array. Conventions as in kernels.ts (RecurrentKernels), with Keras's masking in full: at a masked step the
 * state is carried and the output repeats the previous output, which is zero before a row's first real step (as
 * Keras's backend.rnn starts from a zero output), even when h0 is given. hs, cs, gates, dhs and dhAll are stored in
 * processing order (index s), xp and dxp in input time (t = goBackwards ? T-1-s : s).
 */
import type { RecurrentKernels } from '../kernels.js';
import { backwardSteps, firstRealSteps, loadRows, needAct, needArray, needDims, previousHidden, rnnAct, rnnActGrad } from './rnn_common.js';

export const lstmKernels: Pick<RecurrentKernels, 'lstmForward' | 'lstmBackward'> = {
  lstmForward(B, T, U, xp, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates) {
    const K = 'lstmForward';
    needDims(K, { B, T, U });
    const G = 4 * U;
    needArray(K, 'xp', xp, B * T * G); needArray(K, 'r', r, U * G);
    needArray(K, 'h0', h0, B * U, true); needArray(K, 'c0', c0, B * U, true); needArray(K, 'mask', mask, B * T, true);
    needAct(K, 'act', act); needAct(K, 'recAct', recAct);
    needArray(K, 'hs', hs, B * T * U); needArray(K, 'cs', cs, B * T * U); needArray(K, 'gates', gates, B * T * G);
    const h = new Float64Array(U), c = new Float64Array(U), out = new Float64Array(U), z = new Float64Array(G);
    for (let b = 0; b < B; b++) {
      loadRows(h, h0, b, U); loadRows(c, c0, b, U); out.fill(0);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const ho = (b * T + s) * U, go = (b * T + s) * G;
        if (mask && !mask[b * T + t]) {
          for (let u = 0; u < U; u++) { hs[ho + u] = out[u]; cs[ho + u] = c[u]; }
          for (let j = 0; j < G; j++) gates[go + j] = 0;
          continue;
        }
        const xo = (b * T + t) * G;
        for (let j = 0; j < G; j++) z[j] = xp[xo + j];
        for (let k = 0; k < U; k++) {
          const hk = h[k];
          for (let j = 0; j < G; j++) z[j] += hk * r[k * G + j];
        }
        for (let u = 0; u < U; u++) {
          const i = rnnAct(recAct, z[u]), f = rnnAct(recAct, z[U + u]);
          const cc = rnnAct(act, z[2 * U + u]), o = rnnAct(recAct, z[3 * U + u]);
          gates[go + u] = i; gates[go + U + u] = f; gates[go + 2 * U + u] = cc; gates[go + 3 * U + u] = o;
          c[u] = f * c[u] + i * cc;
          h[u] = o * rnnAct(act, c[u]);
          cs[ho + u] = c[u]; hs[ho + u] = h[u]; out[u] = h[u];
        }
      }
    }
  },

  lstmBackward(B, T, U, r, h0, c0, mask, goBackwards, act, recAct, hs, cs, gates, dhs, dhT, dcT, dxp, dr, dh0, dc0, dhAll) {
    const K = 'lstmBackward';
    needDims(K, { B, T, U });
    const G = 4 * U;
    needArray(K, 'r', r, U * G); needArray(K, 'h0', h0, B * U, true); needArray(K, 'c0', c0, B * U, true);
    needArray(K, 'mask', mask, B * T, true); needAct(K, 'act', act); needAct(K, 'recAct', recAct);
    needArray(K, 'hs', hs, B * T * U); needArray(K, 'cs', cs, B * T * U); needArray(K, 'gates', gates, B * T * G);
    needArray(K, 'dhs', dhs, B * T * U); needArray(K, 'dhT', dhT, B * U, true); needArray(K, 'dcT', dcT, B * U, true);
    needArray(K, 'dxp', dxp, B * T * G); needArray(K, 'dr', dr, U * G); needArray(K, 'dh0', dh0, B * U, true);
    needArray(K, 'dc0', dc0, B * U, true); needArray(K, 'dhAll', dhAll, B * T * U, true);
    const first = firstRealSteps(B, T, mask, goBackwards);
    const dR = new Float64Array(U * G);
    const dh = new Float64Array(U), dc = new Float64Array(U), dg = new Float64Array(G), hp = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      loadRows(dh, dhT, b, U); loadRows(dc, dcT, b, U);
      backwardSteps(b, T, U, G, goBackwards, mask, first[b], dh, dhs, dhAll, dxp, (s, ho, go, xo) => {
        for (let u = 0; u < U; u++) {
          hp[u] = previousHidden(hs, h0, first[b], s, ho, b, U, u);
          const cp = s > 0 ? cs[ho - U + u] : (c0 ? c0[b * U + u] : 0);
          const d = dh[u] + dhs[ho + u];
          if (dhAll) dhAll[ho + u] = d;
          const i = gates[go + u], f = gates[go + U + u], cc = gates[go + 2 * U + u], o = gates[go + 3 * U + u];
          const tc = rnnAct(act, cs[ho + u]);
          const dct = dc[u] + d * o * rnnActGrad(act, tc);
          dg[u] = dct * cc * rnnActGrad(recAct, i);
          dg[U + u] = dct * cp * rnnActGrad(recAct, f);
          dg[2 * U + u] = dct * i * rnnActGrad(act, cc);
          dg[3 * U + u] = d * tc * rnnActGrad(recAct, o);
          dc[u] = dct * f;
        }
        for (let j = 0; j < G; j++) dxp[xo + j] = dg[j];
        for (let k = 0; k < U; k++) {
          let acc = 0;
          const hk = hp[k];
          for (let j = 0; j < G; j++) { acc += dg[j] * r[k * G + j]; dR[k * G + j] += hk * dg[j]; }
          dh[k] = acc;
        }
      });
      if (dh0) for (let u = 0; u < U; u++) dh0[b * U + u] = dh[u];
      if (dc0) for (let u = 0; u < U; u++) dc0[b * U + u] = dc[u];
    }
    for (let j = 0; j < U * G; j++) dr[j] = dR[j];
  },
};
