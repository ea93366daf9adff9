/**
 * Reference SimpleRNN over whole sequences: h = act(xp + h_prev r). Plain loops, generic over Float32Array and
 * Float64Array; masking and storage order as in lstm.ts.
 */
import type { RecurrentKernels } from '../kernels.js';
import { backwardSteps, firstRealSteps, loadRows, needAct, needArray, needDims, previousHidden, rnnAct, rnnActGrad } from './rnn_common.js';

export const simpleRnnKernels: Pick<RecurrentKernels, 'simpleRnnForward' | 'simpleRnnBackward'> = {
  simpleRnnForward(B, T, U, xp, r, h0, mask, goBackwards, act, hs) {
    const K = 'simpleRnnForward';
    needDims(K, { B, T, U });
    needArray(K, 'xp', xp, B * T * U); needArray(K, 'r', r, U * U); needArray(K, 'h0', h0, B * U, true);
    needArray(K, 'mask', mask, B * T, true); needAct(K, 'act', act); needArray(K, 'hs', hs, B * T * U);
    const h = new Float64Array(U), out = new Float64Array(U), z = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      loadRows(h, h0, b, U); out.fill(0);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const ho = (b * T + s) * U, xo = (b * T + t) * U;
        if (mask && !mask[b * T + t]) {
          for (let u = 0; u < U; u++) hs[ho + u] = out[u];
          continue;
        }
        for (let u = 0; u < U; u++) z[u] = xp[xo + u];
        for (let k = 0; k < U; k++) for (let u = 0; u < U; u++) z[u] += h[k] * r[k * U + u];
        for (let u = 0; u < U; u++) { h[u] = rnnAct(act, z[u]); hs[ho + u] = h[u]; out[u] = h[u]; }
      }
    }
  },

  simpleRnnBackward(B, T, U, r, h0, mask, goBackwards, act, hs, dhs, dhT, dxp, dr, dh0, dhAll) {
    const K = 'simpleRnnBackward';
    needDims(K, { B, T, U });
    needArray(K, 'r', r, U * U); needArray(K, 'h0', h0, B * U, true); needArray(K, 'mask', mask, B * T, true);
    needAct(K, 'act', act); needArray(K, 'hs', hs, B * T * U); needArray(K, 'dhs', dhs, B * T * U);
    needArray(K, 'dhT', dhT, B * U, true); needArray(K, 'dxp', dxp, B * T * U); needArray(K, 'dr', dr, U * U);
    needArray(K, 'dh0', dh0, B * U, true); needArray(K, 'dhAll', dhAll, B * T * U, true);
    const first = firstRealSteps(B, T, mask, goBackwards);
    const dR = new Float64Array(U * U), dh = new Float64Array(U), dp = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      loadRows(dh, dhT, b, U);
      backwardSteps(b, T, U, U, goBackwards, mask, first[b], dh, dhs, dhAll, dxp, (s, ho, _go, xo) => {
        for (let u = 0; u < U; u++) {
          const d = dh[u] + dhs[ho + u];
          if (dhAll) dhAll[ho + u] = d;
          dp[u] = d * rnnActGrad(act, hs[ho + u]);
          dxp[xo + u] = dp[u];
        }
        for (let k = 0; k < U; k++) {
          const hk = previousHidden(hs, h0, first[b], s, ho, b, U, k);
          let acc = 0;
          for (let u = 0; u < U; u++) { acc += dp[u] * r[k * U + u]; dR[k * U + u] += hk * dp[u]; }
          dh[k] = acc;
        }
      });
      if (dh0) for (let u = 0; u < U; u++) dh0[b * U + u] = dh[u];
    }
    for (let j = 0; j < U * U; j++) dr[j] = dR[j];
  },
};
