/**
 * Reference GRU over whole sequences (Keras gate order z, r, h), plain loops, generic over Float32Array and
 * Float64Array. resetAfter (Keras 2 default): hh = h_prev r + rb, z = recAct(xp_z + hh_z), rr = recAct(xp_r + hh_r),
 * n = act(xp_h + rr * hh_h). Not resetAfter: n = act(xp_h + (rr * h_prev) r_h), and rb must be null.
 * Either way h = z * h_prev + (1 - z) * n. Masking and storage order as in lstm.ts.
 */
import type { RecurrentKernels } from '../kernels.js';
import { backwardSteps, firstRealSteps, loadRows, needAct, needArray, needDims, previousHidden, rnnAct, rnnActGrad } from './rnn_common.js';

function checkRb(kernel: string, resetAfter: boolean, rb: unknown): void {
  if (!resetAfter && rb !== null && rb !== undefined) {
    throw new RangeError(`${kernel}: argument 'rb' must be null when resetAfter is false`);
  }
}

export const gruKernels: Pick<RecurrentKernels, 'gruForward' | 'gruBackward'> = {
  gruForward(B, T, U, xp, r, rb, h0, mask, goBackwards, resetAfter, act, recAct, hs, gates, hh) {
    const K = 'gruForward';
    needDims(K, { B, T, U });
    const G = 3 * U;
    needArray(K, 'xp', xp, B * T * G); needArray(K, 'r', r, U * G); needArray(K, 'rb', rb, G, true);
    checkRb(K, resetAfter, rb);
    needArray(K, 'h0', h0, B * U, true); needArray(K, 'mask', mask, B * T, true);
    needAct(K, 'act', act); needAct(K, 'recAct', recAct);
    needArray(K, 'hs', hs, B * T * U); needArray(K, 'gates', gates, B * T * G); needArray(K, 'hh', hh, B * T * U);
    const h = new Float64Array(U), out = new Float64Array(U), a = new Float64Array(G), rh = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      loadRows(h, h0, b, U); out.fill(0);
      for (let s = 0; s < T; s++) {
        const t = goBackwards ? T - 1 - s : s;
        const ho = (b * T + s) * U, go = (b * T + s) * G, xo = (b * T + t) * G;
        if (mask && !mask[b * T + t]) {
          for (let u = 0; u < U; u++) { hs[ho + u] = out[u]; hh[ho + u] = 0; }
          for (let j = 0; j < G; j++) gates[go + j] = 0;
          continue;
        }
        if (resetAfter) {
          for (let j = 0; j < G; j++) a[j] = rb ? rb[j] : 0;
          for (let k = 0; k < U; k++) for (let j = 0; j < G; j++) a[j] += h[k] * r[k * G + j];
          for (let u = 0; u < U; u++) {
            const z = rnnAct(recAct, xp[xo + u] + a[u]);
            const rr = rnnAct(recAct, xp[xo + U + u] + a[U + u]);
            const n = rnnAct(act, xp[xo + 2 * U + u] + rr * a[2 * U + u]);
            gates[go + u] = z; gates[go + U + u] = rr; gates[go + 2 * U + u] = n; hh[ho + u] = a[2 * U + u];
            a[u] = z; a[U + u] = n;  // reuse: z and n for the state update below
          }
        } else {
          for (let j = 0; j < 2 * U; j++) a[j] = 0;
          for (let k = 0; k < U; k++) for (let j = 0; j < 2 * U; j++) a[j] += h[k] * r[k * G + j];
          for (let u = 0; u < U; u++) {
            const z = rnnAct(recAct, xp[xo + u] + a[u]);
            const rr = rnnAct(recAct, xp[xo + U + u] + a[U + u]);
            gates[go + u] = z; gates[go + U + u] = rr;
            rh[u] = rr * h[u];
            a[u] = z;
          }
          for (let u = 0; u < U; u++) {
            let v = 0;
            for (let k = 0; k < U; k++) v += rh[k] * r[k * G + 2 * U + u];
            const n = rnnAct(act, xp[xo + 2 * U + u] + v);
            gates[go + 2 * U + u] = n; hh[ho + u] = v;
            a[U + u] = n;
          }
        }
        for (let u = 0; u < U; u++) {
          const z = a[u], n = a[U + u];
          h[u] = z * h[u] + (1 - z) * n;
          hs[ho + u] = h[u]; out[u] = h[u];
        }
      }
    }
  },

  gruBackward(B, T, U, r, rb, h0, mask, goBackwards, resetAfter, act, recAct, hs, gates, hh, dhs, dhT, dxp, dr, drb, dh0, dhAll) {
    const K = 'gruBackward';
    needDims(K, { B, T, U });
    const G = 3 * U;
    needArray(K, 'r', r, U * G); needArray(K, 'rb', rb, G, true); checkRb(K, resetAfter, rb);
    needArray(K, 'h0', h0, B * U, true); needArray(K, 'mask', mask, B * T, true);
    needAct(K, 'act', act); needAct(K, 'recAct', recAct);
    needArray(K, 'hs', hs, B * T * U); needArray(K, 'gates', gates, B * T * G); needArray(K, 'hh', hh, B * T * U);
    needArray(K, 'dhs', dhs, B * T * U); needArray(K, 'dhT', dhT, B * U, true); needArray(K, 'dxp', dxp, B * T * G);
    needArray(K, 'dr', dr, U * G); needArray(K, 'drb', drb, G, true); needArray(K, 'dh0', dh0, B * U, true);
    needArray(K, 'dhAll', dhAll, B * T * U, true);
    const first = firstRealSteps(B, T, mask, goBackwards);
    const dR = new Float64Array(U * G), dRb = new Float64Array(G);
    const dh = new Float64Array(U), dn = new Float64Array(U), dz = new Float64Array(U), dhh = new Float64Array(G);
    const hp = new Float64Array(U), drh = new Float64Array(U), d = new Float64Array(U);
    for (let b = 0; b < B; b++) {
      loadRows(dh, dhT, b, U);
      backwardSteps(b, T, U, G, goBackwards, mask, first[b], dh, dhs, dhAll, dxp, (s, ho, go, xo) => {
        for (let u = 0; u < U; u++) {
          hp[u] = previousHidden(hs, h0, first[b], s, ho, b, U, u);
          d[u] = dh[u] + dhs[ho + u];
          if (dhAll) dhAll[ho + u] = d[u];
          const z = gates[go + u], n = gates[go + 2 * U + u];
          dz[u] = d[u] * (hp[u] - n) * rnnActGrad(recAct, z);
          dn[u] = d[u] * (1 - z) * rnnActGrad(act, n);
          dh[u] = d[u] * z;  // direct path; the recurrent products are added below
        }
        if (resetAfter) {
          for (let u = 0; u < U; u++) {
            const rr = gates[go + U + u];
            const dr_ = dn[u] * hh[ho + u] * rnnActGrad(recAct, rr);
            dxp[xo + u] = dz[u]; dxp[xo + U + u] = dr_; dxp[xo + 2 * U + u] = dn[u];
            dhh[u] = dz[u]; dhh[U + u] = dr_; dhh[2 * U + u] = dn[u] * rr;
          }
          for (let j = 0; j < G; j++) dRb[j] += dhh[j];
          for (let k = 0; k < U; k++) {
            let acc = 0;
            for (let j = 0; j < G; j++) { acc += dhh[j] * r[k * G + j]; dR[k * G + j] += hp[k] * dhh[j]; }
            dh[k] += acc;
          }
        } else {
          for (let k = 0; k < U; k++) {
            let acc = 0;
            for (let u = 0; u < U; u++) acc += dn[u] * r[k * G + 2 * U + u];
            drh[k] = acc;
          }
          for (let u = 0; u < U; u++) {
            const rr = gates[go + U + u];
            const dr_ = drh[u] * hp[u] * rnnActGrad(recAct, rr);
            dxp[xo + u] = dz[u]; dxp[xo + U + u] = dr_; dxp[xo + 2 * U + u] = dn[u];
            dhh[u] = dz[u]; dhh[U + u] = dr_;
            dh[u] += drh[u] * rr;
          }
          for (let k = 0; k < U; k++) {
            let acc = 0;
            const rhk = gates[go + U + k] * hp[k];
            for (let j = 0; j < 2 * U; j++) { acc += dhh[j] * r[k * G + j]; dR[k * G + j] += hp[k] * dhh[j]; }
            for (let u = 0; u < U; u++) dR[k * G + 2 * U + u] += rhk * dn[u];
            dh[k] += acc;
          }
        }
      });
      if (dh0) for (let u = 0; u < U; u++) dh0[b * U + u] = dh[u];
    }
    for (let j = 0; j < U * G; j++) dr[j] = dR[j];
    if (drb && rb) for (let j = 0; j < G; j++) drb[j] = dRb[j];
  },
};
